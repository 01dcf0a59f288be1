"""What a dispatch returns besides the solved network."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DispatchResult:
    """What a dispatch did: objective, times and solver verdict.

    Attributes
    ----------
    mode : str
        ``"monolithic"`` or ``"decomposed"``.
    objective_cny : float
        System operating cost over the dispatched hours [CNY] (``n.objective``); in decomposed
        mode the sum over windows of their core-hour costs (target prices excluded).
    solve_seconds, build_seconds : float
        Wall time in the solver and in building models [s].
    n_windows : int
        Hourly windows solved (1 for monolithic).
    status, condition : str
        Solver status and termination condition (always ``ok``/``optimal`` on return).
    timings : dict of str to float
        Where the wall time went [s] (``build``, ``solve``, ``write``; or ``build``,
        ``plan_build``, ``replan``, ``windows``, ``stitch``).
    diagnostics : dict of str to float
        Mode-specific figures, e.g. the first plan's objective [CNY] and how far windows ended
        from the plan's levels [MWh].
    warm : WarmStart or None
        Decomposed mode: the optimal basis of every window, for a related case to start from
        (:mod:`model.dispatch.warm`).
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
    warm: Any = None
