"""Reservoirs as operators run them: flood ceiling, guide band, start and end levels, foresight.

Tiny networks whose answers are worked out by hand, and the seasonal plan's foresight: what a
month decides must not depend on inflow that has not arrived yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest

from model.dispatch import dispatch
from model.network import add_hydro
from model.network.grid import add_load_shedding
from model.reservoirs import cascade_factor, rule_curves, usable_energy_mwh
from model.scenario import DispatchOptions, SolverOptions
from tests.conftest import VOLL, hydro_stations, one_bus, seasonal_network, solve, station


def _rules(ceiling: float, lower: float, upper: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"date": ["01-01", "07-01"], "ceiling": ceiling, "lower_guide": lower, "upper_guide": upper}
    )


def test_usable_energy_and_cascade_factor():
    # 31e8 m3 at 186 m (Goupitan): rho g V h x 0.9 = 1.414 TWh
    assert usable_energy_mwh(np.array([31.0]), np.array([186.0]))[0] == pytest.approx(1.4141e6, rel=1e-3)
    hydro = pd.DataFrame({"downstream": ["b", ""], "head_m": [100.0, 50.0]}, index=["a", "b"])
    assert cascade_factor(hydro).to_dict() == {"a": 1.5, "b": 1.0}


def test_rule_curves_interpolate_and_wrap_over_new_year():
    rules = pd.DataFrame(
        {"date": ["03-01", "11-01"], "ceiling": [1.0, 1.0], "lower_guide": [0.2, 0.8], "upper_guide": 1.0}
    )
    t = pd.DatetimeIndex(["2030-03-01", "2030-07-01", "2030-11-01", "2030-12-31"])
    lower = rule_curves(rules, t).lower_guide.to_numpy()
    assert lower[0] == pytest.approx(0.2) and lower[2] == pytest.approx(0.8)
    assert lower[1] == pytest.approx(0.2 + 0.6 * 122 / 245)  # 1 Mar -> 1 Nov is 245 days
    assert 0.2 < lower[3] < 0.8  # drawdown from November over New Year to March


def test_flood_ceiling_forces_spill_worked_by_hand():
    # 48 h from 1 June: 50 MW inflow for a day, a 5 MW turbine serving 5 MW of load all along.
    # 1,200 MWh come in, the turbine takes 120 in the first day and 120 in the second, so without
    # a ceiling nothing would spill (the store holds 1,000 MWh). The flood ceiling (85 %) keeps
    # 150 MWh empty: the store peaks at 850 and 1,200 - 120 - 850 = 230 MWh are spilled.
    n = one_bus(48, 5.0, start="2030-06-01")
    hydro = hydro_stations([station("s", p_nom_mw=5.0, reservoir_mwh=1000.0)])
    inflow = pd.DataFrame({"s": np.r_[np.full(24, 50.0), np.zeros(24)]}, index=n.snapshots)
    add_hydro(n, hydro, inflow, pd.DataFrame({"a": 0.0}, index=n.snapshots), _rules(0.85, 0.0, 0.85))
    add_load_shedding(n, pd.Series({"a": 5.0}), VOLL)
    solve(n)
    e = n.c.stores.dynamic.e["s reservoir"]
    assert e.max() == pytest.approx(850.0, abs=1e-3)
    assert n.c.links.dynamic.p0["s spill"].sum() == pytest.approx(230.0, abs=1e-3)
    assert n.c.generators.dynamic.p["shed_a"].sum() == pytest.approx(0.0, abs=1e-6)
    assert e.iloc[-1] == pytest.approx(850.0 - 120.0, abs=1e-3)


@pytest.mark.parametrize(("coal_cost", "draws_down"), [(300.0, False), (20_000.0, True)])
def test_guide_band_holds_water_unless_a_shortage_follows(coal_cost, draws_down):
    # A reservoir on its lower guide (half full), no inflow, 5 MW of load for a day that coal or
    # the turbine can serve. Below the guide each MWh costs the band's price every hour, and an
    # end below the start costs the terminal price: against coal at 300 CNY/MWh the water stays;
    # against lost load (dearer than coal here) it is used.
    n = one_bus(24, 5.0, start="2030-06-01")
    hydro = hydro_stations([station("s", p_nom_mw=5.0, reservoir_mwh=1000.0)])
    inflow = pd.DataFrame({"s": 0.0}, index=n.snapshots)
    add_hydro(n, hydro, inflow, pd.DataFrame({"a": 0.0}, index=n.snapshots), _rules(1.0, 0.5, 0.9))
    n.add("Generator", "coal", bus="a", p_nom=5.0, marginal_cost=coal_cost, carrier="coal")
    add_load_shedding(n, pd.Series({"a": 5.0}), VOLL)
    solve(n)
    e = n.c.stores.dynamic.e["s reservoir"]
    assert n.c.stores.static.e_initial["s reservoir"] == pytest.approx(500.0)
    if draws_down:
        assert e.iloc[-1] == pytest.approx(500.0 - 120.0, abs=1e-3)
    else:
        assert e.min() == pytest.approx(500.0, abs=1e-3)
        assert n.c.generators.dynamic.p["coal"].sum() == pytest.approx(120.0, abs=1e-3)


def _with_expected_inflow(n: pypsa.Network, feb_scale: float) -> pypsa.Network:
    """The seasonal test network with an expected monthly inflow, and February's inflow scaled
    from 3 February on (beyond January's last look-ahead day)."""
    gens = n.c.generators
    pu = gens.dynamic.p_max_pu["res_inflow"].copy()
    later = pu.index >= "2030-02-03"
    pu[later] = np.minimum(pu[later] * feb_scale, 1.0)
    gens.dynamic.p_max_pu["res_inflow"] = pu
    gens.dynamic.p_min_pu["res_inflow"] = pu
    n.meta["gzgrid"]["expected_inflow_pu"] = {"res_inflow": [0.5] * 12}
    return n


@pytest.mark.parametrize(("foresight", "same_january"), [("operator", True), ("perfect", False)])
def test_the_plan_does_not_see_next_months_inflow(foresight, same_january):
    runs = []
    for scale in (1.0, 0.2):
        n = _with_expected_inflow(seasonal_network(24 * 56), scale)
        options = DispatchOptions(mode="decomposed", window_days=7, overlap_days=1, foresight=foresight)
        dispatch(n, options, SolverOptions())
        runs.append(n)
    january = runs[0].snapshots < "2030-02-01"
    a = runs[0].c.links.dynamic.p0.loc[january, "res_turbine"].to_numpy()
    b = runs[1].c.links.dynamic.p0.loc[january, "res_turbine"].to_numpy()
    assert np.allclose(a, b, atol=1e-6) == same_january
