"""One HiGHS model per run of windows, updated in place; warm starts from another case's bases.

Tiny matrix LPs for the solver's own rules; the committed seasonal network of conftest for the
dispatch: hot-started windows against cold ones, and a related case started from the first
case's window bases, each against the same LPs solved cold.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
import scipy.sparse as sp

from model.dispatch import dispatch
from model.dispatch.highs import Basis, MatrixLP, solve_matrix_lp
from model.dispatch.window_solver import WindowSolver
from model.errors import GzgridWarning
from model.scenario import DispatchOptions, SolverOptions
from tests.conftest import seasonal_network

QUIET = {"output_flag": False, "threads": 1}
SOLVER = SolverOptions(time_limit_s=600)

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)


def two_plants(demand: float, cheap_cap: float, price: tuple[float, float] = (10.0, 30.0)) -> MatrixLP:
    """min p0 x0 + p1 x1  s.t.  x0 + x1 = demand,  0 <= x0 <= cheap_cap,  0 <= x1 <= 100."""
    A = sp.csc_array(np.array([[1.0, 1.0]]))
    return MatrixLP(A, np.array([demand]), np.array([demand]), np.zeros(2), np.array([cheap_cap, 100.0]),
                    np.array(price))  # fmt: skip


def test_the_same_matrix_is_updated_in_place_and_solves_to_the_same_optimum():
    solver = WindowSolver(QUIET)
    first = solver.solve(two_plants(50, 40))
    assert first.objective == pytest.approx(40 * 10 + 10 * 30)
    for lp in (two_plants(70, 20), two_plants(30, 60, (40.0, 30.0))):
        got = solver.solve(lp)
        assert got.warm  # started from the previous window's basis
        assert got.objective == pytest.approx(solve_matrix_lp(lp, QUIET).objective)
        assert np.allclose(got.x, solve_matrix_lp(lp, QUIET).x)
    assert solver.counts["loaded"] == 1 and solver.counts["updated"] == 2


def test_another_matrix_is_loaded_afresh_and_cold_start_clears_the_kept_basis():
    solver = WindowSolver(QUIET, hot=False)
    solver.solve(two_plants(50, 40))
    again = solver.solve(two_plants(60, 40))
    assert not again.warm and again.objective == pytest.approx(40 * 10 + 20 * 30)
    other = MatrixLP(sp.csc_array(np.array([[1.0, 2.0]])), np.array([50.0]), np.array([50.0]), np.zeros(2),
                     np.array([40.0, 100.0]), np.array([10.0, 30.0]))  # fmt: skip
    assert solver.solve(other).objective == pytest.approx(40 * 10 + 5 * 30)
    assert solver.counts["loaded"] == 2 and solver.counts["updated"] == 1


def test_a_basis_highs_refuses_is_solved_cold_with_a_warning_and_the_same_result():
    lp = two_plants(50, 40)
    another_shape = Basis(np.ones(3, dtype=np.int8), np.zeros(2, dtype=np.int8))
    solver = WindowSolver(QUIET)
    with pytest.warns(GzgridWarning, match="refused a warm-start basis"):
        got = solver.solve(lp, another_shape)
    assert not got.warm and solver.counts["refused"] == 1
    assert got.objective == pytest.approx(solve_matrix_lp(lp, QUIET).objective)


def test_a_warm_start_that_does_not_end_optimal_is_solved_again_cold():
    # no simplex iteration allowed: from a poor basis HiGHS stops at once, while a cold solve's
    # presolve solves this LP outright
    lp = two_plants(50, 40)
    poor = Basis(np.array([1, 0], dtype=np.int8), np.array([0], dtype=np.int8))
    solver = WindowSolver({**QUIET, "simplex_iteration_limit": 0})
    with pytest.warns(GzgridWarning, match="solving it again cold"):
        got = solver.solve(lp, poor)
    assert got.condition == "optimal" and got.objective == pytest.approx(700)
    assert solver.counts["fallback"] == 1 and solver.counts["loaded"] == 2


def test_a_good_basis_starts_the_solve_and_gives_the_same_optimum():
    lp = two_plants(50, 40)
    basis = solve_matrix_lp(lp, QUIET).basis
    got = WindowSolver(QUIET).solve(two_plants(55, 38), basis)
    assert got.warm and got.objective == pytest.approx(38 * 10 + 17 * 30)


# ----------------------------------------------------------------------------------------------
# the dispatch: hot windows, and a related case from the first case's bases

HOURS = 24 * 28
DECOMPOSED = DispatchOptions(mode="decomposed", split_month=0)


def _solved(hot: bool = True, warm=None, battery_mw: float = 100.0, hours: int = HOURS):
    n = seasonal_network(hours, committed=True)
    n.c.storage_units.static.loc["bat_a", "p_nom"] = battery_mw
    return n, dispatch(n, DECOMPOSED.model_copy(update={"hot_start": hot}), SOLVER, warm)


@pytest.fixture(scope="module")
def first_case():
    return _solved()


def test_hot_started_windows_give_the_cold_windows_cost(first_case):
    hot_n, hot = first_case
    cold_n, cold = _solved(hot=False)
    assert hot.diagnostics["windows_updated"] >= 1 and hot.diagnostics["windows_warm"] >= 1
    assert cold.diagnostics["windows_warm"] == 0
    # each window is the same LP either way, but a degenerate one may end on another optimal
    # vertex, whose levels the next windows start from: the years agree closely, not exactly
    # (measured: 1.1e-5 of the cost here, 6e-6 on the full 2030 year)
    assert hot.objective_cny == pytest.approx(cold.objective_cny, rel=1e-4)
    coal = [x.c.generators.dynamic.p[["coal_a", "coal_c"]].to_numpy().sum() for x in (hot_n, cold_n)]
    assert coal[0] == pytest.approx(coal[1], rel=1e-3)


def test_a_related_case_starts_from_the_first_cases_bases(first_case):
    _, ref = first_case
    assert len(ref.warm.windows) == ref.n_windows
    _, warm = _solved(warm=ref.warm, battery_mw=150.0)
    _, cold = _solved(battery_mw=150.0)
    assert warm.diagnostics["warm_shared"] == 1.0
    assert warm.diagnostics["windows_warm"] == warm.n_windows
    assert warm.objective_cny == pytest.approx(cold.objective_cny, rel=1e-4)


def test_a_case_of_another_structure_does_not_use_the_bases(first_case):
    _, ref = first_case
    _, other = _solved(warm=ref.warm, hours=HOURS - 24)
    assert other.diagnostics["warm_shared"] == 0.0
    assert ref.warm.structure != other.warm.structure
