"""Solving a gzgrid network: monolithic (one LP for the year) or decomposed (plan + windows).

``dispatch(n, options, solver)`` solves ``n`` in place: results land in PyPSA's ordinary result
attributes (``n.c.generators.dynamic.p``, ``n.c.buses.dynamic.marginal_price``, ...,
``n.objective``), whichever mode is used, so analysis code never needs to know the mode.

- :mod:`~model.dispatch.monolithic`: the whole horizon as one LP through PyPSA and HiGHS (the
  reference, perfect foresight).
- :mod:`~model.dispatch.rolling`: the decomposed mode: a seasonal plan (:mod:`.plan`) re-solved
  monthly with the foresight an operator has, and hourly windows (:mod:`.windows`) solved in
  sequence on slices of one hourly LP in matrix form (:mod:`.matrices`), stitched back.
- :mod:`~model.dispatch.constraints`: gzgrid's own constraints, added to every model.
- :mod:`~model.dispatch.highs`: HiGHS options, the optimality check and infeasibility messages.
- :mod:`~model.dispatch.window_solver`: one HiGHS model per sequence of windows, updated in place.
- :mod:`~model.dispatch.warm`: window bases of one case, to start a related case from.
"""

from __future__ import annotations

import pypsa

from model.dispatch.constraints import META_KEY, add_dr_event_constraints, dr_event_hours
from model.dispatch.highs import configure_pypsa
from model.dispatch.monolithic import solve_monolithic
from model.dispatch.result import DispatchResult
from model.dispatch.warm import WarmStart
from model.scenario import DispatchOptions, SolverOptions

__all__ = [
    "META_KEY",
    "DispatchResult",
    "WarmStart",
    "add_dr_event_constraints",
    "dispatch",
    "dr_event_hours",
    "solve_monolithic",
]

configure_pypsa()


def dispatch(
    n: pypsa.Network, options: DispatchOptions, solver: SolverOptions, warm: WarmStart | None = None
) -> DispatchResult:
    """Solve ``n`` in place with the mode in ``options`` (results in n's result attributes).

    Parameters
    ----------
    n : pypsa.Network
        A gzgrid network (hourly snapshots, not yet solved).
    options : DispatchOptions
        Mode, window length and overlap [d], foresight, optional horizon [h].
    solver : SolverOptions
        HiGHS time limit [s], threads and further options.
    warm : WarmStart, optional
        Decomposed mode: window bases of a related case (a sweep group's first case) to start the
        same windows from; ignored if the LP's structure differs.

    Raises
    ------
    SolveError
        The LP (or one window or plan) did not solve to optimality; an infeasible one names the
        conflicting constraints.
    """
    if options.horizon_hours is not None and options.horizon_hours < len(n.snapshots):
        n.set_snapshots(n.snapshots[: options.horizon_hours])
    if options.mode == "monolithic":
        return solve_monolithic(n, solver)
    from model.dispatch.rolling import solve_decomposed

    return solve_decomposed(n, options, solver, warm)
