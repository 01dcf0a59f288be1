"""Invariants of a real 2030 run (two winter weeks, decomposed: plan, windows, stitch) and its folder."""

from __future__ import annotations

import json

import numpy as np
import pypsa
import pytest

from analysis.thermal import coal_commitment
from model.run import run_scenario
from model.scenario import load_scenario, with_overrides
from tests.conftest import RUNS, bus_balance, water_balance_residual

TOL = 1e-3  # MW or MWh


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    scenario = with_overrides(
        load_scenario(RUNS / "2030-extreme-dry.yaml"),
        **{"dispatch.horizon_hours": 24 * 14, "dispatch.mode": "decomposed"},
    )
    out = tmp_path_factory.mktemp("runs") / "inv"
    return run_scenario(scenario, out=out)


@pytest.fixture(scope="module")
def n(run) -> pypsa.Network:
    return pypsa.Network(run.folder / "network.nc")


def test_run_folder_is_complete(run):
    names = {p.name for p in run.folder.iterdir()}
    assert {"scenario.yaml", "network.nc", "summary.json", "log.txt"} <= names
    assert not any(p.name.startswith(".") for p in run.folder.parent.iterdir())
    summary = json.loads((run.folder / "summary.json").read_text())
    for key in ("lole_h", "eue_mwh", "neue_ppm", "peak_shortfall_mw", "dr_mwh", "dr_hours",
                "generation_twh", "curtailment_pct", "coal_share_capacity", "coal_share_generation",
                "nonfossil_share_generation", "co2_mt", "export_twh", "export_obligation_twh",
                "objective_cny", "solve_seconds", "mode"):
        assert key in summary, key
    assert summary["hours"] == 24 * 14
    # the network PyPSA builds is consistent: no link left without an efficiency of a port
    assert "Encountered nan" not in (run.folder / "log.txt").read_text(encoding="utf-8")


def test_energy_balance_closes_at_every_bus_and_hour(n):
    balance = bus_balance(n)
    assert set(balance.columns) == set(n.buses.index)
    assert np.abs(balance.to_numpy()).max() < TOL


def test_water_balance_of_every_reservoir(n):
    # on the decomposed, stitched year, where window boundaries could break it
    assert water_balance_residual(n) < TOL


def test_committed_coal_never_below_its_minimum_load(n):
    c = coal_commitment(n)
    assert c.status.shape[1], "coal is committed by default"
    assert (c.output >= c.status * c.minimum - TOL).all().all()
    # and the security floor of committed coal holds in every hour
    committed = (c.status * c.available).sum(axis=1)
    assert committed.min() >= min(6000.0, 0.999 * c.available.sum(axis=1).min()) - TOL


def test_storage_within_limits(n):
    su = n.c.storage_units.static
    soc = n.c.storage_units.dynamic.state_of_charge
    assert (soc >= -TOL).all().all()
    assert (soc <= su.p_nom * su.max_hours + TOL).all().all()
    st = n.c.stores.static
    e = n.c.stores.dynamic.e
    assert (e >= -TOL).all().all()
    assert (e <= st.e_nom + TOL).all().all()


def test_exports_within_the_link(n):
    links = n.c.links.static
    ex = links.index[links.carrier == "export"]
    p0 = n.c.links.dynamic.p0[ex]
    assert (p0 >= -TOL).all().all()
    assert (p0 <= links.p_nom[ex] + TOL).all().all()
    assert links.p_nom[ex].sum() == pytest.approx(8000)
