"""One sweep case, as a Dask worker runs it: scenario -> network -> dispatch -> scalar metrics.

:func:`run_case` is a pure function of its arguments (a resolved scenario as JSON and a time
resolution) that returns a plain, JSON-ready record; it never raises for a case that fails
(bad override, infeasible LP, solver limit): the record says ``failed`` and keeps the error,
so one case cannot stop a sweep. Like the run pipeline, it combines the simulation core with
``analysis.summary`` (DESIGN.md allows the sweep orchestrator to).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from functools import cache
from typing import Any

from model import __version__

#: The hourly resolution (no resampling).
HOURLY = "1h"
#: Carriers whose capacity and generation are reported (``capacity_<c>_gw``, ``generation_<c>_twh``).
CAPACITY_CARRIERS = ("coal", "gas", "biomass", "hydro", "solar", "wind", "phs", "battery", "fuel_cell")
GENERATION_CARRIERS = (*CAPACITY_CARRIERS, "ror")
#: Scalar metrics and their units (what a sweep file may list under ``metrics``).
METRIC_UNITS: dict[str, str] = {
    "lole_h": "h",
    "eue_mwh": "MWh",
    "neue_ppm": "ppm",
    "peak_shortfall_mw": "MW",
    "dr_mwh": "MWh",
    "dr_hours": "h",
    "demand_twh": "TWh",
    "peak_load_mw": "MW",
    "coal_share_generation": "1",
    "nonfossil_share_generation": "1",
    "co2_mt": "Mt",
    "export_twh": "TWh",
    "export_cut_mwh": "MWh",
    "objective_cny": "CNY",
    "storage_discharge_mwh": "MWh",
    "curtailment_wind_pct": "%",
    "curtailment_solar_pct": "%",
    **{f"generation_{c}_twh": "TWh" for c in GENERATION_CARRIERS},
    **{f"capacity_{c}_gw": "GW" for c in CAPACITY_CARRIERS},
}
#: How a case's windows started: the reference case (its bases start the others), from the
#: reference's bases, not from them because its LP has another structure, or cold (no reference).
WARM_STATES = ("reference", "shared", "not shared", "cold")
#: Metrics every record keeps whatever the sweep asks for (screening and figures need them).
CORE_METRICS = ("lole_h", "eue_mwh", "objective_cny", "export_cut_mwh")


def run_case(
    scenario_json: str, resolution: str = HOURLY, warm: Any = None, keep_warm: bool = False
) -> dict[str, Any]:
    """Dispatch one case and return its record (never raises for a failing case).

    Parameters
    ----------
    scenario_json : str
        The resolved scenario (``Scenario.model_dump_json()``).
    resolution : str
        ``"1h"`` for the hourly model, or a resample offset such as ``"3h"`` for screening
        (``n.cluster.temporal.resample``: storage stays linked across periods, snapshot
        weightings keep energies and budgets in MWh and hours).

    Returns
    -------
    dict
        ``status`` (``done`` or ``failed``), ``resolution``, ``metrics`` (all of
        :data:`METRIC_UNITS`, units there), ``error`` and ``traceback`` (failed only),
        ``wall_s`` [s], ``worker`` (host:pid), ``gzgrid_version`` and ``warm_start`` (see
        :data:`WARM_STATES`); with ``keep_warm`` also ``_warm``, the case's own window bases
        (a :class:`~model.dispatch.warm.WarmStart`, for the client to keep, not to store).
    warm : WarmStart, optional
        Window bases of the sweep's reference case to start this case's windows from.
    keep_warm : bool
        Return this case's window bases (it is the reference case).
    """
    # a worker's log goes to the sweep's console: keep it to warnings (a run's INFO lines, such
    # as a dry year's second solve, are for its log.txt, which a case does not write)
    for name in ("pypsa", "linopy", "model"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # PyPSA warns on every committed solve that start-up and shut-down costs differ, so the
    # relaxation is not tightened: expected for gzgrid's coal (model/network/thermal.py).
    logging.getLogger("pypsa.optimization.constraints").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    record: dict[str, Any] = {
        "resolution": resolution,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "gzgrid_version": __version__,
    }
    try:
        record["metrics"], result = _solve(scenario_json, resolution, warm)
        record["status"] = "done"
        record["warm_start"] = warm_state(result, warm, keep_warm)
        if keep_warm and result.warm is not None:
            record["_warm"] = result.warm
    except Exception as exc:  # a failing case is a result of the sweep, not the end of it
        record.update(status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    record["wall_s"] = time.perf_counter() - t0
    return record


@cache
def _register():
    from model.register import load_register

    return load_register()


def warm_state(result: Any, warm: Any, reference: bool) -> str:
    """How a case's windows started: one of :data:`WARM_STATES`."""
    if reference:
        return "reference"
    if warm is None or result.warm is None:
        return "cold"
    return "shared" if result.diagnostics.get("warm_shared") else "not shared"


def _solve(scenario_json: str, resolution: str, warm: Any = None) -> tuple[dict[str, float], Any]:
    from analysis.metrics import metrics
    from analysis.summary import summarize
    from model.dispatch import dispatch
    from model.network import build_network
    from model.run import scenario_profiles
    from model.scenario import Scenario

    scenario = Scenario.model_validate_json(scenario_json)
    register = _register()
    n = build_network(scenario, register, scenario_profiles(scenario, register))
    if resolution != HOURLY:
        n = n.cluster.temporal.resample(resolution)
    result = dispatch(n, scenario.dispatch, scenario.solver, warm)
    ds = metrics(n, scenario.adequacy.lole_h, scenario.adequacy.reserve_margin)
    return flatten_summary(summarize(ds, result.objective_cny)), result


def flatten_summary(summary: dict[str, Any]) -> dict[str, float]:
    """The scalar metrics of :data:`METRIC_UNITS` from a run summary (:func:`analysis.summary.summarize`).

    Hour counts are weighted by the snapshot weightings there, so a resampled network counts a
    3-hour period with shedding as 3 loss-of-load hours [h].
    """
    gen, cap, cur = summary["generation_twh"], summary["capacity_gw"], summary["curtailment_pct"]
    out = {k: float(summary[k]) for k in METRIC_UNITS if k in summary}
    out.update(
        export_cut_mwh=1e6 * float(summary["export_cut_twh"]),
        storage_discharge_mwh=1e6 * sum(float(gen.get(c, 0.0)) for c in ("phs", "battery", "fuel_cell")),
        curtailment_wind_pct=float(cur["wind"]),
        curtailment_solar_pct=float(cur["solar"]),
    )
    out.update({f"generation_{c}_twh": float(gen.get(c, 0.0)) for c in GENERATION_CARRIERS})
    out.update({f"capacity_{c}_gw": float(cap.get(c, 0.0)) for c in CAPACITY_CARRIERS})
    return {k: out[k] for k in METRIC_UNITS}
