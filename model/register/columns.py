"""Register tables: columns, the checks on their values, and reading a CSV against its spec.

Each table is described by a :class:`TableSpec` (its columns, their types and the range each
value must lie in). :func:`read_table` reads one CSV and checks every cell; any problem is an
:class:`~model.errors.InputError` naming the file, the line (the header is line 1) and what
would be valid.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import InputError, clip, did_you_mean, warn
from model.inputfile import read_text


@dataclass(frozen=True)
class Check:
    """A condition every value of a numeric column must meet."""

    test: Callable[[pd.Series], pd.Series]
    valid: str  # what a valid value is, for the message


def between(low: float, high: float, unit: str, low_open: bool = False) -> Check:
    """A value in ``[low, high]`` (``(low, high]`` with ``low_open``), for a column in ``unit``."""
    test = (lambda s: (s > low) & (s <= high)) if low_open else (lambda s: (s >= low) & (s <= high))
    unit = f" {unit}" if unit else ""
    return Check(test, f"a number {'>' if low_open else '>='} {low:g} and <= {high:g}{unit}")


# Every number must be finite (checked for all columns) and physical: the upper bounds are far
# above anything real (data/network/README.md, "Bounds"), so they catch typos and overflow such
# as 1e308 MW, never a real asset.
#: Largest power of one asset or corridor [MW] (100 GW: the whole province is ~140 GW).
MAX_MW = 100_000.0
#: Largest energy of one reservoir or store [MWh] (50 TWh; the largest station here holds ~2 TWh).
MAX_MWH = 50e6
#: Largest cost [CNY/MWh] (ten times the default value of lost load).
MAX_COST = 100_000.0
NONNEG = Check(lambda s: s >= 0, "a number >= 0")
POSITIVE = Check(lambda s: s > 0, "a number > 0")
POWER = between(0, MAX_MW, "MW")
ENERGY = between(0, MAX_MWH, "MWh")
COST = between(0, MAX_COST, "CNY/MWh")
HOURS = between(0, 8760, "h", low_open=True)
SHARE = Check(lambda s: (s >= 0) & (s <= 1), "a share in [0, 1]")
EFFICIENCY = Check(lambda s: (s > 0) & (s <= 1), "an efficiency in (0, 1]")
PER_UNIT = Check(lambda s: (s >= 0) & (s <= 1), "a per-unit value in [0, 1] (minimum load cannot exceed 1)")
CO2 = between(0, 2, "t/MWh")
ANY = Check(lambda s: s == s, "a finite number")  # NaN and infinity are rejected for every column


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


def text_column(name: str) -> Column:
    return Column(name, "text")


def choice_column(name: str, choices: tuple[str, ...], optional: bool = False) -> Column:
    return Column(name, "choice", choices=choices, optional=optional)



SOURCE = Column("source", "source")


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
    read_text(path, "register")  # UTF-8, or an error naming the line of the first bad byte
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
    extra = [str(c) for c in df.columns if c not in {col.name for col in spec.columns}]
    if extra:
        warn(
            f"{path}: column(s) {', '.join(clip(c, 40) for c in extra[:5])} are not read by gzgrid "
            f"(the columns are: {', '.join(c.name for c in spec.columns)}); a misspelt column is ignored"
        )
    for col in spec.columns:
        df[col.name] = _check_column(df, col, path)
    if spec.key is not None:
        dup = df[spec.key][df[spec.key].duplicated()]
        if not dup.empty:
            line = int(dup.index[0]) + 2
            raise InputError(
                f"{path}, line {line}: duplicate {spec.key} '{clip(dup.iloc[0])}' (each must be unique)"
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
    label = f" ({clip(df['id'].iloc[i], 80)})" if "id" in df.columns else ""
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
                    f"{_where(path, df, i)}: unknown {col.name} '{clip(raw.iloc[i])}'"
                    f"{did_you_mean(raw.iloc[i], col.choices)}; valid: {', '.join(col.choices)}"
                )
        return raw
    values = pd.to_numeric(raw.where(~empty), errors="coerce")
    unparsable = values.isna() & ~empty
    if unparsable.any():
        i = int(np.flatnonzero(unparsable.to_numpy())[0])
        text = raw.iloc[i]
        if text.lower() not in ("nan", "na", "n/a", "none", "null"):
            raise InputError(f"{_where(path, df, i)}: column '{col.name}' is '{clip(text)}', not a number")
    finite = np.isfinite(values.to_numpy(dtype=float))  # 'inf', '1e999' parse, and are never valid
    bad = ~col.check.test(values.fillna(np.nan)).fillna(False).astype(bool) | ~finite
    if col.optional:
        bad &= ~empty
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{_where(path, df, i)}: column '{col.name}' is '{clip(raw.iloc[i]) or 'empty'}'; "
            f"it must be {col.check.valid}"
        )
    return values.astype(float)

