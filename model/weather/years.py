"""A batch of weather years as plain arrays: every variable of a year in one pass, years in parallel.

:func:`weather_years` runs, for each year on its own thread, the year kernels in the order
they feed each other: the cold-snap regime, temperature, then PV, wind, inflow and load. A
year's intermediate arrays (its temperature, its noise) stay in that thread and never make a
batch-sized float64 array. :func:`weather_arrays` wraps it: inputs from
:mod:`model.weather.inputs`, observed years matched to their record's months, run-of-river
availability. The Monte Carlo engine (:mod:`model.adequacy`) takes these arrays directly;
:func:`model.weather.generate_profiles` puts them in a dataset.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit, prange

from model.weather.demand import load_year
from model.weather.hydro import inflow_year, match_months, ror_availability
from model.weather.inputs import HydrologyInputs, SharedInputs
from model.weather.regimes import cold_snap_year
from model.weather.solar import clearness_year, pv_output
from model.weather.temperature import temperature_year
from model.weather.wind import wind_year


@njit(cache=True, parallel=True)
def weather_years(
    keys, season, regime, clim, temp_chol, temp_par,
    cos_z, cos_aoi, e0, location, clear_chol, cloud, panel,
    scale, wind_chol, wind_par, turbine,
    river, river_chol, river_par, seasonal, mean_mw,
    shape, shares, hdd, cdd, degree_day, annual_mwh,
    pv, wind, load, inflow, temperature,
):  # fmt: skip
    """Every variable of several weather years (years in parallel) into float32 arrays.

    Parameters
    ----------
    keys : numpy.ndarray of uint64, shape (Y,)
        Year keys (:func:`model.weather.random.year_key`).
    season, regime
        Seasonal weight (T,) and ``phi, threshold`` of
        :func:`model.weather.regimes.cold_snap_year`.
    clim, temp_chol, temp_par
        Climatology (R, T) [°C], Cholesky factor and ``phi, sd, snap_drop`` of
        :func:`model.weather.temperature.temperature_year`.
    cos_z, cos_aoi, e0
        Solar geometry (:func:`model.weather.solar.solar_geometry`).
    location, clear_chol, cloud
        Logit location (T,), Cholesky factor and ``phi, logit_sd, snap_logit, k_min, k_max`` of
        :func:`model.weather.solar.clearness_year`.
    panel
        ``tilt_deg, albedo, temp_coeff, noct, system_factor`` of
        :func:`model.weather.solar.pv_output`.
    scale, wind_chol, wind_par, turbine
        Weibull scale (R, T) [m/s], Cholesky factor, ``phi, shape, snap_calm`` and turbine of
        :func:`model.weather.wind.wind_year`.
    river, river_chol, river_par
        River of each station (N,), Cholesky factor between rivers and ``phi, sd,
        station_share, snap_dry`` of :func:`model.weather.hydro.inflow_year`.
    seasonal, mean_mw : numpy.ndarray, shapes (Y, D) and (Y, N)
        Each year's daily seasonal factor of inflow [-] and mean local inflow [MW].
    shape, shares, hdd, cdd, degree_day, annual_mwh
        As in :func:`model.weather.demand.load_year`.
    pv, wind, load : numpy.ndarray of float32, shape (Y, R, T)
        Out: PV and wind output [p.u.], load [MW].
    inflow : numpy.ndarray of float32, shape (Y, N, T)
        Out: local inflow [MW].
    temperature : numpy.ndarray of float32, shape (Y, R, T) or (0, R, T)
        Out: air temperature [°C]; not kept when empty.
    """
    keep_temperature = temperature.shape[0] > 0
    for y in prange(keys.shape[0]):
        key = keys[y]
        snap = cold_snap_year(key, regime[0], regime[1], season)
        temp = temperature_year(key, clim, temp_chol, temp_par[0], temp_par[1], snap, temp_par[2])
        clear = clearness_year(
            key, location, clear_chol, cloud[0], cloud[1], snap, cloud[2], cloud[3], cloud[4]
        )
        pv[y] = pv_output(
            cos_z, cos_aoi, e0, clear, temp, panel[0], panel[1], panel[2], panel[3], panel[4]
        ).astype(np.float32)
        wind[y] = wind_year(
            key, scale, wind_chol, wind_par[0], wind_par[1], snap, wind_par[2], turbine
        ).astype(np.float32)
        inflow[y] = inflow_year(
            key, river, river_chol, river_par[0], river_par[1], river_par[2], seasonal[y], snap, river_par[3],
            mean_mw[y],
        ).astype(np.float32)  # fmt: skip
        load[y] = load_year(shape, temp, shares, hdd, cdd, degree_day, annual_mwh).astype(np.float32)
        if keep_temperature:
            temperature[y] = temp.astype(np.float32)


def ror_regions(shared: SharedInputs) -> tuple[np.ndarray, np.ndarray]:
    """Region of each small-hydro aggregate (-1 for other stations) and each region's aggregate
    capacity [MW], the arguments of :func:`model.weather.hydro.ror_availability`."""
    kind = shared.stations["kind"].astype(str).to_numpy()
    bus = shared.stations["bus"].astype(str).to_numpy()
    region_of = np.full(len(kind), -1, dtype=np.int64)
    p_sum = np.zeros(len(shared.region_ids))
    for r, region in enumerate(shared.region_ids):
        sel = np.flatnonzero((kind == "aggregate") & (bus == region))
        region_of[sel] = r
        if sel.size:
            p_sum[r] = shared.p_nom[sel].sum()
    return region_of, p_sum


def weather_arrays(
    shared: SharedInputs,
    hydrology: HydrologyInputs,
    keys: np.ndarray,
    keep_temperature: bool = False,
    empty: Callable[[str, tuple[int, ...]], np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """The weather years of ``keys`` as arrays, float32.

    Parameters
    ----------
    shared : SharedInputs
        :func:`model.weather.inputs.shared_inputs`.
    hydrology : HydrologyInputs
        :func:`model.weather.inputs.hydrology_inputs`, one row per key.
    keys : numpy.ndarray of uint64, shape (Y,)
        Year keys.
    keep_temperature : bool
        Include ``temperature``.
    empty : callable, optional
        ``empty(name, shape)`` gives the uninitialised float32 array each result is written
        into (:class:`model.adequacy.memory.BatchMemory` keeps them from batch to batch);
        default: new arrays.

    Returns
    -------
    dict of str to numpy.ndarray
        ``pv``, ``wind``, ``ror`` [p.u.] and ``load`` [MW], shape (Y, R, T); ``inflow`` (local
        inflow) [MW], shape (Y, N, T); with ``keep_temperature``, ``temperature`` [°C].
    """
    p = shared
    empty = empty or (lambda name, shape: np.empty(shape, dtype=np.float32))
    n_y, (n_r, n_t), n_s = len(keys), p.clim.shape, len(p.st["ids"])
    out = {name: empty(name, (n_y, n_r, n_t)) for name in ("pv", "wind", "load", "ror")}
    out["inflow"] = inflow = empty("inflow", (n_y, n_s, n_t))
    temperature = empty("temperature", (n_y if keep_temperature else 0, n_r, n_t))
    weather_years(
        np.asarray(keys, dtype=np.uint64), p.season, p.regime, p.clim, p.temp_chol, p.temp_par,
        p.cos_z, p.cos_aoi, p.e0, p.location, p.clear_chol, p.cloud, p.panel,
        p.scale, p.wind_chol, p.wind_par, p.turbine,
        p.st["river"], p.river_chol, p.river_par, hydrology.seasonal, hydrology.local_mw,
        p.shape, p.shares, p.hdd, p.cdd, p.degree_day, p.annual_demand_twh * 1e6,
        out["pv"], out["wind"], out["load"], inflow, temperature,
    )  # fmt: skip
    for y, h in enumerate(hydrology.years):
        if h.observed:  # the record's months, exactly; days and stations keep their variation
            inflow[y] = match_months(inflow[y], hydrology.local_mw[y], hydrology.natural[y], p.axis.month)
    ror_availability(inflow, *ror_regions(p), out["ror"])
    if keep_temperature:
        out["temperature"] = temperature
    return out
