"""Hourly electricity demand per prefecture [MW].

Load = annual energy × a calendar shape × a weather factor, split by prefecture shares:

* the calendar shape multiplies the monthly consumption factors (S2, smoothed through the year)
  and the hour-of-day shape (S20), both raised to one amplitude exponent, by a weekday factor and
  the Spring Festival dip (renormalised within each month so monthly energy is kept);
* the weather factor raises load by a fixed share per degree-day of the daily mean temperature
  beyond heating and cooling bases, relative to the climatological degree-days, so cold snaps
  raise the winter peak;
* each weather year is rescaled to the annual energy exactly.

The amplitude exponent makes the caller's load factor attainable: DATA's December factor (1.27)
times the January hour shape (peak 1.21) would give a load factor of ~0.63, against the ~0.75
observed (S17, S18). The exponent is solved so that the calendar shape alone has a load factor of
``load_factor × (1 + peak_weather_uplift)``; the weather then lowers it to about the target.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.weather.timeaxis import TimeAxis, monthly_curve


def day_factors(
    axis: TimeAxis,
    saturday: float,
    sunday: float,
    festival_start_doy: float,
    festival_days: float,
    festival_depth: float,
) -> np.ndarray:
    """Weekday and Spring Festival factor per snapshot, mean 1 within each month [-].

    The Spring Festival is a fixed window for a synthetic year: a dip of ``festival_depth`` over
    ``festival_days`` days from ``festival_start_doy``, with a two-day ramp at each end.
    """
    f = np.ones(axis.hour.shape[0])
    f[axis.weekday == 5] = saturday
    f[axis.weekday == 6] = sunday
    day = axis.day_of_year - festival_start_doy
    ramp = np.clip(np.minimum(day + 1.0, festival_days - day) / 2.0, 0.0, 1.0)
    f *= 1.0 - festival_depth * ramp
    month_mean = np.bincount(axis.month - 1, weights=f) / np.bincount(axis.month - 1)
    return f / month_mean[axis.month - 1]


def calendar_shape(
    axis: TimeAxis,
    monthly: np.ndarray,
    hourly: np.ndarray,
    days: np.ndarray,
    amplitude: float,
) -> np.ndarray:
    """Calendar shape of provincial load, mean 1 [-].

    Parameters
    ----------
    axis : TimeAxis
        The year's snapshots.
    monthly : numpy.ndarray, shape (12,)
        Monthly consumption factors [-].
    hourly : numpy.ndarray, shape (24,)
        Hour-of-day factors [-].
    days : numpy.ndarray
        Output of :func:`day_factors`.
    amplitude : float
        Exponent on the monthly and hourly factors (1 = as given, 0 = flat) [-].
    """
    return _shape(_factors(axis, monthly, hourly), days, amplitude)


def _factors(axis: TimeAxis, monthly: np.ndarray, hourly: np.ndarray) -> np.ndarray:
    """Monthly curve times hour-of-day factor per snapshot, before the amplitude [-]."""
    m = monthly_curve(np.asarray(monthly, float), axis.day_of_year, axis.month)
    h = np.asarray(hourly, float) / np.mean(hourly)
    return m * h[axis.hour]


def _shape(factors: np.ndarray, days: np.ndarray, amplitude: float) -> np.ndarray:
    """:func:`calendar_shape` from :func:`_factors`."""
    s = factors**amplitude * days
    return s / s.mean()


def solve_amplitude(
    axis: TimeAxis,
    monthly: np.ndarray,
    hourly: np.ndarray,
    days: np.ndarray,
    target_load_factor: float,
) -> float:
    """Amplitude exponent giving the calendar shape the load factor ``target_load_factor``.

    Bisection on [0, 4]; the load factor falls monotonically as the amplitude grows.
    """
    factors = _factors(axis, monthly, hourly)  # the same in every step: worked out once
    lo, hi = 0.0, 4.0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        s = _shape(factors, days, mid)
        if 1.0 / s.max() > target_load_factor:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@njit(cache=True)
def load_year(
    shape: np.ndarray,
    air_temp: np.ndarray,
    shares: np.ndarray,
    clim_hdd: np.ndarray,
    clim_cdd: np.ndarray,
    degree_day: np.ndarray,
    annual_mwh: float,
) -> np.ndarray:
    """Hourly load per prefecture of one weather year [MW].

    Parameters
    ----------
    shape : numpy.ndarray, shape (n_hours,)
        Calendar shape, mean 1 [-].
    air_temp : numpy.ndarray, shape (n_regions, n_hours)
        Air temperature [°C]; hours are whole days starting at midnight.
    shares : numpy.ndarray, shape (n_regions,)
        Share of provincial demand per prefecture [-], summing to 1.
    clim_hdd, clim_cdd : numpy.ndarray, shape (n_regions, n_days)
        Climatological heating and cooling degrees of the daily mean temperature [°C].
    degree_day : numpy.ndarray, shape (4,)
        ``heating_base`` [°C], ``heating_sensitivity`` [1/°C], ``cooling_base`` [°C],
        ``cooling_sensitivity`` [1/°C].
    annual_mwh : float
        Provincial annual energy [MWh].

    Returns
    -------
    numpy.ndarray, shape (n_regions, n_hours)
        Load [MW]; the year's total is ``annual_mwh``.
    """
    n_r, n_t = air_temp.shape
    n_d = n_t // 24
    out = np.empty((n_r, n_t))
    total = 0.0
    for r in range(n_r):
        for d in range(n_d):
            mean_t = 0.0
            for h in range(24):
                mean_t += air_temp[r, 24 * d + h] / 24.0
            hdd = max(0.0, degree_day[0] - mean_t) - clim_hdd[r, d]
            cdd = max(0.0, mean_t - degree_day[2]) - clim_cdd[r, d]
            weather = max(0.5, 1.0 + degree_day[1] * hdd + degree_day[3] * cdd)
            for h in range(24):
                v = shares[r] * shape[24 * d + h] * weather
                out[r, 24 * d + h] = v
                total += v
    scale = annual_mwh / total
    for r in range(n_r):
        for t in range(n_t):
            out[r, t] *= scale
    return out


def degree_days(daily_temp: np.ndarray, heating_base: float, cooling_base: float):
    """Heating and cooling degrees of daily mean temperatures [°C] (two arrays)."""
    return np.maximum(0.0, heating_base - daily_temp), np.maximum(0.0, daily_temp - cooling_base)
