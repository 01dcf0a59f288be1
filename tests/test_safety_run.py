"""Run folders: a run never deletes what it did not write; damaged run folders give one line.

One real 48-hour run (conftest's ``short_run``, shared with test_cli.py) serves every test that
needs a run folder; tests that change it work on a copy.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from analysis.metrics import metrics
from analysis.runfolder import read_network
from model.atomic import FOLDER_MARK, clean_stale
from model.cli import main
from model.errors import InputError
from model.run import RUN_FILES, check_run_folder, write_run_folder
from model.scenario import load_scenario
from tests.conftest import RUNS

TARGET = str(RUNS / "2030-target.yaml")
QUICK = ["--horizon", "48", "--mode", "monolithic"]


def _one_error_line(err: str, *needles: str) -> None:
    assert "Traceback" not in err
    text = " ".join(err.split())
    for needle in needles:
        assert needle in text, err


@pytest.fixture(scope="module")
def run_folder(short_run) -> Path:
    """A real run folder: 48 h of the 2030 target, written by ``gzgrid run`` (read only)."""
    assert short_run.status == 0
    return short_run.folder


@pytest.mark.parametrize("content", ["folder", "file", "symlink"])
def test_run_refuses_a_path_it_did_not_write_before_solving(tmp_path, capsys, content):
    target = tmp_path / "x"
    if content == "folder":
        target.mkdir()
        (target / "keep.txt").write_text("hi")
    elif content == "file":
        target.write_text("hi")
    else:
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to(tmp_path / "elsewhere")
    assert main(["run", TARGET, *QUICK, "--out", str(target)]) == 2
    _one_error_line(capsys.readouterr().err, str(target))
    if content == "folder":
        assert (target / "keep.txt").read_text() == "hi"
    elif content == "file":
        assert target.read_text() == "hi"
    expected = ["elsewhere", "x"] if content == "symlink" else ["x"]
    assert sorted(p.name for p in tmp_path.iterdir()) == expected


def test_output_dir_of_the_scenario_is_checked_too(tmp_path, capsys):
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "thesis.tex").write_text("years of work")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"base: {TARGET}\nname: s\noutput_dir: {tmp_path / 'victim'}\n", encoding="utf-8")
    assert main(["run", str(scenario), *QUICK]) == 2
    _one_error_line(capsys.readouterr().err, "thesis.tex")
    assert (tmp_path / "victim" / "thesis.tex").exists()


@pytest.mark.parametrize("name", ["../../victim", "a/b", ".hidden", "..", "x y"])
def test_a_scenario_name_is_a_plain_name(tmp_path, capsys, name):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"base: {TARGET}\nname: '{name}'\n", encoding="utf-8")
    assert main(["validate", str(scenario)]) == 2
    _one_error_line(capsys.readouterr().err, "s.yaml", "'name'", "plain name")


def test_a_run_marks_its_folder_and_replaces_only_that(run_folder, tmp_path):
    assert (run_folder / FOLDER_MARK).read_text().startswith("gzgrid ")
    copy = tmp_path / "copy"
    shutil.copytree(run_folder, copy)
    (copy / "adequacy").mkdir()  # gzgrid adequacy's default folder: carried over
    (copy / "adequacy" / "adequacy.nc").write_bytes(b"results")
    (copy / "report.html").write_text("old report")
    (copy / "hindcast.csv").write_text("section,item")  # gzgrid hindcast's, replaced with the rest
    (copy / "hindcast.png").write_bytes(b"png")
    (copy / "hindcast_events.csv").write_text("start,end")
    n = read_network(copy / "network.nc")
    ds = metrics(n, 2.4, 0.15)
    write_run_folder(copy, load_scenario(TARGET), n, {"lole_h": 0}, ds, "log")  # what a rerun does
    assert (copy / "adequacy" / "adequacy.nc").read_bytes() == b"results"
    assert (copy / "log.txt").read_text() == "log"
    assert {p.name for p in copy.iterdir()} == {FOLDER_MARK, *RUN_FILES, "adequacy"}
    assert [p.name for p in tmp_path.iterdir()] == ["copy"]  # no temporary or old folder left


def test_legacy_empty_and_foreign_folders(tmp_path):
    legacy = tmp_path / "legacy"  # a run folder of an older gzgrid: no mark, every run file
    legacy.mkdir()
    for name in (*RUN_FILES, "report.html", "fig_levels.png", "targets.csv"):
        (legacy / name).write_text("x")
    check_run_folder(legacy)
    (tmp_path / "empty").mkdir()
    check_run_folder(tmp_path / "empty")
    check_run_folder(tmp_path / "new")  # does not exist yet
    partial = tmp_path / "partial"  # some run files only: not recognisably a run folder
    partial.mkdir()
    (partial / "log.txt").write_text("x")
    with pytest.raises(InputError, match="not a gzgrid run folder"):
        check_run_folder(partial)
    (legacy / "notes.md").write_text("mine")  # a marked or legacy folder with a user's file
    with pytest.raises(InputError, match=r"notes\.md"):
        check_run_folder(legacy)
    study = tmp_path / "study"  # `gzgrid adequacy` before any `gzgrid run` of the scenario
    (study / "adequacy").mkdir(parents=True)
    (study / "adequacy" / "adequacy.nc").write_text("x")
    check_run_folder(study)
    (study / "adequacy" / "mine.txt").write_text("x")  # but not with a user's file in the study
    with pytest.raises(InputError, match="adequacy, which gzgrid did not write"):
        check_run_folder(study)


def test_unwritable_output_locations_fail_before_solving(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", TARGET, *QUICK, "--out", str(blocker / "run")]) == 2
    _one_error_line(capsys.readouterr().err, "is a file, not a folder")
    assert main(["adequacy", TARGET, "--samples", "2", "--hours", "24", "--out", str(blocker / "a")]) == 2
    _one_error_line(capsys.readouterr().err, "is a file, not a folder")
    assert main(["profiles", "--years", "1", "--out", str(blocker / "p.nc")]) == 2
    _one_error_line(capsys.readouterr().err, "is a file, not a folder")
    assert main(["run", TARGET, *QUICK, "--out", "/proc/gzgrid-run"]) == 2  # read-only even for root
    _one_error_line(capsys.readouterr().err, "cannot write in /proc")


def test_profiles_out_replaces_only_a_profiles_file(tmp_path, capsys):
    precious = tmp_path / "data.csv"
    precious.write_text("a,b\n1,2\n")
    assert main(["profiles", "--years", "1", "--out", str(precious)]) == 2
    _one_error_line(capsys.readouterr().err, "data.csv", "did not write")
    assert precious.read_text() == "a,b\n1,2\n"


def test_stale_temporaries_of_killed_runs_are_cleaned(tmp_path):
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    run_tmp = tmp_path / f".r.tmp-{dead}"
    run_tmp.mkdir()
    (run_tmp / FOLDER_MARK).write_text("")
    (run_tmp / "network.nc").write_text("half")
    nc_tmp = tmp_path / f".adequacy.nc.tmp-{dead}"
    nc_tmp.write_text("half")
    old = tmp_path / f".x.tmp-{os.getpid() + 1}"  # a live PID maybe, but two days old
    old.write_text("half")
    os.utime(old, (0, 0))
    foreign = tmp_path / f".mine.tmp-{dead}"  # matches the name but holds no mark: not ours
    foreign.mkdir()
    (foreign / "data").write_text("keep")
    own = tmp_path / f".y.tmp-{os.getpid()}"  # this process's own, in progress
    own.write_text("")
    removed = clean_stale(tmp_path)
    assert sorted(p.name for p in removed) == sorted([run_tmp.name, nc_tmp.name, old.name])
    assert foreign.exists() and own.exists()


@pytest.mark.parametrize(
    ("file", "content", "needle"),
    [
        ("network.nc", b"\x89HDF\r\n\x1a\n truncated", "network.nc: cannot be read"),
        ("network.nc", b"junk", "network.nc: cannot be read"),
        ("metrics.nc", b"junk", "metrics.nc: cannot be read"),
        ("scenario.yaml", b"name: [unclosed\n", "scenario.yaml, line"),
        ("scenario.yaml", b"just text\n", "scenario.yaml: cannot be read"),
        ("scenario.yaml", b"name: \xff\xfe\n", "not UTF-8"),
    ],
)
def test_damaged_run_folder_gives_one_line(run_folder, tmp_path, capsys, file, content, needle):
    copy = tmp_path / "run"
    shutil.copytree(run_folder, copy)
    (copy / file).write_bytes(content)
    for command in ("targets", "report"):
        assert main([command, str(copy)]) == 2
        _one_error_line(capsys.readouterr().err, needle)
    assert not (copy / "report.html").exists()


def test_summary_is_whole_json(run_folder):
    summary = json.loads((run_folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["timings"]["total_s"] > 0


def test_atomic_writes_leave_whole_files_or_none(tmp_path):
    import matplotlib.pyplot as plt

    from model.atomic import save_figure, write_text, write_with

    path = write_text(tmp_path / "a.txt", "whole")

    def half(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_with(path, half)
    assert path.read_text() == "whole"
    fig, _ = plt.subplots()
    save_figure(fig, tmp_path / "f.png")
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "f.png"]
