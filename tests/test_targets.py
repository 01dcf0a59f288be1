"""The plan's targets table on a fixture run folder with every status represented."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.targets import STATUSES, target_table, write_target_table
from tests.conftest import make_run


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("run") / "fixture")


@pytest.fixture(scope="module")
def table(run: Path) -> pd.DataFrame:
    return target_table(run).set_index("id")


def test_every_2030_target_with_each_status(table: pd.DataFrame) -> None:
    assert (table.year == 2030).all()
    assert set(table.status) == set(STATUSES)
    # coal 200 of 1500 MW < 42 %: met; export RE share 1/3 < 50 %: missed, with the gap
    assert table.loc["coal_capacity_share", "status"] == "met"
    assert table.loc["coal_capacity_share", "run_value"] == pytest.approx(200 / 1500)
    assert table.loc["export_re_share", "status"] == "missed"
    assert "16.7 %" in table.loc["export_re_share", "note"]
    assert table.loc["biomass_capacity", "status"] == "input honoured"
    assert table.loc["pv_capacity", "status"] == "input not honoured"
    assert table.loc["nonfossil_share", "status"] == "power part only"
    assert "all energy" in table.loc["nonfossil_share", "note"]
    assert table.loc["geothermal_area", "status"] == "outside the model"


def test_written_as_csv_and_json(table: pd.DataFrame, run: Path) -> None:
    csv_path, json_path = write_target_table(table.reset_index(), run)
    back = pd.read_csv(csv_path)
    assert list(back.id) == list(table.index)
    records = json.loads(json_path.read_text(encoding="utf-8"))
    assert records[0]["clause"] == table.clause.iloc[0]
    assert not list(run.glob(".*tmp*"))
