"""Corridors, exports, demand response and load shedding.

- Corridors: a transport model of two one-way links per corridor with the register's efficiency.
- Exports: the obligation is a load on the Guangdong bus fed through the export links; an
  ``export_cut`` generator there supplies undelivered energy at a penalty above DR's cost and
  below VOLL, so exports are cut after DR and before domestic load.
- Demand response: per prefecture, a generator of (DR share x the year's simulated peak x the
  prefecture's load share) at its cost, capped in hours per year (``e_sum_max``) and per event
  (``n.meta['gzgrid']['dr_event_hours']``, applied by :mod:`model.dispatch.constraints`).
- Load shedding at every prefecture at VOLL.
"""

from __future__ import annotations

import pandas as pd
import pypsa

from model.network.calendar import snapshots
from model.register import EXPORT_BUS, Register


def add_demand_response(
    n: pypsa.Network, p_nom: pd.Series, cost: float, hours_per_year: float, hours_per_event: float
) -> None:
    """DR per prefecture [MW] at ``cost`` [CNY/MWh], capped in hours per year and per event."""
    names = [f"dr_{b}" for b in p_nom.index]
    n.add(
        "Generator",
        names,
        bus=p_nom.index,
        carrier="dr",
        p_nom=p_nom.values,
        marginal_cost=cost,
        e_sum_max=(p_nom * hours_per_year).values,
    )
    meta = n.meta.setdefault("gzgrid", {})
    meta["dr_event_hours"] = {name: float(hours_per_event) for name in names}


def add_corridors(n: pypsa.Network, corridors: pd.DataFrame, year: int) -> None:
    """Inter-prefecture corridors (two one-way links each) and the export links [MW]."""
    ac = corridors[corridors.kind == "ac"]
    for suffix, start, end in ((" fwd", ac.bus0, ac.bus1), (" rev", ac.bus1, ac.bus0)):
        n.add("Link", ac.id + suffix, bus0=start.values, bus1=end.values, p_nom=ac[f"p_nom_{year}_mw"].values,
              efficiency=ac.efficiency.values, carrier="transmission")  # fmt: skip
    ex = corridors[corridors.kind == "export"]
    n.add(
        "Link",
        ex.id,
        bus0=ex.bus0.values,
        bus1=ex.bus1.values,
        p_nom=ex[f"p_nom_{year}_mw"].values,
        efficiency=ex.efficiency.values,
        carrier="export",
    )


def export_obligation(register: Register, year: int, sns: pd.DatetimeIndex) -> pd.Series:
    """Hourly delivery owed to Guangdong [MW]: annual energy shaped by month and hour."""
    shape = register.export_shape
    month = shape[shape.kind == "month"].set_index("index").factor
    hour = shape[shape.kind == "hour"].set_index("index").factor
    full = snapshots(year)
    raw = month.reindex(full.month).to_numpy() * hour.reindex(full.hour).to_numpy()
    mw = raw / raw.mean() * register.year_row("exports", year).annual_twh * 1e6 / len(full)
    return pd.Series(mw, index=full).reindex(sns)


def add_exports(n: pypsa.Network, obligation: pd.Series, penalty: float) -> None:
    """The export obligation as a load at Guangdong, with cutting allowed at ``penalty``."""
    n.add("Load", "export obligation", bus=EXPORT_BUS, carrier="export", p_set=obligation)
    n.add(
        "Generator",
        "export cut",
        bus=EXPORT_BUS,
        carrier="export_cut",
        p_nom=float(obligation.max()),
        marginal_cost=penalty,
    )


def add_load_shedding(n: pypsa.Network, peak: pd.Series, voll: float) -> None:
    """Load shedding at every prefecture at the value of lost load [CNY/MWh]."""
    n.add(
        "Generator",
        [f"shed_{b}" for b in peak.index],
        bus=peak.index,
        carrier="load_shedding",
        p_nom=peak.values,
        marginal_cost=voll,
    )


