"""What counts as a shortfall, how loss-of-load hours are counted, and the reliability verdict.

The one definition behind every loss-of-load figure gzgrid reports: a dispatched year's
``summary.json`` and ``metrics.nc``, sweep records and figures, and the Monte Carlo statistics.

- A **loss-of-load hour** is an hour in which more than :data:`SHORTFALL_TOL_MW` of load is
  shed (in the province, or in the region a figure is for). Smaller amounts are solver noise.
- **Loss-of-load hours** are counted with the snapshot weightings: a 3-hour period with
  shedding counts 3 hours.
- **Verdict**: ``"reliable"`` when the loss-of-load hours are at most the standard, scaled to
  the hours simulated (a standard of 2.4 h/yr allows 0.6 h in a quarter year).
"""

from __future__ import annotations

import numpy as np

#: Hours with less load shed than this are not loss-of-load hours [MW].
SHORTFALL_TOL_MW = 0.1
#: Hours of a full year [h].
YEAR_HOURS = 8760.0
RELIABLE = "reliable"
NOT_RELIABLE = "NOT reliable"


def loss_of_load(shed_mw: np.ndarray) -> np.ndarray:
    """Which hours are loss-of-load hours, for load shed ``shed_mw`` [MW] (any shape)."""
    return np.asarray(shed_mw, dtype=float) > SHORTFALL_TOL_MW


def loss_of_load_hours(shed_mw: np.ndarray, weights: np.ndarray | None = None, axis: int = -1) -> np.ndarray:
    """Loss-of-load hours [h] along ``axis``: the weights [h] of the hours with shortfall.

    Parameters
    ----------
    shed_mw : numpy.ndarray
        Load shed per snapshot [MW].
    weights : numpy.ndarray, optional
        Hours each snapshot stands for (snapshot weightings; default 1 each), broadcast along
        ``axis``.
    axis : int
        The time axis.
    """
    lol = loss_of_load(shed_mw)
    if weights is None:
        return lol.sum(axis=axis).astype(float)
    w = np.asarray(weights, dtype=float)
    shape = [1] * lol.ndim
    shape[axis] = -1
    return (lol * w.reshape(shape)).sum(axis=axis)


def verdict(lole_h: float, standard_h: float, hours: float = YEAR_HOURS) -> str:
    """``"reliable"`` or ``"NOT reliable"``: ``lole_h`` against ``standard_h`` [h/yr] scaled to ``hours``."""
    return RELIABLE if float(lole_h) <= standard_h * float(hours) / YEAR_HOURS + 1e-9 else NOT_RELIABLE
