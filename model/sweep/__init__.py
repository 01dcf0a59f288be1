"""Storage sweeps: grids of scenario overrides over weather years and hydrology, on Dask.

``gzgrid sweep FILE`` loads a sweep file (:mod:`~model.sweep.spec`), runs the cases the case
store lacks on a Dask cluster (:mod:`~model.sweep.execute`, each case by
:func:`~model.sweep.case.run_case`), keeps one record per case (:mod:`~model.sweep.store`),
optionally screens on a coarse time resolution first (:mod:`~model.sweep.screening`) and
combines the records into ``sweep.nc`` (:mod:`~model.sweep.combine`). Figures are drawn by
:mod:`analysis.sweep_figures` from ``sweep.nc`` alone.
"""

from model.sweep.case import METRIC_UNITS, run_case
from model.sweep.combine import combine
from model.sweep.execute import SweepOutcome, dask_client, run_sweep
from model.sweep.spec import Sweep, SweepSpec, case_key, load_sweep
from model.sweep.store import CaseStore

__all__ = [
    "METRIC_UNITS",
    "CaseStore",
    "Sweep",
    "SweepOutcome",
    "SweepSpec",
    "case_key",
    "combine",
    "dask_client",
    "load_sweep",
    "run_case",
    "run_sweep",
]
