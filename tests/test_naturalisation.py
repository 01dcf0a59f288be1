"""Recorded generation turned into natural inflow: what the guide stores is added back.

The dispatch steers the seasonal reservoirs to the same guide curve the naturalisation assumes,
so the two must agree month by month; and the register's guide must give natural inflow the
shape of a dry-season recession, not a second peak in January.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import ROOT
from model.capacity import asset_capacities
from model.network.hydro import hydro_table
from model.register import load_register
from model.reservoirs import guide_regulation_mw
from model.scenario import load_scenario
from model.weather.hydrology import MONTH_DAYS, NATURAL_FLOOR_SHARE, natural_factors, shape_from_energy
from model.weather.parameters import load_params

#: Generation of a made-up year by month [TWh]: wet in summer, dry in winter.
MONTHLY_TWH = np.array([4.0, 3.5, 4.0, 4.0, 5.0, 8.0, 9.0, 7.0, 6.0, 5.0, 4.0, 3.5])


def _mean_mw(twh: np.ndarray) -> np.ndarray:
    return twh * 1e6 / (MONTH_DAYS * 24)


def test_natural_inflow_is_generation_plus_what_the_guide_stores():
    # storing 1 TWh in each of Jun-Oct and drawing 5/7 TWh in each other month nets to zero
    stored = _mean_mw(np.r_[np.full(5, -5 / 7), np.ones(5), np.full(2, -5 / 7)])
    assert stored @ MONTH_DAYS == pytest.approx(0.0, abs=1e-6)
    fleet = MONTHLY_TWH.sum() * 1e6 / 8760
    factors = shape_from_energy(MONTHLY_TWH)
    natural = natural_factors(factors, fleet, stored) * fleet
    # no month reaches the floor here, so the months are exactly generation + storing
    np.testing.assert_allclose(natural - stored, factors * fleet, rtol=1e-9)
    np.testing.assert_allclose(natural @ MONTH_DAYS, factors * fleet @ MONTH_DAYS, rtol=1e-9)


def test_a_month_the_guide_would_leave_dry_keeps_its_floor_and_the_year_its_energy():
    fleet = MONTHLY_TWH.sum() * 1e6 / 8760
    factors = shape_from_energy(MONTHLY_TWH)
    stored = np.zeros(12)
    stored[3] = -2 * factors[3] * fleet  # April: more drawn than generated
    stored[6] = -stored[3] * MONTH_DAYS[3] / MONTH_DAYS[6]  # stored again in July
    natural = natural_factors(factors, fleet, stored) * fleet
    assert natural @ MONTH_DAYS == pytest.approx(factors * fleet @ MONTH_DAYS, rel=1e-9)
    # after rescaling to the year's energy April sits at the floor's share of July's ratio
    scale = natural[0] / (factors[0] * fleet)
    assert natural[3] == pytest.approx(NATURAL_FLOOR_SHARE * factors[3] * fleet * scale, rel=1e-9)
    assert scale < 1.0  # the floor's water comes off the other months


def test_the_registers_guide_makes_natural_inflow_recede_from_november_to_february():
    reg = load_register()
    scenario = load_scenario(ROOT / "runs" / "history-2022.yaml")
    hydro = hydro_table(reg, asset_capacities(reg, scenario))
    stored_twh = guide_regulation_mw(hydro, reg.reservoir_rules, 2022) * MONTH_DAYS * 24 / 1e6
    params = load_params()
    years = [y for y in range(2015, 2025) if y in params.hydro_record]
    generation = np.mean([np.asarray(params.hydro_record[y]) for y in years], axis=0)
    daily = (generation + stored_twh) / MONTH_DAYS  # natural inflow per day [TWh/d]
    nov, dec, jan, feb = daily[10], daily[11], daily[0], daily[1]
    assert nov > dec > jan > feb, np.round(daily, 3)
    assert feb == pytest.approx(daily.min(), rel=0.15)  # February is (about) the driest month
