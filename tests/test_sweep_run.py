"""Sweeps on a real Dask cluster: combined dataset, resume, interruption, failing cases, screening.

One local cluster of 2 worker processes, started by gzgrid's own ``dask_client`` (what
``gzgrid sweep --workers 2`` starts), serves the whole module through its address
(``run_sweep(..., scheduler=...)``, ``gzgrid sweep --scheduler``): the workers import gzgrid
once. What the sweep machinery needs, and no more, keeps the module short: a 2 x 2 grid, 48 h,
monolithic, coal not committed (a case then costs ~2.2 s on an idle machine instead of ~3.3 s,
whatever its horizon: building the model, not solving it, dominates). Unit commitment in
dispatch is tested in test_dispatch.py and test_run_invariants.py.
"""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr

from model import ROOT
from model.cli import main
from model.errors import GzgridWarning
from model.sweep import CaseStore, load_sweep, run_sweep
from model.sweep.execute import dask_client
from tests.conftest import RUNS

SMALL = f"""
name: small-sweep
base: {RUNS / "2030-target.yaml"}
overrides: {{dispatch.horizon_hours: 48, dispatch.mode: monolithic, dispatch.unit_commitment: false}}
axes:
  battery_gw: [4, 8]
  coal_gw: {{start: 10, stop: 20, step: 10}}
hydrology: [dry]
metrics: [lole_h, eue_mwh, peak_shortfall_mw, generation_coal_twh]
figures: {{heatmap: [coal_gw, battery_gw], storage_cost_cny: {{battery_gw: 1.8e9}}}}
output_dir: {{out}}
"""


def _sweep_file(folder: Path, out: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "small.yaml"
    path.write_text(SMALL.replace("{out}", out), encoding="utf-8")
    return path


def _load(path: Path) -> xr.Dataset:
    with xr.open_dataset(path) as ds:
        return ds.load()


CASES = 4  # battery x coal x one hydrology x one weather year


@pytest.fixture(scope="module")
def scheduler():
    """The address of the module's local cluster (2 one-thread worker processes)."""
    with dask_client(workers=2) as client:
        yield client.scheduler.address


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, scheduler):
    """The 2 x 2 sweep run once, start to finish, on the 2 workers."""
    path = _sweep_file(tmp_path_factory.mktemp("sweep"), "whole")
    sweep = load_sweep(path)
    outcome = run_sweep(sweep, scheduler=scheduler, progress=False)
    return sweep, outcome


def test_small_sweep_dataset_matches_the_case_records(uninterrupted):
    sweep, outcome = uninterrupted
    assert (outcome.solved, outcome.failed, outcome.skipped, outcome.workers) == (CASES, 0, 0, 2)
    ds = _load(outcome.dataset)
    assert ds.lole_h.dims == ("battery_gw", "coal_gw", "weather_year", "hydrology")
    assert ds.battery_gw.values.tolist() == [4.0, 8.0] and ds.coal_gw.values.tolist() == [10.0, 20.0]
    assert ds.hydrology.values.tolist() == ["dry"]
    assert (ds.status == "done").all() and (ds.resolution == "1h").all()
    store = CaseStore(sweep.folder)
    for case in sweep.cases:
        record = store.get(case.key, "1h")
        assert record["coords"] == [case.coords]
        cell = ds.sel(**case.coords)
        assert str(cell.key.values) == case.key
        for metric in [*sweep.spec.metrics, "objective_cny", "export_cut_mwh"]:
            assert math.isfinite(record["metrics"][metric])
            assert float(cell[metric]) == record["metrics"][metric]
        assert record["scenario"]["carrier_gw"] == {
            "battery": case.coords["battery_gw"],
            "coal": case.coords["coal_gw"],
        }
    # the sweep is not flat: fewer coal units cannot mean a cheaper dispatch
    cost = ds.objective_cny
    assert (cost.sel(coal_gw=10.0) >= cost.sel(coal_gw=20.0) - 1.0).all()
    assert ds.lole_h.attrs["units"] == "h"


def test_resume_skips_finished_cases(uninterrupted, scheduler):
    sweep, first = uninterrupted
    before = _load(first.dataset)
    again = run_sweep(load_sweep(sweep.path), scheduler=scheduler, progress=False)
    assert (again.solved, again.failed, again.skipped) == (0, 0, CASES)
    xr.testing.assert_identical(_load(again.dataset), before)


def test_interrupted_then_resumed_equals_uninterrupted(uninterrupted, scheduler, tmp_path):
    # Ctrl-C to the real entry point; two cases run at a time, so the stop comes while the last
    # two are being solved
    _, whole = uninterrupted
    path = _sweep_file(tmp_path, "broken")
    cases = tmp_path / "broken" / "cases"
    command = [sys.executable, "-m", "model", "sweep", str(path), "--scheduler", scheduler, "--no-figures"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(cases.glob("*.json"))) < 2 and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    done_at_stop = len(list(cases.glob("*.json")))
    assert 2 <= done_at_stop < CASES
    assert not list(cases.glob(".*.tmp")), "a half-written record was left behind"
    partial = _load(tmp_path / "broken" / "sweep.nc")
    assert int((partial.status == "done").sum()) == done_at_stop
    resumed = run_sweep(load_sweep(path), scheduler=scheduler, progress=False)
    assert resumed.skipped == done_at_stop and resumed.solved == CASES - done_at_stop
    xr.testing.assert_identical(_load(resumed.dataset), _load(whole.dataset))


def test_a_failing_case_is_recorded_and_the_rest_finish(tmp_path, capsys, scheduler):
    # 2025 has no pumped hydro in the register, so phs_gw = 1 cannot be spread over any asset
    path = tmp_path / "fail.yaml"
    path.write_text(
        f"name: fail-sweep\nbase: {RUNS / '2025-baseline.yaml'}\n"
        "overrides: {dispatch.horizon_hours: 48, dispatch.mode: monolithic,\n"
        "            dispatch.unit_commitment: false}\n"
        "axes: {phs_gw: [0, 1]}\nmetrics: [lole_h]\noutput_dir: out\n",
        encoding="utf-8",
    )
    assert main(["sweep", str(path), "--scheduler", scheduler]) == 0
    text = capsys.readouterr().out
    assert "1 solved, 1 failed" in text
    sweep = load_sweep(path)
    ds = _load(sweep.folder / "sweep.nc")
    assert ds.status.sel(phs_gw=1.0).item() == "failed" and math.isnan(ds.lole_h.sel(phs_gw=1.0).item())
    assert ds.status.sel(phs_gw=0.0).item() == "done" and math.isfinite(ds.lole_h.sel(phs_gw=0.0).item())
    failed = next(c for c in sweep.cases if c.coords["phs_gw"] == 1.0)
    record = CaseStore(sweep.folder).get(failed.key, "1h")
    assert record["status"] == "failed" and "cannot be spread" in record["error"]
    assert main(["sweep", str(path), "--scheduler", scheduler, "--no-figures"]) == 0
    assert "0 solved, 0 failed, 2 already in the store" in capsys.readouterr().out
    assert main(["sweep", str(path), "--scheduler", scheduler, "--retry-failed", "--no-figures"]) == 0
    assert "0 solved, 1 failed, 1 already in the store" in capsys.readouterr().out
    assert json.loads((sweep.folder / "sweep.json").read_text())["failed"] == 1


def test_figures_are_drawn_from_sweep_nc(uninterrupted):
    from analysis.sweep_figures import smallest_storage, write_figures

    _, outcome = uninterrupted
    paths = write_figures(outcome.dataset, outcome.folder / "fig")
    assert {p.name for p in paths} >= {"sweep_lole.png", "sweep_eue.png", "sweep_frontier.png",
                                        "sweep_smallest_storage.png", "smallest_storage.csv"}  # fmt: skip
    assert all(p.stat().st_size > 1000 for p in paths if p.suffix == ".png")
    table = smallest_storage(outcome.dataset)
    assert len(table) == 1 * 2  # hydrology x coal
    ds = _load(outcome.dataset)
    for row in table.itertuples():
        lole = ds.lole_h.sel(hydrology=row.hydrology, coal_gw=row.coal_gw).mean("weather_year")
        meets = lole.where(lole <= ds.attrs["lole_standard_h"] + 1e-9, drop=True)
        if len(meets.battery_gw):
            assert row.battery_gw == float(meets.battery_gw.min())
        else:
            assert math.isnan(row.battery_gw)


def test_screening_reruns_uncertain_cases_hourly(tmp_path, scheduler):
    from model.sweep.screening import needs_hourly, screening_errors

    # one battery size: 10 GW of coal cuts exports when screened (uncertain: rerun hourly),
    # 20 GW is clearly reliable (trusted)
    path = _sweep_file(tmp_path, "screened")
    text = path.read_text().replace("battery_gw: [4, 8]", "battery_gw: [4]")
    path.write_text(text + "screening: {enabled: true, resolution: 3h}\n", encoding="utf-8")
    sweep = load_sweep(path)
    outcome = run_sweep(sweep, scheduler=scheduler, progress=False)
    store = CaseStore(sweep.folder)
    ds = _load(outcome.dataset)
    rerun = 0
    for case in sweep.cases:
        screened = store.get(case.key, "3h")
        assert screened["status"] == "done"
        cell = ds.sel(**case.coords)
        assert float(cell.screened_lole_h) == screened["metrics"]["lole_h"]
        if needs_hourly(sweep, screened):
            rerun += 1
            assert str(cell.resolution.values) == "1h"
            assert float(cell.eue_mwh) == store.get(case.key, "1h")["metrics"]["eue_mwh"]
        else:
            assert str(cell.resolution.values) == "3h" and store.get(case.key, "1h") is None
            assert float(cell.lole_h) == screened["metrics"]["lole_h"]
    assert 0 < rerun < len(sweep.cases), "the grid should hold trusted and uncertain screened cases"
    assert outcome.solved == len(sweep.cases) + rerun
    table, summary = screening_errors(sweep, store)
    assert len(table) == rerun == summary["rerun"]
    assert summary["lole_mae_h"] == pytest.approx((table.lole_h_screened - table.lole_h_hourly).abs().mean())


# ----------------------------------------------------------------------------------------------
# decomposed cases start from the window bases of the first case of their year and hydrology

WARM = f"""
name: warm-sweep
base: {RUNS / "2030-target.yaml"}
overrides: {{dispatch.horizon_hours: 48, dispatch.window_days: 1, dispatch.split_month: 0}}
axes:
  battery_gw: [4, 8]
hydrology: [dry]
metrics: [lole_h, objective_cny]
output_dir: {{out}}
"""


def _warm_sweep(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "warm.yaml"
    path.write_text(text.replace("{out}", "out"), encoding="utf-8")
    return path


def test_cases_start_from_their_groups_first_case_and_resume_the_same(tmp_path, scheduler):
    sweep = load_sweep(_warm_sweep(tmp_path, WARM.replace("hydrology: [dry]", "hydrology: [normal, dry]")))
    run_sweep(sweep, scheduler=scheduler, progress=False)
    store = CaseStore(sweep.folder)
    records = {(c.coords["battery_gw"], c.coords["hydrology"]): store.get(c.key, "1h") for c in sweep.cases}
    started = {k: r["warm_start"] for k, r in records.items()}
    # each hydrology's first case is its own reference; the other case starts from it
    assert started == {(4, "normal"): "reference", (4, "dry"): "reference",
                       (8, "normal"): "shared", (8, "dry"): "shared"}  # fmt: skip
    assert all("_warm" not in r for r in records.values())  # the bases go to files, not into records
    for label in ("normal", "dry"):
        assert (sweep.folder / f"warm-start-0-{label}.npz").stat().st_size > 0
    # resumed after losing a shared record: it starts from the same bases, so the same result
    lost = next(c for c in sweep.cases if (c.coords["battery_gw"], c.coords["hydrology"]) == (8, "dry"))
    store.path(lost.key, "1h").unlink()
    again = run_sweep(load_sweep(sweep.path), scheduler=scheduler, progress=False)
    assert (again.solved, again.skipped) == (1, 3)
    redone = store.get(lost.key, "1h")
    assert redone["warm_start"] == "shared" and redone["metrics"] == records[(8, "dry")]["metrics"]


def test_cases_of_another_structure_are_solved_on_their_own_with_one_line(tmp_path, scheduler):
    text = WARM.replace("battery_gw: [4, 8]", "dispatch.horizon_hours: [72, 96]")
    sweep = load_sweep(_warm_sweep(tmp_path, text))
    with pytest.warns(GzgridWarning, match="1 case.* another LP structure") as caught:
        outcome = run_sweep(sweep, scheduler=scheduler, progress=False)
    assert sum("another LP structure" in str(w.message) for w in caught) == 1
    assert outcome.solved == 2 and outcome.failed == 0
    store = CaseStore(sweep.folder)
    assert [store.get(c.key, "1h")["warm_start"] for c in sweep.cases] == ["reference", "not shared"]
