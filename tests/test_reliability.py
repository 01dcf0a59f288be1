"""The one definition of loss of load: the threshold, weighted hours and the verdict."""

from __future__ import annotations

import numpy as np
import pytest

from model.reliability import SHORTFALL_TOL_MW, loss_of_load, loss_of_load_hours, verdict


def test_shortfall_below_the_tolerance_is_not_loss_of_load() -> None:
    shed = np.array([0.0, SHORTFALL_TOL_MW, 2 * SHORTFALL_TOL_MW, 500.0])
    assert loss_of_load(shed).tolist() == [False, False, True, True]


def test_hours_are_weighted_by_the_snapshot_weightings() -> None:
    shed = np.array([[0.0, 5.0, 5.0], [1.0, 0.0, 0.0]])
    assert loss_of_load_hours(shed).tolist() == [2.0, 1.0]
    # three-hour periods: each period with shedding is three loss-of-load hours
    assert loss_of_load_hours(shed, np.array([3.0, 3.0, 3.0])).tolist() == [6.0, 3.0]
    assert loss_of_load_hours(shed.T, np.array([1.0, 2.0, 4.0]), axis=0).tolist() == [6.0, 1.0]


@pytest.mark.parametrize(
    ("lole", "hours", "expected"),
    [(2.4, 8760, "reliable"), (2.5, 8760, "NOT reliable"), (0.6, 2190, "reliable"),
     (1.0, 2190, "NOT reliable")],
)
def test_verdict_scales_the_standard_to_the_hours_simulated(lole, hours, expected) -> None:
    assert verdict(lole, 2.4, hours) == expected
