"""Probabilistic adequacy: Monte Carlo over weather years, hydrology and forced outages.

Modules, one concern each: :mod:`~model.adequacy.draws` (the sample year's hydrology and fuel
stress draws; forced outages and the thermal fleet's availability are in :mod:`model.thermal`,
which the dispatch reads too),
:mod:`~model.adequacy.reservoirs` (cascades folded into each station, the register's rule curves),
:mod:`~model.adequacy.system` (scenario and weather -> plain arrays),
:mod:`~model.adequacy.engine` (numba kernels: the hour-by-hour simulation; the order it draws
on units in, :mod:`~model.adequacy.sorting`),
:mod:`~model.adequacy.statistics` (indices, standard errors, events),
:mod:`~model.adequacy.results` (the ``adequacy.nc`` dataset), :mod:`~model.adequacy.montecarlo`
(batches and stopping; :mod:`~model.adequacy.memory` keeps a batch's arrays for the next),
:mod:`~model.adequacy.crosscheck` (the same samples through the dispatch LP) and
:mod:`~model.adequacy.pipeline` (the study ``gzgrid adequacy`` runs).

Public API::

    adequacy_study(scenario, register, samples, seed, rse, lp_check, hours, progress) -> xr.Dataset
    run_adequacy(scenario, register, samples, seed=None, rse=None) -> xr.Dataset
    lp_crosscheck(scenario, register, samples, seed=None, hours=None) -> xr.Dataset
"""

from model.adequacy.crosscheck import lp_crosscheck
from model.adequacy.montecarlo import run_adequacy
from model.adequacy.pipeline import adequacy_folder, adequacy_study
from model.adequacy.results import write_dataset

__all__ = ["adequacy_folder", "adequacy_study", "lp_crosscheck", "run_adequacy", "write_dataset"]
