"""Decomposed dispatch: a seasonal plan re-solved each month, and hourly windows solved in sequence.

How it works
------------
1. **One hourly LP.** The full-horizon hourly model is built once with PyPSA (plus gzgrid's own
   constraints) and turned into matrices (:mod:`model.dispatch.matrices`). Every window is a
   slice of those matrices, so any constraint PyPSA adds (unit commitment, ramps, storage
   balances) is windowed the same way, without rebuilding a model per window.
2. **Plan** (:mod:`model.dispatch.plan`): a daily copy of the network with the foresight the
   options allow, solved for the whole horizon and then again at the start of each month from
   the levels actually reached.
3. **Windows, in sequence.** Each month is cut into windows of about ``window_days`` days
   (cores start at midnight) plus ``overlap_days`` of look-ahead. A window starts exactly where
   the previous one ended: every row that reaches back before the window (storage balances,
   ramps, start-ups, minimum up and down times, DR event sums) takes those hours' values from
   the dispatch already made. So storage, commitment and ramps carry across boundaries, and the
   stitched year is one continuous operation.
4. **Window ends.** The overlap is a look-ahead only; what happens there is discarded. At the
   window's last hour each *long* level (reservoirs, hydrogen) gets the plan's level as a target
   priced with the plan's water value: each MWh below the target costs the value plus
   :data:`WATER_VALUE_BAND`, each MWh above it earns the value minus the band, so a window
   keeps to the plan unless its own prices say otherwise. *Short* storage (batteries, pumped
   hydro) has no target: it cycles as the look-ahead makes worth it. A cyclic level (one that
   must end the horizon where it started) is pinned to its start in the last window.
5. **Budgets** (rows without a time dimension, such as DR's annual hours): a window may use
   what is left of the budget minus what the current plan keeps for after the window's core;
   its row covers the core hours only.
6. **Stitch.** The cores' primal values and row duals are written into the hourly linopy
   model, and PyPSA's own ``assign_solution``/``assign_duals``/``post_processing`` fill the
   network as after a monolithic solve. ``n.objective`` is the sum of the cores' costs.
"""

from __future__ import annotations

import itertools
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pypsa

from model.dispatch.constraints import add_operating_constraints
from model.dispatch.highs import (
    LPSolution,
    conflict_lines,
    format_constraint_label,
    highs_options,
    model_options,
    solve_matrix_lp,
    time_limit_message,
)
from model.dispatch.levels import StorageLevels, storage_levels, water_values
from model.dispatch.matrices import LinearProgram, linear_program, write_solution
from model.dispatch.plan import PlanSolution, SeasonalPlan, build_plan, planned_use_after, solve_plan
from model.dispatch.result import DispatchResult
from model.dispatch.windows import WindowLP, slice_window, with_budgets, with_targets
from model.errors import SolveError
from model.scenario import DispatchOptions, SolverOptions

logger = logging.getLogger(__name__)

#: Band around the plan's water value at a window's end [share of the value].
WATER_VALUE_BAND = 0.1
#: Price of missing a pinned level, as a multiple of the dearest marginal cost.
PIN_PENALTY_FACTOR = 10.0


@dataclass
class RollingState:
    """The dispatch made so far: values by hourly column, duals by hourly row."""

    x: np.ndarray
    y: np.ndarray
    budget_y: np.ndarray
    objective: float = 0.0
    deviation_mwh: float = 0.0
    pin_miss_mwh: float = 0.0
    seconds: dict[str, float] = field(default_factory=lambda: {"windows": 0.0, "replan": 0.0})


def pin_penalty(n: pypsa.Network) -> float:
    """Price of missing a pinned level [CNY/MWh]: :data:`PIN_PENALTY_FACTOR` x the dearest energy.

    From the dearest marginal cost (lost load, hydrogen shortfall), not from the LP's largest
    cost coefficient: a start-up cost per block start is not a price per MWh, and a penalty
    scaled from it (10^7 and more) slows the solver down by a third.
    """
    costs = [n.c.generators.static.marginal_cost.max(), n.c.links.static.marginal_cost.max(),
             n.c.storage_units.static.marginal_cost.max()]  # fmt: skip
    return PIN_PENALTY_FACTOR * max(max(float(np.nan_to_num(c)) for c in costs), 1.0)


def month_windows(snapshots: pd.DatetimeIndex, period: np.ndarray, days: int) -> list[list[tuple[int, int]]]:
    """Window cores ``[start, end)`` (hour positions) of each month, cut at plan-period starts.

    Each month is split into ``round(its days / days)`` (at least one) cores of near-equal length.
    """
    starts = np.flatnonzero(np.r_[True, period[1:] != period[:-1]])
    month = snapshots.year.to_numpy() * 12 + snapshots.month.to_numpy()
    bounds = np.flatnonzero(np.r_[True, month[1:] != month[:-1]])
    out = []
    for h0, h1 in zip(bounds, np.r_[bounds[1:], len(snapshots)], strict=True):
        inside = starts[(starts >= h0) & (starts < h1)]
        k = max(1, round(len(inside) / days))
        cuts = [int(inside[round(i * len(inside) / k)]) for i in range(k)] + [int(h1)]
        out.append(list(itertools.pairwise(cuts)))
    return out


def solve_decomposed(n: pypsa.Network, options: DispatchOptions, solver: SolverOptions) -> DispatchResult:
    """Plan + hourly windows in sequence, stitched into ``n`` (see module docstring)."""
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    t0 = time.perf_counter()
    n.optimize.create_model(include_objective_constant=False, **model_options(n))
    add_operating_constraints(n, n.snapshots, hourly=True)
    m = n.model
    lp = linear_program(m, n.snapshots)
    if (lp.col_pos < 0).any():
        raise SolveError(
            "decomposed dispatch needs a pure operational model (no extendable capacities or other "
            "variables without a time dimension); use dispatch.mode: monolithic"
        )
    timings["build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = build_plan(n, m, lp, options.foresight)
    levels = storage_levels(n, m, lp, plan.model, plan.lp)
    timings["plan_build"] = time.perf_counter() - t0

    penalty = pin_penalty(n)
    opts = highs_options(solver, threads=1)
    state = RollingState(np.full(len(lp.col_pos), np.nan), np.zeros(len(lp.row_pos)),
                         np.zeros(len(plan.budget_rows)))  # fmt: skip
    months = month_windows(n.snapshots, plan.period, options.window_days)
    overlap = options.overlap_days * 24
    t0 = time.perf_counter()
    no_wrap = np.full(len(levels.names), np.nan)
    sol = solve_plan(plan, levels, 0, np.empty(0), _budget_left(lp, plan, state), no_wrap, penalty, opts)
    plan_objective = sol.objective
    state.seconds["replan"] += time.perf_counter() - t0
    wrap = _wrap_levels(levels, sol, state)
    n_windows = 0
    for i, cores in enumerate(months):
        if i > 0:
            t0 = time.perf_counter()
            first = int(plan.period[cores[0][0]])
            start = state.x[levels.hourly[cores[0][0] - 1]] if levels.hourly.size else np.empty(0)
            sol = solve_plan(plan, levels, first, start, _budget_left(lp, plan, state), wrap, penalty, opts,
                             warm=sol)  # fmt: skip
            state.seconds["replan"] += time.perf_counter() - t0
        for s, c in cores:
            end = min(c + overlap, len(n.snapshots))
            _solve_window(n, lp, plan, levels, sol, state, (s, c, end), wrap, penalty, opts)
            n_windows += 1
    timings["replan"] = state.seconds["replan"]
    timings["windows"] = state.seconds["windows"]

    t0 = time.perf_counter()
    y = state.y
    y[plan.budget_rows[:, 0]] = state.budget_y / max(n_windows, 1)
    write_solution(m, lp, state.x, y, state.objective)
    n.optimize.assign_solution()
    n.optimize.assign_duals(False)
    n.optimize.post_processing()
    timings["stitch"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_all
    return DispatchResult(
        mode="decomposed",
        objective_cny=state.objective,
        solve_seconds=state.seconds["windows"] + state.seconds["replan"],
        build_seconds=timings["build"] + timings["plan_build"],
        n_windows=n_windows,
        status="ok",
        condition="optimal",
        timings=timings,
        diagnostics={
            "plan_objective_cny": plan_objective,
            "replans": float(len(months) - 1),
            "target_deviation_mwh": state.deviation_mwh,
            "pin_miss_mwh": state.pin_miss_mwh,
        },
    )


def _wrap_levels(levels: StorageLevels, sol: PlanSolution, state: RollingState) -> np.ndarray:
    """Start level of each cyclic storage (the plan's level at the end), set as known at the last hour."""
    wrap = np.full(len(levels.names), np.nan)
    if not len(levels.names):
        return wrap
    wrap[levels.cyclic] = sol.x[levels.plan[-1, levels.cyclic]]
    state.x[levels.hourly[-1, levels.cyclic]] = wrap[levels.cyclic]
    return wrap


def _budget_left(lp: LinearProgram, plan: SeasonalPlan, state: RollingState) -> np.ndarray:
    """Lower and upper bound left of each matched budget after the hours dispatched so far."""
    rows = plan.budget_rows[:, 0]
    if not len(rows):
        return np.zeros((0, 2))
    used = lp.A[rows, :] @ np.nan_to_num(state.x)
    return np.c_[lp.row_lo[rows] - used, lp.row_hi[rows] - used]


def _solve_window(
    n: pypsa.Network,
    lp: LinearProgram,
    plan: SeasonalPlan,
    levels: StorageLevels,
    sol: PlanSolution,
    state: RollingState,
    span: tuple[int, int, int],
    wrap: np.ndarray,
    penalty: float,
    opts: dict[str, Any],
) -> None:
    """Solve hours ``[start, end)`` with core ``[start, core_end)`` and record the core."""
    start, core_end, end = span
    win = slice_window(lp, start, end, state.x)
    left = _budget_left(lp, plan, state)
    keep = planned_use_after(plan, sol)[:, int(plan.period[core_end - 1]) + 1]
    hi = np.maximum(left[:, 1] - keep, 0.0)
    lo = np.minimum(left[:, 0] - keep, hi)
    win = with_budgets(win, lp, plan.budget_rows[:, 0], lo, hi, core_end)
    win, n_valued = _with_level_targets(win, levels, plan, sol, end, len(n.snapshots), wrap, penalty)
    t0 = time.perf_counter()
    res = solve_matrix_lp(win.lp, opts)
    state.seconds["windows"] += time.perf_counter() - t0
    if res.condition != "optimal":
        raise SolveError(_window_failure(n, lp, win, (start, core_end), res))
    nc, nr = len(win.cols), len(win.rows)
    core = lp.col_pos[win.cols] < core_end
    cols = win.cols[core]
    # within the solver's tolerance a level can end a hair below zero; a store nothing can refill
    # (hydrogen without electrolysers) would make the next window infeasible, so clip to bounds
    state.x[cols] = np.clip(res.x[:nc][core], lp.col_lo[cols], lp.col_hi[cols])
    core_rows = lp.row_pos[win.rows] < core_end
    state.y[win.rows[core_rows]] = res.y[:nr][core_rows]
    state.budget_y += res.y[nr : nr + win.n_budget]
    state.objective += float(win.lp.cost[:nc][core] @ res.x[:nc][core])
    below, above = np.split(res.x[nc:], 2)
    state.deviation_mwh += float(below[:n_valued].sum() + above[:n_valued].sum())
    state.pin_miss_mwh += float(below[n_valued:].sum() + above[n_valued:].sum())


def _with_level_targets(
    win: WindowLP,
    levels: StorageLevels,
    plan: SeasonalPlan,
    sol: PlanSolution,
    end: int,
    hours: int,
    wrap: np.ndarray,
    penalty: float,
) -> tuple[WindowLP, int]:
    """Targets at the window's last hour: plan levels priced by water value; cyclic pins at the end.

    Returns the window and how many of its targets are priced by water value (the pins follow).
    """
    if not len(levels.names):
        return win, 0
    last = end - 1
    if end == hours:  # the horizon's own end conditions govern: cyclic pins, end-level prices
        pin = levels.cyclic
        value_target = np.zeros(len(levels.names), dtype=bool)
    else:
        pin = np.zeros(len(levels.names), dtype=bool)
        value_target = levels.long
    p = int(plan.period[last])
    value = water_values(levels, sol.y)[p]
    target = sol.x[levels.plan[p]]
    ok = value_target & np.isfinite(target)
    cols = np.r_[levels.hourly[last, ok], levels.hourly[last, pin]]
    tgt = np.r_[target[ok], wrap[pin]]
    # a concave value of what is kept: steeper below the target than above it (also if v < 0)
    v = value[ok]
    steep = np.maximum(v * (1 + WATER_VALUE_BAND), v * (1 - WATER_VALUE_BAND))
    flat = np.minimum(v * (1 + WATER_VALUE_BAND), v * (1 - WATER_VALUE_BAND))
    below = np.r_[steep, np.full(pin.sum(), penalty)]
    above = np.r_[-flat, np.full(pin.sum(), penalty)]
    return with_targets(win, cols, tgt, below, above), int(ok.sum())


def _window_failure(n: pypsa.Network, lp: LinearProgram, win: WindowLP, core: tuple[int, int],
                    res: LPSolution) -> str:  # fmt: skip
    first, last = n.snapshots[core[0]], n.snapshots[core[1] - 1]
    what = f"decomposed dispatch: window {first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M}"
    if res.condition == "time_limit":
        return time_limit_message(what, "time_limit")
    msg = f"{what} ended '{res.condition}'"
    rows = res.iis_rows[res.iis_rows < len(win.rows)]
    if len(rows):
        names = [format_constraint_label(n.model, int(lp.row_label[win.rows[r]])) for r in rows]
        msg += ".\n" + conflict_lines(names)
    return msg
