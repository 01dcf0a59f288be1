"""The seasonal plan: its periods, its foresight as bounds of one LP, and what the windows read from it."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from model.dispatch import dispatch
from model.dispatch.constraints import add_operating_constraints
from model.dispatch.highs import model_options
from model.dispatch.matrices import linear_program
from model.dispatch.periods import month_parts, period_of_hours, period_starts, share_done
from model.dispatch.plan import (
    EXPECTED_INFLOW_KEY,
    INFLOW_FLOOR_KEY,
    build_plan,
    plan_network,
    with_operator_foresight,
)
from model.scenario import DispatchOptions, SolverOptions
from tests.conftest import generation, seasonal_network


def test_months_are_cut_at_midnights_into_near_equal_parts():
    sns = pd.date_range("2030-01-01", "2030-03-31 23:00", freq="h")
    parts = month_parts(sns, 3)
    assert [len(p) for p in parts] == [10, 9, 10]  # round(31/3), round(28/3), round(31/3)
    flat = [x for month in parts for x in month]
    assert flat[0][0] == 0 and flat[-1][1] == len(sns)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(flat))  # contiguous
    assert all(sns[s].hour == 0 for s, _ in flat)
    for month in parts:
        days = {(e - s) // 24 for s, e in month}
        assert max(days) - min(days) <= 1
    # no part crosses a month
    assert all(sns[s].month == sns[e - 1].month for s, e in flat)


def test_a_horizon_of_some_days_of_a_month_is_cut_by_the_days_it_holds():
    sns = pd.date_range("2030-01-08", periods=24 * 7, freq="h")
    assert month_parts(sns, 2) == [[(0, 48), (48, 96), (96, 120), (120, 168)]]


def test_share_of_a_period_done_at_the_end_of_an_hour():
    period = period_of_hours(pd.date_range("2030-01-01", periods=24 * 31, freq="h"), 2)
    starts = period_starts(period)
    assert starts[-1] == 24 * 31 and len(starts) == period.max() + 2
    assert share_done(period, starts, 23) == (0, 0.5)
    assert share_done(period, starts, 47) == (0, 1.0)
    p, done = share_done(period, starts, 24 * 31 - 1)
    assert p == period.max() and done == 1.0


def _with_operator_data(n):
    """The seasonal network with an expected inflow and an ecological floor on the turbine."""
    pu = n.c.generators.dynamic.p_max_pu["res_inflow"]
    n.c.links.dynamic.p_min_pu = pd.DataFrame({"res_turbine": 0.2 * pu}, index=n.snapshots)
    n.meta["gzgrid"][EXPECTED_INFLOW_KEY] = {"res_inflow": [0.5 + 0.01 * m for m in range(12)]}
    n.meta["gzgrid"][INFLOW_FLOOR_KEY] = ["res_turbine"]
    return n


def _plan_lp(n, days):
    plan_n, period = plan_network(n, days)
    n.optimize.create_model(include_objective_constant=False, **model_options(n))
    add_operating_constraints(n, n.snapshots, hourly=True)
    return plan_n, period, linear_program(n.model, n.snapshots)


@pytest.mark.parametrize("days", [1, 3])
def test_operator_foresight_as_bounds_is_the_plan_built_with_expected_inflow(days):
    n = _with_operator_data(seasonal_network(24 * 45))
    plan_n, period, lp = _plan_lp(n, days)
    operator = with_operator_foresight(build_plan(plan_n, period, n.model, lp)).lp
    # the same plan built from a network that carries the expected inflow and no floor
    other = _with_operator_data(seasonal_network(24 * 45))
    other_n, _, other_lp = _plan_lp(other, days)
    month = other_n.snapshots.month.to_numpy() - 1
    expected = np.array(other_n.meta["gzgrid"][EXPECTED_INFLOW_KEY]["res_inflow"])[month]
    gens = other_n.c.generators.dynamic
    gens.p_max_pu["res_inflow"] = expected
    gens.p_min_pu["res_inflow"] = expected
    other_n.c.links.dynamic.p_min_pu = other_n.c.links.dynamic.p_min_pu.drop(columns="res_turbine")
    reference = build_plan(other_n, period, other.model, other_lp).lp
    assert (operator.A != reference.A).nnz == 0
    for key in ("col_lo", "col_hi", "row_lo", "row_hi", "cost"):
        np.testing.assert_allclose(getattr(operator, key), getattr(reference, key), rtol=1e-12)
    # and it is not the realised plan
    realised = build_plan(plan_network(_with_operator_data(seasonal_network(24 * 45)), days)[0], period,
                          n.model, lp).lp  # fmt: skip
    assert not np.allclose(realised.col_hi, operator.col_hi)


@pytest.mark.parametrize("plan_days", [1, 7])
def test_a_coarse_plan_keeps_the_annual_budgets_and_continuity(plan_days):
    n = seasonal_network(24 * 56)
    options = DispatchOptions(mode="decomposed", plan_days=plan_days, foresight="perfect", split_month=0)
    result = dispatch(n, options, SolverOptions())
    dr = generation(n, "dr")
    assert dr.sum().sum() > 0, "the test needs DR to be called"
    assert (dr.sum() <= n.c.generators.static.e_sum_max[dr.columns] + 1e-3).all()
    e = n.c.stores.dynamic.e["res_store"]
    step = e - e.shift(1, fill_value=e.iloc[-1]) + n.c.stores.dynamic.p["res_store"]
    assert step.abs().max() < 1e-3
    assert result.n_windows == 18  # two months of 3-day windows (10 in January, 8 in 25 days of February)
