"""Sweeps: bad sweep files, schedulers and stores give one line; figures never cost the results.

No case is solved here: stores are filled with made-up records, so every sweep below finishes
without starting a cluster.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import xarray as xr

from model.cli import main
from model.errors import GzgridWarning, InputError
from model.sweep import METRIC_UNITS, CaseStore, Sweep, combine, load_sweep
from model.sweep.execute import CONNECT_TIMEOUT_S, _next_job, check_scheduler
from tests.conftest import RUNS
from tests.conftest import fails_in_one_line as _fails

GOOD = f"""
name: safety-sweep
base: {RUNS / "2030-target.yaml"}
overrides: {{dispatch.horizon_hours: 48, dispatch.mode: monolithic}}
axes:
  battery_gw: [4, 8]
  phs_gw: [5, 10]
hydrology: [dry]
metrics: [lole_h, eue_mwh]
figures: {{heatmap: [battery_gw, phs_gw], storage_cost_cny: {{battery_gw: 1.8e9, phs_gw: 6.3e9}}}}
output_dir: out
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _fill(path: Path) -> Sweep:
    """Made-up ``done`` records for every case: more storage, less unserved energy."""
    sweep = load_sweep(path)
    store = CaseStore(sweep.folder)
    for case in sweep.cases:
        storage = case.coords["battery_gw"] + case.coords["phs_gw"]
        metrics = dict.fromkeys(METRIC_UNITS, 0.0)
        metrics.update(lole_h=max(0.0, 20 - storage), eue_mwh=max(0.0, 2e4 - 1e3 * storage))
        store.put({"key": case.key, "resolution": "1h", "status": "done", "metrics": metrics,
                   "coords": [case.coords]})  # fmt: skip
    return sweep


@pytest.mark.parametrize(
    ("old", "new", "needles"),
    [
        ("metrics:", "metrcs:", ["unknown key 'metrcs'", "did you mean 'metrics'"]),
        ("dispatch.mode: monolithic", "dispatch.mode: null", ["overrides.dispatch.mode is null"]),
        ("battery_gw: [4, 8]", "battery_gw: [4, null]", ["axes.battery_gw", "null"]),
        ("battery_gw: [4, 8]", "battery_gw: [4, 4.0]", ["axes.battery_gw: 4 and 4.0 are the same value"]),
        ("name: safety-sweep", "name: ../escape", ["key 'name'", "plain name"]),
        ("hydrology: [dry]", "hydrology: [dry]\nhydrology: [wet]", ["'hydrology' is given twice"]),
        ("phs_gw: [5, 10]", "phs_gw: [5, 10]\n  carrier_gw.phs: [1]", ["both set carrier_gw.phs"]),
        ("storage_cost_cny: {battery_gw", "storage_cost_cny: {battery_gw: .inf, x", ["storage_cost_cny"]),
    ],
)
def test_bad_sweep_files_say_what_is_wrong(tmp_path, capsys, old, new, needles):
    assert old in GOOD
    _fails(capsys, ["sweep", str(_write(tmp_path, GOOD.replace(old, new)))], "sweep.yaml", *needles)
    assert not (tmp_path / "out").exists()


def test_non_utf8_sweep_file(tmp_path, capsys):
    path = _write(tmp_path, GOOD.encode() + b"# caf\xe9\n")
    _fails(capsys, ["sweep", str(path)], "sweep.yaml", "not UTF-8")


def test_a_bad_or_closed_scheduler_fails_in_seconds(tmp_path, capsys):
    path = _write(tmp_path, GOOD)
    with pytest.raises(InputError, match=r"--scheduler notanaddress: not a scheduler address.*tcp://HOST:PORT"):
        check_scheduler("notanaddress")
    with socket.socket() as s:  # a free port: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _fails(capsys, ["sweep", str(path), "--scheduler", f"tcp://127.0.0.1:{port}"], "cannot connect")
    # a closed port is refused at once, not after the connect timeout (Dask's own would be 30 s);
    # timed on the check alone, as loading the sweep file takes seconds on a loaded machine
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="cannot connect"):
        check_scheduler(f"tcp://127.0.0.1:{port}")
    assert time.perf_counter() - t0 < CONNECT_TIMEOUT_S / 2
    with pytest.raises(InputError, match="unknown scheme"):
        check_scheduler("foo://host:1")


def test_a_truncated_record_is_solved_again_with_one_warning(tmp_path):
    path = _write(tmp_path, GOOD)
    sweep = _fill(path)
    broken = sweep.cases[0]
    record = CaseStore(sweep.folder).path(broken.key, "1h")
    record.write_text(record.read_text()[:40], encoding="utf-8")
    store = CaseStore(sweep.folder)  # a store opened after the damage
    with pytest.warns(GzgridWarning, match=f"{record.name}: unreadable case record.*solved again") as seen:
        assert _next_job(sweep, store, broken, "1h", retry_failed=False) == (broken, "1h")
        ds = combine(sweep, store)
    assert len(seen) == 1
    assert int((ds.status == "missing").sum()) == 1 and int((ds.status == "done").sum()) == 3


def test_every_axis_a_storage_axis_draws_its_frontier(tmp_path, capsys):
    path = _write(tmp_path, GOOD)
    _fill(path)
    assert main(["sweep", str(path)]) == 0
    out = capsys.readouterr()
    assert "sweep_frontier.png" in out.out and "warning" not in out.err
    assert (tmp_path / "out" / "sweep_frontier.png").stat().st_size > 0
    assert (tmp_path / "out" / "smallest_storage.csv").is_file()


def test_a_failing_figure_costs_nothing(tmp_path, capsys, monkeypatch):
    import analysis.sweep_figures

    def broken(*args, **kwargs):
        raise ValueError("zip() argument 2 is shorter than argument 1")

    monkeypatch.setattr(analysis.sweep_figures, "write_figures", broken)
    path = _write(tmp_path, GOOD)
    _fill(path)
    assert main(["sweep", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.count("warning:") == 1 and "figures could not be drawn" in err and "Traceback" not in err
    with xr.open_dataset(tmp_path / "out" / "sweep.nc") as ds:
        assert int((ds.status == "done").sum()) == 4
    assert len(list((tmp_path / "out" / "cases").glob("*.json"))) == 4
    with pytest.raises(ValueError, match="zip"):
        main(["--debug", "sweep", str(path)])


def test_an_unwritable_sweep_folder_fails_before_any_solve(tmp_path, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    path = _write(tmp_path, GOOD.replace("output_dir: out", f"output_dir: {blocker / 'out'}"))
    _fails(capsys, ["sweep", str(path)], "sweep folder", "is a file, not a folder")
