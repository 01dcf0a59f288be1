"""Headline figures of a run (``summary.json``): a selection from :func:`analysis.metrics.metrics`.

Every figure here is the province's value over the whole horizon in ``metrics.nc``, so the
summary, the metrics file, sweep records and figures share one definition of each (loss of
load in :mod:`model.reliability`, the rest in :mod:`analysis.metrics`). Capacity of hydro
includes run-of-river, as China's statistics report it.
"""

from __future__ import annotations

import math

import xarray as xr

from analysis.flows import PROVINCE, SUPPLY
from model.reliability import verdict

#: Carriers of ``generation_twh`` and ``capacity_gw``, in the order they are printed.
CARRIERS = ("coal", "gas", "biomass", "solar", "wind", "ror", "hydro", "fuel_cell", "phs", "battery")
#: Keys of each kind's ``storage`` entry and the metrics variable each is taken from.
STORAGE_KEYS = {
    "cycles": "storage_kind_cycles",
    "full_load_hours": "storage_kind_full_load_hours",
    "discharged_mwh": "storage_kind_discharged_mwh",
    "charged_mwh": "storage_kind_charged_mwh",
    "value_cny": "storage_kind_value_cny",
    "curtailment_avoided_mwh": "storage_kind_curtailment_avoided_mwh",
}


def summarize(ds: xr.Dataset, objective_cny: float = float("nan")) -> dict[str, object]:
    """The headline figures of a run from its metrics dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        :func:`analysis.metrics.metrics` of the solved network.
    objective_cny : float
        The dispatch's system cost [CNY].

    Returns
    -------
    dict
        ``hours`` [h], ``lole_h`` [h], ``eue_mwh``, ``neue_ppm``, ``peak_shortfall_mw``,
        ``dr_mwh``, ``dr_hours``, ``demand_twh``, ``peak_load_mw``, ``generation_twh`` and
        ``capacity_gw`` by carrier, ``curtailment_pct`` (wind, solar, ror), the coal and
        non-fossil shares, ``co2_mt``, ``co2_t_per_mwh``, exports [TWh], ``objective_cny``, the
        ``verdict`` against the dataset's standard, and ``storage``: per kind (phs, battery, h2)
        the year's :data:`STORAGE_KEYS` (cycles [-], full-load hours [h], energy [MWh], value
        [CNY]; cycles and hours of a kind without capacity are 0).
    """
    def num(value) -> float:  # a share of nothing (no wind offered, no generation) is reported as 0
        v = float(value)
        return 0.0 if math.isnan(v) else v

    p = ds.sel(region=PROVINCE, period="year")
    cap_mw = ds.capacity_mw.sel(region=PROVINCE).to_series()
    capacity = {c: float(cap_mw.get(c, 0.0)) / 1e3 for c in CARRIERS if c != "ror"}
    capacity["hydro"] += float(cap_mw.get("ror", 0.0)) / 1e3
    gen = p.generation_twh.to_series()
    lole = float(p.lol_hours)
    year = ds.sel(period="year")
    return {
        "hours": float(ds.attrs["hours"]),
        "lole_h": lole,
        "eue_mwh": float(p.eue_mwh),
        "neue_ppm": num(p.neue_ppm),
        "peak_shortfall_mw": float(p.peak_shortfall_mw),
        "dr_mwh": float(p.dr_mwh),
        "dr_hours": float(p.dr_hours),
        "demand_twh": float(p.demand_twh),
        "peak_load_mw": float(p.peak_load_mw),
        "generation_twh": {c: float(gen.get(c, 0.0)) for c in CARRIERS if c in SUPPLY},
        "curtailment_pct": {str(v): num(p.curtailment_pct.sel(vre=v)) for v in p.vre.values},
        "capacity_gw": capacity,
        "coal_share_capacity": num(ds.coal_share_capacity.sel(region=PROVINCE)),
        "coal_share_generation": num(p.coal_share_generation),
        "nonfossil_share_generation": num(p.nonfossil_share_generation),
        "co2_mt": float(p.co2_mt),
        "co2_t_per_mwh": num(p.co2_t_per_mwh),
        "export_twh": float(year.export_delivered_twh),
        "export_obligation_twh": float(year.export_obligation_twh),
        "export_cut_twh": float(year.export_cut_twh),
        "coal_start_ups_mw": float(year.coal_started_mw),
        "coal_fleet_starts": num(float(year.coal_started_mw) / max(cap_mw.get("coal", 0.0), 1.0)),
        "coal_committed_min_gw": num(year.coal_committed_min_mw) / 1e3,
        "objective_cny": float(objective_cny),
        "verdict": verdict(lole, float(ds.attrs["lole_standard_h"]), float(ds.attrs["hours"])),
        "storage": _storage(ds),
    }


def _storage(ds: xr.Dataset) -> dict[str, dict[str, float]]:
    """The year's storage figures per kind, as :func:`analysis.metrics.metrics` computed them."""
    year = ds[list(STORAGE_KEYS.values())].sel(period="year")
    ratios = ("cycles", "full_load_hours")  # NaN when a kind has no capacity: reported as 0

    def value(key: str, kind: str) -> float:
        v = float(year[STORAGE_KEYS[key]].sel(storage_kind=kind))
        return 0.0 if key in ratios and math.isnan(v) else v

    return {str(k): {key: value(key, k) for key in STORAGE_KEYS} for k in year.storage_kind.values}
