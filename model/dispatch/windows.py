"""A window of a time-indexed LP: its hours cut out, what lies before it fixed, extras appended.

Pure functions on :class:`~model.dispatch.matrices.LinearProgram`:

- :func:`slice_window` keeps the rows and columns of hours ``[start, end)``. A kept row that
  reaches a column outside the window (a storage balance, ramp, start-up or minimum-up-time row
  reaching back to the hours before it) takes that column's value from ``known`` onto its
  right-hand side; if the value is not known the row is dropped.
- :func:`with_budgets` appends rows without a time dimension (annual budgets such as DR hours),
  restricted to the window's *core* hours, with the bounds the caller allots to the window.
- :func:`with_targets` appends a soft target on chosen columns (a storage level at the end of the
  window): ``x + below - above = target`` with a price on each deviation, so the target can be a
  pin (both prices high) or a value of what is left (water values from the seasonal plan).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from model.dispatch.highs import MatrixLP
from model.dispatch.matrices import LinearProgram


@dataclass(frozen=True)
class WindowLP:
    """A window's LP and where its first columns and rows come from.

    Attributes
    ----------
    lp : MatrixLP
        The window's LP: the sliced columns first, then appended ones (target deviations).
    cols : numpy.ndarray of int
        Column of the full LP of each of the first ``len(cols)`` window columns.
    rows : numpy.ndarray of int
        Row of the full LP of each of the first ``len(rows)`` window rows (budgets and targets
        are appended after them).
    n_budget : int
        Budget rows appended after ``rows``.
    """

    lp: MatrixLP
    cols: np.ndarray
    rows: np.ndarray
    n_budget: int = 0


def slice_window(lp: LinearProgram, start: int, end: int, known: np.ndarray) -> WindowLP:
    """Hours ``[start, end)`` of ``lp``, with columns outside the window fixed from ``known``.

    Parameters
    ----------
    lp : LinearProgram
        The full time-indexed LP.
    start, end : int
        First and one-past-last snapshot position of the window.
    known : numpy.ndarray
        A value for every column of ``lp`` (NaN where unknown); only columns outside the window
        that kept rows refer to are read.

    Returns
    -------
    WindowLP
        Rows are the full LP's rows of these hours that refer only to columns of the window or
        to known columns (moved to the right-hand side).
    """
    cols = lp.cols_between(start, end)
    rows = lp.rows_between(start, end)
    sub = lp.A[rows, :].tocoo()
    local = local_index(cols, sub.col)
    outside = local < 0
    value = known[sub.col[outside]]
    fixable = np.isfinite(value)
    out_rows = sub.row[outside]
    shift = np.bincount(out_rows[fixable], weights=sub.data[outside][fixable] * value[fixable],
                        minlength=len(rows))  # fmt: skip
    drop = np.zeros(len(rows), dtype=bool)
    drop[out_rows[~fixable]] = True
    keep = np.flatnonzero(~drop)
    new_row = np.full(len(rows), -1, dtype=np.int64)
    new_row[keep] = np.arange(len(keep))
    entry = ~outside & ~drop[sub.row]
    A = sp.csc_array(
        (sub.data[entry], (new_row[sub.row[entry]], local[entry])), shape=(len(keep), len(cols))
    )
    matrix = MatrixLP(
        A=A,
        row_lo=(lp.row_lo[rows] - shift)[keep],
        row_hi=(lp.row_hi[rows] - shift)[keep],
        col_lo=lp.col_lo[cols],
        col_hi=lp.col_hi[cols],
        cost=lp.cost[cols],
    )
    return WindowLP(matrix, cols, rows[keep])


def local_index(cols: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Position in the sorted ``cols`` of each full-LP column in ``full``; -1 where it is not one."""
    at = np.searchsorted(cols, full)
    found = at < len(cols)
    found[found] = cols[at[found]] == full[found]
    return np.where(found, at, -1)


def with_budgets(
    win: WindowLP, lp: LinearProgram, budget_rows: np.ndarray, lo: np.ndarray, hi: np.ndarray, core_end: int
) -> WindowLP:
    """Append the rows ``budget_rows`` of ``lp`` over the window's hours before ``core_end``.

    ``lo`` and ``hi`` are the bounds allotted to this window (one per budget row).
    """
    if not len(budget_rows):
        return win
    sub = lp.A[budget_rows, :].tocoo()
    lc = local_index(win.cols, sub.col)
    ok = (lc >= 0) & (lp.col_pos[sub.col] < core_end)
    extra = sp.csc_array(
        (sub.data[ok], (sub.row[ok], lc[ok])), shape=(len(budget_rows), win.lp.A.shape[1])
    )
    m = win.lp
    grown = MatrixLP(
        A=sp.csc_array(sp.vstack([m.A, extra])),
        row_lo=np.r_[m.row_lo, lo],
        row_hi=np.r_[m.row_hi, hi],
        col_lo=m.col_lo,
        col_hi=m.col_hi,
        cost=m.cost,
    )
    return WindowLP(grown, win.cols, win.rows, win.n_budget + len(budget_rows))


def with_targets(
    win: WindowLP, cols: np.ndarray, target: np.ndarray, price_below: np.ndarray, price_above: np.ndarray
) -> WindowLP:
    """Append soft targets ``x[c] + below - above = target`` on full-LP columns ``cols``.

    Each MWh ``below`` the target costs ``price_below``, each MWh ``above`` it costs
    ``price_above`` (negative: a reward, the value of what is kept). The prices must satisfy
    ``price_below + price_above >= 0`` so the LP stays bounded. Deviation columns are appended
    after the window's columns (``below`` first, then ``above``).
    """
    k = len(cols)
    if not k:
        return win
    if np.any(price_below + price_above < -1e-9):
        raise ValueError("with_targets: price_below + price_above must be >= 0")
    local = local_index(win.cols, np.asarray(cols))
    if np.any(local < 0):
        raise ValueError("with_targets: a target column is not in the window")
    m = win.lp
    n_rows, n_cols = m.A.shape
    r = np.arange(k)
    entries = np.r_[np.ones(k), np.ones(k), -np.ones(k)]
    where = (np.r_[r, r, r], np.r_[local, n_cols + r, n_cols + k + r])
    block = sp.csc_array((entries, where), shape=(k, n_cols + 2 * k))
    A = sp.csc_array(sp.vstack([sp.hstack([m.A, sp.csc_array((n_rows, 2 * k))]), block]))
    grown = MatrixLP(
        A=A,
        row_lo=np.r_[m.row_lo, target],
        row_hi=np.r_[m.row_hi, target],
        col_lo=np.r_[m.col_lo, np.zeros(2 * k)],
        col_hi=np.r_[m.col_hi, np.full(2 * k, np.inf)],
        cost=np.r_[m.cost, price_below, price_above],
    )
    return WindowLP(grown, win.cols, win.rows, win.n_budget)
