"""Storage metrics (analysis.storage) on a one-bus day whose answers are worked out by hand.

The day: 100 MW of load; 300 MW of solar offering 180 MW in hours 8-11, 150 MW in hours 12-15 and
110 MW in hour 16, nothing otherwise; coal (300 CNY/MWh) covers the rest. A 20 MW / 200 MWh
battery (charging 80 % efficient, discharging lossless) and a hydrogen chain (20 MW
electrolyser at 50 %, 100 MWh H2 store, fuel cell taking 20 MW of H2 at 50 %) both start empty.

Worked out: in hours 8-15 solar is curtailed, the price is 0 and both charge at full power
(20 + 20 MW), leaving 40 MW curtailed in hours 8-11 and 10 MW in hours 12-15. In hour 16 the
10 MW surplus goes to the battery (it values a MWh at 0.8 x 300 = 240 CNY, the electrolyser at
0.5 x 0.5 x 300 = 75), so nothing is curtailed and the price is 240. In the evening coal is
marginal at 300 and everything stored comes back: the battery 0.8 x 170 = 136 MWh, the fuel cell
0.5 x 80 = 40 MWh from 80 MWh of H2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest
import xarray as xr

from analysis.metrics import metrics
from analysis.storage import storage_levels
from analysis.summary import STORAGE_KEYS, summarize

pypsa.options.api.legacy_string_dtype = False
HOURS = 24
PRICE = 300.0  # coal's marginal cost [CNY/MWh]


def storage_day() -> pypsa.Network:
    """The solved one-bus day of the module docstring."""
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-01-01", periods=HOURS, freq="h"))
    for c in ("coal", "solar", "battery", "H2", "electrolyser", "fuel_cell", "load", "AC"):
        n.add("Carrier", c, co2_emissions=0.0)
    n.add("Bus", "guiyang", carrier="AC")
    n.add("Bus", "h2", carrier="H2")
    n.add("Load", "load_guiyang", bus="guiyang", carrier="load", p_set=np.full(HOURS, 100.0))
    pu = np.zeros(HOURS)
    pu[8:12], pu[12:16], pu[16] = 0.6, 0.5, 110 / 300
    n.add("Generator", "solar_guiyang", bus="guiyang", carrier="solar", p_nom=300, p_max_pu=pu)
    n.add("Generator", "coal_guiyang", bus="guiyang", carrier="coal", p_nom=200, marginal_cost=PRICE)
    n.add(
        "StorageUnit",
        "battery_guiyang",
        bus="guiyang",
        carrier="battery",
        p_nom=20,
        max_hours=10,
        efficiency_store=0.8,
        efficiency_dispatch=1.0,
        cyclic_state_of_charge=False,
        state_of_charge_initial=0.0,
    )
    n.add("Store", "h2_store", bus="h2", carrier="H2", e_nom=100, e_cyclic=False, e_initial=0.0)
    n.add("Link", "electrolyser", bus0="guiyang", bus1="h2", carrier="electrolyser", p_nom=20, efficiency=0.5)
    n.add("Link", "fuel_cell", bus0="h2", bus1="guiyang", carrier="fuel_cell", p_nom=20, efficiency=0.5)
    _, condition = n.optimize(solver_name="highs", io_api="direct", include_objective_constant=False)
    assert condition == "optimal"
    return n


@pytest.fixture(scope="module")
def day() -> pypsa.Network:
    return storage_day()


@pytest.fixture(scope="module")
def ds(day: pypsa.Network) -> xr.Dataset:
    return metrics(day)


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-6, abs=1e-6)


def test_the_day_is_what_the_docstring_says(day: pypsa.Network) -> None:
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
