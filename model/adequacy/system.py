"""Scenario + register (+ weather samples) -> the plain arrays the adequacy engine runs on.

:func:`build_system` turns what does not change between samples into an
:class:`AdequacySystem`; :func:`sample_weather` runs the weather kernels for a batch of sample
years and turns them into per-sample hourly arrays per bus (:class:`SampleInputs`), as
:func:`sample_inputs` does from a dataset of :func:`model.weather.generate_profiles`.
The capacities are those of :func:`model.capacity.asset_capacities` and the formulas those of
:mod:`model.network`, so that the engine and the dispatch LP see the same system.

Conventions (adequacy, not dispatch):

- Thermal units have no minimum load, ramp limit or cost: an available unit can give its full
  power in any hour. A register row of ``units`` units of ``unit_mw`` whose capacity a
  ``carrier_gw``/``asset_mw`` override has scaled to ``p_nom`` becomes ``max(1, round(p_nom /
  unit_mw))`` units of equal size ``p_nom / units``: the unit size stays near the register's and
  the installed capacity is exactly the scenario's.
- Corridors are lossless transport links (1 % losses in the register are below the engine's
  resolution); export links deliver their capacity-weighted mean efficiency.
- Hydrogen (fuel cells, electrolysers, H2 demand) is left out: 0.1 GW of fuel cells in 2030.
- Planned maintenance (``coal.maintenance``) derates each register row by its share in
  maintenance (:func:`model.thermal.availability.maintenance_share`), the same in every sample.
- Coal is capped at what its fuel chain sustains through a winter, in every sample; a
  fuel-stress year (a fuel-crisis winter plus the coal supply spells, ``coal.supply``) strikes a
  sample year with the probability of its hydrology (:mod:`model.adequacy.fuel_stress`); the
  draw is per sample (:func:`model.adequacy.draws.draw_coal_stress`). ``coal.supply_stress``,
  the dispatch's switch for one year, is not used when sampling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr
from numba import njit, prange

from model.adequacy.fuel_stress import stress_derates
from model.adequacy.memory import BatchMemory
from model.adequacy.reservoirs import own_rules, plant_water, routes, virtual_reservoir_mwh, virtual_rules
from model.capacity import asset_capacities, dr_share
from model.network import export_obligation, snapshots
from model.network.hydro import hydro_table
from model.register import PREFECTURES, Register
from model.scenario import Scenario
from model.thermal.availability import maintenance_share
from model.thermal.outages import transition_probabilities
from model.thermal.units import thermal_units

if TYPE_CHECKING:
    from model.weather.inputs import SharedInputs


@dataclass(frozen=True)
class AdequacySystem:
    """What the engine needs that is the same in every sample year (plain arrays).

    Buses are :data:`model.register.PREFECTURES` in order (index ``b``); the export node is
    index ``len(buses)``. Powers in MW, energies in MWh, probabilities per hour.
    """

    buses: tuple[str, ...]
    hours: int
    month: np.ndarray  # (T,) month 0..11 of each hour
    solar_mw: np.ndarray  # (B,)
    wind_mw: np.ndarray  # (B,)
    ror_mw: np.ndarray  # (B,)
    unit_row: np.ndarray  # (U,) register row of each thermal unit
    unit_bus: np.ndarray  # (U,)
    unit_mw: np.ndarray  # (U,)
    unit_fail: np.ndarray  # (U,) [1/h]
    unit_repair: np.ndarray  # (U,) [1/h]
    thermal_rows: tuple[str, ...]  # register ids of the rows
    row_bus: np.ndarray  # (R,) bus of each register row
    row_derate: np.ndarray  # (R, T) float32 share of each row not in maintenance and with fuel [-]
    row_supply: np.ndarray  # (R, T) float32 share of that left in a fuel-stress year [-]
    row_mw: np.ndarray  # (R,) installed capacity of each row [MW]
    row_maintenance: np.ndarray  # (R, T) float32 share of each row not in planned maintenance [-]
    hydro_bus: np.ndarray  # (H,) bus of each hydro plant (register station)
    turbine_mw: np.ndarray  # (H,) reservoir turbines (without the run-of-river part)
    reservoir_mwh: np.ndarray  # (H,) virtual reservoirs
    guide_mwh: np.ndarray  # (H, T) guide: lower guide of the seasonal reservoirs, pond guide of the rest
    ceiling_mwh: np.ndarray  # (H, T) flood-season ceiling (full size for ponds): spilled above
    level0_mwh: np.ndarray  # (H,) reservoir level at the first hour
    stations: pd.DataFrame  # hydro table (index id) with p_nom_mw, bus_pos, virtual_mwh, seasonal
    storage_bus: np.ndarray  # (V,)
    storage_mw: np.ndarray  # (V,)
    storage_mwh: np.ndarray  # (V,)
    storage_eta: np.ndarray  # (V,) one-way efficiency (square root of round trip)
    storage_ids: tuple[str, ...]
    dr_share: float  # DR capacity as a share of the sample's peak load [-]
    demand_share: np.ndarray  # (B,)
    dr_hours_per_year: float  # [h]
    dr_event_hours: int  # [h]
    corridor_mw: np.ndarray  # (B+1, B+1) transfer limit i -> j; column B: export links
    export_bus: np.ndarray  # (K,)
    export_mw: np.ndarray  # (K,)
    export_efficiency: float  # [-]
    export_fail: np.ndarray  # (K,) [1/h]
    export_repair: np.ndarray  # (K,) [1/h]
    obligation_mw: np.ndarray  # (T,) delivery owed at Guangdong


@dataclass(frozen=True)
class SampleInputs:
    """Hourly inputs of a batch of sample years, shape (S, B, T) float32 unless stated."""

    load: np.ndarray  # [MW]
    free: np.ndarray  # solar + wind + run-of-river available [MW]
    inflow: np.ndarray  # (S, H, T) storable natural inflow into the virtual reservoirs [MW]
    floor: np.ndarray  # (S, H, T) ecological minimum release [MW]
    dr_mw: np.ndarray  # (S, B) DR capacity [MW]
    dr_mwh: np.ndarray  # (S, B) DR energy over the horizon [MWh]
    demand_mwh: np.ndarray  # (S,) domestic demand [MWh]


def build_system(scenario: Scenario, register: Register, hours: int | None = None) -> AdequacySystem:
    """The sample-independent arrays of a scenario.

    Parameters
    ----------
    scenario : Scenario
        Capacities (with overrides), year, storage hours, DR share, export outage settings.
    register : Register
        The asset register.
    hours : int, optional
        Horizon from 1 January [h] (default: ``scenario.dispatch.horizon_hours`` or 8,760).
    """
    hours = int(hours or scenario.dispatch.horizon_hours or 8760)
    y = scenario.year
    sns = snapshots(y, hours)
    bus_pos = {b: i for i, b in enumerate(PREFECTURES)}
    n_bus = len(PREFECTURES)
    assets = asset_capacities(register, scenario)

    def by_bus(ids: pd.Index, buses: pd.Series, mw: pd.Series | np.ndarray) -> np.ndarray:
        out = np.zeros(n_bus)
        np.add.at(out, [bus_pos[b] for b in buses], np.asarray(mw, dtype=float))
        return out

    re = register.renewables.set_index("id")
    re_mw = assets.loc[re.index, "p_nom_mw"]
    solar, wind = (re.carrier == "solar"), (re.carrier == "wind")

    hy = hydro_table(register, assets)  # usable energies as the dispatch sizes them
    hy["bus_pos"] = [bus_pos[b] for b in hy.bus]
    hy["virtual_mwh"] = virtual_reservoir_mwh(hy)
    own = own_rules(hy, register.reservoir_rules, sns, scenario.reservoir_start)
    hy["seasonal"] = own.seasonal
    rules = virtual_rules(hy, own)

    units = thermal_units(register, assets)
    fail, repair = transition_probabilities(
        units["for"].to_numpy(), units.mttr_h.to_numpy(), list(units.name)
    )

    maintenance = maintenance_derate(register, scenario, sns)
    derate, supply = stress_derates(register, scenario, assets, sns, maintenance)

    st = register.storage.set_index("id").copy()
    for carrier, h in scenario.storage_hours.items():
        st.loc[st.carrier == carrier, "max_hours"] = float(h)
    st_mw = assets.loc[st.index, "p_nom_mw"].to_numpy(float)

    corr = np.zeros((n_bus + 1, n_bus + 1))
    ac = register.corridors[register.corridors.kind == "ac"]
    for a, b, mw in zip(ac.bus0, ac.bus1, ac[f"p_nom_{register.asset_year(y)}_mw"], strict=True):
        corr[bus_pos[a], bus_pos[b]] += mw
        corr[bus_pos[b], bus_pos[a]] += mw
    ex = register.corridors[register.corridors.kind == "export"]
    ex_mw = ex[f"p_nom_{register.asset_year(y)}_mw"].to_numpy(float)
    ex_bus = np.array([bus_pos[b] for b in ex.bus0], dtype=np.int64)
    np.add.at(corr[:, n_bus], ex_bus, ex_mw)
    std = scenario.adequacy
    if std.export_outage_rate > 0:
        ex_fail, ex_repair = transition_probabilities(
            np.full(len(ex), std.export_outage_rate), np.full(len(ex), std.export_mttr_h), list(ex.id)
        )
    else:
        ex_fail, ex_repair = np.zeros(len(ex)), np.ones(len(ex))

    dr = register.year_row("demand_response", y)
    shares = register.demand_shares.set_index("bus").share.reindex(list(PREFECTURES)).to_numpy(float)
    return AdequacySystem(
        buses=tuple(PREFECTURES),
        hours=hours,
        month=(sns.month.to_numpy() - 1).astype(np.int64),
        solar_mw=by_bus(re.index[solar], re.bus[solar], re_mw[solar]),
        wind_mw=by_bus(re.index[wind], re.bus[wind], re_mw[wind]),
        ror_mw=by_bus(hy.index, hy.bus, hy.p_nom_mw * hy.ror_share),
        unit_row=units.row.to_numpy(np.int64),
        unit_bus=np.array([bus_pos[b] for b in units.bus], dtype=np.int64),
        unit_mw=units.mw.to_numpy(float),
        unit_fail=fail,
        unit_repair=repair,
        thermal_rows=tuple(register.thermal.id),
        row_bus=np.array([bus_pos[b] for b in register.thermal.bus], dtype=np.int64),
        row_derate=derate,
        row_supply=supply,
        row_mw=assets.loc[list(register.thermal.id), "p_nom_mw"].to_numpy(float),
        row_maintenance=maintenance,
        hydro_bus=hy.bus_pos.to_numpy(np.int64),
        turbine_mw=(hy.p_nom_mw * (1 - hy.ror_share)).to_numpy(float),
        reservoir_mwh=hy.virtual_mwh.to_numpy(float),
        guide_mwh=rules.guide_mwh,
        ceiling_mwh=rules.ceiling_mwh,
        level0_mwh=rules.start_mwh,
        stations=hy,
        storage_bus=np.array([bus_pos[b] for b in st.bus], dtype=np.int64),
        storage_mw=st_mw,
        storage_mwh=st_mw * st.max_hours.to_numpy(float),
        storage_eta=np.sqrt(st.efficiency_round_trip.to_numpy(float)),
        storage_ids=tuple(st.index),
        dr_share=float(dr_share(register, scenario)),
        demand_share=shares,
        dr_hours_per_year=float(dr.max_hours_per_year),
        dr_event_hours=int(dr.max_hours_per_event),
        corridor_mw=corr,
        export_bus=ex_bus,
        export_mw=ex_mw,
        export_efficiency=float((ex.efficiency * ex_mw).sum() / max(ex_mw.sum(), 1e-9)),
        export_fail=ex_fail,
        export_repair=ex_repair,
        obligation_mw=export_obligation(register, y, sns).to_numpy(float),
    )


def maintenance_derate(register: Register, scenario: Scenario, sns: pd.DatetimeIndex) -> np.ndarray:
    """Share of each thermal row not in planned maintenance per hour, (R, T) float32 [-].

    All ones when ``coal.maintenance`` is off; the rows are in register order.
    """
    shape = (len(register.thermal), len(sns))
    if not scenario.coal.maintenance:
        return np.ones(shape, dtype=np.float32)
    share = maintenance_share(register, sns)[list(register.thermal.id)].to_numpy().T
    return np.clip(1.0 - share, 0.0, 1.0).astype(np.float32)


@njit(cache=True, parallel=True)
def renewable_supply(pv, wind, ror, solar_mw, wind_mw, ror_mw, out):
    """Solar + wind + run-of-river available per bus and hour [MW] into ``out`` (S, B, T), float32.

    ``pv``, ``wind``, ``ror`` (S, B, T) are availabilities [p.u.], clipped to [0, 1] as the
    dispatch network does; the capacities (B,) are in MW.
    """
    n_s, n_b, n_t = pv.shape
    for s in prange(n_s):
        for b in range(n_b):
            for t in range(n_t):
                out[s, b, t] = (
                    min(max(pv[s, b, t], 0.0), 1.0) * solar_mw[b]
                    + min(max(wind[s, b, t], 0.0), 1.0) * wind_mw[b]
                    + min(max(ror[s, b, t], 0.0), 1.0) * ror_mw[b]
                )


def sample_inputs(system: AdequacySystem, profiles: xr.Dataset) -> SampleInputs:
    """Hourly per-bus inputs of the weather years in ``profiles`` (dims ``year``, ...).

    The dataset of :func:`model.weather.generate_profiles`, in any order of its regions and
    stations; :func:`bus_inputs` on its arrays.
    """

    def values(var: str, dim: str, labels: list[str]) -> np.ndarray:
        da = profiles[var].transpose("year", dim, "snapshot")
        if list(da[dim].values) != labels:  # selecting copies 30 MB per 100 years: only if needed
            da = da.sel({dim: labels})
        return np.asarray(da.values, dtype=np.float32)

    buses, stations = list(system.buses), list(system.stations.index)
    return bus_inputs(
        system, *(values(v, "region", buses) for v in ("load", "pv", "wind", "ror")),
        values("inflow", "station", stations),
    )  # fmt: skip


def bus_inputs(
    system: AdequacySystem, load: np.ndarray, pv: np.ndarray, wind: np.ndarray, ror: np.ndarray,
    local_inflow: np.ndarray, memory: BatchMemory | None = None,
) -> SampleInputs:  # fmt: skip
    """Hourly per-bus inputs of weather years given as arrays over the whole year.

    Parameters
    ----------
    system : AdequacySystem
        The system (its buses and hydro stations give the order of the arrays).
    load : numpy.ndarray of float32, shape (S, B, 8760)
        Load per bus [MW].
    pv, wind, ror : numpy.ndarray of float32, shape (S, B, 8760)
        Availability per bus [p.u.].
    local_inflow : numpy.ndarray of float32, shape (S, H, 8760)
        Local inflow of each station [MW].
    memory : BatchMemory, optional
        Where the per-bus arrays are written (default: new arrays).

    Availability is clipped to [0, 1] and the DR capacity is the DR share of the sample's own
    peak (over the horizon) split by demand share, as :func:`model.network.build_network` does.
    """
    t, (n_s, n_b, _), n_h = system.hours, load.shape, len(system.stations)
    memory = memory or BatchMemory()
    load = load[:, :, :t]
    free = memory.empty("free", (n_s, n_b, t))
    renewable_supply(
        pv[:, :, :t], wind[:, :, :t], ror[:, :, :t], system.solar_mw, system.wind_mw, system.ror_mw, free
    )
    hy = system.stations
    inflow, floor = memory.empty("plant_inflow", (n_s, n_h, t)), memory.empty("plant_floor", (n_s, n_h, t))
    plant_water(
        local_inflow[:, :, :t], *routes(hy), 1 - hy.ror_share.to_numpy(float), hy.eco_min_pu.to_numpy(float),
        inflow, floor,
    )  # fmt: skip
    total = load.sum(axis=1, dtype=np.float64)
    peak = total.max(axis=1)
    dr_mw = system.dr_share * peak[:, None] * system.demand_share[None, :]
    return SampleInputs(
        load=load,
        free=free,
        inflow=inflow,
        floor=floor,
        dr_mw=dr_mw,
        dr_mwh=dr_mw * system.dr_hours_per_year * t / 8760,
        demand_mwh=total.sum(axis=1),
    )


def scenario_weather(scenario: Scenario, register: Register) -> SharedInputs:
    """The weather generator's inputs that every sample year of ``scenario`` shares.

    Built once per run (calendar, solar geometry, climatologies, correlations, demand shape),
    then :func:`sample_weather` per batch.
    """
    from model.profiles import generator_arguments
    from model.weather.inputs import shared_inputs

    return shared_inputs(**generator_arguments(scenario, register))


def sample_weather(
    system: AdequacySystem, weather: SharedInputs, seed: int, first_year: int, classes: list[str],
    memory: BatchMemory | None = None,
) -> SampleInputs:  # fmt: skip
    """Per-bus inputs of consecutive weather years, straight from the kernels (no dataset).

    The same numbers as :func:`sample_inputs` on :func:`model.weather.generate_profiles` with
    ``hydrology=classes``, ``n_years=len(classes)``, ``first_year`` and ``seed``.

    Parameters
    ----------
    system : AdequacySystem
        The system.
    weather : SharedInputs
        :func:`scenario_weather`.
    seed : int
        Seed of the weather generator.
    first_year : int
        Weather-year index of the first sample.
    classes : list of str
        Hydrology label of each sample year.
    memory : BatchMemory, optional
        Where the weather and per-bus arrays are written (default: new arrays).
    """
    from model.weather.inputs import hydrology_inputs, hydrology_per_year
    from model.weather.random import year_key
    from model.weather.years import weather_arrays

    n = len(classes)
    hydrology = hydrology_inputs(weather, hydrology_per_year(weather.params, classes, n))
    keys = np.array([year_key(seed, first_year + k) for k in range(n)], dtype=np.uint64)
    memory = memory or BatchMemory()
    arrays = weather_arrays(weather, hydrology, keys, empty=memory.empty)
    buses = _positions(weather.region_ids, list(system.buses))
    stations = _positions(weather.st["ids"], [str(s) for s in system.stations.index])

    def pick(var: str, order: np.ndarray | None) -> np.ndarray:
        return arrays[var] if order is None else arrays[var][:, order]

    return bus_inputs(
        system, *(pick(v, buses) for v in ("load", "pv", "wind", "ror")), pick("inflow", stations), memory
    )


def _positions(have: list[str], want: list[str]) -> np.ndarray | None:
    """Positions in ``have`` of each of ``want``, or None when they are already in that order."""
    return None if list(have) == list(want) else np.array([list(have).index(w) for w in want])
