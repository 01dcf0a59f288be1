"""How much of each thermal unit class can run, hour by hour: maintenance, forced outages, fuel.

The availability of a register row (a prefecture's units of one class) is the product of

- **planned maintenance** (``maintenance.csv``, ``thermal.csv`` ``maintenance_weeks``): each
  unit spends its weeks in the shoulder-season windows, spread evenly over them, so a class
  loses ``weeks x 7 / window days`` of its capacity inside the windows and nothing outside
  (none in the winter peak);
- **forced outages** (``coal.outages``): ``none``; ``expected``, every hour derated by the
  forced-outage rate; or ``sampled``, the units failing and being repaired as two-state Markov
  chains (:mod:`model.thermal.outages`, the same draws as ``gzgrid adequacy`` for the seed), so
  one dispatch year can be a bad outage year;
- **coal supply** (``coal.supply``): in each spell, coal of the named prefectures (all with
  coal if none are named) loses ``unavailable_mw`` in proportion to its capacity there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.errors import InputError
from model.register import Register, maintenance_days, mm_dd_day
from model.scenario import CoalOptions, CoalSupplyEvent
from model.thermal import outages
from model.thermal.units import thermal_units


def in_days(snapshots: pd.DatetimeIndex, start: int, end: int) -> np.ndarray:
    """Which snapshots fall on days ``start`` to ``end`` of the year (inclusive, may wrap) [-]."""
    day = snapshots.day_of_year.to_numpy() - 1
    day = np.where(snapshots.is_leap_year & (day >= 59), day - 1, day)  # 29 February is dropped
    return (day >= start) & (day <= end) if start <= end else (day >= start) | (day <= end)


def maintenance_share(register: Register, snapshots: pd.DatetimeIndex) -> pd.DataFrame:
    """Share of each thermal row in planned maintenance at each snapshot [-]."""
    th = register.thermal.set_index("id")
    path = register.path / "maintenance.csv"
    inside = np.zeros(len(snapshots), dtype=bool)
    for i, (a, b) in enumerate(zip(register.maintenance.start, register.maintenance.end, strict=True)):
        where = f"{path}, line {i + 2}"
        inside |= in_days(snapshots, mm_dd_day(a, where), mm_dd_day(b, where))
    share = th.maintenance_weeks.to_numpy() * 7 / maintenance_days(register.maintenance, path)
    return pd.DataFrame(np.outer(inside, share), index=snapshots, columns=th.index)


def outage_factor(
    register: Register, p_nom: pd.Series, snapshots: pd.DatetimeIndex, coal: CoalOptions
) -> pd.DataFrame:
    """Share of each thermal row not forced out at each snapshot [-]."""
    th = register.thermal.set_index("id")
    if coal.outages == "none":
        return pd.DataFrame(1.0, index=snapshots, columns=th.index)
    if coal.outages == "expected":
        return pd.DataFrame(np.tile(1 - th.forced_outage_rate.to_numpy(), (len(snapshots), 1)),
                            index=snapshots, columns=th.index)  # fmt: skip

    units = thermal_units(register, p_nom.to_frame("p_nom_mw"))
    fail, repair = outages.transition_probabilities(units["for"].to_numpy(), units.mttr_h.to_numpy(),
                                                    list(units.name))  # fmt: skip
    keys = outages.sample_keys(coal.outage_seed, np.array([0]))
    mw = outages.available_capacity(
        keys, outages.THERMAL_STREAM, units.row.to_numpy(), units.mw.to_numpy(), fail, repair, len(th),
        len(snapshots),
    )[0]  # fmt: skip
    nominal = p_nom.reindex(th.index).to_numpy()
    share = np.divide(mw, nominal[:, None], out=np.ones_like(mw, dtype=float), where=nominal[:, None] > 0)
    return pd.DataFrame(np.clip(share.T, 0, 1), index=snapshots, columns=th.index)


def supply_factor(
    register: Register, p_nom: pd.Series, snapshots: pd.DatetimeIndex, coal: CoalOptions
) -> pd.DataFrame:
    """Share of each thermal row that has fuel at each snapshot [-]."""
    th = register.thermal.set_index("id")
    factor = pd.DataFrame(1.0, index=snapshots, columns=th.index)
    if not coal.supply_stress:
        return factor
    for i, event in enumerate(coal.supply):
        rows = supply_rows(register, p_nom, event, i)
        share = event.unavailable_mw / float(p_nom[rows].sum())
        when = in_days(snapshots, mm_dd_day(event.start, "coal.supply"), mm_dd_day(event.end, "coal.supply"))
        factor.loc[when, rows] *= max(0.0, 1.0 - share)
    return factor


def supply_rows(register: Register, p_nom: pd.Series, event: CoalSupplyEvent, i: int) -> pd.Index:
    """The coal rows a supply spell strikes (an error if they cannot lose what it takes)."""
    th = register.thermal.set_index("id")
    coal = th[th.carrier == "coal"]
    places = event.prefectures or tuple(coal.bus.unique())
    unknown = [p for p in places if p not in set(coal.bus)]
    if unknown:
        raise InputError(
            f"coal.supply[{i}].prefectures: '{unknown[0]}' has no coal plant; valid: "
            f"{', '.join(sorted(set(coal.bus)))}"
        )
    rows = coal.index[coal.bus.isin(places)]
    if event.unavailable_mw > float(p_nom[rows].sum()) + 1e-6:
        raise InputError(
            f"coal.supply[{i}].unavailable_mw = {event.unavailable_mw:g} MW is more than the "
            f"{float(p_nom[rows].sum()):.0f} MW of coal in {', '.join(places)}"
        )
    return rows


#: The causes of unavailability, in the order their factors apply.
CAUSES = ("maintenance", "outage", "supply")


def availability_parts(
    register: Register, p_nom: pd.Series, snapshots: pd.DatetimeIndex, coal: CoalOptions
) -> dict[str, pd.DataFrame]:
    """Share of each thermal row each cause leaves available at each snapshot [-], by :data:`CAUSES`."""
    maint = maintenance_share(register, snapshots)
    if not coal.maintenance:
        maint = maint * 0.0
    return {
        "maintenance": 1.0 - maint,
        "outage": outage_factor(register, p_nom, snapshots, coal),
        "supply": supply_factor(register, p_nom, snapshots, coal),
    }


def availability(register: Register, p_nom: pd.Series, snapshots: pd.DatetimeIndex, coal: CoalOptions
                 ) -> pd.DataFrame:  # fmt: skip
    """Available share of each thermal row at each snapshot [-] (module docstring)."""
    parts = availability_parts(register, p_nom, snapshots, coal)
    return (parts["maintenance"] * parts["outage"] * parts["supply"]).clip(0.0, 1.0)


def lost_by_cause(parts: dict[str, pd.DataFrame], p_nom: pd.Series) -> pd.DataFrame:
    """Capacity each cause takes away, in the order the factors apply, summed over rows [MW].

    Parameters
    ----------
    parts : dict of pandas.DataFrame
        Share left by each cause (snapshot x row), in the order of application.
    p_nom : pandas.Series
        Installed capacity of each row [MW].
    """
    left = pd.DataFrame(1.0, index=next(iter(parts.values())).index, columns=p_nom.index)
    out = {}
    for cause, share in parts.items():
        share = share.reindex(columns=p_nom.index, fill_value=1.0)
        out[cause] = ((left * (1.0 - share)) * p_nom).sum(axis=1)
        left = left * share
    return pd.DataFrame(out)


def check_floor(register: Register, p_nom: pd.Series, coal: CoalOptions, snapshots: pd.DatetimeIndex) -> None:
    """The security floor must fit under the coal that the supply spells leave (an error if not)."""
    if not coal.supply or not coal.supply_stress or coal.floor_mw <= 0:
        return
    th = register.thermal.set_index("id")
    rows = th.index[th.carrier == "coal"]
    left = (supply_factor(register, p_nom, snapshots, coal)[rows] * p_nom[rows]).sum(axis=1).min()
    if left < coal.floor_mw:
        raise InputError(
            f"coal.floor_mw = {coal.floor_mw:g} MW is more than the {left:.0f} MW of coal that coal.supply "
            "leaves with fuel; lower the floor or the spells' unavailable_mw"
        )
