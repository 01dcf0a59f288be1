"""Seeded random streams and spatially correlated AR(1) noise.

The generator draws every random number from a small counter-based generator: a standard normal
is a pure function of a 64-bit stream key and a counter. That makes each weather year's draws
depend only on ``(seed, year)`` (so year *k* alone equals year *k* of an *N*-year set), lets the
years run in parallel without shared state, and gives identical numbers compiled and as plain
Python (``kernel.py_func``). The mixing function is the SplitMix64 finaliser (Steele, Lea and
Flood, 2014), whose output passes the usual statistical batteries for this use.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Stream identifiers: one per physical process, so adding a process never shifts another.
STREAM_REGIME = 1
STREAM_TEMPERATURE = 2
STREAM_CLEARNESS = 3
STREAM_WIND = 4
STREAM_RIVER = 5
STREAM_STATION = 6


def year_key(seed: int, year: int) -> np.uint64:
    """Return the 64-bit key of weather year ``year`` for ``seed``.

    Parameters
    ----------
    seed : int
        User seed (non-negative).
    year : int
        Weather-year index (non-negative).

    Returns
    -------
    numpy.uint64
        Key derived by :class:`numpy.random.SeedSequence` from ``[seed, year]`` only.
    """
    words = np.random.SeedSequence([int(seed), int(year)]).generate_state(2, np.uint32)
    return np.uint64((int(words[0]) << 32) | int(words[1]))


@njit(cache=True)
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64 finaliser: a bijective scramble of a 64-bit word."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def stream_key(key: np.uint64, stream: int) -> np.uint64:
    """Key of sub-stream ``stream`` (a process or a station) of year key ``key``."""
    return mix64(key ^ mix64(np.uint64(stream) * np.uint64(0x9E3779B97F4A7C15)))


@njit(cache=True)
def uniform(key: np.uint64, counter: int) -> float:
    """Uniform draw on the open interval (0, 1) for ``(key, counter)``."""
    z = mix64(key + np.uint64(counter) * np.uint64(0x9E3779B97F4A7C15))
    # 53 random bits, shifted by half a step so that 0 and 1 never occur (log stays finite).
    return ((z >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def normal(key: np.uint64, counter: int) -> float:
    """Standard normal draw for ``(key, counter)`` (Box–Muller, one of the pair)."""
    u1 = uniform(key, 2 * counter)
    u2 = uniform(key, 2 * counter + 1)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


@njit(cache=True)
def correlated_ar1(key: np.uint64, phi: float, chol: np.ndarray, n_steps: int) -> np.ndarray:
    """Stationary AR(1) noise, standard normal marginals, correlated across sites.

    ``x[t] = phi * x[t-1] + sqrt(1 - phi**2) * L e[t]`` with ``L`` the Cholesky factor of the
    site correlation matrix, started from the stationary distribution.

    Parameters
    ----------
    key : numpy.uint64
        Stream key.
    phi : float
        Lag-one autocorrelation per step [-].
    chol : numpy.ndarray, shape (n_sites, n_sites)
        Lower-triangular Cholesky factor of the correlation matrix.
    n_steps : int
        Number of time steps.

    Returns
    -------
    numpy.ndarray, shape (n_sites, n_steps)
        Noise [-].
    """
    n = chol.shape[0]
    out = np.empty((n, n_steps))
    e = np.empty(n)
    innov = np.sqrt(1.0 - phi * phi)
    for t in range(n_steps):
        for j in range(n):
            e[j] = normal(key, t * n + j)
        for i in range(n):
            s = 0.0
            for j in range(i + 1):
                s += chol[i, j] * e[j]
            out[i, t] = s if t == 0 else phi * out[i, t - 1] + innov * s
    return out


def distance_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Great-circle distances between sites [km] (haversine, Earth radius 6,371 km)."""
    lo, la = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    dlo = lo[:, None] - lo[None, :]
    dla = la[:, None] - la[None, :]
    h = np.sin(dla / 2) ** 2 + np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin(dlo / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def exponential_cholesky(distance: np.ndarray, length_km: float) -> np.ndarray:
    """Cholesky factor of the correlation ``exp(-d / length_km)`` [-].

    The exponential kernel is positive definite for any site layout, so the factor exists.
    """
    corr = np.exp(-np.asarray(distance, float) / float(length_km))
    return np.linalg.cholesky(corr)


def uniform_cholesky(n: int, rho: float) -> np.ndarray:
    """Cholesky factor of an ``n``×``n`` correlation matrix with every off-diagonal ``rho``."""
    corr = np.full((n, n), float(rho))
    np.fill_diagonal(corr, 1.0)
    return np.linalg.cholesky(corr)
