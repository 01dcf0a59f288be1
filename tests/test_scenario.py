"""Scenario files: inheritance, the strict schema and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pypsa
import pytest

from model.capacity import asset_capacities, capacity_by_carrier
from model.errors import InputError
from model.scenario import Scenario, load_scenario, scenario_to_yaml, with_overrides
from tests.conftest import RUNS


@pytest.mark.parametrize("name", ["2025-baseline", "2030-target", "2030-dry", "2030-extreme-dry"])
def test_bundled_scenarios_load(name):
    scenario = load_scenario(RUNS / f"{name}.yaml")
    assert scenario.name == name


def test_base_inheritance_overrides_only_what_it_says():
    target = load_scenario(RUNS / "2030-target.yaml")
    dry = load_scenario(RUNS / "2030-extreme-dry.yaml")
    assert dry.hydrology == "extreme_dry"
    assert dry.year == target.year and dry.dr_share == target.dr_share
    assert dry.dispatch == target.dispatch
    assert len((RUNS / "2030-extreme-dry.yaml").read_text().splitlines()) <= 6


def test_nested_mappings_merge(tmp_path):
    (tmp_path / "a.yaml").write_text("name: a\nyear: 2030\ndispatch: {window_days: 5, overlap_days: 2}\n")
    (tmp_path / "b.yaml").write_text("base: a.yaml\nname: b\ndispatch: {window_days: 3}\n")
    b = load_scenario(tmp_path / "b.yaml")
    assert (b.dispatch.window_days, b.dispatch.overlap_days) == (3, 2)


def test_frozen():
    scenario = load_scenario(RUNS / "2030-target.yaml")
    with pytest.raises(Exception, match="frozen"):
        scenario.year = 2025


def test_every_field_is_documented():
    def walk(model):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"
            ann = field.annotation
            if isinstance(ann, type) and hasattr(ann, "model_fields"):
                walk(ann)

    walk(Scenario)


def test_yaml_round_trip(tmp_path):
    scenario = load_scenario(RUNS / "2030-dry.yaml")
    path = tmp_path / "resolved.yaml"
    path.write_text(scenario_to_yaml(scenario))
    assert load_scenario(path) == scenario


def test_capacity_overrides(register, tmp_path):
    (tmp_path / "s.yaml").write_text(
        f"base: {RUNS / '2030-target.yaml'}\nname: s\ncarrier_gw: {{battery: 8}}\n"
        "asset_mw: {phs_guiyang: 3000}\n"
    )
    scenario = load_scenario(tmp_path / "s.yaml")
    gw = capacity_by_carrier(asset_capacities(register, scenario))
    assert gw["battery"] == pytest.approx(8.0)
    assert gw["phs"] == pytest.approx(6.5)


def test_unknown_asset_override(register, tmp_path):
    (tmp_path / "s.yaml").write_text(
        f"base: {RUNS / '2030-target.yaml'}\nname: s\nasset_mw: {{phs_guiyan: 1}}\n"
    )
    with pytest.raises(InputError, match=r"asset_mw\.phs_guiyan.*did you mean 'phs_guiyang'"):
        asset_capacities(register, load_scenario(tmp_path / "s.yaml"))


def _write(folder: Path, text: str, name: str = "bad.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


BAD = [
    (
        "unknown key",
        "name: x\nyear: 2030\nhydrolgy: dry\n",
        ["bad.yaml", "unknown key 'hydrolgy'", "did you mean 'hydrology'"],
    ),
    (
        "unknown nested key",
        "name: x\nyear: 2030\ndispatch: {mdoe: monolithic}\n",
        ["bad.yaml", "unknown key 'dispatch.mdoe'", "did you mean 'mode'"],
    ),
    (
        "wrong type",
        "name: x\nyear: 2030\nweather: {seed: many}\n",
        ["bad.yaml", "weather.seed", "'many'", "integer"],
    ),
    ("year not in register", "name: x\nyear: 2027\n", ["bad.yaml", "year", "2025", "2030"]),
    (
        "hydrology class",
        "name: x\nyear: 2030\nhydrology: very_dry\n",
        ["bad.yaml", "hydrology", "wet, normal, dry, extreme_dry", "observed-YYYY",
         "did you mean 'extreme_dry'"],
    ),
    (
        "share outside [0, 1]",
        "name: x\nyear: 2030\ndr_share: 1.5\n",
        ["bad.yaml", "dr_share", "less than or equal to 1"],
    ),
    (
        "negative capacity override",
        "name: x\nyear: 2030\ncarrier_gw: {solar: -3}\n",
        ["bad.yaml", "carrier_gw.solar", "greater than or equal to 0"],
    ),
    (
        "unknown carrier override",
        "name: x\nyear: 2030\ncarrier_gw: {nuclear: 3}\n",
        ["bad.yaml", "carrier_gw.nuclear", "'coal'"],
    ),
    ("missing required key", "name: x\n", ["bad.yaml", "required key 'year'"]),
    (
        "YAML syntax error",
        "name: x\nyear: 2030\ndispatch: {mode: monolithic\n",
        ["bad.yaml, line 4", "YAML syntax error"],
    ),
    ("empty file", "", ["bad.yaml", "file is empty"]),
    ("not a mapping", "- a\n- b\n", ["bad.yaml", "must be a mapping"]),
    ("missing base", "base: nowhere.yaml\nname: x\n", ["bad.yaml", "base scenario 'nowhere.yaml' not found"]),
]


@pytest.mark.parametrize(("case", "text", "needles"), BAD, ids=[b[0] for b in BAD])
def test_bad_scenario_is_named(tmp_path, case, text, needles):
    with pytest.raises(InputError) as info:
        load_scenario(_write(tmp_path, text))
    for needle in needles:
        assert needle in str(info.value), (case, str(info.value))


def test_base_loop(tmp_path):
    _write(tmp_path, "base: b.yaml\nname: a\nyear: 2030\n", "a.yaml")
    _write(tmp_path, "base: a.yaml\nname: b\n", "b.yaml")
    with pytest.raises(InputError, match=r"'base' loops \(a.yaml -> b.yaml -> a.yaml\)"):
        load_scenario(tmp_path / "a.yaml")


def test_error_names_the_file_that_set_the_value(tmp_path):
    _write(tmp_path, "name: a\nyear: 2030\nweather: {seed: -1}\n", "a.yaml")
    _write(tmp_path, "base: a.yaml\nname: b\n", "b.yaml")
    with pytest.raises(InputError, match=r"a.yaml: key 'weather.seed'"):
        load_scenario(tmp_path / "b.yaml")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="scenario file not found"):
        load_scenario(tmp_path / "none.yaml")


def test_storage_duration_and_h2_store_overrides(register):
    from model.network import add_storage, h2_store_mwh

    scenario = with_overrides(
        load_scenario(RUNS / "2030-target.yaml"), **{"storage_hours": {"battery": 4}, "h2_store_gwh": 20}
    )
    n = pypsa.Network()
    n.add("Bus", list(register.storage.bus.unique()))
    add_storage(n, register.storage, asset_capacities(register, scenario), scenario.storage_hours)
    hours = n.c.storage_units.static.groupby("carrier").max_hours.agg(["min", "max"])
    assert (hours.loc["battery"] == 4.0).all()
    assert (hours.loc["phs"] == 6.0).all()  # the register's, untouched
    assert h2_store_mwh(register, scenario).sum() == pytest.approx(20_000)
    with pytest.raises(InputError, match="storage_hours"):
        with_overrides(scenario, **{"storage_hours": {"battery": 0}})
