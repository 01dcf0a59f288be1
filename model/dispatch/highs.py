"""HiGHS for gzgrid: options, the optimality check, infeasibility diagnosis, and matrix solves.

A solve is accepted only when HiGHS reports the termination condition ``optimal``; anything
else (time limit, infeasible, unbounded, numerical trouble) raises :class:`SolveError`, since a
time-limited solve comes back as status ``ok`` with a garbage solution. An infeasible model is
diagnosed with HiGHS' irreducible infeasible subsystem (IIS): the message names the conflicting
constraints and their coordinates.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import pandas as pd
import pypsa
import scipy.sparse as sp

from model.errors import SolveError, warn
from model.scenario import SolverOptions

#: Most IIS constraints quoted in an infeasibility message.
IIS_LINES = 10


def configure_pypsa() -> None:
    """Set the PyPSA options gzgrid relies on: no network requests, explicit string dtype."""
    pypsa.options.general.allow_network_requests = False
    pypsa.options.api.legacy_string_dtype = False


@contextlib.contextmanager
def native_stdout_silenced():
    """Send C-level standard output to /dev/null for the duration.

    HiGHS prints its banner from C++ straight to file descriptor 1 whenever a solver object is
    created, whatever its ``output_flag``; that would break the command line's output.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def highs_options(solver: SolverOptions, threads: int | None = None) -> dict[str, Any]:
    """HiGHS options for one solve: time limit [s], threads, quiet, then the user's own."""
    opts: dict[str, Any] = {
        "time_limit": float(solver.time_limit_s),
        "threads": int(threads if threads is not None else solver.threads),
        "output_flag": False,
    }
    opts.update(solver.options)
    return opts


def model_options(n: pypsa.Network) -> dict[str, Any]:
    """Options of ``create_model``: committable units (generators or links) use linearised unit commitment.

    Without it PyPSA would make the commitment status binary and the year a MILP.
    """
    committable = n.c.generators.static.committable.any() or n.c.links.static.committable.any()
    return {"linearized_unit_commitment": bool(committable)}


def check_solved(m: Any, status: str, condition: str, what: str) -> None:
    """Raise :class:`SolveError` unless the solve ended ``optimal`` (IIS named if infeasible)."""
    if condition == "optimal":
        return
    if condition in ("infeasible", "infeasible_or_unbounded"):
        raise SolveError(f"{what} is infeasible ({status}/{condition}).\n{iis_message(m)}")
    if condition == "time_limit":
        raise SolveError(time_limit_message(what, f"{status}/{condition}"))
    raise SolveError(f"{what} did not solve to optimality: status {status!r}, condition {condition!r}")


def time_limit_message(what: str, detail: str) -> str:
    """The one message for a solve stopped by the time limit."""
    return (
        f"{what} hit the solver time limit before reaching an optimal solution ({detail}); its "
        "solution is not usable. Raise solver.time_limit_s or use dispatch.mode: decomposed."
    )


def iis_message(m: Any, max_lines: int = IIS_LINES) -> str:
    """Name the constraints of HiGHS' irreducible infeasible subsystem of linopy model ``m``."""
    try:
        labels = m.compute_infeasibilities()
    except Exception as exc:  # the IIS is a diagnosis; never hide the infeasibility behind it
        return f"(no conflicting constraints could be computed: {exc})"
    if not labels:
        return "(HiGHS returned an empty IIS)"
    return conflict_lines([format_constraint_label(m, int(lab)) for lab in labels], max_lines)


def conflict_lines(names: list[str], max_lines: int = IIS_LINES) -> str:
    """``Conflicting constraints (IIS):`` and at most ``max_lines`` constraint names."""
    more = f"\n  ... and {len(names) - max_lines} more" if len(names) > max_lines else ""
    return "Conflicting constraints (IIS):\n  " + "\n  ".join(names[:max_lines]) + more


def format_constraint_label(m: Any, label: int) -> str:
    """``"Generator-fix-p-lower[coal_a, 2030-01-01 03:00]"`` for linopy constraint ``label``."""
    name, coord = m.constraints.get_label_position(label)
    if name is None:
        return f"constraint #{label}"
    parts = []
    for value in coord.values():
        if isinstance(value, pd.Timestamp):
            parts.append(value.strftime("%Y-%m-%d %H:%M"))
        else:
            parts.append(str(value))
    return f"{name}[{', '.join(parts)}]" if parts else name


@dataclass(frozen=True)
class MatrixLP:
    """An LP ``min cost·x`` s.t. ``row_lo <= A x <= row_hi``, ``col_lo <= x <= col_hi``."""

    A: sp.csc_array
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    cost: np.ndarray


@dataclass(frozen=True)
class Basis:
    """A simplex basis: HiGHS' status of every column and row (0 lower, 1 basic, 2 upper, 3 zero)."""

    cols: np.ndarray
    rows: np.ndarray


@dataclass(frozen=True)
class LPSolution:
    """What HiGHS returned for a :class:`MatrixLP`.

    ``condition`` is ``"optimal"``, ``"time_limit"``, ``"infeasible"`` or HiGHS' own words;
    ``x`` (primal) and ``y`` (row duals, d objective / d row bound) are empty unless optimal;
    ``iis_rows`` are local row indices of an irreducible infeasible subsystem, if one was found;
    ``basis`` is the optimal basis (for warm starts); ``warm`` says whether the solve started
    from a given basis that HiGHS accepted.
    """

    condition: str
    x: np.ndarray
    y: np.ndarray
    objective: float
    seconds: float
    iis_rows: np.ndarray
    basis: Basis | None = None
    warm: bool = False


_STATUS = tuple(highspy.HighsBasisStatus(i) for i in range(5))


def solve_matrix_lp(lp: MatrixLP, options: dict[str, Any], basis: Basis | None = None) -> LPSolution:
    """Solve ``lp`` with HiGHS (options as from :func:`highs_options`), from ``basis`` if given.

    A warm start skips HiGHS' presolve, so it pays only where the basis is close to optimal
    (the same LP with changed bounds: a later re-plan, another sweep case). A basis HiGHS
    rejects is dropped with a warning and the LP is solved cold: the result is the same LP's
    optimum either way.
    """
    h = new_highs(options)
    pass_lp(h, lp)
    warm = basis is not None and set_basis(h, basis)
    return run_highs(h, lp.cost, warm)


def new_highs(options: dict[str, Any]) -> highspy.Highs:
    """A HiGHS instance with ``options`` set (its banner kept off standard output)."""
    with native_stdout_silenced():
        h = highspy.Highs()
    for key, value in options.items():
        h.setOptionValue(key, value)
    return h


def pass_lp(h: highspy.Highs, lp: MatrixLP) -> None:
    """Load ``lp`` into ``h``, replacing whatever model it held."""
    hlp = highspy.HighsLp()
    hlp.num_col_ = lp.A.shape[1]
    hlp.num_row_ = lp.A.shape[0]
    hlp.col_cost_ = lp.cost
    hlp.col_lower_ = lp.col_lo
    hlp.col_upper_ = lp.col_hi
    hlp.row_lower_ = lp.row_lo
    hlp.row_upper_ = lp.row_hi
    hlp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    hlp.a_matrix_.start_ = lp.A.indptr
    hlp.a_matrix_.index_ = lp.A.indices
    hlp.a_matrix_.value_ = lp.A.data
    h.passModel(hlp)


def run_highs(h: highspy.Highs, cost: np.ndarray, warm: bool) -> LPSolution:
    """Run ``h`` on the model it holds and read what it found (``cost``: the LP's objective)."""
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    words = h.modelStatusToString(h.getModelStatus()).lower()
    condition = {"time limit reached": "time_limit"}.get(words, words)
    empty = np.empty(0)
    if condition != "optimal":
        iis = np.empty(0, dtype=int)
        if condition == "infeasible":
            with contextlib.suppress(Exception):  # a diagnosis only; never hide the infeasibility
                _, found = h.getIis()
                iis = np.asarray(found.row_index_, dtype=int)
        return LPSolution(condition, empty, empty, float("nan"), seconds, iis, warm=warm)
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    b = h.getBasis()
    n_cols, n_rows = len(cost), len(sol.row_dual)
    optimal_basis = Basis(np.fromiter((s.value for s in b.col_status), np.int8, n_cols),
                          np.fromiter((s.value for s in b.row_status), np.int8, n_rows))  # fmt: skip
    return LPSolution("optimal", x, np.asarray(sol.row_dual), float(cost @ x), seconds,
                      np.empty(0, dtype=int), optimal_basis, warm)  # fmt: skip


def set_basis(h: highspy.Highs, basis: Basis) -> bool:
    """Give HiGHS a starting basis; False (with a warning) if it refuses it."""
    hb = highspy.HighsBasis()
    hb.col_status = [_STATUS[v] for v in basis.cols.tolist()]
    hb.row_status = [_STATUS[v] for v in basis.rows.tolist()]
    hb.valid = True
    if h.setBasis(hb) == highspy.HighsStatus.kOk:
        return True
    warn("HiGHS refused a warm-start basis; solving this LP cold (the result is the same LP's optimum)")
    return False


def mapped_basis(
    previous: Basis, old_cols: np.ndarray, old_rows: np.ndarray, lp: MatrixLP, cols: np.ndarray,
    rows: np.ndarray,
) -> Basis:  # fmt: skip
    """A starting basis for ``lp`` from the optimal basis of a related LP.

    The first ``len(cols)`` columns and ``len(rows)`` rows of ``lp`` are columns and rows
    ``cols`` and ``rows`` of a parent LP; ``old_cols`` and ``old_rows`` say the same of the LP
    that ``previous`` solved (both sorted). A column or row found in both keeps its status;
    appended rows keep the previous LP's appended rows' status in order; the rest start as
    row slacks (basic) and columns at a finite bound. The number of basic variables is then
    set to the number of rows, as a simplex basis needs: surplus basic columns leave at a
    bound, missing ones are filled with row slacks.
    """
    n_rows, n_cols = lp.A.shape
    col = np.zeros(n_cols, dtype=np.int8)
    row = np.ones(n_rows, dtype=np.int8)
    _carry(col, cols, old_cols, previous.cols)
    _carry(row, rows, old_rows, previous.rows)
    extra_old = previous.rows[len(old_rows):]
    k = min(len(extra_old), n_rows - len(rows))
    row[len(rows) : len(rows) + k] = extra_old[:k]
    lo_inf, hi_inf = np.isinf(lp.col_lo), np.isinf(lp.col_hi)
    at_lower = col == 0
    col[at_lower & lo_inf] = np.where(hi_inf[at_lower & lo_inf], 3, 2)
    at_upper = col == 2
    col[at_upper & hi_inf] = np.where(lo_inf[at_upper & hi_inf], 3, 0)
    basic = int((col == 1).sum() + (row == 1).sum())
    if basic > n_rows:
        surplus = np.flatnonzero(col == 1)[: basic - n_rows]
        col[surplus] = np.where(~lo_inf[surplus], 0, np.where(~hi_inf[surplus], 2, 3))
    elif basic < n_rows:
        row[np.flatnonzero(row != 1)[: n_rows - basic]] = 1
    return Basis(col, row)


def _carry(target: np.ndarray, new: np.ndarray, old: np.ndarray, status: np.ndarray) -> None:
    """Copy ``status`` of the entries of ``old`` that are also in ``new`` into ``target`` (by position)."""
    if not len(old) or not len(new):
        return
    at = np.searchsorted(old, new)
    hit = (at < len(old)) & (old[np.minimum(at, len(old) - 1)] == new)
    target[np.flatnonzero(hit)] = status[at[hit]]
