"""Scenario + register + profiles -> one hourly :class:`pypsa.Network` (nothing solved).

Every asset class of DESIGN.md is added by its own small function, so tests can put single
pieces on tiny networks. Modelling choices (documented in ``data/network/README.md`` too):

- Coal, gas, biomass: one generator per prefecture and unit class, ramp-limited; minimum stable
  load binds only where a unit is committed: always for ``must_run`` assets, and through
  PyPSA's linearised unit commitment when ``dispatch.unit_commitment`` is set. (In a plain LP a
  minimum load would force every unit on all year.)
- Reservoir hydro: water is counted as energy at each station's own head. Each station has a
  reservoir bus with a :class:`Store` (``e_cyclic``), a fixed inflow generator, a turbine link
  to the prefecture bus and a spill link. In a cascade both links also deliver the water to the
  next reservoir, worth ``head_down / head_up`` as much energy there. The ecological minimum
  outflow is a floor on the turbine that never exceeds what reaches the station (local inflow
  plus the floor upstream), so it is always feasible without slack.
- Run-of-river (the ``ror_share`` of aggregate plant): must-take with curtailment.
- Pumped hydro and batteries: storage units with power, hours and round-trip efficiency.
- Hydrogen: one provincial H2 bus (trucked along the corridor): electrolysers, stores, fuel
  cells, a constant H2 demand, and an H2 shortfall at a penalty above VOLL.
- Demand response: per prefecture, a generator of (DR share x the year's simulated peak x the
  prefecture's load share) at its cost, capped in hours per year (``e_sum_max``) and per event
  (``n.meta['gzgrid']['dr_event_hours']``, applied by :mod:`model.dispatch`).
- Exports: the obligation is a load on the Guangdong bus fed through the export links; an
  ``export_cut`` generator there supplies undelivered energy at a penalty above DR's cost and
  below VOLL, so exports are cut after DR and before domestic load.
- Load shedding at every prefecture at VOLL. Corridors: a transport model of two one-way links
  per corridor with the register's efficiency.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from model.capacity import asset_capacities, dr_share
from model.errors import InputError
from model.register import EXPORT_BUS, PREFECTURES, Register
from model.scenario import Scenario

H2_BUS = "h2"
#: Penalties above the value of lost load, as a multiple of it.
H2_SHORTFALL_VOLL = 1.5
#: Tiny cost of spilling water, so the solver turbines before it spills when both are free.
SPILL_COST = 0.1  # CNY/MWh
#: Hours with less load shed than this in the province are not loss-of-load hours [MW]. One
#: definition for the dispatch summary (:mod:`analysis.summary`) and the adequacy engine.
SHORTFALL_TOL_MW = 0.1


def snapshots(year: int, horizon_hours: int | None = None) -> pd.DatetimeIndex:
    """Hourly snapshots of a calendar year in China Standard Time (naive), Feb 29 dropped [h]."""
    idx = pd.date_range(f"{year}-01-01", periods=8784, freq="h")
    idx = idx[(idx.year == year) & ~((idx.month == 2) & (idx.day == 29))]
    return idx[:horizon_hours] if horizon_hours else idx


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
    add_thermal(n, register.thermal, assets, scenario)
    add_renewables(n, register.renewables, assets, region("pv"), region("wind"))
    inflow = profiles["inflow"].transpose("snapshot", "station").to_pandas().iloc[:hours].set_axis(sns)
    add_hydro(n, _hydro_table(register, assets), inflow, region("ror"))
    add_storage(n, register.storage, assets, scenario.storage_hours)
    h2_stores = h2_store_mwh(register, scenario)
    add_hydrogen(n, register.hydrogen, assets, scenario.year, voll * H2_SHORTFALL_VOLL, h2_stores)
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
    add_corridors(n, register.corridors, scenario.year)
    add_exports(
        n, export_obligation(register, scenario.year, sns), scenario.dispatch.export_cut_penalty_cny_per_mwh
    )
    add_load_shedding(n, load.max(), voll)
    n.meta["gzgrid"] = {**n.meta.get("gzgrid", {}), "scenario": scenario.name, "voll": voll}
    return n


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


def add_thermal(n: pypsa.Network, thermal: pd.DataFrame, assets: pd.DataFrame, scenario: Scenario) -> None:
    """Coal, gas and biomass generators [MW], ramp-limited; minimum load where committed."""
    th = thermal.set_index("id")
    p_nom = assets.loc[th.index, "p_nom_mw"]
    must = set(scenario.dispatch.must_run)
    must_run = th.index.isin(list(must)) | th.bus.isin(list(must)) & (th.carrier == "coal")
    uc = scenario.dispatch.unit_commitment
    n.add(
        "Generator",
        th.index,
        bus=th.bus,
        carrier=th.carrier,
        p_nom=p_nom,
        p_min_pu=np.where(must_run | uc, th.p_min_pu, 0.0),
        efficiency=th.efficiency,
        marginal_cost=th.marginal_cost_cny_per_mwh,
        ramp_limit_up=th.ramp_pu_per_h,
        ramp_limit_down=th.ramp_pu_per_h,
        committable=uc & ~must_run,
    )


def add_renewables(
    n: pypsa.Network, table: pd.DataFrame, assets: pd.DataFrame, pv: pd.DataFrame, wind: pd.DataFrame
) -> None:
    """Solar and wind generators [MW] with their prefecture's availability [p.u.]."""
    re = table.set_index("id")
    profile = pd.concat(
        [
            (pv if c == "solar" else wind)[b].rename(i)
            for i, b, c in zip(re.index, re.bus, re.carrier, strict=True)
        ],
        axis=1,
    )
    n.add(
        "Generator",
        re.index,
        bus=re.bus,
        carrier=re.carrier,
        p_nom=assets.loc[re.index, "p_nom_mw"],
        p_max_pu=profile.clip(0, 1),
        marginal_cost=0.0,
    )


def _hydro_table(register: Register, assets: pd.DataFrame) -> pd.DataFrame:
    hy = register.hydro.set_index("id").copy()
    hy["p_nom_mw"] = assets.loc[hy.index, "p_nom_mw"]
    up = {d: u for u, d in zip(hy.index, hy.downstream, strict=True) if d}
    hy["upstream"] = [up.get(i, "") for i in hy.index]
    pairs = zip(hy.index, hy.downstream, strict=True)
    hy["head_ratio"] = [hy.head_m[d] / hy.head_m[i] if d else 0.0 for i, d in pairs]
    return hy


def ecological_floor(hydro: pd.DataFrame, inflow: pd.DataFrame) -> pd.DataFrame:
    """Minimum turbine release of every station [MW], feasible by construction.

    The floor is ``eco_min_pu`` of the station's mean inflow, but never more than what surely
    reaches it: its own local inflow plus the upstream floor carried down the cascade.
    """
    mean_total = _mean_natural_inflow(hydro, inflow)
    floor = pd.DataFrame(index=inflow.index, columns=hydro.index, dtype=float)
    for sid in _cascade_order(hydro):
        arriving = inflow[sid] * (1 - hydro.ror_share[sid])
        if up := hydro.upstream[sid]:
            arriving = arriving + floor[up] * hydro.head_ratio[up]
        floor[sid] = np.minimum(hydro.eco_min_pu[sid] * mean_total[sid], arriving)
    return floor


def _mean_natural_inflow(hydro: pd.DataFrame, inflow: pd.DataFrame) -> pd.Series:
    total = pd.Series(0.0, index=hydro.index)
    for sid in _cascade_order(hydro):
        total[sid] = inflow[sid].mean() + (
            total[hydro.upstream[sid]] * hydro.head_ratio[hydro.upstream[sid]] if hydro.upstream[sid] else 0.0
        )
    return total


def _cascade_order(hydro: pd.DataFrame) -> list[str]:
    """Station ids with every upstream station before its downstream one."""
    order: list[str] = []
    for sid in hydro.sort_values("cascade_order").index:
        chain = []
        while sid and sid not in order and sid not in chain:
            chain.append(sid)
            sid = hydro.upstream[sid]
        order.extend(reversed(chain))
    return order


def add_hydro(n: pypsa.Network, hydro: pd.DataFrame, inflow: pd.DataFrame, ror: pd.DataFrame) -> None:
    """Reservoir stations with cascades, plus the run-of-river part of aggregate plant.

    ``hydro`` is the register table indexed by id with ``p_nom_mw``, ``upstream`` and
    ``head_ratio``; ``inflow`` is the local inflow by station [MW]; ``ror`` [p.u.] by region.
    """
    ids = hydro.index
    res = [f"{i} reservoir" for i in ids]
    n.add("Bus", res, carrier="hydro_reservoir")
    n.add("Bus", "river outlet", carrier="hydro_reservoir")
    n.add(
        "Generator",
        "river outlet sink",
        bus="river outlet",
        carrier="spill",
        p_nom=1e6,
        p_min_pu=-1.0,
        p_max_pu=0.0,
    )
    storable = inflow[ids].mul(1 - hydro.ror_share, axis=1).clip(lower=0)
    peak = storable.max().clip(lower=1.0)
    n.add(
        "Generator",
        [f"{i} inflow" for i in ids],
        bus=res,
        carrier="inflow",
        p_nom=peak.values,
        p_max_pu=(storable / peak).set_axis([f"{i} inflow" for i in ids], axis=1),
        p_min_pu=(storable / peak).set_axis([f"{i} inflow" for i in ids], axis=1),
    )
    n.add(
        "Store",
        [f"{i} reservoir" for i in ids],
        bus=res,
        carrier="hydro_reservoir",
        e_nom=hydro.reservoir_mwh.values,
        e_cyclic=True,
    )
    down_bus = [f"{d} reservoir" if d else "river outlet" for d in hydro.downstream]
    ratio = np.where(hydro.downstream != "", hydro.head_ratio, 1.0)
    turbine_nom = (hydro.p_nom_mw * (1 - hydro.ror_share)).clip(lower=1e-3)
    floor = ecological_floor(hydro, inflow)
    n.add(
        "Link",
        [f"{i} turbine" for i in ids],
        bus0=res,
        bus1=hydro.bus.values,
        bus2=down_bus,
        efficiency=1.0,
        efficiency2=ratio,
        carrier="hydro",
        p_nom=turbine_nom.values,
        p_min_pu=(floor / turbine_nom).clip(upper=1.0).set_axis([f"{i} turbine" for i in ids], axis=1),
    )
    n.add(
        "Link",
        [f"{i} spill" for i in ids],
        bus0=res,
        bus1=down_bus,
        efficiency=ratio,
        carrier="spill",
        p_nom=1e6,
        marginal_cost=SPILL_COST,
    )
    agg = hydro[hydro.ror_share > 0]
    if len(agg):
        n.add(
            "Generator",
            [f"{i} ror" for i in agg.index],
            bus=agg.bus.values,
            carrier="ror",
            p_nom=(agg.p_nom_mw * agg.ror_share).values,
            p_max_pu=ror[agg.bus.values].clip(0, 1).set_axis([f"{i} ror" for i in agg.index], axis=1),
        )


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
    cap = h2.loc[h2.kind == "h2_store", f"capacity_{scenario.year}"].astype(float)
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
        carrier="H2",
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
        carrier="H2",
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
