"""Hourly hub-height wind speed and wind-farm output.

A spatially correlated, persistent Gaussian AR(1) process is mapped through the normal CDF onto a
Weibull distribution whose scale carries the seasonal and diurnal cycles and each prefecture's
resource (built by the wrapper); cold snaps calm the wind. A generic low-wind-speed power curve
(cubic between cut-in and rated speed) times a loss factor gives output per unit capacity.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from model.weather.random import STREAM_WIND, correlated_ar1, stream_key


@njit(cache=True)
def weibull_from_normal(z: float, scale: float, shape: float) -> float:
    """Weibull quantile of the normal score ``z`` [same unit as ``scale``].

    Uses ``1 - Phi(z) = erfc(z / sqrt 2) / 2`` so the upper tail keeps its precision.
    """
    survival = max(0.5 * math.erfc(z / math.sqrt(2.0)), 1e-300)
    return scale * (-math.log(survival)) ** (1.0 / shape)


@njit(cache=True)
def power_curve(speed: float, cut_in: float, rated: float, cut_out: float) -> float:
    """Normalised turbine power at hub-height ``speed`` [m/s] → [p.u.]."""
    if speed < cut_in or speed >= cut_out:
        return 0.0
    if speed >= rated:
        return 1.0
    return (speed**3 - cut_in**3) / (rated**3 - cut_in**3)


@njit(cache=True)
def wind_year(
    key: np.uint64,
    scale: np.ndarray,
    chol: np.ndarray,
    phi: float,
    shape: float,
    snap: np.ndarray,
    snap_calm: float,
    turbine: np.ndarray,
) -> np.ndarray:
    """Wind output of one weather year [p.u.].

    Parameters
    ----------
    key : numpy.uint64
        Year key.
    scale : numpy.ndarray, shape (n_sites, n_hours)
        Weibull scale with seasonal, diurnal and site factors [m/s].
    chol : numpy.ndarray, shape (n_sites, n_sites)
        Cholesky factor of the correlation between prefectures.
    phi : float
        Hourly lag-one autocorrelation of the normal scores [-].
    shape : float
        Weibull shape [-].
    snap : numpy.ndarray, shape (n_hours,)
        Cold-snap intensity [-].
    snap_calm : float
        Fractional speed reduction per unit intensity [-].
    turbine : numpy.ndarray, shape (4,)
        ``cut_in, rated, cut_out`` [m/s] and the loss factor [-].

    Returns
    -------
    numpy.ndarray, shape (n_sites, n_hours)
        Output [p.u.].
    """
    n_s, n_t = scale.shape
    z = correlated_ar1(np.uint64(stream_key(key, STREAM_WIND)), phi, chol, n_t)
    for s in range(n_s):
        for t in range(n_t):
            calm = max(0.2, 1.0 - snap_calm * snap[t])
            v = weibull_from_normal(z[s, t], scale[s, t], shape) * calm
            z[s, t] = turbine[3] * power_curve(v, turbine[0], turbine[1], turbine[2])
    return z
