"""Metrics of a solved gzgrid network as one :class:`xarray.Dataset` (the run's ``metrics.nc``).

Reads a solved network only. Dimensions: ``region`` (the nine prefectures and ``province``),
``period`` (``year`` and the calendar months present, ``Jan`` ... ``Dec``), ``carrier``,
``storage_unit``, ``storage_kind``, ``store``, ``month`` and ``snapshot``/``bus`` for prices.
Conventions, where there was a choice:

- Shortfall: a loss-of-load hour as :mod:`model.reliability` defines it (more than
  ``SHORTFALL_TOL_MW`` shed in the region; for the province, in total), counted with the snapshot
  weightings. An event is a run of consecutive shortfall hours, cut at period boundaries. DR
  hours and events follow the same rule with DR output.
- Margin (supply side, before DR) and planning reserve margin: see :mod:`analysis.flows`.
- Generation: electricity delivered to the prefecture buses by each carrier (hydro through its
  turbines, storage and fuel cells by their discharge); the share denominators leave out storage
  discharge (phs, battery).
  Non-fossil = everything but coal and gas. Provincial consumption = generation minus what is
  sent out on the export links; its non-fossil part nets out the non-fossil energy exported.
- Renewable share of exports: each hour, what a prefecture sends on its export links carries
  the renewable share (hydro, run-of-river, wind, solar, biomass) of that prefecture's own
  generation that hour (the province's hourly share when the prefecture generates nothing).
  ``export_re_share_pool`` gives the alternative: the province's hourly share for all exports.
- Curtailment counts only wind, solar and run-of-river: offered (``p_nom x p_max_pu``) minus
  delivered. Hydro spill is the spill links' flow at the spilling station's head; in a cascade
  that water reaches the next reservoir, so ``spill_lost_mwh`` counts only spill out of the basin.
- Storage (cycles, full-load hours, value, curtailment avoided): see :mod:`analysis.storage`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

import analysis.flows as flows_module
import analysis.storage as storage_module
from analysis.flows import (
    FOSSIL,
    PROVINCE,
    REGIONS,
    RENEWABLE,
    STORAGE_CARRIERS,
    SUPPLY,
    VRE,
    by_bus,
    capacity_by_region,
    export_obligation,
    hourly_flows,
    margin,
    with_province,
)
from analysis.thermal import coal_commitment, emission_rates, thermal_output
from model.atomic import write_with
from model.register import EXPORT_BUS, PREFECTURES
from model.reliability import SHORTFALL_TOL_MW, loss_of_load_hours, verdict

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _periods(sns: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    masks = {"year": np.ones(len(sns), dtype=bool)}
    masks.update({MONTHS[m - 1]: np.asarray(sns.month == m) for m in sorted(set(sns.month))})
    return masks


def _runs(flag: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Durations [h] of the runs of consecutive True values in ``flag``."""
    d = np.diff(np.concatenate([[0], flag.astype(int), [0]]))
    cum = np.concatenate([[0.0], np.cumsum(w)])
    return cum[np.flatnonzero(d == -1)] - cum[np.flatnonzero(d == 1)]


class _Builder:
    """Collects variables over (region, period) with units and long names."""

    def __init__(self, n: pypsa.Network) -> None:
        self.sns = n.snapshots
        self.w = n.snapshot_weightings.generators.to_numpy()
        self.masks = _periods(self.sns)
        self.vars: dict[str, xr.DataArray] = {}

    def add(self, name: str, data, dims: tuple[str, ...], units: str, long_name: str) -> None:
        self.vars[name] = xr.DataArray(
            np.asarray(data), dims=dims, attrs={"units": units, "long_name": long_name}
        )

    def table(self, frame: pd.DataFrame, fn) -> np.ndarray:
        """``fn(values, weights)`` for every region (column of ``frame``) and period."""
        return np.array(
            [[fn(frame[r].to_numpy()[m], self.w[m]) for m in self.masks.values()] for r in REGIONS],
            dtype=float,
        )

    def energy(self, frame: pd.DataFrame) -> np.ndarray:
        return self.table(frame, lambda x, w: float(x @ w))

    def hours(self) -> np.ndarray:
        return np.array([self.w[m].sum() for m in self.masks.values()])


def _ratio(a, b, scale: float = 1.0) -> np.ndarray:
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    return np.divide(a * scale, b, out=np.full(a.shape, np.nan), where=b > 0)


def metrics(n: pypsa.Network, lole_standard_h: float = 2.4, reserve_margin: float = 0.15) -> xr.Dataset:
    """All metrics of a solved network (the conventions are in the module docstring).

    Parameters
    ----------
    n : pypsa.Network
        A solved gzgrid network.
    lole_standard_h : float
        Loss-of-load expectation standard [h/yr], scaled to the horizon for the verdict.
    reserve_margin : float
        Planning reserve margin standard [-], kept as an attribute for the report.

    Returns
    -------
    xarray.Dataset
        Every variable has ``units`` and ``long_name`` attributes; the dataset's attributes hold
        the verdict, the standards and the conventions used.
    """
    f = hourly_flows(n)
    b = _Builder(n)
    rp, rcp = ("region", "period"), ("region", "carrier", "period")
    _adequacy(n, f, b, rp)
    _energy(n, f, b, rp, rcp)
    _policy(n, f, b, rp)
    _storage(n, f, b)
    _commitment(n, b)
    prices = n.c.buses.dynamic.marginal_price
    ac = [c for c in (*PREFECTURES, EXPORT_BUS) if c in prices.columns]
    b.add(
        "marginal_price",
        prices[ac].to_numpy(),
        ("snapshot", "bus"),
        "CNY/MWh",
        "hourly marginal price (dual of the bus energy balance)",
    )
    pre = prices.reindex(columns=list(PREFECTURES))
    ld = f["load"][list(PREFECTURES)]
    mean = pre.assign(province=(pre * ld.to_numpy()).sum(axis=1) / ld.sum(axis=1).replace(0, np.nan))
    b.add(
        "price_mean",
        b.table(mean, lambda x, w: float(np.mean(x[np.isfinite(x)])) if np.isfinite(x).any() else np.nan),
        rp,
        "CNY/MWh",
        "mean marginal price (province: load-weighted across prefectures)",
    )
    coords = {
        "region": list(REGIONS),
        "period": list(b.masks),
        "carrier": list(SUPPLY),
        "vre": list(VRE),
        "snapshot": n.snapshots,
        "bus": ac,
        "period_hours": ("period", b.hours()),
    }
    ds = xr.Dataset(b.vars, coords=coords)
    lole = float(ds.lol_hours.sel(region=PROVINCE, period="year"))
    ds.attrs = {
        "verdict": verdict(lole, lole_standard_h, float(b.w.sum())),
        "lole_standard_h": lole_standard_h,
        "reserve_margin_standard": reserve_margin,
        "shortfall_tol_mw": SHORTFALL_TOL_MW,
        "hours": float(b.w.sum()),
        "scenario": str(n.meta.get("gzgrid", {}).get("scenario", "")),
        "conventions": _conventions(),
    }
    return ds


def _adequacy(n: pypsa.Network, f: dict[str, pd.DataFrame], b: _Builder, rp: tuple[str, str]) -> None:
    shed, dr, load = f["load_shedding"], f["dr"], f["load"]
    tol = SHORTFALL_TOL_MW
    b.add("demand_twh", b.energy(load) / 1e6, rp, "TWh", "domestic electricity demand (发电量 consumed)")
    b.add("peak_load_mw", b.table(load, lambda x, w: x.max(initial=0.0)), rp, "MW", "peak domestic load")
    b.add(
        "lol_hours",
        b.table(shed, loss_of_load_hours),
        rp,
        "h",
        "loss-of-load hours (失负荷小时数)",
    )
    eue = b.energy(shed)
    b.add("eue_mwh", eue, rp, "MWh", "expected unserved energy (load shed)")
    b.add("neue_ppm", _ratio(eue, b.energy(load), 1e6), rp, "ppm", "normalised unserved energy, of demand")
    b.add(
        "peak_shortfall_mw", b.table(shed, lambda x, w: x.max(initial=0.0)), rp, "MW", "largest hourly shed"
    )
    b.add(
        "shortfall_events",
        b.table(shed, lambda x, w: len(_runs(x > tol, w))),
        rp,
        "1",
        "number of shortfall events (runs of consecutive loss-of-load hours)",
    )
    b.add(
        "longest_shortfall_h",
        b.table(shed, lambda x, w: _runs(x > tol, w).max(initial=0.0)),
        rp,
        "h",
        "duration of the longest shortfall event",
    )
    b.add("dr_mwh", b.energy(dr), rp, "MWh", "demand-response energy called (需求响应)")
    b.add(
        "dr_hours", b.table(dr, lambda x, w: w[x > tol].sum()), rp, "h", "hours with demand response called"
    )
    b.add("dr_events", b.table(dr, lambda x, w: len(_runs(x > tol, w))), rp, "1", "demand-response events")
    g = n.c.generators.static
    dr_cap = with_province(g[g.carrier == "dr"].groupby("bus").p_nom.sum().to_frame().T).iloc[0]
    b.add("dr_capacity_mw", dr_cap[list(REGIONS)].to_numpy(), ("region",), "MW", "demand-response capacity")
    peak = load.max()
    b.add(
        "dr_share_of_peak",
        _ratio(dr_cap[list(REGIONS)], peak[list(REGIONS)]),
        ("region",),
        "1",
        "demand-response capacity as a share of the simulated annual peak load",
    )
    m = margin(n, f)
    b.add(
        "min_margin_mw",
        b.table(m, lambda x, w: x.min(initial=np.inf)),
        rp,
        "MW",
        "smallest hourly margin: available supply capacity (before DR) minus demand",
    )
    when = np.array([[m.index[mk][m[r].to_numpy()[mk].argmin()] for mk in b.masks.values()] for r in REGIONS])
    b.add(
        "min_margin_time",
        when.astype("datetime64[ns]"),
        rp,
        f"hours since {n.snapshots[0]:%Y-%m-%d %H:%M:%S}",
        "hour of the smallest margin (China Standard Time)",
    )
    at_peak = np.array([m[r].iloc[load[r].to_numpy().argmax()] for r in REGIONS])
    b.add(
        "reserve_margin",
        _ratio(at_peak, peak[list(REGIONS)]),
        ("region",),
        "1",
        "planning reserve margin: margin at the hour of the annual peak load, over that load",
    )


def _energy(n: pypsa.Network, f, b: _Builder, rp, rcp) -> None:
    gen = np.stack([b.energy(f[c]) for c in SUPPLY], axis=1)
    b.add("generation_twh", gen / 1e6, rcp, "TWh", "electricity generation by carrier (发电量)")
    cap = capacity_by_region(n)[list(SUPPLY)].to_numpy()[:, :, None]
    b.add("capacity_mw", cap[:, :, 0], ("region", "carrier"), "MW", "installed capacity by carrier (装机)")
    b.add(
        "utilisation_hours",
        _ratio(gen, cap),
        rcp,
        "h",
        "utilisation hours, generation over capacity (利用小时数)",
    )
    b.add("capacity_factor", _ratio(gen, cap * b.hours()), rcp, "1", "capacity factor")
    offered = np.stack([b.energy(f[f"{c}_offered"]) for c in VRE], axis=1)
    curt = np.stack([b.energy(f[f"{c}_curtailed"]) for c in VRE], axis=1)
    dims = ("region", "vre", "period")
    b.add("vre_offered_mwh", offered, dims, "MWh", "energy offered by wind, solar and run-of-river")
    b.add("curtailment_mwh", curt, dims, "MWh", "curtailed energy: offered minus delivered (弃电量)")
    b.add(
        "curtailment_pct",
        _ratio(curt, offered, 100.0),
        dims,
        "%",
        "curtailment rate, of the offered energy (弃电率)",
    )
    links = n.c.links.static
    sp = links[links.carrier == "spill"]
    region = links.bus1.reindex([i.replace(" spill", " turbine") for i in sp.index]).to_numpy()
    spill = n.c.links.dynamic.p0.loc[:, sp.index]
    b.add(
        "hydro_spill_mwh",
        b.energy(by_bus(spill, pd.Series(region, index=sp.index))),
        rp,
        "MWh",
        "water spilled past the turbines, as energy at the spilling station's head (弃水)",
    )
    lost = sp.index[sp.bus1 == "river outlet"]
    b.add(
        "spill_lost_mwh",
        b.energy(by_bus(spill[lost], pd.Series(region, index=sp.index))),
        rp,
        "MWh",
        "spill leaving the basin (not reaching a downstream reservoir)",
    )


def _policy(n: pypsa.Network, f, b: _Builder, rp) -> None:
    gen = {c: f[c] for c in SUPPLY if c not in STORAGE_CARRIERS}
    total = sum(gen.values())
    fossil = sum(gen[c] for c in FOSSIL)
    cap = capacity_by_region(n)
    counted = cap.drop(columns="battery").sum(axis=1)
    b.add(
        "coal_share_capacity",
        _ratio(cap["coal"].loc[list(REGIONS)], counted.loc[list(REGIONS)]),
        ("region",),
        "1",
        "coal share of installed generating capacity (pumped hydro in, batteries out)",
    )
    tot = b.energy(total)
    b.add("coal_share_generation", _ratio(b.energy(gen["coal"]), tot), rp, "1", "coal share of generation")
    nf = b.energy(total - fossil)
    b.add(
        "nonfossil_share_generation", _ratio(nf, tot), rp, "1", "non-fossil share of electricity generation"
    )
    p, bus = thermal_output(n, (*FOSSIL, "biomass"))
    co2 = b.energy(by_bus(p * emission_rates(n, p.columns), bus))
    b.add("co2_mt", co2 / 1e6, rp, "Mt", "CO2 emitted by power generation")
    b.add("co2_t_per_mwh", _ratio(co2, tot), rp, "t/MWh", "CO2 intensity of generation")
    # renewable share of exports, attributed hour by hour (module docstring)
    re = sum(gen[c] for c in RENEWABLE)
    pool = (re[PROVINCE] / total[PROVINCE].replace(0, np.nan)).fillna(0.0)
    local = (re / total.where(total > 1e-6)).apply(lambda s: s.fillna(pool))
    sent = f["export"]
    re_sent = with_province((sent * local)[list(PREFECTURES)])
    b.add(
        "export_sent_twh", b.energy(sent) / 1e6, rp, "TWh", "energy sent on the export links (before losses)"
    )
    b.add(
        "export_re_share",
        _ratio(b.energy(re_sent), b.energy(sent)),
        rp,
        "1",
        "renewable share of exported energy (sending prefecture's hourly generation mix)",
    )
    b.add(
        "export_re_share_pool",
        _ratio(
            b.energy(sent[[PROVINCE]].mul(pool, axis=0).reindex(columns=list(REGIONS), fill_value=0.0)),
            b.energy(sent),
        ),
        rp,
        "1",
        "renewable share of exported energy (province's hourly generation mix)",
    )
    nf_cons = b.energy(total - fossil - (sent * (1 - fossil / total.where(total > 1e-6)).fillna(0.0)))
    b.add(
        "nonfossil_share_consumption",
        _ratio(nf_cons, tot - b.energy(sent)),
        rp,
        "1",
        "non-fossil share of electricity consumed in the region (generation minus exports sent)",
    )
    links, gens = n.c.links.static, n.c.generators.static
    ex = links.index[links.carrier == "export"]
    delivered = pd.Series(-n.c.links.dynamic.p1.loc[:, ex].sum(axis=1).to_numpy(), index=n.snapshots)
    prov = {
        "export_delivered_twh": (delivered, "energy delivered to Guangdong (黔电送粤)"),
        "export_obligation_twh": (export_obligation(n), "export obligation to Guangdong"),
        "export_cut_twh": (
            # the cut is a generator at the Guangdong bus, outside every prefecture
            n.c.generators.dynamic.p.loc[:, gens.index[gens.carrier == "export_cut"]].sum(axis=1),
            "export obligation not delivered (cut)",
        ),
    }
    for name, (s, long_name) in prov.items():
        b.add(
            name,
            [float(s.to_numpy()[m] @ b.w[m]) / 1e6 for m in b.masks.values()],
            ("period",),
            "TWh",
            long_name,
        )


def _storage(n: pypsa.Network, f: dict[str, pd.DataFrame], b: _Builder) -> None:
    """Storage use per unit and per kind (:mod:`analysis.storage`), and month-end store levels."""
    storage_module.add_storage_metrics(n, f, b)
    su = n.c.storage_units.static
    dyn = n.c.storage_units.dynamic
    e_nom = (su.p_nom * su.max_hours).to_numpy()
    st = n.c.stores.static
    levels = pd.concat(
        [
            n.c.stores.dynamic.e.loc[:, st.index] / st.e_nom.replace(0, np.nan),
            dyn.state_of_charge.loc[:, su.index[su.carrier == "phs"]] / e_nom[su.carrier == "phs"],
        ],
        axis=1,
    )
    kind = [*st.carrier.to_numpy(), *["phs"] * int((su.carrier == "phs").sum())]
    month_end = levels.groupby(levels.index.month).tail(1)
    b.add(
        "level_month_end",
        month_end.to_numpy().T,
        ("store", "month"),
        "1",
        "storage level at the last hour of each month, of its energy capacity",
    )
    b.vars["level_month_end"] = b.vars["level_month_end"].assign_coords(
        store=levels.columns.to_numpy(), store_kind=("store", kind), month=month_end.index.month.to_numpy()
    )


def _commitment(n: pypsa.Network, b: _Builder) -> None:
    """Coal commitment: capacity started, committed capacity, and hours below minimum load."""
    c = coal_commitment(n)
    started = c.started
    committed = (c.status * c.available).sum(axis=1).to_numpy()
    below = (c.output < c.status * c.minimum - 1e-3).any(axis=1).to_numpy()
    per = [m for m in b.masks.values()]
    b.add("coal_started_mw", [float(started.sum(axis=1).to_numpy()[m].sum()) for m in per], ("period",), "MW",
          "coal capacity started up (committed from stopped), summed over the period")  # fmt: skip
    b.add("coal_committed_min_mw", [float(committed[m].min()) if m.any() else np.nan for m in per],
          ("period",), "MW", "least coal capacity committed in any hour")  # fmt: skip
    mean = [float(committed[m].mean()) if m.any() else np.nan for m in per]
    b.add("coal_committed_mean_mw", mean, ("period",), "MW", "mean coal capacity committed")
    b.add("coal_below_min_load_h", [float(b.w[m & below].sum()) for m in per], ("period",), "h",
          "hours in which a committed coal class ran below its minimum load (a check: 0)")  # fmt: skip


def _conventions() -> str:
    """The conventions of this module's docstring, with the margin's and storage's spelt out from
    :mod:`analysis.flows` and :mod:`analysis.storage`."""
    own = __doc__.split("there was a choice:", 1)[1].strip()
    spelt = {
        "- Margin": "- Margin" + flows_module.__doc__.split("- Margin", 1)[1].rstrip(),
        "- Storage": "- Storage" + storage_module.__doc__.split("- Storage", 1)[1].rstrip(),
    }
    lines = own.split("\n")
    return "\n".join(next((t for head, t in spelt.items() if line.startswith(head)), line) for line in lines)


def write_metrics(ds: xr.Dataset, path: Path) -> None:
    """Write ``ds`` to netCDF at ``path`` atomically (a temporary file, then renamed)."""
    ds = ds.copy()
    for var in ds.data_vars.values():
        if np.issubdtype(var.dtype, np.datetime64):  # CF time: the units go to the encoding
            var.encoding["units"] = var.attrs.pop("units")
    write_with(path, ds.to_netcdf)
