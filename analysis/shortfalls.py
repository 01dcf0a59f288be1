"""Shortfall events of a solved network and what caused each: the planner's "why", not only "how much".

An **event** is a run of hours in which demand response is called or load is shed (more than
``SHORTFALL_TOL_MW`` in the province), runs less than :data:`MERGE_GAP_H` apart counting as
one (a planner speaks of the episode, not of each hour). For each event, over its hours:

- **how much**: DR and unserved energy [MWh], the largest hour of both [MW], the exports cut
  meanwhile [MWh] (the obligation is cut before domestic load, so a cut export is a shortfall
  the province passed on);
- **hydro below normal**: the seasonal reservoirs' energy at the event's start against the
  register's lower guide on that day (what a normal year holds) [TWh and share of normal], and
  the event month's natural inflow against the inflow the operator expected [%];
- **coal unavailable by cause** [MW, mean over the event]: planned maintenance, forced outages,
  coal-supply spells and coal quality (as the network was built,
  ``n.meta["gzgrid"]["coal_unavailable_mw"]``), and **fuel**: the coal that was available but
  did not run while the fuel chain ran short: deliveries at their limit and the stock below its
  normal level (the coal left is kept for the coming days, or is down to the floor);
- **load above normal**: the event's mean domestic load over the mean load of the same hours of
  day in its month [%] (a cold snap shows here).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from analysis.thermal import coal_stock, thermal_capacity, thermal_output
from model.dispatch.constraints import GUIDE_BAND_KEY, gzgrid_meta
from model.network.hydro import seasonal_reservoirs
from model.reliability import SHORTFALL_TOL_MW
from model.reservoirs import rule_curves

#: The causes of coal unavailability the network records, and the fuel cause added here.
COAL_CAUSES = ("maintenance", "outage", "supply", "quality", "fuel")
#: Runs of shortfall hours closer than this are one event [h].
MERGE_GAP_H = 24
#: Deliveries this close to their limit count as at the limit [share]; a stock this far below its
#: normal level counts as drawn down [share of the normal level].
AT_LIMIT = 0.995
DRAWN = 0.005
#: The columns of the event table, with their units.
COLUMNS = {
    "start": "", "end": "", "hours": "h", "dr_mwh": "MWh", "unserved_mwh": "MWh", "peak_mw": "MW",
    "export_cut_mwh": "MWh", "hydro_below_normal_twh": "TWh", "hydro_share_of_normal": "1",
    "inflow_vs_expected": "1", **{f"coal_{c}_mw": "MW" for c in COAL_CAUSES}, "load_above_normal": "1",
}  # fmt: skip


#: How the event table is shown: record key, short heading (the console), long heading (the
#: report), scale from the record's unit, format. ``start`` is a time stamp (scale None).
CAUSE_DISPLAY = (
    ("start", "start", "start", None, ""),
    ("hours", "h", "h", 1.0, ".0f"),
    ("dr_mwh", "DR GWh", "DR GWh", 1e-3, ".1f"),
    ("unserved_mwh", "unserved GWh", "unserved GWh", 1e-3, ".1f"),
    ("peak_mw", "peak MW", "peak MW", 1.0, ".0f"),
    ("export_cut_mwh", "export cut GWh", "export cut GWh", 1e-3, ".1f"),
    ("hydro_share_of_normal", "hydro", "hydro / normal", 1.0, ".0%"),
    ("inflow_vs_expected", "inflow", "inflow vs expected", 1.0, "+.0%"),
    ("coal_maintenance_mw", "maint. GW", "coal maintenance GW", 1e-3, ".1f"),
    ("coal_outage_mw", "outage GW", "coal outages GW", 1e-3, ".1f"),
    ("coal_supply_mw", "spells GW", "coal spells GW", 1e-3, ".1f"),
    ("coal_quality_mw", "quality GW", "coal quality GW", 1e-3, ".1f"),
    ("coal_fuel_mw", "no fuel GW", "coal without fuel GW", 1e-3, ".1f"),
    ("load_above_normal", "load", "load vs normal", 1.0, "+.0%"),
)


def cause_cell(value: object, scale: float | None, fmt: str, start_chars: slice = slice(0, 16)) -> str:
    """One cell of the event table: a time stamp cut to ``start_chars``, or a scaled number ("-": none)."""
    if scale is None:
        return str(value)[start_chars].replace("T", " ")
    return "-" if value is None else format(float(value) * scale, fmt)


def _carrier_sum(n: pypsa.Network, carrier: str) -> pd.Series:
    g = n.c.generators.static
    return n.c.generators.dynamic.p.reindex(columns=g.index[g.carrier == carrier], fill_value=0.0).sum(axis=1)


def shortfall_mw(n: pypsa.Network) -> pd.Series:
    """Demand response called plus load shed in the province, hourly [MW]."""
    return _carrier_sum(n, "dr") + _carrier_sum(n, "load_shedding")


def events(n: pypsa.Network, tol: float = SHORTFALL_TOL_MW) -> list[tuple[int, int]]:
    """Hour ranges ``[start, end)`` of the runs of hours with DR called or load shed."""
    short = shortfall_mw(n).to_numpy() > tol
    edges = np.flatnonzero(np.diff(np.r_[0, short.astype(int), 0]))
    runs = list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
    merged: list[tuple[int, int]] = []
    for a, b in runs:
        if merged and a - merged[-1][1] < MERGE_GAP_H:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def shortfall_causes(n: pypsa.Network, tol: float = SHORTFALL_TOL_MW) -> pd.DataFrame:
    """One row per event (module docstring); the columns of :data:`COLUMNS`."""
    found = events(n, tol)
    if not found:
        return pd.DataFrame(columns=list(COLUMNS))
    w = n.snapshot_weightings.generators.to_numpy()
    dr, shed = _carrier_sum(n, "dr").to_numpy(), _carrier_sum(n, "load_shedding").to_numpy()
    cut = _carrier_sum(n, "export_cut").to_numpy()
    hydro_gap, hydro_share = _hydro_below_normal(n)
    inflow = _inflow_vs_expected(n)
    coal = _coal_lost(n)
    load = _load_above_normal(n)
    rows = []
    for a, b in found:
        hours = slice(a, b)
        rows.append({
            "start": n.snapshots[a], "end": n.snapshots[b - 1], "hours": float(w[hours].sum()),
            "dr_mwh": float(dr[hours] @ w[hours]), "unserved_mwh": float(shed[hours] @ w[hours]),
            "peak_mw": float((dr + shed)[hours].max()), "export_cut_mwh": float(cut[hours] @ w[hours]),
            "hydro_below_normal_twh": float(hydro_gap[a]), "hydro_share_of_normal": float(hydro_share[a]),
            "inflow_vs_expected": float(inflow[a]),
            **{f"coal_{c}_mw": float(coal[c].to_numpy()[hours].mean()) for c in COAL_CAUSES},
            "load_above_normal": float(load[hours].mean()),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _hydro_below_normal(n: pypsa.Network) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal reservoirs' energy below the register's lower guide [TWh] and their share of it, hourly."""
    spec = gzgrid_meta(n).get(GUIDE_BAND_KEY) or {}
    stores = seasonal_reservoirs(n)
    hours = len(n.snapshots)
    if not len(stores) or not spec:
        return np.zeros(hours), np.full(hours, np.nan)
    normal = spec.get("normal", spec)
    rules = pd.DataFrame({"date": normal["dates"], "lower_guide": normal["lower_guide"]})
    guide = rule_curves(rules, n.snapshots).lower_guide.to_numpy()
    e_nom = n.c.stores.static.e_nom[stores]
    weight = np.asarray(spec.get("weights", np.ones(len(stores))), dtype=float)[: len(stores)]
    # energy as the electricity it makes down the cascade, as the guide prices it
    level = (n.c.stores.dynamic.e[stores] * weight).sum(axis=1).to_numpy()
    wanted = guide * float((e_nom * weight).sum())
    return (wanted - level) / 1e6, np.divide(level, wanted, out=np.full(hours, np.nan), where=wanted > 0)


def _inflow_vs_expected(n: pypsa.Network) -> np.ndarray:
    """Each hour's month: natural inflow over the expected inflow of the seasonal plan, minus 1 [-]."""
    from model.dispatch.plan import EXPECTED_INFLOW_KEY

    expected = gzgrid_meta(n).get(EXPECTED_INFLOW_KEY) or {}
    g = n.c.generators.static
    names = [x for x in expected if x in g.index]
    month = n.snapshots.month.to_numpy() - 1
    if not names:
        return np.full(len(n.snapshots), np.nan)
    real = n.get_switchable_as_dense("Generator", "p_max_pu")[names] * g.p_nom[names]
    exp = pd.DataFrame({x: np.asarray(expected[x], dtype=float)[month] * g.p_nom[x] for x in names},
                       index=n.snapshots)  # fmt: skip
    ratio = real.sum(axis=1).groupby(month).sum() / exp.sum(axis=1).groupby(month).sum()
    return (ratio - 1.0).reindex(month).to_numpy()


def _coal_lost(n: pypsa.Network) -> pd.DataFrame:
    """Coal capacity each cause takes away, hourly [MW] (the network's causes, then fuel)."""
    spec = gzgrid_meta(n).get("coal_unavailable_mw") or {}
    out = pd.DataFrame(0.0, index=n.snapshots, columns=list(COAL_CAUSES))
    if spec:
        days = pd.DatetimeIndex(pd.to_datetime(spec["days"]))
        day = n.snapshots.normalize()
        for c in COAL_CAUSES[:-1]:
            if c in spec:
                out[c] = pd.Series(spec[c], index=days).reindex(day).to_numpy()
    stock = coal_stock(n)
    g = n.c.generators.static
    delivery = g.index[g.carrier == "coal_delivery"]
    if stock.shape[1] and len(delivery):
        e_nom = n.c.stores.static.e_nom[stock.columns]
        drawn = (stock < (1 - DRAWN) * e_nom).any(axis=1)
        limit = n.get_switchable_as_dense("Generator", "p_max_pu")[delivery] * g.p_nom[delivery]
        at_limit = (n.c.generators.dynamic.p[delivery] >= AT_LIMIT * limit).all(axis=1)
        _, _, available = thermal_capacity(n, ("coal",))
        ran = thermal_output(n, ("coal",))[0].sum(axis=1)
        out["fuel"] = np.where(drawn & at_limit, (available.sum(axis=1) - ran).clip(lower=0.0), 0.0)
    return out


def _load_above_normal(n: pypsa.Network) -> np.ndarray:
    """Domestic load over its month's mean at the same hour of day, minus 1, hourly [-]."""
    loads = n.c.loads.static
    ids = loads.index[loads.carrier == "load"]
    load = n.c.loads.dynamic.p.reindex(columns=ids, fill_value=0.0).sum(axis=1)
    key = [load.index.month, load.index.hour]
    return (load / load.groupby(key).transform("mean") - 1.0).to_numpy()


def as_records(table: pd.DataFrame, limit: int = 50) -> list[dict]:
    """The event table as JSON-ready records, the largest events first (at most ``limit``)."""
    if table.empty:
        return []
    top = table.assign(size=table.dr_mwh + table.unserved_mwh).nlargest(limit, "size").drop(columns="size")
    top = top.sort_values("start")
    out = []
    for row in top.to_dict("records"):
        out.append({k: (v.isoformat() if isinstance(v, pd.Timestamp) else
                        (None if isinstance(v, float) and not np.isfinite(v) else round(float(v), 4)))
                    for k, v in row.items()})  # fmt: skip
    return out
