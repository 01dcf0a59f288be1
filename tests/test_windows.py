"""Windows of a time-indexed LP, on hand-written LPs whose answers can be checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from model.dispatch.highs import solve_matrix_lp
from model.dispatch.levels import StorageLevels, _carry_rows, water_values
from model.dispatch.matrices import LinearProgram, position_index
from model.dispatch.windows import local_index, slice_window, with_budgets, with_targets

INF = np.inf
QUIET = {"output_flag": False}


def three_hour_lp() -> LinearProgram:
    """A store fed by a generator over three hours, with ramp rows and an annual budget.

    Columns: g0 g1 g2 (generation, cost 1, 2, 3) and e0 e1 e2 (store level), hour = index % 3.
    Rows: r0 ``e0 - g0 = 0``; r1, r2 ``e_t - e_{t-1} - g_t = -2`` (2 MWh drawn each hour);
    ramps ``g_t - g_{t-1} <= 5`` at t = 1, 2; budget ``g0 + g1 + g2 <= 10`` (no hour).
    """
    A = np.array(
        [
            [-1, 0, 0, 1, 0, 0],  # r0, hour 0
            [0, -1, 0, -1, 1, 0],  # r1, hour 1
            [0, 0, -1, 0, -1, 1],  # r2, hour 2
            [-1, 1, 0, 0, 0, 0],  # ramp, hour 1
            [0, -1, 1, 0, 0, 0],  # ramp, hour 2
            [1, 1, 1, 0, 0, 0],  # budget
        ],
        dtype=float,
    )
    return LinearProgram(
        A=sp.csr_array(A),
        row_lo=np.array([0, -2, -2, -INF, -INF, -INF]),
        row_hi=np.array([0, -2, -2, 5, 5, 10]),
        col_lo=np.zeros(6),
        col_hi=np.array([9, 9, 9, 8, 8, 8.0]),
        cost=np.array([1, 2, 3, 0, 0, 0.0]),
        col_pos=np.array([0, 1, 2, 0, 1, 2]),
        row_pos=np.array([0, 1, 2, 1, 2, -1]),
        col_label=np.arange(6),
        row_label=np.arange(6),
        n_labels=(6, 6),
    )


def test_slice_moves_known_columns_to_the_right_hand_side() -> None:
    lp = three_hour_lp()
    known = np.full(6, np.nan)
    known[[0, 3]] = [2.0, 4.0]  # g0 = 2, e0 = 4 already dispatched
    win = slice_window(lp, 1, 3, known)
    assert win.cols.tolist() == [1, 2, 4, 5]
    assert win.rows.tolist() == [1, 2, 3, 4]
    dense = win.lp.A.toarray()
    # r1: e1 - g1 = -2 + e0 = 2; the ramp at hour 1: g1 <= 5 + g0 = 7
    np.testing.assert_array_equal(dense[0], [-1, 0, 1, 0])
    assert (win.lp.row_lo[0], win.lp.row_hi[0]) == (2.0, 2.0)
    np.testing.assert_array_equal(dense[2], [1, 0, 0, 0])
    assert win.lp.row_hi[2] == 7.0
    np.testing.assert_array_equal(win.lp.cost, [2, 3, 0, 0])


def test_rows_reaching_an_unknown_column_are_dropped() -> None:
    lp = three_hour_lp()
    known = np.full(6, np.nan)
    known[3] = 4.0  # the level is known, the generation before the window is not
    win = slice_window(lp, 1, 3, known)
    assert 3 not in win.rows.tolist()  # the ramp row at hour 1 reaches g0
    assert win.rows.tolist() == [1, 2, 4]


def test_budget_covers_the_core_hours_only_and_solves_by_hand() -> None:
    lp = three_hour_lp()
    known = np.full(6, np.nan)
    known[[0, 3]] = [0.0, 0.5]
    cap = np.array([1.5])
    win = with_budgets(slice_window(lp, 1, 3, known), lp, lp.budget_rows, np.array([-INF]), cap, 2)
    assert win.n_budget == 1
    np.testing.assert_array_equal(win.lp.A.toarray()[-1], [1, 0, 0, 0])  # g1 only: hour 2 is look-ahead
    sol = solve_matrix_lp(win.lp, QUIET)
    assert sol.condition == "optimal"
    g1, g2, e1, e2 = sol.x
    # hour 1 must make at least 1.5 (0.5 stored, 2 drawn); cheap g1 (2/MWh) would also fill the store
    # for hour 2 (3/MWh), but the budget caps g1 at 1.5, and hour 2 is outside the budget's core
    assert (g1, g2, e1, e2) == pytest.approx((1.5, 2.0, 0.0, 0.0))
    unbudgeted = solve_matrix_lp(slice_window(lp, 1, 3, known).lp, QUIET)
    assert unbudgeted.x[:2] == pytest.approx([3.5, 0.0])


def test_targets_price_the_level_left_at_the_end() -> None:
    lp = three_hour_lp()
    known = np.full(6, np.nan)
    known[[0, 3]] = [0.0, 4.0]
    win = slice_window(lp, 1, 3, known)
    # without a target the window draws the store down to 0 and generates nothing
    free = solve_matrix_lp(win.lp, QUIET)
    assert free.x[:2] == pytest.approx([0, 0]) and free.x[3] == pytest.approx(0)
    # e2 = g1 + g2 here. A level of 3 at the end worth 2.5/MWh below it: worth making in hour 1
    # (2/MWh), so the target is met; worth only 1.5/MWh: not worth making at all
    for price, expected in ((2.5, (3.0, 0.0, 3.0, 0.0)), (1.5, (0.0, 0.0, 0.0, 3.0))):
        aimed = with_targets(win, np.array([5]), np.array([3.0]), np.array([price]), np.array([0.0]))
        sol = solve_matrix_lp(aimed.lp, QUIET)
        g1, g2, _, e2, below, above = sol.x
        assert (g1, g2, e2, below) == pytest.approx(expected) and above == pytest.approx(0.0)
    with pytest.raises(ValueError, match="price_below"):
        with_targets(win, np.array([5]), np.array([3.0]), np.array([1.0]), np.array([-2.0]))


def test_duals_are_derivatives_of_the_objective_by_the_bound() -> None:
    # min 3x s.t. x >= 2: one more unit of bound costs 3
    lp = LinearProgram(
        A=sp.csr_array(np.array([[1.0]])), row_lo=np.array([2.0]), row_hi=np.array([INF]),
        col_lo=np.zeros(1), col_hi=np.array([INF]), cost=np.array([3.0]), col_pos=np.zeros(1, int),
        row_pos=np.zeros(1, int), col_label=np.arange(1), row_label=np.arange(1), n_labels=(1, 1),
    )  # fmt: skip
    sol = solve_matrix_lp(slice_window(lp, 0, 1, np.full(1, np.nan)).lp, QUIET)
    assert sol.y[0] == pytest.approx(3.0)


def test_water_value_is_what_one_more_stored_mwh_saves() -> None:
    # two periods: e0 = 3 stored; period 1 needs 4, from the store (e0 - e1) or from g1 at 5/MWh
    # columns: g1 (period 1), e0 (period 0), e1 (period 1); rows: e0 = 3 (period 0);
    # g1 + e0 - e1 = 4 (period 1)
    A = np.array([[0, 1, 0], [1, 1, -1]], dtype=float)
    lp = LinearProgram(
        A=sp.csr_array(A), row_lo=np.array([3.0, 4.0]), row_hi=np.array([3.0, 4.0]),
        col_lo=np.zeros(3), col_hi=np.array([INF, 10, 10]), cost=np.array([5.0, 0, 0]),
        col_pos=np.array([1, 0, 1]), row_pos=np.array([0, 1]), col_label=np.arange(3),
        row_label=np.arange(2), n_labels=(3, 2),
    )  # fmt: skip
    plan_cols = np.array([[1], [2]])  # the level's column at periods 0 and 1
    rows, coef = _carry_rows(lp, plan_cols)
    assert rows[0, 0] == 1 and coef[0, 0] == 1.0
    sol = solve_matrix_lp(slice_window(lp, 0, 2, np.full(3, np.nan)).lp, QUIET)
    levels = StorageLevels(pd.Index(["s"]), np.empty((0, 1), int), plan_cols, np.array([True]),
                           np.array([False]), rows, coef)  # fmt: skip
    assert water_values(levels, sol.y)[0, 0] == pytest.approx(5.0)


def test_columns_and_rows_of_a_span_come_from_an_index_in_order() -> None:
    lp = three_hour_lp()
    assert lp.cols_between(1, 3).tolist() == [1, 2, 4, 5]
    assert lp.rows_between(0, 2).tolist() == [0, 1, 3]  # the budget row (no hour) is never in a span
    assert lp.cols_between(2, 9).tolist() == [2, 5] and lp.cols_between(3, 9).size == 0
    pos = np.array([2, -1, 0, 2, 1, 0])
    starts = position_index(pos)[1]
    assert starts.tolist() == [1, 3, 4, 6]  # the entry without a position first
    assert local_index(np.array([2, 5, 7]), np.array([5, 6, 7, 1, 9])).tolist() == [1, -1, 2, -1, -1]
