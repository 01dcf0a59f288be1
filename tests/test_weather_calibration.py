"""Statistical checks of the weather generator against its calibration targets (DATA.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.weather import calibration_table, generate_profiles
from tests.conftest import weather_inputs

#: Years pooled for calibration. Single-year hydro months vary by ~0.25 (DATA: Dec 0.30-0.94),
#: so 100 years keep the sampling error of a monthly mean (~0.03) well inside the ±0.1 tolerance.
N_YEARS = 100


@pytest.fixture(scope="module")
def inputs():
    return weather_inputs()


@pytest.fixture(scope="module")
def table(inputs) -> pd.DataFrame:
    regions, stations, shares = inputs
    ds = generate_profiles(regions, stations, shares, 250.0, 0.75, n_years=N_YEARS, seed=1)
    return calibration_table(ds, stations).set_index("statistic")


@pytest.fixture(scope="module")
def classes_table(inputs) -> pd.DataFrame:
    regions, stations, shares = inputs
    classes = ["wet", "normal", "dry", "extreme_dry"] * 2
    ds = generate_profiles(regions, stations, shares, 250.0, hydrology=classes, n_years=8, seed=3)
    return calibration_table(ds, stations).set_index("statistic")


def _check(table: pd.DataFrame, statistic: str) -> None:
    row = table.loc[statistic]
    assert row["passed"], f"{statistic} = {row['value']:.4f}, outside [{row['low']}, {row['high']}]"


@pytest.mark.parametrize(
    "statistic",
    [
        "pv_capacity_factor",  # S4: 930-1,090 h
        "pv_winter_to_summer_ratio",  # DJF well below JJA
        "pv_max_at_night",
        "wind_capacity_factor",  # S4: 1,820-2,070 h
        "hydro_wet_season_share",  # S2: May-Oct 59-65 %
        "hydro_energy_twh_normal",
        "load_factor_median",  # 0.72-0.78
        "load_factor_years_in_range",
        "peak_in_dec_jan_at_peak_hours_share",
        "annual_demand_twh",
        "pv_on_coldest_winter_days_ratio",
        "wind_on_coldest_winter_days_ratio",
    ],
)
def test_statistic_within_tolerance(table, statistic):
    _check(table, statistic)


@pytest.mark.parametrize("month", ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                   "sep", "oct", "nov", "dec"])
def test_hydro_monthly_factor(table, month):
    _check(table, f"hydro_factor_{month}")  # ±0.1 of DATA's monthly factor (S2)


@pytest.mark.parametrize("cls", ["wet", "normal", "dry", "extreme_dry"])
def test_hydro_energy_by_class(classes_table, cls):
    _check(classes_table, f"hydro_energy_twh_{cls}")  # ±5 % of the class full-load hours


def test_every_variable_has_units(inputs):
    regions, stations, shares = inputs
    ds = generate_profiles(regions, stations, shares, 250.0, n_years=1, seed=5)
    for name in ("pv", "wind", "ror", "inflow", "load", "temperature"):
        assert ds[name].attrs["units"] and ds[name].attrs["long_name"]
        assert ds[name].dtype == np.float32
        assert np.isfinite(ds[name].values).all()
    assert ds.sizes == {"year": 1, "snapshot": 8760, "region": 9, "station": 21, "month": 12}
    assert ((ds["ror"] >= 0) & (ds["ror"] <= 1)).all()
    share = ds["local_inflow_share"].to_series()
    assert share["hongjiadu"] == 1.0 and share["wujiangdu"] == pytest.approx(0.02)
