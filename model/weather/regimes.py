"""The shared cold-snap regime: one province-wide process that couples every variable.

In Guizhou the winter peak comes with cold waves and freezing rain (凝冻): cold, overcast, still
and dry days together. A single latent AR(1) process per weather year, switched on above a
threshold and weighted by season, gives a cold-snap intensity ``c(t) >= 0`` [-]; temperature,
clearness, wind and inflow each subtract their own multiple of it, so the dark, still, dry weeks
coincide with the cold ones instead of being independent.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from model.weather.random import STREAM_REGIME, correlated_ar1, stream_key


@njit(cache=True)
def cold_snap_year(
    key: np.uint64, phi: float, threshold: float, season: np.ndarray
) -> np.ndarray:
    """Cold-snap intensity of one weather year.

    Parameters
    ----------
    key : numpy.uint64
        Year key.
    phi : float
        Hourly lag-one autocorrelation of the latent process [-].
    threshold : float
        Latent level above which a cold snap is on [standard deviations].
    season : numpy.ndarray, shape (n_hours,)
        Seasonal weight, 1 in mid-winter and 0 in summer [-].

    Returns
    -------
    numpy.ndarray, shape (n_hours,)
        Intensity ``season * max(0, z - threshold)`` [-].
    """
    one = np.ones((1, 1))
    z = correlated_ar1(np.uint64(stream_key(key, STREAM_REGIME)), phi, one, season.shape[0])[0]
    out = np.empty(season.shape[0])
    for t in range(season.shape[0]):
        out[t] = season[t] * max(0.0, z[t] - threshold)
    return out


def mean_intensity(season: np.ndarray, threshold: float) -> np.ndarray:
    """Expected cold-snap intensity ``season * E[max(0, z - threshold)]`` for ``z ~ N(0, 1)`` [-].

    Used to keep climatological means (temperature) unchanged by the cold-snap term.
    """
    pdf = np.exp(-0.5 * threshold**2) / np.sqrt(2.0 * np.pi)
    tail = 0.5 * math.erfc(threshold / math.sqrt(2.0))
    return season * (pdf - threshold * tail)


def mean_factor(season: np.ndarray, threshold: float, effect: float) -> np.ndarray:
    """Expected ``exp(-effect * season * max(0, z - threshold))`` for ``z ~ N(0, 1)`` [-].

    Dividing by it keeps monthly means (hydro inflow) unchanged by dry cold snaps.
    Evaluated with 60-point Gauss–Hermite quadrature.
    """
    x, w = np.polynomial.hermite_e.hermegauss(60)
    w = w / w.sum()
    c = np.maximum(0.0, x - threshold)
    return (w * np.exp(-effect * np.asarray(season)[..., None] * c)).sum(axis=-1)
