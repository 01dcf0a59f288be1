"""Bad input of every kind ends in one line naming the culprit, exit status 2, nothing written."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis.plan_table import plan_table
from model.capacity import PLAN_CAPACITY_TARGETS, asset_capacities
from model.cli import main
from model.dispatch.highs import highs_options
from model.errors import GzgridWarning, InputError, quote
from model.inputfile import MAX_NODES, load_yaml_file
from model.profiles import check_profiles_fit, profiles_memory_mib
from model.register import load_register
from model.scenario import load_scenario, with_overrides
from tests.conftest import RUNS
from tests.conftest import fails_in_one_line as _fails

TARGET = RUNS / "2030-target.yaml"
#: A "billion laughs" in 450 bytes: nine levels of nine aliases, 9**9 strings when expanded.
BOMB = (
    "name: bomb\nyear: 2030\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
    + "description: *l8\n"
)


def _scenario(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_non_utf8_scenario_and_register(tmp_path, capsys, register_copy):
    bad = _scenario(tmp_path, b"name: caf\xe9\nyear: 2030\n")
    _fails(capsys, ["validate", str(bad)], "s.yaml, line 1", "not UTF-8")
    thermal = register_copy / "thermal.csv"
    thermal.write_bytes(thermal.read_bytes().replace(b"bijie", b"bij\xefe", 1))
    args = ["validate", str(TARGET), "--register", str(register_copy)]
    _fails(capsys, args, "thermal.csv, line 2", "UTF-8")


def test_duplicate_yaml_keys_name_the_key_and_lines(tmp_path, capsys):
    bad = _scenario(tmp_path, "name: a\nyear: 2030\nhydrology: dry\nhydrology: wet\n")
    _fails(capsys, ["validate", str(bad)], "s.yaml, line 4", "'hydrology' is given twice", "line 3")
    nested = _scenario(tmp_path, "name: a\nyear: 2030\ndispatch:\n  mode: monolithic\n  mode: decomposed\n")
    _fails(capsys, ["validate", str(nested)], "line 5", "'mode'")
    merged = _scenario(tmp_path, "name: a\nyear: 2030\nx: &d {seed: 3}\n", "ok.yaml")  # merges may override
    assert load_yaml_file(merged, "scenario")["x"] == {"seed": 3}


def test_alias_bomb_is_refused_quickly_and_briefly(tmp_path, capsys):
    assert len(BOMB) < 600
    t0 = time.perf_counter()
    err = _fails(capsys, ["validate", str(_scenario(tmp_path, BOMB))], "s.yaml", f"more than {MAX_NODES:,}")
    assert time.perf_counter() - t0 < 2 and len(err) < 400
    loop = _scenario(tmp_path, "name: a\nyear: 2030\nd: &x [1, *x]\n", "loop.yaml")
    with pytest.raises(InputError):
        load_yaml_file(loop, "scenario")


def test_messages_quote_input_briefly(tmp_path, capsys):
    assert len(quote(["x" * 10_000] * 10_000)) <= 200
    long = _scenario(tmp_path, "name: a\nyear: 2030\ndescription: [" + ", ".join(["abcdefgh"] * 5000) + "]\n")
    assert len(_fails(capsys, ["validate", str(long)], "description")) < 500


def test_a_derived_file_is_blamed_for_its_own_probabilities(tmp_path, capsys):
    _scenario(tmp_path, f"base: {TARGET}\nname: b\n", "b.yaml")
    probabilities = "adequacy: {hydrology_probabilities: {wet: 0.5, dry: 0.2}}"
    bad = _scenario(tmp_path, f"base: b.yaml\nname: c\n{probabilities}\n")
    _fails(capsys, ["validate", str(bad)], f"{bad}: key 'adequacy.hydrology_probabilities'", "add up to 0.7")
    # the base sets the mapping (validly), the derived file changes one class in it: blame the derived file
    base = f"base: {TARGET}\nname: b\nadequacy: {{hydrology_probabilities: {{wet: 1}}}}\n"
    _scenario(tmp_path, base, "b.yaml")
    partial = _scenario(tmp_path, "base: b.yaml\nname: c\nadequacy: {hydrology_probabilities: {wet: 0.5}}\n")
    _fails(capsys, ["validate", str(partial)], f"{partial}: key", "add up to 0.5")


@pytest.mark.parametrize(
    ("options", "needles"),
    [
        ("{presolv: 'off'}", ["'presolv' is not a HiGHS option", "did you mean 'presolve'"]),
        ("{presolve: 3}", ["HiGHS option 'presolve' = 3"]),
        ("{time_limit: fast}", ["'time_limit'", "a number"]),
        ("{output_flag: 1}", ["'output_flag'", "true or false"]),
    ],
)
def test_highs_options_are_checked_against_highs(tmp_path, capsys, options, needles):
    bad = _scenario(tmp_path, f"base: {TARGET}\nname: s\nsolver: {{options: {options}}}\n")
    _fails(capsys, ["validate", str(bad)], "s.yaml", "solver.options", *needles)


def test_good_highs_options_reach_highs():
    options = {"presolve": "on", "time_limit": 5}
    scenario = with_overrides(load_scenario(TARGET), **{"solver.options": options})
    given = highs_options(scenario.solver)  # what HiGHS is called with: the user's own options last
    assert given["presolve"] == "on" and given["time_limit"] == 5 and given["output_flag"] is False


def test_unknown_must_run_id_is_named_with_did_you_mean(tmp_path, capsys, register):
    bad = _scenario(tmp_path, f"base: {TARGET}\nname: s\ndispatch: {{must_run: [bijei]}}\n")
    _fails(capsys, ["validate", str(bad)], "dispatch.must_run", "'bijei'", "did you mean 'bijie'")
    ok = with_overrides(load_scenario(TARGET), **{"dispatch.must_run": ["coal_bijie_sc660", "zunyi"]})
    assert len(asset_capacities(register, ok)) > 0


def test_seed_beyond_64_bits(tmp_path, capsys):
    bad = _scenario(tmp_path, f"base: {TARGET}\nname: s\nweather: {{seed: {2**64}}}\n")
    _fails(capsys, ["validate", str(bad)], "weather.seed", str(2**64))
    assert main(["profiles", "--seed", str(2**64)]) == 2
    assert main(["adequacy", str(TARGET), "--seed", str(2**64)]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert load_scenario(_scenario(tmp_path, f"base: {TARGET}\nname: s\nweather: {{seed: {2**64 - 1}}}\n"))


def test_profiles_years_must_fit_in_memory(capsys):
    with pytest.raises(InputError, match=r"--years 2000: needs about 20\.1 GiB.*at most about 149 years"):
        check_profiles_fit(2000, available_mib=2096)
    check_profiles_fit(100, available_mib=profiles_memory_mib(100))
    _fails(capsys, ["profiles", "--years", "10000"], "--years 10000", "GiB", "available")


@pytest.mark.parametrize(
    ("file", "column", "value", "needle"),
    [
        ("thermal.csv", "unit_mw", "1e308", "<= 2000 MW"),
        ("thermal.csv", "unit_mw", "inf", "unit_mw' is 'inf'"),
        ("renewables.csv", "p_nom_2030_mw", "2e5", "<= 100000 MW"),
        ("hydro.csv", "reservoir_mwh", "6e7", "<= 5e+07 MWh"),
        ("thermal.csv", "marginal_cost_cny_per_mwh", "-inf", "CNY/MWh"),
        ("targets.csv", "value", "inf", "a finite number"),
    ],
)
def test_register_values_must_be_finite_and_physical(register_copy, file, column, value, needle):
    path = register_copy / file
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, column] = value
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match=file) as info:
        load_register(register_copy)
    assert needle in str(info.value) and "line 2" in str(info.value)


def test_extra_register_column_warns_by_name(register_copy, capsys):
    path = register_copy / "storage.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["max_hour"] = "4"
    df.to_csv(path, index=False)
    with pytest.warns(GzgridWarning, match="storage.csv: column.s. max_hour are not read"):
        load_register(register_copy)
    assert main(["validate", str(TARGET), "--register", str(register_copy)]) == 0
    err = capsys.readouterr().err
    assert err.count("warning:") == 1 and "max_hour" in err and "Traceback" not in err


def test_plan_table_and_one_plan_mapping(register):
    table = plan_table(register, load_scenario(TARGET)).set_index("row")
    assert table.loc["solar", "value"] == pytest.approx(60.0)
    assert table.loc["solar", "comparison"] == ">=" and table.loc["solar", "plan_value"] == 60
    assert table.loc["coal share", "unit"] == "share" and table.loc["coal share", "value"] < 0.42
    assert table.loc["electrolyser", "comparison"] == ""
    ids = set(register.targets.id)
    assert set(PLAN_CAPACITY_TARGETS.values()) <= ids
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the bundled register has no extra columns
        load_register()


def test_a_missing_base_names_the_file_it_looked_for(tmp_path, capsys):
    bad = _scenario(tmp_path, "base: nothere.yaml\nname: s\n")
    text = _fails(capsys, ["validate", str(bad)], "s.yaml", "base scenario 'nothere.yaml' not found",
                  f"looked for {tmp_path / 'nothere.yaml'}")  # fmt: skip
    assert "PosixPath" not in text
