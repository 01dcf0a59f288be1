"""Dispatch: solver failures, and decomposed against monolithic on a seasonal network.

The behaviour of each asset class on tiny hand-worked networks is in test_network_pieces.py.
Measured on the 8-week seasonal network of conftest (perfect foresight, so both modes see the
same inflow): decomposed costs 0.02 % more than monolithic and sheds the same energy. The
tolerances are DESIGN.md's: system cost within 1 %, unserved energy within 1 % (or 1 MWh), the
same reliability verdict.
"""

from __future__ import annotations

import logging

import pypsa
import pytest

from model.dispatch import DispatchResult, dispatch, solve_monolithic
from model.errors import SolveError
from model.reliability import loss_of_load_hours, verdict
from model.scenario import DispatchOptions, SolverOptions
from tests.conftest import bus_balance, generation, one_bus, seasonal_network, unserved_mwh

MONO = DispatchOptions(mode="monolithic")
SOLVER = SolverOptions(time_limit_s=600)

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)


def operating_cost(n: pypsa.Network) -> float:
    """The system cost of the dispatch written into ``n`` [CNY], from its hourly values alone:
    each generator's marginal cost x output x hours, plus start-up cost x start-ups. (The
    seasonal network has no other costs; the callers check that.)"""
    g = n.c.generators
    mc = n.get_switchable_as_dense("Generator", "marginal_cost")
    cost = float((g.dynamic.p * mc).mul(n.snapshot_weightings.objective, axis=0).to_numpy().sum())
    starts = g.dynamic.start_up
    if not starts.empty:
        cost += float((starts * g.static.start_up_cost[starts.columns]).to_numpy().sum())
    return cost


def no_other_costs(n: pypsa.Network) -> bool:
    c = n.c
    return bool(
        (c.storage_units.static.marginal_cost == 0).all()
        and (c.links.static.marginal_cost == 0).all()
        and (c.stores.static.marginal_cost == 0).all()
        and (c.generators.static.shut_down_cost == 0).all()
    )


def assert_modes_agree(mono: pypsa.Network, rm: DispatchResult, dec: pypsa.Network, rd: DispatchResult):
    """DESIGN.md's agreement: cost within 1 %, unserved energy within 1 % (or 1 MWh), same verdict;
    and each reported cost is the cost of the dispatch written into its network."""
    assert no_other_costs(dec)
    assert rm.objective_cny == pytest.approx(operating_cost(mono), rel=1e-6)
    assert rd.objective_cny == pytest.approx(operating_cost(dec), rel=1e-6)
    assert rd.objective_cny == pytest.approx(rm.objective_cny, rel=0.01)
    assert abs(unserved_mwh(dec) - unserved_mwh(mono)) <= max(1.0, 0.01 * unserved_mwh(mono))
    hours = len(dec.snapshots)
    lole = [loss_of_load_hours(generation(x, "load_shedding").sum(axis=1).to_numpy()) for x in (mono, dec)]
    assert verdict(lole[0], 2.4, hours) == verdict(lole[1], 2.4, hours)
    # the stitched network closes the energy balance at every bus and hour
    balance = bus_balance(dec)
    assert set(balance.columns) == set(dec.buses.index)
    assert balance.abs().to_numpy().max() < 1e-3


def test_infeasible_names_constraints() -> None:
    n = one_bus(3, [10, 10, 10])
    n.add("Generator", "coal_bijie", bus="a", p_nom=100, p_min_pu=0.5, marginal_cost=10, carrier="coal")
    n.add("Generator", "sink", bus="a", p_nom=100, p_max_pu=0, p_min_pu=0, marginal_cost=0)
    with pytest.raises(SolveError) as err:
        dispatch(n, MONO, SOLVER)
    msg = str(err.value)
    assert "infeasible" in msg
    assert "coal_bijie" in msg and "2030-01-01" in msg
    assert len(msg.splitlines()) <= 13


def test_time_limit_is_an_error_not_a_solution() -> None:
    n = seasonal_network(24 * 28)
    with pytest.raises(SolveError, match="time limit"):
        solve_monolithic(n, SolverOptions(time_limit_s=1e-4))


# ----------------------------------------------------------------------------------------------
# decomposed vs monolithic


@pytest.fixture(scope="module")
def solved_pair() -> tuple[pypsa.Network, DispatchResult, pypsa.Network, DispatchResult]:
    hours = 24 * 56
    mono, dec = seasonal_network(hours), seasonal_network(hours)
    rm = dispatch(mono, MONO, SOLVER)
    options = DispatchOptions(mode="decomposed", window_days=7, overlap_days=1, foresight="perfect")
    rd = dispatch(dec, options, SOLVER)
    return mono, rm, dec, rd


def test_decomposed_matches_monolithic_on_a_seasonal_network(solved_pair) -> None:
    mono, rm, dec, rd = solved_pair
    assert rd.n_windows == 8
    assert_modes_agree(mono, rm, dec, rd)
    # DR within its annual budget and event cap
    dr = generation(dec, "dr")
    assert (dr.sum() <= dec.c.generators.static.e_sum_max[dr.columns] + 1e-3).all()
    assert (dr.rolling(4).sum().max() <= 3 * dec.c.generators.static.p_nom[dr.columns] + 1e-3).all()
    # the stitched store trajectory is continuous, also from the last hour back to the first
    # (the reservoir is cyclic)
    st = dec.c.stores.dynamic
    cont = (
        st.e["res_store"]
        - st.e["res_store"].shift(1, fill_value=st.e["res_store"].iloc[-1])
        + st.p["res_store"]
    )
    assert cont.abs().max() < 1e-3
    assert rd.diagnostics["pin_miss_mwh"] < 1e-3


def test_decomposed_matches_monolithic_with_unit_commitment():
    # eight weeks, coal committed: the windows carry commitment, start-ups and up/down times
    hours = 24 * 56
    mono, dec = seasonal_network(hours, committed=True), seasonal_network(hours, committed=True)
    rm = dispatch(mono, MONO, SOLVER)
    rd = dispatch(dec, DispatchOptions(mode="decomposed", foresight="perfect"), SOLVER)
    assert_modes_agree(mono, rm, dec, rd)
    # committed units never run below their minimum load in the stitched result
    status = dec.c.generators.dynamic.status[["coal_a", "coal_c"]]
    p = generation(dec, "coal")
    assert (p >= status * 0.3 * dec.c.generators.static.p_nom[p.columns] - 1e-3).all().all()
    assert (dec.c.generators.dynamic.start_up[["coal_a", "coal_c"]].sum() > 0).any(), "no start-up at all"


@pytest.fixture(scope="module")
def split_pair() -> dict[int, tuple[pypsa.Network, DispatchResult]]:
    """The committed seasonal network cut at 1 February into two parts, solved by one worker and by two."""
    out = {}
    for workers in (1, 2):
        n = seasonal_network(24 * 56, committed=True)
        options = DispatchOptions(mode="decomposed", split_month=2, workers=workers)
        out[workers] = (n, dispatch(n, options, SOLVER))
    return out


def test_split_year_matches_monolithic_and_stays_continuous(split_pair):
    dec, rd = split_pair[2]
    assert rd.diagnostics["segments"] == 2
    mono = seasonal_network(24 * 56, committed=True)
    assert_modes_agree(mono, dispatch(mono, MONO, SOLVER), dec, rd)
    # the second part starts exactly where the first ends: the reservoir and the battery run on
    st, su = dec.c.stores.dynamic, dec.c.storage_units.dynamic
    e = st.e["res_store"]
    step = e - e.shift(1, fill_value=e.iloc[-1]) + st.p["res_store"]
    assert step.abs().max() < 1e-3
    soc = su.state_of_charge["bat_a"]
    eta = dec.c.storage_units.static.loc["bat_a", ["efficiency_store", "efficiency_dispatch"]]
    flow = su.p_store["bat_a"] * eta.iloc[0] - su.p_dispatch["bat_a"] / eta.iloc[1]
    assert (soc - soc.shift(1, fill_value=soc.iloc[-1]) - flow).abs().max() < 1e-3
    assert rd.diagnostics["pin_miss_mwh"] < 1e-3


def test_split_year_is_the_same_with_one_worker_or_two(split_pair):
    (one, r1), (two, r2) = split_pair[1], split_pair[2]
    assert r1.objective_cny == r2.objective_cny
    assert one.c.generators.dynamic.p.equals(two.c.generators.dynamic.p)
    assert one.c.stores.dynamic.e.equals(two.c.stores.dynamic.e)


def test_a_missed_cut_is_solved_again_from_where_the_first_part_ended(split_pair):
    """Re-solving the second part from the first part's end (what a missed cut triggers) keeps the
    stitched year continuous; where the cut was met, it gives the same year."""
    n = seasonal_network(24 * 56, committed=True)
    # a tolerance of 0 re-solves even a cut met within the solver's tolerance
    options = DispatchOptions(mode="decomposed", split_month=2, workers=2, cut_resolve_mwh=0.0)
    rd = dispatch(n, options, SOLVER)
    assert rd.diagnostics["resolved_second"] == 1.0 and "resolve" in rd.timings
    e = n.c.stores.dynamic.e["res_store"]
    step = e - e.shift(1, fill_value=e.iloc[-1]) + n.c.stores.dynamic.p["res_store"]
    assert step.abs().max() < 1e-3
    _, met = split_pair[2]
    assert rd.objective_cny == pytest.approx(met.objective_cny, rel=1e-6)
