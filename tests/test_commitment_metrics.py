"""Coal commitment in the metrics: capacity started, least and mean committed, minimum-load check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest

from analysis.metrics import metrics
from analysis.summary import summarize


def committed_day() -> pypsa.Network:
    """Load 150 MW for 6 h, 45 MW for 12 h, 150 MW for 6 h; two committable coal classes.

    ``big`` (100 MW, minimum load 50 %, 300 CNY/MWh) and ``small`` (100 MW, minimum load 40 %,
    320 CNY/MWh), each starting committed, no minimum up or down time, start-ups at 10 CNY/MW,
    solved as a true (integer) commitment. In the 45 MW hours only ``small`` alone fits under the
    load (both at minimum load make 90 MW, ``big`` alone 50 MW), so ``big`` stops for 12 h and
    starts again: 100 MW started, least committed 100 MW, mean committed 150 MW.
    """
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-01-01", periods=24, freq="h"))
    for c in ("coal", "load", "AC"):
        n.add("Carrier", c)
    n.add("Bus", "guiyang", carrier="AC")
    load = np.r_[np.full(6, 150.0), np.full(12, 45.0), np.full(6, 150.0)]
    n.add("Load", "load_guiyang", bus="guiyang", carrier="load", p_set=load)
    n.add("Generator", ["big", "small"], bus="guiyang", carrier="coal", p_nom=100, p_min_pu=[0.5, 0.4],
          marginal_cost=[300, 320], committable=True, start_up_cost=1000.0, up_time_before=1)  # fmt: skip
    _, condition = n.optimize(solver_name="highs", io_api="direct", include_objective_constant=False,
                              linearized_unit_commitment=False)  # fmt: skip
    assert condition == "optimal"
    return n


def test_commitment_worked_by_hand():
    ds = metrics(committed_day())
    year = ds.sel(period="year")
    assert float(year.coal_committed_min_mw) == pytest.approx(100.0, abs=1e-6)
    assert float(year.coal_started_mw) == pytest.approx(100.0, abs=1e-6)
    assert float(year.coal_committed_mean_mw) == pytest.approx((12 * 200 + 12 * 100) / 24, abs=1e-6)
    assert float(year.coal_below_min_load_h) == 0.0
    s = summarize(ds, 0.0)
    assert s["coal_start_ups_mw"] == pytest.approx(100.0, abs=1e-6)
    assert s["coal_committed_min_gw"] == pytest.approx(0.1, abs=1e-9)
    assert s["coal_fleet_starts"] == pytest.approx(0.5, abs=1e-9)
