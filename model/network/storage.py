"""Pumped hydro, batteries and hydrogen.

Pumped hydro and batteries are storage units with power, hours and round-trip efficiency.
Hydrogen is one provincial H2 bus (trucked along the corridor): electrolysers, stores, fuel
cells, a constant H2 demand, and an H2 shortfall at a penalty above VOLL.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pypsa

from model.errors import InputError
from model.register import Register
from model.scenario import Scenario

H2_BUS = "h2"
#: Penalties above the value of lost load, as a multiple of it.
H2_SHORTFALL_VOLL = 1.5


def add_storage(
    n: pypsa.Network, storage: pd.DataFrame, assets: pd.DataFrame, hours: Mapping[str, float] | None = None
) -> None:
    """Pumped hydro and batteries [MW, h], losses split evenly between charge and discharge.

    ``hours`` (carrier -> h) replaces the register's ``max_hours`` of every asset of a carrier.
    """
    st = storage.set_index("id").copy()
    for carrier, h in (hours or {}).items():
        st.loc[st.carrier == carrier, "max_hours"] = float(h)
    eta = np.sqrt(st.efficiency_round_trip)
    n.add(
        "StorageUnit",
        st.index,
        bus=st.bus,
        carrier=st.carrier,
        p_nom=assets.loc[st.index, "p_nom_mw"],
        max_hours=st.max_hours,
        efficiency_store=eta,
        efficiency_dispatch=eta,
        cyclic_state_of_charge=True,
        marginal_cost=0.5,
    )


def h2_store_mwh(register: Register, scenario: Scenario) -> pd.Series:
    """Energy of each hydrogen store [MWh_H2]: the register's, scaled to ``h2_store_gwh`` if set."""
    h2 = register.hydrogen.set_index("id")
    cap = h2.loc[h2.kind == "h2_store", f"capacity_{register.asset_year(scenario.year)}"].astype(float)
    if scenario.h2_store_gwh is None:
        return cap
    if cap.sum() <= 0:
        if scenario.h2_store_gwh > 0:
            raise InputError(
                f"scenario '{scenario.name}': h2_store_gwh = {scenario.h2_store_gwh} cannot be spread: the "
                f"register has no hydrogen store in {scenario.year} to scale"
            )
        return cap
    return cap * scenario.h2_store_gwh * 1e3 / cap.sum()


def add_hydrogen(
    n: pypsa.Network,
    table: pd.DataFrame,
    assets: pd.DataFrame,
    year: int,
    shortfall_cost: float,
    stores_mwh: pd.Series | None = None,
) -> None:
    """Electrolysers -> provincial H2 bus with stores -> fuel cells, and a constant H2 demand.

    ``stores_mwh`` replaces the register's store energies [MWh_H2] (see :func:`h2_store_mwh`).
    """
    h2 = table.set_index("id")
    cap = h2[f"capacity_{year}"].astype(float)
    cap.update(assets.p_nom_mw.reindex(cap.index).dropna())
    if stores_mwh is not None:
        cap.update(stores_mwh)
    n.add("Bus", H2_BUS, carrier="H2")
    ely = h2[h2.kind == "electrolyser"]
    n.add(
        "Link",
        ely.index,
        bus0=ely.bus,
        bus1=H2_BUS,
        carrier="electrolyser",
        p_nom=cap[ely.index],
        efficiency=ely.efficiency,
    )
    fc = h2[h2.kind == "fuel_cell"]
    # a link's p_nom is on its input: MW_el / efficiency of H2
    n.add(
        "Link",
        fc.index,
        bus0=H2_BUS,
        bus1=fc.bus,
        carrier="fuel_cell",
        p_nom=cap[fc.index] / fc.efficiency,
        efficiency=fc.efficiency,
    )
    store = h2[h2.kind == "h2_store"]
    n.add("Store", store.index, bus=H2_BUS, carrier="H2", e_nom=cap[store.index], e_cyclic=True)
    demand = h2[h2.kind == "h2_demand"]
    n.add("Load", demand.index, bus=H2_BUS, carrier="H2", p_set=cap[demand.index])
    n.add(
        "Generator",
        "h2 shortfall",
        bus=H2_BUS,
        carrier="h2_shortfall",
        p_nom=max(cap[demand.index].sum(), 1.0),
        marginal_cost=shortfall_cost,
    )


