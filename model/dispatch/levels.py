"""Storage levels in the hourly LP and the seasonal plan's LP, matched store by store.

Every ``Store`` energy and ``StorageUnit`` state of charge is a *level*. A level is **long**
(reservoirs, hydrogen stores, storage units of at least :data:`LONG_STORAGE_HOURS`) or
**short** (batteries, pumped hydro of a few hours); long levels follow the seasonal plan, short
ones cycle freely within each window. A **cyclic** level ends the year where it started.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pypsa
import scipy.sparse as sp

from model.dispatch.matrices import LinearProgram, variable_columns

#: StorageUnits with at least this many hours at full power are long storage [h].
LONG_STORAGE_HOURS = 24.0
#: The level variables PyPSA creates, and the component each belongs to.
LEVEL_VARIABLES = (("Store-e", "stores"), ("StorageUnit-state_of_charge", "storage_units"))


@dataclass(frozen=True)
class StorageLevels:
    """Level columns of the hourly LP and of the plan LP, one column per storage.

    Attributes
    ----------
    names : pandas.Index
        Storage names (stores first, then storage units).
    hourly : numpy.ndarray of int, shape (T, k)
        Hourly LP column of each storage's level at each hour.
    plan : numpy.ndarray of int, shape (P, k)
        Plan LP column of each storage's level at each plan period.
    long, cyclic : numpy.ndarray of bool, shape (k,)
        Long storage; level at the end of the horizon tied to its start.
    next_row, next_coef : numpy.ndarray, shape (P, k)
        The plan row that carries a level into the next period, and the level's coefficient in
        it (the last period: its own balance row, coefficient negated); for water values.
    """

    names: pd.Index
    hourly: np.ndarray
    plan: np.ndarray
    long: np.ndarray
    cyclic: np.ndarray
    next_row: np.ndarray
    next_coef: np.ndarray


def storage_levels(
    n: pypsa.Network, m: Any, lp: LinearProgram, plan_model: Any, plan_lp: LinearProgram
) -> StorageLevels:
    """Match the level columns of the hourly model ``m`` and the plan model ``plan_model``."""
    hourly, planned, names, long, cyclic = [], [], [], [], []
    for var, component in LEVEL_VARIABLES:
        if var not in m.variables:
            continue
        h_cols, h_names = variable_columns(m, lp, var)
        p_cols, p_names = variable_columns(plan_model, plan_lp, var)
        static = getattr(n.c, component).static.loc[h_names]
        hourly.append(h_cols)
        planned.append(p_cols[:, p_names.get_indexer(h_names)])
        names.extend(h_names)
        if component == "stores":
            long.append(np.ones(len(h_names), dtype=bool))
            cyclic.append(static.e_cyclic.to_numpy(dtype=bool))
        else:
            long.append(static.max_hours.to_numpy(dtype=float) >= LONG_STORAGE_HOURS)
            cyclic.append(static.cyclic_state_of_charge.to_numpy(dtype=bool))
    if not names:
        empty = np.empty((0, 0), dtype=np.int64)
        return StorageLevels(pd.Index([]), empty, empty, np.empty(0, bool), np.empty(0, bool), empty,
                             np.empty((0, 0)))  # fmt: skip
    plan_cols = np.hstack(planned)
    next_row, next_coef = _carry_rows(plan_lp, plan_cols)
    return StorageLevels(
        names=pd.Index(names), hourly=np.hstack(hourly), plan=plan_cols, long=np.concatenate(long),
        cyclic=np.concatenate(cyclic), next_row=next_row, next_coef=next_coef,
    )  # fmt: skip


def _carry_rows(plan_lp: LinearProgram, plan_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each plan level column, the row of the next period that refers to it, and its coefficient."""
    A = sp.csc_array(plan_lp.A)
    n_periods = plan_cols.shape[0]
    rows = np.full(plan_cols.shape, -1, dtype=np.int64)
    coef = np.zeros(plan_cols.shape)

    def entries(col: int) -> tuple[np.ndarray, np.ndarray]:
        return A.indices[A.indptr[col] : A.indptr[col + 1]], A.data[A.indptr[col] : A.indptr[col + 1]]

    for (p, k), col in np.ndenumerate(plan_cols):
        if col < 0:
            continue
        if p + 1 < n_periods:  # the next period's balance: the one row there that holds this level
            r, a = entries(col)
            hit = np.flatnonzero(plan_lp.row_pos[r] == p + 1)
            sign = 1.0
        elif p > 0 and plan_cols[p - 1, k] >= 0:  # the last period: its own balance, which also
            r, a = entries(col)  # holds the level before it (guide and end rows do not)
            before, _ = entries(plan_cols[p - 1, k])
            hit = np.flatnonzero((plan_lp.row_pos[r] == p) & np.isin(r, before))
            sign = -1.0
        else:
            continue
        if len(hit):
            rows[p, k] = r[hit[0]]
            coef[p, k] = sign * a[hit[0]]
    return rows, coef


def water_values(levels: StorageLevels, y_plan: np.ndarray) -> np.ndarray:
    """Value of one more unit of stored energy at the end of each plan period [CNY/MWh], (P, k).

    From the plan's duals ``y_plan`` (d cost / d row bound, by plan row; NaN where the row was
    not solved): moving an extra MWh into the level at the end of period p relaxes the next
    period's balance row by its coefficient ``a``, so the value is ``y * a``.
    """
    y = np.where(levels.next_row >= 0, y_plan[np.maximum(levels.next_row, 0)], np.nan)
    return np.nan_to_num(y * levels.next_coef)
