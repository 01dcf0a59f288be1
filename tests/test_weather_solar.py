"""Solar geometry against pvlib, for all nine prefectures over a year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib

from model import NETWORK_DATA
from model.weather.solar import solar_geometry
from model.weather.timeaxis import time_axis


def test_zenith_matches_pvlib():
    buses = pd.read_csv(NETWORK_DATA / "buses.csv")
    regions = buses[buses["kind"] == "prefecture"]
    axis = time_axis(2030)
    cos_z, _, _ = solar_geometry(
        regions["lat"].to_numpy(float), regions["lon"].to_numpy(float), axis.day_of_year,
        axis.hour + 0.5, 0.0, 180.0,
    )
    ours = np.degrees(np.arccos(np.clip(cos_z, -1.0, 1.0)))
    mid_hour = (axis.snapshots + pd.Timedelta(minutes=30)).tz_localize("Asia/Shanghai")
    for i, (lat, lon) in enumerate(zip(regions["lat"], regions["lon"], strict=True)):
        ref = pvlib.solarposition.get_solarposition(mid_hour, lat, lon, method="nrel_numpy")
        err = np.abs(ours[i] - ref["zenith"].to_numpy())
        assert err.max() < 0.5, f"{regions['id'].iloc[i]}: max zenith error {err.max():.3f} deg"


def test_solar_noon_near_1253_cst():
    # DATA: solar noon at ~106.7 E falls near 12:53 CST (mean solar time; on 15 April the
    # equation of time is ~0, so the true noon is there too).
    hours = np.arange(12.0, 13.5, 1.0 / 60.0)
    cos_z, _, _ = solar_geometry(
        np.array([26.6]), np.array([106.7]), np.full(hours.size, 105.0), hours, 0.0, 180.0
    )
    noon = hours[np.argmax(cos_z[0])]
    assert abs(noon - (12.0 + 53.0 / 60.0)) < 2.0 / 60.0
