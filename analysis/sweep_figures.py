"""Figures of a storage sweep, drawn from ``sweep.nc`` alone (matplotlib, Agg backend).

The sweep's axes fall in two groups: *storage* axes (those with an investment cost in the sweep
file's ``figures.storage_cost_cny``) and *conditions* (every other axis, e.g. the available coal
capacity). LOLE is judged as an expectation: the mean over weather years of each case's
loss-of-load hours, against the standard scaled to the dispatched horizon (``lole_standard_h``).

- ``sweep_lole.png``, ``sweep_eue.png``: heatmaps over the two heatmap axes, one column per
  hydrology class (and one row per value of any further axis, at most :data:`MAX_ROWS`).
- ``sweep_frontier.png``: storage investment cost against expected unserved energy, the
  cheapest-for-its-reliability (Pareto) cases joined, per hydrology class and condition.
- ``sweep_smallest_storage.png`` and ``smallest_storage.csv``: the cheapest storage that meets
  the standard for each hydrology class (and condition).
- ``sweep_smallest_<axis>.png`` and ``smallest_<axis>.csv`` (with ``figures.smallest``): the
  smallest value of that axis (e.g. the coal fleet) that meets the standard, per hydrology and
  the other axes, and LOLE against the axis; also the smallest that meets it with the export
  obligation delivered whole (exports are cut before domestic load, so LOLE alone is lenient).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.colors import SymLogNorm

from analysis.figure_file import save_png
from model.atomic import write_with
from model.reliability import RELIABLE, verdict

#: Most rows of heatmap panels (values of the axes not on the heatmap).
MAX_ROWS = 4
#: Colours of the hydrology classes, wet to extreme dry.
HYDRO_COLOURS = {"wet": "#2c7bb6", "normal": "#4daf4a", "dry": "#fdae61", "extreme_dry": "#d7191c"}
SAMPLE_DIMS = ("weather_year", "hydrology")
#: Largest expected export cut of a case that delivers the export obligation whole [MWh]
#: (a GWh of the ~50 TWh a year: solver tolerance, not a decision to cut).
EXPORTS_WHOLE_MWH = 1_000.0


def load(path: Path) -> xr.Dataset:
    """``sweep.nc``, loaded into memory (the file is closed again)."""
    with xr.open_dataset(path) as ds:
        return ds.load()


def _axes(ds: xr.Dataset) -> tuple[list[str], list[str], dict[str, float]]:
    """(storage axes, condition axes, cost per unit of each storage axis [CNY])."""
    costs = json.loads(ds.attrs.get("storage_cost_cny", "{}"))
    axes = [d for d in ds.lole_h.dims if d not in SAMPLE_DIMS]
    return [a for a in axes if a in costs], [a for a in axes if a not in costs], costs


def expectation(ds: xr.Dataset) -> xr.Dataset:
    """Metrics averaged over weather years (NaN where any year is missing or failed)."""
    return ds[[v for v in ds.data_vars if ds[v].dtype.kind == "f"]].mean("weather_year", skipna=False)


def storage_cost(ds: xr.Dataset) -> xr.DataArray:
    """Investment cost of each case's storage [CNY]: sum over storage axes of value x unit cost."""
    storage, _, costs = _axes(ds)
    total = xr.zeros_like(ds.lole_h.isel(weather_year=0, hydrology=0, drop=True))
    for a in storage:
        total = total + ds[a] * costs[a]
    return total


def smallest_storage(path: Path) -> pd.DataFrame:
    """The cheapest storage combination meeting the LOLE standard, per hydrology and condition.

    Returns
    -------
    pandas.DataFrame
        Columns: ``hydrology``, the condition axes, the storage axes (NaN where no case meets
        the standard), ``storage_cost_bn_cny`` [1e9 CNY], ``lole_h`` [h] and ``eue_mwh`` [MWh]
        (means over weather years). Empty without storage axes.
    """
    ds = load(path)
    storage, conditions, _ = _axes(ds)
    if not storage:
        return pd.DataFrame()
    mean = expectation(ds)
    mean["storage_cost"] = storage_cost(ds)
    frame = mean[["lole_h", "eue_mwh", "storage_cost"]].to_dataframe().reset_index()
    meets = frame[meets_standard(frame.lole_h, ds)]
    rows = []
    for group, _ in frame.groupby(["hydrology", *conditions], sort=False):
        key = dict(zip(["hydrology", *conditions], group, strict=True))
        sel = meets.loc[(meets[list(key)] == pd.Series(key)).all(axis=1)]
        row = dict(key)
        if len(sel):
            best = sel.sort_values(["storage_cost", "eue_mwh", *storage]).iloc[0]
            row.update({a: float(best[a]) for a in storage})
            row.update(storage_cost_bn_cny=best.storage_cost / 1e9, lole_h=best.lole_h, eue_mwh=best.eue_mwh)
        else:
            row.update({a: np.nan for a in storage})
            row.update(storage_cost_bn_cny=np.nan, lole_h=np.nan, eue_mwh=np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def meets_standard(lole_h: pd.Series, ds: xr.Dataset) -> pd.Series:
    """Which expected LOLEs [h] meet the sweep's standard (already scaled to its horizon)."""
    standard = float(ds.attrs["lole_standard_h"])
    return lole_h.map(lambda x: x == x and verdict(x, standard) == RELIABLE).astype(bool)


def smallest_value(path: Path) -> pd.DataFrame:
    """The smallest value of ``figures.smallest`` meeting the standard, per group of the other axes.

    Domestic LOLE alone is a lenient judge: exports are cut before domestic load, so a system
    short of capacity first fails Guangdong. When the sweep kept ``export_cut_mwh``, the table
    also gives the smallest value that meets the standard *and* delivers the export obligation
    whole (an expected cut of at most :data:`EXPORTS_WHOLE_MWH`).

    Returns
    -------
    pandas.DataFrame
        Columns: ``hydrology``, the other axes, the axis (NaN where no value meets the standard),
        the expected ``lole_h`` [h], ``eue_mwh`` [MWh] and ``export_cut_gwh`` [GWh] there, and
        ``<axis>_exports_whole``. Empty without ``figures.smallest``.
    """
    ds = load(path)
    axis = ds.attrs.get("smallest_axis", "")
    if not axis:
        return pd.DataFrame()
    others = [d for d in ds.lole_h.dims if d not in (*SAMPLE_DIMS, axis)]
    frame = expectation(ds)[[v for v in ("lole_h", "eue_mwh", "export_cut_mwh") if v in ds]]
    frame = frame.to_dataframe().reset_index()
    cuts = "export_cut_mwh" in frame
    frame["meets"] = meets_standard(frame.lole_h, ds)
    rows = []
    for key, group in frame.groupby(["hydrology", *others], sort=False):
        row = dict(zip(["hydrology", *others], key if isinstance(key, tuple) else (key,), strict=True))
        ok = group[group.meets].sort_values(axis)
        best = ok.iloc[0] if len(ok) else None
        row[axis] = float(best[axis]) if best is not None else np.nan
        row["lole_h"] = float(best.lole_h) if best is not None else np.nan
        row["eue_mwh"] = float(best.eue_mwh) if best is not None else np.nan
        if cuts:
            row["export_cut_gwh"] = float(best.export_cut_mwh) / 1e3 if best is not None else np.nan
            whole = ok[ok.export_cut_mwh <= EXPORTS_WHOLE_MWH]
            row[f"{axis}_exports_whole"] = float(whole[axis].iloc[0]) if len(whole) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def smallest_value_figure(ds: xr.Dataset, path: Path) -> Path:
    """Expected LOLE (and the export cut, when kept) against the ``figures.smallest`` axis,
    one line per hydrology and group."""
    axis = ds.attrs["smallest_axis"]
    others = [d for d in ds.lole_h.dims if d not in (*SAMPLE_DIMS, axis)]
    mean = expectation(ds)
    panels = [("lole_h", "LOLE [h], mean over weather years", 1.0)]
    if "export_cut_mwh" in mean:
        panels.append(("export_cut_mwh", "export obligation cut [TWh]", 1e-6))
    fig, axs = plt.subplots(1, len(panels), figsize=(7.5 * len(panels), 4.2), squeeze=False)
    for ax, (metric, ylabel, scale) in zip(axs[0], panels, strict=True):
        values = mean[metric] * scale
        for h in values.hydrology.values:
            sub = values.sel(hydrology=h)
            groups = list(itertools.product(*(sub[o].values for o in others))) or [()]
            for combo in groups:
                line = sub.sel(dict(zip(others, combo, strict=True))) if others else sub
                label = str(h) + (f" ({_condition_label(others, combo)})" if others else "")
                colour = HYDRO_COLOURS.get(str(h), "#555555")
                ax.plot(line[axis].values, line.values, "-o", color=colour, label=label)
        if metric == "lole_h":
            ax.axhline(float(ds.attrs["lole_standard_h"]), color="#333333", ls="--", lw=1, label="standard")
            ax.set_yscale("symlog", linthresh=1.0)
        ax.set_xlabel(axis)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axs[0][0].set_title(f"{ds.attrs['sweep']}: loss of load against {axis}", fontsize=10)
    if len(panels) > 1:
        axs[0][1].set_title("exports are cut before domestic load", fontsize=10)
    return save_png(fig, path)


def write_figures(path: Path, folder: Path) -> list[Path]:
    """Draw every sweep figure into ``folder``; write ``smallest_storage.csv``; return the paths."""
    folder = Path(folder)
    ds = load(path)
    storage, conditions, _ = _axes(ds)
    out = []
    if storage or conditions:  # a sweep over weather and hydrology alone has nothing to map
        out += [heatmap(ds, m, folder / f"sweep_{m.split('_')[0]}.png") for m in ("lole_h", "eue_mwh")]
    if storage:
        out.append(frontier(ds, folder / "sweep_frontier.png"))
        table = smallest_storage(path)
        out.append(smallest_storage_figure(ds, table, folder / "sweep_smallest_storage.png"))
        csv = folder / "smallest_storage.csv"
        out.append(write_with(csv, lambda tmp: table.to_csv(tmp, index=False)))
    axis = ds.attrs.get("smallest_axis", "")
    if axis:
        out.append(smallest_value_figure(ds, folder / f"sweep_smallest_{axis}.png"))
        answer = smallest_value(path)
        out.append(write_with(folder / f"smallest_{axis}.csv", lambda tmp: answer.to_csv(tmp, index=False)))
    return out


def heatmap(ds: xr.Dataset, metric: str, path: Path) -> Path:
    """``metric`` (mean over weather years) over the two heatmap axes, per hydrology class."""
    mean = expectation(ds)[metric]
    heat = json.loads(ds.attrs["heatmap_axes"])
    axes = [d for d in ds.lole_h.dims if d not in SAMPLE_DIMS]
    heat = [a for a in heat if a in axes][:2] or axes[:2]
    rest = [a for a in axes if a not in heat]
    combos = list(itertools.product(*(ds[a].values for a in rest)))[:MAX_ROWS]
    hyd = list(ds.hydrology.values)
    fig, grid = plt.subplots(
        len(combos),
        len(hyd),
        figsize=(3.6 * len(hyd), 3.3 * len(combos)),
        squeeze=False,
        layout="constrained",
    )
    standard = float(ds.attrs["lole_standard_h"])
    vmax = float(np.nanmax(mean.values)) if np.isfinite(mean.values).any() else 1.0
    norm = SymLogNorm(
        linthresh=max(standard, 1.0) if metric == "lole_h" else 1000.0, vmin=0, vmax=max(vmax, 1.0)
    )
    for (r, combo), (c, h) in itertools.product(enumerate(combos), enumerate(hyd)):
        ax = grid[r, c]
        sel = mean.sel(hydrology=h, **dict(zip(rest, combo, strict=True)))
        sel = sel.transpose(*heat) if len(heat) == 2 else sel.expand_dims("_").transpose(heat[0], "_")
        img = ax.imshow(sel.values.T, origin="lower", cmap="magma_r", norm=norm, aspect="auto")
        for (i, j), v in np.ndenumerate(sel.values):
            meets = metric != "lole_h" or v <= standard + 1e-9
            text = "n/a" if np.isnan(v) else f"{v:.0f}" + ("" if meets else "!")
            dark = not np.isnan(v) and norm(v) >= 0.6
            ax.text(i, j, text, ha="center", va="center", fontsize=8, color="white" if dark else "black")
        ax.set_xticks(range(sel.shape[0]), [_fmt(v) for v in ds[heat[0]].values])
        ax.set_xlabel(heat[0])
        if len(heat) == 2:
            ax.set_yticks(range(sel.shape[1]), [_fmt(v) for v in ds[heat[1]].values])
            ax.set_ylabel(heat[1])
        where = ", ".join(f"{a}={_fmt(v)}" for a, v in zip(rest, combo, strict=True))
        ax.set_title(f"{h}" + (f"\n{where}" if where else ""), fontsize=9)
    fig.colorbar(img, ax=grid, shrink=0.6, label=f"{metric} [{ds[metric].attrs.get('units', '')}]")
    note = f" ('!' = above the standard of {standard:.2g} h)" if metric == "lole_h" else ""
    title = f"{ds.attrs['sweep']}: {metric}, mean over {ds.sizes['weather_year']} weather year(s){note}"
    fig.suptitle(title)
    return save_png(fig, path)


def frontier(ds: xr.Dataset, path: Path) -> Path:
    """Storage investment cost against expected unserved energy; the Pareto cases joined."""
    _, conditions, _ = _axes(ds)
    mean = expectation(ds)
    mean["storage_cost"] = storage_cost(ds)
    frame = mean[["eue_mwh", "lole_h", "storage_cost"]].to_dataframe().reset_index()
    hyd = list(ds.hydrology.values)
    fig, axes = plt.subplots(1, len(hyd), figsize=(4.2 * len(hyd), 3.6), squeeze=False, sharey=True)
    groups = list(frame.groupby(conditions, sort=False)) if conditions else [("all", frame)]
    cmap = plt.get_cmap("viridis", max(len(groups), 2))
    for ax, h in zip(axes[0], hyd, strict=True):
        for k, (cond, sub) in enumerate(groups):
            sub = sub[(sub.hydrology == h) & sub.eue_mwh.notna()].sort_values(["storage_cost", "eue_mwh"])
            label = _condition_label(conditions, cond)
            ax.scatter(sub.storage_cost / 1e9, sub.eue_mwh / 1e3, s=14, color=cmap(k), alpha=0.5)
            pareto = sub[sub.eue_mwh < sub.eue_mwh.cummin().shift(fill_value=np.inf)]
            ax.plot(pareto.storage_cost / 1e9, pareto.eue_mwh / 1e3, "-o", ms=4, color=cmap(k), label=label)
        ax.set_title(h)
        ax.set_xlabel("storage investment [bn CNY]")
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("expected unserved energy [GWh]")
    axes[0, 0].set_yscale("symlog", linthresh=1.0)  # dry and extreme-dry EUE differ a thousandfold
    axes[0, -1].legend(fontsize=7, title=", ".join(conditions) or None, title_fontsize=7)
    fig.suptitle(f"{ds.attrs['sweep']}: cost–reliability frontier (lines: cheapest case for each EUE)")
    return save_png(fig, path)


def _condition_label(conditions: list[str], values: object) -> str:
    """``coal_gw=12, ...`` for one group of condition values; ``all`` when every axis is storage."""
    if not conditions:  # one group of every case: its key is a placeholder, not condition values
        return "all"
    values = values if isinstance(values, tuple) else (values,)
    return ", ".join(f"{a}={_fmt(v)}" for a, v in zip(conditions, values, strict=True))


def _fmt(value: object) -> str:
    """An axis value as a label: numbers compact (``12``, ``0.05``), anything else as text."""
    return f"{value:g}" if isinstance(value, float | int) and not isinstance(value, bool) else str(value)


def smallest_storage_figure(ds: xr.Dataset, table: pd.DataFrame, path: Path) -> Path:
    """Cheapest storage meeting the standard against the first condition, one line per hydrology."""
    storage, conditions, _ = _axes(ds)
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    x_axis = conditions[0] if conditions else None
    top = float(storage_cost(ds).max()) / 1e9
    for h, sub in table.groupby("hydrology", sort=False):
        x = sub[x_axis].to_numpy() if x_axis else np.zeros(len(sub))
        y = sub.storage_cost_bn_cny.to_numpy()
        colour = HYDRO_COLOURS.get(str(h), "#555555")
        ax.plot(x, y, "-o", color=colour, label=str(h))
        for xi, yi, (_, row) in zip(x, y, sub.iterrows(), strict=True):
            if np.isnan(yi):
                ax.plot(xi, top * 1.08, "x", color=colour, ms=9)
                continue
            text = "\n".join(f"{a} {row[a]:g}" for a in storage)
            ax.annotate(text, (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=6.5, color=colour)
    ax.axhline(top * 1.08, color="#999999", lw=0.5, ls=":")
    ax.set_ylim(0, top * 1.18)
    ax.annotate(
        "x: no storage in the sweep meets the standard",
        (0.01, 0.97),
        xycoords="axes fraction",
        va="top",
        fontsize=7,
        color="#666666",
    )
    ax.set_xlabel(x_axis or "")
    ax.set_ylabel("cheapest storage meeting the standard [bn CNY]")
    ax.grid(alpha=0.3)
    ax.legend(title="hydrology", fontsize=8)
    ax.set_title(
        f"{ds.attrs['sweep']}: smallest storage with LOLE <= {ds.attrs['lole_standard_h']:.2g} h "
        "(mean over weather years)",
        fontsize=10,
    )
    return save_png(fig, path)
