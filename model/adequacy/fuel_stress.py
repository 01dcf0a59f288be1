"""The fuel chain in the adequacy engine: how much coal the fuel sustains, and which years lack it.

The engine has no stockpile. It caps each coal row at the power its fuel region's chain can
sustain through a winter (:func:`model.thermal.fuel.sustained_coal_mw`: the deliveries plus the
stock above the floor spread over the peak season), as a share of the row's *expected* available
capacity (installed x not in maintenance x not forced out), so that sampled outages and the cap
are not counted twice in the mean.

Two fuel years are drawn:

- an **ordinary** year: deliveries as the register gives them for the scenario's year (contract
  coal plus spot), stock from ``coal_supply.csv``. This cap is folded into the rows' derate in
  every sample;
- a **fuel-crisis** year (:func:`model.thermal.fuel.crisis_options`): contract coal only in the
  peak season (December to February), stock at the winter floor on 1 January, as in the
  2022/23 winter; plus the scenario's coal supply spells (``coal.supply``) if any.

A sample year is a fuel-crisis year with the probability ``fuel_stress.csv`` gives for its
hydrology (the record: crises came in dry years, 2011, 2021, 2022, 2023), or with
``adequacy.coal_supply_probability`` for every sample when the scenario sets it. A hydrology the
table does not list takes the probability of ``normal``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.errors import InputError
from model.register import Register
from model.scenario import Scenario
from model.thermal.availability import supply_factor
from model.thermal.fuel import crisis_options, sustained_coal_mw


def expected_available_mw(register: Register, p_nom: pd.Series, maintenance: np.ndarray) -> np.ndarray:
    """Expected available capacity of each thermal row per hour, (R, T) [MW]: installed, not in
    maintenance (``maintenance``, the share not in maintenance, (R, T)) and not forced out
    (the row's ``forced_outage_rate``, which every unit of the row shares)."""
    th = register.thermal
    forced = th.forced_outage_rate.to_numpy(float)
    return p_nom[list(th.id)].to_numpy(float)[:, None] * (1.0 - forced)[:, None] * maintenance


def fuel_shares(
    register: Register, scenario: Scenario, p_nom: pd.Series, sns: pd.DatetimeIndex, expected: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Share of each row's expected available capacity the fuel sustains: (ordinary, crisis), (R, T) [-].

    Ones for rows that burn no coal and everywhere when ``coal.fuel_chain`` is off.
    """
    rows = list(register.thermal.id)
    shape = (len(rows), len(sns))
    if not scenario.coal.fuel_chain:
        return np.ones(shape), np.ones(shape)

    def share(coal) -> np.ndarray:
        mw = sustained_coal_mw(register, coal, scenario.year, p_nom, sns)
        out = np.ones(shape)
        at = [rows.index(r) for r in mw.columns]
        cap = mw.to_numpy().T
        out[at] = np.divide(cap, expected[at], out=np.ones_like(cap), where=expected[at] > 0)
        return np.clip(out, 0.0, 1.0)

    ordinary = share(scenario.coal)
    crisis = share(crisis_options(register, scenario.coal, scenario.year))
    return ordinary, np.minimum(crisis, ordinary)


def stress_derates(
    register: Register, scenario: Scenario, assets: pd.DataFrame, sns: pd.DatetimeIndex,
    maintenance: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(derate, supply) of each thermal row per hour for the engine, (R, T) float32 each [-].

    ``derate`` is ``maintenance`` times the ordinary year's fuel share: it holds in every sample.
    ``supply`` multiplies it in fuel-stress years: the crisis year's fuel share over the ordinary
    one, times the supply spells (``coal.supply``) as they strike.

    Raises
    ------
    InputError
        ``adequacy.coal_supply_probability`` is above 0 but neither a fuel chain nor a supply
        spell can strike, or a spell takes more coal than its prefectures have.
    """
    coal = scenario.coal
    probability = scenario.adequacy.coal_supply_probability
    if probability and not coal.supply and not coal.fuel_chain:
        raise InputError(
            f"adequacy.coal_supply_probability = {probability:g} but there is nothing to strike: "
            "coal.fuel_chain is off and coal.supply has no spell; add spells (start, end, unavailable_mw), "
            "turn the fuel chain on or set the probability to 0"
        )
    rows = list(register.thermal.id)
    p_nom = assets.loc[rows, "p_nom_mw"]
    expected = expected_available_mw(register, p_nom, maintenance)
    ordinary, crisis = fuel_shares(register, scenario, p_nom, sns, expected)
    # the spells as they strike, whatever the dispatch's one-year switch coal.supply_stress says
    spells = supply_factor(register, p_nom, sns, coal.model_copy(update={"supply_stress": True}))
    spell = spells[rows].to_numpy().T
    supply = np.divide(crisis, ordinary, out=np.ones_like(crisis), where=ordinary > 0) * spell
    return (maintenance * ordinary).astype(np.float32), np.clip(supply, 0.0, 1.0).astype(np.float32)


def stress_probabilities(register: Register, scenario: Scenario, labels: list[str]) -> np.ndarray:
    """Chance that each sample year is a fuel-stress year, by its hydrology label, (S,) [-].

    ``adequacy.coal_supply_probability`` for all when the scenario sets it; otherwise the
    ``fuel_crisis`` row of ``fuel_stress.csv`` for the label (or for ``normal`` if not listed).
    """
    fixed = scenario.adequacy.coal_supply_probability
    if fixed is not None:
        return np.full(len(labels), float(fixed))
    table = register.fuel_stress
    crisis = table[table.kind == "fuel_crisis"].set_index("hydrology").probability
    fallback = float(crisis.get("normal", 0.0))
    return np.array([float(crisis.get(label, fallback)) for label in labels])
