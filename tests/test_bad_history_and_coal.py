"""Bad input of history runs, reservoir rules, unit commitment, maintenance, outages and coal supply.

Each ends with one message naming the file, row or key and what is valid, exit status 2, and no
run folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from model.cli import main
from tests.conftest import RUNS


def _edit_csv(path: Path, row: int, column: str, value: object) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = str(value)
    df.to_csv(path, index=False)


def _drop_rows(path: Path, **match: object) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    keep = ~pd.concat([df[k] == str(v) for k, v in match.items()], axis=1).all(axis=1)
    df[keep].to_csv(path, index=False)


REGISTER_CASES = [
    ("guide floor above its ceiling", "reservoir_rules.csv", lambda p: _edit_csv(p, 0, "lower_guide", 0.95),
     ["reservoir_rules.csv", "line 2", "lower_guide 0.95"]),
    ("rule date not a day", "reservoir_rules.csv", lambda p: _edit_csv(p, 1, "date", "13-40"),
     ["reservoir_rules.csv", "line 3", "MM-DD"]),
    ("history year with no capacities", "history.csv", lambda p: _drop_rows(p, year=2022),
     ["history.csv", "year 2022", "no row for coal"]),
    ("minimum load above 1", "thermal.csv", lambda p: _edit_csv(p, 0, "p_min_pu", 1.2),
     ["thermal.csv", "line 2", "p_min_pu", "[0, 1]"]),
    ("minimum load above the ramp", "thermal.csv", lambda p: _edit_csv(p, 0, "p_min_pu", 0.6),
     ["thermal.csv", "line 2", "above ramp_pu_per_h"]),
    ("negative start-up cost", "thermal.csv", lambda p: _edit_csv(p, 0, "start_up_cost_cny_per_mw", -5),
     ["thermal.csv", "line 2", "start_up_cost_cny_per_mw", ">= 0"]),
    ("minimum up time over 168 h", "thermal.csv", lambda p: _edit_csv(p, 0, "min_up_h", 200),
     ["thermal.csv", "line 2", "min_up_h", "<= 168"]),
    ("maintenance longer than the year", "thermal.csv", lambda p: _edit_csv(p, 0, "maintenance_weeks", 60),
     ["thermal.csv", "line 2", "maintenance_weeks", "<= 52"]),
    ("maintenance longer than its windows", "thermal.csv", lambda p: _edit_csv(p, 0, "maintenance_weeks", 30),
     ["thermal.csv", "line 2", "do not fit", "maintenance.csv"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "file", "edit", "needles"), REGISTER_CASES, ids=[c[0] for c in REGISTER_CASES]
)
def test_bad_register_exits_2_naming_the_row(register_copy, capsys, case, file, edit, needles):
    edit(register_copy / file)
    assert main(["validate", str(RUNS / "2030-target.yaml"), "--register", str(register_copy)]) == 2
    err = capsys.readouterr().err
    for needle in needles:
        assert needle in err, (case, err)
    assert "Traceback" not in err


SCENARIO_CASES = [
    ("observed year outside the record", "name: x\nyear: 2030\nhydrology: observed-1990\n",
     ["hydrology", "observed-YYYY", "2007-2024"]),
    ("history year with a class", "name: x\nyear: 2022\ndemand_case: observed\nhydrology: dry\n",
     ["history year", "observed-2022", "not the class 'dry'"]),
    ("history year without observed demand", "name: x\nyear: 2022\nhydrology: observed-2022\n",
     ["history year", "demand_case: observed"]),
    ("unknown outage mode", "name: x\nyear: 2030\ncoal: {outages: often}\n",
     ["coal.outages", "'none', 'expected' or 'sampled'"]),
    ("supply spell on a bad day",
     "name: x\nyear: 2030\ncoal: {supply: [{start: 02-30, end: 03-01, unavailable_mw: 1}]}\n",
     ["coal.supply.0.start", "MM-DD"]),
    ("minimum load above 1 by class", "name: x\nyear: 2030\ncoal: {min_load_pu: {sub300: 1.5}}\n",
     ["coal.min_load_pu.sub300", "less than or equal to 1"]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "needles"), SCENARIO_CASES, ids=[c[0] for c in SCENARIO_CASES])
def test_bad_scenario_exits_2_naming_the_key(tmp_path, capsys, case, text, needles):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    for needle in needles:
        assert needle in err, (case, err)
    assert not out.exists(), "a refused run must write nothing"
    assert "key ''" not in err and "{'" not in err, "a rule across keys must not quote the whole file"


BUILD_CASES = [
    ("supply cap below the security floor",
     "coal: {floor_mw: 30000, supply: [{start: 01-05, end: 01-25, unavailable_mw: 20000}]}\n",
     ["coal.floor_mw", "30000", "coal.supply"]),
    ("supply spell larger than the coal there",
     "coal: {supply: [{start: 01-05, end: 01-25, unavailable_mw: 9000, prefectures: [guiyang]}]}\n",
     ["coal.supply[0].unavailable_mw", "guiyang"]),
    ("supply spell in a prefecture without coal",
     "coal: {supply: [{start: 01-05, end: 01-25, unavailable_mw: 100, prefectures: [atlantis]}]}\n",
     ["scenario 'bad'", "coal.supply[0].prefectures", "atlantis"]),
    ("supply spell in a misspelt prefecture",
     "coal: {supply: [{start: 01-05, end: 01-25, unavailable_mw: 100, prefectures: [guiyng]}]}\n",
     ["scenario 'bad'", "'guiyng'", "did you mean 'guiyang'"]),
    ("retrofit of a class that does not exist", "coal: {min_load_pu: {sub999: 0.3}}\n",
     ["coal.min_load_pu.sub999", "did you mean"]),
    ("retrofit above the ramp", "coal: {min_load_pu: {sub300: 0.7}}\n",
     ["coal.min_load_pu.sub300", "ramp"]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "needles"), BUILD_CASES, ids=[c[0] for c in BUILD_CASES])
def test_bad_coal_options_exit_2_before_solving(tmp_path, capsys, case, text, needles):
    path = tmp_path / "bad.yaml"
    path.write_text(f"base: {RUNS / '2030-target.yaml'}\nname: bad\n{text}", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--horizon", "48"]) == 2
    err = capsys.readouterr().err
    for needle in needles:
        assert needle in err, (case, err)
    assert not out.exists()


@pytest.mark.parametrize("year", range(2019, 2025))
def test_history_scenarios_validate(year, capsys):
    assert main(["validate", str(RUNS / f"history-{year}.yaml")]) == 0
    assert f"observed-{year}" in capsys.readouterr().out


def test_a_class_given_to_a_history_year_on_the_command_line(capsys):
    # the same rule through --hydrology: one line naming the scenario, not the whole scenario
    args = ["run", str(RUNS / "history-2023.yaml"), "--hydrology", "dry", "--horizon", "48"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "scenario 'history-2023'" in err and "not the class 'dry'" in err, err
    assert "{'" not in err and len(err) < 300, err
