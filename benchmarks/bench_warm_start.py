"""A sweep case started from another case's window bases, against the same case solved cold.

Usage::

    .venv/bin/python benchmarks/bench_warm_start.py [--scenario runs/2030-target.yaml]

Solves, in one process and one after the other: case A (4 GW batteries, 5 GW pumped hydro),
case B (8 GW, 10 GW) cold, and case B from A's window bases, as a sweep does
(:mod:`model.sweep.warm`). Prints each one's wall time, the dispatch's time split, how the
windows started, and the two B results side by side (system cost, LOLE, export cut, coal).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.scenario import load_scenario, with_overrides  # noqa: E402
from model.sweep.case import _solve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "runs" / "2030-target.yaml")
    args = parser.parse_args()
    base = load_scenario(args.scenario)
    a = with_overrides(base, **{"carrier_gw": {"battery": 4.0, "phs": 5.0}}).model_dump_json()
    b = with_overrides(base, **{"carrier_gw": {"battery": 8.0, "phs": 10.0}}).model_dump_json()
    rows = []
    t = time.perf_counter()
    _, ref = _solve(a, "1h")
    rows.append(("A cold", time.perf_counter() - t, *_solve_parts(ref)))
    for name, warm in (("B cold", None), ("B from A", ref.warm)):
        t = time.perf_counter()
        metrics, result = _solve(b, "1h", warm)
        rows.append((name, time.perf_counter() - t, *_solve_parts(result), metrics))
    for name, wall, timings, started, *metrics in rows:
        print(f"{name:9s} {wall:6.1f} s wall; dispatch {timings}; windows {started}")
        if metrics:
            m = metrics[0]
            print(f"          cost {m['objective_cny']:.7e} CNY, LOLE {m['lole_h']} h, export cut "
                  f"{m['export_cut_mwh']:.0f} MWh, coal {m['generation_coal_twh']:.4f} TWh")  # fmt: skip


def _solve_parts(result) -> tuple[str, str]:
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
    d = result.diagnostics
    started = ", ".join(f"{k[8:]} {int(v)}" for k, v in d.items() if k.startswith("windows_"))
    return timings, started


if __name__ == "__main__":
    main()
