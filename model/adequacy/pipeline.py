"""The adequacy study behind ``gzgrid adequacy``: sample, cross-check the worst years, one dataset.

:func:`adequacy_study` runs the Monte Carlo engine (:func:`~model.adequacy.run_adequacy`),
picks the ``lp_check`` sample years with the most unserved energy, solves them again with the
dispatch LP (:func:`~model.adequacy.lp_crosscheck`) and merges both into one dataset. It
writes nothing and draws nothing: the command writes ``adequacy.nc``
(:func:`~model.adequacy.write_dataset`) and draws the figures (``analysis``, which the model
does not import).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import xarray as xr

from model.adequacy.crosscheck import lp_crosscheck
from model.adequacy.montecarlo import run_adequacy
from model.errors import InputError
from model.register import Register
from model.scenario import MAX_SEED, Scenario, run_folder


def check_options(lp_check: int, hours: int | None, seed: int | None) -> None:
    """One message per bad option (before any sampling).

    Raises
    ------
    InputError
        ``lp_check`` below 0, ``hours`` outside 24-8,760, ``seed`` outside 0 to 2**64 - 1.
    """
    if lp_check < 0:
        raise InputError(f"--lp-check {lp_check}: the number of sample years to re-solve must be >= 0")
    if hours is not None and not 24 <= hours <= 8760:
        raise InputError(f"--hours {hours}: simulate between 24 and 8760 hours of each year")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise InputError(f"--seed {seed}: the seed must be between 0 and 2**64 - 1")


def adequacy_folder(scenario: Scenario, out: Path | str | None = None) -> Path:
    """Where the study is written: ``out``, else ``<run folder of the scenario>/adequacy``."""
    return Path(out) if out else run_folder(scenario) / "adequacy"


def worst_samples(ds: xr.Dataset, k: int) -> list[int]:
    """The ``k`` sample indices with the most unserved energy (ties: the lower index first)."""
    return list(ds.eue_mwh.to_series().sort_values(ascending=False, kind="stable").index[:k])


def adequacy_study(
    scenario: Scenario,
    register: Register,
    samples: int,
    seed: int | None = None,
    rse: float | None = None,
    lp_check: int = 0,
    hours: int | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> xr.Dataset:
    """Monte Carlo adequacy of ``scenario`` with an optional LP cross-check of the worst years.

    Parameters
    ----------
    scenario : Scenario
        The system and its adequacy settings.
    register : Register
        The asset register.
    samples : int
        Most sample years (the count if ``rse`` is not given).
    seed : int, optional
        Seed of weather, hydrology and outages (default: the scenario's weather seed).
    rse : float, optional
        Stop once the relative standard error of EUE is at most this [-].
    lp_check : int
        Sample years (the worst by EUE) to solve again with the dispatch LP.
    hours : int, optional
        Simulate only the first ``hours`` of each year [h].
    progress : callable
        Called with a one-line status as the study goes on.

    Returns
    -------
    xarray.Dataset
        :func:`model.adequacy.results.to_dataset`, with the cross-check's variables and
        attributes merged in when ``lp_check`` > 0.
    """
    check_options(lp_check, hours, seed)
    ds = run_adequacy(
        scenario, register, samples, seed=seed, rse=rse, hours=hours,
        progress=lambda n, r: progress(f"{n} sample years, rse of EUE {r:.3g}"),
    )  # fmt: skip
    if lp_check:
        worst = worst_samples(ds, lp_check)
        progress(f"LP cross-check of {len(worst)} sample years")
        lp = lp_crosscheck(scenario, register, worst, seed=ds.attrs["seed"], hours=ds.attrs["hours"])
        ds = ds.merge(lp, combine_attrs="no_conflicts")
        ds.attrs.update(lp.attrs)
    return ds
