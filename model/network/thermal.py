"""Coal, gas and biomass: one generator per prefecture and unit class.

- **Availability** (:mod:`model.thermal.availability`): maintenance, forced outages and coal
  supply scale each row's ``p_max_pu`` hour by hour.
- **Unit commitment of coal** (``dispatch.unit_commitment``, on by default): PyPSA's linearised
  unit commitment, the committed *share* of a row's available units in [0, 1] (a clustered
  relaxation; ``benchmarks/bench_unit_commitment.py`` measured it within 0.03-0.31 % of the
  integer optimum at 2-110x less time). Committed units run between their minimum stable load
  (``p_min_pu``, or ``coal.min_load_pu`` by unit class after flexibility retrofits) and their
  available capacity; a start costs ``start_up_cost_cny_per_mw`` per MW started; units stay up
  and down at least ``min_up_h`` and ``min_down_h``; ramps ``ramp_pu_per_h``. The year starts
  with every unit committed and free to stop.
- **Security floor** (``coal.floor_mw``): at least that much available coal committed in every
  hour (:func:`model.dispatch.constraints.add_coal_floor`).
- Gas and biomass are plain ramp-limited units (no minimum load); ``must_run`` assets run at
  least at their minimum load.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from model.dispatch.constraints import COAL_FLOOR_KEY, META_KEY
from model.errors import InputError, did_you_mean
from model.network.calendar import snapshots
from model.register import Register
from model.scenario import Scenario
from model.thermal.availability import availability, check_floor


def min_load(thermal: pd.DataFrame, scenario: Scenario) -> pd.Series:
    """Minimum stable load of each row [p.u.]: the register's, or the scenario's by unit class."""
    th = thermal.set_index("id")
    classes = set(th.unit_class[th.carrier == "coal"])
    out = th.p_min_pu.copy()
    for unit_class, pu in scenario.coal.min_load_pu.items():
        if unit_class not in classes:
            raise InputError(
                f"scenario '{scenario.name}': coal.min_load_pu.{unit_class}: no coal unit class of that name"
                f"{did_you_mean(unit_class, classes)}; valid: {', '.join(sorted(classes))}"
            )
        rows = th.index[(th.unit_class == unit_class) & (th.carrier == "coal")]
        too_fast = th.ramp_pu_per_h[rows] < pu
        if too_fast.any():
            raise InputError(
                f"scenario '{scenario.name}': coal.min_load_pu.{unit_class} = {pu:g} is above the class's "
                f"ramp of {th.ramp_pu_per_h[rows].min():g} p.u./h; a unit could not reach it in the hour it "
                "starts"
            )
        out[rows] = pu
    return out


def add_thermal(n: pypsa.Network, register: Register, assets: pd.DataFrame, scenario: Scenario) -> None:
    """Coal, gas and biomass generators [MW] with their availability; coal committed (module docstring)."""
    th = register.thermal.set_index("id")
    p_nom = assets.loc[th.index, "p_nom_mw"]
    avail = availability(register, p_nom, n.snapshots, scenario.coal)
    check_floor(register, p_nom, scenario.coal, snapshots(scenario.year))  # the whole year, whatever is run
    must = set(scenario.dispatch.must_run)
    must_run = th.index.isin(list(must)) | th.bus.isin(list(must)) & (th.carrier == "coal")
    committed = (th.carrier == "coal").to_numpy() & ~must_run & scenario.dispatch.unit_commitment
    floor_pu = min_load(register.thermal, scenario).where(committed | must_run, 0.0)
    n.add(
        "Generator",
        th.index,
        bus=th.bus,
        carrier=th.carrier,
        p_nom=p_nom,
        p_max_pu=avail,
        p_min_pu=avail * floor_pu,
        efficiency=th.efficiency,
        marginal_cost=th.marginal_cost_cny_per_mwh,
        ramp_limit_up=th.ramp_pu_per_h,
        ramp_limit_down=th.ramp_pu_per_h,
        committable=committed,
        start_up_cost=np.where(committed, th.start_up_cost_cny_per_mw * p_nom, 0.0),
        min_up_time=np.where(committed, th.min_up_h, 0).astype(int),
        min_down_time=np.where(committed, th.min_down_h, 0).astype(int),
        # "up long enough" before the first hour: committed, and free to stop at once
        up_time_before=np.where(committed, np.maximum(th.min_up_h, 1), 1).astype(int),
    )
    coal = th.index[th.carrier == "coal"]
    meta = n.meta.setdefault(META_KEY, {})
    meta[COAL_FLOOR_KEY] = {
        "mw": float(scenario.coal.floor_mw),
        "generators": list(coal),
        "min_load_pu": [float(v) for v in min_load(register.thermal, scenario)[coal]],
    }
