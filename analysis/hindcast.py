"""A history run against the record: monthly hydro, generation by carrier, peaks, levels, cuts.

``gzgrid hindcast RUN_DIR`` reads a run of an observed hydrology year (``runs/history-YYYY``)
and sets it against the provincial record (``data/profiles/hydro_record.csv`` and
``data/history/``). Conventions:

- **Monthly hydro** is turbine output plus run-of-river [TWh], January and February as one
  value (the record publishes them together). The record is scaled to the run's installed hydro
  as the weather generator scales it (``hydro_capacity.csv``). Checks: correlation >= 0.8; the
  coefficient of variation of March-December (DATA.md's measure) within 25 % of the record's;
  annual hydro within 2 %.
- **Reservoir level** is the seasonal reservoirs' energy over their usable energy at each
  month's end; check: lowest in April-June, highest in September-November.
- **Generation by carrier**: thermal = coal + gas + biomass, hydro with run-of-river. The
  record's ``months`` says when a series stops early (wind).
- **Consumption** by record period (domestic loads) beside the monthly record: the annual
  energy is the record's by construction, the seasonal shape is the generator's.
- **Monthly thermal** (coal, gas, biomass) by record period beside the NBS record
  (``generation_monthly.csv``, S2). The fuel chain of a history year is set from the previous
  year's burn and the year's price and stock reports, never from this series, so every month
  of it is a test the model could fail.
- **Observed storage**: where the record reads a seasonal reservoir within
  :data:`OBSERVED_WITHIN_DAYS` of a month's end (Goupitan, ``reservoir_levels.csv``), its share of
  regulating storage beside the model's level. A run on the observed guide follows that path by
  construction; a run on the register's guide is tested by it.
- **Demand-response calls** by month beside the recorded curtailment rounds of the year, and
  each recorded round beside the model's DR and unserved energy in its weeks
  (:mod:`analysis.rounds`); checks: the model calls DR or sheds in the weeks of every recorded
  round, and not in the wet season (June-September).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa

from analysis.rounds import round_checks, round_rows
from analysis.runfolder import check_run_dir, read_network, read_scenario
from analysis.shortfalls import shortfall_causes
from analysis.thermal import THERMAL, thermal_output
from model import ROOT
from model.dispatch.constraints import GUIDE_BAND_KEY, guide_band_rules, gzgrid_meta
from model.errors import InputError
from model.network.hydro import seasonal_reservoirs
from model.observed import recorded_storage
from model.profiles import recorded_consumption_twh
from model.reservoirs import rule_curves
from model.weather.hydrology import RECORD_PERIODS, observed_year

HISTORY = ROOT / "data" / "history"
PROFILES = ROOT / "data" / "profiles"
#: Thresholds of the checks.
MIN_CORRELATION = 0.8
CV_TOLERANCE = 0.25
ANNUAL_TOLERANCE = 0.02
#: An observation this close to a month's last day stands for its month-end level [d].
OBSERVED_WITHIN_DAYS = 7


@dataclass(frozen=True)
class Hindcast:
    """A history run beside the record.

    Attributes
    ----------
    year : int
        The observed year.
    table : pandas.DataFrame
        Long format: ``section``, ``item``, ``period``, ``model``, ``record``, ``unit``.
    checks : pandas.DataFrame
        ``check``, ``value``, ``target``, ``passed``.
    events : pandas.DataFrame
        The run's DR and loss-of-load events with their causes
        (:func:`analysis.shortfalls.shortfall_causes`).
    """

    year: int
    table: pd.DataFrame
    checks: pd.DataFrame
    events: pd.DataFrame


def hindcast(run_dir: Path) -> Hindcast:
    """Compare a run of an observed hydrology year with the record (see module docstring)."""
    run_dir = check_run_dir(Path(run_dir))
    scenario = read_scenario(run_dir)
    year = observed_year(str(scenario.get("hydrology", "")))
    if year is None:
        raise InputError(
            f"{run_dir}: hydrology '{scenario.get('hydrology')}' is not an observed year; a hindcast needs a "
            "run of observed-YYYY (e.g. runs/history-2022.yaml)"
        )
    n = read_network(run_dir / "network.nc")
    hydro = monthly_hydro(n)
    record = record_hydro(year, hydro_capacity_mw(n))
    level = reservoir_level(n)
    no_record = np.full(12, np.nan)
    observed = observed_month_ends(recorded_storage(), year)
    rows = [
        *_rows("hydro", "monthly hydro", RECORD_PERIODS, hydro, record, "TWh"),
        *_rows("level", "seasonal reservoirs, month end (record: Goupitan)", _MONTHS, level, observed,
               "share"),
        *_rows("guide", "lower guide curve, month end", _MONTHS, guide_at_month_ends(n), no_record, "share"),
        *_generation_rows(n, year),
        *_thermal_rows(n, year),
        *_demand_rows(n, year),
        *_peak_rows(n, year),
        *_dr_rows(n, year),
        *round_rows(n, year),
    ]
    table = pd.DataFrame(rows, columns=["section", "item", "period", "model", "record", "unit"])
    checks = pd.concat([hydro_checks(hydro, record, level), round_checks(n, year)], ignore_index=True)
    return Hindcast(year, table, checks, shortfall_causes(n))


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _rows(section, item, periods, model, record, unit) -> list[tuple]:
    values = zip(periods, model, record, strict=True)
    return [(section, item, p, float(m), float(r), unit) for p, m, r in values]


def by_record_period(monthly: np.ndarray) -> np.ndarray:
    """Eleven record periods from twelve months (January and February summed)."""
    return np.r_[monthly[0] + monthly[1], monthly[2:]]


def monthly_hydro(n: pypsa.Network) -> np.ndarray:
    """Hydro generation (turbines and run-of-river) by record period [TWh], (11,)."""
    links, g = n.c.links.static, n.c.generators.static
    w = n.snapshot_weightings.generators
    turbines = -n.c.links.dynamic.p1.loc[:, links.index[links.carrier == "hydro"]].sum(axis=1)
    ror = n.c.generators.dynamic.p.loc[:, g.index[g.carrier == "ror"]].sum(axis=1)
    return _record_periods_twh((turbines + ror) * w)


def _record_periods_twh(energy_mwh: pd.Series) -> np.ndarray:
    """Hourly energy [MWh] summed by record period [TWh], (11,)."""
    monthly = energy_mwh.groupby(energy_mwh.index.month).sum().reindex(range(1, 13), fill_value=0.0)
    return by_record_period(monthly.to_numpy()) / 1e6


def hydro_capacity_mw(n: pypsa.Network) -> float:
    """Installed hydro of a run: turbines plus run-of-river [MW]."""
    links, g = n.c.links.static, n.c.generators.static
    return float(links.p_nom[links.carrier == "hydro"].sum() + g.p_nom[g.carrier == "ror"].sum())


def record_hydro(year: int, capacity_mw: float, folder: Path = PROFILES) -> np.ndarray:
    """The record's hydro of ``year`` by record period, scaled to ``capacity_mw`` [TWh], (11,)."""
    record = pd.read_csv(folder / "hydro_record.csv")
    caps = pd.read_csv(folder / "hydro_capacity.csv").set_index("year").gw
    rows = record[record.year == year].set_index("period").twh
    if rows.empty or year not in caps.index:
        raise InputError(f"{folder / 'hydro_record.csv'}: no record for {year}")
    return rows.reindex(list(RECORD_PERIODS)).to_numpy(dtype=float) * capacity_mw / (caps[year] * 1e3)


def reservoir_level(n: pypsa.Network) -> np.ndarray:
    """Month-end energy of the seasonal reservoirs over their usable energy [-], (12,)."""
    st = n.c.stores.static
    seasonal = seasonal_reservoirs(n)
    if not len(seasonal):
        return np.full(12, np.nan)
    return _month_ends(n.c.stores.dynamic.e[seasonal].sum(axis=1) / st.e_nom[seasonal].sum())


def guide_at_month_ends(n: pypsa.Network) -> np.ndarray:
    """The seasonal reservoirs' lower guide curve at each month's last hour [-], (12,) (NaN: no rules)."""
    spec = gzgrid_meta(n).get(GUIDE_BAND_KEY) or {}
    if not spec:
        return np.full(12, np.nan)
    return _month_ends(rule_curves(guide_band_rules(spec), n.snapshots).lower_guide)


def observed_month_ends(points: pd.Series, year: int, within: int = OBSERVED_WITHIN_DAYS) -> np.ndarray:
    """The observed storage share nearest each month's last day of ``year`` [-], (12,).

    NaN where no observation lies within ``within`` days of that day.
    """
    ends = pd.date_range(f"{year}-01-31", periods=12, freq="ME")
    out = np.full(12, np.nan)
    if points.empty:
        return out
    for i, end in enumerate(ends):
        gap = np.abs((points.index - end).days)
        if gap.min() <= within:
            out[i] = float(points.iloc[int(np.argmin(gap))])
    return out


def monthly_thermal(n: pypsa.Network) -> np.ndarray:
    """Thermal generation (coal, gas, biomass) by record period [TWh], (11,)."""
    w = n.snapshot_weightings.generators
    return _record_periods_twh(thermal_output(n, THERMAL)[0].sum(axis=1) * w)


def record_thermal(year: int, folder: Path = HISTORY) -> np.ndarray:
    """The record's thermal generation of ``year`` by record period [TWh], (11,) (NaN: no record)."""
    table = pd.read_csv(folder / "generation_monthly.csv")
    rows = table[(table.year == year) & (table.carrier == "thermal")].set_index("period").twh
    if "jan_feb" not in rows.index and {"jan", "feb"} <= set(rows.index):
        rows = pd.concat([rows, pd.Series({"jan_feb": rows["jan"] + rows["feb"]})])
    return rows.reindex(list(RECORD_PERIODS)).to_numpy(dtype=float)


def _thermal_rows(n: pypsa.Network, year: int) -> list[tuple]:
    model, record = monthly_thermal(n), record_thermal(year)
    return _rows("thermal", "monthly thermal", RECORD_PERIODS, model, record, "TWh")


def _month_ends(hourly: pd.Series) -> np.ndarray:
    """The value at each month's last hour, January to December, (12,) (NaN: month not in the run)."""
    return hourly.groupby(hourly.index.month).last().reindex(range(1, 13)).to_numpy()


def hydro_checks(model: np.ndarray, record: np.ndarray, level: np.ndarray) -> pd.DataFrame:
    """The hindcast's pass/fail checks on monthly hydro and the levels' seasonal shape."""
    corr = float(np.corrcoef(model, record)[0, 1])
    cv_model, cv_record = _cv(model[1:]), _cv(record[1:])
    annual = float(model.sum() / record.sum() - 1)
    low, high = int(np.nanargmin(level)) + 1, int(np.nanargmax(level)) + 1
    rows = [
        ("monthly hydro correlation (Jan+Feb one)", corr, f">= {MIN_CORRELATION}", corr >= MIN_CORRELATION),
        ("monthly CV Mar-Dec, model / record", cv_model / cv_record, f"1 ± {CV_TOLERANCE}",
         abs(cv_model / cv_record - 1) <= CV_TOLERANCE),
        ("annual hydro, model / record - 1", annual, f"± {ANNUAL_TOLERANCE}",
         abs(annual) <= ANNUAL_TOLERANCE),
        ("month of the lowest reservoir level", low, "Apr-Jun (4-6)", 4 <= low <= 6),
        ("month of the highest reservoir level", high, "Sep-Nov (9-11)", 9 <= high <= 11),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["check", "value", "target", "passed"])


def _cv(x: np.ndarray) -> float:
    return float(np.std(x) / np.mean(x)) if np.mean(x) > 0 else float("nan")


def _generation_rows(n: pypsa.Network, year: int) -> list[tuple]:
    record = pd.read_csv(HISTORY / "generation_annual.csv")
    record = record[record.year == year].set_index("carrier")
    g, w = n.c.generators.static, n.snapshot_weightings.generators
    p = n.c.generators.dynamic.p

    def gen(carriers: tuple[str, ...]) -> float:
        if set(carriers) <= set(THERMAL):
            return float(thermal_output(n, carriers)[0].sum(axis=1) @ w) / 1e6
        return float(p.loc[:, g.index[g.carrier.isin(carriers)]].sum(axis=1) @ w) / 1e6

    model = {"thermal": gen(THERMAL), "hydro": float(monthly_hydro(n).sum()), "wind": gen(("wind",)),
             "solar": gen(("solar",))}  # fmt: skip
    rows = []
    for carrier, value in model.items():
        months = int(record.months.get(carrier, 0)) if carrier in record.index else 0
        rec = float(record.twh[carrier]) if carrier in record.index else np.nan
        item = "annual generation" + ("" if months in (0, 12) else f" (record: {months} months only)")
        rows.append(("generation", f"{item}: {carrier}", "year", value, rec, "TWh"))
    return rows


def monthly_demand(n: pypsa.Network) -> np.ndarray:
    """Domestic consumption (loads of carrier ``load``) by record period [TWh], (11,)."""
    loads, w = n.c.loads.static, n.snapshot_weightings.generators
    domestic = n.c.loads.dynamic.p.loc[:, loads.index[loads.carrier == "load"]].sum(axis=1)
    return _record_periods_twh(domestic * w)


def _demand_rows(n: pypsa.Network, year: int) -> list[tuple]:
    """Consumption by record period beside the record (``consumption_monthly.csv``, S2).

    The annual energy of a history year is the record's by construction; these rows show
    whether the seasonal shape is, which sets how tight the winter is.
    """
    try:
        record = recorded_consumption_twh(year).to_numpy()
    except InputError:  # an observed hydrology year outside the consumption record
        record = np.full(len(RECORD_PERIODS), np.nan)
    return _rows("demand", "domestic consumption", RECORD_PERIODS, monthly_demand(n), record, "TWh")


def _peak_rows(n: pypsa.Network, year: int) -> list[tuple]:
    record = pd.read_csv(HISTORY / "peak_load.csv")
    loads = n.c.loads.static
    load = n.c.loads.dynamic.p.loc[:, loads.index[loads.carrier == "load"]].sum(axis=1)
    rec = record[record.year == year].peak_gw
    recorded = float(rec.max()) if len(rec) else np.nan
    return [("peak", "peak domestic load", "year", float(load.max()) / 1e3, recorded, "GW")]


def _dr_rows(n: pypsa.Network, year: int) -> list[tuple]:
    """Demand response called per month [GWh] beside the recorded curtailment rounds."""
    g, w = n.c.generators.static, n.snapshot_weightings.generators
    dr = n.c.generators.dynamic.p.loc[:, g.index[g.carrier == "dr"]].sum(axis=1) * w
    model = dr.groupby(dr.index.month).sum().reindex(range(1, 13), fill_value=0.0) / 1e3
    events = pd.read_csv(HISTORY / "curtailment_events.csv", parse_dates=["start"])
    events = events[events.start.dt.year == year]
    record = pd.Series(0.0, index=range(1, 13))
    for e in events.itertuples():
        record[e.start.month] += e.mw * e.days * 24 / 1e3
    known = not events.empty
    return [("dr", "demand response / ordered curtailment", m, float(model[i + 1]),
             float(record[i + 1]) if known else np.nan, "GWh") for i, m in enumerate(_MONTHS)]  # fmt: skip


def write_hindcast(run_dir: Path) -> tuple[Hindcast, list[Path]]:
    """Compare, then write ``hindcast.csv``, ``hindcast_events.csv`` and ``hindcast.png`` (atomically)."""
    from model.atomic import clean_stale, save_figure, write_text

    run_dir = Path(run_dir)
    h = hindcast(run_dir)
    clean_stale(run_dir)
    csv = write_text(run_dir / "hindcast.csv", h.table.to_csv(index=False))
    events = write_text(run_dir / "hindcast_events.csv", h.events.to_csv(index=False))
    fig = hindcast_figure(h)
    png = save_figure(fig, run_dir / "hindcast.png", dpi=110)
    return h, [csv, events, png]


def hindcast_figure(h: Hindcast):
    """Monthly hydro and thermal, model against record, and the reservoirs' month-end level."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    level = h.table[h.table.section == "level"]
    fig, (a, c, b) = plt.subplots(1, 3, figsize=(15, 3.8))
    for ax, section, what in ((a, "hydro", "hydro"), (c, "thermal", "thermal (coal, gas, biomass)")):
        rows = h.table[h.table.section == section]
        x = np.arange(len(rows))
        ax.bar(x - 0.2, rows.record, 0.4, label="record (S2)", color="#9aa9b8")
        ax.bar(x + 0.2, rows.model, 0.4, label="model", color="#1f5fa8" if section == "hydro" else "#7a4a2a")
        ax.set_xticks(x, [p.replace("_", "+").title() for p in rows.period], fontsize=8)
        ax.set_ylabel("TWh")
        ax.set_title(f"{h.year}: {what} by month", fontsize=10)
        ax.legend(frameon=False, fontsize=8)
    guide = h.table[h.table.section == "guide"]
    months = np.arange(1, 13)
    b.plot(months, level.model, marker="o", color="#1f5fa8", label="model")
    if len(guide) and np.isfinite(guide.model).any():
        b.plot(months, guide.model, ls="--", color="#9aa9b8", label="lower guide curve")
    if np.isfinite(level.record).any():
        b.plot(months, level.record, ls="none", marker="s", color="#c0392b", label="observed (Goupitan, S59)")
    b.legend(frameon=False, fontsize=8)
    b.set_xticks(range(1, 13))
    b.set_ylim(0, 1)
    b.set_ylabel("share of usable energy")
    b.set_title("seasonal reservoirs, month end", fontsize=10)
    fig.tight_layout()
    return fig
