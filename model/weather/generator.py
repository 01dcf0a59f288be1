"""Thin xarray wrapper around the kernels, and the netCDF cache.

:func:`generate_profiles` turns tables (prefectures, hydro stations, demand shares) into plain
arrays (:mod:`model.weather.inputs`), runs the kernels year-parallel
(:func:`model.weather.years.weather_arrays`) and returns one :class:`xarray.Dataset`.
:func:`load_or_generate` caches that dataset under a name derived from a hash of every argument,
the calibration parameters and :data:`GENERATOR_VERSION`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from model.atomic import clean_stale, write_netcdf
from model.errors import InputError
from model.weather import hydrology as hydrology_years
from model.weather.inputs import SharedInputs, hydrology_inputs, hydrology_per_year, shared_inputs
from model.weather.parameters import PROFILES_DIR, CalibrationParams, load_params
from model.weather.random import year_key
from model.weather.timeaxis import TIMEZONE
from model.weather.years import weather_arrays

#: Bump when the generator's output changes for the same inputs (invalidates the cache).
GENERATOR_VERSION = "gzgrid-weather-5"


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
    if n_years < 1 or first_year < 0 or seed < 0:
        raise InputError("n_years must be >= 1, first_year and seed >= 0")
    hydro_years = hydrology_per_year(params, hydrology, n_years)
    shared = shared_inputs(
        regions, stations, demand_shares, annual_demand_twh, load_factor, calendar_year, params, regulation_mw
    )
    hyd = hydrology_inputs(shared, hydro_years)
    year_index = np.arange(first_year, first_year + n_years, dtype=np.int64)
    keys = np.array([year_key(seed, int(k)) for k in year_index], dtype=np.uint64)
    data = weather_arrays(shared, hyd, keys, keep_temperature=True)
    # What an operator plans on: the climatology's shape, scaled to the year's energy.
    expected_shape, reg = hydrology_years.expected_factors(params), shared.regulation_mw
    data["inflow_expected"] = np.stack(
        [hyd.local_mw[y][:, None] * hydrology_years.natural_factors(expected_shape, f, reg)[None, :]
         for y, f in enumerate(hyd.fleet_mw)]
    )  # fmt: skip
    return _dataset(
        shared, year_index, hyd.labels, data,
        {
            "generator_version": GENERATOR_VERSION, "seed": int(seed),
            "calendar_year": int(calendar_year), "first_year": int(first_year),
            "n_years": int(n_years), "annual_demand_twh": float(annual_demand_twh),
            "load_factor_target": float(load_factor), "demand_amplitude": float(shared.amplitude),
            "parameters_sha256": params.fingerprint(),
            "parameters": json.dumps(params.as_dict(), sort_keys=True),
            "timezone": TIMEZONE,
        },
    )  # fmt: skip

_META = {
    "pv": ("p.u.", "PV output per unit installed capacity"),
    "wind": ("p.u.", "wind output per unit installed capacity"),
    "ror": ("p.u.", "run-of-river availability of the region's small-hydro aggregate"),
    "load": ("MW", "electricity demand"),
    "temperature": ("degC", "air temperature"),
    "inflow": ("MW", "local (incremental) inflow as potential generation at the station's head"),
    "inflow_expected": ("MW", "expected local inflow of each month, what an operator plans on"),
}


def _dataset(
    shared: SharedInputs, year_index: np.ndarray, classes: list[str], data: dict, attrs: dict
) -> xr.Dataset:
    """The generator's arrays ``data`` with their coordinates and ``units`` attributes."""
    axis, region_ids, st, stations = shared.axis, shared.region_ids, shared.st, shared.stations
    p_nom = shared.p_nom
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
        "lon": ("region", shared.lon, {"units": "degrees_east"}),
        "lat": ("region", shared.lat, {"units": "degrees_north"}),
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
