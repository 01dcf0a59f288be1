"""The command line: the capacity table, exit statuses and clean errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from model import ROOT
from model.cli import main
from tests.conftest import RUNS

ALL = ["validate", "profiles", "run", "targets", "report", "sweep", "adequacy"]


def _gzgrid(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "model", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_help_lists_every_command():
    result = _gzgrid("--help")
    assert result.returncode == 0
    for command in ALL:
        assert command in result.stdout


def test_validate_prints_capacities_beside_the_plan(capsys):
    assert main(["validate", str(RUNS / "2030-target.yaml"), str(RUNS / "2030-dry.yaml")]) == 0
    text = capsys.readouterr().out
    assert "solar" in text and "60.00" in text and ">= 60" in text
    assert "coal share" in text and "< 42%" in text
    assert "hydrology: dry" in text


def test_bad_scenario_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nyear: 2030\nhydrolgy: dry\n")
    result = _gzgrid("validate", str(bad))
    assert result.returncode == 2
    assert "unknown key 'hydrolgy'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nyear: 2030\nhydrolgy: dry\n")
    result = _gzgrid("--debug", "validate", str(bad))
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_bad_register_exits_2(register_copy):
    (register_copy / "thermal.csv").write_text("")
    assert main(["validate", str(RUNS / "2030-target.yaml"), "--register", str(register_copy)]) == 2


def test_usage_error_exits_2():
    result = _gzgrid("validate")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "short"
    result = _gzgrid("run", str(RUNS / "2030-target.yaml"), "--horizon", "48", "--mode", "monolithic",
                     "--out", str(out))  # fmt: skip
    return out, result


def test_run_prints_the_verdict_and_writes_the_folder(short_run):
    out, result = short_run
    assert result.returncode == 0, result.stderr
    assert "verdict:" in result.stdout and "reliable" in result.stdout
    assert (out / "summary.json").is_file() and (out / "network.nc").is_file()
    assert "Running HiGHS" not in result.stdout


def test_run_with_a_bad_override_exits_2(tmp_path):
    target = str(RUNS / "2030-target.yaml")
    result = _gzgrid("run", target, "--hydrology", "soggy", "--out", str(tmp_path / "x"))
    assert result.returncode == 2
    assert "hydrology" in result.stderr and "wet, normal, dry, extreme_dry" in result.stderr
    assert "observed-YYYY" in result.stderr
    assert not (tmp_path / "x").exists()


def test_targets_and_report_on_a_run_folder(short_run):
    out, _ = short_run
    result = _gzgrid("targets", str(out))
    assert result.returncode == 0, result.stderr
    assert "coal_capacity_share" in result.stdout and "input honoured" in result.stdout
    assert (out / "targets.csv").is_file() and (out / "targets.json").is_file()
    result = _gzgrid("report", str(out))
    assert result.returncode == 0, result.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "Reliable 可靠" in html


def test_targets_on_a_folder_that_is_no_run(tmp_path):
    result = _gzgrid("targets", str(tmp_path))
    assert result.returncode == 2
    assert "not a run folder (no scenario.yaml)" in result.stderr
