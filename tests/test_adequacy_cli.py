"""``gzgrid adequacy``: the printed indices and verdict, the files, and clean input errors."""

from __future__ import annotations

import xarray as xr

from model.cli import main
from tests.conftest import RUNS


def test_adequacy_prints_indices_and_verdict_and_writes_files(tmp_path, capsys):
    out = tmp_path / "adequacy"
    assert main(["adequacy", str(RUNS / "2030-target.yaml"), "--samples", "6", "--hours", "48", "--seed", "2",
                 "--out", str(out)]) == 0  # fmt: skip
    text = capsys.readouterr().out
    indices = ("LOLE h per 48 h", "LOLD d per 48 h", "EUE MWh per 48 h", "NEUE ppm")
    for word in (*indices, "stopped on sample count", "verdict:"):
        assert word in text
    with xr.open_dataset(out / "adequacy.nc") as ds:
        assert ds.attrs["samples"] == 6 and ds.attrs["seed"] == 2
        # the printed verdict is the file's ("reliable" would also match "NOT reliable")
        verdicts = [line for line in text.splitlines() if line.startswith("verdict:")]
        assert len(verdicts) == 1 and verdicts[0].startswith(f"verdict: {ds.attrs['verdict']} (LOLE ")
        assert ds.lole_h_mean.attrs["units"] == "h/yr"
    assert len(list(out.glob("adequacy_*.png"))) == 3
    assert not list(out.glob(".*tmp*"))


def test_bad_input_exits_2_with_one_message(tmp_path, capsys):
    scenario = str(RUNS / "2030-target.yaml")
    assert main(["adequacy", scenario, "--samples", "0", "--out", str(tmp_path)]) == 2
    assert "--samples 0" in capsys.readouterr().err
    assert main(["adequacy", scenario, "--samples", "5", "--rse", "2", "--out", str(tmp_path)]) == 2
    assert "--rse 2" in capsys.readouterr().err
    assert main(["adequacy", str(tmp_path / "missing.yaml")]) == 2
    assert "not found" in capsys.readouterr().err
    assert not (tmp_path / "adequacy.nc").exists()
