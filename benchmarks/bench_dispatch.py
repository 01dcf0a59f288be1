"""Full 2030 year of the real Guizhou network: decomposed wall time, memory, and monolithic ratio.

Usage::

    .venv/bin/python benchmarks/bench_dispatch.py [--scenario runs/2030-target.yaml] [--hours H]
                                                  [--monolithic]

Prints the time of each stage of a decomposed run (profiles, network, model build, plans,
windows, stitch, write), its peak resident memory, and with ``--monolithic`` the same horizon
solved as one LP: the speed ratio and the agreement (system cost, unserved energy, reservoir
levels at week ends, verdict). ``--hours 2160`` is the quarter year (January to March) of the
issue's ratio; the full year as one LP with unit commitment takes tens of minutes. Each mode
runs in a fresh process so peak memory is per mode.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
from pathlib import Path
from model.run import run_scenario
from model.scenario import with_overrides
from model.scenario import load_scenario
t = time.perf_counter()
hours = int(sys.argv[4]) if sys.argv[4] != "0" else None
over = {"dispatch.mode": sys.argv[2], "dispatch.horizon_hours": hours}
if sys.argv[5] == "perfect":
    over["dispatch.foresight"] = "perfect"
s = with_overrides(load_scenario(sys.argv[1]), **over)
r = run_scenario(s, out=Path(sys.argv[3]))
wall = time.perf_counter() - t
usage = resource.getrusage
peak = max(usage(resource.RUSAGE_SELF).ru_maxrss, usage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"wall_s": wall, "peak_rss_mb": peak / 1024, **r.summary}, default=str))
"""


def run_mode(scenario: Path, mode: str, out: Path, hours: int | None, foresight: str = "scenario") -> dict:
    """Run one mode in a fresh process; return its summary with wall time and peak memory."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(scenario), mode, str(out), str(hours or 0), foresight],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def stage_split(t: dict[str, float]) -> dict[str, float]:
    """Wall time by stage of a decomposed run [s]: what builds, plans, solves and writes.

    The plans and the two halves overlap in threads, so the stages are wall time, not CPU.
    """
    get = t.get
    return {
        "profiles": get("profiles_s", 0.0),
        "network": get("build_s", 0.0),
        "model build": get("dispatch_plan_network", 0.0) + get("dispatch_build", 0.0)
        + get("dispatch_plan_build", 0.0),
        "first plans": get("dispatch_plan", 0.0),
        "windows and re-plans": get("dispatch_segments", 0.0) + get("dispatch_resolve", 0.0),
        "stitch": get("dispatch_stitch", 0.0),
        "metrics and write": get("total_s", 0.0) - get("profiles_s", 0.0) - get("build_s", 0.0)
        - get("dispatch_total", 0.0),
    }


def reservoir_gap(a: Path, b: Path, every_h: int = 168) -> float:
    """Largest difference of total reservoir energy at weekly ends between two runs [GWh]."""
    import pypsa

    levels = []
    for folder in (a, b):
        n = pypsa.Network(folder / "network.nc")
        st = n.c.stores.static
        ids = st.index[st.carrier == "hydro_reservoir"]
        levels.append(n.c.stores.dynamic.e[ids].sum(axis=1).iloc[every_h - 1 :: every_h].to_numpy())
    return float(abs(levels[0] - levels[1]).max() / 1e3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "runs" / "2030-target.yaml")
    parser.add_argument("--hours", type=int, default=None, help="dispatch only the first H hours")
    parser.add_argument("--monolithic", action="store_true", help="also solve the horizon as one LP")
    parser.add_argument("--perfect", action="store_true",
                        help="decomposed with perfect foresight, as the monolithic LP has it")  # fmt: skip
    args = parser.parse_args()
    foresight = "perfect" if args.perfect else "scenario"
    with tempfile.TemporaryDirectory() as tmp:
        dec = run_mode(args.scenario, "decomposed", Path(tmp) / "dec", args.hours, foresight)
        print(f"decomposed: {dec['wall_s']:.1f} s wall for the whole run (budget 60 s for the year); peak "
              f"RSS {dec['peak_rss_mb']:.0f} MB (budget 3 GB)")  # fmt: skip
        print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in stage_split(dec["timings"]).items()))
        print("  dispatch stages: " + ", ".join(f"{k[9:]} {v:.1f} s" for k, v in dec["timings"].items()
                                               if k.startswith("dispatch_")))  # fmt: skip
        print(f"  objective {dec['objective_cny']:.6e} CNY, EUE {dec['eue_mwh']:.1f} MWh, "
              f"verdict {dec['verdict']}")  # fmt: skip
        if not args.monolithic:
            return
        t0 = time.perf_counter()
        mono = run_mode(args.scenario, "monolithic", Path(tmp) / "mono", args.hours, foresight)
        measured = time.perf_counter() - t0
        print(f"monolithic: {mono['wall_s']:.1f} s wall (process {measured:.0f} s), peak RSS "
              f"{mono['peak_rss_mb']:.0f} MB; ratio {mono['wall_s'] / dec['wall_s']:.1f}x")  # fmt: skip
        cost = 100 * (dec["objective_cny"] / mono["objective_cny"] - 1)
        gap = reservoir_gap(Path(tmp) / "dec", Path(tmp) / "mono")
        print(f"agreement: cost {cost:+.3f} %, EUE {dec['eue_mwh']:.1f} vs {mono['eue_mwh']:.1f} MWh, "
              f"reservoirs at week ends within {gap:.0f} GWh, "
              f"verdict {dec['verdict']} vs {mono['verdict']}")  # fmt: skip
    print(f"benchmark process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
