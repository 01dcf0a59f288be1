"""Reservoirs as operators run them: usable energy, flood-season ceiling, seasonal guide band.

- **Usable energy** of a reservoir is its regulating storage (调节库容, between dead and normal
  level) at its own head: ``E = rho g V h eta`` [MWh], with :data:`TURBINE_EFFICIENCY`. Water
  released upstream is worth more energy again at every station below (the network's cascade).
- **Seasonal reservoirs** are those holding at least :data:`SEASONAL_MIN_HOURS` of full-power
  generation; the rest (daily and weekly pools) follow no seasonal rule.
- **Rule curves** (``reservoir_rules.csv``, shares of usable energy by day of year, linear in
  between and wrapping over New Year) give each seasonal reservoir a hard **ceiling** (the
  flood-season limit level: room kept empty for floods) and a soft **guide band** between a
  lower and an upper guide curve: refill through the wet season towards full by early November,
  draw down from November to the end of May. The band is soft: each MWh below it costs
  :data:`GUIDE_PENALTY_CNY_PER_MWH_DAY` per day, above it
  :data:`UPPER_GUIDE_PENALTY_CNY_PER_MWH_DAY` per day (per MWh of electricity the water stands
  for down the cascade). Small prices, chosen to break the LP's indifference rather than to
  overrule it: to a linear program a MWh of water is worth about the same in July as in
  January, and without the upper price it hoards the flood season's water for the winter price
  premium (a few CNY/MWh), where operators would turbine it (their dispatch charts'
  "increase output" zone). Inside the band water moves free of charge, and a linear dispatch
  moves it to the dearest month (December); operators' dispatch charts do not, so the register's
  band is narrow (2 % of usable energy: at 5 % the 2019-2024 hindcasts released 0.6-1.3 TWh
  too much each December, at 2 % 0.4-0.9 TWh). A horizon should end with the water it began
  with: each MWh short at the last hour costs :data:`TERMINAL_VALUE_CNY_PER_MWH` (the year
  after needs that water). The floor is the dead level (zero usable energy).
- A year starts with every seasonal reservoir on its lower guide (the scenario may set another
  start, e.g. the low levels a dry autumn left).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Water density times gravity [N/m3].
RHO_G = 1000.0 * 9.81
#: Turbine-generator efficiency turning potential energy into electricity [-] (assumption).
TURBINE_EFFICIENCY = 0.9
#: Reservoirs with at least this many hours of full-power generation stored are seasonal [h].
SEASONAL_MIN_HOURS = 168.0
#: Price of keeping a seasonal reservoir below its lower guide [CNY per MWh per day]: held 120
#: days, still below a MWh of coal, so a dry year draws the reservoirs down rather than burn
#: coal to stay on the guide (as in 2023), while the terminal price keeps the year's end.
GUIDE_PENALTY_CNY_PER_MWH_DAY = 1.0
#: Price of keeping it above its upper guide [CNY per MWh per day]: more than the winter price
#: premium over the months water would wait, less than the water itself over the flood season,
#: so water above the band is turbined when it can be, not spilled.
UPPER_GUIDE_PENALTY_CNY_PER_MWH_DAY = 2.0
#: Price of each MWh a seasonal reservoir ends the horizon below its start level [CNY/MWh]:
#: water the months after the horizon will lack. Above every coal unit's marginal cost (284-311
#: CNY/MWh), so the last weeks do not empty the reservoirs to save coal; below DR's 2,000.
TERMINAL_VALUE_CNY_PER_MWH = 500.0
#: Price of keeping a seasonal reservoir below an *observed* path [CNY per MWh per day]: the
#: record shows where the water stood, and the operators called demand response rather than
#: draw below it (December 2022). About DR's 2,000 CNY/MWh over ten days below, far under the
#: value of lost load: the model draws below the record only to keep load on.
OBSERVED_PATH_PENALTY_CNY_PER_MWH_DAY = 200.0


def usable_energy_mwh(regulating_1e8m3: np.ndarray, head_m: np.ndarray) -> np.ndarray:
    """Usable energy [MWh] of regulating storage ``V`` [1e8 m3] at head ``h`` [m]."""
    joules = RHO_G * np.asarray(regulating_1e8m3, dtype=float) * 1e8 * np.asarray(head_m, dtype=float)
    return joules * TURBINE_EFFICIENCY / 3.6e9


def is_seasonal(energy_mwh: np.ndarray, turbine_mw: np.ndarray) -> np.ndarray:
    """Which reservoirs hold at least :data:`SEASONAL_MIN_HOURS` at full power."""
    turbine = np.maximum(np.asarray(turbine_mw, dtype=float), 1e-9)
    return np.asarray(energy_mwh, dtype=float) / turbine >= SEASONAL_MIN_HOURS


def rule_day(mm_dd: pd.Series) -> np.ndarray:
    """Day of a 365-day year (0 = 1 January) of ``MM-DD`` strings."""
    dates = pd.to_datetime("2030-" + mm_dd.astype(str), format="%Y-%m-%d")
    return (dates.dt.day_of_year - 1).to_numpy()


def rule_curves(rules: pd.DataFrame, snapshots: pd.DatetimeIndex) -> pd.DataFrame:
    """Ceiling and lower guide [share of usable energy] at each snapshot.

    Parameters
    ----------
    rules : pandas.DataFrame
        ``reservoir_rules.csv``: ``date`` (``MM-DD``), ``ceiling``, ``lower_guide`` and
        ``upper_guide`` [-] (the columns present are interpolated).
    snapshots : pandas.DatetimeIndex
        Hourly (or daily) snapshots.

    Returns
    -------
    pandas.DataFrame
        Index ``snapshots``; the rule's columns, linear between the rule's
        dates and wrapping from the last date of the year to the first.
    """
    day = rule_day(rules["date"])
    order = np.argsort(day)
    day = day[order]
    x = np.r_[day[-1] - 365, day, day[0] + 365]
    t = (snapshots.day_of_year.to_numpy() - 1) + snapshots.hour.to_numpy() / 24.0
    # 31 December holds its own value all day (a leap year has no day 366 in the rule, and an
    # observed path, which ends on 31 December, must not run back to its 1 January)
    t = np.minimum(t, 364.0)
    out = {}
    for col in [c for c in ("ceiling", "lower_guide", "upper_guide") if c in rules]:
        y = rules[col].to_numpy(dtype=float)[order]
        out[col] = np.interp(t, x, np.r_[y[-1], y, y[0]])
    return pd.DataFrame(out, index=snapshots)


def cascade_factor(hydro: pd.DataFrame) -> pd.Series:
    """Electricity a MWh stored at each station makes on its way down the cascade [MWh/MWh].

    Energy is counted at a station's own head, so water worth 1 MWh at station ``i`` is worth
    ``head_j / head_i`` at every station ``j`` below it; the factor is their sum (1 for a station
    with nothing below). ``hydro`` is indexed by id with ``downstream`` and ``head_m``.
    """
    out = {}
    for sid in hydro.index:
        total, nxt = 1.0, hydro.downstream[sid]
        while nxt:
            total += hydro.head_m[nxt] / hydro.head_m[sid]
            nxt = hydro.downstream[nxt]
        out[sid] = total
    return pd.Series(out)


def guide_regulation_mw(hydro: pd.DataFrame, rules: pd.DataFrame, year: int = 2030) -> np.ndarray:
    """Mean rate at which the seasonal reservoirs store electricity in each month [MW], (12,).

    The fleet following its lower guide curve: positive while refilling (June to October),
    negative while drawing down; it sums to zero over a year whose guide ends where it began
    (the register's), and to the year's net change of storage on an observed path. ``hydro`` as in
    :func:`cascade_factor`, with ``reservoir_mwh`` [MWh], ``p_nom_mw`` and ``ror_share``.
    Recorded *generation* already contains this shifting; the weather generator adds it back to
    turn the record into natural inflow (:mod:`model.weather.hydrology`).
    """
    turbine = (hydro.p_nom_mw * (1 - hydro.ror_share)).to_numpy()
    seasonal = is_seasonal(hydro.reservoir_mwh.to_numpy(), turbine) & (hydro.kind == "reservoir").to_numpy()
    stored = float((hydro.reservoir_mwh * cascade_factor(hydro))[seasonal].sum())  # [MWh of electricity]
    edges = pd.date_range(f"{year}-01-01", periods=13, freq="MS")
    # the year's last hour, not 1 January again: an observed path need not end where it began
    at = edges[:-1].append(pd.DatetimeIndex([pd.Timestamp(f"{year}-12-31 23:00")]))
    guide = rule_curves(rules, at).lower_guide.to_numpy()
    hours = ((edges[1:] - edges[:-1]) / pd.Timedelta(hours=1)).to_numpy(dtype=float)
    return stored * np.diff(guide) / hours


#: Days either side of 1 June within which an observation replaces the seasonal-low anchor [d].
LOW_ANCHOR_DAYS = 20
#: The anchor of every year without an observation near it: on 1 June the reservoirs are at
#: their lower guide (the seasonal low, which every year with a June reading confirms).
LOW_ANCHOR = "06-01"
#: The drawdown season (MM-DD to MM-DD): an observed path never rises in it (rivers bring less
#: than the stations turbine from mid-October to the end of May).
DRAWDOWN = ("10-15", "05-31")
#: Lowest storage share an observed path may reach [-] (a margin above the dead level).
PATH_FLOOR = 0.05


def storage_share(level_m: np.ndarray, station: pd.Series) -> np.ndarray:
    """Share of regulating storage a reservoir holds at water level ``level_m`` [m] [-].

    The volume below the normal pool grows as ``V(h) = V_dead ((h - h_bed) / (h_dead - h_bed))^k``
    (a valley widening with height), ``k`` set by the published total and regulating storage
    (``level_storage.csv``: ``normal_level_m``, ``dead_level_m``, ``bed_level_m``,
    ``total_storage_1e8m3`` at the normal pool, ``regulating_storage_1e8m3``).
    """
    total, regulating = float(station.total_storage_1e8m3), float(station.regulating_storage_1e8m3)
    dead = total - regulating
    bed, h_dead = float(station.bed_level_m), float(station.dead_level_m)
    k = np.log(total / dead) / np.log((float(station.normal_level_m) - bed) / (h_dead - bed))
    volume = dead * (np.maximum(np.asarray(level_m, dtype=float) - bed, 0.0) / (h_dead - bed)) ** k
    return np.clip((volume - dead) / regulating, 0.0, 1.0)


def observed_points(levels: pd.DataFrame, stations: pd.DataFrame) -> pd.Series:
    """Observed storage shares of the seasonal reservoirs, by date [-].

    ``levels`` (``reservoir_levels.csv``: ``date``, ``station``, ``level_m``) turned into shares
    by :func:`storage_share` with each station's row of ``stations`` (``level_storage.csv``);
    where several stations read on one day, their mean. The record reads Goupitan, the largest
    regulating reservoir of the Wujiang cascade; it stands for the seasonal fleet.
    """
    st = stations.set_index("station")
    shares = [
        pd.Series(storage_share(rows.level_m.to_numpy(), st.loc[name]), index=pd.to_datetime(rows.date))
        for name, rows in levels.groupby("station")
        if name in st.index
    ]
    if not shares:
        return pd.Series(dtype=float)
    return pd.concat(shares).groupby(level=0).mean().sort_index()


def observed_rules(rules: pd.DataFrame, points: pd.Series, year: int) -> pd.DataFrame:
    """The year's rule curves with the guide moved onto the observed storage path.

    The lower guide is the register's plus an offset: at each observation, the observed share
    minus the register's guide; on 1 June of every year without an observation near it, zero
    (the seasonal low); linear in time between these points, across years, and held before
    the first and after the last. In the drawdown season (:data:`DRAWDOWN`) the path never
    rises. The upper guide keeps the register's band width; the ceiling is the register's.
    Dates are the first of each month, the observations of the year and 31 December, so the
    path does not wrap: the year ends where the record left it.
    """
    days = pd.date_range(f"{year - 1}-{DRAWDOWN[0]}", f"{year}-12-31", freq="D")
    anchors = [pd.Timestamp(f"{y}-{LOW_ANCHOR}") for y in range(year - 2, year + 2)]
    far = pd.DatetimeIndex([a for a in anchors if not _near(points, a)])
    known = points - rule_curves(rules, pd.DatetimeIndex(points.index)).lower_guide.to_numpy()
    offsets = pd.concat([known, pd.Series(0.0, index=far)]).groupby(level=0).mean().sort_index()
    at = (offsets.index - days[0]).days.to_numpy(dtype=float)
    t = (days - days[0]).days.to_numpy(dtype=float)
    base = rule_curves(rules, days)
    width = (base.upper_guide - base.lower_guide).to_numpy()
    path = np.clip(base.lower_guide.to_numpy() + np.interp(t, at, offsets.to_numpy()), PATH_FLOOR,
                   base.ceiling.to_numpy() - width)  # fmt: skip
    md = days.month.to_numpy() * 100 + days.day.to_numpy()
    first, last = (int(x.replace("-", "")) for x in DRAWDOWN)
    drawdown = (md >= first) | (md <= last)
    for i in range(1, len(path)):
        if drawdown[i] and drawdown[i - 1]:
            path[i] = min(path[i], path[i - 1])
    observed = {d.normalize() for d in points.index if d.year == year}
    stamps = pd.DatetimeIndex(sorted(set(pd.date_range(f"{year}-01-01", periods=12, freq="MS"))
                                     | {pd.Timestamp(f"{year}-12-31")} | observed))  # fmt: skip
    pick = days.get_indexer(stamps)
    return pd.DataFrame({"date": stamps.strftime("%m-%d"), "ceiling": base.ceiling.to_numpy()[pick],
                         "lower_guide": path[pick], "upper_guide": path[pick] + width[pick]})  # fmt: skip


def _near(points: pd.Series, when: pd.Timestamp) -> bool:
    return bool(len(points)) and bool((abs(points.index - when) <= pd.Timedelta(days=LOW_ANCHOR_DAYS)).any())
