"""Hydro inflow per station, with cascade consistency [MW of potential generation].

Inflow is expressed as the power a station's own turbines could make from the water at its own
head. A station's *natural* energy ``E_i`` (proportional to its mean generation, scaled so that the
province's installed hydro reaches the hydrology class's full-load hours) counts the water coming
from upstream too; water released by the upstream station is worth ``head_i / head_up`` times its
energy there. The *local* (incremental) inflow is therefore

    local_i = max(E_i - (head_i / head_up) * N_up, min_share * E_i),

with ``N_up`` the upstream station's natural energy as rebuilt from local inflows (equal to
``E_up`` unless the floor bit further up), so that propagating local inflows down the cascade gives
the class energy back without double counting. Aggregates of small hydro have no cascade.

The daily pattern is the monthly curve of the year's hydrology (:mod:`model.weather.hydrology`)
times a log-normal factor: river anomalies are AR(1) in days and correlated between rivers;
stations on one river share most of their anomaly; cold snaps are dry. Each station's year is
rescaled to its hydrology's energy exactly, so the hydrology (not the noise) sets the year's
energy.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from model.weather.random import STREAM_RIVER, STREAM_STATION, correlated_ar1, stream_key


def cascade_local_energy(
    natural: np.ndarray, head: np.ndarray, downstream: np.ndarray, min_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """Split each station's natural energy into local inflow and water from upstream.

    Parameters
    ----------
    natural : numpy.ndarray, shape (n_stations,)
        Natural energy ``E_i`` at each station's own head [any energy unit].
    head : numpy.ndarray, shape (n_stations,)
        Head [m]; NaN for stations without a cascade.
    downstream : numpy.ndarray of int, shape (n_stations,)
        Index of the next station downstream, -1 for none.
    min_share : float
        Floor of the local share [-].

    Returns
    -------
    local : numpy.ndarray
        Local inflow energy [same unit as ``natural``].
    rebuilt : numpy.ndarray
        Natural energy rebuilt from local inflows down the cascade (>= ``natural``).
    """
    n = natural.shape[0]
    upstream: list[list[int]] = [[] for _ in range(n)]
    for i, d in enumerate(downstream):
        if d >= 0:
            upstream[int(d)].append(i)
    local = np.zeros(n)
    rebuilt = np.full(n, np.nan)

    def solve(i: int, seen: tuple[int, ...]) -> float:
        if i in seen:
            raise ValueError(f"hydro cascade has a loop through station index {i}")
        if np.isnan(rebuilt[i]):
            from_up = sum(head[i] / head[u] * solve(u, (*seen, i)) for u in upstream[i])
            local[i] = max(natural[i] - from_up, min_share * natural[i])
            rebuilt[i] = local[i] + from_up
        return rebuilt[i]

    for i in range(n):
        solve(i, ())
    return local, rebuilt


@njit(cache=True)
def inflow_year(
    key: np.uint64,
    river: np.ndarray,
    river_chol: np.ndarray,
    phi: float,
    sd: float,
    station_share: float,
    seasonal: np.ndarray,
    snap: np.ndarray,
    snap_dry: float,
    mean_mw: np.ndarray,
) -> np.ndarray:
    """Hourly local inflow of one weather year [MW].

    Parameters
    ----------
    key : numpy.uint64
        Year key.
    river : numpy.ndarray of int, shape (n_stations,)
        River index of each station (0 .. n_rivers-1).
    river_chol : numpy.ndarray, shape (n_rivers, n_rivers)
        Cholesky factor of the correlation between rivers.
    phi : float
        Daily lag-one autocorrelation of anomalies [-].
    sd : float
        Standard deviation of the log inflow anomaly [-].
    station_share : float
        Share of the anomaly variance that is the station's own [-].
    seasonal : numpy.ndarray, shape (n_days,)
        Seasonal factor per day, mean 1 [-].
    snap : numpy.ndarray, shape (24 * n_days,)
        Hourly cold-snap intensity [-].
    snap_dry : float
        Reduction of log inflow per unit intensity [-].
    mean_mw : numpy.ndarray, shape (n_stations,)
        Annual mean local inflow [MW].

    Returns
    -------
    numpy.ndarray, shape (n_stations, 24 * n_days)
        Local inflow [MW], constant within each day.
    """
    n_s, n_d = river.shape[0], seasonal.shape[0]
    z_river = correlated_ar1(np.uint64(stream_key(key, STREAM_RIVER)), phi, river_chol, n_d)
    one = np.ones((1, 1))
    station_key = np.uint64(stream_key(key, STREAM_STATION))
    a, b = np.sqrt(1.0 - station_share), np.sqrt(station_share)
    dry = np.zeros(n_d)
    for t in range(snap.shape[0]):
        dry[t // 24] += snap[t] / 24.0
    out = np.empty((n_s, 24 * n_d))
    daily = np.empty(n_d)
    for s in range(n_s):
        z_own = correlated_ar1(np.uint64(stream_key(station_key, s)), phi, one, n_d)[0]
        total = 0.0
        for d in range(n_d):
            z = a * z_river[river[s], d] + b * z_own[d]
            daily[d] = seasonal[d] * np.exp(sd * z - 0.5 * sd * sd - snap_dry * dry[d])
            total += daily[d]
        scale = mean_mw[s] * n_d / total
        for d in range(n_d):
            for h in range(24):
                out[s, 24 * d + h] = daily[d] * scale
    return out


def match_months(
    inflow: np.ndarray, mean_mw: np.ndarray, factors: np.ndarray, month: np.ndarray
) -> np.ndarray:
    """Rescale each station's months to ``mean_mw x factor`` of the month [MW], hourly.

    Parameters
    ----------
    inflow : numpy.ndarray, shape (n_stations, n_hours)
        Local inflow of one weather year [MW].
    mean_mw : numpy.ndarray, shape (n_stations,)
        Annual mean local inflow [MW].
    factors : numpy.ndarray, shape (12,)
        Monthly factors on the annual mean [-] (an observed year's record).
    month : numpy.ndarray of int, shape (n_hours,)
        Calendar month (1-12) of each hour, in time order.

    Returns
    -------
    numpy.ndarray, shape (n_stations, n_hours)
        Inflow [MW], in ``inflow``'s dtype; days and stations keep their variation.
    """
    # One year at a time: its 1.5 MB of float64 is reused by the allocator from year to year;
    # all observed years of a batch at once (60 MB, fresh pages) took ten times as long.
    out = inflow.astype(np.float64)
    bounds = np.searchsorted(month, np.arange(1, 14))  # hours are in time order: months are slices
    for m in range(12):
        block = out[:, bounds[m] : bounds[m + 1]]
        actual = block.mean(axis=1)
        target = mean_mw * factors[m]
        block *= np.divide(target, actual, out=np.ones_like(target), where=actual > 0)[:, None]
    return out.astype(inflow.dtype)


@njit(cache=True, parallel=True)
def ror_availability(
    inflow: np.ndarray, region_of: np.ndarray, p_nom_sum: np.ndarray, out: np.ndarray
) -> None:
    """Run-of-river availability per region: its aggregates' inflow over their capacity [p.u.].

    Parameters
    ----------
    inflow : numpy.ndarray of float32, shape (n_years, n_stations, n_hours)
        Local inflow [MW].
    region_of : numpy.ndarray of int, shape (n_stations,)
        Region of each small-hydro aggregate, -1 for the other stations.
    p_nom_sum : numpy.ndarray, shape (n_regions,)
        Capacity of each region's aggregates [MW].
    out : numpy.ndarray of float32, shape (n_years, n_regions, n_hours)
        Out: availability in [0, 1]; 0 in a region without aggregates. The inflows are summed
        in float32, station by station in order, as NumPy sums them over the station axis.
    """
    n_y, n_s, n_t = inflow.shape
    n_r = p_nom_sum.shape[0]
    for y in prange(n_y):
        total = np.empty(n_t, dtype=np.float32)
        for r in range(n_r):
            found = False
            for j in range(n_s):
                if region_of[j] != r:
                    continue
                for t in range(n_t):
                    total[t] = total[t] + inflow[y, j, t] if found else inflow[y, j, t]
                found = True
            for t in range(n_t):
                out[y, r, t] = min(max(total[t] / p_nom_sum[r], 0.0), 1.0) if found else 0.0
