"""Hourly air temperature per prefecture [°C].

Temperature is a climatology (monthly means with a smooth annual curve, an altitude offset per
prefecture and a diurnal cycle, built by the wrapper) plus spatially correlated AR(1) anomalies and
the cold-snap drop of :mod:`model.weather.regimes`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.weather.random import STREAM_TEMPERATURE, correlated_ar1, stream_key


def diurnal_cycle(hour: np.ndarray, amplitude: np.ndarray, peak_hour: float = 15.0) -> np.ndarray:
    """Diurnal temperature deviation at mid-hour [°C].

    Parameters
    ----------
    hour : numpy.ndarray
        Clock hour 0..23 [h, CST].
    amplitude : numpy.ndarray
        Half the daily range at each snapshot [°C].
    peak_hour : float
        Hour of the daily maximum [h, CST]; mid-afternoon at ~106.7° E.
    """
    return amplitude * np.cos(2.0 * np.pi * (hour + 0.5 - peak_hour) / 24.0)


@njit(cache=True)
def temperature_year(
    key: np.uint64,
    climatology: np.ndarray,
    chol: np.ndarray,
    phi: float,
    sd: float,
    snap: np.ndarray,
    snap_drop: float,
) -> np.ndarray:
    """Temperature of one weather year.

    Parameters
    ----------
    key : numpy.uint64
        Year key.
    climatology : numpy.ndarray, shape (n_regions, n_hours)
        Expected temperature [°C].
    chol : numpy.ndarray, shape (n_regions, n_regions)
        Cholesky factor of the anomaly correlation between prefectures.
    phi : float
        Hourly lag-one autocorrelation of anomalies [-].
    sd : float
        Standard deviation of anomalies [°C].
    snap : numpy.ndarray, shape (n_hours,)
        Cold-snap intensity [-].
    snap_drop : float
        Temperature drop per unit intensity [°C].

    Returns
    -------
    numpy.ndarray, shape (n_regions, n_hours)
        Temperature [°C].
    """
    n_r, n_t = climatology.shape
    z = correlated_ar1(np.uint64(stream_key(key, STREAM_TEMPERATURE)), phi, chol, n_t)
    out = np.empty((n_r, n_t))
    for r in range(n_r):
        for t in range(n_t):
            out[r, t] = climatology[r, t] + sd * z[r, t] - snap_drop * snap[t]
    return out
