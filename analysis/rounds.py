"""The recorded curtailment rounds of a history year beside the model's demand response.

``data/history/curtailment_events.csv`` lists the rounds in which the grid ordered load off
(S33: aluminium smelters, 700 MW from 13 December 2022 for 5 days, 300 MW from 29 December for
3 days, 500 MW from 5 January 2023 for 5 days). A history run reproduces the winter when it
calls demand response or sheds load in the *weeks* of each round: the record gives the day a
round was ordered and how much was cut, not the hours, and the model's operator, with foresight
of its own inflow and deliveries, may call earlier or spread the same energy over more days.
So each round is compared over its own days and over a window of :data:`WEEK_DAYS` either side.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pypsa

from analysis.shortfalls import shortfall_mw
from model import ROOT

ROUNDS = ROOT / "data" / "history" / "curtailment_events.csv"
#: Days either side of a recorded round within which the model's calls count as that round's [d].
WEEK_DAYS = 7
#: The wet season, in which a history run should call no demand response (months).
WET_MONTHS = (6, 7, 8, 9)
#: Energy below which a window counts as calling nothing [GWh].
NONE_GWH = 1.0


def recorded_rounds(year: int, path: Path = ROUNDS) -> pd.DataFrame:
    """The rounds that began in ``year``: ``start``, ``days``, ``mw`` (empty without any)."""
    table = pd.read_csv(path, parse_dates=["start"])
    return table[table.start.dt.year == year].reset_index(drop=True)


def _window_gwh(
    short: pd.Series, w: pd.Series, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[float, float]:
    """Energy [GWh] and largest hour [MW] of ``short`` in ``[start, end)``."""
    inside = (short.index >= start) & (short.index < end)
    if not inside.any():
        return 0.0, 0.0
    return float((short[inside] * w[inside]).sum()) / 1e3, float(short[inside].max())


def round_rows(n: pypsa.Network, year: int, path: Path = ROUNDS) -> list[tuple]:
    """Hindcast rows of each recorded round: the model's DR + unserved in its days and weeks.

    Rows ``("rounds", item, start date, model, record, unit)``: energy over the round's days
    [GWh] against its recorded ``mw x days x 24``; energy over the round widened by
    :data:`WEEK_DAYS` either side [GWh] (no record: the rounds of the window are summed in the
    record column); largest hour in the widened window [MW] against the round's MW.
    """
    short, w = shortfall_mw(n), n.snapshot_weightings.generators
    rows = []
    rounds = recorded_rounds(year, path)
    for r in rounds.itertuples():
        start = pd.Timestamp(r.start)
        end = start + pd.Timedelta(days=int(r.days))
        week = pd.Timedelta(days=WEEK_DAYS)
        days_gwh, _ = _window_gwh(short, w, start, end)
        weeks_gwh, weeks_peak = _window_gwh(short, w, start - week, end + week)
        ends = rounds.start + pd.to_timedelta(rounds.days, "D")
        near = rounds[(rounds.start < end + week) & (ends > start - week)]
        label = f"round of {r.mw:.0f} MW from {start:%d %b %Y} for {r.days} d"
        day = f"{start:%Y-%m-%d}"
        rows += [
            ("rounds", f"{label}: in its days", day, days_gwh, r.mw * r.days * 24 / 1e3, "GWh"),
            ("rounds", f"{label}: within {WEEK_DAYS} d", day, weeks_gwh,
             float((near.mw * near.days).sum()) * 24 / 1e3, "GWh"),
            ("rounds", f"{label}: largest hour within {WEEK_DAYS} d", day, weeks_peak, float(r.mw), "MW"),
        ]  # fmt: skip
    return rows


def round_checks(n: pypsa.Network, year: int, path: Path = ROUNDS) -> pd.DataFrame:
    """Checks: DR or unserved in the weeks of every recorded round; none in the wet season."""
    short, w = shortfall_mw(n), n.snapshot_weightings.generators
    rows = []
    week = pd.Timedelta(days=WEEK_DAYS)
    for r in recorded_rounds(year, path).itertuples():
        start = pd.Timestamp(r.start)
        gwh, _ = _window_gwh(short, w, start - week, start + pd.Timedelta(days=int(r.days)) + week)
        rows.append((f"DR or unserved within {WEEK_DAYS} d of the round from {start:%d %b %Y} [GWh]", gwh,
                     f"> {NONE_GWH:g}", gwh > NONE_GWH))  # fmt: skip
    wet = np.isin(short.index.month, WET_MONTHS)
    gwh = float((short[wet] * w[wet]).sum()) / 1e3 if wet.any() else 0.0
    rows.append(("DR or unserved in the wet season, Jun-Sep [GWh]", gwh, f"<= {NONE_GWH:g}", gwh <= NONE_GWH))
    return pd.DataFrame(rows, columns=["check", "value", "target", "passed"])
