"""The adequacy result as an :class:`xarray.Dataset` (written as ``adequacy.nc``).

Contents
--------
Per sample year (dim ``sample``): ``lole_h``, ``lold_d``, ``eue_mwh``, ``neue_ppm``,
``demand_mwh``, ``sample_hydrology`` (a class or an observed year), ``sample_class`` (its
nearest class), ``sample_coal_stress`` (the coal supply spells struck), the diagnostics
(``export_shortfall_mwh``, ``dr_mwh``, ``reservoir_reserve_mwh``, ``storage_discharge_mwh``,
``spill_mwh``) and the splits
``eue_bus_mwh``/``lole_bus_h`` (``sample``, ``bus``) and ``eue_month_mwh``/``lole_month_h``
(``sample``, ``month``).

Statistics: ``<index>_mean`` and ``<index>_se`` for LOLE, LOLD, EUE and NEUE (scalars), by bus,
by month, by hydrology class (``..._by_class_...`` with ``n_by_class``) and given the coal
supply spells or not (dim ``coal_supply``: ``no_stress``, ``stress``; ``..._by_coal_supply_...``
with ``n_by_coal_supply``);
``eue_distribution_mwh`` (``statistic``: mean, p50, p90, p99, worst); events (dim ``event``:
``event_sample``, ``event_start_h``, ``event_duration_h``, ``event_energy_mwh``,
``event_peak_mw``), ``event_duration_count`` per ``duration_bin_h`` and event energy quantiles.
Attributes: scenario, samples, seed, stop reason, rse of EUE, the standard and the verdict, the
rule-of-three bound when no shortfall was seen, timings. Every variable has ``units``.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from model import __version__
from model.adequacy.causes import CAUSES
from model.adequacy.engine import DIAGNOSTICS
from model.adequacy.statistics import (
    DURATION_BINS,
    INDICES,
    duration_histogram,
    mean_se,
    relative_se,
    zero_upper_bound,
)
from model.adequacy.system import AdequacySystem
from model.reliability import SHORTFALL_TOL_MW, verdict
from model.scenario import Scenario

QUANTILES = {"mean": None, "p50": 50, "p90": 90, "p99": 99, "worst": 100}
#: Labels of the ``coal_supply`` dimension: sample years without and with the supply spells.
COAL_SUPPLY = ("no_stress", "stress")


def _var(dims, data, units: str, long_name: str) -> xr.Variable:
    return xr.Variable(dims, np.asarray(data), {"units": units, "long_name": long_name})


def _distribution(x: np.ndarray) -> np.ndarray:
    if x.size == 0:
        return np.zeros(len(QUANTILES))
    return np.array([x.mean() if q is None else np.percentile(x, q) for q in QUANTILES.values()])


def to_dataset(
    scenario: Scenario,
    system: AdequacySystem,
    per_sample: dict[str, np.ndarray],
    found: dict[str, np.ndarray],
    classes: list[str],
    class_names: tuple[str, ...],
    labels: list[str] | None = None,
) -> xr.Dataset:
    """Assemble per-sample indices, events and their statistics into one dataset.

    Parameters
    ----------
    scenario : Scenario
        Gives the name and the standard (``adequacy.lole_h``).
    system : AdequacySystem
        Gives the buses and the horizon.
    per_sample : dict of str to numpy.ndarray
        From :func:`model.adequacy.statistics.sample_indices`, plus ``demand_mwh``,
        ``eue_bus_mwh``, ``lole_bus_h`` and ``diagnostics``.
    found : dict of str to numpy.ndarray
        Events from :func:`model.adequacy.statistics.events`.
    classes : list of str
        Hydrology class of each sample.
    class_names : tuple of str
        All classes, in output order.
    labels : list of str, optional
        The hydrology each sample was drawn with (a class or an observed year; default
        ``classes``).
    """
    n = len(classes)
    v: dict[str, xr.Variable] = {}
    for key, units in INDICES.items():
        v[key] = _var("sample", per_sample[key], units, f"{key.split('_')[0].upper()} of each sample year")
        mean, se = mean_se(per_sample[key])
        v[f"{key}_mean"] = _var((), mean, units, f"mean {key.split('_')[0].upper()}")
        v[f"{key}_se"] = _var((), se, units, f"standard error of the mean {key.split('_')[0].upper()}")
    v["demand_mwh"] = _var("sample", per_sample["demand_mwh"], "MWh", "domestic demand over the horizon")
    drawn = np.array(labels if labels is not None else classes, dtype=str)
    v["sample_hydrology"] = _var("sample", drawn, "1", "hydrology drawn: a class or an observed year")
    nearest = np.array(classes, dtype=str)
    v["sample_class"] = _var("sample", nearest, "1", "hydrology class (an observed year: the nearest)")
    for j, name in enumerate(DIAGNOSTICS):
        v[f"{name}_mwh"] = _var("sample", per_sample["diagnostics"][:, j], "MWh", name.replace("_", " "))
    for key, dim, units, what in (
        ("eue_bus_mwh", "bus", "MWh/yr", "EUE by prefecture"),
        ("lole_bus_h", "bus", "h/yr", "LOLE by prefecture"),
        ("eue_month_mwh", "month", "MWh/yr", "EUE by month"),
        ("lole_month_h", "month", "h/yr", "LOLE by month"),
    ):
        v[key] = _var(("sample", dim), per_sample[key], units, what)
        mean, se = mean_se(per_sample[key])
        stem = key.rsplit("_", 1)[0]
        v[f"{stem}_mean"] = _var(dim, mean, units, f"mean {what}")
        v[f"{stem}_se"] = _var(dim, se, units, f"standard error of the mean {what}")
    cls = np.array(classes, dtype=str)
    v.update(_given(per_sample, [cls == c for c in class_names], "hydrology", "class", "the class"))
    stress = np.asarray(per_sample.get("coal_stress", np.zeros(n, dtype=bool)), dtype=bool)
    v["sample_coal_stress"] = _var("sample", stress, "1", "the coal supply spells struck the sample year")
    v.update(_given(per_sample, [~stress, stress], "coal_supply", "coal_supply", "coal supply stress or not"))
    v["eue_distribution_mwh"] = _var(
        "statistic", _distribution(per_sample["eue_mwh"]), "MWh/yr", "annual EUE: mean and percentiles"
    )
    for key, units in (("sample", "1"), ("start_h", "h"), ("duration_h", "h"), ("energy_mwh", "MWh"),
                       ("peak_mw", "MW")):  # fmt: skip
        v[f"event_{key}"] = _var("event", found[key], units, f"loss-of-load event {key.replace('_', ' ')}")
    for key, units in CAUSES.items():
        if key in found:
            what = f"cause of the event: {key.replace('_', ' ')}"
            v[f"event_{key}"] = _var("event", found[key], units, what)
    if "hydrology" in found:
        v["event_hydrology"] = _var("event", np.asarray(found["hydrology"], dtype=str), "1",
                                    "hydrology of the event's sample year")  # fmt: skip
    v["event_duration_count"] = _var(
        "duration_bin_h", duration_histogram(found["duration_h"]), "1", "events by duration"
    )
    v["event_energy_distribution_mwh"] = _var(
        "statistic", _distribution(found["energy_mwh"]), "MWh", "event energy: mean and percentiles"
    )
    lole = float(v["lole_h_mean"].values)
    standard = scenario.adequacy.lole_h
    coords = {
        "sample": ("sample", np.arange(n)),
        "bus": ("bus", np.array(system.buses, dtype=str)),
        "month": ("month", np.arange(1, 13)),
        "hydrology": ("hydrology", np.array(class_names, dtype=str)),
        "coal_supply": ("coal_supply", np.array(COAL_SUPPLY, dtype=str)),
        "statistic": ("statistic", np.array(list(QUANTILES), dtype=str)),
        "duration_bin_h": (
            "duration_bin_h",
            np.array([*DURATION_BINS, -1]),
            {"units": "h", "long_name": "upper edge of the bin (-1: longer than the last edge)"},
        ),
    }
    any_shortfall = bool(np.any(per_sample["eue_mwh"] > 0))
    attrs = {
        "title": "gzgrid probabilistic adequacy",
        "gzgrid_version": __version__,
        "scenario": scenario.name,
        "samples": n,
        "hours": system.hours,
        "lole_standard_h": standard,
        # the standard is per year; a shorter horizon is held to its share of it (as in a dispatch run)
        "lole_limit_h": standard * system.hours / 8760,
        "verdict": verdict(lole, standard, system.hours),
        "rse_eue": relative_se(per_sample["eue_mwh"]),
        "shortfall_tol_mw": SHORTFALL_TOL_MW,
        "years_with_shortfall": int(np.sum(per_sample["eue_mwh"] > 0)),
        "share_of_years_with_shortfall": float(np.mean(per_sample["eue_mwh"] > 0)),
        "hydrology_probabilities": json.dumps(scenario.adequacy.hydrology_probabilities),
        "maintenance": int(scenario.coal.maintenance),
        "fuel_stress": fuel_stress_note(scenario),
        "coal_supply_spells": json.dumps([e.model_dump() for e in scenario.coal.supply]),
        "years_with_coal_stress": int(stress.sum()),
        "conventions": (
            "shortfall hour: provincial shortfall above shortfall_tol_mw; thermal without minimum "
            "load or ramps, derated by planned maintenance (if maintenance = 1); seasonal reservoirs "
            "follow the register's lower guide under its ceiling; lossless corridors; exports cut "
            "before domestic load; standard errors std/sqrt(N); rse of EUE; see model/adequacy"
        ),
    }
    if not any_shortfall:
        attrs["share_of_years_with_shortfall_upper95"] = zero_upper_bound(n)
        attrs["zero_note"] = (
            f"no shortfall in {n} sample years: LOLE, EUE = 0; by the rule of three the share of years "
            f"with any loss of load is below {zero_upper_bound(n):.3g} (95 %)"
        )
    return xr.Dataset(v, coords=coords, attrs=attrs)


def _given(
    per_sample: dict[str, np.ndarray], masks: list[np.ndarray], dim: str, stem: str, what: str
) -> dict[str, xr.Variable]:
    """Mean and standard error of every index over the samples of each mask (dim ``dim``), and
    their counts: ``<index>_by_<stem>_mean``, ``..._se`` and ``n_by_<stem>``."""
    out = {f"n_by_{stem}": _var(dim, [int(m.sum()) for m in masks], "1", "sample years")}
    for key, units in INDICES.items():
        stats = [mean_se(per_sample[key][m]) for m in masks]
        name = key.split("_")[0].upper()
        out[f"{key}_by_{stem}_mean"] = _var(dim, [m for m, _ in stats], units, f"mean {name} given {what}")
        out[f"{key}_by_{stem}_se"] = _var(
            dim, [s for _, s in stats], units, f"standard error of {name} given {what}"
        )
    return out


def write_dataset(ds: xr.Dataset, path) -> None:
    """Write ``ds`` to ``path`` atomically; first remove stale temporaries of killed runs beside it."""
    from pathlib import Path

    from model.atomic import clean_stale, write_netcdf

    clean_stale(Path(path).parent)
    write_netcdf(ds, path)


def fuel_stress_note(scenario: Scenario) -> str:
    """How the run drew fuel-stress years, in words (an attribute of the results)."""
    fixed = scenario.adequacy.coal_supply_probability
    what = "a fuel-crisis winter" if scenario.coal.fuel_chain else "no fuel chain"
    if scenario.coal.supply:
        what += f" and {len(scenario.coal.supply)} coal supply spell(s)"
    if fixed is not None:
        return f"{what}, with probability {fixed:g} in every sample year (adequacy.coal_supply_probability)"
    return f"{what}, with the probability of the sample's hydrology (data/network/fuel_stress.csv)"
