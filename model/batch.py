"""Several scenarios run at once, each in a process of its own: ``gzgrid run A B C``.

A year's decomposed dispatch keeps both cores busy only while its two halves are solved; its
model building, plans, stitching and writing run on one. Scenarios run side by side fill those
gaps with another year's work, so the three years of ``make run`` take far less than three
times one year. Each scenario is run exactly as ``gzgrid run`` runs it alone (same settings,
so the same result, bit for bit) and writes its own run folder atomically.

Everything a user can get wrong is checked before any process starts: every scenario file and
override is loaded and validated, and every run folder must be one a run may write, and no two
scenarios may write the same folder. A scenario that then fails (an infeasible year) is
reported and the others go on.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from model.errors import GzgridError, GzgridWarning, InputError


@dataclass
class Outcome:
    """One scenario's run: its result or the error that stopped it, and the warnings it gave."""

    path: Path
    result: object | None = None  # model.run.RunResult
    error: GzgridError | None = None
    warnings: list[str] = field(default_factory=list)


def check_batch(paths: list[Path], overrides: dict[str, object]) -> list[Path]:
    """Load every scenario with ``overrides`` and check its run folder; return the folders.

    Raises
    ------
    InputError
        A scenario file or override is not valid, a run folder cannot be written, or two
        scenarios would write the same run folder.
    """
    from model.run import check_run_folder
    from model.scenario import load_scenario, run_folder, with_overrides

    folders: dict[Path, Path] = {}
    for path in paths:
        scenario = with_overrides(load_scenario(path), **overrides)
        folder = run_folder(scenario).resolve()
        if folder in folders:
            raise InputError(f"{path} and {folders[folder]} would both write the run folder {folder}; "
                             "give one of them another name")  # fmt: skip
        check_run_folder(folder)
        folders[folder] = path
    return list(folders)


def default_jobs(n_scenarios: int) -> int:
    """Processes for ``n_scenarios`` runs: one per core, no more than there are runs."""
    return max(1, min(n_scenarios, os.cpu_count() or 1))


def run_one(path: Path, overrides: dict[str, object]) -> Outcome:
    """Run one scenario (in a worker process); errors a user can act on are returned, not raised."""
    from model.run import load_and_run

    out = Outcome(Path(path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GzgridWarning)
        try:
            out.result = load_and_run(Path(path), **overrides)
        except GzgridError as exc:
            out.error = exc
    out.warnings = [str(w.message) for w in caught if issubclass(w.category, GzgridWarning)]
    return out


def run_batch(paths: list[Path], overrides: dict[str, object], jobs: int) -> Iterator[Outcome]:
    """Run the scenarios in ``jobs`` processes; yield their outcomes in the order of ``paths``.

    Call :func:`check_batch` first: this function assumes the input is valid.
    """
    context = multiprocessing.get_context("spawn")  # a clean interpreter: no threads forked
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures: list[Future] = [pool.submit(run_one, path, overrides) for path in paths]
        for fut in futures:
            yield fut.result()
