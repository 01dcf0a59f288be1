"""``gzgrid run A B C``: several scenarios at once, each in its own process, as each alone.

The scenarios are short (24 h, monolithic, coal not committed) so that a batch costs seconds of
solving; most of a test's time is starting the worker processes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.cli import main
from tests.conftest import RUNS

QUICK = "dispatch: {horizon_hours: 24, mode: monolithic, unit_commitment: false}\n"


def _scenario(folder: Path, name: str, extra: str = "") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"base: {RUNS / '2030-target.yaml'}\nname: {name}\noutput_dir: {folder / 'out' / name}\n"
                    + QUICK + extra)  # fmt: skip
    return path


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_several_scenarios_run_at_once_as_each_alone_and_a_failure_stops_only_its_own(tmp_path, capsys):
    a = _scenario(tmp_path, "a")
    b = _scenario(tmp_path, "b", "hydrology: extreme_dry\n")
    # a solver time limit no solve can meet: this one fails when solved, after the check
    c = _scenario(tmp_path, "c", "solver: {time_limit_s: 0.000001}\n")
    assert main(["run", str(a), str(b), str(c), "--jobs", "2"]) == 2
    captured = capsys.readouterr()
    assert "1 of 3 scenarios did not run" in captured.err and "c.yaml" in captured.err
    assert "time limit" in captured.err
    out = tmp_path / "out"
    assert (out / "a" / "network.nc").is_file() and (out / "b" / "network.nc").is_file()
    assert not (out / "c").exists()
    # the printed summaries come in the order given
    assert captured.out.index("a: 24.0 h") < captured.out.index("b: 24.0 h")
    together = _summary(out / "a")
    # the same scenario alone, in this process: the same numbers, bit for bit
    alone = tmp_path / "alone"
    assert main(["run", str(a), "--out", str(alone)]) == 0
    first = _summary(alone)
    assert first["objective_cny"] == together["objective_cny"]
    assert first["generation_twh"] == together["generation_twh"]
    assert _summary(out / "b")["hydrology"] == "extreme_dry"


def test_a_bad_scenario_among_several_stops_all_before_any_runs(tmp_path, capsys):
    a = _scenario(tmp_path, "a")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nyear: 2030\nhydrolgy: dry\n")
    assert main(["run", str(a), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "hydrolgy" in err and "hydrology" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("with_out", [True, False])
def test_several_scenarios_need_their_own_folders(tmp_path, capsys, with_out):
    a = _scenario(tmp_path, "a")
    twin = tmp_path / "twin.yaml"  # another file, the same run folder
    twin.write_text(a.read_text())
    extra = ["--out", str(tmp_path / "x")] if with_out else []
    assert main(["run", str(a), str(twin), *extra]) == 2
    err = capsys.readouterr().err
    assert ("one scenario" in err) if with_out else ("would both write" in err)
    assert not (tmp_path / "out").exists() and not (tmp_path / "x").exists()
