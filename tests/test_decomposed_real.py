"""Decomposed against monolithic dispatch on the real 2030 network over six winter weeks."""

from __future__ import annotations

import numpy as np
import pytest

from model.dispatch import dispatch
from model.network import build_network
from model.register import load_register
from model.run import scenario_profiles
from model.scenario import load_scenario, with_overrides
from tests.conftest import RUNS

HOURS = 24 * 42


@pytest.fixture(scope="module")
def pair():
    register = load_register()
    base = load_scenario(RUNS / "2030-extreme-dry.yaml")
    scenario = with_overrides(base, **{"dispatch.horizon_hours": HOURS})
    profiles = scenario_profiles(scenario, register)
    solved = {}
    for mode in ("monolithic", "decomposed"):
        n = build_network(scenario, register, profiles)
        result = dispatch(n, with_overrides(scenario, **{"dispatch.mode": mode}).dispatch, scenario.solver)
        solved[mode] = (n, result)
    return solved


def _shed(n) -> float:
    g = n.c.generators.static
    return float(n.c.generators.dynamic.p.loc[:, g.index[g.carrier == "load_shedding"]].sum().sum())


def test_cost_and_unserved_energy_agree(pair):
    (mono, rm), (dec, rd) = pair["monolithic"], pair["decomposed"]
    assert rd.n_windows == 6
    assert rd.objective_cny == pytest.approx(rm.objective_cny, rel=0.01)
    assert abs(_shed(dec) - _shed(mono)) <= max(1.0, 0.01 * _shed(mono))


def test_stitched_reservoirs_are_continuous_and_within_limits(pair):
    dec, _ = pair["decomposed"]
    st = dec.c.stores
    ids = st.static.index[st.static.carrier == "hydro_reservoir"]
    e, p = st.dynamic.e[ids], st.dynamic.p[ids]
    previous = e.shift(1)
    previous.iloc[0] = e.iloc[-1]
    assert np.abs((e - previous + p).to_numpy()).max() < 1e-2
    assert (e <= st.static.e_nom[ids] + 1e-3).all().all()


def test_dr_stays_within_its_caps(pair):
    dec, _ = pair["decomposed"]
    g = dec.c.generators.static
    ids = g.index[g.carrier == "dr"]
    p = dec.c.generators.dynamic.p[ids]
    assert (p.sum() <= g.e_sum_max[ids] + 1e-3).all()
    assert (p.rolling(5).sum().max() <= 4 * g.p_nom[ids] + 1e-3).all()
