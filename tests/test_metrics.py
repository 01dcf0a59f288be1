"""Metrics on tiny solved networks whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest
import xarray as xr

from analysis.metrics import metrics, write_metrics
from analysis.summary import summarize

pypsa.options.api.legacy_string_dtype = False
HOURS = 24
COAL_CO2_FUEL = 0.34  # t/MWh_th; at efficiency 0.4 -> 0.85 t/MWh_el


def _network() -> pypsa.Network:
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-01-01", periods=HOURS, freq="h"))
    colours = {"coal": "#4d4d4d", "solar": "#f5c400", "biomass": "#7a9a3a", "dr": "#e0a0a0"}
    for c in ("coal", "solar", "biomass", "dr", "load_shedding", "load", "export", "export_cut", "AC"):
        n.add("Carrier", c, color=colours.get(c, ""), co2_emissions=COAL_CO2_FUEL if c == "coal" else 0.0)
    n.add("Bus", ["guiyang", "guangdong"], carrier="AC")
    return n


def _solve(n: pypsa.Network) -> pypsa.Network:
    _, condition = n.optimize(solver_name="highs", io_api="direct", include_objective_constant=False)
    assert condition == "optimal"
    return n


def shortfall_network() -> pypsa.Network:
    """Load 100 MW, 150 MW in hours 10-13 and 130 MW in hour 20; 120 MW coal and 10 MW DR.

    Shed: 20 MW for 4 h (one event); DR: 10 MW in 5 h (two events).
    """
    n = _network()
    load = np.full(HOURS, 100.0)
    load[10:14] = 150.0
    load[20] = 130.0
    n.add("Load", "load_guiyang", bus="guiyang", carrier="load", p_set=load)
    n.add(
        "Generator",
        "coal_guiyang",
        bus="guiyang",
        carrier="coal",
        p_nom=120,
        marginal_cost=300,
        efficiency=0.4,
    )
    n.add("Generator", "dr_guiyang", bus="guiyang", carrier="dr", p_nom=10, marginal_cost=1000)
    n.add("Generator", "shed_guiyang", bus="guiyang", carrier="load_shedding", p_nom=200, marginal_cost=1e4)
    return _solve(n)


def export_network(biomass_mw: float = 0.0, coal_mw: float = 200.0) -> pypsa.Network:
    """Load 100 MW; 300 MW solar offering half in hours 8-15; 200 MW coal; 20 MW exported.

    Solar hours: demand 120, offered 150 -> 30 MW curtailed for 8 h. Coal: 120 MW for 16 h.
    """
    n = _network()
    n.add("Load", "load_guiyang", bus="guiyang", carrier="load", p_set=np.full(HOURS, 100.0))
    pu = np.zeros(HOURS)
    pu[8:16] = 0.5
    n.add("Generator", "solar_guiyang", bus="guiyang", carrier="solar", p_nom=300, p_max_pu=pu)
    n.add(
        "Generator",
        "coal_guiyang",
        bus="guiyang",
        carrier="coal",
        p_nom=coal_mw,
        marginal_cost=300,
        efficiency=0.4,
    )
    if biomass_mw:
        n.add(
            "Generator",
            "biomass_guiyang",
            bus="guiyang",
            carrier="biomass",
            p_nom=biomass_mw,
            marginal_cost=900,
        )
    n.add("Generator", "shed_guiyang", bus="guiyang", carrier="load_shedding", p_nom=200, marginal_cost=1e4)
    n.add(
        "Link", "export-guiyang", bus0="guiyang", bus1="guangdong", carrier="export", p_nom=50, efficiency=1.0
    )
    n.add("Load", "export obligation", bus="guangdong", carrier="export", p_set=np.full(HOURS, 20.0))
    n.add("Generator", "export cut", bus="guangdong", carrier="export_cut", p_nom=20, marginal_cost=3000)
    return _solve(n)


@pytest.fixture(scope="module")
def shortfall() -> xr.Dataset:
    return metrics(shortfall_network())


@pytest.fixture(scope="module")
def exports() -> tuple[pypsa.Network, xr.Dataset]:
    n = export_network()
    return n, metrics(n)


def test_shortfall_of_known_size_and_duration(shortfall: xr.Dataset) -> None:
    p = shortfall.sel(region="province", period="year")
    assert float(p.lol_hours) == 4
    assert float(p.eue_mwh) == pytest.approx(80.0)
    assert float(p.peak_shortfall_mw) == pytest.approx(20.0)
    assert float(p.shortfall_events) == 1
    assert float(p.longest_shortfall_h) == 4
    demand = 100 * HOURS + 50 * 4 + 30
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
    assert float(p.capacity_factor.sel(carrier="coal")) == pytest.approx(1920 / (200 * HOURS))


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
