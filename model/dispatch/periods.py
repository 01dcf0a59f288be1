"""How the decomposed dispatch cuts the horizon: months into parts of whole days.

Both the hourly windows and the seasonal plan's periods are *month parts*: each month is split
at midnights into parts of near-equal length close to a given number of days. A month is never
split across two parts, so a monthly re-plan starts on a plan period, and the cut between the
two halves of the year (at a month's first hour) is a window and period boundary too.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd


def month_parts(snapshots: pd.DatetimeIndex, days: int) -> list[list[tuple[int, int]]]:
    """Parts ``[start, end)`` (hour positions) of each month, cut at midnights.

    Each month is split into ``round(its days / days)`` (at least one) parts of near-equal
    length in whole days; a month holding only part of its days (a short horizon, a sample of
    weeks) is split by the days it holds.

    Parameters
    ----------
    snapshots : pandas.DatetimeIndex
        The horizon's snapshots (hourly, in order; gaps between days are allowed).
    days : int
        Target length of a part [d].

    Returns
    -------
    list of list of (int, int)
        For each month in the horizon, its parts in order.
    """
    sns = pd.DatetimeIndex(snapshots)
    day = sns.normalize()
    starts = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
    month = sns.year.to_numpy() * 12 + sns.month.to_numpy()
    bounds = np.flatnonzero(np.r_[True, month[1:] != month[:-1]])
    out = []
    for h0, h1 in zip(bounds, np.r_[bounds[1:], len(sns)], strict=True):
        inside = starts[(starts >= h0) & (starts < h1)]
        k = max(1, round(len(inside) / days))
        cuts = [int(inside[round(i * len(inside) / k)]) for i in range(k)] + [int(h1)]
        out.append(list(itertools.pairwise(cuts)))
    return out


def period_of_hours(snapshots: pd.DatetimeIndex, days: int, daily_ends: bool = False) -> np.ndarray:
    """Plan period of every hour: the index of its month part of about ``days`` days [-].

    ``daily_ends``: the horizon's first and last months are cut into single days whatever
    ``days`` is (where a cyclic store's start, which is also its end, is decided). A month the
    horizon holds only some days of (a sample of weeks, a short horizon) is cut into days too:
    its days are not a stretch of weeks to average over (four sampled weeks of the 2030 system,
    each one period, cost 11.1 % more than the monolithic LP; in daily periods 1.8 %).
    """
    sns = pd.DatetimeIndex(snapshots)
    daily = month_parts(sns, 1)
    coarse = month_parts(sns, days)
    for m, parts in enumerate(daily):
        partial = len(parts) < sns[parts[0][0]].days_in_month
        if partial or (daily_ends and m in (0, len(daily) - 1)):
            coarse[m] = parts
    period = np.empty(len(snapshots), dtype=np.int64)
    for p, (start, end) in enumerate(itertools.chain.from_iterable(coarse)):
        period[start:end] = p
    return period


def period_starts(period: np.ndarray) -> np.ndarray:
    """First hour of each period, shape (P + 1,), the last entry one past the horizon's end."""
    first = np.flatnonzero(np.r_[True, period[1:] != period[:-1]])
    return np.r_[first, len(period)]


def share_done(period: np.ndarray, starts: np.ndarray, hour: int) -> tuple[int, float]:
    """The period of ``hour`` and the share of that period's hours done at the end of ``hour`` [-].

    ``starts`` is :func:`period_starts` of ``period``.
    """
    p = int(period[hour])
    return p, (hour + 1 - starts[p]) / (starts[p + 1] - starts[p])
