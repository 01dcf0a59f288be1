"""The LP cross-check: the dispatch LP on the engine's own samples (same weather, hydrology, outages).

The LP has perfect foresight and every option the engine has, so its unserved energy must not
exceed the engine's; the engine's extra (the price of hour-by-hour decisions) must stay bounded.
"""

from __future__ import annotations

from model.adequacy import lp_crosscheck
from model.scenario import load_scenario, with_overrides
from tests.conftest import RUNS

#: Largest accepted engine excess over the LP, as a share of the engine's EUE [-]. Measured:
#: ~0.3 on this stressed week; a broken engine or cross-check is far outside it.
MAX_GAP_SHARE = 0.45


def test_lp_never_beats_the_engine_and_the_gap_is_bounded(register):
    stressed = with_overrides(load_scenario(RUNS / "2030-target.yaml"), **{"carrier_gw": {"coal": 7.0}})
    ds = lp_crosscheck(stressed, register, [0, 1], seed=1, hours=168)
    engine, lp = ds.engine_eue_mwh.values, ds.lp_eue_mwh.values
    assert engine.sum() > 0 and lp.sum() > 0, "the case must have shortfalls in both models"
    assert ds.attrs["lp_never_worse"] == 1, f"engine {engine}, LP {lp}"
    assert (lp <= engine + 1.0 + 1e-3 * engine).all()
    assert ds.attrs["lp_gap_eue_share"] <= MAX_GAP_SHARE
    assert (ds.lp_lole_h.values <= ds.engine_lole_h.values + 2).all()
