"""The hourly time axis of a weather year, in China Standard Time.

Every weather year has 8,760 hourly snapshots: the calendar year given, with 29 February dropped
in leap years (so that years can be stacked and compared hour by hour). Snapshots are the start
of each hour in China Standard Time (UTC+8, no daylight saving); the physical kernels evaluate the
sun at mid-hour.

netCDF cannot hold time-zone-aware datetimes, so a dataset stores naive CST timestamps with the
attribute ``timezone="Asia/Shanghai"``; :func:`tz_aware_snapshots` restores the aware index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

TIMEZONE = "Asia/Shanghai"
HOURS_PER_YEAR = 8760


@dataclass(frozen=True)
class TimeAxis:
    """Calendar fields of each snapshot, as plain arrays for the kernels.

    Attributes
    ----------
    snapshots : pandas.DatetimeIndex
        Naive CST timestamps (start of hour), 8,760 of them.
    day_of_year : numpy.ndarray of float64
        Astronomical day of year 1..366 of each snapshot (Feb 29 skipped, not renumbered).
    hour : numpy.ndarray of int64
        Clock hour 0..23 [h, CST].
    month : numpy.ndarray of int64
        Month 1..12.
    weekday : numpy.ndarray of int64
        Monday = 0 .. Sunday = 6.
    day_index : numpy.ndarray of int64
        Day counter 0..364 (the weather year's own days).
    """

    snapshots: pd.DatetimeIndex
    day_of_year: np.ndarray
    hour: np.ndarray
    month: np.ndarray
    weekday: np.ndarray
    day_index: np.ndarray


def time_axis(calendar_year: int) -> TimeAxis:
    """Build the 8,760-hour axis of ``calendar_year`` (29 February dropped in leap years)."""
    idx = pd.date_range(f"{calendar_year}-01-01", periods=8784, freq="h")
    idx = idx[idx.year == calendar_year]
    idx = idx[~((idx.month == 2) & (idx.day == 29))]
    assert len(idx) == HOURS_PER_YEAR
    return TimeAxis(
        snapshots=pd.DatetimeIndex(idx, name="snapshot"),
        day_of_year=idx.day_of_year.to_numpy(np.float64),
        hour=idx.hour.to_numpy(np.int64),
        month=idx.month.to_numpy(np.int64),
        weekday=idx.day_of_week.to_numpy(np.int64),
        day_index=np.repeat(np.arange(365, dtype=np.int64), 24),
    )


def tz_aware_snapshots(ds: xr.Dataset | xr.DataArray) -> pd.DatetimeIndex:
    """Return the dataset's snapshots as a time-zone-aware index in China Standard Time.

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        Output of :func:`model.weather.generate_profiles` (naive CST ``snapshot`` coordinate,
        attribute ``timezone``).

    Returns
    -------
    pandas.DatetimeIndex
        The same instants, localised to ``Asia/Shanghai``.
    """
    tz = ds["snapshot"].attrs.get("timezone", ds.attrs.get("timezone", TIMEZONE))
    return pd.DatetimeIndex(ds["snapshot"].values, name="snapshot").tz_localize(tz)


def daily_interp(values: np.ndarray, day_of_year: np.ndarray) -> np.ndarray:
    """Interpolate twelve mid-month values to each snapshot, periodically over the year.

    Step changes at month boundaries would show as artificial jumps in every profile; a
    piecewise-linear curve through mid-month points keeps each month's mean close to its value.

    Parameters
    ----------
    values : numpy.ndarray, shape (12,)
        One value per month, January first.
    day_of_year : numpy.ndarray
        Day of year of each snapshot.

    Returns
    -------
    numpy.ndarray
        Interpolated values, same shape as ``day_of_year``.
    """
    mid = np.array([15.5, 45.0, 74.5, 105.0, 135.5, 166.0, 196.5, 227.5, 258.0, 288.5, 319.0, 349.5])
    xp = np.concatenate([[mid[-1] - 365.0], mid, [mid[0] + 365.0]])
    fp = np.concatenate([[values[-1]], values, [values[0]]])
    return np.interp(day_of_year, xp, fp)


def monthly_curve(
    values: np.ndarray, day_of_year: np.ndarray, month: np.ndarray, iterations: int = 8
) -> np.ndarray:
    """Smooth curve through the year whose monthly means equal ``values``.

    Plain interpolation (:func:`daily_interp`) shaves peaks: July hydro of 1.63 would average
    ~1.57. A few fixed-point corrections of the mid-month nodes restore each month's mean.

    Parameters
    ----------
    values : numpy.ndarray, shape (12,)
        Target monthly means, January first.
    day_of_year, month : numpy.ndarray
        Day of year and month (1..12) of each snapshot.
    iterations : int
        Number of corrections (the error shrinks ~4× per step).

    Returns
    -------
    numpy.ndarray
        The curve at each snapshot.
    """
    target = np.asarray(values, float)
    nodes = target.copy()
    for _ in range(iterations):
        curve = daily_interp(nodes, day_of_year)
        means = np.bincount(month - 1, weights=curve, minlength=12) / np.bincount(month - 1)
        nodes = nodes + (target - means)
    return daily_interp(nodes, day_of_year)
