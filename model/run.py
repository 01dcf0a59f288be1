"""The run pipeline behind ``gzgrid run``: scenario -> profiles -> network -> dispatch -> run folder.

This is the layer on top of the simulation core (it may use ``analysis`` for the summary). A run
folder is first written under a temporary name beside its destination and renamed when
complete, so an interrupted run never leaves a folder that looks whole.

A run replaces only a run folder: one that gzgrid wrote. Every run folder holds the mark file
``.gzgrid-run`` (the gzgrid version that wrote it). A folder without it is taken for a run folder
of an older gzgrid when it holds every file a run writes (:data:`RUN_FILES`). Either way, every
entry must be something gzgrid writes there (:func:`foreign_entries`): a file the user put in a
run folder stops the run instead of being deleted. An empty folder may be used too. Anything
else at the path (a file, another folder, a link) is an error naming it, raised before any
solving. The ``adequacy/`` subfolder (``gzgrid adequacy`` writes there by default) is carried
over into the new run folder.
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr

from analysis.metrics import metrics, write_metrics
from analysis.shortfalls import as_records, shortfall_causes
from analysis.summary import summarize
from model import __version__
from model.atomic import (
    FOLDER_MARK,
    check_writable,
    clean_stale,
    is_temporary,
    swap_folder,
    temporary_folder,
    write_json,
)
from model.dispatch import dispatch
from model.errors import InputError
from model.network import build_network
from model.profiles import generator_arguments, recorded_consumption_twh, with_recorded_months
from model.register import Register, load_register
from model.scenario import Scenario, load_scenario, run_folder, scenario_to_yaml, with_overrides

log = logging.getLogger("gzgrid")

#: The files every run writes.
RUN_FILES = ("scenario.yaml", "network.nc", "metrics.nc", "summary.json", "log.txt")
#: What ``gzgrid report``, ``targets`` and ``hindcast`` add to a run folder (file-name patterns).
PRODUCT_PATTERNS = (
    "report.html", "targets.csv", "targets.json", "fig_*.png",
    "hindcast.csv", "hindcast_events.csv", "hindcast.png",
)  # fmt: skip
#: The subfolder ``gzgrid adequacy`` writes by default, and what it holds.
ADEQUACY_DIR = "adequacy"
ADEQUACY_PATTERNS = ("adequacy.nc", "adequacy_*.png")


@dataclass(frozen=True)
class RunResult:
    """What a run produced."""

    folder: Path
    summary: dict[str, object]


def scenario_profiles(scenario: Scenario, register: Register, n_years: int = 1) -> xr.Dataset:
    """Weather years of a scenario from the generator (cached in ``data/profiles/``).

    ``n_years`` years starting at the scenario's weather year. A history year (``demand_case:
    observed``) takes its load month by month from the consumption record
    (:func:`model.profiles.with_recorded_months`).
    """
    from model.weather import load_or_generate

    profiles = load_or_generate(
        **generator_arguments(scenario, register),
        hydrology=scenario.hydrology,
        n_years=n_years,
        first_year=scenario.weather.year,
        seed=scenario.weather.seed,
    )
    if scenario.demand_case == "observed":
        profiles = with_recorded_months(profiles, recorded_consumption_twh(scenario.year))
    return profiles


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
    folder = run_folder(scenario, out)
    check_run_folder(folder)  # before any solving: an unusable destination fails in a second
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
    ds = metrics(n, scenario.adequacy.lole_h, scenario.adequacy.reserve_margin)
    summary = summarize(ds, result.objective_cny)
    summary["shortfall_causes"] = as_records(shortfall_causes(n))
    summary.update(
        mode=result.mode,
        solve_seconds=result.solve_seconds,
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
    write_run_folder(folder, scenario, n, summary, ds, logbook.getvalue())
    timings["write_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t0
    summary["timings"] = timings
    write_json(folder / "summary.json", summary, indent=2, default=_json_default)
    return RunResult(folder=folder, summary=summary)


def _ours(entry: Path) -> bool:
    """Whether an entry of a run folder is something gzgrid writes there."""
    name = entry.name
    if entry.is_symlink():
        return False
    if entry.is_dir():
        if name != ADEQUACY_DIR:
            return False
        return all(
            e.is_file() and (is_temporary(e.name) or _matches(e.name, ADEQUACY_PATTERNS))
            for e in entry.iterdir()
        )
    return (
        name == FOLDER_MARK
        or name in RUN_FILES
        or is_temporary(name)
        or _matches(name, PRODUCT_PATTERNS)
    )


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(name, p) for p in patterns)


def foreign_entries(folder: Path) -> list[str]:
    """Names of the entries of ``folder`` that gzgrid does not write into a run folder."""
    return sorted(e.name for e in folder.iterdir() if not _ours(e))


def check_run_folder(folder: Path) -> None:
    """Raise unless a run may write ``folder`` (see the module docstring).

    Raises
    ------
    InputError
        Naming the path and what is in the way: a file or link, a folder that is no run folder,
        entries gzgrid did not write, or a location that cannot be written.
    """
    hint = "choose another --out, output_dir or scenario name, or move it away"
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise InputError(f"run folder {folder}: a file or link is in the way, not a run folder; {hint}")
    if folder.is_dir():
        names = {e.name for e in folder.iterdir()}
        foreign = foreign_entries(folder)
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        # a folder holding only a study that `gzgrid adequacy` wrote before any run is ours too
        only_study = names == {ADEQUACY_DIR}
        if names and FOLDER_MARK not in names and not set(RUN_FILES) <= names and not only_study:
            raise InputError(
                f"run folder {folder}: exists and is not a gzgrid run folder (no {FOLDER_MARK} mark and not "
                f"the files of a run{'; it holds ' + shown if foreign else ''}); a run replaces only its own "
                f"folders; {hint}"
            )
        if foreign:
            raise InputError(
                f"run folder {folder}: holds {shown}, which gzgrid did not write; a run would delete it; "
                f"{hint}"
            )
    check_writable(folder, "run folder")


def write_run_folder(
    folder: Path, scenario: Scenario, n, summary: dict[str, object], ds: xr.Dataset, log_text: str = ""
) -> None:
    """Write the run folder atomically.

    ``.gzgrid-run``, ``scenario.yaml``, ``network.nc``, ``metrics.nc``, ``summary.json`` and
    ``log.txt`` go into a temporary folder beside ``folder``, which then takes its place
    (:func:`model.atomic.swap_folder`); an existing ``folder`` must be a run folder
    (:func:`check_run_folder`). Stale temporaries of killed runs beside it are removed first.
    """
    folder = Path(folder)
    check_run_folder(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(folder.parent)
    tmp = temporary_folder(folder, mark=f"gzgrid {__version__}\n")
    try:
        (tmp / "scenario.yaml").write_text(
            f"# resolved by gzgrid {__version__}\n" + scenario_to_yaml(scenario), encoding="utf-8"
        )
        n.export_to_netcdf(tmp / "network.nc", compression={"zlib": True, "complevel": 4})
        write_metrics(ds, tmp / "metrics.nc")
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=2, default=_json_default), encoding="utf-8"
        )
        (tmp / "log.txt").write_text(log_text, encoding="utf-8")
        check_run_folder(folder)  # again: something may have appeared there while this run solved
        swap_folder(tmp, folder, keep=(ADEQUACY_DIR,))
    except BaseException:  # Ctrl-C included: leave nothing half-written behind
        shutil.rmtree(tmp, ignore_errors=True)
        raise


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
