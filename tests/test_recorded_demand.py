"""A history year's load, month by month from the consumption record (model/profiles.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from model.errors import InputError
from model.profiles import monthly_load_factors, recorded_consumption_twh, with_recorded_months
from model.weather.hydrology import RECORD_MONTHS


def _profiles(year: int = 2022) -> xr.Dataset:
    """Two regions of flat load, 1,000 and 500 MW, for a whole year, with a daily ripple."""
    sns = pd.date_range(f"{year}-01-01", periods=8760, freq="h")
    ripple = 1 + 0.2 * np.sin(2 * np.pi * np.arange(8760) / 24)
    load = np.stack([1000 * ripple, 500 * ripple])[None].astype("float32")
    return xr.Dataset({"load": (("year", "region", "snapshot"), load)},
                      coords={"snapshot": sns, "region": ["a", "b"], "year": [0]})  # fmt: skip


def test_each_period_gets_the_recorded_energy_and_keeps_its_hourly_shape():
    record = recorded_consumption_twh(2022)
    assert record["jan_feb"] == pytest.approx(31.9) and record["dec"] == pytest.approx(17.3)
    before = _profiles()
    after = with_recorded_months(before, record)
    total = after["load"].isel(year=0).sum("region").to_pandas()
    by_month = total.groupby(total.index.month).sum() / 1e6
    for period, months in RECORD_MONTHS.items():
        assert by_month[list(months)].sum() == pytest.approx(record[period], rel=1e-5), period
    # within a period, each hour and each region keep their share
    ratio = (after["load"] / before["load"]).isel(year=0)
    jan = ratio.sel(snapshot=slice("2022-01-01", "2022-02-28"))
    assert float(jan.max() - jan.min()) < 1e-4
    assert after["load"].dtype == before["load"].dtype


def test_factors_are_recorded_over_generated_energy():
    month = np.repeat(np.arange(1, 13), 2)  # two hours a month
    total = np.full(24, 1e6)  # 1 TWh per hour, so 2 TWh a month, 4 TWh for Jan+Feb
    record = pd.Series({p: 2.0 * len(m) for p, m in RECORD_MONTHS.items()})
    record["dec"] = 3.0
    f = monthly_load_factors(month, total, record)
    assert np.allclose(f[:-2], 1.0) and np.allclose(f[-2:], 1.5)


def test_a_year_outside_the_record_is_named():
    with pytest.raises(InputError, match="no consumption for 1990"):
        recorded_consumption_twh(1990)
