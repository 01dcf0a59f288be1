"""The register's thermal rows as individual units (for Markov-chain forced outages)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.register import Register


def thermal_units(register: Register, assets: pd.DataFrame) -> pd.DataFrame:
    """One row per thermal unit: ``row`` (register position), ``bus``, ``mw``, ``for``, ``mttr_h``, ``name``.

    A register row of ``units`` units of ``unit_mw`` whose capacity an override has scaled to
    ``p_nom`` becomes ``max(1, round(p_nom / unit_mw))`` units of equal size ``p_nom / units``:
    the unit size stays near the register's and the installed capacity is exactly the
    scenario's.

    Parameters
    ----------
    register : Register
        The asset register.
    assets : pandas.DataFrame
        Index ``id`` with ``p_nom_mw`` [MW] for every thermal row.
    """
    th = register.thermal.set_index("id")
    p_nom = assets.loc[th.index, "p_nom_mw"].to_numpy(float)
    units = np.where(p_nom > 0, np.maximum(1, np.round(p_nom / th.unit_mw.to_numpy())), 0).astype(int)
    rows = np.repeat(np.arange(len(th)), units)
    size = np.divide(p_nom, units, out=np.zeros_like(p_nom), where=units > 0)
    return pd.DataFrame(
        {
            "row": rows,
            "bus": th.bus.to_numpy()[rows],
            "mw": size[rows],
            "for": th.forced_outage_rate.to_numpy()[rows],
            "mttr_h": th.mttr_h.to_numpy()[rows],
            "name": [f"{th.index[r]}#{k}" for r, k in zip(rows, _count_within(rows), strict=True)],
        }
    )


def _count_within(rows: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within each run of equal values."""
    starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
    return np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
