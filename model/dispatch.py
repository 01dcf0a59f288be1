"""Solving a gzgrid network: monolithic (one LP for the year) or decomposed (plan + windows).

``dispatch(n, options, solver)`` solves ``n`` in place: results land in PyPSA's ordinary result
attributes (``n.c.generators.dynamic.p``, ``n.c.buses.dynamic.marginal_price``, ...,
``n.objective``), whichever mode is used, so analysis code never needs to know the mode.

Monolithic mode is the reference: the whole horizon as one LP through ``n.optimize`` with HiGHS.
Decomposed mode (:mod:`model.decomposition`) solves a coarse seasonal plan and then hourly
windows in parallel processes, and stitches them back.

A solve is accepted only when HiGHS reports the termination condition ``optimal``; anything
else (time limit, infeasible, unbounded, numerical trouble) raises :class:`SolveError`, since a
time-limited solve comes back as status ``ok`` with a garbage solution. An infeasible model is
diagnosed with HiGHS' irreducible infeasible subsystem (IIS): the message names the conflicting
constraints and their coordinates.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pypsa

from model.errors import SolveError
from model.scenario import DispatchOptions, SolverOptions

logger = logging.getLogger(__name__)

#: Key of ``n.meta`` holding gzgrid's own model data.
META_KEY = "gzgrid"
#: Carrier of demand-response generators (annual budget ``e_sum_max``, event cap).
DR_CARRIER = "dr"
#: Most IIS constraints quoted in an infeasibility message.
IIS_LINES = 10

ExtraFunctionality = Callable[[pypsa.Network, pd.Index], None]


def configure_pypsa() -> None:
    """Set the PyPSA options gzgrid relies on: no network requests, explicit string dtype."""
    pypsa.options.general.allow_network_requests = False
    pypsa.options.api.legacy_string_dtype = False


configure_pypsa()


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


@dataclass(frozen=True)
class DispatchResult:
    """What a dispatch did: objective, times and solver verdict.

    Attributes
    ----------
    mode : str
        ``"monolithic"`` or ``"decomposed"``.
    objective_cny : float
        System operating cost over the dispatched hours [CNY] (``n.objective``); in decomposed
        mode the sum over windows of their core-hour costs (boundary penalties excluded).
    solve_seconds, build_seconds : float
        Wall time in the solver and in building models [s].
    n_windows : int
        Hourly windows solved (1 for monolithic).
    status, condition : str
        Solver status and termination condition (always ``ok``/``optimal`` on return).
    timings : dict of str to float
        Where the wall time went [s] (``build``, ``solve``, ``write``; or ``plan``, ``slice``,
        ``windows``, ``stitch`` ...).
    diagnostics : dict of str to float
        Mode-specific figures, e.g. the plan's objective [CNY] and boundary slack [MWh].
    """

    mode: str
    objective_cny: float
    solve_seconds: float
    build_seconds: float
    n_windows: int
    status: str
    condition: str
    timings: dict[str, float]
    diagnostics: dict[str, float] = field(default_factory=dict)


def dispatch(n: pypsa.Network, options: DispatchOptions, solver: SolverOptions) -> DispatchResult:
    """Solve ``n`` in place with the mode in ``options`` (results in n's result attributes).

    Parameters
    ----------
    n : pypsa.Network
        A gzgrid network (hourly snapshots, not yet solved).
    options : DispatchOptions
        Mode, window length and overlap [d], optional horizon [h].
    solver : SolverOptions
        HiGHS time limit [s], threads and further options.

    Raises
    ------
    SolveError
        The LP (or one window) did not solve to optimality; an infeasible one names the
        conflicting constraints.
    """
    if options.horizon_hours is not None and options.horizon_hours < len(n.snapshots):
        n.set_snapshots(n.snapshots[: options.horizon_hours])
    if options.mode == "monolithic":
        return solve_monolithic(n, solver)
    from model.decomposition import solve_decomposed

    return solve_decomposed(n, options, solver)


def solve_monolithic(
    n: pypsa.Network, solver: SolverOptions, extra_functionality: ExtraFunctionality | None = None
) -> DispatchResult:
    """Solve the whole horizon of ``n`` as one LP (perfect foresight); results written into n.

    The DR event cap (:func:`add_dr_event_constraints`) is always added; ``extra_functionality``
    runs after it.
    """

    def extra(net: pypsa.Network, snapshots: pd.Index) -> None:
        add_dr_event_constraints(net, snapshots)
        if extra_functionality is not None:
            extra_functionality(net, snapshots)

    t0 = time.perf_counter()
    n.optimize.create_model(include_objective_constant=False, **model_options(n))
    extra(n, n.snapshots)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    with native_stdout_silenced():
        status, condition = n.optimize.solve_model(
            solver_name=solver.name, io_api="direct", solver_options=highs_options(solver)
        )
    t_total = time.perf_counter() - t0
    check_solved(n.model, status, condition, what="monolithic LP")
    t_solve = float(getattr(n.model.solver_model, "getRunTime", lambda: t_total)())
    return DispatchResult(
        mode="monolithic",
        objective_cny=float(n.objective),
        solve_seconds=t_solve,
        build_seconds=t_build,
        n_windows=1,
        status=status,
        condition=condition,
        timings={"build": t_build, "solve": t_solve, "write": max(t_total - t_solve, 0.0)},
    )


def model_options(n: pypsa.Network) -> dict[str, Any]:
    """Options of ``create_model``: committable units use PyPSA's linearised unit commitment.

    Without it PyPSA would make the commitment status binary and the year a MILP.
    """
    return {"linearized_unit_commitment": bool(n.c.generators.static.committable.any())}


def highs_options(solver: SolverOptions, threads: int | None = None) -> dict[str, Any]:
    """HiGHS options for one solve: time limit [s], threads, quiet, then the user's own."""
    opts: dict[str, Any] = {
        "time_limit": float(solver.time_limit_s),
        "threads": int(threads if threads is not None else solver.threads),
        "output_flag": False,
    }
    opts.update(solver.options)
    return opts


def check_solved(m: Any, status: str, condition: str, what: str) -> None:
    """Raise :class:`SolveError` unless the solve ended ``optimal`` (IIS named if infeasible)."""
    if condition == "optimal":
        return
    if condition in ("infeasible", "infeasible_or_unbounded"):
        raise SolveError(f"{what} is infeasible ({status}/{condition}).\n{iis_message(m)}")
    if condition == "time_limit":
        raise SolveError(
            f"{what} hit the solver time limit before reaching an optimal solution "
            f"({status}/{condition}); its solution is not usable. Raise solver.time_limit_s or "
            "use dispatch.mode: decomposed."
        )
    raise SolveError(f"{what} did not solve to optimality: status {status!r}, condition {condition!r}")


def iis_message(m: Any, max_lines: int = IIS_LINES) -> str:
    """Name the constraints of HiGHS' irreducible infeasible subsystem of linopy model ``m``."""
    try:
        labels = m.compute_infeasibilities()
    except Exception as exc:  # the IIS is a diagnosis; never hide the infeasibility behind it
        return f"(no conflicting constraints could be computed: {exc})"
    if not labels:
        return "(HiGHS returned an empty IIS)"
    lines = [format_constraint_label(m, int(lab)) for lab in labels[:max_lines]]
    more = f"\n  ... and {len(labels) - max_lines} more" if len(labels) > max_lines else ""
    return "Conflicting constraints (IIS):\n  " + "\n  ".join(lines) + more


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


def dr_event_hours(n: pypsa.Network) -> dict[str, int]:
    """``{generator: L}`` from ``n.meta["gzgrid"]["dr_event_hours"]`` (only existing generators)."""
    spec = (n.meta or {}).get(META_KEY, {}).get("dr_event_hours", {}) or {}
    gens = n.c.generators.static.index
    return {str(g): int(h) for g, h in spec.items() if g in gens and int(h) > 0}


def add_dr_event_constraints(n: pypsa.Network, snapshots: pd.Index) -> None:
    """Cap each demand-response call at L full hours in a row.

    For every generator ``g`` with ``L = n.meta["gzgrid"]["dr_event_hours"][g]``, in every run of
    ``L + 1`` consecutive snapshots: ``sum p[g] <= L * p_nom[g]`` [MWh] (constraint
    ``Generator-dr_event``). Usable as (or inside) PyPSA's ``extra_functionality``.
    """
    events = dr_event_hours(n)
    if not events or len(snapshots) < 2:
        return
    m = n.model
    p = m["Generator-p"]
    p_nom = n.c.generators.static.p_nom
    for length in sorted(set(events.values())):
        if length + 1 > len(snapshots):
            continue
        names = [g for g, h in events.items() if h == length]
        lhs = p.sel(name=names).rolling(snapshot=length + 1).sum()
        rhs = pd.Series(length * p_nom[names].to_numpy(), index=pd.Index(names, name="name"))
        m.add_constraints(lhs <= rhs.to_xarray(), name=f"Generator-dr_event_{length}h")
