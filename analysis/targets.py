"""The plan's targets against a run: the table behind ``gzgrid targets RUN_DIR``.

Every row of ``data/network/targets.csv`` for the run's year gets the run's value and a status:

- ``met`` / ``missed``: a target a dispatch run measures (``check = sim``); the note says by how
  much a missed target was missed.
- ``input honoured`` / ``input not honoured``: a capacity the scenario sets (``check = input``).
- ``power part only``: an economy-wide target (``check = power-part``); the run reports the power
  sector's part, and the note says what the run measures instead.
- ``outside the model``: not represented (``check = out``, and inputs the model's aggregate
  demand does not separate, such as data-centre PUE or the EV share).

A target written ``~`` (about) counts as met when the run is within :data:`ABOUT_TOL` of it,
relative. The table reports; it does not judge: statuses never raise.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from analysis.flows import PROVINCE
from analysis.metrics import metrics
from analysis.runfolder import check_run_dir, read_metrics, read_network, read_scenario
from analysis.thermal import thermal_capacity
from model.atomic import write_text
from model.capacity import COAL_SHARE_TARGET, PLAN_CAPACITY_TARGETS
from model.register import load_register

#: Relative tolerance of a target written as "about" (``~``).
ABOUT_TOL = 0.10
STATUSES = ("met", "missed", "input honoured", "input not honoured", "power part only", "outside the model")
#: Input targets the model's aggregate demand does not separate, with the reason.
NOT_SEPARATED = {
    "datacentre_pue": "data-centre load is part of the aggregate demand case; PUE is not modelled",
    "rooftop_pv": "rooftop PV is part of the prefecture PV totals; building coverage is not modelled",
    "nev_share": "EV charging is part of the aggregate demand case; the vehicle share is not modelled",
}
#: Relative slack of ``>=`` and ``<=`` so that a capacity equal to its target up to rounding meets it.
RTOL = 1e-4
COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda run, plan: run >= plan - RTOL * abs(plan),
    ">": lambda run, plan: run > plan,
    "<=": lambda run, plan: run <= plan + RTOL * abs(plan),
    "<": lambda run, plan: run < plan,
    "=": lambda run, plan: bool(np.isclose(run, plan)),
    "~": lambda run, plan: abs(run - plan) <= ABOUT_TOL * abs(plan),
}


def load_run(run_dir: Path) -> tuple[dict, pypsa.Network, xr.Dataset]:
    """The resolved scenario, the solved network and its metrics (``metrics.nc`` if present).

    Raises
    ------
    InputError
        ``run_dir`` is no run folder, or one of its files is damaged (naming the file).
    """
    run_dir = check_run_dir(run_dir)
    scenario = read_scenario(run_dir)
    n = read_network(run_dir / "network.nc")
    path = run_dir / "metrics.nc"
    if path.exists():
        ds = read_metrics(path)
    else:
        adequacy = scenario.get("adequacy", {})
        ds = metrics(n, adequacy.get("lole_h", 2.4), adequacy.get("reserve_margin", 0.15))
    return scenario, n, ds


def _province(ds: xr.Dataset, var: str, **sel: object) -> float:
    return float(ds[var].sel(region=PROVINCE, **sel))


def _run_values(n: pypsa.Network, ds: xr.Dataset, thermal: pd.DataFrame) -> dict[str, tuple[float, str]]:
    """Run value and its unit for every target id a run can speak to."""
    gw = ds.capacity_mw.sel(region=PROVINCE).to_series() / 1e3
    gw["hydro"] = gw["hydro"] + gw["ror"]  # the plan's hydro counts the run-of-river part (as capacity.py)
    year = {"period": "year"}
    p_nom, _, _ = thermal_capacity(n, ("coal",))
    coal = thermal[(thermal.carrier == "coal") & thermal.id.isin(p_nom.index[p_nom > 0])]
    built = coal[p_nom.reindex(coal.id).to_numpy() >= coal.unit_mw.to_numpy()]
    loads = n.c.loads.static
    h2 = n.get_switchable_as_dense("Load", "p_set")[loads.index[loads.carrier == "H2"]].sum(axis=1).mean()
    return {
        COAL_SHARE_TARGET: (_province(ds, "coal_share_capacity"), "share"),
        "export_re_share": (_province(ds, "export_re_share", **year), "share"),
        "demand_response": (_province(ds, "dr_share_of_peak"), "share of peak"),
        **{target: (gw[carrier], "GW") for carrier, target in PLAN_CAPACITY_TARGETS.items()},
        "coal_units": (float(built.unit_mw.max()) if len(built) else 0.0, "MW"),
        "h2_stations": (float(h2), "MW H2 demand"),
        "nonfossil_share": (_province(ds, "nonfossil_share_generation", **year), "share of electricity"),
        "co2_per_gdp": (_province(ds, "co2_t_per_mwh", **year), "t/MWh"),
        "carbon_peak": (_province(ds, "co2_mt", **year), "Mt CO2 (power)"),
    }


def _fmt(value: float, unit: str) -> str:
    if "share" in unit:
        return f"{100 * value:.1f} %"
    return f"{value:,.3g} {unit}"


def _status(row: pd.Series, run: float, run_unit: str, ds: xr.Dataset) -> tuple[str, str]:
    """Status and note of one target row."""
    check, plan, cmp = row["check"], float(row.value), row.comparison
    if check == "out" or row.id in NOT_SEPARATED or row.id == "h2_stations":
        note = NOT_SEPARATED.get(row.id, "not represented in a power-system model")
        if row.id == "h2_stations":
            note = f"stations are not counted; the run carries an H2 demand of {_fmt(run, run_unit)}"
        return "outside the model", note
    if check == "power-part":
        return "power part only", _power_note(row.id, ds)
    if not np.isfinite(run):
        return ("missed" if check == "sim" else "input not honoured"), "not measurable in this run"
    ok = COMPARE[cmp](run, plan)
    if check == "input":
        return ("input honoured" if ok else "input not honoured"), "" if ok else _gap(
            run, plan, run_unit, cmp
        )
    return ("met", "") if ok else ("missed", _gap(run, plan, run_unit, cmp))


def _gap(run: float, plan: float, unit: str, cmp: str) -> str:
    gap = run - plan
    if cmp == "~":
        return f"{_fmt(abs(gap), unit)} {'above' if gap > 0 else 'below'} (tolerance ±{ABOUT_TOL:.0%})"
    return f"missed by {_fmt(abs(gap), unit)} ({'above' if gap > 0 else 'below'} the target)"


def _power_note(target: str, ds: xr.Dataset) -> str:
    year = {"region": PROVINCE, "period": "year"}
    if target == "nonfossil_share":
        cons = float(ds.nonfossil_share_consumption.sel(**year))
        return (
            "the plan's target is for all energy consumption; the run measures electricity only: "
            f"non-fossil share of generation (run value), {100 * cons:.1f} % of provincial consumption"
        )
    if target == "co2_per_gdp":
        return (
            f"no GDP in the model; power-sector CO2 {float(ds.co2_mt.sel(**year)):.1f} Mt at this intensity"
        )
    if target == "carbon_peak":
        return "power-sector CO2 of one year; a peak shows only across runs of several years"
    return "the run measures the power sector's part only"


def target_table(run_dir: Path, register_dir: Path | None = None) -> pd.DataFrame:
    """The plan's targets for the run's year, with the run's values and a status.

    Parameters
    ----------
    run_dir : Path
        A run folder with ``scenario.yaml`` (its ``year``) and ``network.nc`` (and ``metrics.nc``,
        used when present).
    register_dir : Path, optional
        The asset register holding ``targets.csv`` (default: the bundled one).

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``clause``, ``year``, ``plan_value``, ``unit``, ``comparison``,
        ``run_value``, ``run_unit``, ``status`` (one of :data:`STATUSES`), ``note`` and
        ``description``; values in the units of their unit column (shares as fractions).
    """
    scenario, n, ds = load_run(run_dir)  # first: a bad run folder is the likelier mistake
    register = load_register(register_dir) if register_dir else load_register()
    targets = register.targets[register.targets.year == int(scenario["year"])]
    values = _run_values(n, ds, register.thermal)
    rows = []
    for _, row in targets.iterrows():
        run, run_unit = values.get(row.id, (np.nan, ""))
        status, note = _status(row, run, run_unit, ds)
        rows.append(
            {
                "id": row.id,
                "clause": row.clause,
                "year": int(row.year),
                "plan_value": float(row.value),
                "unit": row.unit,
                "comparison": row.comparison,
                "run_value": run,
                "run_unit": run_unit,
                "status": status,
                "note": note,
                "description": row.description,
            }
        )
    return pd.DataFrame(rows)


def write_target_table(table: pd.DataFrame, run_dir: Path) -> tuple[Path, Path]:
    """Write ``targets.csv`` and ``targets.json`` into ``run_dir``, each atomically."""
    run_dir = Path(run_dir)
    records = json.loads(table.to_json(orient="records"))
    texts = {
        run_dir / "targets.csv": table.to_csv(index=False),
        run_dir / "targets.json": json.dumps(records, indent=2, ensure_ascii=False),
    }
    for path, text in texts.items():
        write_text(path, text)
    return run_dir / "targets.csv", run_dir / "targets.json"
