"""Sweep throughput on Dask: cases per minute with 1 and 2 workers, screening speed-up and error.

Usage::

    .venv/bin/python benchmarks/bench_sweep.py [--cases 8] [--hours 720] [--screen-cases 4]
    .venv/bin/python benchmarks/bench_sweep.py --full-year-50      # ~50 full-year cases: long

1. **Scaling.** The same ``--cases`` cases (2030 mix, extreme-dry, a grid of coal and battery
   power; ``--hours`` hours, monolithic so the solve dominates) run as a sweep on a local cluster
   of 1 worker, then of 2 workers, each into an empty case store. Workers are started and
   warmed (imports, weather cache) before the clock starts, so cases/min is the steady rate.
2. **Screening.** ``--screen-cases`` full-year cases solved at the screening resolution
   (``--resolution``) and hourly (decomposed dispatch, one core each): wall time of each
   [s], the speed-up, and the screening error (LOLE [h], EUE [MWh], cost [%], verdicts).
3. ``--full-year-50``: a 50-case full-year hourly sweep (5 coal x 5 battery x 2 PHS sizes,
   extreme-dry) on 2 workers: its wall time. Run it on a quiet machine only.

Results are printed and written to ``benchmarks/results/bench_sweep.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.sweep import dask_client, load_sweep, run_sweep  # noqa: E402
from model.sweep.case import HOURLY, run_case  # noqa: E402

SWEEP = """
name: bench-{tag}
base: {base}
overrides: {overrides}
axes: {axes}
hydrology: [extreme_dry]
metrics: [lole_h, eue_mwh, objective_cny]
output_dir: {out}
"""


def _sweep(folder: Path, tag: str, axes: dict, overrides: dict) -> Path:
    path = folder / f"{tag}.yaml"
    text = SWEEP.format(
        tag=tag,
        base=ROOT / "runs" / "2030-target.yaml",
        overrides=json.dumps(overrides),
        axes=json.dumps(axes),
        out=folder / tag,
    )
    path.write_text(text, encoding="utf-8")
    return path


def _grid(n: int) -> dict[str, list[float]]:
    """A coal x battery grid of at least ``n`` cases (coal 14-22 GW, battery 4-12 GW)."""
    coal = [14.0, 16.0, 18.0, 20.0, 22.0][: max(1, min(5, (n + 1) // 2))]
    battery = [4.0, 6.0, 8.0, 10.0, 12.0][: -(-n // len(coal))]
    return {"coal_gw": coal, "battery_gw": battery}


def _warm(client, sweep) -> None:
    """Import the model in every worker and fill the weather cache once, off the clock."""
    client.run(lambda: __import__("model.sweep.case") and __import__("pypsa"))
    from model.register import load_register
    from model.run import scenario_profiles

    register = load_register()
    for case in sweep.cases:
        scenario_profiles(case.scenario, register)


def scaling(folder: Path, cases: int, hours: int) -> dict[str, float]:
    """Cases per minute on 1 and on 2 workers for the same cases."""
    overrides = {"dispatch.horizon_hours": hours, "dispatch.mode": "monolithic"}
    out: dict[str, float] = {}
    for workers in (1, 2):
        path = _sweep(folder, f"scale{workers}", _grid(cases), overrides)
        sweep = load_sweep(path)
        sweep = dataclasses.replace(sweep, cases=sweep.cases[:cases])
        with dask_client(workers) as client:
            _warm(client, sweep)
            t = time.perf_counter()
            outcome = run_sweep(sweep, scheduler=client.scheduler.address, progress=False)
            wall = time.perf_counter() - t
        assert outcome.solved == len(sweep.cases), outcome
        out[f"cases_per_min_{workers}w"] = 60 * len(sweep.cases) / wall
        out[f"wall_s_{workers}w"] = wall
        print(
            f"  {workers} worker(s): {len(sweep.cases)} cases of {hours} h in {wall:.1f} s = "
            f"{out[f'cases_per_min_{workers}w']:.2f} cases/min",
            flush=True,
        )
    out["speedup_2w"] = out["cases_per_min_2w"] / out["cases_per_min_1w"]
    print(f"  second worker: x{out['speedup_2w']:.2f} (goal >= 1.7)", flush=True)
    return out


def screening(folder: Path, n: int, resolution: str) -> dict[str, float]:
    """Full-year cases at ``resolution`` and hourly: speed-up and error."""
    path = _sweep(folder, "screen", {"coal_gw": [15.0, 18.0], "battery_gw": [4.0, 12.0]}, {})
    sweep = load_sweep(path)
    cases = sweep.cases[:n]
    with dask_client(2) as client:
        _warm(client, sweep)
        jobs = [(c, r) for c in cases for r in (resolution, HOURLY)]
        futures = [client.submit(run_case, c.scenario.model_dump_json(), r, pure=False) for c, r in jobs]
        records = client.gather(futures)
    standard = sweep.lole_standard_h
    rows = []
    for k, case in enumerate(cases):
        s, h = records[2 * k], records[2 * k + 1]
        if s["status"] != "done" or h["status"] != "done":
            print(f"  {case.coords}: failed: {s.get('error') or h.get('error')}")
            continue
        sm, hm = s["metrics"], h["metrics"]
        rows.append(
            {
                "screen_s": s["wall_s"],
                "hourly_s": h["wall_s"],
                "lole_err": abs(sm["lole_h"] - hm["lole_h"]),
                "eue_err": abs(sm["eue_mwh"] - hm["eue_mwh"]),
                "cost_err": abs(sm["objective_cny"] / hm["objective_cny"] - 1),
                "flip": (sm["lole_h"] <= standard) != (hm["lole_h"] <= standard),
            }
        )
        coords = ", ".join(f"{a} {case.coords[a]:g}" for a in ("coal_gw", "battery_gw"))
        print(
            f"  {coords}: {resolution} {s['wall_s']:.0f} s LOLE {sm['lole_h']:.0f} h "
            f"EUE {sm['eue_mwh']:.0f} MWh"
            f" | 1h {h['wall_s']:.0f} s LOLE {hm['lole_h']:.0f} h EUE {hm['eue_mwh']:.0f} MWh"
            f" | cost error {rows[-1]['cost_err']:.2%}",
            flush=True,
        )
    if not rows:
        return {}
    mean = {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}
    out = {
        "screen_s": mean["screen_s"],
        "hourly_s": mean["hourly_s"],
        "speedup": mean["hourly_s"] / mean["screen_s"],
        "lole_mae_h": mean["lole_err"],
        "eue_mae_mwh": mean["eue_err"],
        "cost_mean_rel_error": mean["cost_err"],
        "verdict_flips": sum(r["flip"] for r in rows),
        "cases": len(rows),
    }
    print(
        f"  screening at {resolution}: x{out['speedup']:.2f} faster per case; LOLE error mean "
        f"{out['lole_mae_h']:.1f} h, EUE {out['eue_mae_mwh']:.0f} MWh, "
        f"cost {out['cost_mean_rel_error']:.2%}, "
        f"{out['verdict_flips']} of {len(rows)} verdicts wrong",
        flush=True,
    )
    return out


def full_year_50(folder: Path) -> dict[str, float]:
    """Wall time of a 50-case full-year hourly sweep on 2 workers."""
    axes = {
        "coal_gw": [14.0, 16.0, 18.0, 20.0, 22.0],
        "battery_gw": [4.0, 6.0, 8.0, 10.0, 12.0],
        "phs_gw": [5.0, 10.0],
    }
    sweep = load_sweep(_sweep(folder, "full50", axes, {}))
    t = time.perf_counter()
    outcome = run_sweep(sweep, workers=2, progress=True)
    wall = time.perf_counter() - t
    print(
        f"  50 full-year cases: {wall / 60:.1f} min wall on {outcome.workers} workers "
        f"({outcome.solved} solved, {outcome.failed} failed); {60 * outcome.solved / wall:.2f} cases/min"
    )
    return {"wall_s": wall, "solved": outcome.solved, "failed": outcome.failed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=8, help="cases of the scaling test")
    parser.add_argument("--hours", type=int, default=720, help="horizon of the scaling cases [h]")
    parser.add_argument("--screen-cases", type=int, default=4, help="full-year cases of the screening test")
    parser.add_argument("--resolution", default="3h", help="screening resolution")
    parser.add_argument("--full-year-50", action="store_true", help="also time a 50-case full-year sweep")
    parser.add_argument("--skip-scaling", action="store_true")
    args = parser.parse_args()
    print(f"bench_sweep on {os.cpu_count()} cores (other load inflates these figures)", flush=True)
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        folder = Path(tmp)
        if not args.skip_scaling:
            print(f"scaling: {args.cases} cases of {args.hours} h, monolithic", flush=True)
            results["scaling"] = scaling(folder, args.cases, args.hours)
        if args.screen_cases:
            print(f"screening: {args.screen_cases} full-year cases, {args.resolution} and hourly", flush=True)
            results["screening"] = screening(folder, args.screen_cases, args.resolution)
        if args.full_year_50:
            print("full-year sweep of 50 cases on 2 workers", flush=True)
            results["full_year_50"] = full_year_50(folder)
    out = ROOT / "benchmarks" / "results" / "bench_sweep.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
