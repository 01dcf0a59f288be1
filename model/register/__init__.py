"""The Guizhou asset register: reads and checks ``data/network/*.csv``.

Each table is described by a :class:`TableSpec` (its columns, their types and the range each
value must lie in). :func:`load_register` reads every table, checks every cell against its
spec and the cross-references between tables (buses, carriers, cascade links), and returns a
frozen :class:`Register`. Any problem is an :class:`~model.errors.InputError` naming the file,
the line (the header is line 1) and what would be valid. The meaning and unit of every column
are documented in ``data/network/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model import NETWORK_DATA
from model.errors import InputError, clip, did_you_mean
from model.register.columns import TableSpec, read_table
from model.register.specs import (
    ALL_YEARS,
    CAPACITY_CARRIERS,
    CARRIERS,
    DEMAND_CASES,
    EXPORT_BUS,
    HISTORY_YEARS,
    PREFECTURES,
    SPECS,
    YEARS,
)

__all__ = [
    "ALL_YEARS",
    "CAPACITY_CARRIERS",
    "CARRIERS",
    "DEMAND_CASES",
    "EXPORT_BUS",
    "HISTORY_YEARS",
    "PREFECTURES",
    "SPECS",
    "YEARS",
    "Register",
    "TableSpec",
    "load_register",
    "read_table",
]


@dataclass(frozen=True)
class Register:
    """The checked asset register: one DataFrame per table of ``data/network/``."""

    buses: pd.DataFrame
    carriers: pd.DataFrame
    corridors: pd.DataFrame
    thermal: pd.DataFrame
    hydro: pd.DataFrame
    renewables: pd.DataFrame
    storage: pd.DataFrame
    hydrogen: pd.DataFrame
    demand_response: pd.DataFrame
    demand: pd.DataFrame
    demand_shares: pd.DataFrame
    exports: pd.DataFrame
    export_shape: pd.DataFrame
    history: pd.DataFrame
    maintenance: pd.DataFrame
    reservoir_rules: pd.DataFrame
    targets: pd.DataFrame
    fuel_regions: pd.DataFrame
    coal_supply: pd.DataFrame
    coal_months: pd.DataFrame
    fuel_stress: pd.DataFrame
    path: Path = field(default=NETWORK_DATA)

    @staticmethod
    def asset_year(year: int) -> int:
        """The year whose asset columns (``*_2025``, ``*_2030``) describe ``year``'s assets.

        A history year (2019-2024) uses the 2025 assets, scaled to its carrier totals
        (:meth:`history_gw`).
        """
        return int(year) if int(year) in YEARS else YEARS[0]

    def history_gw(self, year: int) -> dict[str, float]:
        """Capacity in service through a history year, by carrier [GW]; {} for other years.

        ``history.csv`` gives year-end capacity; plant built during the year ran for part of
        it, so the year's capacity is the mean of the year's end and the year before's end
        (the year's own end where the year before is not in the table).
        """
        def at_end(y: int) -> dict[str, float]:
            rows = self.history[self.history.year == y]
            return {str(c): float(g) for c, g in zip(rows.carrier, rows.gw, strict=True)}

        this, before = at_end(year), at_end(year - 1)
        return {c: (gw + before[c]) / 2 if c in before else gw for c, gw in this.items()}

    def demand_row(self, year: int, case: str) -> pd.Series:
        """The demand row (``annual_twh`` [TWh], ``load_factor`` [-]) of a year and case."""
        rows = self.demand[(self.demand.year == year) & (self.demand.case == case)]
        if rows.empty:
            raise InputError(f"{self.path / 'demand.csv'}: no row for year {year}, case '{case}'")
        return rows.iloc[0]

    def year_row(self, table: str, year: int) -> pd.Series:
        """The row of a per-year table (``demand_response``, ``exports``) for ``year``."""
        df = getattr(self, table)
        rows = df[df.year == year]
        if rows.empty:
            raise InputError(f"{self.path / (table + '.csv')}: no row for year {year}")
        return rows.iloc[0]


def load_register(folder: Path | str = NETWORK_DATA) -> Register:
    """Read and check the whole register.

    Parameters
    ----------
    folder : Path or str
        Folder holding the register CSVs (default ``data/network/``).

    Returns
    -------
    Register
        Every table, checked, plus cross-table consistency (cascade links, demand shares).
    """
    folder = Path(folder)
    tables = {name: read_table(spec, folder) for name, spec in SPECS.items()}
    register = Register(**tables, path=folder)
    _check_cross_references(register)
    return register


def _check_cross_references(reg: Register) -> None:
    folder = reg.path
    known_carriers = set(reg.carriers.carrier)
    missing = [c for c in CARRIERS if c not in known_carriers]
    if missing:
        raise InputError(
            f"{folder / 'carriers.csv'}: missing carrier '{missing[0]}' (needed: {', '.join(CARRIERS)})"
        )
    shares = reg.demand_shares.share.sum()
    if not np.isclose(shares, 1.0, atol=1e-6):
        raise InputError(
            f"{folder / 'demand_shares.csv'}: shares add up to {shares:.4f}; they must add up to 1"
        )
    if set(reg.demand_shares.bus) != set(PREFECTURES):
        lacking = sorted(set(PREFECTURES) - set(reg.demand_shares.bus))
        raise InputError(f"{folder / 'demand_shares.csv'}: no share for prefecture '{lacking[0]}'")
    _check_cascades(reg.hydro, folder / "hydro.csv")
    _check_reservoir_energy(reg.hydro, folder / "hydro.csv")
    _check_history(reg.history, folder / "history.csv")
    _check_rules(reg.reservoir_rules, folder / "reservoir_rules.csv")
    _check_thermal(reg.thermal, reg.maintenance, folder)
    _check_fuel(reg)
    _check_fuel_stress(reg.fuel_stress, folder / "fuel_stress.csv")
    bad = reg.corridors[reg.corridors.bus0 == reg.corridors.bus1]
    if not bad.empty:
        raise InputError(f"{folder / 'corridors.csv'}: corridor '{bad.id.iloc[0]}' joins a bus to itself")


def _check_cascades(hydro: pd.DataFrame, path: Path) -> None:
    ids = set(hydro.id)
    downstream = dict(zip(hydro.id, hydro.downstream, strict=True))
    for i, (sid, ds) in enumerate(downstream.items()):
        if ds and ds not in ids:
            raise InputError(
                f"{path}, line {i + 2} ({sid}): downstream station '{ds}' is not in the table"
                f"{did_you_mean(ds, ids)}"
            )
    for sid in downstream:
        seen = {sid}
        nxt = downstream[sid]
        while nxt:
            if nxt in seen:
                raise InputError(f"{path}: cascade loop through station '{sid}' (downstream links must end)")
            seen.add(nxt)
            nxt = downstream[nxt]
    reservoir = hydro[hydro.kind == "reservoir"]
    headless = reservoir[reservoir.head_m.isna()]
    if not headless.empty:
        raise InputError(f"{path}: reservoir station '{headless.id.iloc[0]}' needs a head_m (m)")


def _check_reservoir_energy(hydro: pd.DataFrame, path: Path) -> None:
    """Each station gives its regulating storage or its pond energy, not both, not neither."""
    storage, energy = hydro.regulating_storage_1e8m3.notna(), hydro.reservoir_mwh.notna()
    bad = np.flatnonzero((storage == energy).to_numpy())
    if len(bad):
        i = int(bad[0])
        raise InputError(
            f"{path}, line {i + 2} ({hydro.id.iloc[i]}): give either regulating_storage_1e8m3 (a reservoir "
            "with published regulating storage; its usable energy follows from its head) or reservoir_mwh "
            "(a pond), exactly one"
        )


def _check_history(history: pd.DataFrame, path: Path) -> None:
    """Every history year gives every carrier once (a year with no capacities is an error)."""
    for year in HISTORY_YEARS:
        rows = history[history.year == year]
        counts = rows.carrier.value_counts()
        missing = [c for c in CAPACITY_CARRIERS if c not in counts.index]
        twice = counts.index[counts > 1].tolist()
        if missing or twice:
            problem = f"no row for {', '.join(missing)}" if missing else f"{twice[0]} given twice"
            raise InputError(
                f"{path}: year {year}: {problem}; each history year needs one capacity [GW] for each of "
                f"{', '.join(CAPACITY_CARRIERS)} (0 where there was none)"
            )


def _check_rules(rules: pd.DataFrame, path: Path) -> None:
    """Dates are MM-DD, and lower guide <= upper guide <= ceiling."""
    rows = zip(rules.date, rules.ceiling, rules.lower_guide, rules.upper_guide, strict=True)
    for i, (date, ceiling, lower, upper) in enumerate(rows):
        where = f"{path}, line {i + 2} ({clip(date, 20)})"
        mm_dd_day(date, where)
        if not lower <= upper <= ceiling:
            raise InputError(
                f"{where}: lower_guide {lower:g}, upper_guide {upper:g}, ceiling {ceiling:g}: the guide "
                "band's floor must not exceed its top, nor its top the ceiling (shares of usable energy, 0-1)"
            )
    if len(rules) < 2:
        raise InputError(f"{path}: the rule curves need at least two dates")


def mm_dd_day(text: str, where: str) -> int:
    """Day of a 365-day year (0 = 1 January) of an ``MM-DD`` date, or an error naming ``where``."""
    try:
        return int(pd.to_datetime(f"2030-{text}", format="%Y-%m-%d").day_of_year) - 1
    except ValueError:
        raise InputError(f"{where}: '{clip(text, 20)}' must be a day of the year as MM-DD") from None


def maintenance_days(maintenance: pd.DataFrame, path: Path) -> int:
    """Days a year in the maintenance windows (each window from ``start`` to ``end``, inclusive)."""
    days = 0
    for i, (a, b) in enumerate(zip(maintenance.start, maintenance.end, strict=True)):
        where = f"{path}, line {i + 2}"
        start, end = mm_dd_day(a, where), mm_dd_day(b, where)
        days += (end - start) % 365 + 1
    return days


def _check_thermal(thermal: pd.DataFrame, maintenance: pd.DataFrame, folder: Path) -> None:
    """A unit must reach its minimum load within an hour, and its maintenance must fit the windows."""
    path = folder / "thermal.csv"
    slow = np.flatnonzero((thermal.p_min_pu > thermal.ramp_pu_per_h).to_numpy())
    if len(slow):
        i = int(slow[0])
        raise InputError(
            f"{path}, line {i + 2} ({thermal.id.iloc[i]}): p_min_pu {thermal.p_min_pu.iloc[i]:g} is above "
            f"ramp_pu_per_h {thermal.ramp_pu_per_h.iloc[i]:g}: a unit could not reach its minimum load in "
            "the hour it starts; the minimum load must be at most the hourly ramp"
        )
    window_weeks = maintenance_days(maintenance, folder / "maintenance.csv") / 7
    long = np.flatnonzero((thermal.maintenance_weeks > window_weeks).to_numpy())
    if len(long):
        i = int(long[0])
        raise InputError(
            f"{path}, line {i + 2} ({thermal.id.iloc[i]}): maintenance_weeks "
            f"{thermal.maintenance_weeks.iloc[i]:g} do not fit the {window_weeks:.1f} weeks of maintenance "
            "windows a year (maintenance.csv)"
        )


def _check_fuel(register: Register) -> None:
    """Cross-checks of the fuel tables: every prefecture in one region, stock levels in order.

    Raises
    ------
    InputError
        Naming the file, line and key: a region naming no prefecture or an unknown one, a
        prefecture in two regions or in none, a floor above the normal level, a start outside
        them, a ``coal_supply`` or ``coal_months`` row of an unknown region.
    """
    path = register.path / "fuel_regions.csv"
    seen: dict[str, str] = {}
    for i, (region, places) in enumerate(zip(register.fuel_regions.region, register.fuel_regions.prefectures,
                                             strict=True)):  # fmt: skip
        names = str(places).split()
        where = f"{path}, line {i + 2} ({region})"
        if not names:
            raise InputError(f"{where}: prefectures is empty; a fuel region names at least one prefecture")
        for p in names:
            if p not in PREFECTURES:
                raise InputError(
                    f"{where}: '{p}' is not a prefecture{did_you_mean(p, PREFECTURES)}; valid: "
                    f"{', '.join(PREFECTURES)} (separated by spaces)"
                )
            if p in seen:
                raise InputError(f"{where}: prefecture '{p}' is already in region '{seen[p]}' (one each)")
            seen[p] = str(region)
    lacking = [p for p in PREFECTURES if p not in seen]
    if lacking:
        raise InputError(f"{path}: prefecture '{lacking[0]}' is in no fuel region; each needs one")
    regions = set(register.fuel_regions.region)
    for table in ("coal_supply", "coal_months"):
        df = getattr(register, table)
        bad = np.flatnonzero(~df.region.isin(regions).to_numpy())
        if len(bad):
            i = int(bad[0])
            r = df.region.iloc[i]
            raise InputError(
                f"{register.path / (table + '.csv')}, line {i + 2}: region '{r}' is not in fuel_regions.csv"
                f"{did_you_mean(r, regions)}; valid: {', '.join(sorted(regions))}"
            )
    cs = register.coal_supply
    path = register.path / "coal_supply.csv"
    for i, r in enumerate(cs.itertuples()):
        where = f"{path}, line {i + 2} ({int(r.year)}, {r.region})"
        for col in ("stock_floor_days", "stock_floor_peak_days"):
            if not getattr(r, col) < r.stock_normal_days:
                raise InputError(
                    f"{where}: {col} {getattr(r, col):g} must be below stock_normal_days "
                    f"{r.stock_normal_days:g} (the operator's floor under the level plants refill to)"
                )
        if not r.stock_floor_peak_days <= r.stock_start_days <= r.stock_normal_days:
            raise InputError(
                f"{where}: stock_start_days {r.stock_start_days:g} (1 January, in the winter peak season) "
                f"must lie between stock_floor_peak_days {r.stock_floor_peak_days:g} and stock_normal_days "
                f"{r.stock_normal_days:g}"
            )
    dup = cs[cs.duplicated(["year", "region"])]
    if not dup.empty:
        i = int(dup.index[0])
        raise InputError(f"{path}, line {i + 2}: a second row for year {int(dup.year.iloc[0])}, region "
                         f"'{dup.region.iloc[0]}' (one row each)")  # fmt: skip


def _check_fuel_stress(table: pd.DataFrame, path: Path) -> None:
    """Each hydrology of ``fuel_stress.csv`` is a valid label whose probabilities sum to one.

    Raises
    ------
    InputError
        Naming the file, line and hydrology: an unknown hydrology, a kind given twice for one
        hydrology, probabilities that do not add up to 1, or no row for ``normal`` (the fallback of
        hydrologies the table does not list).
    """
    from model.scenario import check_hydrology  # the scenario reads the register's years

    for i, label in enumerate(table.hydrology):
        try:
            check_hydrology(str(label))
        except ValueError as err:
            raise InputError(f"{path}, line {i + 2}: hydrology '{label}' {err}") from None
    dup = table[table.duplicated(["hydrology", "kind"])]
    if not dup.empty:
        i = int(dup.index[0])
        raise InputError(f"{path}, line {i + 2}: a second '{dup.kind.iloc[0]}' row for hydrology "
                         f"'{dup.hydrology.iloc[0]}' (one row per kind)")  # fmt: skip
    for label, rows in table.groupby("hydrology", sort=False):
        total = float(rows.probability.sum())
        if not np.isclose(total, 1.0, atol=1e-6):
            raise InputError(
                f"{path}, line {int(rows.index[0]) + 2}: the probabilities of hydrology '{label}' add up to "
                f"{total:.4g}; over its kinds ({', '.join(rows.kind)}) they must add up to 1"
            )
    if "normal" not in set(table.hydrology):
        raise InputError(f"{path}: no row for hydrology 'normal' (the fallback for hydrologies not listed)")
