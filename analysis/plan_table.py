"""A scenario's installed capacity beside the plan's targets: the table ``gzgrid validate`` prints.

Reads the scenario and the register only (nothing is built or solved): capacity by carrier
(:func:`model.capacity.capacity_by_carrier`), each carrier's target from ``targets.csv``
(:data:`model.capacity.PLAN_CAPACITY_TARGETS`), and the coal share of installed capacity
against its target.
"""

from __future__ import annotations

import pandas as pd

from model.capacity import (
    COAL_SHARE_TARGET,
    PLAN_CAPACITY_TARGETS,
    asset_capacities,
    capacity_by_carrier,
    coal_share,
)
from model.register import Register
from model.scenario import Scenario

#: Columns of :func:`plan_table`.
COLUMNS = ("row", "value", "unit", "comparison", "plan_value", "clause")


def plan_table(register: Register, scenario: Scenario) -> pd.DataFrame:
    """Capacity by carrier and the coal share, each beside the plan's target for the scenario's year.

    Parameters
    ----------
    register : Register
        The asset register (capacities and ``targets.csv``).
    scenario : Scenario
        Gives the year and the capacity overrides.

    Returns
    -------
    pandas.DataFrame
        One row per carrier (in :data:`model.capacity.CARRIER_ORDER`), then ``coal share``.
        Columns: ``row``; ``value`` with its ``unit`` (``GW``, or ``share`` as a fraction);
        ``comparison``, ``plan_value`` and ``clause`` of the target (empty and NaN without one).
    """
    gw = capacity_by_carrier(asset_capacities(register, scenario))
    targets = register.targets[register.targets.year == scenario.year].set_index("id")
    rows = [_row(c, float(v), "GW", targets, PLAN_CAPACITY_TARGETS.get(c)) for c, v in gw.items()]
    rows.append(_row("coal share", coal_share(gw), "share", targets, COAL_SHARE_TARGET))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _row(name: str, value: float, unit: str, targets: pd.DataFrame, target: str | None) -> dict[str, object]:
    if target is None or target not in targets.index:
        return {"row": name, "value": value, "unit": unit, "comparison": "", "plan_value": float("nan"),
                "clause": ""}  # fmt: skip
    t = targets.loc[target]
    return {"row": name, "value": value, "unit": unit, "comparison": str(t.comparison),
            "plan_value": float(t.value), "clause": str(t.clause)}  # fmt: skip
