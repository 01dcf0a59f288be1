"""The weather generator's arguments for a scenario: its prefectures, stations and demand."""

from __future__ import annotations

from typing import Any

from model.capacity import asset_capacities
from model.register import PREFECTURES, Register
from model.scenario import Scenario


def generator_arguments(scenario: Scenario, register: Register) -> dict[str, Any]:
    """Keyword arguments of :func:`model.weather.generate_profiles` that the scenario fixes.

    Regions (lon, lat), stations (with the scenario's capacities), demand shares, annual demand
    [TWh], load factor [-] and calendar year; the caller adds hydrology, years and seed.
    """
    assets = asset_capacities(register, scenario)
    stations = register.hydro.set_index("id")[
        ["bus", "river", "kind", "downstream", "head_m", "mean_generation_gwh"]
    ].copy()
    stations["p_nom_mw"] = assets.loc[stations.index, "p_nom_mw"]
    demand = register.demand_row(scenario.year, scenario.demand_case)
    return {
        "regions": register.buses.set_index("id").loc[list(PREFECTURES), ["lon", "lat"]],
        "stations": stations,
        "demand_shares": register.demand_shares.set_index("bus").share,
        "annual_demand_twh": float(demand.annual_twh),
        "load_factor": float(demand.load_factor),
        "calendar_year": scenario.year,
    }
