"""Calibration parameters of the weather and demand generator.

The parameters live in ``data/profiles/*.csv`` (long format, one value per row, each row with a
``source``); see ``data/profiles/README.md`` for every parameter, its unit and its source.
:class:`CalibrationParams` holds them as plain numbers and arrays, frozen, so the generator can
hash them for its cache and record them in the dataset's attributes.
"""

from __future__ import annotations

import dataclasses
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
    """

    scalars: dict[str, float]
    monthly: dict[str, tuple[float, ...]]
    demand_shape: tuple[float, ...]
    regional: dict[str, dict[str, float]] = field(default_factory=dict)
    hydrology: dict[str, float] = field(default_factory=dict)

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
        }

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


def load_params(directory: Path | str = PROFILES_DIR) -> CalibrationParams:
    """Read the calibration tables from ``directory``.

    Parameters
    ----------
    directory : path
        Folder holding ``scalars.csv``, ``monthly.csv``, ``hourly.csv``, ``regional.csv`` and
        ``hydrology.csv``.

    Returns
    -------
    CalibrationParams
    """
    d = Path(directory)
    scal = _read(d / "scalars.csv", ["name", "value"])
    monthly_df = _read(d / "monthly.csv", ["quantity", "month", "value"])
    hourly_df = _read(d / "hourly.csv", ["quantity", "hour", "value"])
    regional_df = _read(d / "regional.csv", ["region", "quantity", "value"])
    hydro_df = _read(d / "hydrology.csv", ["hydrology", "full_load_hours"])

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
    )
