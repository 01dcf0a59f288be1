"""Calibration table: statistics of generated profiles against the targets of DATA.md.

Each row names a statistic, its target, the accepted range and the value found. Multi-year
statistics pool all weather years of the dataset; hydro monthly factors of single years vary
widely (DATA: December 0.30–0.94, August 0.95–2.05), so their mean over *n* years carries a
sampling error of roughly ``0.25 / sqrt(n)``; use 30 or more years.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xarray as xr

from model.weather import hydro, solar
from model.weather.hydrology import hydrology_year
from model.weather.parameters import CalibrationParams

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _row(statistic, target, low, high, value, source):
    return {
        "statistic": statistic,
        "target": float(target),
        "low": float(low),
        "high": float(high),
        "value": float(value),
        "passed": bool(low <= value <= high),
        "source": source,
    }


def natural_energy_twh(ds: xr.Dataset, stations: pd.DataFrame) -> xr.DataArray:
    """Fleet hydro energy per year if every station turbines all its water [TWh].

    Local inflows are propagated down each cascade with the head ratios, so each station's
    natural energy is counted once at its own head.
    """
    min_share = json.loads(ds.attrs["parameters"])["scalars"]["local_min_share"]
    ids = [str(s) for s in ds["station"].values]
    st = stations.loc[ids]
    pos = {s: i for i, s in enumerate(ids)}
    down = np.array(
        [-1 if pd.isna(d) or str(d) == "" else pos[str(d)] for d in st["downstream"]]
    )
    mean_gen = st["mean_generation_gwh"].to_numpy(float)
    local, rebuilt = hydro.cascade_local_energy(
        mean_gen, st["head_m"].to_numpy(float), down, min_share
    )
    ratio = xr.DataArray(rebuilt / local, dims="station", coords={"station": ds["station"]})
    return (ds["inflow"].astype(np.float64).sum("snapshot") * ratio).sum("station") / 1e6


def calibration_table(
    ds: xr.Dataset,
    stations: pd.DataFrame,
    lf_range: tuple[float, float] = (0.72, 0.78),
    peak_share_min: float = 0.8,
) -> pd.DataFrame:
    """Compare generated profiles with their calibration targets.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`model.weather.generate_profiles`.
    stations : pandas.DataFrame
        The station table passed to the generator (cascade and heads).
    lf_range : tuple of float
        Accepted load factor of each year [-].
    peak_share_min : float
        Minimum share of years whose provincial peak falls in December–January at 10–12 h or
        18–21 h CST [-].

    Returns
    -------
    pandas.DataFrame
        Columns ``statistic, target, low, high, value, passed, source``.
    """
    params = json.loads(ds.attrs["parameters"])
    calibration = CalibrationParams.from_dict(params)
    month = ds["snapshot"].dt.month
    rows = []

    pv = ds["pv"].astype(np.float64)
    rows.append(_row("pv_capacity_factor", 0.1175, 0.11, 0.125, pv.mean(), "S4"))
    djf = pv.where(month.isin([12, 1, 2])).mean()
    jja = pv.where(month.isin([6, 7, 8])).mean()
    rows.append(_row("pv_winter_to_summer_ratio", 0.45, 0.0, 0.7, djf / jja,
                     "assumption: persistent winter overcast (DATA wind and solar)"))
    cos_z, _, _ = solar.solar_geometry(
        ds["lat"].values.astype(float), ds["lon"].values.astype(float),
        ds["snapshot"].dt.dayofyear.values.astype(float),
        ds["snapshot"].dt.hour.values.astype(float) + 0.5, 0.0, 180.0,
    )
    night = xr.DataArray(cos_z <= 0.0, dims=("region", "snapshot"))
    rows.append(_row("pv_max_at_night", 0.0, 0.0, 0.0, pv.where(night).max().fillna(0.0),
                     "physics: no output with the sun down"))

    wind = ds["wind"].astype(np.float64)
    rows.append(_row("wind_capacity_factor", 0.225, 0.21, 0.24, wind.mean(), "S4"))

    inflow = ds["inflow"].astype(np.float64).sum("station")
    monthly = inflow.groupby(month).sum() / inflow.sum("snapshot")
    days = np.bincount(month.values - 1) / month.size  # share of the year in each month
    factor = (monthly / xr.DataArray(days, dims="month", coords={"month": monthly["month"]}))
    factor = factor.mean("year")
    years = [hydrology_year(calibration, str(h)) for h in ds["hydrology"].values]
    targets = np.mean([h.factors for h in years], axis=0)  # each year's hydrology, averaged
    for m, target in enumerate(targets):
        rows.append(_row(f"hydro_factor_{MONTHS[m]}", target, target - 0.1, target + 0.1,
                         factor.values[m], "S2"))
    wet = monthly.sel(month=slice(5, 10)).sum("month").mean("year")
    rows.append(_row("hydro_wet_season_share", 0.62, 0.59, 0.65, wet, "S2"))
    energy = natural_energy_twh(ds, stations)
    p_nom = float(ds["p_nom_mw"].sum())
    for cls in dict.fromkeys(ds["hydrology"].values.tolist()):
        target = hydrology_year(calibration, cls).full_load_hours * p_nom / 1e6
        value = energy.where(ds["hydrology"] == cls).mean()
        rows.append(_row(f"hydro_energy_twh_{cls}", target, 0.95 * target, 1.05 * target, value,
                         "S2 (DATA hydrology classes)"))

    load = ds["load"].astype(np.float64).sum("region")
    lf = load.mean("snapshot") / load.max("snapshot")
    rows.append(_row("load_factor_median", ds.attrs["load_factor_target"], *lf_range,
                     lf.median(), "S17 S18"))
    rows.append(_row("load_factor_years_in_range", 1.0, 0.9, 1.0,
                     ((lf >= lf_range[0]) & (lf <= lf_range[1])).mean(), "S17 S18"))
    peak = ds["snapshot"].values[load.argmax("snapshot").values]
    peak = pd.DatetimeIndex(peak)
    good = peak.month.isin([12, 1]) & (
        peak.hour.isin([10, 11, 12]) | peak.hour.isin([18, 19, 20, 21])
    )
    rows.append(_row("peak_in_dec_jan_at_peak_hours_share", 1.0, peak_share_min, 1.0,
                     good.mean(), "S17 S18 S20"))
    twh = load.sum("snapshot").mean() / 1e6
    target = ds.attrs["annual_demand_twh"]
    rows.append(_row("annual_demand_twh", target, 0.999 * target, 1.001 * target, twh,
                     "S16 (caller's demand case)"))

    # Cold snaps should coincide with dark and still days: PV and wind on the 5 % coldest winter
    # days relative to all winter days.
    daily_t = ds["temperature"].astype(np.float64).mean("region").coarsen(snapshot=24).mean()
    winter = daily_t["snapshot"].dt.month.isin([12, 1, 2])
    cold = daily_t.where(winter) <= daily_t.where(winter).quantile(0.05, dim="snapshot")
    for name, var in (("pv", pv), ("wind", wind)):
        d = var.mean("region").coarsen(snapshot=24).mean()
        ratio = d.where(cold).mean() / d.where(winter).mean()
        rows.append(_row(f"{name}_on_coldest_winter_days_ratio", 0.7, 0.0, 0.95, ratio,
                         "assumption: cold snaps are dark and still (regime process)"))
    return pd.DataFrame(rows)
