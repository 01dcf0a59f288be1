"""Sweep files: strict schema, ranges, case expansion and keys; bad files exit 2 with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.cli import main
from model.errors import InputError
from model.sweep import Sweep, case_key, load_sweep
from tests.conftest import RUNS

GOOD = f"""
name: spec-test
base: {RUNS / "2030-target.yaml"}
overrides: {{dispatch.horizon_hours: 48, dispatch.mode: monolithic}}
axes:
  battery_gw: {{start: 2, stop: 6, step: 2}}
  dispatch.must_run: [[], [bijie]]
weather_years: {{start: 0, stop: 1, step: 1}}
hydrology: [extreme_dry, dry]
metrics: [lole_h, eue_mwh]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Sweep:
    """GOOD, loaded once (24 cases: loading validates every case's scenario)."""
    return load_sweep(_write(tmp_path_factory.mktemp("spec"), GOOD))


def test_ranges_include_stop_and_cases_span_the_grid(good):
    sweep = good
    assert sweep.axes["battery_gw"] == [2.0, 4.0, 6.0]
    assert sweep.axes["weather_year"] == [0, 1]
    assert sweep.axes["hydrology"] == ["dry", "extreme_dry"]  # wettest first, whatever the file's order
    assert len(sweep.cases) == 3 * 2 * 2 * 2
    assert len({c.key for c in sweep.cases}) == len(sweep.cases)
    case = next(c for c in sweep.cases if c.coords["battery_gw"] == 4.0 and c.coords["dispatch.must_run"])
    assert case.scenario.carrier_gw["battery"] == 4.0 and case.scenario.dispatch.must_run == ("bijie",)
    assert case.scenario.dispatch.horizon_hours == 48
    assert sweep.lole_standard_h == pytest.approx(2.4 * 48 / 8760)


def test_key_ignores_the_name_and_follows_every_value(good):
    case = good.cases[0]
    renamed = case.scenario.model_copy(update={"name": "other", "output_dir": "elsewhere"})
    assert case_key(renamed) == case.key
    changed = case.scenario.model_copy(update={"dr_share": 0.07})
    assert case_key(changed) != case.key


BAD = [
    ("metrics: [lole_h, eue_mwh]", "metrics: [lole_h, eue_mhw]",
     "unknown metric 'eue_mhw' (did you mean 'eue_mwh'?)"),
    ("hydrology: [extreme_dry, dry]", "hydrolgy: [dry]",
     "unknown key 'hydrolgy' (did you mean 'hydrology'?)"),
    ("{start: 2, stop: 6, step: 2}", "{start: 6, stop: 2, step: 2}",
     "axes.battery_gw: bad range: stop (2) is below start (6)"),
    ("{start: 2, stop: 6, step: 2}", "{start: 2, stop: 6, stpe: 2}",
     "valid keys here: start, step, stop"),
    ("battery_gw:", "batery_gw:", "unknown axis 'batery_gw' (did you mean 'battery_gw'?)"),
    ("{start: 2, stop: 6, step: 2}", "[1, -1]", "axes.battery_gw = -1"),
    ("dispatch.horizon_hours: 48", "dispatch.horizon_hour: 48", "did you mean 'horizon_hours'?"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_bad_sweep_files_name_the_file_and_key(tmp_path, capsys, old, new, message):
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(InputError, match=r"sweep\.yaml"):
        load_sweep(path)
    assert main(["sweep", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split()), err
    assert "Traceback" not in err
    assert not (tmp_path / "runs").exists()


def test_missing_sweep_file_exits_2(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "nope.yaml")]) == 2
    assert "sweep file not found" in capsys.readouterr().err
