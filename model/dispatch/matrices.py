"""A linopy model as sparse matrices with time positions, and a solution written back into it.

This is the one module that touches linopy's private attributes (label counters, variable and
constraint label ranges, the objective's stored value); everything else in the decomposed
dispatch works on :class:`LinearProgram`.

Rows with a single coefficient (PyPSA writes the bounds of non-extendable assets as such rows,
about half of all rows) are folded into column bounds: the LP the windows solve is then half
the size. Their duals are not kept (PyPSA does not assign them to the network either).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import xarray as xr


@dataclass(frozen=True)
class LinearProgram:
    """``min cost·x`` s.t. ``row_lo <= A x <= row_hi``, ``col_lo <= x <= col_hi``, with time.

    Attributes
    ----------
    A : scipy.sparse.csr_array
        Constraint matrix, rows x columns.
    row_lo, row_hi, col_lo, col_hi, cost : numpy.ndarray
        Bounds and objective coefficients (infinite bounds as ``±inf``).
    col_pos, row_pos : numpy.ndarray of int
        Snapshot position of each column and row; -1 for none (a row without a time dimension
        is an annual *budget*, such as a ``e_sum_max`` limit).
    col_label, row_label : numpy.ndarray of int
        linopy label of each column and row.
    n_labels : tuple of int
        linopy's variable and constraint label counts (sizes of the label spaces).
    """

    A: sp.csr_array
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    cost: np.ndarray
    col_pos: np.ndarray
    row_pos: np.ndarray
    col_label: np.ndarray
    row_label: np.ndarray
    n_labels: tuple[int, int]

    @property
    def budget_rows(self) -> np.ndarray:
        """Rows without a time dimension."""
        return np.flatnonzero(self.row_pos < 0)

    @cached_property
    def _col_index(self) -> tuple[np.ndarray, np.ndarray]:
        return position_index(self.col_pos)

    @cached_property
    def _row_index(self) -> tuple[np.ndarray, np.ndarray]:
        return position_index(self.row_pos)

    def cols_between(self, start: int, end: int) -> np.ndarray:
        """Columns of snapshot positions ``[start, end)``, in column order.

        From an index built once, so a window costs its own size, not the whole LP's: a
        full-length scan and mask per window were tens of MB of temporaries each, which the
        operating system had to fault in again and again in a Dask worker (its allocator is set
        to give freed memory back at once).
        """
        return _between(*self._col_index, start, end)

    def rows_between(self, start: int, end: int) -> np.ndarray:
        """Rows of snapshot positions ``[start, end)``, in row order."""
        return _between(*self._row_index, start, end)


def position_index(pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entries sorted by position (stably), and where the entries of each position start.

    ``starts[p]`` is the first sorted entry with position ``p`` or later, for ``p`` in
    ``0 .. max(pos) + 1``; entries without a position (-1) come before all of them.
    """
    order = np.argsort(pos, kind="stable")
    starts = np.searchsorted(pos[order], np.arange(max(int(pos.max(initial=-1)), -1) + 2))
    return order, starts


def _between(order: np.ndarray, starts: np.ndarray, start: int, end: int) -> np.ndarray:
    last = len(starts) - 1
    lo, hi = starts[min(max(start, 0), last)], starts[min(max(end, 0), last)]
    return np.sort(order[lo:hi])


def label_positions(items: Any, size: int, snapshots: pd.Index) -> np.ndarray:
    """Position in ``snapshots`` of every label of a linopy container (-1: no time dimension).

    A variable or constraint may cover only some snapshots (an end condition at the last one);
    its labels get the positions of those snapshots in the full horizon.
    """
    pos = np.full(size, -1, dtype=np.int64)
    for _, obj in items:
        labels = obj.labels
        if "snapshot" not in labels.dims:
            continue
        lab = labels.transpose("snapshot", ...).values
        where = snapshots.get_indexer(pd.Index(labels.coords["snapshot"].values))
        idx = np.broadcast_to(where.reshape((-1,) + (1,) * (lab.ndim - 1)), lab.shape)
        ok = lab >= 0
        pos[lab[ok]] = idx[ok]
    return pos


def linear_program(m: Any, snapshots: pd.Index) -> LinearProgram:
    """The LP of linopy model ``m`` over ``snapshots``, single-coefficient rows folded into bounds."""
    M = m.matrices
    A = sp.csr_array(M.A)
    b = np.asarray(M.b, dtype=float)
    sense = np.asarray(M.sense)
    row_lo = np.where(sense == "<", -np.inf, b)
    row_hi = np.where(sense == ">", np.inf, b)
    col_lo = np.asarray(M.lb, dtype=float).copy()
    col_hi = np.asarray(M.ub, dtype=float).copy()
    vlabels, clabels = np.asarray(M.vlabels), np.asarray(M.clabels)
    n_var, n_con = m._xCounter, m._cCounter
    vpos = label_positions(m.variables.items(), n_var, snapshots)[vlabels]
    cpos = label_positions(m.constraints.items(), n_con, snapshots)[clabels]
    single = np.diff(A.indptr) == 1
    single[single] = A.data[A.indptr[:-1][single]] != 0
    _fold_into_bounds(A, row_lo, row_hi, col_lo, col_hi, np.flatnonzero(single))
    keep = np.flatnonzero(~single)
    return LinearProgram(
        A=sp.csr_array(A[keep, :]), row_lo=row_lo[keep], row_hi=row_hi[keep], col_lo=col_lo,
        col_hi=col_hi, cost=np.asarray(M.c, dtype=float), col_pos=vpos, row_pos=cpos[keep],
        col_label=vlabels, row_label=clabels[keep], n_labels=(n_var, n_con),
    )  # fmt: skip


def _fold_into_bounds(
    A: sp.csr_array, row_lo: np.ndarray, row_hi: np.ndarray, col_lo: np.ndarray, col_hi: np.ndarray,
    rows: np.ndarray,
) -> None:  # fmt: skip
    """Tighten column bounds in place with the rows ``lo <= a x_j <= hi`` listed in ``rows``."""
    if not len(rows):
        return
    starts = A.indptr[rows]
    col, a = A.indices[starts], A.data[starts]
    lo, hi = row_lo[rows] / a, row_hi[rows] / a
    lo, hi = np.where(a > 0, lo, hi), np.where(a > 0, hi, lo)
    np.maximum.at(col_lo, col, lo)
    np.minimum.at(col_hi, col, hi)


def variable_columns(m: Any, lp: LinearProgram, name: str) -> tuple[np.ndarray, pd.Index]:
    """Column index of variable ``name`` as (snapshots x names), -1 where absent; and the names."""
    column_of_label = np.full(lp.n_labels[0], -1, dtype=np.int64)
    column_of_label[lp.col_label] = np.arange(len(lp.col_label))
    labels = m.variables[name].labels.transpose("snapshot", "name")
    lab = labels.values
    cols = np.where(lab >= 0, column_of_label[np.maximum(lab, 0)], -1)
    return cols, pd.Index(labels.coords["name"].values)


def row_of_label(lp: LinearProgram) -> np.ndarray:
    """Row index of every linopy constraint label (-1 for folded or absent rows)."""
    rows = np.full(lp.n_labels[1], -1, dtype=np.int64)
    rows[lp.row_label] = np.arange(len(lp.row_label))
    return rows


def constraint_label(m: Any, name: str, coords: dict[str, Any]) -> int:
    """The linopy label of constraint ``name`` at ``coords``."""
    return int(m.constraints[name].labels.sel(coords).values)


def label_coords(m: Any, label: int) -> tuple[str | None, dict[str, Any]]:
    """Name and coordinates of linopy constraint ``label``."""
    return m.constraints.get_label_position(int(label))


def write_solution(m: Any, lp: LinearProgram, x: np.ndarray, y: np.ndarray, objective: float) -> None:
    """Put a primal ``x`` (by column) and duals ``y`` (by row) into linopy model ``m`` as solved.

    Folded rows get dual 0; the objective value is set to ``objective`` and the model is marked
    ``ok``/``optimal`` so PyPSA's ``assign_solution``/``assign_duals`` can read it.
    """
    xs = np.full(lp.n_labels[0], np.nan)
    ys = np.zeros(lp.n_labels[1])
    xs[lp.col_label] = x
    ys[lp.row_label] = y
    for _, var in m.variables.items():
        start, end = var.range
        var.solution = xr.DataArray(xs[start:end].reshape(var.shape), var.coords, dims=var.dims)
    for _, con in m.constraints.items():
        start, end = con.range
        coords = {dim: con.coords[dim] for dim in con.coord_dims}
        con.dual = xr.DataArray(ys[start:end].reshape(con.shape), coords, dims=con.coord_dims)
    m.objective._value = objective
    m.status, m.termination_condition = "ok", "optimal"


def read_solution(m: Any, lp: LinearProgram) -> np.ndarray:
    """The primal solution of a solved linopy model ``m``, by column of ``lp``."""
    xs = np.zeros(lp.n_labels[0])
    for _, var in m.variables.items():
        start, end = var.range
        xs[start:end] = np.nan_to_num(var.solution.values.ravel())
    return xs[lp.col_label]
