"""Dispatch: solver failures, and decomposed against monolithic on a seasonal network.

The behaviour of each asset class on tiny hand-worked networks is in test_network_pieces.py.
Measured on the 8-week network below (perfect foresight, so both modes see the same inflow):
decomposed costs 0.02 % more than monolithic and sheds the same energy.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pypsa
import pytest

from model.dispatch import DispatchResult, dispatch, solve_monolithic
from model.errors import SolveError
from model.scenario import DispatchOptions, SolverOptions

MONO = DispatchOptions(mode="monolithic")
SOLVER = SolverOptions(time_limit_s=600)

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)


def one_bus(hours: int, load) -> pypsa.Network:
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-01-01", periods=hours, freq="h"))
    n.add("Bus", "b", carrier="AC")
    n.add("Load", "load", bus="b", p_set=pd.Series(np.asarray(load, dtype=float), index=n.snapshots))
    return n


def shed(n: pypsa.Network, voll: float = 10_000.0) -> None:
    n.add("Generator", "shed", bus="b", p_nom=1e4, marginal_cost=voll, carrier="load_shedding")


def gen(n: pypsa.Network, carrier: str) -> pd.DataFrame:
    g = n.c.generators
    return g.dynamic.p.loc[:, g.static.carrier == carrier]


def test_infeasible_names_constraints() -> None:
    n = one_bus(3, [10, 10, 10])
    n.add("Generator", "coal_bijie", bus="b", p_nom=100, p_min_pu=0.5, marginal_cost=10, carrier="coal")
    n.add("Generator", "sink", bus="b", p_nom=100, p_max_pu=0, p_min_pu=0, marginal_cost=0)
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


def seasonal_network(hours: int, committed: bool = False) -> pypsa.Network:
    """Two buses; a big reservoir with seasonal inflow, solar, winter-peak load, battery, DR, shedding.

    ``committed``: the coal units are committed (linearised unit commitment, start-up costs,
    minimum up and down times), as gzgrid commits coal.
    """
    sns = pd.date_range("2030-01-01", periods=hours, freq="h")
    t = np.arange(hours)
    doy, hod = t / 24.0, t % 24
    n = pypsa.Network()
    n.set_snapshots(sns)
    n.add("Bus", ["a", "c"], carrier="AC")
    load = 1000 * (1 + 0.25 * np.cos(2 * np.pi * doy / 56)) * (1 + 0.2 * np.exp(-((hod - 19) ** 2) / 6))
    n.add("Load", ["load_a", "load_c"], bus=["a", "c"],
          p_set=pd.DataFrame({"load_a": load, "load_c": 0.5 * load}, index=sns))  # fmt: skip
    n.add("Generator", ["coal_a", "coal_c"], bus=["a", "c"], p_nom=[900, 500], marginal_cost=[300, 330],
          p_min_pu=0.3, ramp_limit_up=0.3, ramp_limit_down=0.3, carrier="coal", committable=committed,
          start_up_cost=[900 * 1050, 500 * 1050] if committed else 0.0, min_up_time=8 if committed else 0,
          min_down_time=8 if committed else 0, up_time_before=8 if committed else 1)  # fmt: skip
    sun = np.clip(np.sin(np.pi * (hod - 6) / 12), 0, None)
    n.add("Generator", "solar_c", bus="c", p_nom=700, p_max_pu=pd.Series(sun, sns), carrier="solar")
    n.add("Line", "ac", bus0="a", bus1="c", s_nom=400, x=0.1, r=0.01)
    n.add("StorageUnit", "bat_a", bus="a", p_nom=100, max_hours=4, efficiency_store=0.92,
          efficiency_dispatch=0.92, cyclic_state_of_charge=True, carrier="battery")  # fmt: skip
    n.add("Bus", "res_water", carrier="hydro_reservoir")
    inflow = 300 * (1 - 0.8 * np.cos(2 * np.pi * doy / 56))
    pu = pd.Series(inflow / inflow.max(), sns)
    n.add("Generator", "res_inflow", bus="res_water", p_nom=inflow.max(), p_max_pu=pu, p_min_pu=pu,
          carrier="hydro_inflow")  # fmt: skip
    n.add(
        "Store", "res_store", bus="res_water", e_nom=300 * 24 * 20, e_cyclic=True, carrier="hydro_reservoir"
    )
    n.add("Link", "res_turbine", bus0="res_water", bus1="a", p_nom=500, efficiency=0.9, carrier="hydro")
    n.add("Link", "res_spill", bus0="res_water", bus1="a", p_nom=1e4, efficiency=0.0, carrier="spill")
    n.add("Generator", ["dr_a", "dr_c"], bus=["a", "c"], p_nom=[80, 40], marginal_cost=2000, carrier="dr",
          e_sum_max=np.array([80, 40]) * 30)  # fmt: skip
    n.meta["gzgrid"] = {"dr_event_hours": {"dr_a": 3, "dr_c": 3}}
    n.add(
        "Generator",
        ["shed_a", "shed_c"],
        bus=["a", "c"],
        p_nom=1e4,
        marginal_cost=10_000,
        carrier="load_shedding",
    )
    return n


def unserved(n: pypsa.Network) -> float:
    return float(gen(n, "load_shedding").sum().sum())


def bus_balance_residual(n: pypsa.Network) -> float:
    """Largest |injections - withdrawals| at any bus and hour [MW], from the stitched results."""
    bal = pd.DataFrame(0.0, index=n.snapshots, columns=n.buses.index)
    for c, attr, sign in [
        ("generators", "p", 1),
        ("loads", "p", -1),
        ("storage_units", "p", 1),
        ("stores", "p", 1),
    ]:
        comp = getattr(n.c, c)
        if comp.static.empty:
            continue
        bal = bal.add(comp.dynamic[attr].T.groupby(comp.static.bus).sum().T.mul(sign), fill_value=0)
    for c in ("links", "lines"):
        comp = getattr(n.c, c)
        if comp.static.empty:
            continue
        for port in [k for k in ("0", "1", "2") if f"bus{k}" in comp.static and f"p{k}" in comp.dynamic]:
            buses = comp.static[f"bus{port}"]
            flows = comp.dynamic[f"p{port}"]
            flows = flows.loc[:, buses[flows.columns] != ""]
            bal = bal.sub(flows.T.groupby(buses[flows.columns]).sum().T, fill_value=0)
    return float(bal.abs().max().max())


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
    assert rd.objective_cny == pytest.approx(rm.objective_cny, rel=0.01)
    assert abs(unserved(dec) - unserved(mono)) <= max(1.0, 0.01 * unserved(mono))
    # DR within its annual budget and event cap
    dr = gen(dec, "dr")
    assert (dr.sum() <= dec.c.generators.static.e_sum_max[dr.columns] + 1e-3).all()
    assert (dr.rolling(4).sum().max() <= 3 * dec.c.generators.static.p_nom[dr.columns] + 1e-3).all()
    # the stitched network closes the energy balance everywhere, and the store trajectory is
    # continuous, also from the last hour back to the first (the reservoir is cyclic)
    assert bus_balance_residual(dec) < 1e-3
    st = dec.c.stores.dynamic
    cont = (
        st.e["res_store"]
        - st.e["res_store"].shift(1, fill_value=st.e["res_store"].iloc[-1])
        + st.p["res_store"]
    )
    assert cont.abs().max() < 1e-3
    assert dec.objective == pytest.approx(rd.objective_cny)
    assert rd.diagnostics["pin_miss_mwh"] < 1e-3


def test_decomposed_matches_monolithic_with_unit_commitment():
    # eight weeks, coal committed: the windows carry commitment, start-ups and up/down times
    hours = 24 * 56
    mono, dec = seasonal_network(hours, committed=True), seasonal_network(hours, committed=True)
    rm = dispatch(mono, MONO, SOLVER)
    rd = dispatch(dec, DispatchOptions(mode="decomposed", foresight="perfect"), SOLVER)
    assert rd.objective_cny == pytest.approx(rm.objective_cny, rel=0.01)
    assert abs(unserved(dec) - unserved(mono)) <= max(1.0, 0.01 * unserved(mono))
    assert bus_balance_residual(dec) < 1e-3
    # committed units never run below their minimum load in the stitched result
    status = dec.c.generators.dynamic.status[["coal_a", "coal_c"]]
    p = gen(dec, "coal")
    assert (p >= status * 0.3 * dec.c.generators.static.p_nom[p.columns] - 1e-3).all().all()
    assert (dec.c.generators.dynamic.start_up[["coal_a", "coal_c"]].sum() > 0).any(), "no start-up at all"
