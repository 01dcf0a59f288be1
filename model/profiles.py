"""The weather generator's arguments for a scenario, a history year's load from its monthly record,
and what a set of weather years costs in memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from model import ROOT
from model.capacity import asset_capacities
from model.errors import InputError
from model.network.hydro import hydro_table
from model.observed import run_rules
from model.register import PREFECTURES, Register
from model.reservoirs import guide_regulation_mw
from model.scenario import Scenario
from model.weather.hydrology import RECORD_MONTHS


def generator_arguments(scenario: Scenario, register: Register) -> dict[str, Any]:
    """Keyword arguments of :func:`model.weather.generate_profiles` that the scenario fixes.

    Regions (lon, lat), stations (with the scenario's capacities), demand shares, annual demand
    [TWh], load factor [-], calendar year and the reservoirs' monthly regulation [MW] (what
    turns recorded generation into natural inflow); the caller adds hydrology, years and seed.
    """
    assets = asset_capacities(register, scenario)
    stations = register.hydro.set_index("id")[
        ["bus", "river", "kind", "downstream", "head_m", "mean_generation_gwh"]
    ].copy()
    stations["p_nom_mw"] = assets.loc[stations.index, "p_nom_mw"]
    demand = register.demand_row(scenario.year, scenario.demand_case)
    hydro = hydro_table(register, assets)
    return {
        "regions": register.buses.set_index("id").loc[list(PREFECTURES), ["lon", "lat"]],
        "stations": stations,
        "demand_shares": register.demand_shares.set_index("bus").share,
        "annual_demand_twh": float(demand.annual_twh),
        "load_factor": float(demand.load_factor),
        "calendar_year": scenario.year,
        "regulation_mw": guide_regulation_mw(hydro, run_rules(register, scenario), scenario.year).tolist(),
    }


#: The monthly consumption record (``consumption_monthly.csv``: year, period, twh, source; S2).
CONSUMPTION_RECORD = ROOT / "data" / "history" / "consumption_monthly.csv"


def recorded_consumption_twh(year: int, path: Path = CONSUMPTION_RECORD) -> pd.Series:
    """Provincial consumption of ``year`` by record period [TWh] (index: :data:`RECORD_MONTHS`).

    Raises
    ------
    InputError
        When the record lacks the year or any of its periods.
    """
    record = pd.read_csv(path)
    rows = record[record.year == year].set_index("period").twh
    missing = [p for p in RECORD_MONTHS if p not in rows.index]
    if missing:
        raise InputError(
            f"{path}: no consumption for {year} in {', '.join(missing)} (needed by demand_case: observed)"
        )
    return rows.reindex(list(RECORD_MONTHS)).astype(float)


def monthly_load_factors(month: np.ndarray, total_mw: np.ndarray, record_twh: pd.Series) -> np.ndarray:
    """Per-hour factors that give each record period the recorded energy.

    Parameters
    ----------
    month : numpy.ndarray, shape (n_hours,)
        Calendar month (1-12) of each hour.
    total_mw : numpy.ndarray, shape (n_hours,)
        Provincial load [MW] (hourly, so MW x 1 h = MWh).
    record_twh : pandas.Series
        Recorded consumption by record period [TWh] (:func:`recorded_consumption_twh`).

    Returns
    -------
    numpy.ndarray, shape (n_hours,)
        The factor of each hour's period: recorded / generated energy; within a period the
        generator's daily, weekly and weather variation is kept.
    """
    factors = np.ones(len(month))
    for period, months in RECORD_MONTHS.items():
        hours = np.isin(month, months)
        generated = total_mw[hours].sum() / 1e6
        if generated > 0:
            factors[hours] = record_twh[period] / generated
    return factors


def with_recorded_months(profiles: xr.Dataset, record_twh: pd.Series) -> xr.Dataset:
    """``profiles`` with ``load`` scaled period by period to the consumption record.

    A history year's annual energy is the record's either way; its seasonal shape comes from the
    generator's calendar factors (fitted to 2016-2020), which make the 2022 and 2024 winters
    about 9 % too mild. With the record's months the winter is as tight as it was.
    """
    load = profiles["load"]
    month = profiles["snapshot"].dt.month.to_numpy()

    def factors(total: np.ndarray) -> np.ndarray:
        return monthly_load_factors(month, total, record_twh)

    total = load.sum("region")
    scale = xr.apply_ufunc(factors, total, input_core_dims=[["snapshot"]], output_core_dims=[["snapshot"]],
                           vectorize=True)  # fmt: skip
    return profiles.assign(load=(load * scale).transpose(*load.dims).astype(load.dtype))


#: Memory of ``gzgrid profiles`` [MiB]: a fixed part (libraries, one year's work arrays) and the
#: part per weather year. Measured (peak RSS of ``gzgrid profiles --years N --out F``): 614 MiB
#: at 10 years, 1,452 MiB at 100 years, so 9.3 MiB per year, rounded up to 10 here; the profiles
#: themselves are 2.2 MiB per year as float32 (221 MiB per 100 years), the rest is the
#: generator's float64 work arrays, the calibration statistics and the netCDF encoding.
PROFILES_BASE_MIB = 600.0
PROFILES_MIB_PER_YEAR = 10.0


def profiles_memory_mib(n_years: int) -> float:
    """Peak memory ``gzgrid profiles`` needs for ``n_years`` weather years [MiB] (measured, above)."""
    return PROFILES_BASE_MIB + PROFILES_MIB_PER_YEAR * n_years


def check_profiles_fit(n_years: int, available_mib: float | None = None) -> None:
    """Refuse, before generating anything, a number of weather years that cannot fit in memory.

    Parameters
    ----------
    n_years : int
        Weather years asked for.
    available_mib : float, optional
        Memory available [MiB] (default: what the operating system reports as available now).

    Raises
    ------
    InputError
        Naming ``--years``, the memory it needs, what is available and the most years that fit.
    """
    if available_mib is None:
        import psutil

        available_mib = psutil.virtual_memory().available / 2**20
    need = profiles_memory_mib(n_years)
    if need > available_mib:
        most = max(0, int((available_mib - PROFILES_BASE_MIB) / PROFILES_MIB_PER_YEAR))
        raise InputError(
            f"--years {n_years}: needs about {need / 1024:.1f} GiB of memory "
            f"({PROFILES_MIB_PER_YEAR:g} MiB per weather year), but {available_mib / 1024:.1f} GiB is "
            f"available; at most about {most} years fit"
        )
