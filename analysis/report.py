"""One self-contained HTML report of a run folder (``gzgrid report RUN_DIR``).

The verdict first, then the plan's targets, the hindcast against the record (when
``gzgrid hindcast`` has written ``hindcast.csv`` into the folder), the figures (embedded as base64
PNG, so the file opens offline) and the metrics, storage per kind among them, labelled in English
and Chinese. Reads the run folder only.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from analysis.flows import PROVINCE, REGIONS, SUPPLY, VRE
from analysis.hindcast import hydro_checks
from analysis.plots import all_figures
from analysis.shortfalls import CAUSE_DISPLAY, cause_cell
from analysis.storage import KIND_NAMES
from analysis.targets import load_run, target_table
from model.atomic import clean_stale, write_text
from model.register import load_register

REPORT = "report.html"
ZH = {
    "capacity": "装机",
    "generation": "发电量",
    "hours": "利用小时数",
    "curtailment": "弃电率",
    "lol": "失负荷小时数",
    "eue": "缺供电量",
    "dr": "需求响应",
    "margin": "备用裕度",
    "spill": "弃水",
    "export": "黔电送粤",
    "price": "边际电价",
    "co2": "碳排放",
}
CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:1150px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}
td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}
th{background:#f2f2f2} td.l,th.l{text-align:left}
.verdict{padding:1em 1.5em;border-radius:6px;font-size:1.1em}
.ok{background:#e3f4e1;border:2px solid #3a8a3a}.bad{background:#fbe3e3;border:2px solid #b02020}
.met,.honoured{color:#2a7a2a}.missed,.not{color:#b02020;font-weight:bold}.part,.out{color:#777}
img{max-width:100%;margin:.5em 0 1.5em} .note{color:#555;font-size:.9em}
"""
STATUS_CLASS = {
    "met": "met",
    "missed": "missed",
    "input honoured": "honoured",
    "input not honoured": "not",
    "power part only": "part",
    "outside the model": "out",
    "passed": "met",
    "failed": "missed",
}
FIGURES = {
    "fig_dispatch_peak": "Dispatch, week of the annual peak 年最大负荷周出力",
    "fig_dispatch_tightest": "Dispatch, tightest week 最紧张周出力",
    "fig_dispatch_wet": "Dispatch, wet-season week 丰水期周出力",
    "fig_levels": "Storage levels 水库、抽蓄与储氢水平",
    "fig_storage_weeks": "Storage levels in the winter-peak and summer-solar weeks 典型周储能水平",
    "fig_duration": "Load and net-load duration 负荷与净负荷持续曲线",
    "fig_monthly_mix": "Monthly generation mix 月度发电结构",
    "fig_price_heatmap": "Marginal price by hour and day 边际电价",
    "hindcast": "Hindcast: monthly hydro and reservoir level 历史回算：水电月发电量与水库蓄能",
}
#: What ``gzgrid hindcast RUN_DIR`` writes into a run folder.
HINDCAST_CSV, HINDCAST_PNG = "hindcast.csv", "hindcast.png"
HINDCAST_COLUMNS = ("section", "item", "period", "model", "record", "unit")


def _esc(x: object) -> str:
    return html.escape(str(x))


def _num(x: float, digits: int = 3) -> str:
    if x is None or not np.isfinite(x):
        return "–"
    return f"{x:.{digits}g}" if abs(x) < 100 else f"{x:,.0f}"


def _table(df: pd.DataFrame, left: tuple[str, ...] = ()) -> str:
    head = "".join(f'<th class="{"l" if c in left else ""}">{_esc(c)}</th>' for c in df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = []
        for c, v in r.items():
            cls = "l" if c in left else ""
            if c == "status":
                cls += f" {STATUS_CLASS.get(v, '')}"
            text = _num(v) if isinstance(v, float | np.floating) else _esc(v)
            cells.append(f'<td class="{cls}">{text}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def verdict_html(ds: xr.Dataset, scenario: dict) -> str:
    """The verdict box: reliability against the LOLE standard and the reserve margin."""
    p = ds.sel(region=PROVINCE, period="year")
    ok = ds.attrs.get("verdict") == "reliable"
    rm, rm_std = float(ds.reserve_margin.sel(region=PROVINCE)), float(ds.attrs["reserve_margin_standard"])
    when = pd.Timestamp(p.min_margin_time.values).strftime("%d %b %H:00")
    lines = [
        f"Loss-of-load hours 失负荷小时数: <b>{float(p.lol_hours):.0f} h</b> "
        f"(standard {float(ds.attrs['lole_standard_h']):g} h/yr, scaled to {float(ds.attrs['hours']):.0f} h)",
        f"Unserved energy 缺供电量: {_num(float(p.eue_mwh))} MWh ({_num(float(p.neue_ppm))} ppm of demand), "
        f"peak shortfall {_num(float(p.peak_shortfall_mw))} MW in {float(p.shortfall_events):.0f} events, "
        f"longest {float(p.longest_shortfall_h):.0f} h",
        f"Demand response called 需求响应: {_num(float(p.dr_mwh))} MWh in {float(p.dr_hours):.0f} h",
        f"Smallest hourly margin 最小备用裕度: {_num(float(p.min_margin_mw))} MW at {when}; planning reserve "
        f"margin at the annual peak {100 * rm:.0f} % (standard {100 * rm_std:.0f} %: "
        f"{'met' if rm >= rm_std else 'NOT met'})",
    ]
    head = "Reliable 可靠" if ok else "NOT reliable 不可靠"
    caveat = (
        "One weather year and one hydrology class, dispatched with perfect foresight: a deterministic "
        "check, not a probabilistic LOLE (see <code>gzgrid adequacy</code>)."
    )
    return (
        f'<div class="verdict {"ok" if ok else "bad"}"><h2>{head}: {_esc(scenario.get("name", ""))} '
        f"({_esc(scenario.get('year', ''))}, {_esc(scenario.get('hydrology', ''))} hydrology)</h2>"
        f"<ul>{''.join(f'<li>{x}</li>' for x in lines)}</ul><p class='note'>{caveat}</p></div>"
    )


def _carrier_table(ds: xr.Dataset, names_zh: dict[str, str]) -> pd.DataFrame:
    p = ds.sel(region=PROVINCE, period="year")
    curt = ds.curtailment_pct.sel(region=PROVINCE, period="year").to_series().reindex(list(VRE))
    return pd.DataFrame(
        {
            "carrier": [f"{c} {names_zh.get(c, '')}" for c in SUPPLY],
            f"capacity {ZH['capacity']} [GW]": p.capacity_mw.to_series().to_numpy() / 1e3,
            f"generation {ZH['generation']} [TWh]": p.generation_twh.to_series().to_numpy(),
            f"utilisation {ZH['hours']} [h]": p.utilisation_hours.to_series().to_numpy(),
            "capacity factor [%]": 100 * p.capacity_factor.to_series().to_numpy(),
            f"curtailment {ZH['curtailment']} [%]": [curt.get(c, np.nan) for c in SUPPLY],
        }
    )


def _region_table(ds: xr.Dataset, names_zh: dict[str, str]) -> pd.DataFrame:
    y = ds.sel(period="year")
    return pd.DataFrame(
        {
            "region": [f"{r} {names_zh.get(r, '全省')}" for r in REGIONS],
            "demand [TWh]": y.demand_twh.values,
            "peak load [MW]": y.peak_load_mw.values,
            f"{ZH['lol']} [h]": y.lol_hours.values,
            f"{ZH['eue']} EUE [MWh]": y.eue_mwh.values,
            f"{ZH['dr']} DR [MWh]": y.dr_mwh.values,
            "min margin [MW]": y.min_margin_mw.values,
            "reserve margin at peak [%]": 100 * ds.reserve_margin.values,
            f"{ZH['co2']} CO2 [Mt]": y.co2_mt.values,
            "non-fossil share of generation [%]": 100 * y.nonfossil_share_generation.values,
            f"{ZH['price']} mean [CNY/MWh]": y.price_mean.values,
        }
    )


def _monthly_table(ds: xr.Dataset) -> pd.DataFrame:
    m = ds.sel(region=PROVINCE).isel(period=slice(1, None))
    return pd.DataFrame(
        {
            "month": m.period.values,
            "demand [TWh]": m.demand_twh.values,
            f"{ZH['lol']} [h]": m.lol_hours.values,
            "EUE [MWh]": m.eue_mwh.values,
            "DR [MWh]": m.dr_mwh.values,
            "min margin [MW]": m.min_margin_mw.values,
            f"wind+solar+ror {ZH['curtailment']} [%]": 100
            * m.curtailment_mwh.sum("vre").values
            / np.where(m.vre_offered_mwh.sum("vre").values > 0, m.vre_offered_mwh.sum("vre").values, np.nan),
            f"hydro {ZH['spill']} [MWh]": m.hydro_spill_mwh.values,
            f"{ZH['export']} delivered [TWh]": ds.export_delivered_twh.isel(period=slice(1, None)).values,
            "export RE share [%]": 100 * m.export_re_share.values,
            "mean price [CNY/MWh]": m.price_mean.values,
        }
    )


def _storage_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per storage unit; the columns a ``metrics.nc`` of an older gzgrid lacks are left out."""
    columns = {
        "discharged [MWh]": "storage_discharged_mwh",
        "charged [MWh]": "storage_charged_mwh",
        "cycles": "storage_cycles",
        "full-load hours [h]": "storage_full_load_hours",
        "value [million CNY]": "storage_value_cny",
        "curtailment avoided [MWh]": "storage_curtailment_avoided_mwh",
        "mean charge price [CNY/MWh]": "charge_price",
        "mean discharge price [CNY/MWh]": "discharge_price",
    }
    out = {"storage unit": ds.storage_unit.values, "carrier": ds.storage_carrier.values}
    for label, var in columns.items():
        if var in ds:
            out[label] = ds[var].values / (1e6 if var.endswith("_cny") else 1.0)
    return pd.DataFrame(out)


def _storage_kind_table(ds: xr.Dataset) -> pd.DataFrame:
    """The year's storage figures per kind (:mod:`analysis.storage`)."""
    y = ds.sel(period="year")
    kinds = [str(k) for k in ds.storage_kind.values]
    return pd.DataFrame(
        {
            "kind": [KIND_NAMES.get(k, k) for k in kinds],
            "power [MW]": ds.storage_kind_power_mw.values,
            "energy [MWh]": ds.storage_kind_energy_mwh.values,
            "full cycles 等效循环次数": y.storage_kind_cycles.values,
            "full-load hours 等效利用小时数 [h]": y.storage_kind_full_load_hours.values,
            "discharged 放电量 [MWh]": y.storage_kind_discharged_mwh.values,
            "charged 充电量 [MWh]": y.storage_kind_charged_mwh.values,
            "value at model prices [million CNY]": y.storage_kind_value_cny.values / 1e6,
            "curtailment avoided 消纳弃电 [MWh]": y.storage_kind_curtailment_avoided_mwh.values,
        }
    )


def _storage_monthly_table(ds: xr.Dataset) -> pd.DataFrame:
    """Full cycles and curtailment avoided per kind and month."""
    m = ds.isel(period=slice(1, None))
    cycles, avoided = m.storage_kind_cycles, m.storage_kind_curtailment_avoided_mwh
    out = {"month": m.period.values}
    out.update({f"{k} cycles": cycles.sel(storage_kind=k).values for k in ds.storage_kind.values})
    out.update(
        {f"{k} curtailment avoided [MWh]": avoided.sel(storage_kind=k).values for k in ds.storage_kind.values}
    )
    return pd.DataFrame(out)


def storage_html(ds: xr.Dataset) -> str:
    """The storage section: per kind (year and by month) and per unit."""
    parts = ["<h3>Storage 储能</h3>"]
    if "storage_kind_cycles" in ds:
        parts += [
            _table(_storage_kind_table(ds), left=("kind",)),
            "<p class='note'>Hydrogen: charged is the electrolysers' electricity, hydrogen for H2 demand "
            "included, so its value at model prices counts that electricity as a cost and the hydrogen "
            "sold as nothing. Curtailment avoided is an attribution (charging while the province "
            "curtailed, capped at that hour's curtailment), not a re-run without storage; see the "
            "conventions below.</p>",
            "<h4>By month 分月</h4>",
            _table(_storage_monthly_table(ds), left=("month",)),
        ]
    else:
        parts.append(
            "<p class='note'>This run's metrics.nc predates the per-kind storage figures; run the "
            "scenario again to get them.</p>"
        )
    parts += ["<h4>By unit 分机组</h4>", _table(_storage_table(ds), left=("storage unit", "carrier"))]
    return "".join(parts)


def targets_html(targets: pd.DataFrame, scenario: dict) -> str:
    """The plan's targets section; a note for a year the plan sets none for (a history run)."""
    head = "<h2>The plan's targets 碳达峰实施方案目标</h2>"
    if targets.empty:
        return f"{head}<p class='note'>The plan sets no targets for {_esc(scenario.get('year', ''))}.</p>"
    shown = targets[["id", "clause", "year", "plan_value", "unit", "run_value", "run_unit", "status", "note"]]
    counts = targets.status.value_counts()
    return "".join(
        [
            head,
            "<p>" + ", ".join(f"{_esc(k)}: {v}" for k, v in counts.items()) + "</p>",
            _table(shown, left=("id", "clause", "unit", "run_unit", "status", "note")),
        ]
    )


def hindcast_html(run_dir: Path) -> str:
    """The "Hindcast 历史回算" section from ``gzgrid hindcast``'s files; empty without ``hindcast.csv``.

    Shows the checks (recomputed from the table with :func:`analysis.hindcast.hydro_checks`), the
    monthly hydro of model and record, and ``hindcast.png`` if present. A damaged table gives a
    note instead of the tables, so the rest of the report is still written.
    """
    path = run_dir / HINDCAST_CSV
    if not path.is_file():
        return ""
    head = "<h2>Hindcast 历史回算</h2>"
    try:
        hydro, checks = _hindcast_tables(path)
    except (OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        why = _esc(f"{type(exc).__name__}: {exc}"[:200])
        return (
            f"{head}<p class='note'>{_esc(path.name)} cannot be read ({why}); run 'gzgrid hindcast "
            f"{_esc(run_dir)}' again.</p>"
        )
    png = run_dir / HINDCAST_PNG
    return "".join(
        [
            head,
            "<p class='note'>This run set against the provincial record (<code>gzgrid hindcast</code>).</p>",
            "<h3>Checks 检验</h3>",
            _table(checks, left=("check", "target", "status")),
            "<h3>Monthly hydro, model and record 水电月发电量 [TWh]</h3>",
            _table(hydro, left=("period",)),
            _img(png) if png.is_file() else "",
        ]
    )


def _hindcast_tables(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The monthly hydro table and the checks of a ``hindcast.csv``."""
    table = pd.read_csv(path)
    missing = [c for c in HINDCAST_COLUMNS if c not in table.columns]
    if missing:
        raise KeyError(f"no column {missing[0]}")
    hydro = table[table.section == "hydro"]
    level = table[table.section == "level"]
    if len(hydro) != 11 or len(level) != 12:
        raise ValueError(f"{len(hydro)} hydro and {len(level)} level rows, not 11 and 12")
    model, record = hydro.model.to_numpy(float), hydro.record.to_numpy(float)
    checks = hydro_checks(model, record, level.model.to_numpy(float))
    checks["status"] = np.where(checks.pop("passed").astype(bool), "passed", "failed")
    monthly = pd.DataFrame(
        {
            "period": [str(p).replace("_", "+").title() for p in hydro.period],
            "model [TWh]": model,
            "record [TWh]": record,
            "model / record - 1 [%]": 100 * (model / np.where(record > 0, record, np.nan) - 1),
        }
    )
    return monthly, checks


#: What the causes table means.
CAUSE_NOTE = (
    "Each event is a run of hours with demand response or unserved energy. Hydro: the reservoirs' "
    "energy as a share of its normal level; coal: capacity lost by cause over the event (maintenance, "
    "forced outages, supply spells, coal quality, a stockpile at its floor); load against the normal "
    "of the season."
)


def causes_html(run_dir: Path) -> str:
    """The "Shortfalls and their causes" section from ``summary.json``'s ``shortfall_causes``."""
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    records = summary.get("shortfall_causes", [])
    head = "<h2>Shortfalls and their causes 缺电及其原因</h2>"
    if not records:
        return head + "<p class='note'>No demand response and no loss of load in the run.</p>"
    rows = [{name: cause_cell(r.get(key), scale, fmt) for key, _, name, scale, fmt in CAUSE_DISPLAY}
            for r in records]  # fmt: skip
    return head + _table(pd.DataFrame(rows), left=("start",)) + f"<p class='note'>{CAUSE_NOTE}</p>"


def _policy_lines(ds: xr.Dataset) -> str:
    y = ds.sel(region=PROVINCE, period="year")
    items = [
        (
            "Coal share of capacity 煤电装机占比",
            100 * float(ds.coal_share_capacity.sel(region=PROVINCE)),
            "%",
        ),
        ("Coal share of generation 煤电发电占比", 100 * float(y.coal_share_generation), "%"),
        ("Non-fossil share of generation 非化石发电占比", 100 * float(y.nonfossil_share_generation), "%"),
        ("Non-fossil share of consumption 非化石用电占比", 100 * float(y.nonfossil_share_consumption), "%"),
        ("CO2 碳排放", float(y.co2_mt), "Mt"),
        ("CO2 intensity 排放强度", float(y.co2_t_per_mwh), "t/MWh"),
        ("Exports delivered 黔电送粤", float(ds.export_delivered_twh.sel(period="year")), "TWh"),
        ("Export obligation 送电计划", float(ds.export_obligation_twh.sel(period="year")), "TWh"),
        ("Renewable share of exports 外送可再生占比", 100 * float(y.export_re_share), "%"),
        ("  same, province-pool attribution", 100 * float(y.export_re_share_pool), "%"),
        ("Hydro spill 弃水", float(y.hydro_spill_mwh), "MWh"),
    ]
    return "<ul>" + "".join(f"<li>{_esc(k)}: <b>{_num(v)}</b> {u}</li>" for k, v, u in items) + "</ul>"


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    title = FIGURES.get(path.stem, path.stem)
    return f'<h3>{_esc(title)}</h3><img alt="{_esc(title)}" src="data:image/png;base64,{data}">'


def write_report(run_dir: Path) -> Path:
    """Write ``report.html`` into a run folder (figures saved beside it and embedded); its path.

    Parameters
    ----------
    run_dir : Path
        A run folder with ``scenario.yaml`` and ``network.nc`` (``metrics.nc`` used if present).
    """
    run_dir = Path(run_dir)
    scenario, n, ds = load_run(run_dir)
    register = load_register()
    bus_zh = dict(zip(register.buses.id, register.buses.name_zh, strict=True))
    carrier_zh = dict(zip(register.carriers.carrier, register.carriers.name_zh, strict=True))
    carrier_zh["fuel_cell"] = "燃料电池"
    targets = target_table(run_dir)
    figures = all_figures(n, run_dir)
    conventions = _esc(ds.attrs.get("conventions", "")).replace("\n- ", "</li><li>").replace("- ", "", 1)
    body = [
        f"<h1>gzgrid run report 运行报告: {_esc(scenario.get('name', run_dir.name))}</h1>",
        f"<p class='note'>{_esc(scenario.get('description', ''))}</p>",
        verdict_html(ds, scenario),
        causes_html(run_dir),
        targets_html(targets, scenario),
        hindcast_html(run_dir),
        "<h2>Figures 图表</h2>",
        *[_img(p) for p in figures],
        "<h2>Metrics 指标</h2><h3>Policy 政策指标</h3>",
        _policy_lines(ds),
        "<h3>By carrier 分电源 ("
        + ", ".join(ZH[k] for k in ("capacity", "generation", "hours", "curtailment"))
        + ")</h3>",
        _table(_carrier_table(ds, carrier_zh), left=("carrier",)),
        "<h3>By prefecture 分地区</h3>",
        _table(_region_table(ds, bus_zh), left=("region",)),
        "<h3>By month 分月 (province 全省)</h3>",
        _table(_monthly_table(ds), left=("month",)),
        storage_html(ds),
        f"<h3>Conventions 口径</h3><ul class='note'><li>{conventions}</li></ul>",
    ]
    text = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>gzgrid report: {_esc(scenario.get('name', ''))}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )
    clean_stale(run_dir)  # temporaries of an earlier, killed report
    return write_text(run_dir / REPORT, text)
