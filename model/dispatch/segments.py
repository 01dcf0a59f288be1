"""Parts of the year solved on their own, at the same time, and stitched: both cores at work.

Hourly windows must be solved in sequence (each starts where the last ended), so one year
uses one core. :func:`split_year` cuts the year at the first hour of ``dispatch.split_month``
(July by default: the windows' work before and after is then about equal; a June cut, at the
reservoirs' seasonal low, left 60 % of the work after it) into two **segments** that
:func:`model.dispatch.rolling.solve_decomposed` solves in parallel threads (HiGHS runs without
Python's lock):

- The state at the cut comes from a **boundary plan**: the seasonal plan solved once with the
  year's realised inflow. Every storage level at the cut (reservoirs, hydrogen, coal stock,
  batteries, pumped hydro) is that plan's level; the first segment's re-plans and its last
  window must end there (priced like a cyclic level's pin), the second segment starts there.
  A plan with the inflow that really came is what makes the level reachable in a dry spring;
  the first segment still plans its months with the operator's foresight.
- Annual budgets (DR hours) are split as the boundary plan uses them: the first segment may
  use its part, the second the rest.
- Commitment, ramps and DR events are free at the cut's first hour (their rows reaching back
  across the cut are dropped, as at the year's start).

Which segment a thread solves changes nothing: each is a fixed sequence of LPs, so the year is
bit-identical with one worker or two. ``split_month: 0`` solves the year as one segment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.dispatch.levels import StorageLevels
from model.dispatch.matrices import LinearProgram
from model.dispatch.plan import PlanSolution, SeasonalPlan, plan_use


@dataclass(frozen=True)
class Segment:
    """A stretch of the horizon solved on its own.

    Attributes
    ----------
    months : list of list of (int, int)
        Window cores ``[start, end)`` of each of its months (hour positions).
    end : int
        One past its last hour.
    start_levels, end_levels : numpy.ndarray or None
        Storage levels at the hour before its first and pinned at its last hour [MWh]
        (None: the horizon's own start or end).
    budget_cap : numpy.ndarray, shape (k, 2)
        Lower and upper bound of its use of each annual budget.
    """

    months: list[list[tuple[int, int]]]
    end: int
    start_levels: np.ndarray | None
    end_levels: np.ndarray | None
    budget_cap: np.ndarray

    @property
    def start(self) -> int:
        """Its first hour."""
        return self.months[0][0][0]


def year_caps(lp: LinearProgram, plan: SeasonalPlan) -> np.ndarray:
    """The annual budgets' own bounds, shape (k, 2)."""
    rows = plan.budget_rows[:, 0]
    return np.c_[lp.row_lo[rows], lp.row_hi[rows]]


def split_point(months: list[list[tuple[int, int]]], month_of_core: list[int], split_month: int) -> int:
    """Index of the first month of the second segment (0: no split)."""
    if split_month <= 0:
        return 0
    for i, m in enumerate(month_of_core):
        if i > 0 and m == split_month:
            return i
    return 0


def split_year(
    months: list[list[tuple[int, int]]],
    at: int,
    hours: int,
    lp: LinearProgram,
    plan: SeasonalPlan,
    boundary: tuple[SeasonalPlan, StorageLevels, PlanSolution] | None,
) -> list[Segment]:
    """The horizon's segments: all of it, or two cut at month index ``at`` (module docstring).

    Parameters
    ----------
    months : list
        Window cores of every month (:func:`model.dispatch.rolling.month_windows`).
    at : int
        Index in ``months`` of the second segment's first month; 0 for one segment.
    hours : int
        Length of the horizon.
    lp, plan : LinearProgram, SeasonalPlan
        The hourly LP and the operator's plan (for the budget rows).
    boundary : (SeasonalPlan, StorageLevels, PlanSolution), optional
        The boundary plan, its level columns and its solution (needed when ``at > 0``).
    """
    caps = year_caps(lp, plan)
    if at <= 0 or boundary is None:
        return [Segment(months, hours, None, None, caps)]
    bplan, blevels, bsol = boundary
    cut = months[at][0][0]
    cut_period = int(bplan.period[cut])
    levels_at_cut = bsol.x[blevels.plan[cut_period - 1]] if blevels.plan.size else np.empty(0)
    used = plan_use(bplan, bsol, cut_period)
    first = np.c_[np.minimum(caps[:, 0], used), used]
    second = np.c_[caps[:, 0] - used, caps[:, 1] - used]
    return [
        Segment(months[:at], cut, None, levels_at_cut, first),
        Segment(months[at:], hours, levels_at_cut, None, second),
    ]
