"""Thermal plant in a solved network: output by asset, coal commitment, the fuel chain's stock.

A gzgrid network carries coal as links (:mod:`model.network.thermal`): *unit* links (carrier
``coal_unit``) burn a fuel region's coal and are committed by unit class; *row* links (carrier
``coal``) take the class's electricity to each prefecture. Gas and biomass, and the coal of a
plain PyPSA network (the tests' tiny networks), are generators. These readers accept both, so
the metrics never need to know which.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pypsa

#: Carriers of thermal electricity.
THERMAL = ("coal", "gas", "biomass")


def thermal_output(n: pypsa.Network, carriers: tuple[str, ...] = THERMAL) -> tuple[pd.DataFrame, pd.Series]:
    """Hourly electricity of every thermal asset [MW] and the prefecture bus of each.

    Returns
    -------
    (pandas.DataFrame, pandas.Series)
        Snapshot x asset output, and each asset's bus (generators of ``carriers``, then coal
        row links delivering at their ``bus1``).
    """
    g = n.c.generators.static
    gens = g.index[g.carrier.isin(carriers)]
    parts = [n.c.generators.dynamic.p.reindex(columns=gens, fill_value=0.0)]
    buses = [g.bus[gens]]
    links = n.c.links.static
    rows = links.index[links.carrier.isin(carriers)]
    if len(rows):
        parts.append(-n.c.links.dynamic.p1.reindex(columns=rows, fill_value=0.0))
        buses.append(links.bus1[rows])
    return pd.concat(parts, axis=1), pd.concat(buses)


def thermal_capacity(
    n: pypsa.Network, carriers: tuple[str, ...] = THERMAL
) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Installed capacity [MW], bus and hourly available capacity [MW] of every thermal asset."""
    g = n.c.generators.static
    gens = g.index[g.carrier.isin(carriers)]
    links = n.c.links.static
    rows = links.index[links.carrier.isin(carriers)]
    p_nom = pd.concat([g.p_nom[gens], links.p_nom[rows]])
    bus = pd.concat([g.bus[gens], links.bus1[rows]])
    pu = pd.concat([n.get_switchable_as_dense("Generator", "p_max_pu")[gens],
                    n.get_switchable_as_dense("Link", "p_max_pu")[rows]], axis=1)  # fmt: skip
    return p_nom, bus, pu * p_nom


@dataclass(frozen=True)
class Commitment:
    """Committed coal, by committable block (a unit class, or a committable generator) [MW].

    Attributes
    ----------
    status : pandas.DataFrame
        Committed share of each block's available units, snapshot x block [-].
    started : pandas.DataFrame
        Capacity started up in each hour [MW].
    available, minimum, output : pandas.DataFrame
        Available electric capacity, minimum electric output when fully committed, and
        electric output of each block [MW].
    """

    status: pd.DataFrame
    started: pd.DataFrame
    available: pd.DataFrame
    minimum: pd.DataFrame
    output: pd.DataFrame


def coal_commitment(n: pypsa.Network) -> Commitment:
    """The committable coal blocks of ``n``: unit links (electric terms) and committable coal generators."""
    frames: dict[str, list[pd.DataFrame]] = {k: [] for k in Commitment.__dataclass_fields__}
    g, gd = n.c.generators.static, n.c.generators.dynamic
    gens = g.index[(g.carrier == "coal") & g.committable.astype(bool)]
    if len(gens):
        frames["status"].append(gd.status.reindex(columns=gens, fill_value=0.0))
        frames["started"].append(gd.start_up.reindex(columns=gens, fill_value=0.0) * g.p_nom[gens])
        frames["available"].append(n.get_switchable_as_dense("Generator", "p_max_pu")[gens] * g.p_nom[gens])
        frames["minimum"].append(n.get_switchable_as_dense("Generator", "p_min_pu")[gens] * g.p_nom[gens])
        frames["output"].append(gd.p.reindex(columns=gens, fill_value=0.0))
    links, ld = n.c.links.static, n.c.links.dynamic
    units = links.index[(links.carrier == "coal_unit") & links.committable.astype(bool)]
    if len(units):
        electric = links.p_nom[units] * links.efficiency[units]
        frames["status"].append(ld.status.reindex(columns=units, fill_value=0.0))
        frames["started"].append(ld.start_up.reindex(columns=units, fill_value=0.0) * electric)
        frames["available"].append(n.get_switchable_as_dense("Link", "p_max_pu")[units] * electric)
        frames["minimum"].append(n.get_switchable_as_dense("Link", "p_min_pu")[units] * electric)
        frames["output"].append(ld.p0.reindex(columns=units, fill_value=0.0) * links.efficiency[units])
    empty = pd.DataFrame(index=n.snapshots)
    return Commitment(**{k: pd.concat(v, axis=1) if v else empty for k, v in frames.items()})


def coal_fuel_burnt(n: pypsa.Network) -> pd.DataFrame:
    """Coal burnt by each coal unit link, snapshot x link [MWh_th per hour] (empty without links)."""
    links = n.c.links.static
    units = links.index[links.carrier == "coal_unit"]
    return n.c.links.dynamic.p0.reindex(columns=units, fill_value=0.0)


def coal_stock(n: pypsa.Network) -> pd.DataFrame:
    """Each fuel region's coal stock, snapshot x store [MWh_th] (empty without the fuel chain)."""
    st = n.c.stores.static
    ids = st.index[st.carrier == "coal_stock"]
    return n.c.stores.dynamic.e.reindex(columns=ids, fill_value=0.0)


def fuel_cost(n: pypsa.Network) -> float:
    """The cheapest thermal fuel cost per MWh of electricity [CNY/MWh] (inf without thermal plant)."""
    g = n.c.generators.static
    costs = list(g.marginal_cost[g.carrier.isin(THERMAL)])
    links = n.c.links.static
    units = links.index[links.carrier == "coal_unit"]
    costs += list(links.marginal_cost[units] / links.efficiency[units])
    return float(np.min(costs)) if costs else np.inf


def emission_rates(n: pypsa.Network, assets: pd.Index) -> pd.Series:
    """CO2 per MWh of electricity of each thermal asset [t/MWh_el].

    A carrier's ``co2_emissions`` is per MWh of fuel; a generator divides it by its efficiency,
    a coal row link by the efficiency of the unit link feeding its hub.
    """
    co2 = n.c.carriers.static.co2_emissions
    g, links = n.c.generators.static, n.c.links.static
    out = pd.Series(0.0, index=assets)
    gens = assets.intersection(g.index)
    out[gens] = co2.reindex(g.carrier[gens]).fillna(0.0).to_numpy() / g.efficiency[gens].to_numpy()
    rows = assets.intersection(links.index)
    if len(rows):
        units = links[links.carrier == "coal_unit"]
        eta = pd.Series(units.efficiency.to_numpy(), index=units.bus1.to_numpy())
        out[rows] = co2.get("coal", 0.0) / eta.reindex(links.bus0[rows]).to_numpy()
    return out
