"""Figures of a solved gzgrid network, saved as PNG into the run folder (matplotlib, Agg backend).

Every function takes a solved network and a folder and returns the path it saved. Flows come
from :func:`analysis.metrics.hourly_flows` (province totals); colours from the network's
carriers (``data/network/carriers.csv``). Labels are in English: the machine's matplotlib has
no CJK font, so the Chinese terms are in the HTML report around the figures.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pypsa

from analysis.figure_file import save_png
from analysis.flows import PROVINCE, STORAGE_CARRIERS, SUPPLY, VRE, hourly_flows, margin
from analysis.storage import storage_levels

#: Colours of flows that are not carriers of the register.
EXTRA_COLOURS = {"fuel_cell": "#8ad0f0", "electrolysis": "#8ad0f0", "curtailed": "#f7e08a"}
WEEK = 168


def _colour(n: pypsa.Network, key: str) -> str:
    c = n.c.carriers.static
    col = c.color.get(key, "") if "color" in c else ""
    return col or EXTRA_COLOURS.get(key, "#999999")


def _label(n: pypsa.Network, key: str) -> str:
    c = n.c.carriers.static
    nice = c.nice_name.get(key, "") if "nice_name" in c else ""
    return nice or key.replace("_", " ")


def _province(flows: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.DataFrame({k: v[PROVINCE] for k, v in flows.items()})


def _window(centre: int, hours: int) -> slice:
    start = int(np.clip(centre - WEEK // 2, 0, max(hours - WEEK, 0)))
    return slice(start, start + WEEK)


def dispatch_weeks(n: pypsa.Network) -> dict[str, slice]:
    """Positions of three weeks to show: annual peak, tightest hour, wet-season hydro peak."""
    p = _province(hourly_flows(n))
    hours = len(p)
    shed = p["load_shedding"].to_numpy()
    tight = int(shed.argmax()) if shed.max() > 0.1 else int(margin(n)[PROVINCE].to_numpy().argmin())
    water = (p["hydro"] + p["ror"]).rolling(WEEK, center=True, min_periods=1).mean()
    summer = np.asarray(p.index.month.isin([6, 7, 8]))
    wet = water.where(summer if summer.any() else np.ones(hours, dtype=bool))
    return {
        "peak": _window(int(p["load"].to_numpy().argmax()), hours),
        "tightest": _window(tight, hours),
        "wet": _window(int(np.nanargmax(wet.to_numpy())), hours),
    }


def plot_dispatch(n: pypsa.Network, week: slice, title: str, path: Path) -> Path:
    """Provincial dispatch stack for one week [GW]: supply above zero, charging and exports below,
    curtailment hatched on top, domestic load as a line."""
    p = _province(hourly_flows(n)).iloc[week] / 1e3
    fig, ax = plt.subplots(figsize=(11, 4.6))
    pos = [c for c in (*SUPPLY, "dr", "load_shedding") if p[c].max() > 1e-3]
    neg = [c for c in ("phs_charge", "battery_charge", "electrolysis", "export") if p[c].max() > 1e-3]
    x = p.index
    base = np.zeros(len(p))
    for c in pos:
        ax.fill_between(x, base, base + p[c], step="mid", color=_colour(n, c), label=_label(n, c), lw=0)
        base = base + p[c].to_numpy()
    curt = sum(p[f"{c}_curtailed"] for c in VRE)
    if curt.max() > 1e-3:
        ax.fill_between(x, base, base + curt, step="mid", facecolor="none", edgecolor="#c9a800",
                        hatch="///", lw=0, label="curtailed wind, solar, ror")  # fmt: skip
    low = np.zeros(len(p))
    for c in neg:
        key = c.removesuffix("_charge")
        ax.fill_between(x, low, low - p[c], step="mid", color=_colour(n, key), alpha=0.6 if key != c else 1,
                        lw=0, label=f"{_label(n, key)} charging" if key != c else _label(n, c))  # fmt: skip
        low = low - p[c].to_numpy()
    ax.plot(x, p["load"], color="black", lw=1.4, label="domestic load")
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_ylabel("GW")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax.margins(x=0)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    return save_png(fig, path)


def plot_levels(n: pypsa.Network, path: Path) -> Path:
    """Storage levels over the year [% of capacity]: reservoirs, pumped hydro and hydrogen."""
    st, e = n.c.stores.static, n.c.stores.dynamic.e
    su, soc = n.c.storage_units.static, n.c.storage_units.dynamic.state_of_charge
    fig, axes = plt.subplots(3, 1, figsize=(11, 8.5), sharex=True)
    res = st.index[st.carrier == "hydro_reservoir"]
    big = st.e_nom[res].sort_values(ascending=False).index[:8]
    for i in big:
        axes[0].plot(e.index, 100 * e[i] / st.e_nom[i], lw=0.9, label=i.removesuffix(" reservoir"))
    total = 100 * e[res].sum(axis=1) / max(st.e_nom[res].sum(), 1e-9)
    axes[0].plot(e.index, total, color="black", lw=2, label="all reservoirs (energy-weighted)")
    axes[0].set_title("Reservoir levels (8 largest reservoirs and the total)")
    phs = su.index[su.carrier == "phs"]
    for i in phs:
        axes[1].plot(soc.index, 100 * soc[i] / (su.p_nom[i] * su.max_hours[i]), lw=0.7, label=i)
    axes[1].set_title("Pumped-hydro state of charge")
    h2 = st.index[st.carrier == "H2"]
    for i in h2:
        axes[2].plot(e.index, 100 * e[i] / st.e_nom[i], lw=0.7, label=i)
    axes[2].set_title("Hydrogen store level")
    for ax in axes:
        ax.set_ylabel("% of capacity")
        ax.set_ylim(-3, 103)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
        else:
            ax.text(0.5, 0.5, "none in this run", transform=ax.transAxes, ha="center", color="grey")
        ax.margins(x=0)
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%b"))
    return save_png(fig, path)


#: Lines of the storage-week figure: level column, colour key, line style, label. The reservoirs
#: are dashed: their colour is close to pumped hydro's.
LEVEL_LINES = (
    ("phs", "phs", "-", "pumped hydro"),
    ("battery", "battery", "-", "batteries"),
    ("h2", "H2", "-", "hydrogen stores"),
    ("hydro_reservoirs", "hydro", "--", "seasonal hydro reservoirs (total)"),
)


def storage_weeks(n: pypsa.Network) -> dict[str, tuple[slice, str]]:
    """The two weeks the storage figure shows, as (positions, title).

    ``winter``: the week around the annual peak load; ``summer``: the week, centred in July or
    August, with the most solar output (in the whole horizon if it has no July or August).
    """
    p = _province(hourly_flows(n))
    solar = p["solar"].rolling(WEEK, center=True, min_periods=1).mean()
    summer = np.asarray(p.index.month.isin([7, 8]))
    return {
        "winter": (_window(int(p["load"].to_numpy().argmax()), len(p)), "Week of the annual peak load"),
        "summer": (
            _window(int(np.nanargmax(solar.where(summer) if summer.any() else solar)), len(p)),
            "July/August week with the most solar" if summer.any() else "Week with the most solar",
        ),
    }


def plot_storage_weeks(n: pypsa.Network, path: Path) -> Path:
    """Storage levels [% of energy capacity] by kind in the winter-peak and the summer-solar week.

    Each kind's units are summed (energy stored over energy capacity); the seasonal hydro
    reservoirs are their total. Kinds without capacity are named in the title.
    """
    levels = 100 * storage_levels(n)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
    for ax, (week, title) in zip(axes, storage_weeks(n).values(), strict=True):
        part = levels.iloc[week]
        for column, colour, style, label in LEVEL_LINES:
            if part[column].notna().any():
                ax.plot(part.index, part[column], style, color=_colour(n, colour), lw=1.6, label=label)
        ax.set_title(f"{title}, from {part.index[0]:%d %b}")
        ax.set_ylim(-3, 103)
        ax.margins(x=0)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes[0].set_ylabel("% of energy capacity")
    absent = [label for column, *_, label in LEVEL_LINES if levels[column].isna().all()]
    if absent:
        fig.suptitle(f"Not in this run: {', '.join(absent)}", fontsize=9, color="grey")
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        axes[1].legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return save_png(fig, path)


def plot_duration(n: pypsa.Network, path: Path) -> Path:
    """Load and net-load duration curves [GW] (net load = load minus offered wind, solar, ror)."""
    p = _province(hourly_flows(n)) / 1e3
    curves = {
        "domestic load": p["load"],
        "domestic load + exports": p["load"] + p["export"],
        "net load (minus offered wind, solar, ror)": p["load"] - sum(p[f"{c}_offered"] for c in VRE),
    }
    fig, ax = plt.subplots(figsize=(9, 4.5))
    hours = np.arange(1, len(p) + 1)
    for (label, s), style in zip(curves.items(), ("-", "--", "-"), strict=True):
        ax.plot(hours, np.sort(s.to_numpy())[::-1], style, lw=1.5, label=label)
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_xlabel("hours of the year, sorted")
    ax.set_ylabel("GW")
    ax.set_title("Load and net-load duration curves")
    ax.legend(frameon=False)
    ax.margins(x=0)
    return save_png(fig, path)


def plot_monthly_mix(n: pypsa.Network, path: Path) -> Path:
    """Monthly generation by carrier [TWh] with domestic demand and exports as markers."""
    p = _province(hourly_flows(n)).mul(n.snapshot_weightings.generators, axis=0)
    monthly = p.groupby(p.index.month).sum() / 1e6
    fig, ax = plt.subplots(figsize=(10, 4.6))
    bottom = np.zeros(len(monthly))
    for c in (*[c for c in SUPPLY if c not in STORAGE_CARRIERS], "dr", "load_shedding"):
        if monthly[c].max() > 1e-4:
            ax.bar(monthly.index, monthly[c], bottom=bottom, color=_colour(n, c), label=_label(n, c))
            bottom = bottom + monthly[c].to_numpy()
    ax.plot(monthly.index, monthly["load"], "k_", ms=28, mew=2, label="domestic demand")
    ax.plot(monthly.index, monthly["load"] + monthly["export"], "k_", ms=28, mew=1, alpha=0.5,
            label="demand + exports sent")  # fmt: skip
    ax.set_xticks(range(1, 13), ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"])
    ax.set_ylabel("TWh")
    ax.set_title("Monthly generation mix")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return save_png(fig, path)


def plot_price_heatmap(n: pypsa.Network, path: Path) -> Path:
    """Load-weighted provincial marginal price by hour of day and day of year [CNY/MWh]."""
    flows = hourly_flows(n)
    load = flows["load"].drop(columns=PROVINCE)
    price = n.c.buses.dynamic.marginal_price.reindex(columns=load.columns)
    avg = (price * load).sum(axis=1) / load.sum(axis=1).replace(0, np.nan)
    grid = avg.groupby([avg.index.hour, avg.index.normalize()]).mean().unstack()
    lo, vmax = np.nanpercentile(avg, [1, 99]) if avg.notna().any() else (0.0, 1.0)
    vmax = max(float(vmax), float(lo) + 1.0)
    fig, ax = plt.subplots(figsize=(11, 3.8))
    days = grid.columns
    im = ax.pcolormesh(np.arange(len(days) + 1), np.arange(25), grid.to_numpy(), cmap="viridis",
                       vmin=lo, vmax=vmax, shading="flat")  # fmt: skip
    ticks = [i for i, d in enumerate(days) if d.day == 1]
    ax.set_xticks(ticks, [days[i].strftime("%b") for i in ticks])
    ax.set_yticks([0, 6, 12, 18, 24])
    ax.set_ylabel("hour of day")
    ax.set_title(
        f"Marginal price, load-weighted over prefectures (colours span the 1st-99th percentile;"
        f" range {avg.min():,.0f} to {avg.max():,.0f})"
    )
    fig.colorbar(im, ax=ax, label="CNY/MWh", extend="both")
    return save_png(fig, path)


def all_figures(n: pypsa.Network, run_dir: Path) -> list[Path]:
    """Every figure of a solved network, saved into ``run_dir`` (``fig_*.png``); their paths."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    titles = {
        "peak": "Dispatch in the week of the annual peak load",
        "tightest": "Dispatch in the tightest week (largest shortfall, else smallest margin)",
        "wet": "Dispatch in a wet-season week (most hydro output, Jun-Aug)",
    }
    paths = []
    for key, week in dispatch_weeks(n).items():
        start = n.snapshots[week][0].strftime("%d %b")
        paths.append(
            plot_dispatch(n, week, f"{titles[key]}, from {start}", run_dir / f"fig_dispatch_{key}.png")
        )
    paths.append(plot_levels(n, run_dir / "fig_levels.png"))
    paths.append(plot_storage_weeks(n, run_dir / "fig_storage_weeks.png"))
    paths.append(plot_duration(n, run_dir / "fig_duration.png"))
    paths.append(plot_monthly_mix(n, run_dir / "fig_monthly_mix.png"))
    paths.append(plot_price_heatmap(n, run_dir / "fig_price_heatmap.png"))
    return paths
