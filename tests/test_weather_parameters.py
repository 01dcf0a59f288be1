"""The calibration tables are read once per process and version of the files, never stale."""

from __future__ import annotations

import shutil

import pandas as pd

from model.weather.parameters import PROFILES_DIR, TABLES, load_params


def test_parameters_follow_their_files_and_callers_cannot_change_them(tmp_path):
    for name in TABLES:
        shutil.copy(PROFILES_DIR / name, tmp_path / name)
    first = load_params(tmp_path)
    assert first == load_params(PROFILES_DIR)
    first.scalars["weibull_k"] = -1.0  # a caller's change stays with the caller
    assert load_params(tmp_path).scalars["weibull_k"] == load_params(PROFILES_DIR)["weibull_k"]
    scalars = pd.read_csv(tmp_path / "scalars.csv")
    scalars.loc[scalars.name == "weibull_k", "value"] = 2.5
    scalars.to_csv(tmp_path / "scalars.csv", index=False)  # a new version of a table is read
    assert load_params(tmp_path)["weibull_k"] == 2.5
