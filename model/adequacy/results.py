"""The adequacy result as an :class:`xarray.Dataset` (written as ``adequacy.nc``).

Contents
--------
Per sample year (dim ``sample``): ``lole_h``, ``lold_d``, ``eue_mwh``, ``neue_ppm``,
``demand_mwh``, ``sample_hydrology``, the diagnostics (``export_shortfall_mwh``, ``dr_mwh``,
``reservoir_reserve_mwh``, ``storage_discharge_mwh``, ``spill_mwh``) and the splits
``eue_bus_mwh``/``lole_bus_h`` (``sample``, ``bus``) and ``eue_month_mwh``/``lole_month_h``
(``sample``, ``month``).

Statistics: ``<index>_mean`` and ``<index>_se`` for LOLE, LOLD, EUE and NEUE (scalars), by bus,
by month and by hydrology class (``..._by_class_...`` with ``n_by_class``);
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
from model.adequacy.engine import DIAGNOSTICS
from model.adequacy.statistics import (
    DURATION_BINS,
    INDICES,
    duration_histogram,
    mean_se,
    relative_se,
    verdict,
    zero_upper_bound,
)
from model.adequacy.system import AdequacySystem
from model.network import SHORTFALL_TOL_MW
from model.scenario import Scenario

QUANTILES = {"mean": None, "p50": 50, "p90": 90, "p99": 99, "worst": 100}


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
    """
    n = len(classes)
    v: dict[str, xr.Variable] = {}
    for key, units in INDICES.items():
        v[key] = _var("sample", per_sample[key], units, f"{key.split('_')[0].upper()} of each sample year")
        mean, se = mean_se(per_sample[key])
        v[f"{key}_mean"] = _var((), mean, units, f"mean {key.split('_')[0].upper()}")
        v[f"{key}_se"] = _var((), se, units, f"standard error of the mean {key.split('_')[0].upper()}")
    v["demand_mwh"] = _var("sample", per_sample["demand_mwh"], "MWh", "domestic demand over the horizon")
    v["sample_hydrology"] = _var("sample", np.array(classes, dtype=str), "1", "hydrology class")
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
    v["n_by_class"] = _var("hydrology", [int((cls == c).sum()) for c in class_names], "1", "sample years")
    for key, units in INDICES.items():
        stats = [mean_se(per_sample[key][cls == c]) for c in class_names]
        name = key.split("_")[0].upper()
        v[f"{key}_by_class_mean"] = _var(
            "hydrology", [m for m, _ in stats], units, f"mean {name} given the class"
        )
        v[f"{key}_by_class_se"] = _var(
            "hydrology", [s for _, s in stats], units, f"standard error of {name} given the class"
        )
    v["eue_distribution_mwh"] = _var(
        "statistic", _distribution(per_sample["eue_mwh"]), "MWh/yr", "annual EUE: mean and percentiles"
    )
    for key, units in (("sample", "1"), ("start_h", "h"), ("duration_h", "h"), ("energy_mwh", "MWh"),
                       ("peak_mw", "MW")):  # fmt: skip
        v[f"event_{key}"] = _var("event", found[key], units, f"loss-of-load event {key.replace('_', ' ')}")
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
        "verdict": verdict(lole, standard * system.hours / 8760),
        "rse_eue": relative_se(per_sample["eue_mwh"]),
        "shortfall_tol_mw": SHORTFALL_TOL_MW,
        "years_with_shortfall": int(np.sum(per_sample["eue_mwh"] > 0)),
        "share_of_years_with_shortfall": float(np.mean(per_sample["eue_mwh"] > 0)),
        "hydrology_probabilities": json.dumps(scenario.adequacy.hydrology_probabilities),
        "conventions": (
            "shortfall hour: provincial shortfall above shortfall_tol_mw; thermal without minimum "
            "load or ramps; lossless corridors; exports cut before domestic load; standard errors "
            "std/sqrt(N); rse of EUE; see model/adequacy"
        ),
    }
    if not any_shortfall:
        attrs["share_of_years_with_shortfall_upper95"] = zero_upper_bound(n)
        attrs["zero_note"] = (
            f"no shortfall in {n} sample years: LOLE, EUE = 0; by the rule of three the share of years "
            f"with any loss of load is below {zero_upper_bound(n):.3g} (95 %)"
        )
    return xr.Dataset(v, coords=coords, attrs=attrs)


def write_dataset(ds: xr.Dataset, path) -> None:
    """Write ``ds`` to ``path`` atomically (a temporary file beside it, then renamed)."""
    import os
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        ds.to_netcdf(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
