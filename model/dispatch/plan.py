"""The seasonal plan: a daily copy of the network, solved for the rest of the year, re-solved monthly.

The plan decides what the hourly windows cannot see: how much water (and hydrogen) to keep
for the coming months, and how much of each annual budget (DR hours) to keep for later.

- **Resolution.** ``n.cluster.temporal`` resamples the network to 24-h periods (storage stays
  linked across periods, annual budgets keep their meaning through the snapshot weightings).
  Ramp limits are dropped (they do not bind on daily means); unit commitment is left to the
  hourly windows (committable units become plain units with no minimum load); each DR
  generator's availability is scaled by ``L/(L+1)``, the most its event cap lets it deliver.
- **Foresight.** With ``foresight: operator`` the plan does not see the year's inflow: every
  generator listed in ``n.meta["gzgrid"]["expected_inflow_pu"]`` (the reservoir inflows) gets
  the *expected* monthly availability instead of the realised one (see
  :mod:`model.network`). With ``foresight: perfect`` the plan sees the realised inflow.
- **Re-planning.** The first plan covers the whole horizon. At each later month the plan is
  re-solved from that month's first day to the end, starting from the levels the hourly
  dispatch actually reached and with what is left of each budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pypsa

from model.dispatch.constraints import add_operating_constraints, dr_event_hours, gzgrid_meta
from model.dispatch.highs import Basis, LPSolution, mapped_basis, model_options, solve_matrix_lp
from model.dispatch.levels import StorageLevels
from model.dispatch.matrices import (
    LinearProgram,
    constraint_label,
    label_coords,
    linear_program,
    row_of_label,
)
from model.dispatch.windows import slice_window, with_budgets, with_targets
from model.errors import SolveError

#: Resolution of the seasonal plan.
PLAN_OFFSET = "24h"
#: Meta key of the expected monthly availability of inflow generators (12 values each) [p.u.].
EXPECTED_INFLOW_KEY = "expected_inflow_pu"
#: Meta key of the links whose minimum output follows the realised inflow (ecological floors).
INFLOW_FLOOR_KEY = "inflow_floor_links"


@dataclass(frozen=True)
class SeasonalPlan:
    """The plan's network and LP, the plan period of every hour, and budget rows matched.

    Attributes
    ----------
    network : pypsa.Network
        The daily copy of the network (with the foresight the options ask for).
    lp : LinearProgram
        Its LP.
    period : numpy.ndarray of int
        Plan period of every hourly snapshot.
    budget_rows : numpy.ndarray of int, shape (k, 2)
        Each budget row of the hourly LP beside the same budget's row in the plan LP.
    """

    network: pypsa.Network
    lp: LinearProgram
    period: np.ndarray
    budget_rows: np.ndarray

    @property
    def model(self) -> Any:
        """The plan's linopy model."""
        return self.network.model


@dataclass(frozen=True)
class PlanSolution:
    """A plan solved from ``first_period``: values by plan column and duals by plan row (NaN: not solved).

    ``cols`` and ``rows`` are the plan LP's columns and rows that were solved and ``basis`` their
    optimal basis (the next re-plan starts from it).
    """

    first_period: int
    x: np.ndarray
    y: np.ndarray
    objective: float
    seconds: float
    cols: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    basis: Basis | None = None


def build_plan(n: pypsa.Network, hourly_m: Any, hourly_lp: LinearProgram, foresight: str) -> SeasonalPlan:
    """The daily plan of ``n`` as an LP, with its budget rows matched to the hourly LP's."""
    result = n.cluster.temporal.get_resample_result(PLAN_OFFSET)
    plan = result.n
    _drop_ramps(plan)
    _without_commitment(plan)
    _scale_dr(plan)
    if foresight == "operator":
        _expected_inflow(plan)
    plan.optimize.create_model(include_objective_constant=False, **model_options(plan))
    add_operating_constraints(plan, plan.snapshots, hourly=False)
    lp = linear_program(plan.model, plan.snapshots)
    smap = result.snapshot_map.reindex(n.snapshots)
    period = plan.snapshots.get_indexer(pd.DatetimeIndex(smap.to_numpy()))
    if (period < 0).any():
        raise SolveError("seasonal plan: some hours are not mapped to a plan period")
    return SeasonalPlan(plan, lp, period, _match_budgets(hourly_m, hourly_lp, plan.model, lp))


def _drop_ramps(plan: pypsa.Network) -> None:
    for c in (plan.c.generators, plan.c.links):
        for attr in ("ramp_limit_up", "ramp_limit_down"):
            if attr in c.static:
                c.static[attr] = np.nan
            if attr in c.dynamic and not c.dynamic[attr].empty:
                c.dynamic[attr] = c.dynamic[attr].iloc[:, :0]


def _without_commitment(plan: pypsa.Network) -> None:
    """Committable units (generators and links) become plain ones: no minimum load without commitment."""
    for c in (plan.c.generators, plan.c.links):
        com = c.static.index[c.static.committable]
        if not len(com):
            continue
        c.static.loc[com, "committable"] = False
        c.static.loc[com, "p_min_pu"] = 0.0
        dyn = c.dynamic.p_min_pu
        if not dyn.empty:
            c.dynamic.p_min_pu = dyn.drop(columns=dyn.columns.intersection(com))


def _scale_dr(plan: pypsa.Network) -> None:
    """DR availability times L/(L+1): on daily means, the most its event cap lets it deliver."""
    gens = plan.c.generators
    for g, length in dr_event_hours(plan).items():
        scale = length / (length + 1)
        if g in gens.dynamic.p_max_pu:
            gens.dynamic.p_max_pu[g] *= scale
        else:
            gens.static.loc[g, "p_max_pu"] *= scale


def _expected_inflow(plan: pypsa.Network) -> None:
    """Replace realised inflow by the expected monthly inflow (fixed availability).

    Minimum outputs that follow the realised inflow (ecological floors) are left to the hourly
    windows, where they are always feasible; against expected inflow they need not be.
    """
    floors = [k for k in gzgrid_meta(plan).get(INFLOW_FLOOR_KEY, []) if k in plan.c.links.static.index]
    if floors:
        links = plan.c.links
        links.static.loc[floors, "p_min_pu"] = 0.0
        dyn = links.dynamic.p_min_pu
        if not dyn.empty:
            links.dynamic.p_min_pu = dyn.drop(columns=dyn.columns.intersection(floors))
    expected = gzgrid_meta(plan).get(EXPECTED_INFLOW_KEY, {}) or {}
    gens = plan.c.generators
    names = [g for g in expected if g in gens.static.index]
    if not names:
        return
    month = plan.snapshots.month.to_numpy() - 1
    pu = pd.DataFrame({g: np.asarray(expected[g], dtype=float)[month] for g in names}, index=plan.snapshots)
    for attr in ("p_max_pu", "p_min_pu"):
        dyn = gens.dynamic[attr]
        gens.dynamic[attr] = pd.concat([dyn.drop(columns=dyn.columns.intersection(names)), pu], axis=1)


def _match_budgets(m: Any, lp: LinearProgram, pm: Any, plp: LinearProgram) -> np.ndarray:
    """Pairs (hourly row, plan row) of the same budget constraint."""
    plan_row = row_of_label(plp)
    pairs = []
    for r in lp.budget_rows:
        name, coords = label_coords(m, int(lp.row_label[r]))
        if name is None or name not in pm.constraints:
            continue
        pr = plan_row[constraint_label(pm, name, coords)]
        if pr >= 0:
            pairs.append((r, pr))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def solve_plan(
    plan: SeasonalPlan,
    levels: StorageLevels,
    first_period: int,
    start_levels: np.ndarray,
    budget_left: np.ndarray,
    wrap: np.ndarray,
    penalty: float,
    options: dict[str, Any],
    warm: PlanSolution | None = None,
    last_period: int | None = None,
    end_levels: np.ndarray | None = None,
) -> PlanSolution:
    """Solve the plan from ``first_period`` to ``last_period`` (from ``warm``'s basis if given).

    Parameters
    ----------
    plan : SeasonalPlan
    levels : StorageLevels
    first_period : int
        First plan period solved; 0 solves from the horizon's start (cyclic levels tied as in
        the network).
    start_levels : numpy.ndarray, shape (k,)
        Level of each storage at the end of the period before ``first_period`` [MWh] (unused
        when ``first_period`` is 0).
    budget_left : numpy.ndarray, shape (len(plan.budget_rows), 2)
        Lower and upper bound left of each budget for the periods solved.
    wrap : numpy.ndarray, shape (k,)
        Level each cyclic storage must end the horizon at (NaN where not cyclic) [MWh].
    penalty : float
        Price of missing a pinned level [CNY/MWh].
    options : dict
        HiGHS options.
    warm : PlanSolution, optional
        An earlier solution of the plan: its basis, carried to the periods left, starts the
        simplex. A re-plan is the same LP with new start levels and budgets, so it needs a
        tenth of the iterations of a cold solve.
    last_period : int, optional
        One past the last period solved (default: the horizon's end).
    end_levels : numpy.ndarray, shape (k,), optional
        Levels pinned at the end of ``last_period - 1`` (NaN: free) [MWh]; a plan of part of
        the year ends where the next part starts.
    """
    lp = plan.lp
    n_periods = levels.plan.shape[0] if levels.plan.size else int(lp.col_pos.max()) + 1
    last = n_periods if last_period is None else int(last_period)
    known = np.full(len(lp.col_pos), np.nan)
    if first_period > 0 and levels.plan.size:
        known[levels.plan[first_period - 1]] = start_levels
    win = slice_window(lp, first_period, last, known)
    win = with_budgets(win, lp, plan.budget_rows[:, 1], budget_left[:, 0], budget_left[:, 1], last)
    if levels.plan.size and last < n_periods and end_levels is not None:
        pin = np.isfinite(end_levels)
        cols = levels.plan[last - 1, pin]
        price = np.full(len(cols), penalty)
        win = with_targets(win, cols, end_levels[pin], price, price)
    elif first_period > 0 and levels.plan.size and last == n_periods:
        tie = levels.cyclic & np.isfinite(wrap)
        cols = levels.plan[-1, tie]
        win = with_targets(win, cols, wrap[tie], np.full(len(cols), penalty), np.full(len(cols), penalty))
    start = None
    if warm is not None and warm.basis is not None:
        start = mapped_basis(warm.basis, warm.cols, warm.rows, win.lp, win.cols, win.rows)
    sol = solve_matrix_lp(win.lp, options, start)
    _check(sol, plan, first_period)
    x = np.full(len(lp.col_pos), np.nan)
    y = np.full(len(lp.row_pos), np.nan)
    x[win.cols] = sol.x[: len(win.cols)]
    y[win.rows] = sol.y[: len(win.rows)]
    return PlanSolution(first_period, x, y, float(lp.cost[win.cols] @ x[win.cols]), sol.seconds,
                        win.cols, win.rows, sol.basis)  # fmt: skip


def plan_use(plan: SeasonalPlan, sol: PlanSolution, last_period: int) -> np.ndarray:
    """Each budget's use by a plan in its periods before ``last_period`` [budget units], (k,)."""
    after = planned_use_after(plan, sol)
    return after[:, 0] - after[:, last_period]


def _check(sol: LPSolution, plan: SeasonalPlan, first_period: int) -> None:
    if sol.condition == "optimal":
        return
    start = plan.network.snapshots[first_period]
    raise SolveError(
        f"seasonal plan from {start:%Y-%m-%d} ({PLAN_OFFSET} resolution) ended '{sol.condition}'"
        + ("; raise solver.time_limit_s" if sol.condition == "time_limit" else "")
    )


def planned_use_after(plan: SeasonalPlan, sol: PlanSolution) -> np.ndarray:
    """Budget use the plan keeps for each period onwards, shape (k, P + 1) [budget units].

    Column p is the plan's use of each budget in periods >= p (0 for periods not solved).
    """
    lp = plan.lp
    k = len(plan.budget_rows)
    n_periods = int(lp.col_pos.max()) + 1
    out = np.zeros((k, n_periods + 1))
    if not k:
        return out
    sub = lp.A[plan.budget_rows[:, 1], :].tocoo()
    use = sub.data * np.nan_to_num(sol.x[sub.col])
    per_period = np.zeros((k, n_periods))
    np.add.at(per_period, (sub.row, np.maximum(lp.col_pos[sub.col], 0)), use)
    out[:, :n_periods] = np.cumsum(per_period[:, ::-1], axis=1)[:, ::-1]
    return out
