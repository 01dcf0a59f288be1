"""Loss-of-load statistics of sample years: per-sample indices, their means with standard errors.

Definitions (those of :mod:`model.reliability`, as for a dispatched year):

- a **loss-of-load hour** is an hour whose provincial shortfall is a loss of load by
  :func:`model.reliability.loss_of_load`; per prefecture, an hour whose shortfall there is;
- **LOLE** [h/yr]: loss-of-load hours per year; **LOLD** [d/yr]: days with at least one;
- **EUE** [MWh/yr]: unserved energy; **NEUE** [ppm]: EUE / domestic demand x 1e6;
- an **event** is a run of consecutive loss-of-load hours within a sample year: its duration
  [h], energy [MWh] and peak [MW].

Means are over sample years; a standard error is ``std / sqrt(N)`` (``ddof=1``). The relative
standard error that stops sampling is that of EUE, as in ENTSO-E's ERAA: EUE converges slowest,
so LOLE and LOLD are then at least as well resolved.
"""

from __future__ import annotations

import numpy as np

from model.reliability import loss_of_load

#: Per-sample indices and their units.
INDICES = {"lole_h": "h/yr", "lold_d": "d/yr", "eue_mwh": "MWh/yr", "neue_ppm": "ppm"}
#: Upper edges of the event-duration histogram bins [h] (the last bin is open).
DURATION_BINS = (1, 2, 3, 4, 6, 8, 12, 24, 48, 96)


def sample_indices(shortfall: np.ndarray, demand_mwh: np.ndarray, month: np.ndarray) -> dict[str, np.ndarray]:
    """LOLE, LOLD, EUE, NEUE and their monthly split for each sample year.

    Parameters
    ----------
    shortfall : numpy.ndarray, shape (S, T)
        Provincial shortfall [MW] per hour.
    demand_mwh : numpy.ndarray, shape (S,)
        Domestic demand over the horizon [MWh].
    month : numpy.ndarray of int, shape (T,)
        Month 0..11 of each hour.

    Returns
    -------
    dict of str to numpy.ndarray
        ``lole_h``, ``lold_d``, ``eue_mwh``, ``neue_ppm`` (S,); ``lole_month_h``,
        ``eue_month_mwh`` (S, 12).
    """
    short = np.asarray(shortfall, dtype=np.float64)
    lol = loss_of_load(short)
    n_s, n_t = short.shape
    one_hot = np.zeros((n_t, 12))
    one_hot[np.arange(n_t), month] = 1.0
    lol_days = np.pad(lol, ((0, 0), (0, (-n_t) % 24))).reshape(n_s, -1, 24).any(axis=2)
    eue = short.sum(axis=1)
    return {
        "lole_h": lol.sum(axis=1).astype(float),
        "lold_d": lol_days.sum(axis=1).astype(float),
        "eue_mwh": eue,
        "neue_ppm": 1e6 * eue / np.maximum(demand_mwh, 1e-9),
        "lole_month_h": lol.astype(float) @ one_hot,
        "eue_month_mwh": short @ one_hot,
    }


def events(shortfall: np.ndarray, first_sample: int = 0) -> dict[str, np.ndarray]:
    """Loss-of-load events (runs of consecutive loss-of-load hours) of each sample year.

    Returns
    -------
    dict of str to numpy.ndarray
        One entry per event: ``sample`` (index, offset by ``first_sample``), ``start_h`` (hour
        of the year), ``duration_h`` [h], ``energy_mwh`` [MWh], ``peak_mw`` [MW].
    """
    short = np.asarray(shortfall, dtype=np.float64)
    lol = loss_of_load(short)
    n_s = short.shape[0]
    # only the sample years with a loss of load (most have none): every row is worked on alone
    rows = np.flatnonzero(lol.any(axis=1))
    short, lol = short[rows], lol[rows]
    edge = np.diff(np.pad(lol, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    s_idx, start = np.nonzero(edge == 1)
    _, end = np.nonzero(edge == -1)  # row-major order pairs each start with its end
    energy = np.cumsum(np.pad(np.where(lol, short, 0.0), ((0, 0), (1, 0))), axis=1)
    peak = np.array([short[s, a:b].max() for s, a, b in zip(s_idx, start, end, strict=True)])
    return {
        "sample": (rows[s_idx] + first_sample).astype(np.int64),
        "start_h": start.astype(np.int64),
        "duration_h": (end - start).astype(np.int64),
        "energy_mwh": energy[s_idx, end] - energy[s_idx, start],
        "peak_mw": peak if n_s else np.zeros(0),
    }


def mean_se(x: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error of the mean (``std(ddof=1) / sqrt(N)``; 0 when N < 2)."""
    x = np.asarray(x, dtype=float)
    n = x.shape[axis]
    mean = x.mean(axis=axis) if n else np.full(np.delete(x.shape, axis), np.nan)
    se = x.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(mean)
    return mean, se


def relative_se(x: np.ndarray) -> float:
    """Standard error over mean of ``x`` [-]; ``inf`` while the mean is 0 (nothing observed)."""
    mean, se = mean_se(x)
    return float(se / mean) if mean > 0 else float("inf")


def zero_upper_bound(n: int) -> float:
    """95 % upper bound on the share of years with any loss of load when none was seen in ``n``
    (the rule of three, ``3 / n``) [-]."""
    return 3.0 / n if n > 0 else 1.0


def duration_histogram(duration_h: np.ndarray) -> np.ndarray:
    """Event counts per bin of :data:`DURATION_BINS` (bin ``i`` holds durations up to its
    edge and above the previous one; one more bin for longer events)."""
    idx = np.searchsorted(np.asarray(DURATION_BINS), np.asarray(duration_h), side="left")
    return np.bincount(idx, minlength=len(DURATION_BINS) + 1)
