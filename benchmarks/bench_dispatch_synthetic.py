"""Benchmark: decomposed vs monolithic dispatch of a synthetic 9-bus year.

The network is built here from closed-form profiles (no register, no weather generator) with
roughly the size and shape of a gzgrid 2030 network: per bus three coal classes with minimum
load and ramp limits, solar, wind, a battery, a two-reservoir cascade with seasonal inflow,
demand response with an annual energy budget and an event cap, load shedding; a ring of lines;
an export link to Guangdong with an export-cut penalty; one hydrogen chain.

Usage::

    .venv/bin/python benchmarks/bench_dispatch_synthetic.py [--hours 8760] [--skip-monolithic]

Prints the wall time of each mode, where the decomposed time goes, and the agreement
(objective %, unserved energy).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

import numpy as np
import pandas as pd
import pypsa

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from model.dispatch import dispatch
from model.scenario import DispatchOptions, SolverOptions

BUSES = [
    "guiyang", "zunyi", "liupanshui", "anshun", "bijie",
    "tongren", "qiandongnan", "qiannan", "qianxinan",
]  # fmt: skip


def unserved_energy_mwh(n: pypsa.Network) -> float:
    """Energy of the load-shedding generators [MWh] (export cuts included)."""
    g = n.c.generators
    return float(g.dynamic.p.loc[:, g.static.carrier == "load_shedding"].sum().sum())


def build_synthetic(hours: int = 8760, seed: int = 0) -> pypsa.Network:
    """A synthetic 9-bus Guizhou-like network [MW, MWh, CNY] over ``hours`` hourly snapshots."""
    rng = np.random.default_rng(seed)
    sns = pd.date_range("2030-01-01", periods=hours, freq="h")
    t = np.arange(hours)
    doy = t / 24.0
    hod = t % 24
    n = pypsa.Network()
    n.set_snapshots(sns)
    nb = len(BUSES)
    n.add("Bus", BUSES, carrier="AC")
    n.add("Bus", "guangdong", carrier="AC")

    # demand: winter peak, evening peak, noise [MW]
    season = 1 + 0.18 * np.cos(2 * np.pi * doy / 365)
    daily = 1 + 0.15 * np.sin(2 * np.pi * (hod - 13) / 24) + 0.1 * np.exp(-((hod - 19) ** 2) / 4)
    base = rng.uniform(1500, 4000, nb)
    load = pd.DataFrame(
        {f"load_{b}": base[i] * season * daily * (1 + 0.03 * rng.standard_normal(hours))
         for i, b in enumerate(BUSES)},
        index=sns,
    )  # fmt: skip
    n.add("Load", load.columns, bus=BUSES, p_set=load)

    # coal: three classes per bus
    coal = []
    for i, b in enumerate(BUSES):
        for k, (share, cost) in enumerate([(0.5, 280.0), (0.4, 320.0), (0.3, 380.0)]):
            coal.append(dict(name=f"coal_{b}_{k}", bus=b, p_nom=share * base[i], marginal_cost=cost + 5 * i))
    coal = pd.DataFrame(coal).set_index("name")
    n.add("Generator", coal.index, bus=coal.bus, p_nom=coal.p_nom, marginal_cost=coal.marginal_cost,
          carrier="coal", p_min_pu=0.35, ramp_limit_up=0.25, ramp_limit_down=0.25)  # fmt: skip

    # solar and wind
    sun = np.clip(np.sin(np.pi * (hod - 6) / 12), 0, None) * (
        0.8 + 0.2 * np.sin(2 * np.pi * (doy - 80) / 365)
    )
    cloud = np.repeat(rng.uniform(0.3, 1.0, hours // 24 + 1), 24)[:hours]
    solar_pu = pd.DataFrame({f"solar_{b}": sun * cloud for b in BUSES}, index=sns)
    n.add("Generator", solar_pu.columns, bus=BUSES, p_nom=1.2 * base, p_max_pu=solar_pu,
          carrier="solar", marginal_cost=0.0)  # fmt: skip
    wind = np.clip(0.3 + 0.2 * np.cos(2 * np.pi * doy / 365)
                   + 0.25 * np.sin(2 * np.pi * t / 37) * np.sin(2 * np.pi * t / 113), 0, 1)  # fmt: skip
    wind_pu = pd.DataFrame({f"wind_{b}": np.roll(wind, 7 * i) for i, b in enumerate(BUSES)}, index=sns)
    n.add("Generator", wind_pu.columns, bus=BUSES, p_nom=0.3 * base, p_max_pu=wind_pu,
          carrier="wind", marginal_cost=0.0)  # fmt: skip

    # batteries [MW, h]
    n.add("StorageUnit", [f"battery_{b}" for b in BUSES], bus=BUSES, p_nom=0.08 * base, max_hours=4,
          efficiency_store=0.93, efficiency_dispatch=0.93, carrier="battery",
          cyclic_state_of_charge=True, marginal_cost=1.0)  # fmt: skip

    # hydro cascades: upper -> lower reservoir on each bus; wet summer, dry winter
    wet = 1 + 0.8 * np.sin(2 * np.pi * (doy - 100) / 365)
    up = [f"res_{b}_up" for b in BUSES]
    lo = [f"res_{b}_lo" for b in BUSES]
    n.add("Bus", up + lo, carrier="hydro_reservoir")
    turb = 0.35 * base
    inflow = pd.DataFrame({f"inflow_{r}": wet * (0.6 if r.endswith("up") else 0.3) / 1.8
                           for r in up + lo}, index=sns)  # fmt: skip
    n.add("Generator", inflow.columns, bus=up + lo, p_nom=np.r_[turb, turb], p_max_pu=inflow,
          p_min_pu=inflow, carrier="hydro_inflow", marginal_cost=0.0)  # fmt: skip
    n.add("Store", [f"store_{r}" for r in up + lo], bus=up + lo, carrier="hydro_reservoir",
          e_nom=np.r_[turb * 1500, turb * 400], e_cyclic=True)  # fmt: skip
    n.add("Link", [f"turbine_{r}" for r in up], bus0=up, bus1=BUSES, bus2=lo, efficiency=0.9,
          efficiency2=0.5, p_nom=turb, carrier="hydro")  # fmt: skip
    n.add("Link", [f"turbine_{r}" for r in lo], bus0=lo, bus1=BUSES, efficiency=0.9, p_nom=turb,
          carrier="hydro")  # fmt: skip
    n.add("Link", [f"spill_{r}" for r in up], bus0=up, bus1=BUSES, efficiency=0.0, bus2=lo,
          efficiency2=0.5, p_nom=10 * turb, carrier="spill")  # fmt: skip
    n.add("Link", [f"spill_{r}" for r in lo], bus0=lo, bus1=BUSES, efficiency=0.0, p_nom=10 * turb,
          carrier="spill")  # fmt: skip

    # demand response: 5 % of peak, 200 h/yr, events of at most 4 h
    dr = [f"dr_{b}" for b in BUSES]
    dr_nom = 0.05 * load.max().to_numpy()
    n.add("Generator", dr, bus=BUSES, p_nom=dr_nom, marginal_cost=2000.0, carrier="dr",
          e_sum_max=dr_nom * 200)  # fmt: skip
    n.meta["gzgrid"] = {"dr_event_hours": {g: 4 for g in dr}}

    n.add("Generator", [f"shed_{b}" for b in BUSES], bus=BUSES, p_nom=1e5, marginal_cost=10_000.0,
          carrier="load_shedding")  # fmt: skip

    # transmission: a ring plus two chords
    pairs = [(BUSES[i], BUSES[(i + 1) % nb]) for i in range(nb)] + [
        (BUSES[0], BUSES[4]),
        (BUSES[2], BUSES[6]),
    ]
    n.add("Line", [f"line_{a}_{b}" for a, b in pairs], bus0=[a for a, _ in pairs], bus1=[b for _, b in pairs],
          s_nom=1500.0, x=0.1, r=0.01)  # fmt: skip

    # exports to Guangdong
    exp = 3000 * (1 + 0.2 * np.sin(2 * np.pi * (doy - 100) / 365)) * (0.8 + 0.2 * (hod >= 8) * (hod <= 22))
    n.add("Link", "export", bus0=BUSES[0], bus1="guangdong", p_nom=4000.0, carrier="export")
    n.add("Load", "guangdong_load", bus="guangdong", p_set=pd.Series(exp, index=sns))
    n.add(
        "Generator", "export_cut", bus="guangdong", p_nom=1e5, marginal_cost=3000.0, carrier="load_shedding"
    )

    # hydrogen at one bus
    n.add("Bus", "h2_bijie", carrier="H2")
    n.add(
        "Link", "electrolyser_bijie", bus0="bijie", bus1="h2_bijie", p_nom=500, efficiency=0.7, carrier="H2"
    )
    n.add("Link", "fuel_cell_bijie", bus0="h2_bijie", bus1="bijie", p_nom=300, efficiency=0.5, carrier="H2")
    n.add("Store", "h2_store_bijie", bus="h2_bijie", e_nom=500 * 24 * 30, e_cyclic=True, carrier="H2")
    n.add("Load", "h2_demand_bijie", bus="h2_bijie", p_set=100.0)
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hours", type=int, default=8760)
    ap.add_argument("--skip-monolithic", action="store_true")
    ap.add_argument("--window-days", type=int, default=7)
    ap.add_argument("--overlap-days", type=int, default=1)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for name in ("pypsa", "linopy"):
        logging.getLogger(name).setLevel(logging.ERROR)

    t0 = time.perf_counter()
    n_dec = build_synthetic(args.hours)
    ncomp = sum(
        len(c.static)
        for c in n_dec.components
        if not c.static.empty and c.name not in ("Bus", "Carrier", "SubNetwork")
    )
    print(f"network: {len(n_dec.buses)} buses, {ncomp} components, {len(n_dec.snapshots)} h "
          f"(built in {time.perf_counter() - t0:.1f} s)")  # fmt: skip
    solver = SolverOptions(time_limit_s=3600)
    opts = DispatchOptions(mode="decomposed", window_days=args.window_days, overlap_days=args.overlap_days)
    t0 = time.perf_counter()
    res_d = dispatch(n_dec, opts, solver)
    wall_d = time.perf_counter() - t0
    use_d = unserved_energy_mwh(n_dec)
    print(f"decomposed: wall {wall_d:.1f} s, objective {res_d.objective_cny:.6e} CNY, "
          f"unserved {use_d:.1f} MWh, windows {res_d.n_windows}")  # fmt: skip
    for k, v in res_d.timings.items():
        print(f"  {k:>24s}: {v:8.2f}")
    for k, v in res_d.diagnostics.items():
        print(f"  {k:>24s}: {v:12.4g}")
    if args.skip_monolithic:
        return
    n_mono = build_synthetic(args.hours)
    t0 = time.perf_counter()
    res_m = dispatch(n_mono, DispatchOptions(mode="monolithic"), solver)
    wall_m = time.perf_counter() - t0
    use_m = unserved_energy_mwh(n_mono)
    print(f"monolithic: wall {wall_m:.1f} s (build {res_m.build_seconds:.1f} s, "
          f"solve {res_m.solve_seconds:.1f} s), objective {res_m.objective_cny:.6e} CNY, "
          f"unserved {use_m:.1f} MWh")  # fmt: skip
    gap = (res_d.objective_cny - res_m.objective_cny) / res_m.objective_cny * 100
    print(
        f"agreement: objective {gap:+.3f} %, unserved {use_d - use_m:+.1f} MWh; "
        f"speed-up {wall_m / wall_d:.1f}x"
    )
    dr = n_mono.c.generators.static.index[n_mono.c.generators.static.carrier == "dr"]
    print(f"DR energy: monolithic {n_mono.c.generators.dynamic.p[dr].sum().sum():.0f} MWh, "
          f"decomposed {n_dec.c.generators.dynamic.p[dr].sum().sum():.0f} MWh, "
          f"budget {n_mono.c.generators.static.e_sum_max[dr].sum():.0f} MWh")  # fmt: skip


if __name__ == "__main__":
    main()
