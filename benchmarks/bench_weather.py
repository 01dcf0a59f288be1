"""Benchmark of the numba weather generator.

Run as ``.venv/bin/python benchmarks/bench_weather.py [n_years]``. Prints:

* wall time of 100 weather years × 9 prefectures × 8,760 h of every variable, after compilation;
* the same in two fresh processes (the second shows numba's on-disk cache: no recompilation),
  with each process's peak resident memory;
* a straightforward vectorised NumPy version of the same model on the same inputs, and the ratio.

The NumPy reference vectorises over years, sites and stations and steps through time for the
AR(1) recursions; it uses NumPy's own random generator, so it matches the kernels in structure
and cost, not bit for bit.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr  # NumPy reference only (scipy comes with pvlib); not in the model

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model import NETWORK_DATA  # noqa: E402
from model.weather import generate_profiles, load_params  # noqa: E402
from model.weather import generator as gen  # noqa: E402
from model.weather.random import distance_km  # noqa: E402
from model.weather.timeaxis import daily_interp, monthly_curve, time_axis  # noqa: E402


def read_inputs():
    buses = pd.read_csv(NETWORK_DATA / "buses.csv")
    regions = buses[buses["kind"] == "prefecture"].set_index("id")[["lon", "lat"]]
    stations = (
        pd.read_csv(NETWORK_DATA / "hydro.csv").set_index("id")
        .rename(columns={"p_nom_2030_mw": "p_nom_mw"})
    )
    shares = pd.read_csv(NETWORK_DATA / "demand_shares.csv").set_index("bus")["share"]
    return regions, stations, shares


def ar1(rng, phi, chol, n_lead, n_steps):
    """Correlated AR(1), shape (n_lead, n_sites, n_steps), time stepped, sites vectorised."""
    n = chol.shape[0]
    e = rng.standard_normal((n_steps, n_lead, n)) @ chol.T
    out = np.empty((n_lead, n, n_steps))
    out[..., 0] = e[0]
    innov = np.sqrt(1 - phi * phi)
    for t in range(1, n_steps):
        out[..., t] = phi * out[..., t - 1] + innov * e[t]
    return out


def numpy_reference(regions, stations, shares, n_years, seed=1):
    """The generator's model written as plain vectorised NumPy (all variables)."""
    p = load_params()
    rng = np.random.default_rng(seed)
    axis = time_axis(2030)
    doy, hour, n_t = axis.day_of_year, axis.hour, 8760
    lon, lat = regions["lon"].to_numpy(float), regions["lat"].to_numpy(float)
    dist = distance_km(lon, lat)

    def chol(length):
        return np.linalg.cholesky(np.exp(-dist / length))

    season = daily_interp(p.month("cold_snap_season"), doy)
    z = ar1(rng, np.exp(-1 / p["regime_efold_h"]), np.ones((1, 1)), n_years, n_t)[:, 0]
    snap = season * np.maximum(0, z - p["regime_threshold"])
    clim = monthly_curve(p.month("temperature_mean"), doy, axis.month)
    amp = daily_interp(p.month("temperature_diurnal_amp"), doy)
    clim = clim + amp * np.cos(2 * np.pi * (hour + 0.5 - 15) / 24)
    temp = clim + p["temperature_sd_c"] * ar1(
        rng, np.exp(-1 / p["temperature_efold_h"]), chol(p["temperature_corr_km"]), n_years, n_t
    ) - p["regime_temperature_c"] * snap[:, None, :]

    # Solar geometry (Spencer) and PV.
    g = 2 * np.pi / 365 * (doy - 1 + (hour + 0.5 - 20) / 24)
    decl = (0.006918 - 0.399912 * np.cos(g) + 0.070257 * np.sin(g) - 0.006758 * np.cos(2 * g)
            + 0.000907 * np.sin(2 * g) - 0.002697 * np.cos(3 * g) + 0.00148 * np.sin(3 * g))
    eot = 229.18 * (0.000075 + 0.001868 * np.cos(g) - 0.032077 * np.sin(g)
                    - 0.014615 * np.cos(2 * g) - 0.040849 * np.sin(2 * g))
    e0 = 1367 * (1.00011 + 0.034221 * np.cos(g) + 0.00128 * np.sin(g))
    omega = np.radians(15 * (hour + 0.5 + (lon[:, None] - 120) / 15 + eot / 60 - 12))
    phi_ = np.radians(lat)[:, None]
    up = np.sin(phi_) * np.sin(decl) + np.cos(phi_) * np.cos(decl) * np.cos(omega)
    north = np.cos(phi_) * np.sin(decl) - np.sin(phi_) * np.cos(decl) * np.cos(omega)
    beta = np.radians(p["pv_tilt_deg"])
    cos_aoi = -north * np.sin(beta) + up * np.cos(beta)
    loc = gen.solar.logit_location(daily_interp(p.month("clearness_mean"), doy),
                                   p["clearness_logit_sd"], 0.05, 1.0)
    x = loc + p["clearness_logit_sd"] * ar1(rng, np.exp(-1 / p["clearness_efold_h"]),
                                            chol(p["clearness_corr_km"]), n_years, n_t)
    k = 0.05 + 0.95 / (1 + np.exp(-(x - p["regime_clearness_logit"] * snap[:, None, :])))
    cz = np.maximum(up, 1e-6)
    ghi = np.where(up > 0, 1098 * cz * np.exp(-0.057 / cz), 0.0) * k
    kt = np.minimum(ghi / (e0 * cz), 1.0)
    fd = np.where(kt <= 0.22, 1 - 0.09 * kt, np.where(
        kt <= 0.8, 0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4, 0.165))
    dhi = np.where(cz > 0.065, ghi * fd, ghi)
    beam = np.where(cz > 0.065, (ghi - dhi) / cz, 0.0)
    cb = np.cos(beta)
    poa = beam * np.maximum(cos_aoi, 0) + dhi * (1 + cb) / 2 + ghi * 0.2 * (1 - cb) / 2
    tc = temp + (p["pv_noct_c"] - 20) / 800 * poa
    pv = np.clip(poa / 1000 * (1 + p["pv_temp_coeff"] * (tc - 25)) * p["pv_system_factor"], 0, 1)
    pv = np.where(up > 0, pv, 0.0).astype(np.float32)

    # Wind.
    zw = ar1(rng, np.exp(-1 / p["wind_efold_h"]), chol(p["wind_corr_km"]), n_years, n_t)
    scale = p["wind_scale_ms"] * daily_interp(p.month("wind_scale"), doy)
    v = scale * (-np.log(np.maximum(ndtr(-zw), 1e-300))) ** (1 / p["weibull_k"])
    v = v * np.maximum(0.2, 1 - p["regime_wind"] * snap[:, None, :])
    ci, r, co = p["cut_in_ms"], p["rated_ms"], p["cut_out_ms"]
    wind = np.where((v < ci) | (v >= co), 0.0, np.where(v >= r, 1.0, (v**3 - ci**3) / (r**3 - ci**3)))
    wind = (wind * p["wind_loss_factor"]).astype(np.float32)

    # Hydro (daily, then hourly).
    n_s = len(stations)
    zr = ar1(rng, np.exp(-1 / p["river_efold_d"]), np.eye(n_s), n_years, 365)
    seasonal = monthly_curve(p.month("hydro_factor"), doy, axis.month)[::24]
    dry = snap.reshape(n_years, 365, 24).mean(-1)
    q = seasonal * np.exp(p["river_sd"] * zr - p["regime_inflow"] * dry[:, None, :])
    mean_mw = stations["mean_generation_gwh"].to_numpy(float) * 1e3 / 8760
    q = q / q.mean(-1, keepdims=True) * mean_mw[:, None]
    inflow = np.repeat(q, 24, axis=-1).astype(np.float32)

    # Demand.
    shape = np.ones(n_t)
    daily_t = temp.reshape(n_years, len(lon), 365, 24).mean(-1)
    w = 1 + p["heating_sensitivity"] * np.maximum(0, p["heating_base_c"] - daily_t)
    load = shares.to_numpy()[:, None] * shape * np.repeat(w, 24, axis=-1)
    load = (load * 250e6 / load.sum(axis=(1, 2), keepdims=True)).astype(np.float32)
    return pv, wind, inflow, load, temp.astype(np.float32)


CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from benchmarks.bench_weather import read_inputs
from model.weather import generate_profiles
r, s, d = read_inputs()
generate_profiles(r, s, d, 250.0, n_years=1)
t1 = time.perf_counter()
ds = generate_profiles(r, s, d, 250.0, n_years={n})
t2 = time.perf_counter()
print(json.dumps({{"first_call_s": t1 - t0, "run_s": t2 - t1, "nbytes_mb": ds.nbytes / 2**20,
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def fresh_process(n_years: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), n=n_years)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(n_years: int = 100) -> None:
    regions, stations, shares = read_inputs()
    print(f"weather generator benchmark: {n_years} years x {len(regions)} prefectures x 8,760 h, "
          f"{len(stations)} stations")
    t = time.perf_counter()
    generate_profiles(regions, stations, shares, 250.0, n_years=1)
    print(f"  first call in this process (compile or cache load, 1 year): "
          f"{time.perf_counter() - t:6.2f} s")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        ds = generate_profiles(regions, stations, shares, 250.0, n_years=n_years)
        times.append(time.perf_counter() - t)
    best = min(times)
    print(f"  numba, {n_years} years after compilation: best of 3 {best:6.2f} s "
          f"(runs: {', '.join(f'{x:.2f}' for x in times)}); dataset {ds.nbytes / 2**20:.0f} MiB")
    for i in (1, 2):
        r = fresh_process(n_years)
        print(f"  fresh process {i}: import + first call {r['first_call_s']:6.2f} s, "
              f"{n_years} years {r['run_s']:6.2f} s, peak RSS {r['maxrss_mb']:.0f} MiB")
    t = time.perf_counter()
    numpy_reference(regions, stations, shares, n_years)
    ref = time.perf_counter() - t
    print(f"  NumPy reference, {n_years} years: {ref:6.2f} s -> numba is {ref / best:4.1f}x faster")
    print(f"  peak RSS of this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
