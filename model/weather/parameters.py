"""Calibration parameters of the weather and demand generator.

The parameters live in ``data/profiles/*.csv`` (long format, one value per row, each row with a
``source``); see ``data/profiles/README.md`` for every parameter, its unit and its source.
:class:`CalibrationParams` holds them as plain numbers and arrays, frozen, so the generator can
hash them for its cache and record them in the dataset's attributes.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.errors import InputError, did_you_mean

#: Default location of the calibration tables.
PROFILES_DIR = Path(__file__).resolve().parents[2] / "data" / "profiles"

MONTHLY_QUANTITIES = (
    "demand_factor",
    "hydro_factor",
    "clearness_mean",
    "wind_scale",
    "temperature_mean",
    "temperature_diurnal_amp",
    "cold_snap_season",
)


@dataclass(frozen=True)
class CalibrationParams:
    """All generator parameters.

    Attributes
    ----------
    scalars : dict of str to float
        Named scalars (units in ``scalars.csv``).
    monthly : dict of str to tuple of float
        Twelve values per quantity, January first (``monthly.csv``).
    demand_shape : tuple of float
        Hour-of-day load factor on the daily mean, hours 0..23 CST [-] (``hourly.csv``).
    regional : dict of str to dict of str to float
        Per-prefecture ``temperature_offset_c`` [°C] and ``wind_scale`` [-] (``regional.csv``);
        a region not listed gets offset 0 and scale 1.
    hydrology : dict of str to float
        Full-load hours of installed hydro per hydrology class [h] (``hydrology.csv``).
    hydrology_shapes : dict of str to str
        Per class, the observed years whose mean monthly shape it takes (space-separated), or
        ``climatology`` (``hydrology.csv``; see :mod:`model.weather.hydrology`).
    hydro_record : dict of int to tuple of float
        Provincial hydro generation by month [TWh] (January and February split at equal daily
        rates) per year of the record (``hydro_record.csv``, S2).
    hydro_capacity : dict of int to float
        Installed hydro at the end of each year of the record [GW] (``hydro_capacity.csv``, S3).
    """

    scalars: dict[str, float]
    monthly: dict[str, tuple[float, ...]]
    demand_shape: tuple[float, ...]
    regional: dict[str, dict[str, float]] = field(default_factory=dict)
    hydrology: dict[str, float] = field(default_factory=dict)
    hydrology_shapes: dict[str, str] = field(default_factory=dict)
    hydro_record: dict[int, tuple[float, ...]] = field(default_factory=dict)
    hydro_capacity: dict[int, float] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        """Return scalar ``name``; unknown names raise with a suggestion."""
        if name not in self.scalars:
            raise InputError(f"unknown weather parameter '{name}'{did_you_mean(name, self.scalars)}")
        return self.scalars[name]

    def month(self, quantity: str) -> np.ndarray:
        """Twelve monthly values of ``quantity`` as an array."""
        return np.asarray(self.monthly[quantity], dtype=np.float64)

    def region_value(self, region: str, quantity: str, default: float) -> float:
        """Per-region value, ``default`` for a region not in the table."""
        return float(self.regional.get(str(region), {}).get(quantity, default))

    def with_scalars(self, **values: float) -> CalibrationParams:
        """Copy with some scalars replaced (unknown names are an error)."""
        for name in values:
            self[name]
        return dataclasses.replace(self, scalars={**self.scalars, **values})

    def as_dict(self) -> dict:
        """Plain JSON-serialisable form (used for the cache hash and dataset attributes)."""
        return {
            "scalars": dict(sorted(self.scalars.items())),
            "monthly": {k: list(v) for k, v in sorted(self.monthly.items())},
            "demand_shape": list(self.demand_shape),
            "regional": {k: dict(sorted(v.items())) for k, v in sorted(self.regional.items())},
            "hydrology": dict(sorted(self.hydrology.items())),
            "hydrology_shapes": dict(sorted(self.hydrology_shapes.items())),
            "hydro_record": {str(y): list(v) for y, v in sorted(self.hydro_record.items())},
            "hydro_capacity": {str(y): v for y, v in sorted(self.hydro_capacity.items())},
        }

    @classmethod
    def from_dict(cls, data: dict) -> CalibrationParams:
        """The parameters back from :meth:`as_dict` (e.g. a dataset's ``parameters`` attribute)."""
        return cls(
            scalars=dict(data["scalars"]),
            monthly={k: tuple(v) for k, v in data["monthly"].items()},
            demand_shape=tuple(data["demand_shape"]),
            regional=dict(data.get("regional", {})),
            hydrology=dict(data.get("hydrology", {})),
            hydrology_shapes=dict(data.get("hydrology_shapes", {})),
            hydro_record={int(y): tuple(v) for y, v in data.get("hydro_record", {}).items()},
            hydro_capacity={int(y): float(v) for y, v in data.get("hydro_capacity", {}).items()},
        )

    def fingerprint(self) -> str:
        """Short SHA-256 of the parameters."""
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"{path}: calibration table missing")
    df = pd.read_csv(path)
    missing = [c for c in [*columns, "source"] if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}")
    bad = df[df[columns].isna().any(axis=1) | df["source"].isna()]
    if len(bad):
        raise InputError(f"{path}: row {int(bad.index[0]) + 2} has an empty value or source")
    return df


#: The calibration tables :func:`load_params` reads.
TABLES = ("scalars.csv", "monthly.csv", "hourly.csv", "regional.csv", "hydrology.csv", "hydro_record.csv",
          "hydro_capacity.csv")  # fmt: skip


def load_params(directory: Path | str = PROFILES_DIR) -> CalibrationParams:
    """Read the calibration tables from ``directory``.

    The tables are parsed once per process and version of the files (their size and
    modification time): the register's and the scenario's checks ask for them once per
    hydrology label, ~40 times per command, at ~25 ms a reading. Each call returns its own
    copy, so a caller can never change what the next one gets.

    Parameters
    ----------
    directory : path
        Folder holding ``scalars.csv``, ``monthly.csv``, ``hourly.csv``, ``regional.csv``,
        ``hydrology.csv``, ``hydro_record.csv`` and ``hydro_capacity.csv``.

    Returns
    -------
    CalibrationParams
    """
    d = Path(directory).resolve()
    return copy.deepcopy(_read_params(d, _version(d)))


def _version(directory: Path) -> tuple:
    """Size and modification time of each table (None for a missing one): the cache key."""
    out = []
    for name in TABLES:
        try:
            st = (directory / name).stat()
        except OSError:
            out.append(None)
        else:
            out.append((st.st_size, st.st_mtime_ns))
    return tuple(out)


@functools.lru_cache(maxsize=4)
def _read_params(d: Path, version: tuple) -> CalibrationParams:
    """:func:`load_params` without the cache; ``version`` (:func:`_version`) only keys it."""
    scal = _read(d / "scalars.csv", ["name", "value"])
    monthly_df = _read(d / "monthly.csv", ["quantity", "month", "value"])
    hourly_df = _read(d / "hourly.csv", ["quantity", "hour", "value"])
    regional_df = _read(d / "regional.csv", ["region", "quantity", "value"])
    hydro_df = _read(d / "hydrology.csv", ["hydrology", "full_load_hours", "shape_years"])
    record = _hydro_record(d / "hydro_record.csv")
    capacity_df = _read(d / "hydro_capacity.csv", ["year", "gw"])

    monthly: dict[str, tuple[float, ...]] = {}
    for q in MONTHLY_QUANTITIES:
        rows = monthly_df[monthly_df["quantity"] == q].sort_values("month")
        if list(rows["month"]) != list(range(1, 13)):
            raise InputError(f"{d / 'monthly.csv'}: quantity '{q}' needs months 1..12 once each")
        monthly[q] = tuple(float(v) for v in rows["value"])
    shape = hourly_df[hourly_df["quantity"] == "demand_shape"].sort_values("hour")
    if list(shape["hour"]) != list(range(24)):
        raise InputError(f"{d / 'hourly.csv'}: demand_shape needs hours 0..23 once each")
    regional: dict[str, dict[str, float]] = {}
    for row in regional_df.itertuples(index=False):
        regional.setdefault(str(row.region), {})[str(row.quantity)] = float(row.value)
    return CalibrationParams(
        scalars={str(n): float(v) for n, v in zip(scal["name"], scal["value"], strict=True)},
        monthly=monthly,
        demand_shape=tuple(float(v) for v in shape["value"]),
        regional=regional,
        hydrology={
            str(c): float(h)
            for c, h in zip(hydro_df["hydrology"], hydro_df["full_load_hours"], strict=True)
        },
        hydrology_shapes=_shape_years(hydro_df, record, d / "hydrology.csv"),
        hydro_record=record,
        hydro_capacity={
            int(y): float(g) for y, g in zip(capacity_df["year"], capacity_df["gw"], strict=True)
        },
    )


def _hydro_record(path: Path) -> dict[int, tuple[float, ...]]:
    """The monthly record by year, every year with all of its periods, Jan and Feb split."""
    from model.weather.hydrology import RECORD_PERIODS, split_record_months

    df = _read(path, ["year", "period", "twh"])
    out = {}
    for year, rows in df.groupby("year"):
        by_period = dict(zip(rows["period"], rows["twh"], strict=True))
        missing = [p for p in RECORD_PERIODS if p not in by_period]
        if missing or len(rows) != len(RECORD_PERIODS) or min(by_period.values()) < 0:
            raise InputError(
                f"{path}: year {year} needs each of the periods {', '.join(RECORD_PERIODS)} once with an "
                f"energy >= 0 [TWh]" + (f" (missing: {', '.join(missing)})" if missing else "")
            )
        months = split_record_months(np.array([by_period[p] for p in RECORD_PERIODS], dtype=float))
        out[int(year)] = tuple(float(v) for v in months)
    return out


def _shape_years(hydro_df: pd.DataFrame, record: dict, path: Path) -> dict[str, str]:
    """Each class's ``shape_years``: ``climatology`` or years of the record."""
    out = {}
    for cls, spec in zip(hydro_df["hydrology"], hydro_df["shape_years"], strict=True):
        spec = str(spec).strip()
        if spec != "climatology":
            bad = [y for y in spec.split() if not y.isdigit() or int(y) not in record]
            if bad or not spec:
                raise InputError(
                    f"{path}: class '{cls}': shape_years must be 'climatology' or years of the record "
                    f"({min(record)}-{max(record)}), got {spec!r}"
                )
        out[str(cls)] = spec
    return out
