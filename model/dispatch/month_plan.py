"""What the windows of a month follow: a coarse plan of the season, and a daily plan of the month under it.

The hourly windows need, at each window's last hour, a level to aim at for every long store
(reservoirs, hydrogen, coal stock) with the value of a MWh more or less, and how much of each
annual budget (DR hours) to leave for later. Two plans give them, both LPs built once
(:mod:`model.dispatch.plan`) and re-solved at the start of every month from the levels the
windows actually reached:

- the **season plan**: periods of about ``dispatch.plan_days`` days from the month to the end
  of the horizon (or of the part of the year being solved), which decides how much to keep
  for the coming months;
- the **month plan**: daily periods over the month and a few days beyond it (the windows'
  look-ahead), which ends on the season plan's levels at that hour, each MWh below or above
  priced at the season's water value (:func:`value_prices`), and may use what is left of each
  budget minus what the season keeps for after it.

Daily detail is needed where the windows read it, the coming weeks, and nowhere else: a daily
plan of the whole year was the dearest LP of the decomposition (12 s of the 2030 year), a
season of weekly periods with a daily month under it costs a fraction of a second.

The functions here are pure: they read plans and solutions and return arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from model.dispatch.levels import StorageLevels, water_values
from model.dispatch.plan import PlanSolution, SeasonalPlan, planned_use_after, solve_plan

#: Band around a water value when a level misses its target [share of the value].
WATER_VALUE_BAND = 0.1
#: Days the month plan reaches beyond the last window's look-ahead: the water value of a
#: window's last day is the dual of the next day's balance, which must be in the plan [d].
MONTH_PLAN_MARGIN_DAYS = 2


@dataclass(frozen=True)
class Plans:
    """The season and month plans' LPs and their level columns."""

    season: SeasonalPlan
    month: SeasonalPlan
    season_levels: StorageLevels
    month_levels: StorageLevels


@dataclass(frozen=True)
class MonthPlan:
    """The plans a month's windows follow.

    Attributes
    ----------
    season, month : PlanSolution
        The season plan (to the end of the part being solved) and the month plan.
    end : int
        One past the last hour the month plan covers.
    keep_after : numpy.ndarray, shape (k,)
        Use of each budget the season plan keeps for after the month plan [budget units].
    """

    season: PlanSolution
    month: PlanSolution
    end: int
    keep_after: np.ndarray


def level_targets(plan: SeasonalPlan, levels: StorageLevels, sol: PlanSolution, hour: int
                  ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Each level's planned value at the end of ``hour`` [MWh] and its water value [CNY/MWh].

    Within a period the level moves in a straight line from the period's start to its end;
    the water value is the period's.
    """
    p, done = plan.share_done(hour)
    value = water_values(levels, sol.y)[p]
    target = sol.x[levels.plan[p]]
    if p > 0 and done < 1.0:
        before = sol.x[levels.plan[p - 1]]
        target = np.where(np.isfinite(before), before + done * (target - before), target)
    return target, value


def use_after(plan: SeasonalPlan, sol: PlanSolution, hour: int) -> np.ndarray:
    """What the plan uses of each budget after the end of ``hour`` [budget units], (k,).

    The use of the hour's own period is shared out by the hours left in it.
    """
    p, done = plan.share_done(hour)
    after = planned_use_after(plan, sol)
    return after[:, p + 1] + (1.0 - done) * (after[:, p] - after[:, p + 1])


def value_prices(value: np.ndarray, band: float = WATER_VALUE_BAND) -> tuple[np.ndarray, np.ndarray]:
    """Price of each MWh below and above a level's target, from its water value [CNY/MWh].

    A concave value of what is kept: below the target costs the value plus the band, above it
    earns the value minus the band (also when the value is negative), so a plan or window keeps
    to its target unless its own prices say otherwise.
    """
    steep = np.maximum(value * (1 + band), value * (1 - band))
    flat = np.minimum(value * (1 + band), value * (1 - band))
    return steep, -flat


def allotted(left: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper use of each budget allowed now: what is ``left`` (k, 2) minus what to ``keep``."""
    hi = np.maximum(left[:, 1] - keep, 0.0)
    lo = np.minimum(left[:, 0] - keep, hi)
    return lo, hi


def solve_month(
    plans: Plans,
    hours: tuple[int, int, int],
    start_levels: np.ndarray,
    budget_left: np.ndarray,
    wrap: np.ndarray,
    penalty: float,
    options: dict[str, Any],
    lookahead: int,
    warm: MonthPlan | None = None,
    season: PlanSolution | None = None,
    end_levels: np.ndarray | None = None,
) -> MonthPlan:
    """Re-plan at the start of a month: the season to the end, then the month under it.

    Parameters
    ----------
    plans : Plans
    hours : (int, int, int)
        The month's first hour, one past its last, and one past the last hour of the part of
        the horizon being solved.
    start_levels : numpy.ndarray, shape (k,)
        Levels at the hour before the month (ignored at the horizon's first hour) [MWh].
    budget_left : numpy.ndarray, shape (k_budget, 2)
        Lower and upper bound left of each budget.
    wrap : numpy.ndarray, shape (k,)
        End level of each cyclic store at the horizon's end (NaN: not cyclic) [MWh].
    penalty : float
        Price of missing a pinned level [CNY/MWh].
    options : dict
        HiGHS options.
    lookahead : int
        Hours the month's windows look beyond the month [h].
    warm : MonthPlan, optional
        The last month's plans: their bases start the simplex.
    season : PlanSolution, optional
        A season plan solved already from this month (the first plan of the horizon).
    end_levels : numpy.ndarray, optional
        Levels pinned at the part's end (NaN: free) [MWh], as :func:`model.dispatch.plan.solve_plan`.
    """
    first_hour, month_end, part_end = hours
    sp, mp = plans.season, plans.month
    if season is None:
        season = solve_plan(sp, plans.season_levels, int(sp.period[first_hour]), start_levels, budget_left,
                            wrap, penalty, options, warm=warm.season if warm else None,
                            last_period=int(sp.period[part_end - 1]) + 1, end_levels=end_levels)  # fmt: skip
    end = min(month_end + lookahead + 24 * MONTH_PLAN_MARGIN_DAYS, part_end)
    first, last = int(mp.period[first_hour]), int(mp.period[end - 1]) + 1
    common = dict(warm=warm.month if warm else None, last_period=last)
    if end == part_end:  # the part's own end conditions, as the season plan has them
        keep = np.zeros(len(budget_left))
        month = solve_plan(mp, plans.month_levels, first, start_levels, budget_left, wrap, penalty, options,
                           end_levels=end_levels, **common)  # fmt: skip
    else:
        target, value = level_targets(sp, plans.season_levels, season, end - 1)
        target = np.where(plans.month_levels.long, target, np.nan)  # short storage cycles freely
        keep = use_after(sp, season, end - 1)
        left = np.column_stack(allotted(budget_left, keep))
        month = solve_plan(mp, plans.month_levels, first, start_levels, left, wrap, penalty, options,
                           end_targets=(target, *value_prices(value)), **common)  # fmt: skip
    return MonthPlan(season, month, end, keep)
