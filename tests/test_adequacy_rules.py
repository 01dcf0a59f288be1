"""The adequacy engine follows the register's operating rules: reservoir rule curves, planned
maintenance and coal supply spells (drawn per sample year).

Hand-checkable cases on plain arrays run the compiled kernels (compiled once, reused by every
test); the system-level checks use the bundled register on a few days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest

from model.adequacy import draws, engine, run_adequacy
from model.adequacy.montecarlo import thermal_capacity
from model.adequacy.reservoirs import POND_START_SHARE, own_rules
from model.adequacy.system import build_system
from model.capacity import asset_capacities
from model.errors import InputError
from model.network import snapshots
from model.network.hydro import add_hydro, hydro_table
from model.register import PREFECTURES, maintenance_days
from model.reliability import SHORTFALL_TOL_MW
from model.reservoirs import rule_curves
from model.scenario import load_scenario, with_overrides
from model.thermal import outages
from tests.conftest import RUNS

#: One seasonal station: 100 GWh of usable energy behind a turbine [MWh, MW] (200 h at full power).
ENERGY_MWH, TURBINE_MW = 100_000.0, 500.0
#: Constant inflow [MW]: more than the guide's fastest rise (10 % of the energy over 15 days in
#: September, 28 MW), so a large turbine keeps the level on the guide all year; and, less a
#: 10 MW turbine, more than the ceiling's (15 % over 15 days after the flood season, 42 MW).
INFLOW_MW = 60.0
#: The small turbine of the spill case [MW].
SMALL_TURBINE_MW = 10.0
#: A coal supply spell on 2-3 January (hours 24-71 of the year).
SPELL = {"start": "01-02", "end": "01-03", "unavailable_mw": 3000.0}
SPELL_HOURS = slice(24, 72)


def one_station(register, start_share: float | None = None):
    """A seasonal reservoir and its rules (register's curves, all of 2030)."""
    hydro = pd.DataFrame(
        {"reservoir_mwh": [ENERGY_MWH], "p_nom_mw": [TURBINE_MW], "ror_share": [0.0], "kind": ["reservoir"]},
        index=["s"],
    )
    return hydro, own_rules(hydro, register.reservoir_rules, snapshots(2030), start_share)


def run_station(turbine_mw: float, rules) -> tuple[np.ndarray, np.ndarray]:
    """One station alone at one bus with no load: its level at the end of every hour [MWh] and
    the engine's diagnostics [MWh]."""
    n_t = rules.guide_mwh.shape[1]
    zeros_bt = np.zeros((1, n_t), np.float32)
    levels, diagnostics = np.zeros((1, n_t)), np.zeros(5)
    inflow = np.full((1, n_t), INFLOW_MW, np.float32)
    engine.simulate_year(
        zeros_bt, zeros_bt, zeros_bt, inflow, np.zeros((1, n_t), np.float32),
        np.ones((0, n_t), np.float32), np.zeros((2, 2)), np.zeros(0, np.int64), np.zeros(0), 1.0,
        np.zeros(n_t), np.zeros(1, np.int64), np.array([turbine_mw]), rules.ceiling_mwh, rules.guide_mwh,
        rules.start_mwh, np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.ones(0),
        np.zeros(1), np.zeros(1), 1, np.zeros(n_t, np.int64), SHORTFALL_TOL_MW,
        np.zeros(n_t), np.zeros((1, 12)), np.zeros((1, 12), np.int32), diagnostics, levels,
    )  # fmt: skip
    return levels[0], diagnostics


def test_seasonal_rules_are_the_registers_lower_guide_and_ceiling(register):
    _, rules = one_station(register)
    curves = rule_curves(register.reservoir_rules, snapshots(2030))
    assert rules.seasonal.tolist() == [True]
    np.testing.assert_allclose(rules.guide_mwh[0], ENERGY_MWH * curves.lower_guide.to_numpy())
    np.testing.assert_allclose(rules.ceiling_mwh[0], ENERGY_MWH * curves.ceiling.to_numpy())
    # the year starts on the lower guide of 1 January, or where the scenario says
    assert rules.start_mwh[0] == pytest.approx(ENERGY_MWH * curves.lower_guide.iloc[0])
    assert one_station(register, 0.4)[1].start_mwh[0] == pytest.approx(0.4 * ENERGY_MWH)


def test_level_tracks_the_lower_guide_with_a_large_turbine(register):
    """No load: every MWh above the guide is released, and the inflow outruns the guide's rise,
    so the level ends every hour on the guide and nothing spills."""
    _, rules = one_station(register)
    levels, diagnostics = run_station(TURBINE_MW, rules)
    np.testing.assert_allclose(levels, rules.guide_mwh[0], atol=1e-6)
    assert diagnostics[4] == 0.0


def test_water_above_the_ceiling_spills(register):
    """A 10 MW turbine cannot pass 60 MW of inflow: the level climbs 50 MWh an hour until the
    ceiling, then stays on it (down to the flood-season limit of 85 % from 1 June to 31 August
    and back up) and the rest spills."""
    _, rules = one_station(register)
    levels, diagnostics = run_station(SMALL_TURBINE_MW, rules)
    ceiling, net = rules.ceiling_mwh[0], INFLOW_MW - SMALL_TURBINE_MW
    assert levels[0] == pytest.approx(rules.start_mwh[0] + net)
    full = int(np.ceil((ENERGY_MWH - rules.start_mwh[0]) / net))  # hours to fill
    assert (levels[: full - 1] < ceiling[: full - 1]).all()
    np.testing.assert_allclose(levels[full - 1 :], ceiling[full - 1 :], atol=1e-6)
    june_to_august = slice(151 * 24, 242 * 24 + 1)
    np.testing.assert_allclose(levels[june_to_august], 0.85 * ENERGY_MWH, atol=1e-6)
    # water balance: start + inflow = end + turbined + spilled
    spilled = rules.start_mwh[0] + net * len(levels) - levels[-1]
    assert diagnostics[4] == pytest.approx(spilled)


def test_engine_starts_and_caps_each_reservoir_where_the_network_does(register):
    """Seasonal reservoirs on their lower guide under their ceiling, ponds half full."""
    scenario = load_scenario(RUNS / "2030-target.yaml")
    hy = hydro_table(register, asset_capacities(register, scenario))
    sns = snapshots(2030, 48)
    n = pypsa.Network()
    n.set_snapshots(sns)
    n.add("Bus", list(PREFECTURES))
    zeros = pd.DataFrame(0.0, index=sns, columns=hy.index)
    add_hydro(n, hy, zeros, pd.DataFrame(0.0, index=sns, columns=list(PREFECTURES)), register.reservoir_rules)
    rules = own_rules(hy, register.reservoir_rules, sns)
    names = [f"{i} reservoir" for i in hy.index]
    stores = n.c.stores.static.loc[names]
    np.testing.assert_allclose(rules.start_mwh, stores.e_initial.to_numpy())
    assert not stores.e_cyclic.any()
    seasonal = [f"{i} reservoir" for i in hy.index[rules.seasonal]]
    ceiling = n.c.stores.dynamic.e_max_pu[seasonal].to_numpy().T * stores.e_nom[seasonal].to_numpy()[:, None]
    np.testing.assert_allclose(rules.ceiling_mwh[rules.seasonal], ceiling)
    ponds = ~rules.seasonal
    assert ponds.any() and rules.seasonal.any()
    np.testing.assert_allclose(rules.start_mwh[ponds], POND_START_SHARE * hy.reservoir_mwh[ponds])


@pytest.fixture(scope="module")
def scenario():
    """The 2030 plan without its fuel cap, so that maintenance and the spells are seen alone
    (the fuel chain in the engine has its own tests, tests/test_fuel_stress.py)."""
    return with_overrides(load_scenario(RUNS / "2030-target.yaml"), **{"coal.fuel_chain": False})


def rows_available(system, keys, stress=None, outages_on=False) -> np.ndarray:
    """Available capacity of each register row [MW], (S, R, T); no forced outages unless asked."""
    if not outages_on:
        system = _no_outages(system)
    n_rows = len(system.thermal_rows)
    stress = np.zeros(len(keys), bool) if stress is None else stress
    return thermal_capacity(system, keys, stress, np.arange(n_rows), n_rows)


def _no_outages(system):
    from dataclasses import replace

    return replace(system, unit_fail=np.zeros_like(system.unit_fail))


def test_maintenance_derates_only_inside_the_windows(scenario, register):
    """1 January to 16 March: the spring window opens on 1 March (hour 1,416). A row with ``w``
    weeks of maintenance loses ``7 w / 154`` of its capacity inside (154 days of windows)."""
    hours = 75 * 24
    keys = outages.sample_keys(1, np.arange(3))
    kept = build_system(scenario, register, hours)
    off = build_system(with_overrides(scenario, **{"coal.maintenance": False}), register, hours)
    assert (off.row_derate == 1).all()
    th = register.thermal
    days = maintenance_days(register.maintenance, register.path / "maintenance.csv")
    assert days == 92 + 62
    p_nom = asset_capacities(register, scenario).loc[th.id, "p_nom_mw"].to_numpy()
    inside = p_nom * (1 - th.maintenance_weeks.to_numpy() * 7 / days)
    derated = rows_available(kept, keys)
    np.testing.assert_allclose(derated[:, :, :1416], np.broadcast_to(p_nom[:, None], (3, len(th), 1416)),
                               rtol=1e-6)  # fmt: skip
    np.testing.assert_allclose(derated[:, :, 1416:], np.broadcast_to(inside[:, None], (3, len(th), 24 * 16)),
                               rtol=1e-6)  # fmt: skip
    # with forced outages too: the same draws, derated inside the window and untouched outside
    with_maint = thermal_capacity(kept, keys, np.zeros(3, bool), kept.row_bus, len(kept.buses))
    without = thermal_capacity(off, keys, np.zeros(3, bool), off.row_bus, len(off.buses))
    np.testing.assert_array_equal(with_maint[:, :, :1416], without[:, :, :1416])
    assert (with_maint[:, :, 1416:] < without[:, :, 1416:]).any()
    assert (with_maint[:, :, 1416:] <= without[:, :, 1416:] + 1e-3).all()


def test_coal_stress_is_drawn_with_its_probability_per_sample(scenario, register):
    keys = outages.sample_keys(5, np.arange(40))
    assert draws.draw_coal_stress(keys, 1.0).all()
    assert not draws.draw_coal_stress(keys, 0.0).any()
    half = draws.draw_coal_stress(keys, 0.5)
    assert 5 < half.sum() < 35
    # a sample's draw depends on (seed, sample) only: the same in any batch
    parts = [
        draws.draw_coal_stress(outages.sample_keys(5, np.arange(a, b)), 0.5) for a, b in ((0, 7), (7, 40))
    ]
    np.testing.assert_array_equal(np.concatenate(parts), half)
    other = draws.draw_coal_stress(outages.sample_keys(6, np.arange(40)), 0.5)
    assert not np.array_equal(other, half)


def test_a_stressed_sample_loses_the_spells_coal_exactly_in_its_hours(scenario, register):
    stressed = with_overrides(scenario, **{"coal.supply": [SPELL], "adequacy.coal_supply_probability": 1.0})
    system = build_system(stressed, register, 120)
    keys = outages.sample_keys(1, np.arange(2))
    coal = (register.thermal.carrier == "coal").to_numpy()
    lost = rows_available(system, keys) - rows_available(system, keys, np.ones(2, bool))
    hours = np.zeros(120, bool)
    hours[SPELL_HOURS] = True
    np.testing.assert_allclose(lost[:, coal][:, :, hours].sum(axis=1), 3000.0, rtol=1e-5)
    assert (lost[:, ~coal] == 0).all() and (lost[:, :, ~hours] == 0).all()
    # with forced outages, the spell takes its share of what is left, and only in its hours
    both = thermal_capacity(system, keys, np.ones(2, bool), system.row_bus, len(system.buses))
    none = thermal_capacity(system, keys, np.zeros(2, bool), system.row_bus, len(system.buses))
    assert ((none - both)[:, :, hours].sum(axis=1) > 0).all()
    np.testing.assert_array_equal(none[:, :, ~hours], both[:, :, ~hours])


def test_sampled_stress_is_recorded_and_reproducible(scenario, register):
    spell = {**SPELL, "start": "01-01", "end": "01-01"}
    case = with_overrides(
        scenario,
        **{"coal.supply": [spell], "adequacy.coal_supply_probability": 0.5, "carrier_gw": {"coal": 8.0}},
    )
    a = run_adequacy(case, register, samples=6, seed=2, hours=48, batch_size=2)
    b = run_adequacy(case, register, samples=6, seed=2, hours=48, batch_size=6)
    stress = a.sample_coal_stress.values
    assert 0 < stress.sum() < len(stress), "seed 2 should draw stressed and unstressed years"
    np.testing.assert_array_equal(stress, b.sample_coal_stress.values)
    np.testing.assert_array_equal(a.eue_mwh.values, b.eue_mwh.values)
    np.testing.assert_array_equal(stress, draws.draw_coal_stress(outages.sample_keys(2, np.arange(6)), 0.5))
    assert a.n_by_coal_supply.values.tolist() == [int((~stress).sum()), int(stress.sum())]
    assert a.attrs["years_with_coal_stress"] == int(stress.sum())
    for kind, rows in (("stress", stress), ("no_stress", ~stress)):
        given = a.eue_mwh_by_coal_supply_mean.sel(coal_supply=kind)
        assert float(given) == pytest.approx(float(a.eue_mwh.values[rows].mean()))
    assert a.lole_h_by_coal_supply_mean.attrs["units"] == "h/yr"


def test_probability_without_spells_or_fuel_chain_is_an_input_error(scenario, register):
    with pytest.raises(InputError, match=r"coal\.supply has no spell"):
        build_system(with_overrides(scenario, **{"adequacy.coal_supply_probability": 0.2}), register, 24)
