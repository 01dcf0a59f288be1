"""The register: totals against the plan, and every kind of bad CSV input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from model.capacity import PLAN_CAPACITY_TARGETS, asset_capacities, capacity_by_carrier, coal_share
from model.errors import InputError
from model.register import PREFECTURES, load_register
from model.scenario import load_scenario
from tests.conftest import RUNS

#: targets.csv id -> carrier whose register total must equal the plan's figure [GW]
PLAN_TOTALS = {target: carrier for carrier, target in PLAN_CAPACITY_TARGETS.items()}


def test_2030_totals_equal_the_plan(register):
    scenario = load_scenario(RUNS / "2030-target.yaml")
    gw = capacity_by_carrier(asset_capacities(register, scenario))
    plan = register.targets[register.targets.year == 2030].set_index("id")
    for tid, carrier in PLAN_TOTALS.items():
        assert gw[carrier] == pytest.approx(plan.loc[tid, "value"], abs=1e-9), carrier
    # DR 5 % of peak and a coal share below 2025's ~42 %
    assert register.year_row("demand_response", 2030).share_of_peak == pytest.approx(0.05)
    assert scenario.dr_share == pytest.approx(0.05)
    assert coal_share(gw) < plan.loc["coal_capacity_share", "value"]


def test_2025_totals_honour_the_plan(register):
    scenario = load_scenario(RUNS / "2025-baseline.yaml")
    gw = capacity_by_carrier(asset_capacities(register, scenario))
    plan = register.targets[register.targets.year == 2025].set_index("id")
    assert gw["solar"] == pytest.approx(31.0)
    assert gw["wind"] == pytest.approx(10.8)
    checked = [tid for tid in PLAN_TOTALS if tid in plan.index]
    assert "pv_capacity" in checked and "hydro_capacity" in checked  # the plan's 2025 figures are there
    for tid in checked:
        assert gw[PLAN_TOTALS[tid]] >= plan.loc[tid, "value"] - 1e-9, tid


def test_pv_bases_get_most_solar(register):
    pv = register.renewables[register.renewables.carrier == "solar"].set_index("bus").p_nom_2030_mw
    bases = ["bijie", "liupanshui", "anshun", "qianxinan", "qiannan"]
    assert pv[bases].sum() > 0.5 * pv.sum()
    assert pv[bases].min() > pv.drop(bases).max() * 0.99


def test_export_link_and_buses(register):
    assert set(register.buses.id) == {*PREFECTURES, "guangdong"}
    export = register.corridors[register.corridors.kind == "export"]
    assert export.p_nom_2030_mw.sum() == pytest.approx(8000)
    assert set(export.bus1) == {"guangdong"}
    shape = register.export_shape
    for kind in ("month", "hour"):
        assert shape[shape.kind == kind].factor.mean() == pytest.approx(1.0)


def test_targets_table_covers_targets_md(register):
    ids = set(register.targets.id)
    for tid in (
        "coal_capacity_share",
        "pv_capacity",
        "wind_capacity",
        "hydro_capacity",
        "pumped_hydro",
        "new_storage",
        "demand_response",
        "export_re_share",
        "nonfossil_share",
        "gas_capacity",
        "biomass_capacity",
    ):
        assert tid in ids


def test_cascades_end(register):
    hydro = register.hydro.set_index("id")
    wujiang = hydro[hydro.river == "wujiang"].sort_values("cascade_order")
    assert list(wujiang.index[:2]) == ["hongjiadu", "dongfeng"]
    assert wujiang.downstream.iloc[-1] == ""


def _edit(folder: Path, file: str, fn) -> None:
    path = folder / file
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False)


def _set(row: int, col: str, value: str):
    def fn(df):
        df.loc[row, col] = value
        return df

    return fn


BAD_CSV = [
    (
        "negative capacity",
        "renewables.csv",
        _set(0, "p_nom_2030_mw", "-5"),
        ["renewables.csv, line 2 (solar_guiyang)", "p_nom_2030_mw", ">= 0"],
    ),
    (
        "NaN capacity",
        "storage.csv",
        _set(1, "p_nom_2030_mw", "NaN"),
        ["storage.csv, line 3 (phs_qiannan)", "p_nom_2030_mw", ">= 0"],
    ),
    (
        "text for a number",
        "thermal.csv",
        _set(0, "unit_mw", "six hundred"),
        ["thermal.csv, line 2", "'six hundred', not a number"],
    ),
    (
        "efficiency above 1",
        "thermal.csv",
        _set(2, "efficiency", "1.2"),
        ["thermal.csv, line 4", "efficiency", "(0, 1]"],
    ),
    (
        "efficiency zero",
        "storage.csv",
        _set(0, "efficiency_round_trip", "0"),
        ["storage.csv, line 2", "(0, 1]"],
    ),
    (
        "minimum load above 1",
        "thermal.csv",
        _set(0, "p_min_pu", "1.5"),
        ["thermal.csv, line 2", "p_min_pu", "minimum load cannot exceed 1"],
    ),
    (
        "unknown prefecture",
        "renewables.csv",
        _set(3, "bus", "guiyan"),
        ["renewables.csv, line 5", "unknown bus 'guiyan'", "did you mean 'guiyang'"],
    ),
    (
        "unknown carrier",
        "thermal.csv",
        _set(0, "carrier", "nuclear"),
        ["thermal.csv, line 2", "unknown carrier 'nuclear'", "valid: coal, gas, biomass"],
    ),
    (
        "duplicate id",
        "hydro.csv",
        _set(1, "id", "hongjiadu"),
        ["hydro.csv, line 3", "duplicate id 'hongjiadu'"],
    ),
    (
        "missing column",
        "storage.csv",
        lambda df: df.drop(columns="max_hours"),
        ["storage.csv", "missing column 'max_hours'"],
    ),
    (
        "share outside [0, 1]",
        "hydro.csv",
        _set(0, "ror_share", "1.4"),
        ["hydro.csv, line 2", "ror_share", "[0, 1]"],
    ),
    ("empty source", "buses.csv", _set(0, "source", ""), ["buses.csv, line 2", "source"]),
    (
        "unknown downstream station",
        "hydro.csv",
        _set(0, "downstream", "dongfen"),
        ["hydro.csv, line 2", "'dongfen'", "did you mean 'dongfeng'"],
    ),
    ("cascade loop", "hydro.csv", _set(1, "downstream", "hongjiadu"), ["hydro.csv", "cascade loop"]),
    ("demand shares off", "demand_shares.csv", _set(0, "share", "0.5"), ["demand_shares.csv", "add up to"]),
]


@pytest.mark.parametrize(("case", "file", "edit", "needles"), BAD_CSV, ids=[c[0] for c in BAD_CSV])
def test_bad_csv_is_named(register_copy, case, file, edit, needles):
    _edit(register_copy, file, edit)
    with pytest.raises(InputError) as info:
        load_register(register_copy)
    message = str(info.value)
    for needle in needles:
        assert needle in message, (case, message)


def test_missing_file(register_copy):
    (register_copy / "hydro.csv").unlink()
    with pytest.raises(InputError, match=r"hydro.csv: file not found"):
        load_register(register_copy)


def test_empty_file(register_copy):
    (register_copy / "storage.csv").write_text("")
    with pytest.raises(InputError, match=r"storage.csv: file is empty; expected a header"):
        load_register(register_copy)


def test_header_only(register_copy):
    path = register_copy / "storage.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(InputError, match="header but no rows"):
        load_register(register_copy)


def test_unquoted_comma(register_copy):
    path = register_copy / "buses.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2] + ",extra"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"buses.csv, line 3: 7 fields but the header has 6"):
        load_register(register_copy)


def test_export_obligation_fits_the_link(register):
    from model.network import export_obligation, snapshots

    for year in (2025, 2030):
        owed = export_obligation(register, year, snapshots(year))
        links = register.corridors[register.corridors.kind == "export"]
        deliverable = (links[f"p_nom_{year}_mw"] * links.efficiency).sum()
        assert owed.max() <= deliverable
        assert owed.sum() == pytest.approx(register.year_row("exports", year).annual_twh * 1e6)
