"""Reservoir hydro with cascades and the run-of-river part of small plant.

Water is counted as energy at each station's own head. Each station has a reservoir bus with a
:class:`Store`, a fixed inflow generator, a turbine link to the prefecture bus and a spill link.
In a cascade both links also deliver the water to the next reservoir, worth
``head_down / head_up`` as much energy there. The ecological minimum outflow is a floor on the
turbine that never exceeds what reaches the station (local inflow plus the floor upstream), so
it is always feasible without slack. Run-of-river (the ``ror_share`` of aggregate plant) is
must-take with curtailment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from model.dispatch.constraints import GUIDE_BAND_KEY, META_KEY, gzgrid_meta
from model.dispatch.plan import EXPECTED_INFLOW_KEY, INFLOW_FLOOR_KEY
from model.register import Register
from model.reservoirs import (
    GUIDE_PENALTY_CNY_PER_MWH_DAY,
    TERMINAL_VALUE_CNY_PER_MWH,
    UPPER_GUIDE_PENALTY_CNY_PER_MWH_DAY,
    cascade_factor,
    is_seasonal,
    rule_curves,
    usable_energy_mwh,
)

#: Tiny cost of spilling water, so the solver turbines before it spills when both are free.
SPILL_COST = 0.1  # CNY/MWh


def hydro_table(register: Register, assets: pd.DataFrame) -> pd.DataFrame:
    """The register's stations with the scenario's capacity [MW], usable energy [MWh] and cascade links.

    A reservoir with a regulating storage gets its usable energy from it at its head
    (:func:`model.reservoirs.usable_energy_mwh`); a pond keeps its ``reservoir_mwh``.
    """
    hy = register.hydro.set_index("id").copy()
    hy["p_nom_mw"] = assets.loc[hy.index, "p_nom_mw"]
    regulated = hy.regulating_storage_1e8m3.notna()
    hy.loc[regulated, "reservoir_mwh"] = usable_energy_mwh(
        hy.regulating_storage_1e8m3[regulated].to_numpy(), hy.head_m[regulated].to_numpy()
    )
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
    inflow = inflow.astype(float)  # float32 profiles would round the floor above the inflow itself
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


def add_hydro(
    n: pypsa.Network,
    hydro: pd.DataFrame,
    inflow: pd.DataFrame,
    ror: pd.DataFrame,
    rules: pd.DataFrame | None = None,
    expected: pd.DataFrame | None = None,
    start_share: float | None = None,
    guide_penalty: float = GUIDE_PENALTY_CNY_PER_MWH_DAY,
) -> None:
    """Reservoir stations with cascades, plus the run-of-river part of aggregate plant.

    Parameters
    ----------
    n : pypsa.Network
    hydro : pandas.DataFrame
        The register table indexed by id with ``p_nom_mw``, ``upstream`` and ``head_ratio``.
    inflow : pandas.DataFrame
        Local inflow by station [MW], hourly.
    ror : pandas.DataFrame
        Run-of-river availability by region [p.u.].
    rules : pandas.DataFrame, optional
        Reservoir rule curves (``reservoir_rules.csv``): seasonal reservoirs get the ceiling as
        their upper level, start on the lower guide (or ``start_share``) and keep to the guide
        at a price (:mod:`model.reservoirs`). Without rules every reservoir is cyclic.
    expected : pandas.DataFrame, optional
        Expected local inflow by month (index 1..12) and station [MW]: what the seasonal plan
        sees with operator foresight (``n.meta["gzgrid"]["expected_inflow_pu"]``).
    start_share : float, optional
        Level of every seasonal reservoir at the first hour [share of usable energy].
    guide_penalty : float
        Price of each MWh below the lower guide per day [CNY/MWh/d]
        (:data:`model.reservoirs.OBSERVED_PATH_PENALTY_CNY_PER_MWH_DAY` on an observed path).
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
    inflow = inflow.astype(float)  # as ecological_floor: floor and inflow from the same numbers
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
    if expected is not None:
        pu = expected[ids].mul(1 - hydro.ror_share, axis=1).clip(lower=0) / peak
        meta = n.meta.setdefault(META_KEY, {})
        meta[EXPECTED_INFLOW_KEY] = {f"{i} inflow": [float(v) for v in pu[i]] for i in ids}
        meta[INFLOW_FLOOR_KEY] = [f"{i} turbine" for i in ids]
    if rules is not None:
        _apply_rules(n, hydro, rules, start_share, guide_penalty)
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
    _add_run_of_river(n, agg, ror)


def _add_run_of_river(n: pypsa.Network, agg: pd.DataFrame, ror: pd.DataFrame) -> None:
    if len(agg):
        n.add(
            "Generator",
            [f"{i} ror" for i in agg.index],
            bus=agg.bus.values,
            carrier="ror",
            p_nom=(agg.p_nom_mw * agg.ror_share).values,
            p_max_pu=ror[agg.bus.values].clip(0, 1).set_axis([f"{i} ror" for i in agg.index], axis=1),
        )


def seasonal_reservoirs(n: pypsa.Network) -> pd.Index:
    """Stores of the seasonal reservoirs: those that keep to the guide band (daily ponds do not)."""
    spec = gzgrid_meta(n).get(GUIDE_BAND_KEY) or {}
    return n.c.stores.static.index.intersection(pd.Index(spec.get("stores", [])))


def _apply_rules(
    n: pypsa.Network, hydro: pd.DataFrame, rules: pd.DataFrame, start_share: float | None, penalty: float
) -> None:
    """Seasonal reservoirs: flood-season ceiling, start level, and the guide band (priced)."""
    stores = n.c.stores.static
    names = pd.Index([f"{i} reservoir" for i in hydro.index])
    turbine = (hydro.p_nom_mw * (1 - hydro.ror_share)).to_numpy()
    large = (hydro.kind == "reservoir").to_numpy()
    seasonal = names[is_seasonal(stores.e_nom[names].to_numpy(), turbine) & large]
    if not len(seasonal):
        return
    curves = rule_curves(rules, n.snapshots)
    start = float(curves.lower_guide.iloc[0]) if start_share is None else float(start_share)
    stores.loc[seasonal, "e_cyclic"] = False
    stores.loc[seasonal, "e_initial"] = start * stores.e_nom[seasonal]
    # daily and weekly ponds start half full and keep no seasonal rule; not cyclic either, since
    # an ecological release equal to a low inflow can keep a pond from refilling by 31 December
    ponds = names.difference(seasonal)
    stores.loc[ponds, "e_cyclic"] = False
    stores.loc[ponds, "e_initial"] = 0.5 * stores.e_nom[ponds]
    n.c.stores.dynamic.e_max_pu = pd.concat(
        [n.c.stores.dynamic.e_max_pu, pd.DataFrame({s: curves.ceiling for s in seasonal})], axis=1
    )
    meta = n.meta.setdefault(META_KEY, {})
    # a MWh kept at a station is worth its cascade factor in MWh of electricity down the river,
    # so the guide's prices are per MWh of electricity it stands for
    factor = cascade_factor(hydro).set_axis(names)[seasonal]
    meta[GUIDE_BAND_KEY] = {
        "stores": list(seasonal),
        "weights": [float(f) for f in factor],
        "dates": rules["date"].astype(str).tolist(),
        "lower_guide": rules["lower_guide"].astype(float).tolist(),
        "upper_guide": rules["upper_guide"].astype(float).tolist(),
        "penalty_cny_per_mwh_h": penalty / 24.0,
        "upper_penalty_cny_per_mwh_h": UPPER_GUIDE_PENALTY_CNY_PER_MWH_DAY / 24.0,
        "terminal_cny_per_mwh": TERMINAL_VALUE_CNY_PER_MWH,
    }
