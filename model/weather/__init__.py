"""Numba weather and demand generator: hourly PV, wind, hydro inflow, temperature and load.

Public API::

    generate_profiles(regions, stations, demand_shares, annual_demand_twh, ...) -> xr.Dataset
    load_or_generate(..., cache_dir=data/profiles) -> xr.Dataset   (hash-named netCDF cache)
    calibration_table(ds, stations) -> pd.DataFrame                (statistics vs targets)
    tz_aware_snapshots(ds) -> pd.DatetimeIndex                     (China Standard Time)

Modules, one physical concern each: :mod:`~model.weather.random` (seeded streams, correlated
AR(1) noise), :mod:`~model.weather.regimes` (shared cold-snap process),
:mod:`~model.weather.temperature`, :mod:`~model.weather.solar`, :mod:`~model.weather.wind`,
:mod:`~model.weather.hydro`, :mod:`~model.weather.demand`, :mod:`~model.weather.timeaxis`,
:mod:`~model.weather.parameters` (calibration tables), :mod:`~model.weather.inputs` (the tables
as the kernels' plain arrays), :mod:`~model.weather.years` (a batch of years, every variable,
years in parallel), :mod:`~model.weather.generator` (xarray wrapper and cache) and
:mod:`~model.weather.calibration`.
"""

from model.weather.calibration import calibration_table
from model.weather.generator import GENERATOR_VERSION, generate_profiles, load_or_generate
from model.weather.parameters import CalibrationParams, load_params
from model.weather.timeaxis import tz_aware_snapshots

__all__ = [
    "GENERATOR_VERSION",
    "CalibrationParams",
    "calibration_table",
    "generate_profiles",
    "load_or_generate",
    "load_params",
    "tz_aware_snapshots",
]
