"""The run pipeline behind ``gzgrid run``: scenario -> profiles -> network -> dispatch -> run folder.

This is the layer on top of the simulation core (it may use ``analysis`` for the summary). A run
folder is first written under a temporary name beside its destination and renamed when
complete, so an interrupted run never leaves a folder that looks whole.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr

from analysis.metrics import metrics, write_metrics
from analysis.summary import summarize, verdict
from model import ROOT, __version__
from model.dispatch import dispatch
from model.network import build_network
from model.profiles import generator_arguments
from model.register import Register, load_register
from model.scenario import Scenario, load_scenario, scenario_to_yaml, with_overrides

log = logging.getLogger("gzgrid")


@dataclass(frozen=True)
class RunResult:
    """What a run produced."""

    folder: Path
    summary: dict[str, object]


def scenario_profiles(scenario: Scenario, register: Register, n_years: int = 1) -> xr.Dataset:
    """Weather years of a scenario from the generator (cached in ``data/profiles/``).

    ``n_years`` years starting at the scenario's weather year.
    """
    from model.weather import load_or_generate

    return load_or_generate(
        **generator_arguments(scenario, register),
        hydrology=scenario.hydrology,
        n_years=n_years,
        first_year=scenario.weather.year,
        seed=scenario.weather.seed,
    )


def run_scenario(
    scenario: Scenario,
    register: Register | None = None,
    out: Path | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> RunResult:
    """Build, dispatch and write one scenario's run folder.

    Parameters
    ----------
    scenario : Scenario
        The resolved scenario.
    register : Register, optional
        The asset register (default: the bundled one).
    out : Path, optional
        Run folder (default ``scenario.output_dir`` or ``runs/<name>``).
    progress : callable
        Called with the name of each step as it starts.
    """
    with captured_log() as logbook:
        log.info("gzgrid %s: run of scenario '%s'", __version__, scenario.name)
        return _run(scenario, register or load_register(), out, progress, logbook)


@contextlib.contextmanager
def captured_log():
    """Collect gzgrid, PyPSA and linopy log records (INFO and up) for ``log.txt``.

    While a run lasts they go to the log book instead of the terminal.
    """
    book = io.StringIO()
    handler = logging.StreamHandler(book)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger(name) for name in ("gzgrid", "model", "pypsa", "linopy")]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
        lg.propagate = False
    try:
        yield book
    finally:
        for lg, (level, propagate) in zip(loggers, saved, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate


def _run(
    scenario: Scenario,
    register: Register,
    out: Path | None,
    progress: Callable[[str], None],
    logbook: io.StringIO,
) -> RunResult:
    folder = Path(out or scenario.output_dir or ROOT / "runs" / scenario.name)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    progress("profiles")
    profiles = scenario_profiles(scenario, register)
    timings["profiles_s"] = time.perf_counter() - t0
    progress("build")
    t = time.perf_counter()
    n = build_network(scenario, register, profiles)
    timings["build_s"] = time.perf_counter() - t
    progress(f"dispatch ({scenario.dispatch.mode})")
    result = dispatch(n, scenario.dispatch, scenario.solver)
    timings.update({f"dispatch_{k}": v for k, v in result.timings.items()})
    summary = summarize(n)
    summary.update(
        mode=result.mode,
        solve_seconds=result.solve_seconds,
        objective_cny=result.objective_cny,
        verdict=verdict(summary, scenario.adequacy.lole_h, len(n.snapshots)),
        lole_standard_h=scenario.adequacy.lole_h,
        hydrology=scenario.hydrology,
        weather_seed=scenario.weather.seed,
        weather_year=scenario.weather.year,
        scenario=scenario.name,
        gzgrid_version=__version__,
    )
    progress("write")
    t = time.perf_counter()
    log.info("verdict: %s (LOLE %s h)", summary["verdict"], summary["lole_h"])
    ds = metrics(n, scenario.adequacy.lole_h, scenario.adequacy.reserve_margin)
    write_run_folder(folder, scenario, n, summary, ds, logbook.getvalue())
    timings["write_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t0
    summary["timings"] = timings
    _replace_json(folder / "summary.json", summary)
    return RunResult(folder=folder, summary=summary)


def write_run_folder(
    folder: Path, scenario: Scenario, n, summary: dict[str, object], ds: xr.Dataset, log_text: str = ""
) -> None:
    """Write the run folder atomically.

    ``scenario.yaml``, ``network.nc``, ``metrics.nc``, ``summary.json`` and ``log.txt`` go into a
    temporary folder beside ``folder``, which is renamed into place when complete.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    (tmp / "scenario.yaml").write_text(
        f"# resolved by gzgrid {__version__}\n" + scenario_to_yaml(scenario), encoding="utf-8"
    )
    n.export_to_netcdf(tmp / "network.nc", compression={"zlib": True, "complevel": 4})
    write_metrics(ds, tmp / "metrics.nc")
    (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=_json_default), encoding="utf-8")
    (tmp / "log.txt").write_text(log_text, encoding="utf-8")
    old = folder.parent / f".{folder.name}.old-{os.getpid()}"
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _replace_json(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=_json_default), encoding="utf-8")
    os.replace(tmp, path)


def _json_default(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def load_and_run(path: Path, **overrides: object) -> RunResult:
    """``gzgrid run``: load a scenario file, apply command-line overrides, run it."""
    out = overrides.pop("out", None)
    progress = overrides.pop("progress", lambda step: None)
    scenario = with_overrides(load_scenario(path), **overrides)
    return run_scenario(scenario, out=out, progress=progress)
