"""The Guizhou asset register: reads and checks ``data/network/*.csv``.

Each table is described by a :class:`TableSpec` (its columns, their types and the range each
value must lie in). :func:`load_register` reads every table, checks every cell against its
spec and the cross-references between tables (buses, carriers, cascade links), and returns a
frozen :class:`Register`. Any problem is an :class:`~model.errors.InputError` naming the file,
the line (the header is line 1) and what would be valid. The meaning and unit of every column
are documented in ``data/network/README.md``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model import NETWORK_DATA
from model.errors import InputError, did_you_mean

YEARS = (2025, 2030)
PREFECTURES = (
    "guiyang",
    "zunyi",
    "liupanshui",
    "anshun",
    "bijie",
    "tongren",
    "qiandongnan",
    "qiannan",
    "qianxinan",
)
EXPORT_BUS = "guangdong"
DEMAND_CASES = ("low", "central", "high")


@dataclass(frozen=True)
class Check:
    """A condition every value of a numeric column must meet."""

    test: Callable[[pd.Series], pd.Series]
    valid: str  # what a valid value is, for the message


NONNEG = Check(lambda s: s >= 0, "a number >= 0")
POSITIVE = Check(lambda s: s > 0, "a number > 0")
SHARE = Check(lambda s: (s >= 0) & (s <= 1), "a share in [0, 1]")
EFFICIENCY = Check(lambda s: (s > 0) & (s <= 1), "an efficiency in (0, 1]")
PER_UNIT = Check(lambda s: (s >= 0) & (s <= 1), "a per-unit value in [0, 1] (minimum load cannot exceed 1)")
ANY = Check(lambda s: s == s, "a number")  # rejects NaN only
YEAR = Check(lambda s: s.isin(YEARS), f"one of the years {YEARS}")


@dataclass(frozen=True)
class Column:
    """One column of a register table.

    ``kind`` is ``"text"`` (non-empty string), ``"choice"`` (one of ``choices``), ``"number"``
    (checked by ``check``) or ``"source"`` (non-empty provenance). ``optional`` columns may be
    empty (NaN) but must otherwise pass their check.
    """

    name: str
    kind: str = "number"
    check: Check = NONNEG
    choices: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A register table: file stem, columns and the column that must be unique."""

    name: str
    columns: tuple[Column, ...]
    key: str | None = "id"

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


def _text(name: str) -> Column:
    return Column(name, "text")


def _choice(name: str, choices: tuple[str, ...], optional: bool = False) -> Column:
    return Column(name, "choice", choices=choices, optional=optional)


SOURCE = Column("source", "source")
BUS = _choice("bus", PREFECTURES)
ALL_BUSES = (*PREFECTURES, EXPORT_BUS)
CARRIERS = (
    "coal",
    "gas",
    "biomass",
    "hydro",
    "ror",
    "solar",
    "wind",
    "phs",
    "battery",
    "H2",
    "dr",
    "export",
    "load_shedding",
)

SPECS: dict[str, TableSpec] = {
    s.name: s
    for s in (
        TableSpec(
            "buses",
            (
                _choice("id", ALL_BUSES),
                _text("name_zh"),
                _choice("kind", ("prefecture", "export")),
                Column(
                    "lon", check=Check(lambda s: (s > 100) & (s < 120), "a longitude in (100, 120) deg E")
                ),
                Column("lat", check=Check(lambda s: (s > 20) & (s < 30), "a latitude in (20, 30) deg N")),
                SOURCE,
            ),
        ),
        TableSpec(
            "carriers",
            (
                _text("carrier"),
                _text("nice_name"),
                _text("name_zh"),
                _text("color"),
                Column("co2_t_per_mwh"),
                SOURCE,
            ),
            key="carrier",
        ),
        TableSpec(
            "corridors",
            (
                _text("id"),
                _choice("bus0", ALL_BUSES),
                _choice("bus1", ALL_BUSES),
                _choice("kind", ("ac", "export")),
                Column("p_nom_2025_mw"),
                Column("p_nom_2030_mw"),
                Column("efficiency", check=EFFICIENCY),
                SOURCE,
            ),
        ),
        TableSpec(
            "thermal",
            (
                _text("id"),
                BUS,
                _choice("carrier", ("coal", "gas", "biomass")),
                _text("unit_class"),
                Column("unit_mw", check=POSITIVE),
                Column("units_2025"),
                Column("units_2030"),
                Column("p_min_pu", check=PER_UNIT),
                Column("ramp_pu_per_h", check=POSITIVE),
                Column("efficiency", check=EFFICIENCY),
                Column("co2_t_per_mwh"),
                Column("marginal_cost_cny_per_mwh"),
                Column("forced_outage_rate", check=SHARE),
                Column("mttr_h", check=POSITIVE),
                SOURCE,
            ),
        ),
        TableSpec(
            "hydro",
            (
                _text("id"),
                _text("name_zh"),
                BUS,
                _text("river"),
                _choice("kind", ("reservoir", "aggregate")),
                Column("cascade_order"),
                Column("downstream", "text", optional=True),
                Column("p_nom_2025_mw"),
                Column("p_nom_2030_mw"),
                Column("reservoir_mwh"),
                Column("ror_share", check=SHARE),
                Column("eco_min_pu", check=SHARE),
                Column("head_m", check=POSITIVE, optional=True),
                Column("mean_generation_gwh", check=POSITIVE),
                SOURCE,
            ),
        ),
        TableSpec(
            "renewables",
            (
                _text("id"),
                BUS,
                _choice("carrier", ("solar", "wind")),
                Column("p_nom_2025_mw"),
                Column("p_nom_2030_mw"),
                SOURCE,
            ),
        ),
        TableSpec(
            "storage",
            (
                _text("id"),
                BUS,
                _choice("carrier", ("phs", "battery")),
                Column("p_nom_2025_mw"),
                Column("p_nom_2030_mw"),
                Column("max_hours", check=POSITIVE),
                Column("efficiency_round_trip", check=EFFICIENCY),
                SOURCE,
            ),
        ),
        TableSpec(
            "hydrogen",
            (
                _text("id"),
                BUS,
                _choice("kind", ("electrolyser", "h2_store", "fuel_cell", "h2_demand")),
                Column("capacity_2025"),
                Column("capacity_2030"),
                _text("unit"),
                Column("efficiency", check=EFFICIENCY),
                SOURCE,
            ),
        ),
        TableSpec(
            "demand_response",
            (
                Column("year", check=YEAR),
                Column("share_of_peak", check=SHARE),
                Column("cost_cny_per_mwh", check=POSITIVE),
                Column("max_hours_per_year", check=POSITIVE),
                Column("max_hours_per_event", check=POSITIVE),
                SOURCE,
            ),
            key="year",
        ),
        TableSpec(
            "demand",
            (
                Column("year", check=YEAR),
                _choice("case", DEMAND_CASES),
                Column("annual_twh", check=POSITIVE),
                Column(
                    "load_factor", check=Check(lambda s: (s > 0.3) & (s <= 1), "a load factor in (0.3, 1]")
                ),
                SOURCE,
            ),
            key=None,
        ),
        TableSpec("demand_shares", (BUS, Column("share", check=SHARE), SOURCE), key="bus"),
        TableSpec("exports", (Column("year", check=YEAR), Column("annual_twh"), SOURCE), key="year"),
        TableSpec(
            "export_shape",
            (_choice("kind", ("month", "hour")), Column("index"), Column("factor"), SOURCE),
            key=None,
        ),
        TableSpec(
            "targets",
            (
                _text("id"),
                _text("clause"),
                Column("year", check=YEAR),
                Column("value", check=ANY),
                _text("unit"),
                _choice("comparison", (">=", "<=", "<", ">", "~", "=")),
                _choice("check", ("sim", "input", "power-part", "out")),
                _text("description"),
                SOURCE,
            ),
            key=None,
        ),
    )
}


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
    targets: pd.DataFrame
    path: Path = field(default=NETWORK_DATA)

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


def read_table(spec: TableSpec, folder: Path) -> pd.DataFrame:
    """Read one register CSV and check every cell against ``spec``.

    Parameters
    ----------
    spec : TableSpec
        What the table must hold.
    folder : Path
        The register folder.

    Returns
    -------
    pandas.DataFrame
        The table, numeric columns as float, text columns as str.

    Raises
    ------
    InputError
        For a missing or empty file, a missing column, an unparsable or out-of-range value,
        an unknown choice or a duplicate key.
    """
    path = folder / spec.file
    if not path.is_file():
        raise InputError(f"{path}: file not found (the register needs {spec.file} in {folder})")
    _check_field_counts(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        names = ", ".join(c.name for c in spec.columns)
        raise InputError(f"{path}: file is empty; expected a header with columns: {names}") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: not a valid CSV file ({exc})") from None
    missing = [c.name for c in spec.columns if c.name not in df.columns]
    if missing:
        raise InputError(
            f"{path}: missing column '{missing[0]}' (required columns: "
            f"{', '.join(c.name for c in spec.columns)})"
        )
    if df.empty:
        raise InputError(f"{path}: file has a header but no rows")
    for col in spec.columns:
        df[col.name] = _check_column(df, col, path)
    if spec.key is not None:
        dup = df[spec.key][df[spec.key].duplicated()]
        if not dup.empty:
            line = int(dup.index[0]) + 2
            raise InputError(
                f"{path}, line {line}: duplicate {spec.key} '{dup.iloc[0]}' (each must be unique)"
            )
    return df


def _check_field_counts(path: Path) -> None:
    """pandas would silently turn an extra field into an index; name the line instead."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        n_header = len(next(rows, []))
        for line, row in enumerate(rows, start=2):
            if row and len(row) != n_header:
                raise InputError(
                    f"{path}, line {line}: {len(row)} fields but the header has {n_header} "
                    "(quote a text field that holds a comma)"
                )


def _where(path: Path, df: pd.DataFrame, i: int) -> str:
    label = f" ({df['id'].iloc[i]})" if "id" in df.columns else ""
    return f"{path}, line {i + 2}{label}"


def _check_column(df: pd.DataFrame, col: Column, path: Path) -> pd.Series:
    raw = df[col.name].str.strip()
    empty = raw == ""
    if col.kind in ("text", "source", "choice"):
        if not col.optional and empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            what = (
                "a source (an id from DATA.md, a plan clause or 'assumption: <why>')"
                if col.kind == "source"
                else "a value"
            )
            raise InputError(f"{_where(path, df, i)}: column '{col.name}' is empty; it needs {what}")
        if col.kind == "choice":
            bad = ~raw.isin(col.choices) & ~empty
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(
                    f"{_where(path, df, i)}: unknown {col.name} '{raw.iloc[i]}'"
                    f"{did_you_mean(raw.iloc[i], col.choices)}; valid: {', '.join(col.choices)}"
                )
        return raw
    values = pd.to_numeric(raw.where(~empty), errors="coerce")
    unparsable = values.isna() & ~empty
    if unparsable.any():
        i = int(np.flatnonzero(unparsable.to_numpy())[0])
        text = raw.iloc[i]
        if text.lower() not in ("nan", "na", "n/a", "none", "null"):
            raise InputError(f"{_where(path, df, i)}: column '{col.name}' is '{text}', not a number")
    bad = ~col.check.test(values.fillna(np.nan)).fillna(False).astype(bool)
    if col.optional:
        bad &= ~empty
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{_where(path, df, i)}: column '{col.name}' is '{raw.iloc[i] or 'empty'}'; "
            f"it must be {col.check.valid}"
        )
    return values.astype(float)


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
