"""The whole horizon as one LP (perfect foresight): the reference mode."""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd
import pypsa

from model.dispatch.constraints import add_operating_constraints
from model.dispatch.highs import check_solved, highs_options, model_options, native_stdout_silenced
from model.dispatch.result import DispatchResult
from model.scenario import SolverOptions

ExtraFunctionality = Callable[[pypsa.Network, pd.Index], None]


def solve_monolithic(
    n: pypsa.Network, solver: SolverOptions, extra_functionality: ExtraFunctionality | None = None
) -> DispatchResult:
    """Solve the whole horizon of ``n`` as one LP; results written into ``n``.

    gzgrid's own constraints (:func:`~model.dispatch.constraints.add_operating_constraints`) are
    always added; ``extra_functionality`` runs after them.
    """
    t0 = time.perf_counter()
    n.optimize.create_model(include_objective_constant=False, **model_options(n))
    add_operating_constraints(n, n.snapshots, hourly=True)
    if extra_functionality is not None:
        extra_functionality(n, n.snapshots)
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
