"""Why a sample year ran short: the causes of each loss-of-load event of the Monte Carlo.

For every event (:func:`model.adequacy.statistics.events`) at its largest hour: whether the year
was a fuel-stress year and its hydrology, thermal capacity lost by cause - planned maintenance,
fuel (the fuel chain's cap, and in a stress year the crisis winter and spells), forced outages
(what is left of the installed capacity after those and the capacity available) - and load and
free supply (renewables and run-of-river) against the sample's own mean of that month. The
dispatch runs have the same table from their own results (:mod:`analysis.shortfalls`).
"""

from __future__ import annotations

import numpy as np

from model.adequacy.system import AdequacySystem, SampleInputs

#: The cause columns of an event, with their units.
CAUSES: dict[str, str] = {
    "peak_hour": "h",
    "fuel_stress": "1",
    "thermal_maintenance_mw": "MW",
    "thermal_fuel_mw": "MW",
    "thermal_outage_mw": "MW",
    "load_vs_month": "1",
    "free_vs_month": "1",
}


def peak_hours(
    shortfall: np.ndarray, sample: np.ndarray, start: np.ndarray, duration: np.ndarray
) -> np.ndarray:
    """Hour of the largest shortfall of each event, (E,) int (``sample`` local to the batch)."""
    return np.array([a + int(np.argmax(shortfall[s, a:a + d])) for s, a, d in
                     zip(sample, start, duration, strict=True)], dtype=np.int64)  # fmt: skip


def month_ratio(x: np.ndarray, month: np.ndarray, sample: np.ndarray, hour: np.ndarray) -> np.ndarray:
    """``x[s, t]`` over the mean of ``x[s]`` in the month of ``t``, minus 1, per event [-]."""
    out = np.empty(len(hour))
    for i, (s, t) in enumerate(zip(sample, hour, strict=True)):
        mean = x[s, month == month[t]].mean()
        out[i] = x[s, t] / mean - 1.0 if mean > 0 else np.nan
    return out


def event_causes(
    system: AdequacySystem,
    inputs: SampleInputs,
    thermal: np.ndarray,
    stress: np.ndarray,
    shortfall: np.ndarray,
    found: dict[str, np.ndarray],
    first_sample: int,
) -> dict[str, np.ndarray]:
    """The :data:`CAUSES` of the events ``found`` in one batch (samples from ``first_sample``).

    Parameters
    ----------
    system : AdequacySystem
        Gives the rows' capacity, maintenance, fuel derate and supply factors.
    inputs : SampleInputs
        The batch's load and free supply, (S, B, T) [MW].
    thermal : numpy.ndarray, shape (S, G, T)
        Available thermal capacity by group [MW] (summed over groups here).
    stress : numpy.ndarray of bool, shape (S,)
        The batch's fuel-stress years.
    shortfall : numpy.ndarray, shape (S, T)
        Provincial shortfall per hour [MW].
    found : dict of str to numpy.ndarray
        The batch's events (``sample`` offset by ``first_sample``).
    first_sample : int
        Index of the batch's first sample.
    """
    s = found["sample"] - first_sample
    t = peak_hours(shortfall, s, found["start_h"], found["duration_h"])
    mw = system.row_mw[:, None]
    maint = system.row_maintenance[:, t].astype(float)
    fuel_share = np.divide(system.row_derate[:, t], maint, out=np.ones_like(maint), where=maint > 0)
    supply = np.where(stress[s][None, :], system.row_supply[:, t], 1.0)
    lost_maint = (mw * (1.0 - maint)).sum(axis=0)
    lost_fuel = (mw * maint * (1.0 - fuel_share * supply)).sum(axis=0)
    years = slice(None) if len(s) else slice(0)  # no event (most batches): sum no sample year
    available = thermal[years].sum(axis=1)[s, t]
    load = inputs.load[years].sum(axis=1, dtype=np.float64)
    free = inputs.free[years].sum(axis=1, dtype=np.float64)
    return {
        "peak_hour": t,
        "fuel_stress": stress[s].astype(bool),
        "thermal_maintenance_mw": lost_maint,
        "thermal_fuel_mw": lost_fuel,
        "thermal_outage_mw": np.maximum(system.row_mw.sum() - lost_maint - lost_fuel - available, 0.0),
        "load_vs_month": month_ratio(load, system.month, s, t),
        "free_vs_month": month_ratio(free, system.month, s, t),
    }
