"""The Monte Carlo driver: sample years in batches until a relative standard error or a count.

Sample year ``i`` (``i = 0, 1, ...``) is weather year ``scenario.weather.year + i`` of the
generator with the run's seed, a hydrology class drawn from ``scenario.adequacy.
hydrology_probabilities`` (a class or an observed year, counted in the statistics under its
nearest class), forced outages of every thermal unit (and, if the scenario sets an export
outage rate, every export link), and whether the year is a fuel-stress year (a fuel-crisis winter
and the scenario's coal supply spells; :mod:`model.adequacy.fuel_stress`, with the probability of
its hydrology or ``adequacy.coal_supply_probability``). Planned maintenance derates the thermal rows the
same way in every sample. All draws are pure functions of ``(seed, i)``, so a
sample is the same whatever the batch size, the number of threads or the stopping point, and
the first ``n`` samples of a longer run are the samples of a run of ``n``. The scenario's own
``hydrology`` is not used: each sample year draws its class.

Batches of :data:`BATCH_SIZE` years keep memory bounded (a weather year is ~2.3 MB of profiles).
Sampling stops after a batch when the relative standard error of EUE is at or below the
requested ``rse`` (once at least :data:`MIN_SAMPLES_FOR_RSE` years are in), or when the
requested number of samples is reached; the result says which.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from model.adequacy import draws, engine
from model.adequacy.causes import event_causes
from model.adequacy.fuel_stress import stress_probabilities
from model.adequacy.memory import BatchMemory
from model.adequacy.results import to_dataset
from model.adequacy.statistics import events, relative_se, sample_indices
from model.adequacy.system import (
    AdequacySystem,
    SampleInputs,
    build_system,
    sample_inputs,
    sample_weather,
    scenario_weather,
)
from model.errors import InputError
from model.profiles import generator_arguments
from model.register import Register
from model.reliability import SHORTFALL_TOL_MW
from model.scenario import Scenario
from model.thermal import outages
from model.weather.hydrology import hydrology_class
from model.weather.inputs import SharedInputs
from model.weather.parameters import load_params

#: Sample years per batch.
BATCH_SIZE = 100
#: Fewest sample years before sampling may stop on the relative standard error.
MIN_SAMPLES_FOR_RSE = 100
#: Hydrology classes in the order of the output's ``hydrology`` coordinate (an observed year
#: counts in the class nearest its full-load hours).
CLASSES = ("wet", "normal", "dry", "extreme_dry")


@dataclass
class SampleBatch:
    """Inputs of a batch of sample years, ready for the engine."""

    index: np.ndarray  # (S,) sample indices
    classes: list[str]  # hydrology of each (a class or an observed year)
    inputs: SampleInputs
    coal_stress: np.ndarray  # (S,) bool: the coal supply spells strike the sample year
    thermal: np.ndarray  # (S, B, T) available thermal capacity [MW]
    export_avail: np.ndarray  # (S, K, T) available share of each export link [-]
    profiles: xr.Dataset | None = None  # the weather years, when asked to keep them


@dataclass
class Timings:
    """Wall time by step [s]."""

    weather: float = 0.0
    outages: float = 0.0
    engine: float = 0.0
    statistics: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float]:
        return {"weather": self.weather, "outages": self.outages, "engine": self.engine,
                "statistics": self.statistics, **self.extra}  # fmt: skip


def hydrology_labels(probabilities: dict[str, float]) -> list[str]:
    """The labels that may be drawn, in a fixed order: classes wettest first, then observed years."""
    return [c for c in CLASSES if c in probabilities] + sorted(set(probabilities) - set(CLASSES))


def draw_hydrology(scenario: Scenario, seed: int, index: np.ndarray) -> list[str]:
    """Hydrology of each sample index: a class or an observed year [-]."""
    probs = scenario.adequacy.hydrology_probabilities
    labels = hydrology_labels(probs)
    weights = np.array([probs[c] for c in labels])
    return draws.draw_classes(outages.sample_keys(seed, index), labels, weights)


def prepare_batch(
    system: AdequacySystem,
    scenario: Scenario,
    register: Register,
    seed: int,
    index: np.ndarray,
    timings: Timings | None = None,
    classes: list[str] | None = None,
    keep_profiles: bool = False,
    weather: SharedInputs | None = None,
    memory: BatchMemory | None = None,
) -> SampleBatch:
    """Weather, hydrology and outages of the sample years ``index`` (consecutive) [-].

    ``classes`` replaces the drawn hydrology classes (tests use it); ``keep_profiles`` keeps the
    weather dataset in the batch (the LP cross-check builds its networks from it); ``weather``
    is :func:`~model.adequacy.system.scenario_weather` of the scenario, if the caller has it;
    with ``memory`` the batch's big arrays are written into it (they are valid until the next
    batch asks it for them). Without ``keep_profiles`` the weather goes from the kernels to the
    engine's arrays with no dataset in between; the numbers are the same either way.
    """
    timings = timings or Timings()
    t0 = time.perf_counter()
    index = np.asarray(index, dtype=np.int64)
    if index.size == 0 or np.any(np.diff(index) != 1):
        raise ValueError("sample indices must be consecutive")
    keys = outages.sample_keys(seed, index)
    classes = list(classes) if classes is not None else draw_hydrology(scenario, seed, index)
    first_year = scenario.weather.year + int(index[0])
    profiles = None
    if keep_profiles:
        from model.weather import generate_profiles

        profiles = generate_profiles(
            **generator_arguments(scenario, register), hydrology=classes, n_years=len(index),
            first_year=first_year, seed=seed,
        )  # fmt: skip
        inputs = sample_inputs(system, profiles)
    else:
        weather = weather or scenario_weather(scenario, register)
        inputs = sample_weather(system, weather, seed, first_year, classes, memory)
    t1 = time.perf_counter()
    stress = draws.draw_coal_stress(keys, stress_probabilities(register, scenario, classes))
    thermal = thermal_capacity(system, keys, stress, system.row_bus, len(system.buses), memory)
    n_links = len(system.export_mw)
    export_avail = outages.available_capacity(
        keys, outages.EXPORT_STREAM, np.arange(n_links), np.ones(n_links), system.export_fail,
        system.export_repair, n_links, system.hours,
    )  # fmt: skip
    timings.weather += t1 - t0
    timings.outages += time.perf_counter() - t1
    return SampleBatch(
        index=index, classes=classes, inputs=inputs, coal_stress=stress, thermal=thermal,
        export_avail=export_avail, profiles=profiles,
    )  # fmt: skip


def thermal_capacity(
    system: AdequacySystem, keys: np.ndarray, stress: np.ndarray, row_group: np.ndarray, n_groups: int,
    memory: BatchMemory | None = None,
) -> np.ndarray:  # fmt: skip
    """Available thermal capacity per group of register rows, (S, G, T) float32 [MW].

    Forced outages from each sample's ``keys``, planned maintenance, and the coal supply spells
    in the samples ``stress`` marks (:func:`model.thermal.outages.thermal_available`); written
    into ``memory`` when given.
    """
    out = (memory or BatchMemory()).empty("thermal", (len(keys), n_groups, system.hours))
    outages.thermal_available(
        keys, outages.THERMAL_STREAM, system.unit_row, system.unit_mw, system.unit_fail, system.unit_repair,
        system.row_derate, system.row_supply, np.asarray(stress, dtype=np.bool_), row_group, out,
    )  # fmt: skip
    return out


def batch_events(system: AdequacySystem, batch: SampleBatch, shortfall: np.ndarray, first: int) -> dict:
    """The batch's loss-of-load events with their causes and the hydrology of their year."""
    found = events(shortfall, first_sample=first)
    causes = event_causes(system, batch.inputs, batch.thermal, batch.coal_stress, shortfall, found, first)
    labels = np.array(batch.classes, dtype=str)[found["sample"] - first]
    return {**found, **causes, "hydrology": labels}


def run_engine(system: AdequacySystem, batch: SampleBatch) -> tuple[np.ndarray, ...]:
    """:func:`model.adequacy.engine.simulate_years` on a prepared batch."""
    s, inp = system, batch.inputs
    return engine.simulate_years(
        inp.load, inp.free, batch.thermal, inp.inflow, inp.floor, batch.export_avail,
        s.corridor_mw, s.export_bus, s.export_mw, s.export_efficiency, s.obligation_mw,
        s.hydro_bus, s.turbine_mw, s.ceiling_mwh, s.guide_mwh, s.level0_mwh,
        s.storage_bus, s.storage_mw, s.storage_mwh, s.storage_eta,
        inp.dr_mw, inp.dr_mwh, s.dr_event_hours, s.month, SHORTFALL_TOL_MW,
    )  # fmt: skip


def run_adequacy(
    scenario: Scenario,
    register: Register,
    samples: int,
    seed: int | None = None,
    rse: float | None = None,
    hours: int | None = None,
    batch_size: int = BATCH_SIZE,
    min_samples: int = MIN_SAMPLES_FOR_RSE,
    progress: Callable[[int, float], None] = lambda n, rse: None,
) -> xr.Dataset:
    """Sample years until ``rse`` or ``samples``; return the statistics as a dataset.

    Parameters
    ----------
    scenario : Scenario
        The system and its adequacy settings.
    register : Register
        The asset register.
    samples : int
        Most sample years (and the count if ``rse`` is not given).
    seed : int, optional
        Seed of weather, hydrology and outages (default: ``scenario.weather.seed``).
    rse : float, optional
        Stop once the relative standard error of EUE is at most this [-].
    hours : int, optional
        Horizon from 1 January [h] (default: the scenario's, else 8,760).
    batch_size : int
        Sample years per batch.
    min_samples : int
        Fewest sample years before stopping on ``rse``.
    progress : callable
        Called after each batch with the samples done and the current rse of EUE.

    Returns
    -------
    xarray.Dataset
        See :func:`model.adequacy.results.to_dataset`.
    """
    if samples < 1:
        raise InputError(f"--samples {samples}: need at least 1 sample year")
    if rse is not None and not 0 < rse < 1:
        raise InputError(f"--rse {rse}: the relative standard error target must be in (0, 1)")
    seed = scenario.weather.seed if seed is None else int(seed)
    if seed < 0:
        raise InputError(f"--seed {seed}: the seed must be >= 0")
    timings = Timings()
    t_start = time.perf_counter()
    system = build_system(scenario, register, hours)
    weather = scenario_weather(scenario, register)
    memory = BatchMemory()  # each batch overwrites the previous one's arrays
    parts: list[dict[str, np.ndarray]] = []
    found: list[dict[str, np.ndarray]] = []
    classes: list[str] = []
    done, stop = 0, "samples"
    while done < samples:
        index = np.arange(done, min(done + batch_size, samples))
        batch = prepare_batch(
            system, scenario, register, seed, index, timings, weather=weather, memory=memory
        )
        t0 = time.perf_counter()
        shortfall, bus_month_mwh, bus_month_hours, diagnostics = run_engine(system, batch)
        t1 = time.perf_counter()
        part = sample_indices(shortfall, batch.inputs.demand_mwh, system.month)
        part.update(
            demand_mwh=batch.inputs.demand_mwh,
            eue_bus_mwh=bus_month_mwh.sum(axis=2),
            lole_bus_h=bus_month_hours.sum(axis=2).astype(float),
            diagnostics=diagnostics,
            coal_stress=batch.coal_stress,
        )
        parts.append(part)
        found.append(batch_events(system, batch, shortfall, done))
        classes += batch.classes
        done += len(index)
        timings.engine += t1 - t0
        timings.statistics += time.perf_counter() - t1
        current = relative_se(np.concatenate([p["eue_mwh"] for p in parts]))
        progress(done, current)
        if rse is not None and done >= min(min_samples, samples) and current <= rse:
            stop = "rse"
            break
    t0 = time.perf_counter()
    per_sample = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    all_events = {k: np.concatenate([e[k] for e in found]) for k in found[0]}
    params = load_params()
    by_class = [hydrology_class(params, label) for label in classes]
    ds = to_dataset(scenario, system, per_sample, all_events, by_class, CLASSES, labels=classes)
    timings.statistics += time.perf_counter() - t0
    ds.attrs.update(
        seed=seed,
        samples_requested=int(samples),
        rse_target=float(rse) if rse is not None else float("nan"),
        stop_reason=stop,
        stop_explained=(
            f"relative standard error of EUE {ds.attrs['rse_eue']:.3g} <= {rse:g}"
            if stop == "rse"
            else f"reached the requested {samples} sample years"
            + (f" before the rse target {rse:g} was met" if rse is not None else "")
        ),
        first_weather_year=int(scenario.weather.year),
        wall_s=time.perf_counter() - t_start,
        **{f"time_{k}_s": v for k, v in timings.as_dict().items()},
    )
    return ds
