"""Storage metrics (analysis.storage) on conftest's one-bus storage day, whose answers are worked
out by hand in :func:`tests.conftest.storage_day`: the battery charges 170 MWh from surplus
(8 h x 20 MW at price 0, then 10 MW at 240 CNY/MWh) and gives back 136 MWh at 300 CNY/MWh; the
hydrogen chain turns 160 MWh of surplus into 80 MWh of H2 and 40 MWh back.
"""

from __future__ import annotations

import numpy as np
import pypsa
import pytest
import xarray as xr

from analysis.metrics import metrics
from analysis.storage import storage_levels
from analysis.summary import STORAGE_KEYS, summarize
from tests.conftest import STORAGE_DAY_PRICE

PRICE = STORAGE_DAY_PRICE  # coal's marginal cost [CNY/MWh]


@pytest.fixture(scope="module")
def day(storage_day_solved: pypsa.Network) -> pypsa.Network:
    return storage_day_solved


@pytest.fixture(scope="module")
def ds(day: pypsa.Network) -> xr.Dataset:
    return metrics(day)


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-6, abs=1e-6)


def test_the_day_is_what_storage_day_says(day: pypsa.Network) -> None:
    price = day.c.buses.dynamic.marginal_price.guiyang
    assert price.iloc[8:16].to_numpy() == approx(0.0)
    assert price.iloc[16] == approx(0.8 * PRICE)
    assert price.iloc[17:].to_numpy() == approx(PRICE)


def test_battery_by_hand(ds: xr.Dataset) -> None:
    k = ds.sel(storage_kind="battery", period="year")
    assert float(k.storage_kind_charged_mwh) == approx(8 * 20 + 10)
    assert float(k.storage_kind_discharged_mwh) == approx(136.0)
    assert float(k.storage_kind_cycles) == approx(136 / 200)
    assert float(k.storage_kind_full_load_hours) == approx(136 / 20)
    assert float(k.storage_kind_value_cny) == approx(136 * PRICE - 10 * 0.8 * PRICE)
    # charged from surplus: 20 MW in hours 8-15 and the whole 10 MW surplus of hour 16
    assert float(k.storage_kind_curtailment_avoided_mwh) == approx(8 * 20 + 10)
    assert float(ds.storage_kind_power_mw.sel(storage_kind="battery")) == 20
    assert float(ds.storage_kind_energy_mwh.sel(storage_kind="battery")) == 200
    # the per-unit variables of the one battery say the same
    u = ds.sel(storage_unit="battery_guiyang")
    assert float(u.storage_cycles) == approx(136 / 200)
    assert float(u.storage_full_load_hours) == approx(136 / 20)
    assert float(u.storage_value_cny) == approx(38_400.0)
    assert float(u.storage_curtailment_avoided_mwh) == approx(170.0)
    assert float(u.charge_price) == approx(10 * 240 / 170)
    assert float(u.discharge_price) == approx(PRICE)


def test_hydrogen_by_hand(ds: xr.Dataset) -> None:
    k = ds.sel(storage_kind="h2", period="year")
    assert float(k.storage_kind_charged_mwh) == approx(8 * 20)
    assert float(k.storage_kind_discharged_mwh) == approx(40.0)
    assert float(k.storage_kind_cycles) == approx(80 / 100)  # H2 drawn over the store
    assert float(k.storage_kind_full_load_hours) == approx(40 / 10)  # fuel cell: 10 MW electric
    assert float(k.storage_kind_value_cny) == approx(40 * PRICE)
    assert float(k.storage_kind_curtailment_avoided_mwh) == approx(8 * 20)
    # all of it in January; no pumped hydro: nothing discharged, cycles undefined
    assert ds.storage_kind_value_cny.sel(period="Jan").values == approx(
        ds.storage_kind_value_cny.sel(period="year").values
    )
    phs = ds.sel(storage_kind="phs", period="year")
    assert float(phs.storage_kind_discharged_mwh) == 0 and np.isnan(float(phs.storage_kind_cycles))


def test_curtailment_avoided_is_the_charge_from_surplus(ds: xr.Dataset) -> None:
    year = ds.sel(period="year")
    kind = year.storage_kind_curtailment_avoided_mwh
    # hours 8-15: solar still curtailed, both charge 20 MW; hour 16: the battery takes the whole
    # 10 MW surplus (price 240, below coal's 300); the evening charges nothing
    assert float(kind.sel(storage_kind="battery")) == approx(8 * 20 + 10)
    assert float(kind.sel(storage_kind="h2")) == approx(8 * 20)
    assert "attribution" in ds.storage_kind_curtailment_avoided_mwh.attrs["long_name"]
    for name, var in ds.data_vars.items():
        if name.startswith("storage"):
            assert var.attrs.get("units") and var.attrs.get("long_name"), name


def test_weightings_not_rows(day: pypsa.Network, ds: xr.Dataset) -> None:
    # the same dispatch, each snapshot standing for two hours: every energy and ratio doubles
    original = day.snapshot_weightings.copy()
    try:
        day.snapshot_weightings.loc[:, :] = 2.0
        k2 = metrics(day).sel(storage_kind="battery", period="year")
    finally:
        day.snapshot_weightings.loc[:, :] = original
    k1 = ds.sel(storage_kind="battery", period="year")
    for var in ("storage_kind_discharged_mwh", "storage_kind_cycles", "storage_kind_value_cny",
                "storage_kind_curtailment_avoided_mwh"):  # fmt: skip
        assert float(k2[var]) == approx(2 * float(k1[var]))


def test_levels_by_kind(day: pypsa.Network) -> None:
    levels = storage_levels(day)
    assert list(levels.columns) == ["phs", "battery", "h2", "hydro_reservoirs"]
    assert levels.battery.iloc[16] == approx(136 / 200)  # full after hour 16
    assert levels.h2.iloc[16] == approx(80 / 100)
    assert levels.phs.isna().all() and levels.hydro_reservoirs.isna().all()


def test_summary_carries_storage(ds: xr.Dataset) -> None:
    storage = summarize(ds, 1.0)["storage"]
    assert set(storage) == {"phs", "battery", "h2"}
    assert all(set(v) == set(STORAGE_KEYS) for v in storage.values())
    assert storage["battery"]["cycles"] == approx(0.68)
    assert storage["battery"]["full_load_hours"] == approx(6.8)
    assert storage["battery"]["value_cny"] == approx(38_400.0)
    assert storage["h2"]["curtailment_avoided_mwh"] == approx(160.0)
    assert storage["phs"] == {k: 0.0 for k in STORAGE_KEYS}  # no capacity: 0, not NaN
