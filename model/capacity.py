"""Installed capacity of a scenario: the register's year, with the scenario's overrides.

The coal share of capacity follows China's statistics of installed generating capacity
(装机容量): pumped hydro counts (it is reported with hydro), batteries and electrolysers do
not (new-type storage is reported apart). This is the denominator the plan's ~42 % coal-share
target refers to.
"""

from __future__ import annotations

import pandas as pd

from model.errors import InputError, clip, did_you_mean
from model.register import PREFECTURES, Register
from model.scenario import Scenario

#: Carriers counted in installed generating capacity (the coal share's denominator).
GENERATING = ("coal", "gas", "biomass", "hydro", "solar", "wind", "phs", "fuel_cell")
#: Order in which capacity tables are printed.
CARRIER_ORDER = (*GENERATING[:7], "battery", "electrolyser", "fuel_cell")
#: The plan's capacity target (``targets.csv`` id) of each carrier, the one definition used by
#: ``gzgrid validate``, ``analysis.targets`` and the tests. ``hydro`` is all conventional hydro,
#: run-of-river part included (the run's metrics split it into ``hydro`` and ``ror``).
PLAN_CAPACITY_TARGETS: dict[str, str] = {
    "hydro": "hydro_capacity",
    "solar": "pv_capacity",
    "wind": "wind_capacity",
    "phs": "pumped_hydro",
    "battery": "new_storage",
    "gas": "gas_capacity",
    "biomass": "biomass_capacity",
}
#: The plan's target for the coal share of installed capacity (``targets.csv`` id).
COAL_SHARE_TARGET = "coal_capacity_share"


def asset_capacities(register: Register, scenario: Scenario) -> pd.DataFrame:
    """Power capacity of every asset in the scenario's year, overrides applied.

    Parameters
    ----------
    register : Register
        The asset register.
    scenario : Scenario
        Gives the year, ``carrier_gw`` (carrier totals, assets scaled pro rata) and
        ``asset_mw`` (single assets, applied after the carrier totals). A history year
        (2019-2024) takes the 2025 assets scaled to its carrier totals (``history.csv``) first.

    Returns
    -------
    pandas.DataFrame
        Index ``id``; columns ``table``, ``bus``, ``carrier``, ``p_nom_mw`` [MW].
    """
    check_must_run(register, scenario)
    check_supply_prefectures(register, scenario)
    y = register.asset_year(scenario.year)
    th, hy, re, st, h2 = (
        register.thermal,
        register.hydro,
        register.renewables,
        register.storage,
        register.hydrogen,
    )
    power_h2 = h2[h2.kind.isin(("electrolyser", "fuel_cell"))]
    parts = [
        _frame(th, "thermal", th.carrier, th.unit_mw * th[f"units_{y}"]),
        _frame(hy, "hydro", "hydro", hy[f"p_nom_{y}_mw"]),
        _frame(re, "renewables", re.carrier, re[f"p_nom_{y}_mw"]),
        _frame(st, "storage", st.carrier, st[f"p_nom_{y}_mw"]),
        _frame(power_h2, "hydrogen", power_h2.kind, power_h2[f"capacity_{y}"]),
    ]
    assets = pd.concat(parts).set_index("id")
    history = register.history_gw(scenario.year)
    where = register.path / "history.csv"
    for carrier, gw in history.items():
        _scale_carrier(assets, carrier, gw, f"{where}: year {scenario.year}: {carrier}")
    for carrier, gw in scenario.carrier_gw.items():
        _scale_carrier(assets, carrier, gw, f"scenario '{scenario.name}': carrier_gw.{carrier}")
    for asset, mw in scenario.asset_mw.items():
        if asset not in assets.index:
            raise InputError(
                f"scenario '{scenario.name}': asset_mw.{clip(asset, 80)}: no asset with this id in the "
                "register"
                f"{did_you_mean(asset, assets.index)}"
            )
        if not mw >= 0:
            raise InputError(f"scenario '{scenario.name}': asset_mw.{asset} = {mw}; it must be a number >= 0")
        assets.loc[asset, "p_nom_mw"] = float(mw)
    return assets


def _scale_carrier(assets: pd.DataFrame, carrier: str, gw: float, what: str) -> None:
    """Scale every asset of ``carrier`` pro rata to a total of ``gw`` [GW], in place."""
    mask = assets.carrier == carrier
    total = assets.loc[mask, "p_nom_mw"].sum()
    if total <= 0:
        if gw > 0:
            raise InputError(
                f"{what} = {gw} GW cannot be spread: the register has no {carrier} asset to scale; "
                "set asset_mw for named assets"
            )
        return
    assets.loc[mask, "p_nom_mw"] *= gw * 1e3 / total


def check_must_run(register: Register, scenario: Scenario) -> None:
    """Every ``dispatch.must_run`` entry must be a ``thermal.csv`` id or a prefecture.

    Raises
    ------
    InputError
        Naming the first unknown entry, with the nearest valid one.
    """
    valid = [*register.thermal.id, *PREFECTURES]
    for entry in scenario.dispatch.must_run:
        if entry not in valid:
            raise InputError(
                f"scenario '{scenario.name}': dispatch.must_run: '{clip(entry, 80)}' is neither a "
                f"thermal.csv id nor a prefecture{did_you_mean(entry, valid)}; prefectures: "
                f"{', '.join(PREFECTURES)}"
            )


def check_supply_prefectures(register: Register, scenario: Scenario) -> None:
    """Every prefecture a ``coal.supply`` spell names must have coal plant.

    Raises
    ------
    InputError
        Naming the scenario, the spell and the first unknown prefecture, with the nearest valid one.
    """
    th = register.thermal
    valid = sorted(set(th.bus[th.carrier == "coal"]))
    for i, event in enumerate(scenario.coal.supply):
        for place in event.prefectures:
            if place not in valid:
                raise InputError(
                    f"scenario '{scenario.name}': coal.supply[{i}].prefectures: '{clip(place, 80)}' has no "
                    f"coal plant{did_you_mean(place, valid)}; valid: {', '.join(valid)}"
                )


def _frame(df: pd.DataFrame, table: str, carrier, p_nom: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {"id": df.id, "table": table, "bus": df.bus, "carrier": carrier, "p_nom_mw": p_nom.astype(float)}
    )


def capacity_by_carrier(assets: pd.DataFrame) -> pd.Series:
    """Installed capacity by carrier [GW], in :data:`CARRIER_ORDER`."""
    gw = assets.groupby("carrier").p_nom_mw.sum() / 1e3
    return gw.reindex(CARRIER_ORDER, fill_value=0.0)


def coal_share(by_carrier_gw: pd.Series) -> float:
    """Coal share of installed generating capacity [-] (see module docstring)."""
    total = by_carrier_gw.reindex(GENERATING, fill_value=0.0).sum()
    return float(by_carrier_gw.get("coal", 0.0) / total) if total > 0 else 0.0


def peak_estimate_mw(register: Register, scenario: Scenario) -> float:
    """Annual peak load implied by the demand case's energy and load factor [MW]."""
    row = register.demand_row(scenario.year, scenario.demand_case)
    return float(row.annual_twh * 1e6 / 8760 / row.load_factor)


def dr_share(register: Register, scenario: Scenario) -> float:
    """Demand-response capacity as a share of peak load [-]: the scenario's, else the register's."""
    if scenario.dr_share is not None:
        return scenario.dr_share
    return float(register.year_row("demand_response", scenario.year).share_of_peak)
