"""The LP cross-check: the dispatch LP on the engine's own samples (same weather, hydrology, outages,
planned maintenance and coal supply spells).

The LP has perfect foresight and every option the engine has, so its unserved energy must not
exceed the engine's; the engine's extra (the price of hour-by-hour decisions) must stay bounded.
"""

from __future__ import annotations

import pytest

from model.adequacy import lp_crosscheck
from model.scenario import load_scenario, with_overrides
from tests.conftest import RUNS

#: Largest accepted engine excess over the LP, as a share of the engine's EUE [-]. Measured:
#: ~0.3 on this stressed week; a broken engine or cross-check is far outside it.
MAX_GAP_SHARE = 0.45
#: A coal supply spell on 3-4 January that strikes every sample year.
SPELL = {"coal.supply": [{"start": "01-03", "end": "01-04", "unavailable_mw": 2000.0}],
         "adequacy.coal_supply_probability": 1.0}  # fmt: skip


@pytest.fixture(scope="module")
def stressed():
    """The 2030 system with 7 GW of coal: a week of January has shortfalls in most samples."""
    return with_overrides(load_scenario(RUNS / "2030-target.yaml"), **{"carrier_gw": {"coal": 7.0}})


@pytest.fixture(scope="module")
def plain(stressed, register):
    # no fuel-stress year (by default it is drawn by hydrology)
    plain = with_overrides(stressed, **{"adequacy.coal_supply_probability": 0.0})
    return lp_crosscheck(plain, register, [0, 1], seed=1, hours=168)


def assert_lp_never_beats_the_engine(ds):
    engine, lp = ds.engine_eue_mwh.values, ds.lp_eue_mwh.values
    assert engine.sum() > 0 and lp.sum() > 0, "the case must have shortfalls in both models"
    assert ds.attrs["lp_never_worse"] == 1, f"engine {engine}, LP {lp}"
    assert (lp <= engine + 1.0 + 1e-3 * engine).all()
    assert ds.attrs["lp_gap_eue_share"] <= MAX_GAP_SHARE
    # no bound on hours: the LP minimises unserved energy, and may spread less of it over more hours


def test_lp_never_beats_the_engine_and_the_gap_is_bounded(plain):
    assert_lp_never_beats_the_engine(plain)
    assert (plain.lp_coal_stress == 0).all()


def test_the_lp_sees_the_samples_coal_supply_spells(stressed, register, plain):
    ds = lp_crosscheck(with_overrides(stressed, **SPELL), register, [0, 1], seed=1, hours=168)
    assert (ds.lp_coal_stress == 1).all()
    assert_lp_never_beats_the_engine(ds)
    # the same samples lose the fuel-crisis winter's coal and 2 GW for two days in both models
    assert (ds.lp_eue_mwh.values > plain.lp_eue_mwh.values).all()
    assert (ds.engine_eue_mwh.values > plain.engine_eue_mwh.values).all()
