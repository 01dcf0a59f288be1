"""Coal, gas and biomass: coal burns from its region's stockpile; commitment by unit class.

- **Availability** (:mod:`model.thermal.availability`): maintenance, forced outages, coal
  supply spells and coal quality scale each register row's capacity hour by hour.
- **Fuel chain** (:mod:`model.thermal.fuel`, ``coal.fuel_chain``, on by default): each fuel
  region is a bus of coal energy [MWh_th] with a *delivery* generator (the most coal that
  arrives in an hour) and a *stock* store (the normal stockpile as its size, the operator's
  floor as its minimum, the level on 1 January as its start). Each MWh below the normal level
  costs :data:`STOCK_SHORT_CNY_PER_MWH_DAY` a day
  (:func:`model.dispatch.constraints.add_stock_target`), so plants refill whenever deliveries
  allow. Without the fuel chain the delivery is unlimited and there is no stock.
- **Coal plant as links.** Each unit class of a fuel region is one *unit* link from the
  region's coal to a hub bus, at the class's efficiency (the heat rate), committed as one
  block; each register row (a prefecture's units of the class) is a link from the hub to its
  prefecture within the row's available capacity. So coal is committed by unit class per
  fuel region (``benchmarks/bench_unit_commitment.py`` measured it against committing each
  prefecture's units: 12.6 s of windows against 26.4 s, the system cost 0.12 % lower), and every MW still
  comes out where its plant is. The row links carry the register ids and carrier ``coal``.
- **Unit commitment** (``dispatch.unit_commitment``, on by default): PyPSA's linearised unit
  commitment of each unit link, the committed *share* of the class's available units in
  [0, 1]. Committed units run between their minimum stable load (``p_min_pu``, or
  ``coal.min_load_pu`` by unit class) and their available capacity; a start costs
  ``start_up_cost_cny_per_mw`` per MW started; units stay up and down at least ``min_up_h``
  and ``min_down_h``; ramps ``ramp_pu_per_h``. The year starts with every unit committed and
  free to stop. A class's figures are its rows' capacity-weighted means (minimum up and down
  times and ramps: the strictest row's).
- **Security floor** (``coal.floor_mw``): at least that much available coal committed in every
  hour (:func:`model.dispatch.constraints.add_coal_floor`).
- Gas and biomass are plain ramp-limited generators (no minimum load); ``must_run`` assets and
  prefectures run at least at their minimum load.
"""

from __future__ import annotations

import pandas as pd
import pypsa

from model.dispatch.constraints import COAL_FLOOR_KEY, META_KEY, STOCK_TARGET_KEY
from model.errors import InputError, did_you_mean
from model.network.calendar import snapshots
from model.register import Register
from model.scenario import Scenario
from model.thermal.availability import availability_parts, check_floor, lost_by_cause
from model.thermal.fuel import FuelRegion, fuel_regions, region_of_prefecture

#: Price of each MWh of coal a stockpile holds below its normal level, per day [CNY/MWh_th/d]:
#: plants refill as soon as deliveries allow. A quarter of what the reservoirs' guide charges
#: per MWh of electricity, so in a shortage the stock is drawn before the reservoirs' guide.
STOCK_SHORT_CNY_PER_MWH_DAY = 0.1
#: Meta key of the coal capacity each cause takes away, daily means [MW] (for the shortfall causes).
COAL_LOST_KEY = "coal_unavailable_mw"
#: Carriers of the fuel chain's components.
FUEL_CARRIERS = ("coal_fuel", "coal_delivery", "coal_stock", "coal_hub", "coal_unit")


def min_load(thermal: pd.DataFrame, scenario: Scenario) -> pd.Series:
    """Minimum stable load of each row [p.u.]: the register's, or the scenario's by unit class."""
    th = thermal.set_index("id")
    classes = set(th.unit_class[th.carrier == "coal"])
    out = th.p_min_pu.copy()
    for unit_class, pu in scenario.coal.min_load_pu.items():
        if unit_class not in classes:
            raise InputError(
                f"scenario '{scenario.name}': coal.min_load_pu.{unit_class}: no coal unit class of that name"
                f"{did_you_mean(unit_class, classes)}; valid: {', '.join(sorted(classes))}"
            )
        rows = th.index[(th.unit_class == unit_class) & (th.carrier == "coal")]
        too_fast = th.ramp_pu_per_h[rows] < pu
        if too_fast.any():
            raise InputError(
                f"scenario '{scenario.name}': coal.min_load_pu.{unit_class} = {pu:g} is above the class's "
                f"ramp of {th.ramp_pu_per_h[rows].min():g} p.u./h; a unit could not reach it in the hour it "
                "starts"
            )
        out[rows] = pu
    return out


def add_thermal(n: pypsa.Network, register: Register, assets: pd.DataFrame, scenario: Scenario) -> None:
    """Gas and biomass generators and the coal fuel chain with its plant [MW] (module docstring)."""
    th = register.thermal.set_index("id")
    p_nom = assets.loc[th.index, "p_nom_mw"]
    check_floor(register, p_nom, scenario.coal, snapshots(scenario.year))  # the whole year, whatever is run
    regions = fuel_regions(register, scenario.coal, scenario.year, p_nom, n.snapshots)
    region_of = region_of_prefecture(register)
    coal = th.carrier == "coal"
    parts = availability_parts(register, p_nom, n.snapshots, scenario.coal)
    quality = pd.DataFrame(1.0, index=n.snapshots, columns=th.index)
    for r in regions:  # coal quality derates the region's coal capacity
        rows = th.index[coal & (th.bus.map(region_of) == r.name)]
        quality[rows] = quality[rows].mul(r.quality, axis=0)
    parts["quality"] = quality
    avail = (parts["maintenance"] * parts["outage"] * parts["supply"] * quality).clip(0.0, 1.0)
    must = set(scenario.dispatch.must_run)
    must_run = pd.Series(th.index.isin(list(must)) | th.bus.isin(list(must)), index=th.index)
    floor_pu = min_load(register.thermal, scenario)
    other = th.index[~coal]
    n.add(
        "Generator",
        other,
        bus=th.bus[other],
        carrier=th.carrier[other],
        p_nom=p_nom[other],
        p_max_pu=avail[other],
        p_min_pu=avail[other] * floor_pu[other].where(must_run[other], 0.0),
        efficiency=th.efficiency[other],
        marginal_cost=th.marginal_cost_cny_per_mwh[other],
        ramp_limit_up=th.ramp_pu_per_h[other],
        ramp_limit_down=th.ramp_pu_per_h[other],
    )
    n.add("Carrier", [c for c in FUEL_CARRIERS if c not in n.c.carriers.static.index])
    units = []
    for r in regions:
        add_fuel_region(n, r, scenario.coal.fuel_chain)
        rows = th[coal & (th.bus.map(region_of) == r.name) & (p_nom > 0)]
        for unit_class, block in rows.groupby("unit_class", sort=True):
            units.append(add_unit_class(n, r.name, str(unit_class), block, p_nom, avail, floor_pu, must_run,
                                        scenario.dispatch.unit_commitment))  # fmt: skip
    meta = n.meta.setdefault(META_KEY, {})
    lost = lost_by_cause(parts, p_nom[th.index[coal]]).resample("D").mean()
    meta[COAL_LOST_KEY] = {"days": [d.strftime("%Y-%m-%d") for d in lost.index],
                           **{c: [round(float(v), 1) for v in lost[c]] for c in lost.columns}}  # fmt: skip
    if scenario.coal.fuel_chain:
        meta[STOCK_TARGET_KEY] = {"stores": [f"coal stock {r.name}" for r in regions],
                                  "penalty_cny_per_mwh_day": STOCK_SHORT_CNY_PER_MWH_DAY}  # fmt: skip
    meta[COAL_FLOOR_KEY] = {
        "mw": float(scenario.coal.floor_mw),
        "links": [u for u, _, _ in units],
        "electric_mw": [float(mw) for _, mw, _ in units],
        "min_load_pu": [float(pu) for _, _, pu in units],
    }


def add_fuel_region(n: pypsa.Network, region: FuelRegion, fuel_chain: bool) -> None:
    """The region's coal bus, its deliveries and (with the fuel chain) its stockpile [MWh_th]."""
    bus = f"coal fuel {region.name}"
    n.add("Bus", bus, carrier="coal_fuel")
    if not fuel_chain:
        n.add("Generator", f"coal delivery {region.name}", bus=bus, carrier="coal_delivery", p_nom=1e7)
        return
    peak = float(region.delivery_mwh_h.max())
    n.add(
        "Generator",
        f"coal delivery {region.name}",
        bus=bus,
        carrier="coal_delivery",
        p_nom=peak,
        p_max_pu=pd.Series(region.delivery_mwh_h / peak if peak > 0 else 0.0, index=n.snapshots),
    )
    normal = region.stock_normal_mwh
    n.add(
        "Store",
        f"coal stock {region.name}",
        bus=bus,
        carrier="coal_stock",
        e_nom=normal,
        e_min_pu=pd.Series(region.stock_floor_mwh / normal if normal > 0 else 0.0, index=n.snapshots),
        e_initial=region.stock_start_mwh,
    )


def add_unit_class(
    n: pypsa.Network,
    region: str,
    unit_class: str,
    rows: pd.DataFrame,
    p_nom: pd.Series,
    avail: pd.DataFrame,
    floor_pu: pd.Series,
    must_run: pd.Series,
    unit_commitment: bool,
) -> tuple[str, float, float]:
    """One class's unit link (coal -> hub, committed) and its rows' links (hub -> prefecture).

    Returns the unit link's name, its electric capacity [MW] and its minimum load [p.u.].
    """
    ids = rows.index
    mw = p_nom[ids]
    electric = float(mw.sum())
    fuel = float((mw / rows.efficiency).sum())
    weight = mw / electric
    hub = f"coal hub {region} {unit_class}"
    name = f"coal unit {region} {unit_class}"
    class_avail = (avail[ids] * mw).sum(axis=1) / electric
    pmin = float((floor_pu[ids] * weight).sum())
    committed = unit_commitment and not bool(must_run[ids].all())
    n.add("Bus", hub, carrier="coal_hub")
    n.add(
        "Link",
        name,
        bus0=f"coal fuel {region}",
        bus1=hub,
        carrier="coal_unit",
        p_nom=fuel,
        efficiency=electric / fuel,
        p_max_pu=class_avail,
        p_min_pu=class_avail * pmin if committed else 0.0,
        # per MWh of coal: the rows' cost per MWh of electricity times the efficiency
        marginal_cost=float((rows.marginal_cost_cny_per_mwh * weight).sum()) * electric / fuel,
        ramp_limit_up=float(rows.ramp_pu_per_h.min()),
        ramp_limit_down=float(rows.ramp_pu_per_h.min()),
        committable=committed,
        start_up_cost=float((rows.start_up_cost_cny_per_mw * mw).sum()) if committed else 0.0,
        min_up_time=int(rows.min_up_h.max()) if committed else 0,
        min_down_time=int(rows.min_down_h.max()) if committed else 0,
        # "up long enough" before the first hour: committed, and free to stop at once
        up_time_before=max(int(rows.min_up_h.max()), 1) if committed else 1,
    )
    n.add(
        "Link",
        ids,
        bus0=hub,
        bus1=rows.bus,
        carrier="coal",
        p_nom=mw,
        p_max_pu=avail[ids],
        p_min_pu=avail[ids] * floor_pu[ids].where(must_run[ids], 0.0),
    )
    return name, electric, pmin
