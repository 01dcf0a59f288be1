"""Thin xarray wrapper around the kernels, and the netCDF cache.

:func:`generate_profiles` turns tables (prefectures, hydro stations, demand shares) into plain
arrays, runs the kernels year-parallel and returns one :class:`xarray.Dataset`.
:func:`load_or_generate` caches that dataset under a name derived from a hash of every argument,
the calibration parameters and :data:`GENERATOR_VERSION`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from model.atomic import clean_stale, write_netcdf
from model.errors import InputError, did_you_mean
from model.weather import demand, hydro, regimes, solar, temperature, wind
from model.weather import hydrology as hydrology_years
from model.weather.parameters import PROFILES_DIR, CalibrationParams, load_params
from model.weather.random import (
    distance_km,
    exponential_cholesky,
    uniform_cholesky,
    year_key,
)
from model.weather.timeaxis import TIMEZONE, daily_interp, monthly_curve, time_axis

#: Bump when the generator's output changes for the same inputs (invalidates the cache).
GENERATOR_VERSION = "gzgrid-weather-5"


def _ar1_phi(efold: float) -> float:
    """Lag-one autocorrelation of an AR(1) with e-folding time ``efold`` steps."""
    return float(np.exp(-1.0 / efold))


def _hydrology_per_year(
    hydrology: str | Sequence[str], n_years: int, params
) -> list[hydrology_years.HydrologyYear]:
    labels = [hydrology] * n_years if isinstance(hydrology, str) else list(hydrology)
    if len(labels) != n_years:
        raise InputError(f"hydrology: {len(labels)} labels given for n_years={n_years}")
    out = []
    for c in labels:
        try:
            out.append(hydrology_years.hydrology_year(params, c))
        except ValueError as exc:
            raise InputError(f"{exc}{did_you_mean(c, hydrology_years.valid_labels(params))}") from None
    return out


def _station_arrays(stations: pd.DataFrame, min_share: float) -> dict:
    """Cascade split, river grouping and arrays of the station table."""
    ids = [str(s) for s in stations.index]
    pos = {s: i for i, s in enumerate(ids)}
    down = []
    for s, d in zip(ids, stations["downstream"], strict=True):
        if pd.isna(d) or str(d).strip() == "":
            down.append(-1)
        elif str(d) not in pos:
            raise InputError(f"stations: '{s}' flows to unknown station '{d}'")
        else:
            down.append(pos[str(d)])
    mean_gen = stations["mean_generation_gwh"].to_numpy(float)
    local, rebuilt = hydro.cascade_local_energy(
        mean_gen, stations["head_m"].to_numpy(float), np.array(down), min_share
    )
    # Aggregates of small plants are each their own "river": they share no cascade.
    groups = [
        f"{r}:{s}" if k == "aggregate" else str(r)
        for s, r, k in zip(ids, stations["river"], stations["kind"], strict=True)
    ]
    names = list(dict.fromkeys(groups))
    return {
        "ids": ids,
        "mean_gen": mean_gen,
        "local_share": local / mean_gen,
        "rebuilt_share": rebuilt / mean_gen,
        "river": np.array([names.index(g) for g in groups], dtype=np.int64),
        "n_rivers": len(names),
    }


def generate_profiles(
    regions: pd.DataFrame,
    stations: pd.DataFrame,
    demand_shares: pd.Series,
    annual_demand_twh: float,
    load_factor: float = 0.75,
    hydrology: str | Sequence[str] = "normal",
    n_years: int = 1,
    first_year: int = 0,
    seed: int = 1,
    calendar_year: int = 2030,
    params: CalibrationParams | None = None,
    regulation_mw: Sequence[float] | None = None,
) -> xr.Dataset:
    """Generate hourly weather, inflow and demand profiles for weather years.

    Parameters
    ----------
    regions : pandas.DataFrame
        Index = region id; columns ``lon``, ``lat`` [deg].
    stations : pandas.DataFrame
        Index = station id; columns ``bus``, ``river``, ``kind`` (``'reservoir'`` or
        ``'aggregate'``), ``downstream`` (station id or empty), ``p_nom_mw`` [MW], ``head_m`` [m]
        and ``mean_generation_gwh`` [GWh].
    demand_shares : pandas.Series
        Share of provincial demand per region [-], summing to 1.
    annual_demand_twh : float
        Provincial annual energy [TWh].
    load_factor : float
        Target provincial load factor (mean / peak) [-].
    hydrology : str or sequence of str
        Hydrology for all years, or one per year: a class (``wet``, ``normal``, ``dry``,
        ``extreme_dry``) or an observed year ``observed-YYYY`` (:mod:`model.weather.hydrology`).
    n_years, first_year : int
        Weather years ``first_year .. first_year + n_years - 1``; each depends only on
        ``(seed, year)``.
    seed : int
        Random seed.
    calendar_year : int
        Calendar year of the snapshots (29 February dropped: always 8,760 h).
    params : CalibrationParams, optional
        Defaults to :func:`model.weather.parameters.load_params`.
    regulation_mw : sequence of float, optional
        Mean rate at which the fleet's reservoirs store in each month [MW] (12 values): the
        regulation the record's generation contains, added back to make natural inflow
        (:func:`model.weather.hydrology.natural_factors`). None: inflow shaped as generation.

    Returns
    -------
    xarray.Dataset
        Dims ``year``, ``snapshot`` (naive China Standard Time, attribute ``timezone``),
        ``region``, ``station``; float32 variables ``pv`` [p.u.], ``wind`` [p.u.], ``ror`` [p.u.],
        ``load`` [MW], ``temperature`` [°C], ``inflow`` (local inflow) [MW]; the expected local
        inflow by month ``inflow_expected`` (year, station, month) [MW]; per station
        ``local_inflow_share`` [-].
    """
    params = params or load_params()
    p = params
    if n_years < 1 or first_year < 0 or seed < 0:
        raise InputError("n_years must be >= 1, first_year and seed >= 0")
    hydro_years = _hydrology_per_year(hydrology, n_years, params)
    classes = [h.label for h in hydro_years]
    axis = time_axis(calendar_year)
    region_ids = [str(r) for r in regions.index]
    lon, lat = regions["lon"].to_numpy(float), regions["lat"].to_numpy(float)
    year_index = np.arange(first_year, first_year + n_years, dtype=np.int64)
    keys = np.array([year_key(seed, int(k)) for k in year_index], dtype=np.uint64)
    dist = distance_km(lon, lat)
    doy, hour = axis.day_of_year, axis.hour

    # Shared cold-snap regime, then temperature (both feed the other variables).
    season = daily_interp(p.month("cold_snap_season"), doy)
    snap = regimes.cold_snap(keys, _ar1_phi(p["regime_efold_h"]), p["regime_threshold"], season)
    offsets = np.array([p.region_value(r, "temperature_offset_c", 0.0) for r in region_ids])
    amp = daily_interp(p.month("temperature_diurnal_amp"), doy)
    clim = (
        monthly_curve(p.month("temperature_mean"), doy, axis.month)[None, :]
        + offsets[:, None]
        + temperature.diurnal_cycle(hour, amp)[None, :]
        + p["regime_temperature_c"] * regimes.mean_intensity(season, p["regime_threshold"])[None, :]
    )
    temp = temperature.temperature(
        keys, clim, exponential_cholesky(dist, p["temperature_corr_km"]),
        _ar1_phi(p["temperature_efold_h"]), p["temperature_sd_c"], snap, p["regime_temperature_c"],
    )

    # Solar.
    cos_z, cos_aoi, e0 = solar.solar_geometry(
        lat, lon, doy, hour + 0.5, p["pv_tilt_deg"], p["pv_azimuth_deg"]
    )
    k_min, k_max, logit_sd = p["clearness_min"], p["clearness_max"], p["clearness_logit_sd"]
    location = _clearness_location(calendar_year, tuple(p.month("clearness_mean")), logit_sd, k_min, k_max)
    location = location.copy()  # the kernels take writeable arrays (a read-only one compiles anew)
    cloud = np.array(
        [_ar1_phi(p["clearness_efold_h"]), logit_sd, p["regime_clearness_logit"], k_min, k_max]
    )
    panel = np.array(
        [p["pv_tilt_deg"], p["albedo"], p["pv_temp_coeff"], p["pv_noct_c"], p["pv_system_factor"]]
    )
    pv = solar.pv_years(
        keys, cos_z, cos_aoi, e0, location, exponential_cholesky(dist, p["clearness_corr_km"]),
        cloud, snap, temp, panel,
    )

    # Wind.
    site = np.array([p.region_value(r, "wind_scale", 1.0) for r in region_ids])
    diurnal = 1.0 + p["wind_diurnal_amp"] * np.cos(
        2.0 * np.pi * (hour + 0.5 - p["wind_diurnal_peak_h"]) / 24.0
    )
    scale = p["wind_scale_ms"] * site[:, None] * (daily_interp(p.month("wind_scale"), doy) * diurnal)
    turbine = np.array([p["cut_in_ms"], p["rated_ms"], p["cut_out_ms"], p["wind_loss_factor"]])
    wnd = wind.wind_years(
        keys, scale, exponential_cholesky(dist, p["wind_corr_km"]), _ar1_phi(p["wind_efold_h"]),
        p["weibull_k"], snap, p["regime_wind"], turbine,
    )

    # Hydro: the year's energy -> natural energy per station -> local inflow, shaped by month.
    st = _station_arrays(stations, p["local_min_share"])
    p_nom = stations["p_nom_mw"].to_numpy(float)
    flh = np.array([h.full_load_hours for h in hydro_years])
    natural_gwh = (st["mean_gen"] / st["mean_gen"].sum())[None, :] * flh[:, None] * p_nom.sum() / 1e3
    local_mw = natural_gwh * st["local_share"][None, :] * 1e3 / 8760.0
    # Cold snaps are dry; divide by their expected effect so monthly means stay as calibrated.
    snap_effect = regimes.mean_factor(season[::24], p["regime_threshold"], p["regime_inflow"])
    fleet_mw = flh * p_nom.sum() / 8760.0  # mean generation of the fleet [MW]
    reg = None if regulation_mw is None else np.asarray(regulation_mw, dtype=float)
    expected_shape = hydrology_years.expected_factors(params)  # what an operator plans on
    natural = [
        hydrology_years.natural_factors(h.factors, f, reg) for h, f in zip(hydro_years, fleet_mw, strict=True)
    ]
    seasonal = np.stack([_seasonal_curve(tuple(f), calendar_year) / snap_effect for f in natural])
    inflow = hydro.inflow_years(
        keys, st["river"], uniform_cholesky(st["n_rivers"], p["river_corr"]),
        _ar1_phi(p["river_efold_d"]), p["river_sd"], p["station_noise_share"],
        seasonal / seasonal.mean(axis=1, keepdims=True), snap, p["regime_inflow"], local_mw,
    )
    for y, h in enumerate(hydro_years):
        if h.observed:  # the record's months, exactly; days and stations keep their variation
            inflow[y] = _match_months(inflow[y], local_mw[y], natural[y], axis.month)
    expected = np.stack(
        [local_mw[y][:, None] * hydrology_years.natural_factors(expected_shape, f, reg)[None, :]
         for y, f in enumerate(fleet_mw)]
    )  # fmt: skip
    ror = _ror(inflow, stations, p_nom, region_ids)

    # Demand.
    shares = _shares(demand_shares, region_ids)
    calendar = tuple(float(p[k]) for k in ("saturday_factor", "sunday_factor", "spring_festival_start_doy",
                                           "spring_festival_days", "spring_festival_depth"))  # fmt: skip
    amplitude, shape = _demand_shape(
        calendar_year, tuple(p.month("demand_factor")), tuple(p.demand_shape), calendar,
        load_factor * (1.0 + p["peak_weather_uplift"]),
    )  # fmt: skip
    shape = shape.copy()  # writeable for the kernel, as ``location``
    clim_daily = clim.reshape(len(region_ids), 365, 24).mean(axis=2)
    hdd, cdd = demand.degree_days(clim_daily, p["heating_base_c"], p["cooling_base_c"])
    degree_day = np.array(
        [p["heating_base_c"], p["heating_sensitivity"], p["cooling_base_c"], p["cooling_sensitivity"]]
    )
    load = demand.load_years(shape, temp, shares, hdd, cdd, degree_day, annual_demand_twh * 1e6)

    return _dataset(
        axis, year_index, classes, region_ids, (lon, lat), st, stations, p_nom,
        {"pv": pv, "wind": wnd, "ror": ror, "load": load, "temperature": temp.astype(np.float32),
         "inflow": inflow, "inflow_expected": expected},
        {
            "generator_version": GENERATOR_VERSION, "seed": int(seed),
            "calendar_year": int(calendar_year), "first_year": int(first_year),
            "n_years": int(n_years), "annual_demand_twh": float(annual_demand_twh),
            "load_factor_target": float(load_factor), "demand_amplitude": float(amplitude),
            "parameters_sha256": params.fingerprint(),
            "parameters": json.dumps(params.as_dict(), sort_keys=True),
            "timezone": TIMEZONE,
        },
    )


# The next three depend on the calibration only, not on the sample year: a Monte Carlo run asks
# for them once per batch of weather years (and the seasonal curve once per hydrology class),
# so they are kept (100 weather years in 1.4 s instead of 1.5-1.6 s). Their arrays are read-only.


@functools.lru_cache(maxsize=32)
def _seasonal_curve(factors: tuple[float, ...], calendar_year: int) -> np.ndarray:
    """Daily seasonal factor through the year with the given monthly means (never below 2 %)."""
    axis = time_axis(calendar_year)
    curve = monthly_curve(np.array(factors), axis.day_of_year, axis.month)[::24]
    return _read_only(np.maximum(curve, 0.02 * curve.mean()))


@functools.lru_cache(maxsize=8)
def _clearness_location(calendar_year: int, monthly_mean: tuple[float, ...], logit_sd: float, k_min: float,
                        k_max: float) -> np.ndarray:  # fmt: skip
    """Hourly logit location of clearness (:func:`model.weather.solar.logit_location`) [-]."""
    mean = daily_interp(np.array(monthly_mean), time_axis(calendar_year).day_of_year)
    return _read_only(solar.logit_location(mean, logit_sd, k_min, k_max))


@functools.lru_cache(maxsize=8)
def _demand_shape(calendar_year: int, monthly: tuple[float, ...], hourly: tuple[float, ...],
                  calendar: tuple[float, ...], peak_factor: float) -> tuple[float, np.ndarray]:  # fmt: skip
    """Amplitude and calendar shape of demand (:func:`model.weather.demand.calendar_shape`) [-].

    ``calendar``: Saturday and Sunday factors, Spring Festival start day, length and depth.
    """
    axis = time_axis(calendar_year)
    days = demand.day_factors(axis, *calendar)
    hours = np.array(hourly)
    amplitude = demand.solve_amplitude(axis, np.array(monthly), hours, days, peak_factor)
    return amplitude, _read_only(demand.calendar_shape(axis, np.array(monthly), hours, days, amplitude))


def _read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _match_months(
    inflow: np.ndarray, mean_mw: np.ndarray, factors: np.ndarray, month: np.ndarray
) -> np.ndarray:
    """Rescale each station's months to ``mean_mw x factor`` of the month [MW], hourly (S, T)."""
    out = inflow.astype(np.float64)
    bounds = np.searchsorted(month, np.arange(1, 14))  # hours are in time order: months are slices
    for m in range(12):
        block = out[:, bounds[m] : bounds[m + 1]]
        actual = block.mean(axis=1)
        target = mean_mw * factors[m]
        block *= np.divide(target, actual, out=np.ones_like(target), where=actual > 0)[:, None]
    return out.astype(inflow.dtype)


def _ror(inflow: np.ndarray, stations: pd.DataFrame, p_nom: np.ndarray, region_ids) -> np.ndarray:
    """Run-of-river availability per region: aggregate inflow / aggregate capacity, in [0, 1]."""
    out = np.zeros((inflow.shape[0], len(region_ids), inflow.shape[2]), dtype=np.float32)
    kind = stations["kind"].astype(str).to_numpy()
    bus = stations["bus"].astype(str).to_numpy()
    for j, r in enumerate(region_ids):
        sel = np.flatnonzero((kind == "aggregate") & (bus == r))
        if sel.size:
            out[:, j] = np.clip(inflow[:, sel].sum(axis=1) / p_nom[sel].sum(), 0.0, 1.0)
    return out


def _shares(demand_shares: pd.Series, region_ids) -> np.ndarray:
    s = demand_shares.copy()
    s.index = [str(i) for i in s.index]
    missing = [r for r in region_ids if r not in s.index]
    if missing:
        raise InputError(f"demand_shares: no share for region(s) {missing}")
    v = s.loc[region_ids].to_numpy(float)
    if np.any(v < 0) or abs(v.sum() - 1.0) > 1e-3:
        raise InputError(f"demand_shares: must be >= 0 and sum to 1 (sum is {v.sum():.4f})")
    return v / v.sum()


_META = {
    "pv": ("p.u.", "PV output per unit installed capacity"),
    "wind": ("p.u.", "wind output per unit installed capacity"),
    "ror": ("p.u.", "run-of-river availability of the region's small-hydro aggregate"),
    "load": ("MW", "electricity demand"),
    "temperature": ("degC", "air temperature"),
    "inflow": ("MW", "local (incremental) inflow as potential generation at the station's head"),
    "inflow_expected": ("MW", "expected local inflow of each month, what an operator plans on"),
}


def _dataset(axis, year_index, classes, region_ids, lonlat, st, stations, p_nom, data, attrs):
    down = np.array(
        ["" if pd.isna(d) else str(d) for d in stations["downstream"]], dtype=str
    )
    snapshot = xr.Variable(
        "snapshot",
        axis.snapshots.to_numpy(),
        {"timezone": TIMEZONE, "long_name": "start of hour, China Standard Time (naive)"},
    )
    coords = {
        "year": ("year", year_index, {"long_name": "weather-year index"}),
        "hydrology": ("year", np.array(classes, dtype=str)),
        "snapshot": snapshot,
        "region": ("region", np.array(region_ids, dtype=str)),
        "lon": ("region", lonlat[0], {"units": "degrees_east"}),
        "lat": ("region", lonlat[1], {"units": "degrees_north"}),
        "station_head_m": ("station", stations["head_m"].to_numpy(float), {"units": "m"}),
        "station_downstream": ("station", down),
        "station": ("station", np.array(st["ids"], dtype=str)),
        "station_bus": ("station", stations["bus"].astype(str).to_numpy(dtype=str)),
        "station_kind": ("station", stations["kind"].astype(str).to_numpy(dtype=str)),
        "month": ("month", np.arange(1, 13)),
    }
    dims = {"inflow": ("year", "station", "snapshot"), "inflow_expected": ("year", "station", "month")}
    variables = {}
    for name, arr in data.items():
        units, long_name = _META[name]
        variables[name] = xr.Variable(
            dims.get(name, ("year", "region", "snapshot")), arr.astype(np.float32, copy=False),
            {"units": units, "long_name": long_name},
        )
    variables["local_inflow_share"] = xr.Variable(
        "station", st["local_share"],
        {"units": "1", "long_name": "share of the station's natural energy that is local inflow"},
    )
    variables["p_nom_mw"] = xr.Variable("station", p_nom, {"units": "MW", "long_name": "capacity"})
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def cache_key(**arguments) -> str:
    """SHA-256 (first 20 hex digits) of the generator arguments and version."""

    def plain(v):
        if isinstance(v, pd.DataFrame | pd.Series):
            return json.loads(v.to_json(orient="split", double_precision=15))
        if isinstance(v, CalibrationParams):
            return v.as_dict()
        if isinstance(v, tuple | list):
            return [plain(x) for x in v]
        return v

    payload = {k: plain(v) for k, v in sorted(arguments.items())}
    payload["generator_version"] = GENERATOR_VERSION
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def load_or_generate(
    regions: pd.DataFrame,
    stations: pd.DataFrame,
    demand_shares: pd.Series,
    annual_demand_twh: float,
    load_factor: float = 0.75,
    hydrology: str | Sequence[str] = "normal",
    n_years: int = 1,
    first_year: int = 0,
    seed: int = 1,
    calendar_year: int = 2030,
    params: CalibrationParams | None = None,
    regulation_mw: Sequence[float] | None = None,
    cache_dir: Path | str = PROFILES_DIR,
) -> xr.Dataset:
    """Return cached profiles, generating and caching them on a miss.

    Arguments as :func:`generate_profiles`, plus ``cache_dir``. The file name is
    ``profiles-<hash>.nc`` with the hash of every argument, the parameters and
    :data:`GENERATOR_VERSION`; it is written to a temporary file and renamed into place, so an
    interrupted write never leaves a file that looks whole.
    """
    params = params or load_params()
    args = dict(
        regions=regions[["lon", "lat"]], stations=stations, demand_shares=demand_shares,
        annual_demand_twh=float(annual_demand_twh), load_factor=float(load_factor),
        hydrology=hydrology if isinstance(hydrology, str) else list(hydrology),
        n_years=int(n_years), first_year=int(first_year), seed=int(seed),
        calendar_year=int(calendar_year), params=params,
        regulation_mw=None if regulation_mw is None else [round(float(v), 6) for v in regulation_mw],
    )
    cache_dir = Path(cache_dir)
    path = cache_dir / f"profiles-{cache_key(**args)}.nc"
    if path.exists():
        with xr.open_dataset(path) as ds:
            return ds.load()
    ds = generate_profiles(**args)
    cache_dir.mkdir(parents=True, exist_ok=True)
    clean_stale(cache_dir)  # temporaries of writers that were killed
    write_netcdf(ds, path, encoding={v: {"zlib": True, "complevel": 1} for v in _META})
    return ds
