"""netCDF cache round trip, atomic write, and the time-zone helper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from model.weather import load_or_generate, tz_aware_snapshots
from model.weather.timeaxis import time_axis
from tests.conftest import weather_inputs


def test_cache_round_trip(tmp_path):
    regions, stations, shares = weather_inputs()
    first = load_or_generate(regions, stations, shares, 250.0, seed=2, cache_dir=tmp_path)
    files = sorted(tmp_path.iterdir())
    assert len(files) == 1 and files[0].suffix == ".nc" and files[0].name.startswith("profiles-")
    again = load_or_generate(regions, stations, shares, 250.0, seed=2, cache_dir=tmp_path)
    xr.testing.assert_identical(first, again)
    assert again["pv"].dtype == np.float32
    assert again.attrs["seed"] == 2 and again["snapshot"].attrs["timezone"] == "Asia/Shanghai"
    # Any change of argument is a new file.
    load_or_generate(regions, stations, shares, 251.0, seed=2, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("profiles-*.nc"))) == 2
    assert not list(tmp_path.glob("*.tmp"))


def test_tz_aware_snapshots(tmp_path):
    regions, stations, shares = weather_inputs()
    ds = load_or_generate(regions, stations, shares, 250.0, seed=2, cache_dir=tmp_path)
    idx = tz_aware_snapshots(ds)
    assert str(idx.tz) == "Asia/Shanghai" and len(idx) == 8760
    assert idx[0] == pd.Timestamp("2030-01-01 00:00", tz="Asia/Shanghai")
    assert idx[0].tz_convert("UTC") == pd.Timestamp("2029-12-31 16:00", tz="UTC")


def test_leap_year_drops_feb_29():
    axis = time_axis(2032)
    assert len(axis.snapshots) == 8760
    assert not ((axis.snapshots.month == 2) & (axis.snapshots.day == 29)).any()
    assert axis.snapshots[-1] == pd.Timestamp("2032-12-31 23:00")
