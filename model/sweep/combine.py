"""The combined result of a sweep: one ``xr.Dataset`` over the axes, weather years and hydrology.

:func:`combine` reads the case store only (through the sweep's list of cases, so records of
cases no longer in the sweep file are ignored), in the fixed order of the sweep's axes, so the
dataset is the same whatever order the cases finished in or how often the sweep was stopped.
It holds no wall times or host names (those are in ``sweep.json``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr

from model import __version__
from model.atomic import write_netcdf
from model.sweep.case import CORE_METRICS, METRIC_UNITS
from model.sweep.screening import final_record
from model.sweep.spec import Sweep
from model.sweep.store import CaseStore

#: Status of a case without a usable record yet.
MISSING = "missing"


def metric_list(sweep: Sweep) -> list[str]:
    """The metrics kept in ``sweep.nc``: the sweep file's, then the ones figures need."""
    return [*sweep.spec.metrics, *(m for m in CORE_METRICS if m not in sweep.spec.metrics)]


def combine(sweep: Sweep, store: CaseStore) -> xr.Dataset:
    """Build the sweep dataset from the store.

    Returns
    -------
    xarray.Dataset
        Dimensions: the axes in file order, ``weather_year``, ``hydrology``. Variables: each
        metric (NaN where a case failed or has not run; ``units`` attribute), ``status``
        (``done``, ``failed`` or ``missing``), ``resolution`` of the final result (``1h`` or the
        screening offset) and ``key``; with screening, ``screened_<metric>`` for the core
        metrics. Attributes: the standard, axis keys, storage costs and settings.
    """
    dims = list(sweep.axes)
    shape = tuple(len(v) for v in sweep.axes.values())
    metrics = metric_list(sweep)
    values = {m: np.full(shape, np.nan) for m in metrics}
    screening = sweep.spec.screening
    screened = {m: np.full(shape, np.nan) for m in CORE_METRICS} if screening.enabled else {}
    status = np.full(shape, MISSING, dtype=object)
    resolution = np.full(shape, "", dtype=object)
    keys = np.full(shape, "", dtype=object)
    position = {d: {_label(v): i for i, v in enumerate(vals)} for d, vals in sweep.axes.items()}
    for case in sweep.cases:
        idx = tuple(position[d][_label(case.coords[d])] for d in dims)
        keys[idx] = case.key
        if screening.enabled:
            rec = store.get(case.key, screening.resolution)
            if rec is not None and rec["status"] == "done":
                for m in screened:
                    screened[m][idx] = rec["metrics"][m]
        rec = final_record(sweep, store, case)
        if rec is None:
            continue
        status[idx] = rec["status"]
        resolution[idx] = rec["resolution"]
        if rec["status"] == "done":
            for m in metrics:
                values[m][idx] = rec["metrics"][m]
    coords = {d: _coord(v) for d, v in sweep.axes.items()}
    data = {m: (dims, v, {"units": METRIC_UNITS[m]}) for m, v in values.items()}
    data.update({f"screened_{m}": (dims, v, {"units": METRIC_UNITS[m]}) for m, v in screened.items()})
    data.update(
        status=(dims, status.astype(str)),
        resolution=(dims, resolution.astype(str)),
        key=(dims, keys.astype(str)),
    )
    spec = sweep.spec
    attrs = {
        "sweep": spec.name,
        "description": spec.description,
        "base": spec.base,
        "lole_standard_h": sweep.lole_standard_h,
        "horizon_hours": sweep.base.dispatch.horizon_hours or 8760,
        "axis_keys": json.dumps(sweep.keys),
        "heatmap_axes": json.dumps(list(spec.figures.heatmap or dims[:2])),
        "storage_cost_cny": json.dumps(spec.figures.storage_cost_cny),
        "smallest_axis": spec.figures.smallest or "",
        "screening": json.dumps(screening.model_dump(mode="json")),
        "gzgrid_version": __version__,
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _label(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def _coord(values: list) -> np.ndarray:
    """A coordinate array: numbers as float, anything else (lists, strings) as its label."""
    if all(isinstance(v, float) for v in values) or all(isinstance(v, int) for v in values):
        return np.asarray(values)
    if all(isinstance(v, str) for v in values):
        return np.asarray(values, dtype=str)
    return np.asarray([_label(v) for v in values], dtype=str)


def write_dataset(ds: xr.Dataset, path: Path) -> Path:
    """Write ``ds`` to ``path`` atomically (temporary file beside it, then rename)."""
    return write_netcdf(ds, path)
