"""Forced outages: every unit is a two-state (up/down) Markov chain in hourly steps.

A unit with forced-outage rate ``q`` [-] and mean time to repair ``MTTR`` [h] is repaired in a
given hour with probability ``mu = 1 / MTTR`` and fails with probability
``lambda = mu * q / (1 - q)``, so that its stationary unavailability ``lambda / (lambda + mu)``
is ``q``. Each sample year starts in the stationary distribution (down with probability ``q``),
so every hour of the year has the same marginal outage probability ``q``.

The chain is not stepped hour by hour: the time spent in a state is geometric (``P(k hours) =
(1 - p)**(k - 1) * p`` with ``p`` the probability of leaving it), which is exactly the sojourn
law of the hourly chain, so drawing sojourns gives the same process with ~20 draws per unit-year
instead of 8,760.

Random numbers come from the counter-based generator of :mod:`model.weather.random`, keyed by
``(seed, sample)`` and a stream per unit: a unit's outages in sample ``s`` do not depend on the
batch, the thread or on how units are grouped, and ``kernel.py_func`` gives the same numbers.
The sample year's other draws (hydrology, fuel stress) are on streams of their own
(:mod:`model.adequacy.draws`).

:func:`thermal_available` turns the outages into available capacity per register row (or per
bus), derated by planned maintenance and, in a year the spells strike, by the coal supply.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from model.errors import InputError
from model.weather.random import stream_key, uniform, year_key

#: Stream of unit ``u``'s outages: ``THERMAL_STREAM + u`` (the weather uses streams 1-6).
THERMAL_STREAM = 1 << 20
#: Stream of export link ``k``'s outages: ``EXPORT_STREAM + k``.
EXPORT_STREAM = 1 << 21


def sample_keys(seed: int, samples: np.ndarray) -> np.ndarray:
    """64-bit key of each sample year, from ``(seed, sample index)`` only [-]."""
    return np.array([year_key(seed, int(s)) for s in samples], dtype=np.uint64)


def transition_probabilities(
    forced_outage_rate: np.ndarray, mttr_h: np.ndarray, names: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Hourly failure and repair probabilities of two-state units [1/h].

    Parameters
    ----------
    forced_outage_rate : numpy.ndarray
        Stationary unavailability ``q`` of each unit [-], in [0, 1).
    mttr_h : numpy.ndarray
        Mean time to repair [h], at least 1.
    names : list of str, optional
        Unit names for the error message.

    Returns
    -------
    fail, repair : numpy.ndarray
        ``lambda = mu q / (1 - q)`` and ``mu = 1 / MTTR`` [1/h].

    Raises
    ------
    InputError
        When ``lambda`` would exceed 1 (``q > MTTR / (MTTR + 1)``): no hourly chain has that
        outage rate with that repair time.
    """
    q = np.asarray(forced_outage_rate, dtype=float)
    mttr = np.asarray(mttr_h, dtype=float)
    repair = 1.0 / np.maximum(mttr, 1.0)
    fail = repair * q / np.maximum(1.0 - q, 1e-12)
    bad = np.flatnonzero((fail > 1.0) | (q >= 1.0) | (mttr < 1.0))
    if bad.size:
        i = int(bad[0])
        who = names[i] if names else f"unit {i}"
        raise InputError(
            f"{who}: forced_outage_rate {q[i]:g} with mttr_h {mttr[i]:g} is not an hourly two-state "
            f"chain; the rate must be below mttr_h / (mttr_h + 1) = {mttr[i] / (mttr[i] + 1):.3g}"
        )
    return fail, repair


@njit(cache=True)
def sojourn_hours(key: np.uint64, counter: int, p_leave: float, longest: int) -> int:
    """Hours spent in a state left with probability ``p_leave`` per hour (geometric, >= 1) [h].

    Returns ``longest`` when the state is never left (``p_leave <= 0``) or the draw is longer.
    """
    if p_leave >= 1.0:
        return 1
    if p_leave <= 0.0:
        return longest
    k = np.ceil(np.log(uniform(key, counter)) / np.log1p(-p_leave))
    if k >= longest:
        return longest
    return max(int(k), 1)


@njit(cache=True)
def unit_outages(key: np.uint64, fail: float, repair: float, mw: float, capacity: np.ndarray) -> int:
    """Subtract one unit's ``mw`` [MW] from ``capacity`` in the hours it is down; return its outages.

    The first draw (counter 0) sets the initial state from the stationary distribution; the
    following draws are the sojourns, alternating between states. ``capacity`` has one entry
    per hour.
    """
    n_hours = capacity.shape[0]
    q = fail / (fail + repair) if fail + repair > 0.0 else 0.0
    is_down = uniform(key, 0) < q
    outages = 1 if is_down else 0
    t = 0
    counter = 1
    while t < n_hours:
        k = sojourn_hours(key, counter, repair if is_down else fail, n_hours)
        counter += 1
        end = min(t + k, n_hours)
        if is_down:
            for h in range(t, end):
                capacity[h] -= mw
        t = end
        is_down = not is_down
        if is_down and t < n_hours:
            outages += 1
    return outages


@njit(cache=True, parallel=True)
def available_capacity(
    keys: np.ndarray,
    stream0: int,
    unit_group: np.ndarray,
    unit_mw: np.ndarray,
    fail: np.ndarray,
    repair: np.ndarray,
    n_groups: int,
    n_hours: int,
) -> np.ndarray:
    """Available capacity of groups of units (buses, register rows, links) per hour [MW].

    Parameters
    ----------
    keys : numpy.ndarray of uint64, shape (n_samples,)
        Sample-year keys (:func:`sample_keys`).
    stream0 : int
        First stream id; unit ``u`` draws from stream ``stream0 + u``.
    unit_group : numpy.ndarray of int64, shape (n_units,)
        Group of each unit, in ``0 .. n_groups - 1``.
    unit_mw : numpy.ndarray, shape (n_units,)
        Capacity of each unit [MW].
    fail, repair : numpy.ndarray, shape (n_units,)
        Hourly failure and repair probabilities [1/h] (:func:`transition_probabilities`).
    n_groups, n_hours : int
        Number of groups and of hours.

    Returns
    -------
    numpy.ndarray of float32, shape (n_samples, n_groups, n_hours)
        Installed minus forced-out capacity [MW].
    """
    n_samples = keys.shape[0]
    out = np.zeros((n_samples, n_groups, n_hours), dtype=np.float32)
    installed = np.zeros(n_groups)
    for u in range(unit_group.shape[0]):
        installed[unit_group[u]] += unit_mw[u]
    for s in prange(n_samples):
        for g in range(n_groups):
            out[s, g, :] = installed[g]
        for u in range(unit_group.shape[0]):
            unit_outages(
                np.uint64(stream_key(keys[s], stream0 + u)),
                fail[u],
                repair[u],
                unit_mw[u],
                out[s, unit_group[u]],
            )
    return out


@njit(cache=True, parallel=True)
def thermal_available(
    keys: np.ndarray,
    stream0: int,
    unit_row: np.ndarray,
    unit_mw: np.ndarray,
    fail: np.ndarray,
    repair: np.ndarray,
    derate: np.ndarray,
    supply: np.ndarray,
    stressed: np.ndarray,
    row_group: np.ndarray,
    out: np.ndarray,
) -> None:
    """Available thermal capacity of groups of register rows per hour [MW]: forced outages,
    planned maintenance and, in stressed sample years, coal supply spells.

    A row's available capacity is its units not forced out (:func:`unit_outages`, unit ``u``
    from stream ``stream0 + u``: the draws of :func:`available_capacity` grouped by row) times
    its ``derate`` and, when ``stressed[s]``, its ``supply`` factor in that hour.

    Parameters
    ----------
    keys : numpy.ndarray of uint64, shape (S,)
        Sample-year keys (:func:`sample_keys`).
    stream0 : int
        First stream id.
    unit_row : numpy.ndarray of int64, shape (U,)
        Register row of each unit.
    unit_mw, fail, repair : numpy.ndarray, shape (U,)
        Unit capacity [MW] and hourly failure and repair probabilities [1/h].
    derate, supply : numpy.ndarray, shape (R, T)
        Share of each row not in planned maintenance, and with fuel when the spells strike [-].
    stressed : numpy.ndarray of bool, shape (S,)
        Sample years the spells strike (:func:`model.adequacy.draws.draw_coal_stress`).
    row_group : numpy.ndarray of int64, shape (R,)
        Group of each row (its bus, or the row itself), in ``0 .. G - 1``.
    out : numpy.ndarray of float32, shape (S, G, T)
        Out: available capacity of each group [MW] (its previous content is overwritten).
    """
    n_samples = keys.shape[0]
    n_rows, n_hours = derate.shape
    installed = np.zeros(n_rows)
    for u in range(unit_row.shape[0]):
        installed[unit_row[u]] += unit_mw[u]
    for s in prange(n_samples):
        out[s] = 0.0
        rows = np.empty((n_rows, n_hours))  # one sample's rows in float64, then derated per hour
        for r in range(n_rows):
            rows[r, :] = installed[r]
        for u in range(unit_row.shape[0]):
            unit_outages(np.uint64(stream_key(keys[s], stream0 + u)), fail[u], repair[u], unit_mw[u],
                         rows[unit_row[u]])  # fmt: skip
        for r in range(n_rows):
            g = row_group[r]
            for t in range(n_hours):
                factor = derate[r, t] * supply[r, t] if stressed[s] else derate[r, t]
                out[s, g, t] += rows[r, t] * factor


@njit(cache=True)
def stream_uniforms(keys: np.ndarray, stream: int) -> np.ndarray:
    """The first uniform draw on (0, 1) of stream ``stream`` of each key [-]."""
    out = np.empty(keys.shape[0])
    for i in range(keys.shape[0]):
        # np.uint64 keeps the key unsigned when run as py_func (numba returns a Python int)
        out[i] = uniform(np.uint64(stream_key(keys[i], stream)), 0)
    return out
