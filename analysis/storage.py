"""Storage in use: how much each kind of storage cycles, what it earns and what curtailment it takes up.

Reads a solved network only; :func:`add_storage_metrics` puts the variables into the metrics
dataset (:mod:`analysis.metrics`), :func:`storage_levels` feeds the report's figure. Kinds
(:data:`KINDS`): ``phs`` and ``battery`` are PyPSA StorageUnits of those carriers; ``h2`` is the
Stores of carrier ``H2``, charged by the ``electrolyser`` links and discharged by the
``fuel_cell`` links. Conventions, where there was a choice:

- Storage: discharged and charged energy is electricity at the storage's bus [MWh]: a
  StorageUnit's ``p_dispatch`` and ``p_store``; the fuel cells' output and the electrolysers'
  input (hydrogen made for H2 demand included). Full cycles = discharge over energy capacity:
  a StorageUnit's discharge over ``p_nom x max_hours``; hydrogen drawn by the fuel cells over
  the H2 stores' ``e_nom`` (the same as the fuel cells' output over what a full store gives
  through them). Full-load hours = discharge over power capacity (StorageUnit ``p_nom``; fuel
  cells' electric output ``p_nom x efficiency``). Value at model prices = sum over hours of the
  bus's marginal price x (discharge - charge) x the snapshot weighting [CNY]; hydrogen sold to
  H2 demand earns nothing in it. Curtailment avoided is an attribution, not a counterfactual:
  the energy charged in hours of renewable surplus, those in which wind, solar or run-of-river
  was still curtailed in the province, or in which the price at the storage's bus fell below
  the cheapest fuel-burning unit's marginal cost (no fuel on the margin: only storage's own
  valuation of the surplus set the price, as when storage takes up the whole surplus).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
import pypsa

from analysis.flows import PROVINCE, VRE
from analysis.thermal import fuel_cost
from model.network.hydro import seasonal_reservoirs

#: Kinds of storage reported, in the order they are printed.
KINDS = ("phs", "battery", "h2")
#: Names of the kinds in the report.
KIND_NAMES = {"phs": "pumped hydro 抽水蓄能", "battery": "battery 电化学储能", "h2": "hydrogen 氢储能"}
#: Columns of :func:`storage_levels`: the kinds and the seasonal hydro reservoirs' total.
LEVELS = (*KINDS, "hydro_reservoirs")


class Builder(Protocol):
    """What :func:`add_storage_metrics` needs of :class:`analysis.metrics._Builder`."""

    w: np.ndarray
    masks: dict[str, np.ndarray]
    vars: dict

    def add(self, name: str, data, dims: tuple[str, ...], units: str, long_name: str) -> None: ...


@dataclass(frozen=True)
class StorageFlows:
    """Hourly flows of every storage asset (StorageUnits, electrolysers, fuel cells).

    Attributes
    ----------
    discharge, charge : pandas.DataFrame
        Electricity out of and into storage at the asset's bus, snapshot x asset [MW].
    drawn : pandas.DataFrame
        Energy drawn from storage to make power, snapshot x asset [MW]: a StorageUnit's
        discharge, a fuel cell's hydrogen input (electrolysers: zero).
    price : pandas.DataFrame
        Marginal price at the asset's electricity bus, snapshot x asset [CNY/MWh].
    kind : pandas.Series
        The :data:`KINDS` entry of each asset.
    power_mw, energy_mwh : pandas.Series
        Power [MW] and energy capacity [MWh; MWh of H2 for ``h2``] of each kind.
    """

    discharge: pd.DataFrame
    charge: pd.DataFrame
    drawn: pd.DataFrame
    price: pd.DataFrame
    kind: pd.Series
    power_mw: pd.Series
    energy_mwh: pd.Series

    def by_kind(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Sum asset columns by kind: snapshot x :data:`KINDS`."""
        return (
            frame.T.groupby(self.kind.reindex(frame.columns).to_numpy())
            .sum()
            .T.reindex(index=frame.index, columns=list(KINDS), fill_value=0.0)
        )


def storage_flows(n: pypsa.Network) -> StorageFlows:
    """The hourly flows, prices and sizes of every storage asset of a solved network."""
    su, dyn = n.c.storage_units.static, n.c.storage_units.dynamic
    links = n.c.links.static
    ely, fc = links[links.carrier == "electrolyser"], links[links.carrier == "fuel_cell"]

    def cols(frame: pd.DataFrame, ids: pd.Index, sign: float = 1.0) -> pd.DataFrame:
        return sign * frame.reindex(index=n.snapshots, columns=ids, fill_value=0.0).astype(float)

    def none(ids: pd.Index) -> pd.DataFrame:
        return pd.DataFrame(0.0, index=n.snapshots, columns=ids)

    p0, p1 = n.c.links.dynamic.p0, n.c.links.dynamic.p1
    discharge = [cols(dyn.p_dispatch, su.index), none(ely.index), cols(p1, fc.index, -1.0)]
    charge = [cols(dyn.p_store, su.index), cols(p0, ely.index), none(fc.index)]
    drawn = [cols(dyn.p_dispatch, su.index), none(ely.index), cols(p0, fc.index)]
    bus = pd.concat([su.bus, ely.bus0, fc.bus1])
    prices = n.c.buses.dynamic.marginal_price.reindex(index=n.snapshots, columns=bus.unique())
    kind = pd.concat([su.carrier.astype(object), pd.Series("h2", index=ely.index.append(fc.index))])
    st = n.c.stores.static
    power = su.groupby("carrier").p_nom.sum().to_dict()
    energy = (su.p_nom * su.max_hours).groupby(su.carrier).sum().to_dict()
    power["h2"] = float((fc.p_nom * fc.efficiency).sum())
    energy["h2"] = float(st.e_nom[st.carrier == "H2"].sum())
    return StorageFlows(
        discharge=pd.concat(discharge, axis=1),
        charge=pd.concat(charge, axis=1),
        drawn=pd.concat(drawn, axis=1),
        price=pd.DataFrame(prices[bus.to_numpy()].to_numpy(), index=n.snapshots, columns=bus.index),
        kind=kind,
        power_mw=pd.Series(power, dtype=float).reindex(list(KINDS), fill_value=0.0),
        energy_mwh=pd.Series(energy, dtype=float).reindex(list(KINDS), fill_value=0.0),
    )


#: Curtailment below this is solver noise [MW].
CURTAILED_TOL_MW = 1e-3


def curtailment_absorbed(
    charge: pd.DataFrame, curtailed: pd.Series, price: pd.DataFrame, fuel_price: float
) -> pd.DataFrame:
    """Charging taken from renewable surplus, hour by hour [MW] (module docstring).

    Parameters
    ----------
    charge : pandas.DataFrame
        Electricity taken by each storage asset, snapshot x asset [MW].
    curtailed : pandas.Series
        The province's curtailment of wind, solar and run-of-river [MW].
    price : pandas.DataFrame
        Marginal price at each asset's bus [CNY/MWh], like ``charge``.
    fuel_price : float
        Marginal cost of the cheapest fuel-burning unit [CNY/MWh].

    Returns
    -------
    pandas.DataFrame
        Like ``charge``: the charge in surplus hours, zero otherwise.
    """
    spilled = (curtailed.to_numpy() > CURTAILED_TOL_MW)[:, None]
    surplus = spilled | (price.to_numpy() < fuel_price - 1e-6)
    return charge.where(surplus, 0.0)


def _ratio(a, b) -> np.ndarray:
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    return np.divide(a, b, out=np.full(a.shape, np.nan), where=b > 0)


def _periods(frame: pd.DataFrame, b: Builder) -> np.ndarray:
    """Energy of each column in each period [MWh]: column x period."""
    x = frame.to_numpy()
    return np.array([[x[m, j] @ b.w[m] for m in b.masks.values()] for j in range(x.shape[1])]).reshape(
        x.shape[1], len(b.masks)
    )


def add_storage_metrics(n: pypsa.Network, flows: dict[str, pd.DataFrame], b: Builder) -> None:
    """Add the storage variables to the metrics builder ``b`` (conventions in the module docstring).

    Per storage unit (``storage_unit``, year): ``storage_discharged_mwh``,
    ``storage_charged_mwh``, ``storage_cycles``, ``storage_full_load_hours``, ``storage_value_cny``,
    ``storage_curtailment_avoided_mwh``, ``charge_price``, ``discharge_price``. Per kind
    (``storage_kind`` x ``period``): ``storage_kind_*`` of the same quantities, and the kinds'
    ``storage_kind_power_mw`` and ``storage_kind_energy_mwh``.

    Parameters
    ----------
    n : pypsa.Network
        A solved network.
    flows : dict of pandas.DataFrame
        :func:`analysis.flows.hourly_flows` of ``n``.
    b : Builder
        The metrics builder the variables are added to.
    """
    s = storage_flows(n)
    curtailed = sum(flows[f"{c}_curtailed"][PROVINCE] for c in VRE)
    absorbed = curtailment_absorbed(s.charge, curtailed, s.price, fuel_cost(n))
    net_value = (s.discharge - s.charge) * s.price
    _add_units(n, s, absorbed, net_value, b)
    _add_kinds(s, absorbed, net_value, b)


def _add_units(n: pypsa.Network, s: StorageFlows, absorbed, net_value, b: Builder) -> None:
    su = n.c.storage_units.static
    w = b.w
    dis, sto = s.discharge[su.index], s.charge[su.index]
    dis_mwh, sto_mwh = w @ dis.to_numpy(), w @ sto.to_numpy()
    price = s.price[su.index].to_numpy()
    d = ("storage_unit",)
    rows = [
        ("storage_discharged_mwh", dis_mwh, "MWh", "energy discharged by each storage unit"),
        ("storage_charged_mwh", sto_mwh, "MWh", "energy taken to charge each storage unit"),
        (
            "storage_cycles",
            _ratio(dis_mwh, (su.p_nom * su.max_hours).to_numpy()),
            "1",
            "full-cycle equivalents: discharge over energy capacity",
        ),
        (
            "storage_full_load_hours",
            _ratio(dis_mwh, su.p_nom.to_numpy()),
            "h",
            "equivalent full-load hours: discharge over power capacity",
        ),
        (
            "storage_value_cny",
            w @ net_value[su.index].to_numpy(),
            "CNY",
            "value at model prices: sum of bus price x (discharge - charge) x weighting",
        ),
        (
            "storage_curtailment_avoided_mwh",
            w @ absorbed[su.index].to_numpy(),
            "MWh",
            _AVOIDED,
        ),
        (
            "charge_price",
            _ratio(w @ (sto.to_numpy() * price), sto_mwh),
            "CNY/MWh",
            "mean price paid to charge",
        ),
        (
            "discharge_price",
            _ratio(w @ (dis.to_numpy() * price), dis_mwh),
            "CNY/MWh",
            "mean price earned discharging",
        ),
    ]
    for name, data, units, long_name in rows:
        b.add(name, data, d, units, long_name)
        b.vars[name] = b.vars[name].assign_coords(
            storage_unit=su.index.to_numpy(), storage_carrier=("storage_unit", su.carrier.to_numpy())
        )


#: Long name of the curtailment attribution (the caveat travels with the number).
_AVOIDED = (
    "curtailment avoided, an attribution: energy charged in hours of renewable surplus (wind, solar "
    "or run-of-river curtailed in the province, or the bus price below the cheapest fuel's cost)"
)


def _add_kinds(s: StorageFlows, absorbed, net_value, b: Builder) -> None:
    d, kp = ("storage_kind",), ("storage_kind", "period")
    dis = _periods(s.by_kind(s.discharge), b)
    energy, power = s.energy_mwh.to_numpy()[:, None], s.power_mw.to_numpy()[:, None]
    rows = [
        ("storage_kind_power_mw", s.power_mw.to_numpy(), d, "MW",
         "power capacity (hydrogen: fuel cells' electric output)"),
        ("storage_kind_energy_mwh", s.energy_mwh.to_numpy(), d, "MWh",
         "energy capacity (hydrogen: H2 stores, MWh of H2)"),
        ("storage_kind_discharged_mwh", dis, kp, "MWh", "electricity discharged (energy shifted)"),
        ("storage_kind_charged_mwh", _periods(s.by_kind(s.charge), b), kp, "MWh",
         "electricity taken to charge (hydrogen: electrolysers, H2 demand's share included)"),
        ("storage_kind_cycles", _ratio(_periods(s.by_kind(s.drawn), b), energy), kp, "1",
         "full-cycle equivalents: discharge over energy capacity (hydrogen: H2 drawn by fuel cells)"),
        ("storage_kind_full_load_hours", _ratio(dis, power), kp, "h",
         "equivalent full-load hours: discharge over power capacity"),
        ("storage_kind_value_cny", _periods(s.by_kind(net_value), b), kp, "CNY",
         "value at model prices: sum of bus price x (discharge - charge) x weighting"),
        ("storage_kind_curtailment_avoided_mwh", _periods(s.by_kind(absorbed), b), kp, "MWh", _AVOIDED),
    ]  # fmt: skip
    for name, data, dims, units, long_name in rows:
        b.add(name, data, dims, units, long_name)
        b.vars[name] = b.vars[name].assign_coords(storage_kind=list(KINDS))


def storage_levels(n: pypsa.Network) -> pd.DataFrame:
    """Energy stored as a share of energy capacity, by kind, hourly [-].

    Returns
    -------
    pandas.DataFrame
        snapshot x :data:`LEVELS`: the :data:`KINDS` (all units of a kind together) and
        ``hydro_reservoirs``, the seasonal reservoirs (the stores that keep to the guide band)
        together; a column is NaN where the kind has no energy capacity.
    """
    su, soc = n.c.storage_units.static, n.c.storage_units.dynamic.state_of_charge
    st, e = n.c.stores.static, n.c.stores.dynamic.e
    groups = {c: ("su", su.index[su.carrier == c], (su.p_nom * su.max_hours)) for c in ("phs", "battery")}
    groups["h2"] = ("st", st.index[st.carrier == "H2"], st.e_nom)
    groups["hydro_reservoirs"] = ("st", seasonal_reservoirs(n), st.e_nom)
    out = {}
    for name, (component, ids, capacity) in groups.items():
        level = (soc if component == "su" else e).reindex(index=n.snapshots, columns=ids, fill_value=0.0)
        total = float(capacity[ids].sum())
        out[name] = level.sum(axis=1) / total if total > 0 else pd.Series(np.nan, index=n.snapshots)
    return pd.DataFrame(out, index=n.snapshots)[list(LEVELS)]
