"""Reading what ``gzgrid run`` wrote: the scenario, the solved network and the metrics.

A run folder can be damaged (a file truncated by a full disk, copied over, edited by hand): each
reader here turns a file it cannot use into one :class:`~model.errors.InputError` naming the
file, instead of a traceback from deep inside netCDF or PyYAML.

PyPSA's netCDF export leaves out every time series that is all zeros (a battery that never
charged, a link that never carried power), so a reloaded network lacks those columns. The
analysis code indexes results by component, so the missing columns are restored as zeros here,
once, instead of in every metric.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypsa
import xarray as xr

from model.errors import InputError, clip
from model.inputfile import load_yaml_file
from model.register import ALL_YEARS

#: What ``gzgrid run`` must have written for the folder to be read at all.
REQUIRED = ("scenario.yaml", "network.nc")
#: Errors of the netCDF and HDF5 readers on a file that is not (or no longer) whole.
_READ_ERRORS = (OSError, ValueError, KeyError, TypeError, RuntimeError, AttributeError, IndexError)

#: Result time series that every component of a solved gzgrid network has [MW or MWh].
OUTPUTS = {
    "generators": ("p",),
    "loads": ("p",),
    "links": ("p0", "p1", "p2"),
    "storage_units": ("p", "p_dispatch", "p_store", "state_of_charge", "spill"),
    "stores": ("p", "e"),
}


def complete_outputs(n: pypsa.Network) -> pypsa.Network:
    """Give every component a column in each result time series (zeros where absent); in place."""
    for component, attrs in OUTPUTS.items():
        c = getattr(n.c, component)
        for attr in attrs:
            if attr not in c.dynamic:
                continue
            if attr == "p2":
                names = c.static.index[c.static.get("bus2", "") != ""]
            else:
                names = c.static.index
            frame = c.dynamic[attr]
            if not names.difference(frame.columns).empty:
                c.dynamic[attr] = frame.reindex(index=n.snapshots, columns=names, fill_value=0.0)
    return n


def _damaged(path: Path, exc: BaseException | str) -> InputError:
    why = exc if isinstance(exc, str) else f"{type(exc).__name__}: {clip(str(exc), 120)}"
    return InputError(
        f"{path}: cannot be read ({why}); the file is damaged or not what gzgrid wrote. Run 'gzgrid run' "
        "again to rewrite the run folder"
    )


def check_run_dir(run_dir: Path) -> Path:
    """``run_dir`` if it holds what ``gzgrid run`` writes, else an :class:`InputError`."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: not a run folder (no such folder); pass a folder 'gzgrid run' wrote")
    missing = [f for f in REQUIRED if not (run_dir / f).is_file()]
    if missing:
        raise InputError(
            f"{run_dir}: not a run folder (no {missing[0]}); run 'gzgrid run SCENARIO' first and pass "
            "its folder"
        )
    return run_dir


def read_scenario(run_dir: Path) -> dict[str, Any]:
    """The resolved scenario of a run (``scenario.yaml``): a mapping with a register ``year``."""
    path = Path(run_dir) / "scenario.yaml"
    data = load_yaml_file(path, "run's scenario")
    if not isinstance(data, dict) or data.get("year") not in ALL_YEARS:
        raise _damaged(path, f"not a resolved scenario with a year of {ALL_YEARS[0]}-{ALL_YEARS[-1]}")
    return data


def read_network(path: Path) -> pypsa.Network:
    """Load a run's ``network.nc`` with complete result time series."""
    pypsa.options.general.allow_network_requests = False
    pypsa.options.api.legacy_string_dtype = False
    path = Path(path)
    try:
        n = pypsa.Network(path)
    except _READ_ERRORS as exc:
        raise _damaged(path, exc) from exc
    if n.snapshots.empty or n.c.generators.static.empty or "p" not in n.c.generators.dynamic:
        raise _damaged(path, "no solved network in it")
    return complete_outputs(n)


def read_metrics(path: Path) -> xr.Dataset:
    """A run's ``metrics.nc``, loaded into memory (the file is closed again)."""
    path = Path(path)
    try:
        with xr.open_dataset(path) as f:
            ds = f.load()
    except _READ_ERRORS as exc:
        raise _damaged(path, exc) from exc
    if "capacity_mw" not in ds or "region" not in ds.dims:
        raise _damaged(path, "no run metrics in it")
    return ds
