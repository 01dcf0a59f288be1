"""Figures of a probabilistic adequacy result, drawn from ``adequacy.nc`` only (matplotlib, Agg).

Three figures, saved as PNG beside the file: LOLE by month with standard errors, the
distribution of annual unserved energy, and the histogram of event durations. A result with
no shortfall still gets its figures, saying so, so the folder always has the same files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from analysis.figure_file import save_png

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
COLOUR = "#b2182b"


def _nothing(ax: plt.Axes, ds: xr.Dataset) -> None:
    ax.text(0.5, 0.5, f"no loss of load in {ds.attrs['samples']} sample years", transform=ax.transAxes,
            ha="center", va="center", color="grey")  # fmt: skip


def _title(ds: xr.Dataset, what: str) -> str:
    return f"{ds.attrs['scenario']}: {what} ({ds.attrs['samples']} sample years)"


def plot_lole_by_month(ds: xr.Dataset, path: Path) -> Path:
    """Mean LOLE by month [h] with error bars of two standard errors."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    mean, se = ds.lole_month_mean.to_numpy(), ds.lole_month_se.to_numpy()
    ax.bar(np.arange(12), mean, yerr=2 * se, color=COLOUR, capsize=3, error_kw={"lw": 0.8})
    ax.set_xticks(np.arange(12), MONTHS)
    ax.set_ylabel("LOLE [h/month]")
    ax.set_title(_title(ds, "loss-of-load hours by month, mean ± 2 SE"))
    if not mean.any():
        _nothing(ax, ds)
    return save_png(fig, path)


def plot_eue_distribution(ds: xr.Dataset, path: Path) -> Path:
    """Distribution of annual unserved energy [GWh/yr] with its mean, P90, P99 and worst year."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    eue = ds.eue_mwh.to_numpy() / 1e3
    ax.hist(eue, bins=40, color=COLOUR, alpha=0.85)
    ax.set_yscale("log")
    dist = ds.eue_distribution_mwh.to_series() / 1e3
    for stat, style in (("mean", "-"), ("p90", "--"), ("p99", ":"), ("worst", "-.")):
        ax.axvline(dist[stat], color="black", ls=style, lw=1, label=f"{stat} {dist[stat]:.3g} GWh")
    ax.set_xlabel("unserved energy in a sample year [GWh]")
    ax.set_ylabel("sample years")
    ax.set_title(_title(ds, "annual unserved energy"))
    ax.legend(fontsize=8, frameon=False)
    if not eue.any():
        _nothing(ax, ds)
    return save_png(fig, path)


def plot_event_durations(ds: xr.Dataset, path: Path) -> Path:
    """Loss-of-load events by duration [h] (events per year, all sample years pooled)."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    edges = ds.duration_bin_h.to_numpy()
    lows = np.r_[0, edges[:-2]] + 1
    labels = [f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in zip(lows, edges[:-1], strict=True)]
    labels.append(f">{edges[-2]}")
    per_year = ds.event_duration_count.to_numpy() / ds.attrs["samples"]
    ax.bar(np.arange(len(labels)), per_year, color=COLOUR)
    ax.set_xticks(np.arange(len(labels)), labels)
    ax.set_xlabel("event duration [h]")
    ax.set_ylabel("events per year")
    ax.set_title(_title(ds, "loss-of-load events by duration"))
    if not per_year.any():
        _nothing(ax, ds)
    return save_png(fig, path)


def adequacy_figures(nc_path: Path) -> list[Path]:
    """Draw every adequacy figure of ``adequacy.nc`` into its folder; return their paths."""
    nc_path = Path(nc_path)
    folder = nc_path.parent
    with xr.open_dataset(nc_path) as ds:
        ds = ds.load()
    return [
        plot_lole_by_month(ds, folder / "adequacy_lole_by_month.png"),
        plot_eue_distribution(ds, folder / "adequacy_eue_distribution.png"),
        plot_event_durations(ds, folder / "adequacy_event_durations.png"),
    ]
