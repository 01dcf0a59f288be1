"""Decomposed dispatch: a seasonal plan, hourly windows solved in parallel, stitched back.

How it works
------------
1. **Plan.** A copy of the network resampled to 24-h periods (``n.cluster.temporal``; storage
   stays linked across periods, annual budgets keep their meaning through the snapshot
   weightings) is solved as one LP. Ramp limits are dropped there (they do not apply to daily
   means) and each demand-response generator's availability is scaled by ``L/(L+1)``, the most
   its event cap lets it deliver on average.
2. **One hourly LP, sliced.** The full-horizon hourly model is built *once* with PyPSA (plus
   the DR event cap) and turned into matrices. Each window is a slice of those matrices: the
   rows and columns of its hours. This replaces PyPSA's per-window model building (about 80 %
   of its own rolling-horizon time) by a few sparse-matrix operations, and any constraint
   PyPSA or ``extra_functionality`` adds is sliced the same way.
3. **Window boundaries.** Window cores start at plan-period starts (midnight). A row at a
   window's first hour that reaches back to a storage level before the window (energy balance;
   the cyclic wrap of the first window) gets that level from the boundary rule below, moved to
   the right-hand side. Any other row reaching outside the window (a ramp limit or a DR event
   sum straddling the boundary) is dropped: those few hours are not ramp/event constrained
   across the boundary.
4. **End-level rule.** At the *end of its core* every storage level is pinned to the boundary
   level by a soft equality (slacks priced at ten times the largest cost coefficient, far
   above the value of lost load). The next window starts at exactly that level, so the stitched
   year conserves energy in every store at every hour, as a monolithic solve does. The overlap
   hours after the core are a look-ahead for ramping and are discarded.

   - *Long storage* (every ``Store``: reservoirs, H2; and ``StorageUnit`` with
     ``max_hours >= 24``): the boundary level is the plan's level at that midnight.
   - *Short storage* (``StorageUnit`` with ``max_hours < 24``: batteries, pumped hydro of a
     few hours): half full at every window boundary. A daily plan cannot see intraday cycling,
     and half full leaves room to both charge and discharge around midnight.
5. **Budgets.** A constraint without a time dimension (PyPSA's ``e_sum_max``/``e_sum_min``)
   is split over windows in proportion to the plan's use in each window core plus an
   allowance of 5 % of the budget spread by hours, so every window has some; the shares sum to
   the budget exactly, so the annual budget holds for the stitched year. In a window the
   budget row covers the core hours only.
6. **Stitch.** Each window's core primal values and row duals are written into the full hourly
   linopy model, and PyPSA's own ``assign_solution``/``assign_duals``/``post_processing`` fill
   the network as after a monolithic solve. ``n.objective`` is the sum over windows of the
   core-hour costs.

Windows run in a ``fork`` process pool; the matrices are inherited through a module global
(never pickled per task); each worker runs HiGHS on one thread. :func:`window_workers` decides
the pool size: one process per core, or windows in-process where a pool would be wrong (a
daemonic process such as a Dask worker cannot have children, and a sweep already keeps every
core busy with its own cases); ``GZGRID_WINDOW_WORKERS`` sets it explicitly.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pypsa
import scipy.sparse as sp
import xarray as xr

from model import WINDOW_WORKERS_ENV, windows
from model.dispatch import (
    DispatchResult,
    add_dr_event_constraints,
    check_solved,
    dr_event_hours,
    format_constraint_label,
    highs_options,
    model_options,
    native_stdout_silenced,
)
from model.errors import InputError, SolveError
from model.scenario import DispatchOptions, SolverOptions

logger = logging.getLogger(__name__)

#: Resolution of the seasonal plan.
PLAN_OFFSET = "24h"
#: StorageUnits with at least this many hours at full power are long storage [h].
LONG_STORAGE_HOURS = 24.0
#: Level of short storage at every window boundary [share of its energy capacity].
SHORT_STORAGE_BOUNDARY = 0.5
#: Share of each budget spread over windows by hours, whatever the plan used [-].
BUDGET_ALLOWANCE = 0.05
#: Rounds of moving unused budget from windows that left it to windows where it binds.
BUDGET_ROUNDS = 3
#: Boundary slack price [multiple of the largest cost coefficient].
SLACK_PENALTY_FACTOR = 10.0


def window_workers(n_windows: int) -> int:
    """Processes to solve ``n_windows`` windows with: 1 means in-process, no pool.

    ``GZGRID_WINDOW_WORKERS`` if set; otherwise 1 inside a daemonic process (a Dask or
    multiprocessing worker, which may not fork a pool of its own), else one per core.
    """
    env = os.environ.get(WINDOW_WORKERS_ENV, "").strip()
    if env:
        try:
            wanted = int(env)
        except ValueError:
            raise InputError(f"{WINDOW_WORKERS_ENV}={env!r}: expected a whole number >= 1") from None
        if wanted < 1:
            raise InputError(f"{WINDOW_WORKERS_ENV}={env!r}: expected a whole number >= 1")
    elif multiprocessing.current_process().daemon:
        wanted = 1
    else:
        wanted = os.cpu_count() or 1
    return max(1, min(wanted, n_windows))


def solve_decomposed(n: pypsa.Network, options: DispatchOptions, solver: SolverOptions) -> DispatchResult:
    """Seasonal plan + parallel hourly windows, stitched into ``n`` (see module docstring)."""
    timings: dict[str, float] = {}
    t_all = time.perf_counter()

    t0 = time.perf_counter()
    plan, period = _solve_plan(n, solver)
    timings["plan"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    n.optimize.create_model(include_objective_constant=False, **model_options(n))
    add_dr_event_constraints(n, n.snapshots)
    m = n.model
    timings["build"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    lp = _matrices(m)
    if (lp["col_pos"] < 0).any():
        raise SolveError(
            "decomposed dispatch needs a pure operational model (no extendable capacities or other "
            "variables without a time dimension); use dispatch.mode: monolithic"
        )
    cores = _window_cores(period, options.window_days * 24)
    col_target = _boundary_targets(n, m, plan, period, lp["col_label"])
    budget_rows = np.flatnonzero(lp["row_pos"] < 0)
    budget_lo, budget_hi = _split_budgets(m, plan, lp, budget_rows, period, cores)
    penalty = SLACK_PENALTY_FACTOR * max(float(np.abs(lp["cost"]).max()), 1.0)
    windows.WORK = windows.WindowWork(
        A=lp["A"], row_lo=lp["row_lo"], row_hi=lp["row_hi"], col_lb=lp["col_lb"], col_ub=lp["col_ub"],
        cost=lp["cost"], col_pos=lp["col_pos"], row_pos=lp["row_pos"], col_target=col_target,
        cores=cores, overlap=options.overlap_days * 24, budget_rows=budget_rows,
        budget_lo=budget_lo, budget_hi=budget_hi, penalty=penalty,
        options=highs_options(solver, threads=1),
    )  # fmt: skip
    timings["slice"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    workers = window_workers(len(cores))
    lo, hi = budget_lo.copy(), budget_hi.copy()
    rounds = 0
    try:
        pool = (
            ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
            if workers > 1
            else None
        )
        run = pool.map if pool is not None else map
        todo = list(range(len(cores)))
        results: list[dict[str, Any]] = [{} for _ in cores]
        while todo:
            for k, res in zip(
                todo, run(windows.solve_window, [(k, lo[k], hi[k]) for k in todo]), strict=True
            ):
                if res["condition"] != "optimal":
                    raise SolveError(_window_failure(n, m, lp, cores[k], res))
                results[k] = res
            if rounds >= BUDGET_ROUNDS:
                break
            todo = windows.rebalance(results, lo, hi)
            rounds += 1 if todo else 0
    finally:
        if workers > 1 and pool is not None:
            pool.shutdown()
        windows.WORK = None
    timings["windows"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    objective, slack = _stitch(n, m, lp, budget_rows, results)
    timings["stitch"] = time.perf_counter() - t0
    solve_s = sum(r["solve_seconds"] for r in results)
    timings["window_solver_cpu"] = solve_s
    timings["total"] = time.perf_counter() - t_all
    if slack > 1e-3:
        logger.warning("decomposed dispatch: storage boundary levels missed by %.1f MWh in total", slack)
    return DispatchResult(
        mode="decomposed",
        objective_cny=objective,
        solve_seconds=solve_s,
        build_seconds=timings["build"],
        n_windows=len(cores),
        status="ok",
        condition="optimal",
        timings=timings,
        diagnostics={
            "plan_objective_cny": float(plan.objective),
            "boundary_slack_mwh": slack,
            "workers": float(workers),
            "budget_rounds": float(rounds),
        },
    )


# ---------------------------------------------------------------------------------------------
# plan


def _solve_plan(n: pypsa.Network, solver: SolverOptions) -> tuple[pypsa.Network, np.ndarray]:
    """Solve the coarse plan; return it and the plan period (position) of every hour of ``n``."""
    result = n.cluster.temporal.get_resample_result(PLAN_OFFSET)
    plan = result.n
    for c in (plan.c.generators, plan.c.links):
        for attr in ("ramp_limit_up", "ramp_limit_down"):
            if attr in c.static:
                c.static[attr] = np.nan
            if attr in c.dynamic and not c.dynamic[attr].empty:
                c.dynamic[attr] = c.dynamic[attr].iloc[:, :0]
    gens = plan.c.generators
    for g, length in dr_event_hours(plan).items():
        scale = length / (length + 1)
        if g in gens.dynamic.p_max_pu:
            gens.dynamic.p_max_pu[g] *= scale
        else:
            gens.static.loc[g, "p_max_pu"] *= scale
    plan.optimize.create_model(include_objective_constant=False, **model_options(plan))
    with native_stdout_silenced():
        status, condition = plan.optimize.solve_model(
            solver_name=solver.name, io_api="direct", solver_options=highs_options(solver)
        )
    check_solved(plan.model, status, condition, what=f"seasonal plan ({PLAN_OFFSET} resolution)")
    smap = result.snapshot_map.reindex(n.snapshots)
    period = plan.snapshots.get_indexer(pd.DatetimeIndex(smap.to_numpy()))
    if (period < 0).any():
        raise SolveError("seasonal plan: some hours are not mapped to a plan period")
    return plan, period


def _window_cores(period: np.ndarray, hours: int) -> list[tuple[int, int]]:
    """Core ``[start, end)`` hour ranges, starting at plan-period starts, about ``hours`` long."""
    total = len(period)
    starts = np.flatnonzero(np.r_[True, period[1:] != period[:-1]])
    cores = []
    b = 0
    while total - b >= 1.5 * hours:
        nxt = int(starts[np.argmin(np.abs(starts - (b + hours)))])
        if nxt <= b:
            nxt = int(starts[starts > b][0])
        cores.append((b, nxt))
        b = nxt
    cores.append((b, total))
    return cores


# ---------------------------------------------------------------------------------------------
# hourly LP as matrices


def _label_positions(items: Any, size: int) -> np.ndarray:
    """Snapshot position of every label of a linopy container (-1 where no time dimension)."""
    pos = np.full(size, -1, dtype=np.int64)
    for _, obj in items:
        labels = obj.labels
        if "snapshot" not in labels.dims:
            continue
        lab = labels.transpose("snapshot", ...).values
        idx = np.broadcast_to(np.arange(lab.shape[0]).reshape((-1,) + (1,) * (lab.ndim - 1)), lab.shape)
        ok = lab >= 0
        pos[lab[ok]] = idx[ok]
    return pos


def _matrices(m: Any) -> dict[str, Any]:
    """The LP of linopy model ``m``: A, row and column bounds, costs and time positions."""
    M = m.matrices
    A = sp.csr_array(M.A)
    b = np.asarray(M.b, dtype=float)
    sense = np.asarray(M.sense)
    row_lo = np.where(sense == "<", -np.inf, b)
    row_hi = np.where(sense == ">", np.inf, b)
    vlabels = np.asarray(M.vlabels)
    clabels = np.asarray(M.clabels)
    vpos = _label_positions(m.variables.items(), m._xCounter)
    cpos = _label_positions(m.constraints.items(), m._cCounter)
    return {
        "A": A, "row_lo": row_lo, "row_hi": row_hi,
        "col_lb": np.asarray(M.lb, dtype=float), "col_ub": np.asarray(M.ub, dtype=float),
        "cost": np.asarray(M.c, dtype=float), "col_label": vlabels, "row_label": clabels,
        "col_pos": vpos[vlabels], "row_pos": cpos[clabels],
    }  # fmt: skip


def _boundary_targets(
    n: pypsa.Network, m: Any, plan: pypsa.Network, period: np.ndarray, col_label: np.ndarray
) -> np.ndarray:
    """Boundary level [MWh] of every storage-level column at its own hour (nan elsewhere)."""
    target_by_label = np.full(m._xCounter, np.nan)
    pieces = []
    if "Store-e" in m.variables:
        e = plan.c.stores.dynamic.e
        pieces.append(("Store-e", e, pd.Series(True, index=n.c.stores.static.index), None))
    if "StorageUnit-state_of_charge" in m.variables:
        su = n.c.storage_units.static
        long = su.max_hours >= LONG_STORAGE_HOURS
        cap = su.p_nom * su.max_hours * SHORT_STORAGE_BOUNDARY
        pieces.append(
            ("StorageUnit-state_of_charge", plan.c.storage_units.dynamic.state_of_charge, long, cap)
        )
    for name, plan_level, long, short_level in pieces:
        labels = m.variables[name].labels.transpose("snapshot", "name")
        names = pd.Index(labels.coords["name"].values)
        lab = labels.values
        is_long = long.reindex(names).fillna(True).to_numpy()
        hourly = plan_level.reindex(columns=names).to_numpy()[period]  # hours x names
        if short_level is not None:
            hourly[:, ~is_long] = short_level.reindex(names).to_numpy()[~is_long]
        ok = lab >= 0
        target_by_label[lab[ok]] = hourly[ok]
    return target_by_label[col_label]


def _split_budgets(
    m: Any,
    plan: pypsa.Network,
    lp: dict[str, Any],
    budget_rows: np.ndarray,
    period: np.ndarray,
    cores: list[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray]:
    """Per-window bounds of every time-less row: the budget split by the plan's use."""
    nw = len(cores)
    lo = np.zeros((nw, len(budget_rows)))
    hi = np.zeros((nw, len(budget_rows)))
    if not len(budget_rows):
        return lo, hi
    pm = plan.model
    plp = _matrices(pm)
    x_plan = np.zeros(pm._xCounter)
    for _, var in pm.variables.items():
        start, end = var.range
        x_plan[start:end] = np.nan_to_num(var.solution.values.ravel())
    x_plan = x_plan[plp["col_label"]]
    plan_row_of_label = np.full(pm._cCounter, -1)
    plan_row_of_label[plp["row_label"]] = np.arange(len(plp["row_label"]))
    n_periods = int(period.max()) + 1
    window_of_period = np.zeros(n_periods, dtype=int)
    hours = np.zeros(nw)
    for k, (s, e) in enumerate(cores):
        window_of_period[period[s:e]] = k
        hours[k] = e - s
    hourly_label = lp["row_label"][budget_rows]
    for j, label in enumerate(hourly_label):
        name, coord = m.constraints.get_label_position(int(label))
        plan_label = int(pm.constraints[name].labels.sel(coord).values)
        row = plan_row_of_label[plan_label]
        a = plp["A"][[row], :]
        cols = a.indices
        use = np.bincount(window_of_period[plp["col_pos"][cols]], weights=a.data * x_plan[cols], minlength=nw)
        use = np.clip(use, 0, None)
        bounds = np.array([lp["row_lo"][budget_rows[j]], lp["row_hi"][budget_rows[j]]])
        scale = max(use.sum(), float(np.abs(bounds[np.isfinite(bounds)]).max(initial=0.0)))
        base = use + BUDGET_ALLOWANCE * scale * hours / hours.sum()
        share = base / base.sum() if base.sum() > 0 else hours / hours.sum()
        lo[:, j] = lp["row_lo"][budget_rows[j]] * share
        hi[:, j] = lp["row_hi"][budget_rows[j]] * share
    return lo, hi


def _window_failure(n: pypsa.Network, m: Any, lp: dict[str, Any], core: tuple[int, int], res: dict) -> str:
    first, last = n.snapshots[core[0]], n.snapshots[core[1] - 1]
    msg = (
        f"decomposed dispatch: window {first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M} "
        f"ended '{res['condition']}'"
    )
    if res["condition"] == "time_limit":
        return msg + "; its solution is not usable. Raise solver.time_limit_s."
    rows = res.get("iis_rows")
    if rows is not None and len(rows):
        names = [format_constraint_label(m, int(lp["row_label"][r])) for r in rows[:10]]
        more = f"\n  ... and {len(rows) - 10} more" if len(rows) > 10 else ""
        msg += ".\nConflicting constraints (IIS):\n  " + "\n  ".join(names) + more
    return msg


# ---------------------------------------------------------------------------------------------
# stitching


def _stitch(
    n: pypsa.Network, m: Any, lp: dict[str, Any], budget_rows: np.ndarray, results: list[dict]
) -> tuple[float, float]:
    """Write the windows' core results into ``m`` and the network; return (objective, slack)."""
    x = np.full(m._xCounter, np.nan)
    y = np.full(m._cCounter, 0.0)
    budget_y = np.zeros(len(budget_rows))
    for res in results:
        x[lp["col_label"][res["cols"]]] = res["x"]
        y[lp["row_label"][res["rows"]]] = res["y"]
        budget_y += res["budget_y"] / len(results)
    y[lp["row_label"][budget_rows]] = budget_y
    for _, var in m.variables.items():
        start, end = var.range
        var.solution = xr.DataArray(x[start:end].reshape(var.shape), var.coords, dims=var.dims)
    for _, con in m.constraints.items():
        start, end = con.range
        coords = {dim: con.coords[dim] for dim in con.coord_dims}
        con.dual = xr.DataArray(y[start:end].reshape(con.shape), coords, dims=con.coord_dims)
    objective = float(sum(r["objective"] for r in results))
    m.objective._value = objective
    m.status, m.termination_condition = "ok", "optimal"
    n.optimize.assign_solution()
    n.optimize.assign_duals(False)
    n.optimize.post_processing()
    return objective, float(sum(r["slack"] for r in results))
