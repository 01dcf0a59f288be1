"""gzgrid's own constraints, added to every model PyPSA builds (monolithic, hourly, plan).

PyPSA builds the components' constraints; :func:`add_operating_constraints` adds what gzgrid
needs beyond them, reading its settings from ``n.meta["gzgrid"]``:

- ``dr_event_hours``: each demand-response call lasts at most L full hours in a row (hourly
  models only; the daily plan scales DR availability instead).
- ``guide_band``: seasonal reservoirs keep within their guide band, or pay for every MWh outside
  it per hour (variables ``Store-guide_lower_slack``/``Store-guide_upper_slack``; see
  :mod:`model.reservoirs`).
- ``coal_stock``: each coal stockpile below its normal level pays for every MWh and day
  (variables ``Store-stock_short``).
- ``coal_floor``: at least ``mw`` of available coal committed in every hour (constraint
  ``Link-coal_floor`` on the coal unit links); where units are not committable (the daily
  plan, or unit commitment off) coal must *generate* at least the floor times its minimum load.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from model.reservoirs import rule_curves

#: Key of ``n.meta`` holding gzgrid's own model data.
META_KEY = "gzgrid"
#: Meta key of the seasonal reservoirs' guide band.
GUIDE_BAND_KEY = "guide_band"
#: Meta key of the coal stockpiles' normal level: ``{"stores": [...], "penalty_cny_per_mwh_day": p}``.
STOCK_TARGET_KEY = "coal_stock"
#: Meta key of the coal security floor: ``{"mw": floor, "links": [...], "electric_mw": [...],
#: "min_load_pu": [...]}`` (the coal unit links, their electric capacity [MW], minimum load [p.u.]).
COAL_FLOOR_KEY = "coal_floor"


def gzgrid_meta(n: pypsa.Network) -> dict:
    """gzgrid's settings stored in the network (empty for a plain PyPSA network)."""
    return (n.meta or {}).get(META_KEY, {}) or {}


def dr_event_hours(n: pypsa.Network) -> dict[str, int]:
    """``{generator: L}`` from ``n.meta["gzgrid"]["dr_event_hours"]`` (only existing generators)."""
    spec = gzgrid_meta(n).get("dr_event_hours", {}) or {}
    gens = n.c.generators.static.index
    return {str(g): int(h) for g, h in spec.items() if g in gens and int(h) > 0}


def add_operating_constraints(n: pypsa.Network, snapshots: pd.Index, hourly: bool = True) -> None:
    """Add gzgrid's constraints to ``n.model`` (usable as PyPSA's ``extra_functionality``).

    Parameters
    ----------
    n : pypsa.Network
        The network whose linopy model ``n.model`` has just been created.
    snapshots : pandas.Index
        Its snapshots.
    hourly : bool
        False for the daily seasonal plan, where hour-scale rules (DR event length) do not apply.
    """
    if hourly:
        add_dr_event_constraints(n, snapshots)
    add_guide_band(n, snapshots)
    add_stock_target(n, snapshots)
    add_coal_floor(n, snapshots)


def add_dr_event_constraints(n: pypsa.Network, snapshots: pd.Index) -> None:
    """Cap each demand-response call at L full hours in a row.

    For every generator ``g`` with ``L = n.meta["gzgrid"]["dr_event_hours"][g]``, in every run of
    ``L + 1`` consecutive snapshots: ``sum p[g] <= L * p_nom[g]`` [MWh] (constraint
    ``Generator-dr_event_<L>h``).
    """
    events = dr_event_hours(n)
    if not events or len(snapshots) < 2:
        return
    m = n.model
    p = m["Generator-p"]
    p_nom = n.c.generators.static.p_nom
    for length in sorted(set(events.values())):
        if length + 1 > len(snapshots):
            continue
        names = [g for g, h in events.items() if h == length]
        lhs = p.sel(name=names).rolling(snapshot=length + 1).sum()
        rhs = pd.Series(length * p_nom[names].to_numpy(), index=pd.Index(names, name="name"))
        m.add_constraints(lhs <= rhs.to_xarray(), name=f"Generator-dr_event_{length}h")


def guide_band_rules(spec: dict) -> pd.DataFrame:
    """The guide band of the network's meta (``n.meta["gzgrid"]["guide_band"]``) as rule curves.

    Columns ``date`` (``MM-DD``), ``lower_guide`` and ``upper_guide`` [-], as
    :func:`model.reservoirs.rule_curves` takes them.
    """
    return pd.DataFrame({"date": spec["dates"], "lower_guide": spec["lower_guide"],
                         "upper_guide": spec["upper_guide"]})  # fmt: skip


def add_guide_band(n: pypsa.Network, snapshots: pd.Index) -> None:
    """Price each seasonal reservoir's energy outside its guide band.

    ``e[s, t] + below[s, t] >= lower[t] * e_nom[s]`` and ``e[s, t] - above[s, t] <= upper[t] *
    e_nom[s]`` at the last snapshot ``t`` of each day (the band moves slowly; checking it hourly
    made the windows twice as slow), with ``below, above >= 0`` costing ``penalty`` [CNY per MWh
    and hour] times the day's hours. At the last snapshot each store should hold at least its
    lower guide of that hour (over a year of the register's guide: its start level); each MWh
    short costs ``terminal`` [CNY/MWh]. Prices
    are per MWh of electricity, so a store's are times its ``weights`` (its cascade factor,
    :func:`model.reservoirs.cascade_factor`).
    """
    spec, stores = _meta_stores(n, GUIDE_BAND_KEY)
    if not len(stores):
        return
    rules = guide_band_rules(spec)
    sns = pd.Index(snapshots, name="snapshot")
    # the band moves slowly: it is checked at the last snapshot of each day, priced for the day
    checks, weight = day_ends(sns, n)
    curves = rule_curves(rules, pd.DatetimeIndex(checks))
    e_nom = n.c.stores.static.e_nom[stores].to_numpy()
    m = n.model
    e = m["Store-e"].sel(name=stores)
    daily = {
        "lower": float(spec["penalty_cny_per_mwh_h"]) * weight,
        "upper": float(spec.get("upper_penalty_cny_per_mwh_h", spec["penalty_cny_per_mwh_h"])) * weight,
    }
    worth = dict(zip(spec["stores"], spec["weights"], strict=True))
    scale = xr.DataArray([worth[s] for s in stores], coords=[stores])
    cost = m.objective.expression
    for side, sign in (("lower", 1), ("upper", -1)):
        share = curves[f"{side}_guide"].to_numpy()[:, None]
        level = xr.DataArray(share * e_nom[None, :], coords=[checks, stores])
        slack = m.add_variables(lower=0, coords=[checks, stores], name=f"Store-guide_{side}_slack")
        at = e.sel(snapshot=checks)
        if sign > 0:
            m.add_constraints(at + slack >= level, name="Store-guide_lower")
        else:
            m.add_constraints(at - slack <= level, name="Store-guide_upper")
        price = xr.DataArray(daily[side], coords=[checks]) * scale
        cost = cost + (slack * price).sum()
    # the horizon ends with at least the water its lower guide asks then (on the register's guide
    # over a year: what it began with; on an observed path: where the record left it), or pays
    # for what it leaves short
    last = sns[-1:]
    end = float(rule_curves(rules, pd.DatetimeIndex(last)).lower_guide.iloc[0])
    start = xr.DataArray((end * e_nom)[None, :], coords=[last, stores])
    short = m.add_variables(lower=0, coords=[last, stores], name="Store-terminal_shortfall")
    m.add_constraints(e.sel(snapshot=last) + short >= start, name="Store-terminal")
    cost = cost + (short * (float(spec.get("terminal_cny_per_mwh", 0.0)) * scale)).sum()
    m.add_objective(cost, overwrite=True)


def _meta_stores(n: pypsa.Network, key: str) -> tuple[dict, pd.Index]:
    """A constraint's settings under ``key`` and those of its stores the network holds (none: empty)."""
    spec = gzgrid_meta(n).get(key) or {}
    held = n.c.stores.static.index
    return spec, pd.Index([s for s in spec.get("stores", ()) if s in held], name="name")


def day_ends(snapshots: pd.Index, n: pypsa.Network) -> tuple[pd.Index, np.ndarray]:
    """The last snapshot of each day and the day's objective weight [h]."""
    sns = pd.Index(snapshots, name="snapshot")
    day = pd.DatetimeIndex(sns).normalize()
    last_of_day = np.r_[day[1:] != day[:-1], True]
    weight = n.snapshot_weightings.objective.reindex(sns).groupby(day).sum().to_numpy()
    return sns[last_of_day], weight


def add_stock_target(n: pypsa.Network, snapshots: pd.Index) -> None:
    """Price each coal stockpile's shortfall below its normal level, per MWh and day.

    ``e[s, t] + short[s, t] >= e_nom[s]`` at the last snapshot of each day, each MWh short
    costing ``penalty_cny_per_mwh_day`` times the day's hours / 24 (variable
    ``Store-stock_short``). So plants refill their stock as soon as deliveries allow, and draw
    it down only when burning it is worth more than keeping it (the operator's floor is the
    store's ``e_min_pu``).
    """
    spec, stores = _meta_stores(n, STOCK_TARGET_KEY)
    if not len(stores):
        return
    checks, weight = day_ends(snapshots, n)
    m = n.model
    e_nom = xr.DataArray(n.c.stores.static.e_nom[stores].to_numpy(), coords=[stores])
    short = m.add_variables(lower=0, coords=[checks, stores], name="Store-stock_short")
    level = m["Store-e"].sel(name=stores, snapshot=checks)
    m.add_constraints(level + short >= e_nom, name="Store-stock_normal")
    price = xr.DataArray(float(spec["penalty_cny_per_mwh_day"]) * weight / 24, coords=[checks])
    m.add_objective(m.objective.expression + (short * price).sum(), overwrite=True)


def add_coal_floor(n: pypsa.Network, snapshots: pd.Index) -> None:
    """Keep at least the security floor of coal committed in every hour (module docstring).

    The coal unit links of ``n.meta["gzgrid"]["coal_floor"]`` are committed by class; a
    class's committed capacity is its commitment share times its available electric capacity.
    The floor never asks for more than 99.9 % of the coal available that hour (maintenance,
    outages, coal quality and fuel spells can leave less), so it can always be met.
    """
    spec = gzgrid_meta(n).get(COAL_FLOOR_KEY) or {}
    floor = float(spec.get("mw", 0.0))
    links = n.c.links.static
    names = [x for x in spec.get("links", []) if x in links.index]
    if floor <= 0 or not names:
        return
    sns = pd.Index(snapshots, name="snapshot")
    electric = pd.Series(dict(zip(spec["links"], spec["electric_mw"], strict=True)))[names]
    pu = n.get_switchable_as_dense("Link", "p_max_pu").loc[sns, names]
    available = pu * electric
    need = np.minimum(floor, 0.999 * available.sum(axis=1).to_numpy())
    m = n.model
    committable = [x for x in names if bool(links.committable[x])]
    if committable and "Link-status" in m.variables:
        status = m["Link-status"].sel(name=committable)
        coords = [sns, pd.Index(committable, name="name")]
        weight = xr.DataArray(available[committable].to_numpy(), coords=coords)
        always = available[[x for x in names if x not in committable]].sum(axis=1).to_numpy()
        lhs = (status * weight).sum("name")
        rhs = need - always
    else:  # not committed (the daily plan, or unit commitment off): generate the floor's minimum load
        share = dict(zip(spec["links"], spec.get("min_load_pu", []), strict=False))
        lowest = float(np.mean([share.get(x, 0.3) for x in names]))
        eff = links.efficiency[names]
        eta = xr.DataArray(eff.to_numpy(), coords=[pd.Index(names, name="name")])
        lhs = (m["Link-p"].sel(name=names) * eta).sum("name")
        rhs = need * lowest
    m.add_constraints(lhs >= xr.DataArray(rhs, coords=[sns]), name="Link-coal_floor")
