"""One HiGHS model for a run of windows: loaded once, then updated in place.

Every window of a part of the year is a slice of the same hourly LP over the same number of
hours, so consecutive windows have the same constraint matrix, entry for entry: a change of
hours changes bounds, right-hand sides and costs only (loads, inflows, availabilities, the
reach-back values of the hours before the window, the end-of-window targets). A
:class:`WindowSolver` therefore keeps one :class:`highspy.Highs` per sequence of windows and,
when the next window's matrix equals the one it holds, changes only those vectors
(``changeColsBounds``, ``changeRowsBounds``, ``changeColsCost``) instead of loading a model.
A window of another shape (a shorter last window of a month, a part's end with its pins) is
loaded afresh.

How each solve starts
---------------------
- ``basis`` given (a related case's optimal basis for the same window, see
  :mod:`model.dispatch.warm`): HiGHS starts from it. If HiGHS refuses it, a warning says so and
  the window is solved cold.
- otherwise, with ``hot=True`` and the model updated in place, HiGHS starts from the previous
  window's optimal basis (a hot start: its factorisation is kept, presolve is skipped);
- otherwise the window is solved cold, with presolve.

A warm or hot start that does not end optimal (HiGHS can stall on a poor basis) is solved
again cold from a freshly loaded model, with a warning; the result is that LP's optimum either
way. Which optimal vertex a degenerate LP ends on can depend on the start, so a hot-started
year can differ from a cold one within the solver's tolerance; for the same settings it is
the same whatever the number of workers, since each part of the year has its own solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from model.dispatch.highs import Basis, LPSolution, MatrixLP, new_highs, pass_lp, run_highs, set_basis
from model.errors import warn


@dataclass
class WindowSolver:
    """HiGHS for a sequence of window LPs, reusing its model where the matrix is unchanged.

    Attributes
    ----------
    options : dict
        HiGHS options (:func:`model.dispatch.highs.highs_options`).
    hot : bool
        Start an in-place update from the previous window's basis.
    counts : dict of int
        ``loaded`` (models passed to HiGHS), ``updated`` (windows solved by in-place update),
        ``warm`` (solves started from a given or kept basis), ``refused`` (given bases HiGHS
        refused), ``fallback`` (warm starts solved again cold).
    """

    options: dict[str, Any]
    hot: bool = True
    counts: dict[str, int] = field(
        default_factory=lambda: {"loaded": 0, "updated": 0, "warm": 0, "refused": 0, "fallback": 0}
    )
    _h: highspy.Highs | None = None
    _A: sp.csc_array | None = None

    def solve(self, lp: MatrixLP, basis: Basis | None = None) -> LPSolution:
        """Solve ``lp``; from ``basis`` if given (see module docstring)."""
        in_place = self._h is not None and same_matrix(self._A, lp.A)
        if in_place:
            _update(self._h, lp)
            self.counts["updated"] += 1
        else:
            self._load(lp)
        h = self._h
        warm = False
        if basis is not None:
            warm = set_basis(h, basis)  # HiGHS refuses one of another shape: warned, solved cold
            self.counts["refused"] += not warm
        elif in_place and self.hot:
            warm = True
        if in_place and not warm:
            h.clearSolver()  # forget the kept basis: a cold solve with presolve
        self.counts["warm"] += warm
        res = run_highs(h, lp.cost, warm)
        if warm and res.condition != "optimal":
            warn(f"a warm-started window ended '{res.condition}'; solving it again cold")
            self.counts["fallback"] += 1
            self._load(lp)
            res = run_highs(self._h, lp.cost, False)
        return res

    def _load(self, lp: MatrixLP) -> None:
        if self._h is None:
            self._h = new_highs(self.options)
        pass_lp(self._h, lp)
        self._A = lp.A
        self.counts["loaded"] += 1


def same_matrix(a: sp.csc_array | None, b: sp.csc_array) -> bool:
    """Whether two CSC matrices are the same, entry for entry (shape, pattern and values)."""
    return (
        a is not None
        and a.shape == b.shape
        and a.nnz == b.nnz
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


def _update(h: highspy.Highs, lp: MatrixLP) -> None:
    """Give ``h`` the bounds and costs of ``lp`` (whose matrix ``h`` already holds)."""
    n_rows, n_cols = lp.A.shape
    cols = np.arange(n_cols, dtype=np.int32)
    h.changeColsBounds(n_cols, cols, lp.col_lo, lp.col_hi)
    h.changeColsCost(n_cols, cols, lp.cost)
    h.changeRowsBounds(n_rows, np.arange(n_rows, dtype=np.int32), lp.row_lo, lp.row_hi)
