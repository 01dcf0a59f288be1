"""Decomposed dispatch: a seasonal plan re-solved each month, and hourly windows solved in sequence.

How it works
------------
1. **One hourly LP.** The full-horizon hourly model is built once with PyPSA (plus gzgrid's own
   constraints) and turned into matrices (:mod:`model.dispatch.matrices`). Every window is a
   slice of those matrices, so any constraint PyPSA adds (unit commitment, ramps, storage
   balances) is windowed the same way, without rebuilding a model per window.
2. **Plans** (:mod:`model.dispatch.month_plan`): a season plan of weekly periods
   (``dispatch.plan_days``; daily in the horizon's first and last months) with the foresight
   the options allow, solved for the whole horizon and then again at the start of each month
   from the levels actually reached (from the last plan's optimal basis), and under it a daily
   plan of the month and the windows' look-ahead, which ends on the season plan's levels.
3. **Windows, in sequence.** Each month is cut into windows of about ``window_days`` days
   (cores start at midnight) plus ``overlap_days`` of look-ahead. A window starts exactly where
   the previous one ended: every row that reaches back before the window (storage balances,
   ramps, start-ups, minimum up and down times, DR event sums) takes those hours' values from
   the dispatch already made. So storage, commitment and ramps carry across boundaries, and the
   stitched year is one continuous operation.
4. **Window ends.** The overlap is a look-ahead only; what happens there is discarded. At the
   window's last hour each *long* level (reservoirs, hydrogen) gets the month plan's level as a
   target priced with its water value: each MWh below the target costs the value plus a band
   (:data:`~model.dispatch.month_plan.WATER_VALUE_BAND`), each MWh above it earns the value
   minus the band, so a window keeps to the plan unless its own prices say otherwise. *Short*
   storage (batteries, pumped hydro) has no target: it cycles as the look-ahead makes worth
   it. A cyclic level (one that must end the horizon where it started) is pinned to its start
   in the last window.
5. **Budgets** (rows without a time dimension, such as DR's annual hours): a window may use
   what is left of the budget minus what the month and season plans keep for after the
   window's core; its row covers the core hours only.
6. **Two parts at once** (:mod:`model.dispatch.segments`): the year is cut at the first hour
   of ``split_month`` and both parts are solved in parallel threads, the first ending and the
   second starting on the levels of a plan with the year's realised inflow. Where the first part
   cannot end on those levels (by more than ``dispatch.cut_resolve_mwh``: in a dry year the
   operator's plan draws the reservoirs lower than the realised-inflow plan), the second part is
   solved again from where the first ended, so that no stored energy appears or vanishes at the
   cut; that costs the second part's time again, in those years only.
7. **Stitch.** The cores' primal values and row duals are written into the hourly linopy
   model, and PyPSA's own ``assign_solution``/``assign_duals``/``post_processing`` fill the
   network as after a monolithic solve. ``n.objective`` is the sum of the cores' costs.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pypsa

from model.dispatch.constraints import add_operating_constraints
from model.dispatch.highs import (
    Basis,
    LPSolution,
    conflict_lines,
    format_constraint_label,
    highs_options,
    model_options,
    time_limit_message,
)
from model.dispatch.levels import StorageLevels, storage_levels
from model.dispatch.matrices import LinearProgram, linear_program, write_solution
from model.dispatch.month_plan import (
    MonthPlan,
    Plans,
    allotted,
    level_targets,
    solve_month,
    use_after,
    value_prices,
)
from model.dispatch.periods import month_parts
from model.dispatch.plan import (
    PlanSolution,
    SeasonalPlan,
    build_plan,
    plan_network,
    solve_plan,
    with_operator_foresight,
)
from model.dispatch.result import DispatchResult
from model.dispatch.segments import Segment, split_point, split_year, year_caps
from model.dispatch.warm import WarmStart, structure_key
from model.dispatch.window_solver import WindowSolver
from model.dispatch.windows import WindowLP, slice_window, with_budgets, with_targets
from model.errors import SolveError, warn
from model.scenario import DispatchOptions, SolverOptions

logger = logging.getLogger(__name__)

#: Price of missing a pinned level, as a multiple of the dearest marginal cost.
PIN_PENALTY_FACTOR = 10.0
#: A segment ending this far from where the next one starts is reported [MWh].
PIN_MISS_WARN_MWH = 1.0


@dataclass
class RollingState:
    """The dispatch made so far: values by hourly column, duals by hourly row."""

    x: np.ndarray
    y: np.ndarray
    budget_y: np.ndarray
    objective: float = 0.0
    deviation_mwh: float = 0.0
    pin_miss_mwh: float = 0.0  # missed pins at the end of a part another part continues
    cycle_miss_mwh: float = 0.0  # missed pins of cyclic levels at the horizon's end
    windows: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: {"windows": 0.0, "replan": 0.0})
    solver: dict[str, int] = field(default_factory=dict)  # WindowSolver counts
    bases: dict[tuple[int, int], Basis] = field(default_factory=dict)  # optimal basis by window (start, end)


def pin_penalty(n: pypsa.Network) -> float:
    """Price of missing a pinned level [CNY/MWh]: :data:`PIN_PENALTY_FACTOR` x the dearest energy.

    From the dearest marginal cost (lost load, hydrogen shortfall), not from the LP's largest
    cost coefficient: a start-up cost per block start is not a price per MWh, and a penalty
    scaled from it (10^7 and more) slows the solver down by a third.
    """
    costs = [n.c.generators.static.marginal_cost.max(), n.c.links.static.marginal_cost.max(),
             n.c.storage_units.static.marginal_cost.max()]  # fmt: skip
    return PIN_PENALTY_FACTOR * max(max(float(np.nan_to_num(c)) for c in costs), 1.0)


def solve_decomposed(
    n: pypsa.Network, options: DispatchOptions, solver: SolverOptions, warm: WarmStart | None = None
) -> DispatchResult:
    """Plan + hourly windows in sequence, stitched into ``n`` (see module docstring).

    ``warm``: window bases of a related case to start from; used only if its structure key
    matches this LP's (otherwise the windows start as without it, and the result says so).
    The result's ``warm`` holds this case's own window bases.
    """
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    t0 = time.perf_counter()
    # before n has a model: copying a network copies its model
    season_n, season_period = plan_network(n, options.plan_days, daily_ends=True)
    month_n, month_period = plan_network(n, 1)
    timings["plan_network"] = time.perf_counter() - t0
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
    plans, realised = _build_plans(n, lp, (season_n, season_period), (month_n, month_period),
                                   options.foresight)  # fmt: skip
    plan, levels = plans.season, plans.season_levels
    months = month_parts(n.snapshots, options.window_days)
    at = split_point(months, [int(n.snapshots[c[0][0]].month) for c in months], options.split_month)
    # the cut's levels come from the season plan with the year's realised inflow
    boundary = (realised, levels) if at > 0 and options.foresight != "perfect" else None
    timings["plan_build"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    structure = structure_key(lp)
    shared = warm is not None and warm.structure == structure
    ctx = _Context(n, lp, plans, pin_penalty(n), highs_options(solver, threads=1),
                   options.overlap_days * 24, hot=options.hot_start,
                   reference=warm.windows if shared else {}, keep_bases=True)  # fmt: skip
    no_wrap = np.full(len(levels.names), np.nan)
    caps = year_caps(lp, plan)

    def first_plan(p: SeasonalPlan, lv: StorageLevels) -> PlanSolution:
        return solve_plan(p, lv, 0, np.empty(0), caps, no_wrap, ctx.penalty, ctx.opts)

    with ThreadPoolExecutor(max_workers=options.workers) as pool:
        plans = [pool.submit(first_plan, plan, levels)]
        if boundary is not None:
            plans.append(pool.submit(first_plan, *boundary))
        sol = plans[0].result()
        if at > 0:
            boundary = (*boundary, plans[1].result()) if boundary is not None else (plan, levels, sol)
        timings["plan"] = time.perf_counter() - t0
        ctx.wrap = _wrap_levels(levels, sol)
        segments = split_year(months, at, len(n.snapshots), lp, plan, boundary)
        t0 = time.perf_counter()
        states = list(pool.map(lambda seg: _solve_segment(ctx, seg, sol), segments))
    timings["segments"] = time.perf_counter() - t0
    missed = states[0].pin_miss_mwh if len(segments) > 1 else 0.0
    resolve = len(segments) > 1 and (missed > options.cut_resolve_mwh or options.cut_resolve_mwh == 0)
    if resolve:
        t0 = time.perf_counter()
        segments[1], states[1] = _resolve_from_end(ctx, segments, states, sol)
        timings["resolve"] = time.perf_counter() - t0
        logger.info("the first part missed the cut's levels by %.0f MWh; the second part was solved again "
                 "from the first part's end (%.1f s)", missed, timings["resolve"])  # fmt: skip
    state = _merge(lp, segments, states)
    timings["replan"] = state.seconds["replan"]
    timings["windows"] = state.seconds["windows"]

    t0 = time.perf_counter()
    y = state.y
    y[plan.budget_rows[:, 0]] = state.budget_y / max(state.windows, 1)
    write_solution(m, lp, state.x, y, state.objective)
    n.optimize.assign_solution()
    n.optimize.assign_duals(False)
    n.optimize.post_processing()
    timings["stitch"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_all
    if len(segments) > 1 and not resolve and missed > PIN_MISS_WARN_MWH:
        warn(f"the first part of the year ended {missed:.0f} MWh away from the levels the second "
             "part starts on (split_month); its storage levels jump there")  # fmt: skip
    return DispatchResult(
        mode="decomposed",
        objective_cny=state.objective,
        solve_seconds=timings["plan"] + timings["segments"],
        build_seconds=timings["plan_network"] + timings["build"] + timings["plan_build"],
        n_windows=state.windows,
        status="ok",
        condition="optimal",
        timings=timings,
        diagnostics={
            "plan_objective_cny": sol.objective,
            "replans": float(len(months) - len(segments)),
            "segments": float(len(segments)),
            "target_deviation_mwh": state.deviation_mwh,
            "pin_miss_mwh": state.pin_miss_mwh,
            "cut_miss_first_mwh": missed,
            "resolved_second": float(resolve),
            "cycle_miss_mwh": state.cycle_miss_mwh,
            **{f"windows_{k}": float(v) for k, v in state.solver.items()},
            "warm_shared": float(shared),
        },
        warm=WarmStart(structure, state.bases),
    )


def _build_plans(n: pypsa.Network, lp: LinearProgram, season: tuple[pypsa.Network, np.ndarray],
                 month: tuple[pypsa.Network, np.ndarray], foresight: str
                 ) -> tuple[Plans, SeasonalPlan]:  # fmt: skip
    """The season and month plans with the foresight asked for, and the season plan with realised inflow."""
    m = n.model
    realised = build_plan(*season, m, lp)
    month_plan = build_plan(*month, m, lp)
    if foresight != "perfect":
        season_plan, month_plan = with_operator_foresight(realised), with_operator_foresight(month_plan)
    else:
        season_plan = realised
    if not np.array_equal(season_plan.budget_rows[:, 0], month_plan.budget_rows[:, 0]):
        raise SolveError("decomposed dispatch: the season and month plans hold different annual budgets")
    plans = Plans(season_plan, month_plan, storage_levels(n, m, lp, season_plan.model, season_plan.lp),
                  storage_levels(n, m, lp, month_plan.model, month_plan.lp))  # fmt: skip
    return plans, realised


@dataclass
class _Context:
    """What every segment reads: the hourly LP, the plan, the level columns, prices, options."""

    n: pypsa.Network
    lp: LinearProgram
    plans: Plans
    penalty: float
    opts: dict[str, Any]
    overlap: int
    hot: bool = True
    reference: dict[tuple[int, int], Basis] = field(default_factory=dict)
    keep_bases: bool = False
    wrap: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def plan(self) -> SeasonalPlan:
        """The season plan."""
        return self.plans.season

    @property
    def levels(self) -> StorageLevels:
        """The level columns of the hourly LP (and of the season plan)."""
        return self.plans.season_levels


def _solve_segment(ctx: _Context, seg: Segment, first: PlanSolution) -> RollingState:
    """The windows of one segment in sequence, re-planned at each of its months."""
    lp, plan, levels = ctx.lp, ctx.plan, ctx.levels
    state = RollingState(np.full(len(lp.col_pos), np.nan), np.zeros(len(lp.row_pos)),
                         np.zeros(len(plan.budget_rows)))  # fmt: skip
    if len(levels.names):
        state.x[levels.hourly[-1, levels.cyclic]] = ctx.wrap[levels.cyclic]
        if seg.start_levels is not None:
            state.x[levels.hourly[seg.start - 1]] = seg.start_levels
    solver = WindowSolver(ctx.opts, hot=ctx.hot)
    plan_now: MonthPlan | None = None
    whole = seg.start_levels is None and seg.end_levels is None
    for i, cores in enumerate(seg.months):
        t0 = time.perf_counter()
        h = cores[0][0]
        start = state.x[levels.hourly[h - 1]] if levels.hourly.size and h > 0 else np.empty(0)
        season = first if i == 0 and whole else None  # the horizon's first season plan is solved
        left = _budget_left(lp, plan, state, seg)
        plan_now = solve_month(ctx.plans, (h, cores[-1][1], seg.end), start, left, ctx.wrap, ctx.penalty,
                               ctx.opts, ctx.overlap, warm=plan_now, season=season,
                               end_levels=seg.end_levels)  # fmt: skip
        state.seconds["replan"] += time.perf_counter() - t0
        for s, c in cores:
            _solve_window(ctx, seg, plan_now, state, solver, (s, c, min(c + ctx.overlap, seg.end)))
            state.windows += 1
    state.solver = dict(solver.counts)
    return state


def _resolve_from_end(ctx: _Context, segments: list[Segment], states: list[RollingState], sol: PlanSolution
                      ) -> tuple[Segment, RollingState]:  # fmt: skip
    """The second part solved again, starting on the levels the first part ended on.

    Each window starts from the optimal basis of the same window in the second part's first
    solve: the LPs differ only in where the stores start (a few per mille of the reservoirs'
    energy), so that basis is closer to the new optimum than the previous window's.
    """
    second = segments[1]
    ended = states[0].x[ctx.levels.hourly[second.start - 1]]
    again = replace(second, start_levels=ended)
    return again, _solve_segment(replace(ctx, reference={**ctx.reference, **states[1].bases}), again, sol)


def _merge(lp: LinearProgram, segments: list[Segment], states: list[RollingState]) -> RollingState:
    """One state of the whole horizon: each segment's columns and rows from its own state."""
    out = states[0]
    for seg, st in zip(segments[1:], states[1:], strict=True):
        cols = lp.col_pos >= seg.start
        out.x[cols] = st.x[cols]
        rows = lp.row_pos >= seg.start
        out.y[rows] = st.y[rows]
        out.budget_y += st.budget_y
        out.objective += st.objective
        out.deviation_mwh += st.deviation_mwh
        out.pin_miss_mwh += st.pin_miss_mwh
        out.cycle_miss_mwh += st.cycle_miss_mwh
        out.windows += st.windows
        for k, v in st.seconds.items():
            out.seconds[k] += v
        for k, v in st.solver.items():
            out.solver[k] = out.solver.get(k, 0) + v
        out.bases.update(st.bases)
    return out


def _wrap_levels(levels: StorageLevels, sol: PlanSolution) -> np.ndarray:
    """Start level of each cyclic storage: the plan's level at the horizon's end (NaN: not cyclic)."""
    wrap = np.full(len(levels.names), np.nan)
    if len(levels.names):
        wrap[levels.cyclic] = sol.x[levels.plan[-1, levels.cyclic]]
    return wrap


def _budget_left(lp: LinearProgram, plan: SeasonalPlan, state: RollingState, seg: Segment) -> np.ndarray:
    """Lower and upper bound left of each matched budget in a segment after its hours dispatched so far."""
    rows = plan.budget_rows[:, 0]
    if not len(rows):
        return np.zeros((0, 2))
    sub = lp.A[rows, :]  # a few rows: no full-length temporaries per window
    row = np.repeat(np.arange(len(rows)), np.diff(sub.indptr))
    used = np.bincount(row, weights=sub.data * np.nan_to_num(state.x[sub.indices]), minlength=len(rows))
    return seg.budget_cap - used[:, None]


def _solve_window(
    ctx: _Context, seg: Segment, sol: MonthPlan, state: RollingState, solver: WindowSolver,
    span: tuple[int, int, int],
) -> None:  # fmt: skip
    """Solve hours ``[start, end)`` with core ``[start, core_end)`` and record the core."""
    lp, plan = ctx.lp, ctx.plan
    start, core_end, end = span
    win = slice_window(lp, start, end, state.x)
    # what the month plan uses after the core, and what the season keeps for after the month plan
    keep = use_after(ctx.plans.month, sol.month, core_end - 1) + sol.keep_after
    lo, hi = allotted(_budget_left(lp, plan, state, seg), keep)
    win = with_budgets(win, lp, plan.budget_rows[:, 0], lo, hi, core_end)
    win, n_valued = _with_level_targets(ctx, seg, win, sol, end)
    t0 = time.perf_counter()
    res = solver.solve(win.lp, ctx.reference.get((start, end)))
    state.seconds["windows"] += time.perf_counter() - t0
    if res.condition != "optimal":
        raise SolveError(_window_failure(ctx.n, lp, win, (start, core_end), res))
    if ctx.keep_bases and res.basis is not None:
        state.bases[(start, end)] = res.basis
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
    # pins at a part's end are where the next part starts; at the horizon's end, the cycle
    missed = float(below[n_valued:].sum() + above[n_valued:].sum())
    if end == seg.end and seg.end_levels is None:
        state.cycle_miss_mwh += missed
    else:
        state.pin_miss_mwh += missed


def _with_level_targets(ctx: _Context, seg: Segment, win: WindowLP, sol: MonthPlan, end: int
                        ) -> tuple[WindowLP, int]:  # fmt: skip
    """Targets at the window's last hour: plan levels priced by water value, or pins at a segment's end.

    At the horizon's end cyclic levels are pinned to their start; at the end of a segment that
    another continues, every level is pinned to where the next starts. Returns the window and
    how many of its targets are priced by water value (the pins follow).
    """
    levels = ctx.levels
    if not len(levels.names):
        return win, 0
    last = end - 1
    k = len(levels.names)
    pin = np.zeros(k, dtype=bool)
    pin_to = np.full(k, np.nan)
    value_target = levels.long
    if end == seg.end:  # the segment's own end conditions govern: pins, end-level prices
        value_target = np.zeros(k, dtype=bool)
        pin_to = ctx.wrap if seg.end_levels is None else seg.end_levels
        pin = (levels.cyclic if seg.end_levels is None else np.ones(k, dtype=bool)) & np.isfinite(pin_to)
    target, value = level_targets(ctx.plans.month, ctx.plans.month_levels, sol.month, last)
    ok = value_target & np.isfinite(target)
    cols = np.r_[levels.hourly[last, ok], levels.hourly[last, pin]]
    tgt = np.r_[target[ok], pin_to[pin]]
    steep, flat = value_prices(value[ok])
    below = np.r_[steep, np.full(pin.sum(), ctx.penalty)]
    above = np.r_[flat, np.full(pin.sum(), ctx.penalty)]
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
