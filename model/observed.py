"""What the record observed of a history year's reservoirs, as the rule curves its run follows.

``data/history/reservoir_levels.csv`` holds the recorded water levels (S59: Goupitan, the
largest regulating reservoir of the Wujiang cascade, in the flood seasons of 2020-2024) and
``level_storage.csv`` the level-storage relation that turns them into shares of regulating
storage (:func:`model.reservoirs.storage_share`). A scenario with ``reservoir_guide: observed``
(the history years) runs its seasonal reservoirs on the observed path
(:func:`model.reservoirs.observed_rules`): its guide band follows the record, its inflow is
naturalised with the storage the record shows (the summer of 2022 did not refill the
reservoirs, so less water came than the stations turbined), and it starts and ends where the
path does. A scenario on the register's guide (``reservoir_guide: register``) is the rule a
planner assumes; the hindcast sets its levels against the same observations.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model import ROOT
from model.register import Register
from model.reservoirs import observed_points, observed_rules
from model.scenario import Scenario
from model.weather.hydrology import observed_year

#: The record of reservoir levels and the level-storage relation of each station read.
HISTORY = ROOT / "data" / "history"


def recorded_storage(folder: Path = HISTORY) -> pd.Series:
    """Observed storage shares of the seasonal reservoirs by date [-] (empty without a record)."""
    levels, stations = folder / "reservoir_levels.csv", folder / "level_storage.csv"
    if not levels.is_file() or not stations.is_file():
        return pd.Series(dtype=float)
    return observed_points(pd.read_csv(levels), pd.read_csv(stations))


def run_rules(register: Register, scenario: Scenario) -> pd.DataFrame:
    """The rule curves a run's seasonal reservoirs follow: the register's, or the observed year's
    (the scenario's own rule makes ``reservoir_guide: observed`` come with an observed year)."""
    if scenario.reservoir_guide == "register":
        return register.reservoir_rules
    year = observed_year(scenario.hydrology)
    assert year is not None, "Scenario refuses reservoir_guide: observed without an observed year"
    return observed_rules(register.reservoir_rules, recorded_storage(), year)
