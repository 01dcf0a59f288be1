"""The generator's inputs as plain arrays: what every weather year shares, and what its hydrology sets.

:func:`shared_inputs` turns the tables (prefectures, hydro stations, demand shares, calibration)
into the arrays the kernels take that do not depend on the weather year: the calendar, solar
geometry, climatologies, correlations, the demand shape. :func:`hydrology_inputs` adds, for the
hydrology of each year, the inflow's daily seasonal curve and each station's mean local inflow;
they are computed once per distinct label (a batch of 100 Monte Carlo years has at most 18).
Both are pure functions of their arguments; :func:`model.weather.years.weather_arrays` runs
the kernels on them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.errors import InputError, did_you_mean
from model.weather import demand, hydro, regimes, solar, temperature
from model.weather import hydrology as hydrology_years
from model.weather.parameters import CalibrationParams, load_params
from model.weather.random import distance_km, exponential_cholesky, uniform_cholesky
from model.weather.timeaxis import TimeAxis, daily_interp, monthly_curve, time_axis


@dataclass(frozen=True)
class SharedInputs:
    """Kernel inputs every weather year shares (plain arrays; R regions, N stations, T hours).

    The packed parameter vectors are in the order the kernels of
    :mod:`model.weather.years` read them.
    """

    params: CalibrationParams
    calendar_year: int
    axis: TimeAxis
    region_ids: list[str]
    lon: np.ndarray  # (R,) [deg]
    lat: np.ndarray  # (R,) [deg]
    season: np.ndarray  # (T,) cold-snap season weight [-]
    regime: np.ndarray  # (2,) phi, threshold of the cold-snap process
    clim: np.ndarray  # (R, T) temperature climatology [degC]
    temp_chol: np.ndarray  # (R, R)
    temp_par: np.ndarray  # (3,) phi, sd [degC], cold-snap drop [degC]
    cos_z: np.ndarray  # (R, T)
    cos_aoi: np.ndarray  # (R, T)
    e0: np.ndarray  # (T,) [W/m2]
    location: np.ndarray  # (T,) logit location of clearness
    clear_chol: np.ndarray  # (R, R)
    cloud: np.ndarray  # (5,) phi, logit_sd, snap_logit, k_min, k_max
    panel: np.ndarray  # (5,) tilt [deg], albedo, temp_coeff [1/degC], noct [degC], system factor
    scale: np.ndarray  # (R, T) Weibull scale [m/s]
    wind_chol: np.ndarray  # (R, R)
    wind_par: np.ndarray  # (3,) phi, Weibull shape, cold-snap calm
    turbine: np.ndarray  # (4,) cut-in, rated, cut-out [m/s], loss factor
    stations: pd.DataFrame  # the station table as given
    st: dict  # :func:`station_arrays`
    p_nom: np.ndarray  # (N,) [MW]
    river_chol: np.ndarray  # (n_rivers, n_rivers)
    river_par: np.ndarray  # (4,) daily phi, sd, station share, cold-snap dryness
    snap_effect: np.ndarray  # (365,) expected cold-snap factor of daily inflow [-]
    regulation_mw: np.ndarray | None  # (12,) monthly regulation of the reservoirs [MW]
    annual_demand_twh: float
    load_factor: float
    amplitude: float  # exponent of the demand's calendar shape [-]
    shape: np.ndarray  # (T,) calendar shape of demand, mean 1 [-]
    shares: np.ndarray  # (R,) demand share [-]
    hdd: np.ndarray  # (R, 365) climatological heating degrees [degC]
    cdd: np.ndarray  # (R, 365) climatological cooling degrees [degC]
    degree_day: np.ndarray  # (4,) heating base, sensitivity, cooling base, sensitivity


@dataclass(frozen=True)
class HydrologyInputs:
    """Per weather year, what its hydrology sets (Y years, N stations, 365 days)."""

    labels: list[str]  # hydrology label of each year
    years: list[hydrology_years.HydrologyYear]
    seasonal: np.ndarray  # (Y, 365) daily seasonal factor of inflow, mean 1 [-]
    local_mw: np.ndarray  # (Y, N) mean local inflow [MW]
    fleet_mw: np.ndarray  # (Y,) mean generation of the fleet [MW]
    natural: np.ndarray  # (Y, 12) monthly factors of natural inflow [-]


def ar1_phi(efold: float) -> float:
    """Lag-one autocorrelation of an AR(1) with e-folding time ``efold`` steps."""
    return float(np.exp(-1.0 / efold))


def station_arrays(stations: pd.DataFrame, min_share: float) -> dict:
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


def region_shares(shares: pd.Series, region_ids: list[str]) -> np.ndarray:
    """Each region's share of provincial demand, in ``region_ids`` order, summing to 1 [-]."""
    s = shares.copy()
    s.index = [str(i) for i in s.index]
    missing = [r for r in region_ids if r not in s.index]
    if missing:
        raise InputError(f"demand_shares: no share for region(s) {missing}")
    v = s.loc[region_ids].to_numpy(float)
    if np.any(v < 0) or abs(v.sum() - 1.0) > 1e-3:
        raise InputError(f"demand_shares: must be >= 0 and sum to 1 (sum is {v.sum():.4f})")
    return v / v.sum()


def shared_inputs(
    regions: pd.DataFrame,
    stations: pd.DataFrame,
    demand_shares: pd.Series,
    annual_demand_twh: float,
    load_factor: float = 0.75,
    calendar_year: int = 2030,
    params: CalibrationParams | None = None,
    regulation_mw: Sequence[float] | None = None,
) -> SharedInputs:
    """The kernels' inputs that no weather year or hydrology changes.

    Arguments as :func:`model.weather.generate_profiles`.
    """
    p = params or load_params()
    axis = time_axis(calendar_year)
    region_ids = [str(r) for r in regions.index]
    lon, lat = regions["lon"].to_numpy(float), regions["lat"].to_numpy(float)
    dist = distance_km(lon, lat)
    doy, hour = axis.day_of_year, axis.hour

    season = daily_interp(p.month("cold_snap_season"), doy)
    offsets = np.array([p.region_value(r, "temperature_offset_c", 0.0) for r in region_ids])
    amp = daily_interp(p.month("temperature_diurnal_amp"), doy)
    clim = (
        monthly_curve(p.month("temperature_mean"), doy, axis.month)[None, :]
        + offsets[:, None]
        + temperature.diurnal_cycle(hour, amp)[None, :]
        + p["regime_temperature_c"] * regimes.mean_intensity(season, p["regime_threshold"])[None, :]
    )

    cos_z, cos_aoi, e0 = solar.solar_geometry(
        lat, lon, doy, hour + 0.5, p["pv_tilt_deg"], p["pv_azimuth_deg"]
    )
    k_min, k_max, logit_sd = p["clearness_min"], p["clearness_max"], p["clearness_logit_sd"]
    location = clearness_location(calendar_year, tuple(p.month("clearness_mean")), logit_sd, k_min, k_max)

    site = np.array([p.region_value(r, "wind_scale", 1.0) for r in region_ids])
    diurnal = 1.0 + p["wind_diurnal_amp"] * np.cos(
        2.0 * np.pi * (hour + 0.5 - p["wind_diurnal_peak_h"]) / 24.0
    )
    scale = p["wind_scale_ms"] * site[:, None] * (daily_interp(p.month("wind_scale"), doy) * diurnal)

    st = station_arrays(stations, p["local_min_share"])

    calendar = tuple(float(p[k]) for k in ("saturday_factor", "sunday_factor", "spring_festival_start_doy",
                                           "spring_festival_days", "spring_festival_depth"))  # fmt: skip
    amplitude, shape = demand_shape(
        calendar_year, tuple(p.month("demand_factor")), tuple(p.demand_shape), calendar,
        load_factor * (1.0 + p["peak_weather_uplift"]),
    )  # fmt: skip
    clim_daily = clim.reshape(len(region_ids), 365, 24).mean(axis=2)
    hdd, cdd = demand.degree_days(clim_daily, p["heating_base_c"], p["cooling_base_c"])
    return SharedInputs(
        params=p,
        calendar_year=int(calendar_year),
        axis=axis,
        region_ids=region_ids,
        lon=lon,
        lat=lat,
        season=season,
        regime=np.array([ar1_phi(p["regime_efold_h"]), p["regime_threshold"]]),
        clim=clim,
        temp_chol=exponential_cholesky(dist, p["temperature_corr_km"]),
        temp_par=np.array(
            [ar1_phi(p["temperature_efold_h"]), p["temperature_sd_c"], p["regime_temperature_c"]]
        ),
        cos_z=cos_z,
        cos_aoi=cos_aoi,
        e0=e0,
        location=location.copy(),  # the kernels take writeable arrays (a read-only one compiles anew)
        clear_chol=exponential_cholesky(dist, p["clearness_corr_km"]),
        cloud=np.array(
            [ar1_phi(p["clearness_efold_h"]), logit_sd, p["regime_clearness_logit"], k_min, k_max]
        ),
        panel=np.array(
            [p["pv_tilt_deg"], p["albedo"], p["pv_temp_coeff"], p["pv_noct_c"], p["pv_system_factor"]]
        ),
        scale=scale,
        wind_chol=exponential_cholesky(dist, p["wind_corr_km"]),
        wind_par=np.array([ar1_phi(p["wind_efold_h"]), p["weibull_k"], p["regime_wind"]]),
        turbine=np.array([p["cut_in_ms"], p["rated_ms"], p["cut_out_ms"], p["wind_loss_factor"]]),
        stations=stations,
        st=st,
        p_nom=stations["p_nom_mw"].to_numpy(float),
        river_chol=uniform_cholesky(st["n_rivers"], p["river_corr"]),
        river_par=np.array(
            [ar1_phi(p["river_efold_d"]), p["river_sd"], p["station_noise_share"], p["regime_inflow"]]
        ),
        # Cold snaps are dry; inflow is divided by their expected effect so monthly means stay
        # as calibrated.
        snap_effect=regimes.mean_factor(season[::24], p["regime_threshold"], p["regime_inflow"]),
        regulation_mw=None if regulation_mw is None else np.asarray(regulation_mw, dtype=float),
        annual_demand_twh=float(annual_demand_twh),
        load_factor=float(load_factor),
        amplitude=amplitude,
        shape=shape.copy(),  # writeable for the kernel, as ``location``
        shares=region_shares(demand_shares, region_ids),
        hdd=hdd,
        cdd=cdd,
        degree_day=np.array(
            [p["heating_base_c"], p["heating_sensitivity"], p["cooling_base_c"], p["cooling_sensitivity"]]
        ),
    )


def hydrology_per_year(
    params: CalibrationParams, hydrology: str | Sequence[str], n_years: int
) -> list[hydrology_years.HydrologyYear]:
    """The hydrology year of each weather year (one label for all, or one per year)."""
    labels = [hydrology] * n_years if isinstance(hydrology, str) else list(hydrology)
    if len(labels) != n_years:
        raise InputError(f"hydrology: {len(labels)} labels given for n_years={n_years}")
    known: dict[str, hydrology_years.HydrologyYear] = {}
    for c in dict.fromkeys(labels):
        try:
            known[c] = hydrology_years.hydrology_year(params, c)
        except ValueError as exc:
            raise InputError(f"{exc}{did_you_mean(c, hydrology_years.valid_labels(params))}") from None
    return [known[c] for c in labels]


def hydrology_inputs(shared: SharedInputs, years: list[hydrology_years.HydrologyYear]) -> HydrologyInputs:
    """Seasonal curve and energy of each weather year's inflow from its hydrology year.

    ``years`` as :func:`hydrology_per_year` gives them. Each distinct label is worked out once
    and its rows repeated: the arithmetic of a row does not depend on the other rows, so this is
    what a row per year gives.
    """
    labels = [h.label for h in years]
    distinct = list(dict.fromkeys(labels))
    first = [labels.index(c) for c in distinct]
    row = np.array([distinct.index(c) for c in labels], dtype=np.int64)
    st, p_nom = shared.st, shared.p_nom
    flh = np.array([years[i].full_load_hours for i in first])
    natural_gwh = (st["mean_gen"] / st["mean_gen"].sum())[None, :] * flh[:, None] * p_nom.sum() / 1e3
    local_mw = natural_gwh * st["local_share"][None, :] * 1e3 / 8760.0
    fleet_mw = flh * p_nom.sum() / 8760.0  # mean generation of the fleet [MW]
    natural = np.stack([
        hydrology_years.natural_factors(years[i].factors, f, shared.regulation_mw)
        for i, f in zip(first, fleet_mw, strict=True)
    ])  # fmt: skip
    seasonal = np.stack(
        [seasonal_curve(tuple(f), shared.calendar_year) / shared.snap_effect for f in natural]
    )
    seasonal = seasonal / seasonal.mean(axis=1, keepdims=True)
    return HydrologyInputs(
        labels=labels, years=years, seasonal=seasonal[row], local_mw=local_mw[row], fleet_mw=fleet_mw[row],
        natural=natural[row],
    )  # fmt: skip


# The next three depend on the calibration only, not on the sample year: a Monte Carlo run asks
# for them once per batch of weather years (and the seasonal curve once per hydrology class),
# so they are kept. Their arrays are read-only.


@functools.lru_cache(maxsize=32)
def seasonal_curve(factors: tuple[float, ...], calendar_year: int) -> np.ndarray:
    """Daily seasonal factor through the year with the given monthly means (never below 2 %)."""
    axis = time_axis(calendar_year)
    curve = monthly_curve(np.array(factors), axis.day_of_year, axis.month)[::24]
    return _read_only(np.maximum(curve, 0.02 * curve.mean()))


@functools.lru_cache(maxsize=8)
def clearness_location(calendar_year: int, monthly_mean: tuple[float, ...], logit_sd: float, k_min: float,
                       k_max: float) -> np.ndarray:  # fmt: skip
    """Hourly logit location of clearness (:func:`model.weather.solar.logit_location`) [-].

    The mean changes once a day, so the location is solved for each distinct value (365, not
    8,760: each value's bisection is its own, 0.17 s a process saved).
    """
    mean = daily_interp(np.array(monthly_mean), time_axis(calendar_year).day_of_year)
    values, where = np.unique(mean, return_inverse=True)
    return _read_only(solar.logit_location(values, logit_sd, k_min, k_max)[where])


@functools.lru_cache(maxsize=8)
def demand_shape(calendar_year: int, monthly: tuple[float, ...], hourly: tuple[float, ...],
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
