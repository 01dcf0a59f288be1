"""Each asset class of model.network on a tiny network whose answer is worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.network import (
    add_demand_response,
    add_exports,
    add_hydro,
    add_load_shedding,
    add_storage,
    ecological_floor,
)
from tests.conftest import VOLL, hydro_stations, one_bus, solve, station


def _gen(n, name):
    return n.c.generators.dynamic.p[name]


def test_merit_order_and_price():
    n = one_bus(3, 100.0)
    n.add("Generator", "cheap", bus="a", p_nom=60, marginal_cost=10)
    n.add("Generator", "dear", bus="a", p_nom=100, marginal_cost=50)
    solve(n)
    assert np.allclose(_gen(n, "cheap"), 60)
    assert np.allclose(_gen(n, "dear"), 40)
    assert np.allclose(n.c.buses.dynamic.marginal_price["a"], 50)


def _battery(p_nom: float, hours: float, round_trip: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(
        {
            "id": ["bat"],
            "bus": ["a"],
            "carrier": ["battery"],
            "max_hours": [hours],
            "efficiency_round_trip": [round_trip],
        }
    ), pd.DataFrame({"p_nom_mw": [p_nom]}, index=["bat"])


@pytest.mark.parametrize(("dear_cost", "cycles"), [(100.0, True), (12.0, False)])
def test_storage_arbitrage_pays_its_losses(dear_cost, cycles):
    n = one_bus(4, 10.0)
    avail = pd.Series([1, 1, 0, 0], index=n.snapshots, dtype=float)
    n.add("Generator", "cheap", bus="a", p_nom=30, marginal_cost=10, p_max_pu=avail)
    n.add("Generator", "dear", bus="a", p_nom=30, marginal_cost=dear_cost)
    add_storage(n, *_battery(10, 2, 0.81))
    solve(n)
    out = n.c.storage_units.dynamic.p_dispatch["bat"].sum()
    if cycles:
        # 2 h x 10 MW charged, x 0.9 into store, x 0.9 back out = 16.2 MWh
        assert out == pytest.approx(16.2, abs=1e-4)
        assert _gen(n, "dear").sum() == pytest.approx(20 - 16.2, abs=1e-4)
    else:  # 10 / 0.81 = 12.35 CNY/MWh > 12: cycling does not pay
        assert out == pytest.approx(0, abs=1e-6)


def test_reservoir_inflow_and_spill():
    n = one_bus(4, 5.0)
    hydro = hydro_stations([station("s", p_nom_mw=5.0, reservoir_mwh=10.0)])
    inflow = pd.DataFrame({"s": 20.0}, index=n.snapshots)
    add_hydro(n, hydro, inflow, pd.DataFrame({"a": 0.0}, index=n.snapshots))
    add_load_shedding(n, pd.Series({"a": 5.0}), VOLL)
    solve(n)
    links = n.c.links.dynamic
    assert np.allclose(-links.p1["s turbine"], 5.0)
    # 80 MWh in, 20 out through the turbine, the level is cyclic: 60 spilled
    assert links.p0["s spill"].sum() == pytest.approx(60.0, abs=1e-4)
    e = n.c.stores.dynamic.e["s reservoir"]
    assert e.max() <= 10.0 + 1e-6


def test_cascade_passes_water_down():
    n = one_bus(4, 20.0)
    hydro = hydro_stations(
        [
            station("up", downstream="down", head_ratio=0.5, p_nom_mw=10.0),
            station("down", cascade_order=2, upstream="up", p_nom_mw=100.0, head_m=50.0),
        ]
    )
    inflow = pd.DataFrame({"up": 10.0, "down": 0.0}, index=n.snapshots)
    add_hydro(n, hydro, inflow, pd.DataFrame({"a": 0.0}, index=n.snapshots))
    add_load_shedding(n, pd.Series({"a": 20.0}), VOLL)
    solve(n)
    p1 = n.c.links.dynamic.p1
    assert np.allclose(-p1["up turbine"], 10.0)
    assert np.allclose(-p1["down turbine"], 5.0)  # half the head: half the energy
    assert np.allclose(_gen(n, "shed_a"), 5.0)


def test_ecological_floor_never_exceeds_arriving_water():
    idx = pd.RangeIndex(3)
    hydro = hydro_stations(
        [
            station("up", downstream="down", head_ratio=0.5, eco_min_pu=0.5),
            station("down", cascade_order=2, upstream="up", eco_min_pu=0.5, head_m=50.0),
        ]
    )
    inflow = pd.DataFrame({"up": [10.0, 0.0, 20.0], "down": [0.0, 0.0, 2.0]}, index=idx)
    floor = ecological_floor(hydro, inflow)
    assert np.allclose(floor["up"], [5.0, 0.0, 5.0])  # 0.5 x mean 10, capped by inflow
    # mean natural inflow down = 2/3 local + 0.5 x 10 from upstream; half of it is 17/6,
    # capped by what arrives: local + 0.5 x the upstream floor
    assert np.allclose(floor["down"], [2.5, 0.0, 17 / 6])


def test_dr_only_after_storage_and_within_its_caps():
    load = 100.0
    n = one_bus(8, load)
    avail = pd.Series([1.1] * 2 + [0.9] * 6, index=n.snapshots)
    n.add("Generator", "coal", bus="a", p_nom=100, p_max_pu=avail, marginal_cost=300)
    add_storage(n, *_battery(5, 2, 1.0))
    add_demand_response(n, pd.Series({"a": 10.0}), cost=2000, hours_per_year=3, hours_per_event=2)
    add_load_shedding(n, pd.Series({"a": load}), VOLL)
    solve(n)
    dr = _gen(n, "dr_a")
    assert n.c.storage_units.dynamic.p_dispatch["bat"].sum() == pytest.approx(10.0, abs=1e-4)
    assert dr.sum() == pytest.approx(30.0, abs=1e-4)  # 3 h a year x 10 MW
    assert dr.rolling(3).sum().max() <= 20.0 + 1e-6  # at most 2 h in any 3
    # 6 h x 10 MW short; battery 10, DR 30: the rest is shed
    assert _gen(n, "shed_a").sum() == pytest.approx(20.0, abs=1e-4)


def test_export_is_cut_before_domestic_load():
    n = one_bus(3, 80.0)
    n.add("Bus", "guangdong", carrier="AC")
    n.add("Generator", "coal", bus="a", p_nom=100, marginal_cost=300)
    n.add("Link", "export", bus0="a", bus1="guangdong", p_nom=50, efficiency=1.0, carrier="export")
    add_exports(n, pd.Series(40.0, index=n.snapshots), penalty=3000)
    add_load_shedding(n, pd.Series({"a": 80.0}), VOLL)
    solve(n)
    assert np.allclose(_gen(n, "export cut"), 20.0)
    assert np.allclose(_gen(n, "shed_a"), 0.0)


def test_unserved_energy_is_the_unavoidable_shortfall():
    n = one_bus(3, 80.0)
    n.add("Generator", "coal", bus="a", p_nom=50, marginal_cost=300)
    add_load_shedding(n, pd.Series({"a": 80.0}), VOLL)
    solve(n)
    assert _gen(n, "shed_a").sum() == pytest.approx(90.0)
