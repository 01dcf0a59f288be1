"""Metrics on tiny solved networks whose answers are worked out by hand (conftest's
:func:`~tests.conftest.shortfall_network` and :func:`~tests.conftest.export_network`)."""

from __future__ import annotations

import pandas as pd
import pypsa
import pytest
import xarray as xr

from analysis.metrics import metrics, write_metrics
from analysis.summary import summarize
from tests.conftest import HOURS_OF_DAY, export_network


@pytest.fixture(scope="module")
def shortfall(shortfall_day: pypsa.Network) -> xr.Dataset:
    return metrics(shortfall_day)


@pytest.fixture(scope="module")
def exports(export_day: pypsa.Network) -> tuple[pypsa.Network, xr.Dataset]:
    return export_day, metrics(export_day)


def test_shortfall_of_known_size_and_duration(shortfall: xr.Dataset) -> None:
    p = shortfall.sel(region="province", period="year")
    assert float(p.lol_hours) == 4
    assert float(p.eue_mwh) == pytest.approx(80.0)
    assert float(p.peak_shortfall_mw) == pytest.approx(20.0)
    assert float(p.shortfall_events) == 1
    assert float(p.longest_shortfall_h) == 4
    demand = 100 * HOURS_OF_DAY + 50 * 4 + 30
    assert float(p.neue_ppm) == pytest.approx(80.0 / demand * 1e6)
    assert float(p.dr_mwh) == pytest.approx(50.0)
    assert float(p.dr_hours) == 5
    assert float(p.dr_events) == 2
    # the prefecture carries the same numbers; other prefectures none
    assert float(shortfall.eue_mwh.sel(region="guiyang", period="Jan")) == pytest.approx(80.0)
    assert float(shortfall.lol_hours.sel(region="zunyi", period="year")) == 0
    assert shortfall.attrs["verdict"] == "NOT reliable"


def test_margin_and_reserve_margin(shortfall: xr.Dataset) -> None:
    p = shortfall.sel(region="province", period="year")
    assert float(p.min_margin_mw) == pytest.approx(120.0 - 150.0)
    assert pd.Timestamp(p.min_margin_time.values) == pd.Timestamp("2030-01-01 10:00")
    assert float(shortfall.reserve_margin.sel(region="province")) == pytest.approx(-30.0 / 150.0)
    assert float(shortfall.dr_share_of_peak.sel(region="province")) == pytest.approx(10.0 / 150.0)


def test_curtailment_and_generation(exports: tuple[pypsa.Network, xr.Dataset]) -> None:
    _, ds = exports
    p = ds.sel(region="province", period="year")
    assert float(p.curtailment_mwh.sel(vre="solar")) == pytest.approx(240.0)
    assert float(p.curtailment_pct.sel(vre="solar")) == pytest.approx(20.0)
    assert float(p.curtailment_mwh.sel(vre="wind")) == 0.0
    assert float(p.generation_twh.sel(carrier="coal")) == pytest.approx(1920 / 1e6)
    assert float(p.utilisation_hours.sel(carrier="solar")) == pytest.approx(960 / 300)
    assert float(p.capacity_factor.sel(carrier="coal")) == pytest.approx(1920 / (200 * HOURS_OF_DAY))


def test_coal_share_co2_and_exports(exports: tuple[pypsa.Network, xr.Dataset]) -> None:
    _, ds = exports
    p = ds.sel(region="province", period="year")
    assert float(ds.coal_share_capacity.sel(region="province")) == pytest.approx(200 / 500)
    assert float(p.coal_share_generation) == pytest.approx(2 / 3)
    assert float(p.nonfossil_share_generation) == pytest.approx(1 / 3)
    assert float(p.co2_mt) == pytest.approx(1920 * 0.85 / 1e6)
    assert float(p.co2_t_per_mwh) == pytest.approx(0.85 * 2 / 3)
    # exports: 20 MW all day; solar-only in hours 8-15 -> one third renewable
    assert float(ds.export_delivered_twh.sel(period="year")) == pytest.approx(480 / 1e6)
    assert float(ds.export_obligation_twh.sel(period="year")) == pytest.approx(480 / 1e6)
    assert float(p.export_re_share) == pytest.approx(1 / 3)
    assert float(p.export_re_share_pool) == pytest.approx(1 / 3)
    # consumption: 2400 MWh domestic, of which solar 960 - 160 exported
    assert float(p.nonfossil_share_consumption) == pytest.approx(800 / 2400)
    # the headline summary is the province's year; hydro capacity counts run-of-river
    s = summarize(ds, 1.0)
    assert s["capacity_gw"]["hydro"] == pytest.approx(float(ds.capacity_mw.sel(
        region="province", carrier=["hydro", "ror"]).sum()) / 1e3)
    assert s["export_twh"] == pytest.approx(480 / 1e6) and s["verdict"] == "reliable"


def test_every_variable_documented_and_written(shortfall: xr.Dataset, tmp_path) -> None:
    for name, var in shortfall.data_vars.items():
        assert var.attrs.get("units") and var.attrs.get("long_name"), name
    path = tmp_path / "metrics.nc"
    write_metrics(shortfall, path)
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.nc"]
    with xr.open_dataset(path) as back:
        assert float(back.eue_mwh.sel(region="province", period="year")) == pytest.approx(80.0)
        assert back.attrs["verdict"] == "NOT reliable"
        assert pd.Timestamp(back.min_margin_time.sel(region="province", period="year").values).hour == 10
    assert "units" in shortfall.min_margin_time.attrs  # the caller's dataset is left whole


def test_exports_are_cut_before_load_and_counted() -> None:
    # 110 MW of coal for 100 MW of load and 20 MW owed: 10 MW cut in the 16 hours without sun
    ds = metrics(export_network(coal_mw=110.0))
    year = ds.sel(period="year")
    assert float(year.export_cut_twh) == pytest.approx(160 / 1e6)
    assert float(year.export_delivered_twh) == pytest.approx((480 - 160) / 1e6)
    assert float(ds.eue_mwh.sel(region="province", period="year")) == 0.0
