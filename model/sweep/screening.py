"""Screening: which screened cases to re-run hourly, and how far off the screening was.

A screened case is solved on a resampled network (``n.cluster.temporal.resample``, e.g. 3-h
periods: storage levels stay linked across periods, so storage keeps its value). Averaging
hours shaves the evening peaks, so screening is optimistic about reliability: measured on the
2030 mix in an extreme-dry year with 15 GW of coal, 3-h screening gave LOLE 0 h where the
hourly model gave 195 h. :func:`needs_hourly` therefore trusts only clear verdicts (see
:class:`model.sweep.spec.Screening`) and sends everything else to the hourly model.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.sweep.case import HOURLY
from model.sweep.spec import Case, Sweep
from model.sweep.store import DONE, CaseStore


def needs_hourly(sweep: Sweep, screened: dict[str, Any]) -> bool:
    """Whether a screened record's verdict is uncertain and the case must be re-run hourly.

    Parameters
    ----------
    sweep : Sweep
        Gives the LOLE standard [h] and the screening band and export-cut tolerance.
    screened : dict
        The case's screened record (a failed one is never re-run).
    """
    if screened["status"] != DONE:
        return False
    s = sweep.spec.screening
    m = screened["metrics"]
    standard = sweep.lole_standard_h
    if m["lole_h"] > s.band[1] * standard:
        return False  # clearly unreliable even when optimistic
    clearly_reliable = m["lole_h"] < s.band[0] * standard and m["export_cut_mwh"] <= s.export_cut_mwh
    return not clearly_reliable


def final_record(sweep: Sweep, store: CaseStore, case: Case) -> dict[str, Any] | None:
    """The record whose metrics stand for the case in ``sweep.nc`` (``None``: not finished).

    The hourly record when there is one; else, with screening, a screened record whose verdict
    is trusted (or that failed).
    """
    hourly = store.get(case.key, HOURLY)
    if hourly is not None or not sweep.spec.screening.enabled:
        return hourly
    screened = store.get(case.key, sweep.spec.screening.resolution)
    if screened is None or needs_hourly(sweep, screened):
        return None
    return screened


def screening_errors(sweep: Sweep, store: CaseStore) -> tuple[pd.DataFrame, dict[str, float]]:
    """Screened against hourly results on every re-run case.

    Returns
    -------
    table : pandas.DataFrame
        One row per case with both results: its coordinates, then ``lole_h``, ``eue_mwh`` and
        ``objective_cny`` screened and hourly, and the verdict of each.
    summary : dict
        ``cases``, ``rerun``, mean absolute error of LOLE [h] and EUE [MWh], mean relative
        error of the objective [-], largest LOLE error [h] and ``verdict_flips`` (cases whose
        verdict the hourly run changed).
    """
    if not sweep.spec.screening.enabled:
        return pd.DataFrame(), {}
    standard = sweep.lole_standard_h
    rows = []
    for case in sweep.cases:
        s = store.get(case.key, sweep.spec.screening.resolution)
        h = store.get(case.key, HOURLY)
        if s is None or h is None or s["status"] != DONE or h["status"] != DONE:
            continue
        row = dict(case.coords)
        for tag, rec in (("screened", s), ("hourly", h)):
            for metric in ("lole_h", "eue_mwh", "objective_cny"):
                row[f"{metric}_{tag}"] = rec["metrics"][metric]
            row[f"reliable_{tag}"] = rec["metrics"]["lole_h"] <= standard + 1e-9
        rows.append(row)
    table = pd.DataFrame(rows)
    summary: dict[str, float] = {"cases": float(len(sweep.cases)), "rerun": float(len(table))}
    if len(table):
        lole_err = (table.lole_h_screened - table.lole_h_hourly).abs()
        obj_err = (table.objective_cny_screened / table.objective_cny_hourly - 1).abs()
        summary.update(
            lole_mae_h=float(lole_err.mean()),
            lole_max_error_h=float(lole_err.max()),
            eue_mae_mwh=float((table.eue_mwh_screened - table.eue_mwh_hourly).abs().mean()),
            objective_mean_rel_error=float(obj_err.mean()),
            verdict_flips=float((table.reliable_screened != table.reliable_hourly).sum()),
        )
    return table, summary
