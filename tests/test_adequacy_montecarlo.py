"""Monte Carlo driver: reproducible samples, the dataset's contents and the stopping rule."""

from __future__ import annotations

import numpy as np
import pytest

from model.adequacy import run_adequacy
from model.adequacy.montecarlo import CLASSES
from model.adequacy.system import build_system
from model.capacity import asset_capacities
from model.errors import InputError
from model.scenario import load_scenario, with_overrides
from model.thermal.units import thermal_units
from tests.conftest import RUNS

HOURS = 168


@pytest.fixture(scope="module")
def stressed():
    """The 2030 system with 7 GW of coal: a week of January has shortfalls in most samples."""
    return with_overrides(load_scenario(RUNS / "2030-target.yaml"), **{"carrier_gw": {"coal": 7.0}})


@pytest.fixture(scope="module")
def result(stressed, register):
    return run_adequacy(stressed, register, samples=24, seed=3, hours=HOURS, batch_size=10)


def test_same_seed_same_result_whatever_the_batches(stressed, register, result):
    again = run_adequacy(stressed, register, samples=24, seed=3, hours=HOURS, batch_size=24)
    for var in ("eue_mwh", "lole_h", "lold_d", "eue_bus_mwh", "event_energy_mwh"):
        np.testing.assert_array_equal(result[var].values, again[var].values)
    assert list(result.sample_hydrology.values) == list(again.sample_hydrology.values)
    other = run_adequacy(stressed, register, samples=24, seed=4, hours=HOURS, batch_size=24)
    assert not np.array_equal(result.eue_mwh.values, other.eue_mwh.values)


def test_dataset_is_consistent_and_documented(result):
    assert result.attrs["samples"] == 24 and result.attrs["stop_reason"] == "samples"
    assert float(result.eue_mwh_mean) > 0
    np.testing.assert_allclose(result.eue_mwh, result.eue_bus_mwh.sum("bus"), rtol=1e-5)
    np.testing.assert_allclose(result.eue_mwh, result.eue_month_mwh.sum("month"), rtol=1e-5)
    np.testing.assert_allclose(result.lole_h, result.lole_month_h.sum("month"))
    events = result.event_energy_mwh.groupby(result.event_sample).sum()
    np.testing.assert_allclose(events.values, result.eue_mwh.values[events.event_sample.values], rtol=1e-5)
    assert int(result.event_duration_h.sum()) == int(result.lole_h.sum())
    assert (result.lold_d <= result.lole_h).all() and (result.lold_d * 24 >= result.lole_h).all()
    se = result.eue_mwh.std(ddof=1) / np.sqrt(24)
    assert float(result.eue_mwh_se) == pytest.approx(float(se))
    assert int(result.n_by_class.sum()) == 24
    # the default hydrology draws observed years and classes; statistics group by nearest class
    labels, nearest = list(result.sample_hydrology.values), list(result.sample_class.values)
    assert any(x.startswith("observed-") for x in labels) and set(nearest) <= set(CLASSES)
    assert all(n == x for x, n in zip(labels, nearest, strict=True) if x in CLASSES)
    # fuel-stress years are drawn by hydrology (fuel_stress.csv): a crisis in observed-2023, none in 2015
    stress = result.sample_coal_stress.values
    assert all(s for x, s in zip(labels, stress, strict=True) if x in ("observed-2011", "observed-2023"))
    assert not any(s for x, s in zip(labels, stress, strict=True) if x in ("observed-2015", "observed-2019"))
    assert result.n_by_coal_supply.values.tolist() == [int((~stress).sum()), int(stress.sum())]
    for name, var in result.data_vars.items():
        assert "units" in var.attrs, name


def test_stops_on_the_relative_standard_error(stressed, register):
    ds = run_adequacy(
        stressed, register, samples=40, seed=3, hours=HOURS, rse=0.9, batch_size=10, min_samples=10
    )
    assert ds.attrs["stop_reason"] == "rse"
    assert ds.attrs["samples"] < 40 and ds.attrs["rse_eue"] <= 0.9


def test_no_shortfall_reports_zero_and_the_rule_of_three(register):
    ds = run_adequacy(load_scenario(RUNS / "2030-target.yaml"), register, samples=10, seed=1, hours=48)
    assert float(ds.eue_mwh_mean) == 0 and ds.attrs["verdict"] == "reliable"
    assert ds.attrs["share_of_years_with_shortfall_upper95"] == pytest.approx(0.3)
    assert ds.attrs["rse_eue"] == np.inf and ds.attrs["stop_reason"] == "samples"


def test_scaled_rows_keep_their_capacity_in_whole_units(stressed, register):
    units = thermal_units(register, asset_capacities(register, stressed))
    coal = register.thermal.carrier.to_numpy()[units.row] == "coal"
    assert units.mw[coal].sum() == pytest.approx(7000.0)
    p_nom = asset_capacities(register, stressed).loc[register.thermal.id, "p_nom_mw"].to_numpy()
    expected = np.where(p_nom > 0, np.maximum(1, np.round(p_nom / register.thermal.unit_mw.to_numpy())), 0)
    np.testing.assert_array_equal(np.bincount(units.row, minlength=len(p_nom)), expected)
    system = build_system(stressed, register, 24)
    assert system.unit_mw.sum() == pytest.approx(7000.0 + 1500.0 + 800.0)  # coal + gas + biomass


def test_bad_settings_are_input_errors(register):
    sc = load_scenario(RUNS / "2030-target.yaml")
    with pytest.raises(InputError, match="samples"):
        run_adequacy(sc, register, samples=0)
    with pytest.raises(InputError, match="rse"):
        run_adequacy(sc, register, samples=5, rse=1.5)
    with pytest.raises(InputError, match="add up to"):
        with_overrides(sc, **{"adequacy.hydrology_probabilities": {"dry": 0.5, "normal": 0.4}})


def test_every_event_says_what_caused_it(result):
    """At each event's largest hour the thermal capacity lost by cause and the capacity left add
    up to the installed fleet; a fuel-stress year's events say so; January has no maintenance."""
    assert result.sizes["event"] > 0
    stress = result.sample_coal_stress.values[result.event_sample.values]
    np.testing.assert_array_equal(result.event_fuel_stress.values, stress)
    hydrology = result.sample_hydrology.values[result.event_sample.values]
    np.testing.assert_array_equal(result.event_hydrology.values, hydrology)
    assert (result.event_thermal_maintenance_mw == 0).all()  # maintenance windows open in March
    assert (result.event_thermal_outage_mw >= 0).all() and (result.event_thermal_fuel_mw >= 0).all()
    peak = result.event_peak_hour.values
    start, end = result.event_start_h.values, result.event_start_h.values + result.event_duration_h.values
    assert ((start <= peak) & (peak < end)).all()
    # 7 GW of coal burns less than the 2030 contracts deliver (about 19 GW): fuel never binds,
    # even in a crisis winter; what is lost is forced outages
    assert (result.event_thermal_fuel_mw == 0).all()
    assert (result.event_thermal_outage_mw > 0).any()


def test_weather_straight_from_the_kernels_equals_the_dataset_path(stressed, register):
    """The batch's per-bus inputs from the kernels are, bit for bit, those from the profiles
    dataset (the LP cross-check's path), observed years and a short horizon included."""
    from model.adequacy.system import sample_inputs, sample_weather, scenario_weather
    from model.profiles import generator_arguments
    from model.weather import generate_profiles

    system = build_system(stressed, register, HOURS)
    classes = ["observed-2011", "dry", "observed-2022", "wet"]
    profiles = generate_profiles(
        **generator_arguments(stressed, register), hydrology=classes, n_years=4, first_year=7, seed=5
    )
    want = sample_inputs(system, profiles)
    got = sample_weather(system, scenario_weather(stressed, register), 5, 7, classes)
    for field in ("load", "free", "inflow", "floor", "dr_mw", "dr_mwh", "demand_mwh"):
        a, b = getattr(got, field), getattr(want, field)
        assert a.dtype == b.dtype and np.array_equal(a, b), field


def test_batches_written_into_kept_memory_equal_fresh_ones(stressed, register):
    """A batch written over the previous one's arrays (and a smaller last batch in a slice of
    them) holds what a batch in new arrays holds: nothing of the earlier batch is left."""
    from model.adequacy.memory import BatchMemory
    from model.adequacy.montecarlo import prepare_batch

    system = build_system(stressed, register, HOURS)
    memory = BatchMemory()
    first = prepare_batch(system, stressed, register, 3, np.arange(0, 6), memory=memory)
    for index in (np.arange(0, 6), np.arange(6, 9)):
        kept = prepare_batch(system, stressed, register, 3, index, memory=memory)
        assert np.shares_memory(kept.thermal, first.thermal)  # the same arrays, written again
        fresh = prepare_batch(system, stressed, register, 3, index)
        assert np.array_equal(kept.thermal, fresh.thermal)
        for field in ("load", "free", "inflow", "floor", "dr_mw", "demand_mwh"):
            assert np.array_equal(getattr(kept.inputs, field), getattr(fresh.inputs, field)), field
