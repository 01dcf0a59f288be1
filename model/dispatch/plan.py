"""The seasonal plan: a coarse copy of the network, solved for the rest of the year, re-solved monthly.

The plan decides what the hourly windows cannot see: how much water (and hydrogen) to keep
for the coming months, and how much of each annual budget (DR hours) to keep for later.

- **Resolution.** Each month is cut into periods of about ``dispatch.plan_days`` whole days
  (:func:`model.dispatch.periods.month_parts`, so a month always starts a period) and the
  network is aggregated to them with ``n.cluster.temporal`` (storage stays linked across
  periods, annual budgets keep their meaning through the snapshot weightings). Ramp limits are
  dropped (they do not bind on period means); unit commitment is left to the hourly windows
  (committable units become plain units with no minimum load); each DR generator's
  availability is scaled by ``L/(L+1)``, the most its event cap lets it deliver.
- **Foresight.** The plan's LP is built once, with the realised inflow (``foresight:
  perfect``, and the plan that sets the levels where the year is cut). With ``foresight:
  operator`` the plan does not see the year's inflow: every generator listed in
  ``n.meta["gzgrid"]["expected_inflow_pu"]`` (the reservoir inflows) gets the *expected*
  monthly availability instead (see :mod:`model.network`), and the ecological floors that
  follow the realised inflow are left to the hourly windows. Both are column bounds of the same
  LP (:func:`with_operator_foresight`), so one model serves both.
- **Re-planning.** The first plan covers the whole horizon. At each later month the plan is
  re-solved from that month's first period to the end, starting from the levels the hourly
  dispatch actually reached and with what is left of each budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    variable_columns,
)
from model.dispatch.periods import period_of_hours, period_starts, share_done
from model.dispatch.windows import slice_window, with_budgets, with_targets
from model.errors import SolveError

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
        The aggregated copy of the network (realised inflow).
    lp : LinearProgram
        Its LP, with the foresight the plan has (:func:`with_operator_foresight`).
    period : numpy.ndarray of int
        Plan period of every hourly snapshot.
    budget_rows : numpy.ndarray of int, shape (k, 2)
        Each budget row of the hourly LP beside the same budget's row in the plan LP.
    starts : numpy.ndarray of int
        First hour of every period, and one past the horizon's end.
    """

    network: pypsa.Network
    lp: LinearProgram
    period: np.ndarray
    budget_rows: np.ndarray
    starts: np.ndarray

    @property
    def model(self) -> Any:
        """The plan's linopy model."""
        return self.network.model

    def share_done(self, hour: int) -> tuple[int, float]:
        """The period of hourly snapshot ``hour`` and the share of it done at the hour's end [-]."""
        return share_done(self.period, self.starts, hour)


@dataclass(frozen=True)
class PlanSolution:
    """A plan solved from ``first_period``: values by plan column and duals by plan row (NaN: not solved).

    ``cols`` and ``rows`` are the plan LP's columns and rows that were solved and ``basis`` their
    optimal basis (the next re-plan starts from it). ``x`` also holds the levels the plan started
    from, at the end of the period before ``first_period``.
    """

    first_period: int
    x: np.ndarray
    y: np.ndarray
    objective: float
    seconds: float
    cols: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    basis: Basis | None = None


def plan_network(n: pypsa.Network, days: int, daily_ends: bool = False) -> tuple[pypsa.Network, np.ndarray]:
    """The plan's copy of ``n`` on periods of about ``days`` days, and the plan period of every hour.

    ``daily_ends``: daily periods in the horizon's first and last months
    (:func:`model.dispatch.periods.period_of_hours`). Call it before ``n`` has a linopy model:
    copying a network copies its model too.
    """
    period = period_of_hours(n.snapshots, days, daily_ends)
    first = period_starts(period)[:-1]
    smap = pd.Series(n.snapshots[first][period], index=n.snapshots)
    plan = n.cluster.temporal.get_from_snapshot_map_result(smap).n
    _drop_ramps(plan)
    _without_commitment(plan)
    _scale_dr(plan)
    return plan, period


def build_plan(plan: pypsa.Network, period: np.ndarray, hourly_m: Any, hourly_lp: LinearProgram
               ) -> SeasonalPlan:  # fmt: skip
    """The plan network's LP (realised inflow), with its budget rows matched to the hourly LP's."""
    plan.optimize.create_model(include_objective_constant=False, **model_options(plan))
    add_operating_constraints(plan, plan.snapshots, hourly=False)
    lp = linear_program(plan.model, plan.snapshots)
    if period.max() + 1 != len(plan.snapshots):
        raise SolveError("seasonal plan: the hours do not map onto the plan's periods")
    return SeasonalPlan(plan, lp, period, _match_budgets(hourly_m, hourly_lp, plan.model, lp),
                        period_starts(period))  # fmt: skip


def with_operator_foresight(plan: SeasonalPlan) -> SeasonalPlan:
    """The same plan seeing the expected monthly inflow instead of the realised one.

    Inflow generators are fixed at their expected availability of each period's month; the
    links whose minimum output follows the realised inflow (ecological floors) lose that
    minimum, which the hourly windows keep (against expected inflow it need not be feasible).
    Only column bounds change: the matrix, and so the model, is the plan's own.
    """
    meta = gzgrid_meta(plan.network)
    lp = plan.lp
    col_lo, col_hi = lp.col_lo.copy(), lp.col_hi.copy()
    floors = [k for k in meta.get(INFLOW_FLOOR_KEY, []) if k in plan.network.c.links.static.index]
    if floors and "Link-p" in plan.model.variables:
        cols, names = variable_columns(plan.model, lp, "Link-p")
        at = cols[:, names.get_indexer(floors)]
        col_lo[at[at >= 0]] = 0.0
    expected = meta.get(EXPECTED_INFLOW_KEY, {}) or {}
    gens = plan.network.c.generators.static
    inflow = [g for g in expected if g in gens.index]
    if inflow:
        cols, names = variable_columns(plan.model, lp, "Generator-p")
        month = plan.network.snapshots.month.to_numpy() - 1
        pu = np.column_stack([np.asarray(expected[g], dtype=float)[month] for g in inflow])
        mw = pu * gens.p_nom[inflow].to_numpy()[None, :]
        at = cols[:, names.get_indexer(inflow)]
        ok = at >= 0
        col_lo[at[ok]] = mw[ok]
        col_hi[at[ok]] = mw[ok]
    return replace(plan, lp=replace(lp, col_lo=col_lo, col_hi=col_hi))


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
    end_targets: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
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
    end_targets : (target, below, above), optional
        Soft targets at the end of ``last_period - 1`` instead: each level's target [MWh] (NaN:
        free) and the price of each MWh below and above it [CNY/MWh] (a plan of a stretch whose
        later months another plan values). Not with ``end_levels``.
    """
    lp = plan.lp
    n_periods = levels.plan.shape[0] if levels.plan.size else int(lp.col_pos.max()) + 1
    last = n_periods if last_period is None else int(last_period)
    known = np.full(len(lp.col_pos), np.nan)
    if first_period > 0 and levels.plan.size:
        known[levels.plan[first_period - 1]] = start_levels
    win = slice_window(lp, first_period, last, known)
    win = with_budgets(win, lp, plan.budget_rows[:, 1], budget_left[:, 0], budget_left[:, 1], last)
    if levels.plan.size and last < n_periods and end_targets is not None:
        target, below, above = end_targets
        ok = np.isfinite(target)
        win = with_targets(win, levels.plan[last - 1, ok], target[ok], below[ok], above[ok])
    elif levels.plan.size and last < n_periods and end_levels is not None:
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
    x = np.where(np.isfinite(known), known, np.nan)  # the start levels, for interpolating to them
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
        f"seasonal plan from {start:%Y-%m-%d} ended '{sol.condition}'"
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
