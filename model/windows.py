"""One hourly window of the decomposed dispatch, cut out of the full-horizon LP and solved.

:mod:`model.decomposition` turns the hourly linopy model into matrices once and publishes them
in :data:`WORK` before it starts a ``fork`` process pool; each worker runs :func:`solve_window`
on a window's rows and columns with HiGHS (one thread), so no model is rebuilt or pickled per
window. :func:`rebalance` moves unused annual budget between windows after a round.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from model.dispatch import native_stdout_silenced


@dataclass
class WindowWork:
    """The sliced hourly LP in matrix form, with time positions and boundary data."""

    A: sp.csr_array  # rows x cols, matrix order
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lb: np.ndarray
    col_ub: np.ndarray
    cost: np.ndarray
    col_pos: np.ndarray  # snapshot position of each column (-1: none)
    row_pos: np.ndarray  # snapshot position of each row (-1: none, e.g. a budget)
    col_target: np.ndarray  # boundary level of each storage-level column at its hour (nan: not storage)
    cores: list[tuple[int, int]]
    overlap: int
    budget_rows: np.ndarray  # matrix rows without a time dimension
    budget_lo: np.ndarray  # windows x budget rows
    budget_hi: np.ndarray
    penalty: float
    options: dict[str, Any]


#: Work shared with forked window workers (set in the parent before the pool starts).
WORK: WindowWork | None = None


def rebalance(results: list[dict[str, Any]], lo: np.ndarray, hi: np.ndarray) -> list[int]:
    """Move unused budget to the windows where it binds (in place); return windows to re-solve.

    Only upper budgets (``e_sum_max``-like rows) move. A window whose budget did not bind keeps
    exactly what it used (its solution stays optimal); the rest goes to the binding windows in
    proportion to the budget's marginal value (row dual) there. Shares still sum to the budget.
    """
    if not hi.size:
        return []
    use = np.array([r["budget_use"] for r in results])
    value = np.abs(np.array([r["budget_y"] for r in results]))
    finite = np.isfinite(hi) & ~np.isfinite(lo)  # upper budgets only
    binding = finite & (value > 1e-6) & (use >= hi - 1e-6 * np.maximum(1.0, np.abs(hi)))
    spare = np.where(finite & ~binding, np.clip(hi - use, 0, None), 0.0)
    pool = spare.sum(axis=0)
    weight = np.where(binding, value, 0.0)
    movable = (pool > 1e-6 * np.maximum(1.0, np.abs(hi).sum(axis=0, where=finite, initial=0.0))) & (
        weight.sum(axis=0) > 0
    )
    if not movable.any():
        return []
    for j in np.flatnonzero(movable):
        hi[:, j] -= spare[:, j]
        hi[:, j] += pool[j] * weight[:, j] / weight[:, j].sum()
    return sorted(int(k) for k in np.flatnonzero((binding[:, movable]).any(axis=1)))


def solve_window(task: tuple[int, np.ndarray, np.ndarray]) -> dict[str, Any]:
    """Slice window ``k`` out of the hourly LP, solve it with HiGHS, return its core results."""
    k, budget_lo, budget_hi = task
    w = WORK
    assert w is not None
    s, ce = w.cores[k]
    we = min(ce + w.overlap, w.cores[-1][1])
    cols = np.flatnonzero((w.col_pos >= s) & (w.col_pos < we))
    local = np.full(len(w.col_pos), -1)
    local[cols] = np.arange(len(cols))
    rows = np.flatnonzero((w.row_pos >= s) & (w.row_pos < we))
    sub = w.A[rows, :].tocoo()
    inside = local[sub.col] >= 0
    lo = w.row_lo[rows].copy()
    hi = w.row_hi[rows].copy()
    # reach-back to a storage level before the window: move the boundary level to the rhs
    out = ~inside
    tgt = w.col_target[sub.col[out]]
    fixable = ~np.isnan(tgt)
    shift = np.bincount(
        sub.row[out][fixable], weights=sub.data[out][fixable] * tgt[fixable], minlength=len(rows)
    )
    lo -= shift
    hi -= shift
    drop = np.zeros(len(rows), dtype=bool)
    drop[sub.row[out][~fixable]] = True
    keep_rows = np.flatnonzero(~drop)
    new_row = np.full(len(rows), -1)
    new_row[keep_rows] = np.arange(len(keep_rows))
    ent = inside & ~drop[sub.row]
    r_idx = [new_row[sub.row[ent]]]
    c_idx = [local[sub.col[ent]]]
    vals = [sub.data[ent]]
    row_lo = [lo[keep_rows]]
    row_hi = [hi[keep_rows]]
    nrow = len(keep_rows)
    # budgets over the core hours only
    core_local = w.col_pos[cols] < ce
    if len(w.budget_rows):
        bsub = w.A[w.budget_rows, :].tocoo()
        lc = local[bsub.col]
        ok = (lc >= 0) & core_local[np.maximum(lc, 0)]
        r_idx.append(nrow + bsub.row[ok])
        c_idx.append(lc[ok])
        vals.append(bsub.data[ok])
        row_lo.append(budget_lo)
        row_hi.append(budget_hi)
        nrow += len(w.budget_rows)
    # pin storage levels at the end of the core: e + s+ - s- = target
    pin = cols[(w.col_pos[cols] == ce - 1) & ~np.isnan(w.col_target[cols])]
    npin = len(pin)
    ncol = len(cols)
    if npin:
        r = nrow + np.arange(npin)
        r_idx += [r, r, r]
        c_idx += [local[pin], ncol + np.arange(npin), ncol + npin + np.arange(npin)]
        vals += [np.ones(npin), np.ones(npin), -np.ones(npin)]
        row_lo.append(w.col_target[pin])
        row_hi.append(w.col_target[pin])
        nrow += npin
    A = sp.csc_array(
        (np.concatenate(vals), (np.concatenate(r_idx), np.concatenate(c_idx))), shape=(nrow, ncol + 2 * npin)
    )
    A.sum_duplicates()
    cost = np.r_[w.cost[cols], np.full(2 * npin, w.penalty)]
    lb = np.r_[w.col_lb[cols], np.zeros(2 * npin)]
    ub = np.r_[w.col_ub[cols], np.full(2 * npin, np.inf)]

    with native_stdout_silenced():
        h = highspy.Highs()
    for key, value in w.options.items():
        h.setOptionValue(key, value)
    hlp = highspy.HighsLp()
    hlp.num_col_ = ncol + 2 * npin
    hlp.num_row_ = nrow
    hlp.col_cost_ = cost
    hlp.col_lower_ = lb
    hlp.col_upper_ = ub
    hlp.row_lower_ = np.concatenate(row_lo)
    hlp.row_upper_ = np.concatenate(row_hi)
    hlp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    hlp.a_matrix_.start_ = A.indptr
    hlp.a_matrix_.index_ = A.indices
    hlp.a_matrix_.value_ = A.data
    h.passModel(hlp)
    t0 = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - t0
    condition = h.modelStatusToString(h.getModelStatus()).lower()
    result: dict[str, Any] = {"solve_seconds": solve_s, "condition": condition}
    if condition != "optimal":
        result["condition"] = {"time limit reached": "time_limit"}.get(condition, condition)
        if condition == "infeasible":
            try:
                _, iis = h.getIis()
                iis_rows = np.asarray(iis.row_index_, dtype=int)
                iis_rows = iis_rows[iis_rows < len(keep_rows)]
                result["iis_rows"] = rows[keep_rows[iis_rows]]
            except Exception:
                result["iis_rows"] = np.array([], dtype=int)
        return result
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    y = np.asarray(sol.row_dual)
    core_cols = np.flatnonzero(core_local)
    budget_use = np.zeros(len(w.budget_rows))
    if len(w.budget_rows):
        budget_use = np.bincount(
            bsub.row[ok], weights=bsub.data[ok] * x[lc[ok]], minlength=len(w.budget_rows)
        )
    core_rows = np.flatnonzero(w.row_pos[rows[keep_rows]] < ce)
    result.update(
        cols=cols[core_cols],
        x=x[core_cols],
        rows=rows[keep_rows[core_rows]],
        y=y[core_rows],
        budget_use=budget_use,
        budget_y=y[len(keep_rows) : len(keep_rows) + len(w.budget_rows)],
        objective=float(cost[core_cols] @ x[core_cols]),
        slack=float(x[ncol:].sum()),
    )
    return result
