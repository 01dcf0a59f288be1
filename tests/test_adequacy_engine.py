"""The adequacy engine on small systems whose LOLE and EUE are known by hand.

Stochastic cases are checked within 3 standard errors of the analytic value; deterministic
ones exactly. Every kernel is also run as ``py_func`` and must equal its compiled self.
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from model.adequacy import engine, sorting
from model.reliability import SHORTFALL_TOL_MW
from model.thermal import outages

N_SAMPLES = 3000


def units_available(forced_outage_rate, mttr_h, mw, group, n_groups, hours, n_samples=N_SAMPLES, seed=7):
    """Available capacity [MW] per group and hour from the outage kernel, shape (S, G, T)."""
    fail, repair = outages.transition_probabilities(np.array(forced_outage_rate), np.array(mttr_h))
    keys = outages.sample_keys(seed, np.arange(n_samples))
    return outages.available_capacity(
        keys, outages.THERMAL_STREAM, np.array(group), np.array(mw, float), fail, repair, n_groups, hours
    )


def simulate(thermal, load, corridor=None, free=None, storage=(), dr=None, exports=None, hydro=None):
    """Run :func:`engine.simulate_years` on plain arrays with empty defaults.

    ``storage``: tuples (bus, MW, MWh, one-way efficiency), starting full. ``dr``: (MW per bus,
    MWh per bus, event hours). ``exports``: (bus, MW, obligation MW). ``hydro``: (bus, turbine MW,
    ceiling MWh, start MWh, guide MWh, inflow MW); the ceiling and guide per plant or per plant
    and hour.
    """
    n_s, n_b, n_t = thermal.shape
    load = np.broadcast_to(np.asarray(load, np.float32), (n_s, n_b, n_t)).copy()
    free = np.zeros_like(load) if free is None else np.broadcast_to(free, load.shape).astype(np.float32)
    corridor = np.zeros((n_b + 1, n_b + 1)) if corridor is None else corridor
    if hydro is None:
        hydro = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros((0, n_t)), 0.0)
    h_bus, turbine, size, start, guide, inflow = hydro
    n_h = len(h_bus)
    ceiling, guide = (np.broadcast_to(x if x.ndim == 2 else x[:, None], (n_h, n_t)).copy()
                      for x in (np.asarray(size, float), np.asarray(guide, float)))  # fmt: skip
    inflow = np.full((n_s, n_h, n_t), inflow, np.float32)
    st = np.array(storage, float).reshape(-1, 4)
    dr_mw, dr_mwh, dr_h = dr if dr is not None else (np.zeros(n_b), np.zeros(n_b), 1)
    if exports is None:
        ex_bus, ex_mw, obligation = np.zeros(0, np.int64), np.zeros(0), np.zeros(n_t)
    else:
        ex_bus, ex_mw, obligation = np.array([exports[0]]), np.array([exports[1]], float), exports[2]
        corridor[exports[0], n_b] = exports[1]
    return engine.simulate_years(
        load, free, thermal.astype(np.float32), inflow, np.zeros_like(inflow),
        np.ones((n_s, len(ex_bus), n_t), np.float32), corridor, ex_bus, ex_mw, 1.0,
        np.broadcast_to(np.asarray(obligation, float), (n_t,)).copy(),
        np.asarray(h_bus, np.int64), np.asarray(turbine, float), ceiling, guide, np.asarray(start, float),
        st[:, 0].astype(np.int64), st[:, 1], st[:, 2], st[:, 3],
        np.tile(np.asarray(dr_mw, float), (n_s, 1)), np.tile(np.asarray(dr_mwh, float), (n_s, 1)), dr_h,
        np.zeros(n_t, np.int64), SHORTFALL_TOL_MW,
    )  # fmt: skip


def one_year_with_levels(thermal, load, hydro) -> tuple[np.ndarray, np.ndarray]:
    """:func:`engine.simulate_year` on one sample (``thermal`` (B, T)) with its reservoir levels
    kept: (shortfall, levels)."""
    n_b, n_t = thermal.shape
    h_bus, turbine, size, start, guide, inflow = hydro
    n_h = len(h_bus)
    levels, short = np.zeros((n_h, n_t)), np.zeros(n_t)
    zeros = np.zeros((n_b, n_t), np.float32)
    engine.simulate_year(
        np.broadcast_to(np.asarray(load, np.float32), (n_b, n_t)).copy(), zeros, thermal.astype(np.float32),
        np.full((n_h, n_t), inflow, np.float32), np.zeros((n_h, n_t), np.float32),
        np.ones((0, n_t), np.float32), np.zeros((n_b + 1, n_b + 1)), np.zeros(0, np.int64), np.zeros(0), 1.0,
        np.zeros(n_t),
        np.asarray(h_bus, np.int64), np.asarray(turbine, float),
        np.repeat(np.asarray(size, float)[:, None], n_t, axis=1), np.asarray(guide, float),
        np.asarray(start, float), np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.ones(0),
        np.zeros(n_b), np.zeros(n_b), 1, np.zeros(n_t, np.int64), SHORTFALL_TOL_MW,
        short, np.zeros((n_b, 12)), np.zeros((n_b, 12), np.int32), np.zeros(5), levels,
    )  # fmt: skip
    return short, levels


def assert_within_3_se(per_sample: np.ndarray, expected: float) -> None:
    mean = per_sample.mean()
    se = per_sample.std(ddof=1) / np.sqrt(len(per_sample))
    assert se > 0
    assert abs(mean - expected) <= 3 * se, f"mean {mean:.4g} vs {expected:.4g} (SE {se:.3g})"


def test_two_units_fixed_load():
    """Two 100 MW units (FOR 0.1 and 0.2) against 150 MW: short when either is out."""
    hours = 48
    thermal = units_available([0.1, 0.2], [5.0, 10.0], [100, 100], [0, 0], 1, hours)
    short = simulate(thermal, 150.0)[0]
    p_short = 1 - 0.9 * 0.8
    mw_short = 0.1 * 0.8 * 50 + 0.9 * 0.2 * 50 + 0.1 * 0.2 * 150
    assert_within_3_se((short > SHORTFALL_TOL_MW).sum(axis=1), p_short * hours)
    assert_within_3_se(short.sum(axis=1), mw_short * hours)


def test_storage_covers_part_of_every_one_hour_outage():
    """A 200 MW unit out for exactly one hour at a time (MTTR 1 h), load 80 MW, storage 50 MW /
    50 MWh lossless: each outage hour is 30 MW short, and the next hour refills the store."""
    hours = 48
    thermal = units_available([0.1], [1.0], [200], [0], 1, hours)
    short = simulate(thermal, 80.0, storage=[(0, 50, 50, 1.0)])[0]
    assert_within_3_se((short > SHORTFALL_TOL_MW).sum(axis=1), 0.1 * hours)
    assert_within_3_se(short.sum(axis=1), 0.1 * 30 * hours)


def test_corridor_limits_the_transfer():
    """100 MW unit (FOR 0.1) at bus 0, 80 MW load at bus 1, 50 MW corridor: 30 MW short when up,
    80 MW when down, in every hour."""
    hours = 24
    thermal = units_available([0.1], [4.0], [100], [0], 2, hours)
    corridor = np.zeros((3, 3))
    corridor[0, 1] = corridor[1, 0] = 50.0
    short = simulate(thermal, np.array([0.0, 80.0])[:, None], corridor=corridor)[0]
    assert np.all((short > SHORTFALL_TOL_MW).sum(axis=1) == hours)
    assert_within_3_se(short.sum(axis=1), (30 + 0.1 * 50) * hours)


def test_demand_response_within_its_event_and_energy_caps():
    """100 MW firm, 120 MW load, 20 MW of DR for at most 2 h in any 3 and 60 MWh in all: DR covers
    hours 0, 1 and 3 (then its energy is spent); the other 7 of 10 hours are 20 MW short."""
    thermal = np.full((1, 1, 10), 100.0)
    short, _, _, diagnostics = simulate(thermal, 120.0, dr=(np.array([20.0]), np.array([60.0]), 2))
    assert np.flatnonzero(short[0] > SHORTFALL_TOL_MW).tolist() == [2, 4, 5, 6, 7, 8, 9]
    assert short[0].sum() == pytest.approx(140.0)
    assert diagnostics[0, 1] == pytest.approx(60.0)


def test_exports_are_cut_before_domestic_load():
    """100 MW firm, 80 MW load, 40 MW owed abroad: 20 MW delivered, no loss of load."""
    thermal = np.full((1, 1, 24), 100.0)
    short, _, _, diagnostics = simulate(thermal, 80.0, exports=(0, 50.0, 40.0))
    assert short.sum() == 0.0
    assert diagnostics[0, 0] == pytest.approx(20.0 * 24)


def test_held_water_meets_shortfalls_and_water_above_the_guide_is_released():
    """A 50 MW turbine with 100 MWh, no inflow, load 30 MW, nothing else. Guide at the level:
    the water is held and serves 30, 30, 30, 10 MW; guide at zero: all of it is released at once
    (50, 50 MW), so the first two hours are served and the rest is short."""
    hours = 6
    thermal = np.zeros((1, 1, hours))
    held = simulate(thermal, 30.0, hydro=([0], [50.0], [100.0], [100.0], np.full((1, hours), 100.0), 0.0))
    assert held[0][0].tolist() == pytest.approx([0, 0, 0, 20, 30, 30])
    forced = simulate(thermal, 30.0, hydro=([0], [50.0], [100.0], [100.0], np.zeros((1, hours)), 0.0))
    assert forced[0][0].tolist() == pytest.approx([0, 0, 30, 30, 30, 30])


def test_outages_have_the_stationary_rate_and_mean_repair_time():
    hours = 8760
    avail = units_available([0.05], [48.0], [1.0], [0], 1, hours, n_samples=200)[:, 0]
    down = avail < 0.5
    assert down.mean() == pytest.approx(0.05, abs=0.005)
    starts = (down[:, 1:] & ~down[:, :-1]).sum() + down[:, 0].sum()
    assert down.sum() / starts == pytest.approx(48.0, rel=0.1)


def test_impossible_outage_rate_is_an_input_error():
    from model.errors import InputError

    with pytest.raises(InputError, match="mttr_h"):
        outages.transition_probabilities(np.array([0.6]), np.array([1.0]), ["unit_x"])


def _all_python(monkeypatch, module) -> None:
    """Replace every njit kernel of ``module`` by its Python version (calls between kernels go
    through the module globals, so the whole chain then runs uncompiled)."""
    for name in dir(module):
        kernel = getattr(module, name)
        if hasattr(kernel, "py_func") and kernel.__module__ == module.__name__:
            monkeypatch.setattr(module, name, kernel.py_func)


def test_kernels_equal_their_python_versions(monkeypatch):
    """Every njit kernel of the engine and the outage model, compiled and as ``py_func``."""
    hours = 30
    fail, repair = outages.transition_probabilities(np.array([0.3, 0.2]), np.array([3.0, 2.0]))
    keys = outages.sample_keys(7, np.arange(3))
    args = (keys, outages.THERMAL_STREAM, np.array([0, 1]), np.array([60.0, 60.0]), fail, repair, 2, hours)
    corridor = np.zeros((3, 3))
    corridor[0, 1] = corridor[1, 0] = 40.0
    case = {
        "corridor": corridor,
        "storage": [(1, 20, 40, 0.9)],
        "dr": (np.array([0, 10.0]), np.array([0, 30.0]), 2),
        "hydro": ([0, 1], [30.0, 10.0], [200.0, 20.0], [150.0, 10.0], np.full((2, hours), 100.0), 5.0),
    }
    load = np.array([50.0, 70.0])[:, None]

    derate = np.ones((2, hours), np.float32)
    derate[:, 10:20] = 0.75  # a maintenance window
    supply = np.ones((2, hours), np.float32)
    supply[0, 5:15] = 0.5  # a supply spell striking row 0
    rows = (keys, outages.THERMAL_STREAM, np.array([0, 1]), np.array([60.0, 60.0]), fail, repair, derate,
            supply, np.array([True, False, True]), np.array([1, 0]))  # fmt: skip

    def run_all():
        thermal = outages.available_capacity(*args)
        derated = np.full((3, 2, hours), np.nan, np.float32)  # the kernel overwrites every element
        outages.thermal_available(*rows, derated)
        return (thermal, derated, outages.stream_uniforms(keys, 5), *simulate(thermal, load, **case),
                *one_year_with_levels(derated[0], load, case["hydro"]))  # fmt: skip

    compiled = run_all()
    _all_python(monkeypatch, outages)
    _all_python(monkeypatch, engine)
    assert not hasattr(engine.simulate_year, "py_func")
    python = run_all()
    assert compiled[2].sum() > 0  # the case has shortfalls, so every stage runs
    for a, b in zip(compiled, python, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9)


@njit
def _numba_argsort(key):
    """np.argsort as compiled numba computes it (the order :func:`sorting.argsort_into` copies)."""
    return np.argsort(key)


@njit
def _allocate_before(need, unit_bus, avail, hours_left, take):
    """The engine's allocation as it was written before it stopped allocating arrays: the
    reference :func:`engine.allocate` must equal bit for bit."""
    order = np.argsort(-hours_left)
    rest = need.copy()
    for k in range(order.shape[0]):
        u = order[k]
        b = unit_bus[u]
        take[u] = min(avail[u], max(rest[b], 0.0))
        rest[b] -= take[u]


@pytest.mark.parametrize("n", [1, 2, 5, 15, 16, 21, 40, 200])
def test_argsort_into_is_numbas_argsort_compiled_and_python(n):
    rng = np.random.default_rng(n)
    keys = [rng.normal(size=n), np.round(rng.normal(size=n), 1), np.zeros(n), -np.arange(n, dtype=float)]
    with_nan = rng.normal(size=n)
    with_nan[:: 3] = np.nan
    for key in (*keys, with_nan):  # distinct values, many ties, all tied, sorted, NaN
        want = _numba_argsort(key)
        for kernel in (sorting.argsort_into, sorting.argsort_into.py_func):
            order = np.full(n, -1, dtype=np.int64)
            kernel(key, order, np.zeros((64, 2), dtype=np.int64))
            assert np.array_equal(order, want)


def test_allocate_equals_the_sorting_allocation_it_replaced():
    """Same takes as argsort-and-split, with ties of hours left and with nothing to share."""
    rng = np.random.default_rng(11)
    n_units, n_bus = 21, 10
    unit_bus = rng.integers(0, n_bus - 1, n_units)
    size = rng.choice([0.0, 100.0, 250.0, 400.0], n_units)  # equal sizes: ties of hours left
    ties = 0
    for case in range(200):
        amount = np.round(rng.uniform(0, 5000, n_units), -3 if case % 2 else 0)  # ties on odd cases
        avail = np.minimum(size, amount) * (rng.random(n_units) < 0.8)
        need = rng.uniform(-100, 800, n_bus) * (case % 5 != 0)  # every fifth case: nothing needed
        want = np.full(n_units, np.nan)
        hours = amount / np.maximum(size, 1e-9)
        _allocate_before(need, unit_bus, avail, hours, want)
        water = avail > 0
        pairs = (unit_bus[:, None] == unit_bus[None, :]) & (hours[:, None] == hours[None, :])
        ties += int((pairs & water[:, None] & water[None, :] & ~np.eye(n_units, dtype=bool)).any())
        for kernel in (engine.allocate, engine.allocate.py_func):
            got = np.full(n_units, np.nan)
            work = np.empty(max(n_units, n_bus))
            kernel(need, unit_bus, avail, size, amount, work, np.empty(n_units, np.int64),
                   np.zeros((64, 2), np.int64), got)  # fmt: skip
            assert np.array_equal(got, want)
    assert ties > 20  # the order of tied units was tested, not only distinct ones
