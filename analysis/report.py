"""One self-contained HTML report of a run folder (``gzgrid report RUN_DIR``).

The verdict first, then the plan's targets, the figures (embedded as base64 PNG, so the file
opens offline) and the metrics, labelled in English and Chinese. Reads the run folder only.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from analysis.flows import PROVINCE, REGIONS, SUPPLY, VRE
from analysis.plots import all_figures
from analysis.targets import load_run, target_table
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
}
FIGURES = {
    "fig_dispatch_peak": "Dispatch, week of the annual peak 年最大负荷周出力",
    "fig_dispatch_tightest": "Dispatch, tightest week 最紧张周出力",
    "fig_dispatch_wet": "Dispatch, wet-season week 丰水期周出力",
    "fig_levels": "Storage levels 水库、抽蓄与储氢水平",
    "fig_duration": "Load and net-load duration 负荷与净负荷持续曲线",
    "fig_monthly_mix": "Monthly generation mix 月度发电结构",
    "fig_price_heatmap": "Marginal price by hour and day 边际电价",
}


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
    return pd.DataFrame(
        {
            "storage unit": ds.storage_unit.values,
            "carrier": ds.storage_carrier.values,
            "discharged [MWh]": ds.storage_discharged_mwh.values,
            "cycles": ds.storage_cycles.values,
            "mean charge price [CNY/MWh]": ds.charge_price.values,
            "mean discharge price [CNY/MWh]": ds.discharge_price.values,
        }
    )


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
    shown = targets[["id", "clause", "year", "plan_value", "unit", "run_value", "run_unit", "status", "note"]]
    counts = targets.status.value_counts()
    figures = all_figures(n, run_dir)
    conventions = _esc(ds.attrs.get("conventions", "")).replace("\n- ", "</li><li>").replace("- ", "", 1)
    body = [
        f"<h1>gzgrid run report 运行报告: {_esc(scenario.get('name', run_dir.name))}</h1>",
        f"<p class='note'>{_esc(scenario.get('description', ''))}</p>",
        verdict_html(ds, scenario),
        "<h2>The plan's targets 碳达峰实施方案目标</h2>",
        "<p>" + ", ".join(f"{_esc(k)}: {v}" for k, v in counts.items()) + "</p>",
        _table(shown, left=("id", "clause", "unit", "run_unit", "status", "note")),
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
        "<h3>Storage 储能</h3>",
        _table(_storage_table(ds), left=("storage unit", "carrier")),
        f"<h3>Conventions 口径</h3><ul class='note'><li>{conventions}</li></ul>",
    ]
    text = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>gzgrid report: {_esc(scenario.get('name', ''))}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )
    path = run_dir / REPORT
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
