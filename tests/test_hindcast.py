"""The hindcast's readers and checks, on hand-made numbers (analysis/hindcast.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.hindcast import (
    _demand_rows,
    by_record_period,
    guide_at_month_ends,
    hydro_checks,
    monthly_demand,
    reservoir_level,
)
from model.network import add_hydro
from model.network.hydro import seasonal_reservoirs
from tests.conftest import hydro_stations, one_bus, station

#: A record-like monthly hydro shape (Jan+Feb one value, then March to December) [TWh].
RECORD = np.array([8.3, 4.4, 4.4, 6.8, 9.8, 8.2, 6.6, 3.1, 2.3, 2.0, 2.7])
#: Month-end levels lowest in May and highest in October [-].
LEVEL = np.array([0.6, 0.5, 0.4, 0.3, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.7, 0.65])


def test_by_record_period_sums_january_and_february():
    assert by_record_period(np.arange(1.0, 13.0)).tolist() == [3.0, *range(3, 13)]


def test_a_model_that_follows_the_record_passes_every_check():
    checks = hydro_checks(RECORD * 1.01, RECORD, LEVEL).set_index("check")
    assert checks.passed.all(), checks
    assert checks.value.iloc[2] == pytest.approx(0.01)


def test_a_flat_or_reversed_year_fails_as_the_old_model_did():
    flat = np.full(11, RECORD.sum() / 11)
    flat[-1] += 0.5  # December highest, as before the rule curves
    levels_reversed = LEVEL[::-1]
    checks = hydro_checks(flat, RECORD, levels_reversed).set_index("check").passed
    assert not checks.iloc[0]  # correlation
    assert not checks.iloc[1]  # CV far below the record's
    assert checks.iloc[2]  # the annual energy is right
    assert not checks.iloc[3] and not checks.iloc[4]  # levels lowest and highest in the wrong months


def test_consumption_by_record_period_beside_the_record():
    n = one_bus(8760, 1000.0, start="2022-01-01")
    n.c.loads.dynamic.p = n.c.loads.dynamic.p_set.copy()  # as a solve writes it
    model = monthly_demand(n)
    assert model[0] == pytest.approx(1000 * 59 * 24 / 1e6)  # Jan+Feb
    assert model[1] == pytest.approx(1000 * 31 * 24 / 1e6)  # March
    assert model.sum() == pytest.approx(8.76)
    rows = _demand_rows(n, 2022)
    assert [r[2] for r in rows][:2] == ["jan_feb", "mar"]
    assert rows[0][4] == pytest.approx(31.9) and rows[-1][4] == pytest.approx(17.3)  # S2, 2022


def test_level_and_guide_are_those_of_the_seasonal_reservoirs_only():
    # a reservoir of 2,000 h at full power keeps the guide; a 20-h pond does not and must not
    # count in the level (it was counted before, being non-cyclic too)
    n = one_bus(8760, 5.0, start="2022-01-01")
    hydro = hydro_stations([station("big", p_nom_mw=5.0, reservoir_mwh=10_000.0),
                            station("pond", p_nom_mw=5.0, reservoir_mwh=100.0)])  # fmt: skip
    zero = pd.DataFrame({"big": 0.0, "pond": 0.0}, index=n.snapshots)
    rules = pd.DataFrame({"date": ["01-01", "07-01"], "ceiling": 1.0, "lower_guide": [0.2, 0.8],
                          "upper_guide": [0.3, 0.9]})  # fmt: skip
    add_hydro(n, hydro, zero, pd.DataFrame({"a": 0.0}, index=n.snapshots), rules)
    assert seasonal_reservoirs(n).tolist() == ["big reservoir"]
    e_nom = n.c.stores.static.e_nom
    levels = {"big reservoir": 0.5 * e_nom["big reservoir"], "pond reservoir": e_nom["pond reservoir"]}
    n.c.stores.dynamic.e = pd.DataFrame(levels, index=n.snapshots)
    np.testing.assert_allclose(reservoir_level(n), 0.5)
    guide = guide_at_month_ends(n)
    # 1 July (day 181) at 0.8, 1 January at 0.2, linear between: 30 June 23:00 is day 180.96;
    # 31 December holds its midnight value all day (day 364), so a path ending there ends there
    assert guide[5] == pytest.approx(0.2 + 0.6 * (180 + 23 / 24) / 181)
    assert guide[11] == pytest.approx(0.8 - 0.6 * 183 / 184)
