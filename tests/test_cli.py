"""The command line: the capacity table, exit statuses and clean errors.

Commands run in-process (``model.cli.main``, output through ``capsys``); only what needs a real
process runs as one: ``python -m model`` itself, its exit status and a clean stderr.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from model import ROOT
from model.cli import main
from model.errors import InputError
from tests.conftest import RUNS

ALL = ["validate", "profiles", "run", "targets", "report", "sweep", "adequacy", "hindcast"]
BAD = "name: x\nyear: 2030\nhydrolgy: dry\n"


def _gzgrid(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "model", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def verdict_line(text: str) -> str:
    """The one line of ``text`` that starts with ``verdict:``."""
    lines = [line for line in text.splitlines() if line.startswith("verdict:")]
    assert len(lines) == 1, text
    return lines[0]


def test_python_m_model_exits_2_on_bad_input_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = _gzgrid("validate", str(bad))
    assert result.returncode == 2
    assert "unknown key 'hydrolgy'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    help_ = _gzgrid("--help")
    assert help_.returncode == 0
    for command in ALL:
        assert command in help_.stdout


def test_debug_lets_the_error_through(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    with pytest.raises(InputError, match="unknown key 'hydrolgy'"):
        main(["--debug", "validate", str(bad)])


def test_validate_prints_capacities_beside_the_plan(capsys):
    assert main(["validate", str(RUNS / "2030-target.yaml"), str(RUNS / "2030-dry.yaml")]) == 0
    text = capsys.readouterr().out
    assert "solar" in text and "60.00" in text and ">= 60" in text
    assert "coal share" in text and "< 42%" in text
    assert "hydrology: dry" in text


def test_bad_register_exits_2(register_copy, capsys):
    (register_copy / "thermal.csv").write_text("")
    assert main(["validate", str(RUNS / "2030-target.yaml"), "--register", str(register_copy)]) == 2
    assert "thermal.csv" in capsys.readouterr().err


def test_usage_error_exits_2(capsys):
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert "Usage" in err and "Traceback" not in err


def test_run_prints_the_verdict_and_writes_the_folder(short_run):
    assert short_run.status == 0
    summary = json.loads((short_run.folder / "summary.json").read_text(encoding="utf-8"))
    # the printed verdict is the run's: "reliable" must not match "NOT reliable"
    assert verdict_line(short_run.stdout).startswith(f"verdict: {summary['verdict']} (LOLE ")
    assert summary["verdict"] == "reliable"  # 48 h of the 2030 target shed nothing
    assert (short_run.folder / "network.nc").is_file()
    assert "Running HiGHS" not in short_run.stdout


def test_run_with_a_bad_override_exits_2(tmp_path, capsys):
    target = str(RUNS / "2030-target.yaml")
    assert main(["run", target, "--hydrology", "soggy", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "hydrology" in err and "wet, normal, dry, extreme_dry" in err
    assert "observed-YYYY" in err
    assert not (tmp_path / "x").exists()


def test_targets_and_report_on_a_run_folder(short_run, tmp_path, capsys):
    out = tmp_path / "run"
    shutil.copytree(short_run.folder, out)
    assert main(["targets", str(out)]) == 0
    text = capsys.readouterr().out
    assert "coal_capacity_share" in text and "input honoured" in text
    assert (out / "targets.csv").is_file() and (out / "targets.json").is_file()
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "Reliable 可靠" in html


def test_targets_on_a_folder_that_is_no_run(tmp_path, capsys):
    assert main(["targets", str(tmp_path)]) == 2
    assert "not a run folder (no scenario.yaml)" in capsys.readouterr().err
