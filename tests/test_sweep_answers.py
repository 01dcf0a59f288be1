"""The coal sweep's answer read from a hand-made ``sweep.nc``: the smallest fleet meeting the
standard, and the smallest that also delivers the export obligation whole."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from analysis.sweep_figures import smallest_value, write_figures

COAL = [18.0, 24.0, 30.0]


def _sweep_nc(tmp_path, export_cut: bool = True):
    # (coal, weather year, hydrology): LOLE 0 everywhere (exports are cut first), except 18 GW
    # in the extreme-dry year; exports cut at 18 GW, and at 24 GW in the extreme-dry year only.
    lole = np.zeros((3, 1, 2))
    lole[0, 0, 1] = 30.0
    cut = np.zeros((3, 1, 2))
    cut[0, 0, :] = [7.7e5, 1.1e7]
    cut[1, 0, 1] = 5.0e5
    cut[2, 0, 1] = 200.0  # within the tolerance: whole
    dims = ("coal_gw", "weather_year", "hydrology")
    data = {"lole_h": (dims, lole), "eue_mwh": (dims, lole * 100)}
    if export_cut:
        data["export_cut_mwh"] = (dims, cut)
    ds = xr.Dataset(
        data,
        coords={"coal_gw": COAL, "weather_year": [0], "hydrology": ["normal", "extreme_dry"]},
        attrs={"smallest_axis": "coal_gw", "lole_standard_h": 2.4, "sweep": "t",
               "heatmap_axes": json.dumps([]), "storage_cost_cny": json.dumps({})},
    )  # fmt: skip
    path = tmp_path / "sweep.nc"
    ds.to_netcdf(path)
    return path


def test_smallest_fleet_by_lole_and_with_exports_whole(tmp_path):
    table = smallest_value(_sweep_nc(tmp_path)).set_index("hydrology")
    assert table.loc["normal", "coal_gw"] == 18.0  # meets LOLE by cutting exports
    assert table.loc["normal", "export_cut_gwh"] == pytest.approx(770.0)
    assert table.loc["normal", "coal_gw_exports_whole"] == 24.0
    assert table.loc["extreme_dry", "coal_gw"] == 24.0
    assert table.loc["extreme_dry", "coal_gw_exports_whole"] == 30.0


def test_without_export_cuts_the_answer_is_lole_alone(tmp_path):
    table = smallest_value(_sweep_nc(tmp_path, export_cut=False)).set_index("hydrology")
    assert "coal_gw_exports_whole" not in table
    assert table.coal_gw.tolist() == [18.0, 24.0]


def test_the_answer_figure_and_csv_are_written(tmp_path):
    paths = write_figures(_sweep_nc(tmp_path), tmp_path / "fig")
    names = {p.name for p in paths}
    assert {"sweep_smallest_coal_gw.png", "smallest_coal_gw.csv"} <= names
    assert all(p.stat().st_size > 0 for p in paths)
