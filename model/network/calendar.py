"""The hourly snapshots of a calendar year."""

from __future__ import annotations

import pandas as pd


def snapshots(year: int, horizon_hours: int | None = None) -> pd.DatetimeIndex:
    """Hourly snapshots of a calendar year in China Standard Time (naive), Feb 29 dropped [h]."""
    idx = pd.date_range(f"{year}-01-01", periods=8784, freq="h")
    idx = idx[(idx.year == year) & ~((idx.month == 2) & (idx.day == 29))]
    return idx[:horizon_hours] if horizon_hours else idx
