"""The hindcast's readers and checks, on hand-made numbers (analysis/hindcast.py)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.hindcast import _demand_rows, by_record_period, hydro_checks, monthly_demand
from tests.conftest import one_bus

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
