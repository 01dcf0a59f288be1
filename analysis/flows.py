"""Hourly flows, available capacity and margins of a solved gzgrid network, by region [MW].

The building blocks of :mod:`analysis.metrics` and :mod:`analysis.plots`: every frame has one
column per prefecture plus ``province`` (their sum).

- Margin (supply side, before DR): available capacity minus demand, hourly. Available = thermal
  ``p_nom x p_max_pu``; wind, solar and run-of-river as the weather offers; reservoir turbines,
  pumped hydro, batteries and fuel cells at full power unless the energy stored at the start of
  the hour is less. Province demand = domestic load + the export obligation grossed up by the
  export links' losses; a prefecture also counts the capacity of the corridors into it. The
  planning reserve margin is the margin at the hour of the region's annual peak load, over that
  load.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from analysis.thermal import THERMAL, thermal_capacity, thermal_output
from model.register import PREFECTURES

PROVINCE = "province"
REGIONS = (*PREFECTURES, PROVINCE)
#: Carriers of electricity supply, in stacking order (``fuel_cell`` = H2 back to power).
SUPPLY = ("coal", "gas", "biomass", "hydro", "ror", "wind", "solar", "fuel_cell", "phs", "battery")
STORAGE_CARRIERS = ("phs", "battery")
FOSSIL = ("coal", "gas")
RENEWABLE = ("hydro", "ror", "wind", "solar", "biomass")
VRE = ("wind", "solar", "ror")


def with_province(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefecture columns in order, plus their sum as ``province``."""
    out = frame.reindex(columns=list(PREFECTURES), fill_value=0.0).astype(float)
    out[PROVINCE] = out.sum(axis=1)
    return out


def by_bus(p: pd.DataFrame, bus: pd.Series) -> pd.DataFrame:
    """Sum asset columns of ``p`` by their bus; prefecture columns plus ``province``."""
    if p.shape[1] == 0:
        return with_province(pd.DataFrame(index=p.index))
    return with_province(p.T.groupby(bus.reindex(p.columns).to_numpy()).sum().T)


def carrier_output(n: pypsa.Network, carrier: str, attr: str = "p") -> pd.DataFrame:
    """Hourly output (``attr="p"``) or offered power (``"offered"``) of a carrier by region [MW]."""
    if carrier in THERMAL and attr == "p":  # coal runs through links in a gzgrid network
        return by_bus(*thermal_output(n, (carrier,)))
    g = n.c.generators.static
    ids = g.index[g.carrier == carrier]
    if attr == "offered":
        pu = n.get_switchable_as_dense("Generator", "p_max_pu")
        return by_bus(pu[ids] * g.p_nom[ids], g.bus)
    return by_bus(n.c.generators.dynamic.p.loc[:, ids], g.bus)


def hourly_flows(n: pypsa.Network) -> dict[str, pd.DataFrame]:
    """Hourly electricity flows by carrier and region [MW] (snapshot x region incl. ``province``).

    Keys: every :data:`SUPPLY` carrier (delivered), ``dr``, ``load_shedding``, ``phs_charge``,
    ``battery_charge``, ``electrolysis``, ``export`` (sent from the prefecture), ``load``
    (domestic), ``wind_offered``, ``solar_offered``, ``ror_offered`` and ``<c>_curtailed``.
    """
    out = {
        c: carrier_output(n, c)
        for c in ("coal", "gas", "biomass", "ror", "wind", "solar", "dr", "load_shedding")
    }
    links, p0, p1 = n.c.links.static, n.c.links.dynamic.p0, n.c.links.dynamic.p1
    hy = links.index[links.carrier == "hydro"]
    out["hydro"] = by_bus(-p1.loc[:, hy], links.bus1)
    fc = links.index[links.carrier == "fuel_cell"]
    out["fuel_cell"] = by_bus(-p1.loc[:, fc], links.bus1)
    ely = links.index[links.carrier == "electrolyser"]
    out["electrolysis"] = by_bus(p0.loc[:, ely], links.bus0)
    ex = links.index[links.carrier == "export"]
    out["export"] = by_bus(p0.loc[:, ex], links.bus0)
    su = n.c.storage_units.static
    for c in STORAGE_CARRIERS:
        ids = su.index[su.carrier == c]
        out[c] = by_bus(n.c.storage_units.dynamic.p_dispatch.loc[:, ids], su.bus)
        out[f"{c}_charge"] = by_bus(n.c.storage_units.dynamic.p_store.loc[:, ids], su.bus)
    loads = n.c.loads.static
    ld = loads.index[loads.carrier == "load"]
    out["load"] = by_bus(n.get_switchable_as_dense("Load", "p_set")[ld], loads.bus)
    for c in VRE:
        out[f"{c}_offered"] = carrier_output(n, c, "offered")
        out[f"{c}_curtailed"] = (out[f"{c}_offered"] - out[c]).clip(lower=0.0)
    return out


def export_obligation(n: pypsa.Network) -> pd.Series:
    """Hourly export obligation at the Guangdong bus [MW]."""
    loads = n.c.loads.static
    ids = loads.index[loads.carrier == "export"]
    return n.get_switchable_as_dense("Load", "p_set")[ids].sum(axis=1)


def available_capacity(n: pypsa.Network) -> pd.DataFrame:
    """Hourly available supply capacity by region [MW] (see the module docstring), before DR."""
    w = n.snapshot_weightings.generators.to_numpy()[:, None]
    g = n.c.generators.static
    vre = g.index[g.carrier.isin(VRE)]
    pu = n.get_switchable_as_dense("Generator", "p_max_pu")
    _, bus, thermal = thermal_capacity(n)
    parts = [by_bus(pu[vre] * g.p_nom[vre], g.bus), by_bus(thermal, bus)]
    links = n.c.links.static
    lpu = n.get_switchable_as_dense("Link", "p_max_pu")
    e = n.c.stores.dynamic.e
    prev = e.shift(1).fillna(e.iloc[-1]) if len(e.columns) else e
    hy = links.index[links.carrier == "hydro"]
    water = prev.reindex(columns=links.bus0[hy].to_numpy()).fillna(np.inf).to_numpy() / w
    parts.append(by_bus(np.minimum(lpu[hy] * links.p_nom[hy], water), links.bus1))
    fc = links.index[links.carrier == "fuel_cell"]
    h2 = prev.loc[:, n.c.stores.static.carrier == "H2"].sum(axis=1).to_numpy()[:, None] / w
    eta = links.efficiency[fc].to_numpy()
    fc_avail = np.minimum((links.p_nom[fc] * eta).to_numpy(), h2 * eta)
    parts.append(by_bus(pd.DataFrame(fc_avail, index=n.snapshots, columns=fc), links.bus1))
    su = n.c.storage_units.static
    soc = n.c.storage_units.dynamic.state_of_charge
    soc_prev = soc.shift(1).fillna(soc.iloc[-1]) * su.efficiency_dispatch / w
    parts.append(by_bus(soc_prev.clip(upper=su.p_nom, axis=1), su.bus))
    return sum(parts[1:], parts[0])  # margins count thermal as available, fuel or not


def margin(n: pypsa.Network, flows: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Hourly margin, available capacity minus demand, by region [MW] (module docstring)."""
    flows = flows or hourly_flows(n)
    m = available_capacity(n) - flows["load"]
    links = n.c.links.static
    tr = links[links.carrier == "transmission"]
    inbound = (tr.p_nom * tr.efficiency).groupby(tr.bus1).sum().reindex(list(PREFECTURES), fill_value=0.0)
    m[list(PREFECTURES)] += inbound.to_numpy()
    ex = links[links.carrier == "export"]
    eta = float((ex.p_nom * ex.efficiency).sum() / ex.p_nom.sum()) if ex.p_nom.sum() > 0 else 1.0
    m[PROVINCE] -= export_obligation(n).to_numpy() / eta
    return m


def capacity_by_region(n: pypsa.Network) -> pd.DataFrame:
    """Installed capacity by region and :data:`SUPPLY` carrier [MW] (fuel cells on their output)."""
    g, links, su = n.c.generators.static, n.c.links.static, n.c.storage_units.static
    fc = links[links.carrier == "fuel_cell"]
    parts = [
        g[g.carrier.isin(SUPPLY)].groupby(["bus", "carrier"]).p_nom.sum(),
        links[links.carrier.isin(("hydro", "coal"))].groupby(["bus1", "carrier"]).p_nom.sum(),
        (fc.p_nom * fc.efficiency).groupby(fc.bus1).sum().rename(lambda b: (b, "fuel_cell")),
        su.groupby(["bus", "carrier"]).p_nom.sum(),
    ]
    cap = pd.concat(parts).groupby(level=[0, 1]).sum().unstack(fill_value=0.0)
    cap = cap.reindex(index=list(PREFECTURES), columns=list(SUPPLY), fill_value=0.0)
    cap.loc[PROVINCE] = cap.sum()
    return cap
