"""Scenario + register + profiles -> one hourly :class:`pypsa.Network` (nothing solved).

Every asset class of DESIGN.md is added by its own small function, so tests can put single
pieces on tiny networks; the modules say how each is modelled (and ``data/network/README.md``):
:mod:`.thermal` (coal, gas, biomass), :mod:`.renewables`, :mod:`.hydro` (reservoirs, cascades,
run-of-river), :mod:`.storage` (pumped hydro, batteries, hydrogen) and :mod:`.grid` (corridors,
exports, demand response, load shedding).
"""

from __future__ import annotations

import pandas as pd
import pypsa
import xarray as xr

from model.capacity import asset_capacities, dr_share
from model.dispatch.constraints import GUIDE_BAND_KEY, META_KEY
from model.network.calendar import snapshots
from model.network.grid import (
    add_corridors,
    add_demand_response,
    add_exports,
    add_load_shedding,
    export_obligation,
)
from model.network.hydro import SPILL_COST, add_hydro, ecological_floor, hydro_table
from model.network.renewables import add_renewables
from model.network.storage import H2_BUS, H2_SHORTFALL_VOLL, add_hydrogen, add_storage, h2_store_mwh
from model.network.thermal import add_thermal
from model.observed import run_rules
from model.register import EXPORT_BUS, PREFECTURES, Register
from model.reservoirs import GUIDE_PENALTY_CNY_PER_MWH_DAY, OBSERVED_PATH_PENALTY_CNY_PER_MWH_DAY
from model.scenario import Scenario
from model.thermal.fuel import fuel_regions

__all__ = [
    "H2_BUS",
    "SPILL_COST",
    "add_corridors",
    "add_demand_response",
    "add_exports",
    "add_hydro",
    "add_load_shedding",
    "add_storage",
    "build_network",
    "check_inputs",
    "ecological_floor",
    "export_obligation",
    "h2_store_mwh",
    "snapshots",
]




def check_inputs(scenario: Scenario, register: Register) -> None:
    """Raise the :class:`~model.errors.InputError` that building the scenario's network would.

    The checks that need the scenario and the register together (its fuel chain's stock against
    the year's supply rows), without the profiles: ``gzgrid validate`` finds what ``gzgrid run``
    would refuse.
    """
    if scenario.coal.fuel_chain:
        p_nom = asset_capacities(register, scenario).p_nom_mw
        fuel_regions(register, scenario.coal, scenario.year, p_nom, snapshots(scenario.year, 24))


def build_network(scenario: Scenario, register: Register, profiles: xr.Dataset) -> pypsa.Network:
    """Assemble the hourly network of a scenario.

    Parameters
    ----------
    scenario : Scenario
        What to run (year, overrides, dispatch options).
    register : Register
        The asset register.
    profiles : xarray.Dataset
        One weather year from :func:`model.weather.generate_profiles` (a ``year`` dimension of
        length one is squeezed): ``pv``, ``wind``, ``ror`` [p.u.] and ``load`` [MW] by region,
        ``inflow`` [MW] by station.

    Returns
    -------
    pypsa.Network
        Unsolved; ``n.meta['gzgrid']`` holds the DR event caps and the scenario name.
    """
    if "year" in profiles.dims:
        profiles = profiles.isel(year=0)
    sns = snapshots(scenario.year, scenario.dispatch.horizon_hours)
    hours = len(sns)
    n = pypsa.Network()
    n.set_snapshots(sns)
    assets = asset_capacities(register, scenario)
    voll = scenario.dispatch.voll_cny_per_mwh

    def region(var: str) -> pd.DataFrame:
        return profiles[var].transpose("snapshot", "region").to_pandas().iloc[:hours].set_axis(sns)

    load = region("load")[list(PREFECTURES)]
    add_carriers(n, register)
    n.add("Bus", list(PREFECTURES), carrier="AC", x=_coord(register, "lon"), y=_coord(register, "lat"))
    n.add("Bus", EXPORT_BUS, carrier="AC")
    n.add(
        "Load",
        [f"load_{b}" for b in PREFECTURES],
        bus=list(PREFECTURES),
        p_set=load.set_axis([f"load_{b}" for b in PREFECTURES], axis=1),
        carrier="load",
    )
    add_thermal(n, register, assets, scenario)
    add_renewables(n, register.renewables, assets, region("pv"), region("wind"))
    inflow = profiles["inflow"].transpose("snapshot", "station").to_pandas().iloc[:hours].set_axis(sns)
    expected = profiles["inflow_expected"].transpose("month", "station").to_pandas()
    rules = run_rules(register, scenario)
    start, observed = scenario.reservoir_start, scenario.reservoir_guide == "observed"
    penalty = OBSERVED_PATH_PENALTY_CNY_PER_MWH_DAY if observed else GUIDE_PENALTY_CNY_PER_MWH_DAY
    add_hydro(n, hydro_table(register, assets), inflow, region("ror"), rules, expected, start, penalty)
    band = n.meta.get(META_KEY, {}).get(GUIDE_BAND_KEY)
    if band is not None:  # the register's guide, what a normal year asks (shortfall causes)
        normal = register.reservoir_rules
        band["normal"] = {"dates": normal.date.astype(str).tolist(),
                          "lower_guide": normal.lower_guide.astype(float).tolist()}  # fmt: skip
    add_storage(n, register.storage, assets, scenario.storage_hours)
    h2_stores = h2_store_mwh(register, scenario)
    asset_year = register.asset_year(scenario.year)
    add_hydrogen(n, register.hydrogen, assets, asset_year, voll * H2_SHORTFALL_VOLL, h2_stores)
    peak = float(load.sum(axis=1).max())
    dr = register.year_row("demand_response", scenario.year)
    shares = register.demand_shares.set_index("bus").share
    add_demand_response(
        n,
        dr_share(register, scenario) * peak * shares,
        dr.cost_cny_per_mwh,
        dr.max_hours_per_year * hours / 8760,
        dr.max_hours_per_event,
    )
    add_corridors(n, register.corridors, asset_year)
    add_exports(
        n, export_obligation(register, scenario.year, sns), scenario.dispatch.export_cut_penalty_cny_per_mwh
    )
    add_load_shedding(n, load.max(), voll)
    _fill_port_efficiencies(n)
    n.meta["gzgrid"] = {**n.meta.get("gzgrid", {}), "scenario": scenario.name, "voll": voll}
    return n


def _fill_port_efficiencies(n: pypsa.Network) -> None:
    """Links added before the hydro turbines (the first with a ``bus2``) lack ``efficiency2``.

    PyPSA leaves those rows NaN and warns on every model it builds; they have no ``bus2``, so the
    value is never used: give them PyPSA's default (1).
    """
    links = n.c.links.static
    for col in [c for c in links.columns if c.startswith("efficiency") and c != "efficiency"]:
        links[col] = links[col].fillna(1.0)


def _coord(register: Register, col: str) -> list[float]:
    return register.buses.set_index("id").loc[list(PREFECTURES), col].tolist()


def add_carriers(n: pypsa.Network, register: Register) -> None:
    """Carriers with colours and CO2 per MWh of fuel [t/MWh_th] (thermal: rate x efficiency)."""
    th = register.thermal
    co2_fuel = (th.co2_t_per_mwh * th.efficiency).groupby(th.carrier).mean()
    c = register.carriers.set_index("carrier")
    co2 = co2_fuel.reindex(c.index).fillna(0.0)
    n.add("Carrier", c.index, color=c.color, nice_name=c.nice_name, co2_emissions=co2)
    n.add(
        "Carrier",
        [
            "AC",
            "load",
            "inflow",
            "spill",
            "hydro_reservoir",
            "ecological_flow",
            "transmission",
            "export_cut",
            "h2_shortfall",
        ],
    )


