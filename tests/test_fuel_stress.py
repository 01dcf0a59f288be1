"""The fuel chain in the adequacy engine: coal capped at what its fuel sustains, crisis years by hydrology.

Hand-worked on the bundled 2030 register: contracts of 202.6 kt/day of 5,000 kcal/kg coal, spot up
to 0.75 of them, a stock of 20 days on 1 January and a winter floor of 15 days (coal_supply.csv).
"""

from __future__ import annotations

import numpy as np
import pytest

from model.adequacy.fuel_stress import stress_probabilities
from model.adequacy.system import build_system
from model.capacity import asset_capacities
from model.scenario import load_scenario, with_overrides
from model.thermal.fuel import MWH_PER_T_PER_KCAL
from tests.conftest import RUNS

CONTRACT_KT_PER_DAY, SPOT, START_DAYS, PEAK_FLOOR_DAYS, LOAD_FACTOR = 202.6, 0.75, 20.0, 15.0, 0.6
PEAK_HOURS = (31 + 28 + 31) * 24  # December, January, February of 2030


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(RUNS / "2030-target.yaml")


@pytest.fixture(scope="module")
def system(scenario, register):
    return build_system(scenario, register)


@pytest.fixture(scope="module")
def coal(scenario, register):
    """Coal rows: mask, installed MW, expected available MW (not forced out), mean efficiency."""
    th = register.thermal
    mask = (th.carrier == "coal").to_numpy()
    assets = asset_capacities(register, scenario)
    p_nom = assets.loc[list(th.id), "p_nom_mw"].to_numpy(float)
    forced = th.forced_outage_rate.to_numpy(float)  # every unit of a row shares its rate
    eff = p_nom[mask].sum() / (p_nom[mask] / th.efficiency.to_numpy(float)[mask]).sum()
    return mask, p_nom, p_nom * (1 - forced), eff


def coal_mw(system, coal, hours, stressed: bool) -> np.ndarray:
    """Expected coal the engine lets run in ``hours`` [MW] (no maintenance in winter)."""
    mask, _, expected, _ = coal
    share = system.row_derate[mask][:, hours] * (system.row_supply[mask][:, hours] if stressed else 1.0)
    return (share * expected[mask][:, None]).sum(axis=0)


def test_a_fuel_crisis_winter_burns_the_contracts_and_no_more(system, coal):
    *_, eff = coal
    contract_mw = CONTRACT_KT_PER_DAY * 1e3 * 5_000 * MWH_PER_T_PER_KCAL / 24 * eff  # [MW_el]
    assert 18_000 < contract_mw < 20_000  # about half of the 38.9 GW fleet
    january = np.flatnonzero(system.month == 0)
    # stock at its winter floor on 1 January: nothing to draw; no spot coal
    np.testing.assert_allclose(coal_mw(system, coal, january, stressed=True), contract_mw, rtol=1e-5)


def test_an_ordinary_winter_adds_spot_coal_and_the_stock_above_the_floor(system, coal):
    mask, p_nom, expected, eff = coal
    fuel_mw = (p_nom[mask] / eff).sum()
    day_of_burn = fuel_mw * 24 * LOAD_FACTOR  # [MWh_th]
    delivery = CONTRACT_KT_PER_DAY * (1 + SPOT) * 1e3 * 5_000 * MWH_PER_T_PER_KCAL / 24
    sustained = (delivery + (START_DAYS - PEAK_FLOOR_DAYS) * day_of_burn / PEAK_HOURS) * eff
    january = np.flatnonzero(system.month == 0)
    want = min(sustained, expected[mask].sum())
    np.testing.assert_allclose(coal_mw(system, coal, january, stressed=False), want, rtol=1e-5)
    # in summer the fuel is no limit: the whole expected fleet may run
    july = np.flatnonzero(system.month == 6)
    np.testing.assert_allclose(coal_mw(system, coal, july, stressed=False), expected[mask].sum(), rtol=1e-5)


def test_crisis_years_follow_the_record_by_hydrology(scenario, register):
    labels = ["observed-2023", "observed-2019", "extreme_dry", "normal", "observed-2099"]
    p = stress_probabilities(register, scenario, labels)
    stress = register.fuel_stress
    table = stress[stress.kind == "fuel_crisis"].set_index("hydrology").probability
    np.testing.assert_allclose(p, [1.0, 0.0, table["extreme_dry"], table["normal"], table["normal"]])
    assert table["extreme_dry"] > table["dry"] > table["normal"]  # crises came in dry years
    fixed = with_overrides(scenario, **{"adequacy.coal_supply_probability": 0.3})
    np.testing.assert_allclose(stress_probabilities(register, fixed, labels), 0.3)
