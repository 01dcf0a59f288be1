"""Benchmark of probabilistic adequacy: sample years of the 2030 system per second.

Run as ``.venv/bin/python benchmarks/bench_adequacy.py [samples] [scenario]`` (default 1,000
sample years of ``runs/2030-target.yaml``, full year, 9 prefectures, every unit). Prints, for 2
threads and then 1 thread (``numba.set_num_threads``; weather generation, outages and engine all
follow it):

* wall time and sample-years per second, after compilation (a short warm-up run loads or
  compiles the kernels first, as the command line's first call would);
* where the time went: weather generation (with the per-bus inputs), outages, engine,
  statistics; and the process's CPU time, which other processes on the machine inflate less
  than the wall time;
* the speed-up from 1 to 2 threads, and whether both gave the same numbers (they must: every
  sample is a pure function of the seed and its index).

The sampling budget (issue 7) is 1,000 sample years in at most 60 s on the 2-core reference
machine; the command line (``gzgrid adequacy runs/2030-target.yaml --samples 1000``, imports,
compilation and writing included) has 15 s. Other processes on the machine inflate the
figures; rerun on a quiet machine to compare.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numba
import xarray as xr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.adequacy import run_adequacy  # noqa: E402
from model.register import load_register  # noqa: E402
from model.scenario import load_scenario  # noqa: E402

STEPS = ("weather", "outages", "engine", "statistics")


def measure(scenario, register, samples: int, threads: int) -> tuple[dict[str, float], xr.Dataset]:
    """One run of ``samples`` sample years on ``threads`` threads: wall and CPU time and the split
    [s], and the results."""
    numba.set_num_threads(threads)
    t0, c0 = time.perf_counter(), time.process_time()
    ds = run_adequacy(scenario, register, samples, seed=1)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {"wall": wall, "cpu": cpu, **{s: float(ds.attrs[f"time_{s}_s"]) for s in STEPS}}
    out["lole"], out["lole_se"] = float(ds.lole_h_mean), float(ds.lole_h_se)
    out["eue"], out["eue_se"] = float(ds.eue_mwh_mean), float(ds.eue_mwh_se)
    return out, ds


def main() -> None:
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    path = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "runs" / "2030-target.yaml"
    scenario, register = load_scenario(path), load_register()
    print(f"adequacy benchmark: {samples} sample years of {scenario.name}, 8,760 h, "
          f"{numba.config.NUMBA_NUM_THREADS} cores available")  # fmt: skip
    t0 = time.perf_counter()
    run_adequacy(scenario, register, 4, seed=1)
    print(f"warm-up (load or compile the kernels, 4 sample years): {time.perf_counter() - t0:.1f} s")
    results, datasets = {}, {}
    for threads in (2, 1):
        r, datasets[threads] = measure(scenario, register, samples, threads)
        results[threads] = r
        split = ", ".join(f"{s} {r[s]:.1f} s" for s in STEPS)
        print(f"{threads} thread(s): {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, "
              f"{samples / r['wall']:.1f} sample-years/s ({split}); "
              f"LOLE {r['lole']:.3g} ± {r['lole_se']:.2g} h/yr, "
              f"EUE {r['eue']:.4g} ± {r['eue_se']:.2g} MWh/yr")  # fmt: skip
    same = all(datasets[1][v].equals(datasets[2][v]) for v in datasets[1].data_vars)
    print(f"1 and 2 threads give the same results: {'yes' if same else 'NO'}")
    one, two = results[1], results[2]
    gain = {s: one[s] / max(two[s], 1e-9) for s in ("wall", *STEPS)}
    print("speed-up 1 -> 2 threads: " + ", ".join(f"{k} {v:.2f}x" for k, v in gain.items()))
    verdict = "within" if two["wall"] <= 60 else "OVER"
    print(f"budget: {samples} sample years in {two['wall']:.1f} s on 2 threads ({verdict} the 60 s budget"
          f"{' for 1,000' if samples == 1000 else ''})")  # fmt: skip


if __name__ == "__main__":
    main()
