"""What the commands print: tables, summaries and verdicts on the terminal (rich).

The commands in :mod:`model.cli` parse, check and call the model; everything they show the
user is written here, so the command module stays a thin layer (issue 11).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from model.errors import clip

OUT = Console(highlight=False, width=max(130, shutil.get_terminal_size().columns))
err = Console(stderr=True, highlight=False)


def print_plan_table(table, title: str) -> None:
    """Render :func:`analysis.plan_table.plan_table`: GW with two decimals, shares in per cent."""
    shown = Table(title=title)
    for col in ("carrier", "GW", "plan", "clause"):
        shown.add_column(col, justify="right" if col in ("GW", "plan") else "left")
    for row in table.itertuples():
        share = row.unit == "share"
        value = f"{row.value:.1%}" if share else f"{row.value:.2f}"
        plan = "-" if not row.comparison else f"{row.comparison} " + (
            f"{row.plan_value:.0%}" if share else f"{row.plan_value:g}"
        )
        shown.add_row(str(row.row), value, plan, str(row.clause))
    OUT.print(shown)


def warn_line(text: str) -> None:
    """One warning line on stderr (user text is never read as markup)."""
    err.print(f"[yellow]warning:[/yellow] {escape(text)}", soft_wrap=True)


def out_status(text: str):
    """A spinner on the terminal while a long step runs."""
    return OUT.status(text, spinner="dots")


def print_summary(s: dict, folder: Path) -> None:
    """The run summary as a table, the verdict last."""
    OUT.print(
        f"[bold]{s['scenario']}[/bold]: {s['hours']} h, hydrology {s['hydrology']}, weather year "
        f"{s['weather_year']} (seed {s['weather_seed']})"
    )
    table = Table()
    table.add_column("generation (发电量)")
    table.add_column("TWh", justify="right")
    for carrier, twh in s["generation_twh"].items():
        table.add_row(carrier, f"{twh:.2f}")
    OUT.print(table)
    cur = s["curtailment_pct"]
    OUT.print(
        f"coal share: {s['coal_share_capacity']:.1%} of capacity, {s['coal_share_generation']:.1%} of "
        f"generation; non-fossil {s['nonfossil_share_generation']:.1%} of generation; "
        f"CO2 {s['co2_mt']:.1f} Mt\n"
        f"unserved energy {s['eue_mwh']:.0f} MWh ({s['neue_ppm']:.1f} ppm), loss-of-load hours "
        f"{s['lole_h']}, peak shortfall {s['peak_shortfall_mw']:.0f} MW\n"
        f"demand response {s['dr_mwh']:.0f} MWh in {s['dr_hours']} h; curtailment wind "
        f"{cur['wind']:.1f} %, solar {cur['solar']:.1f} %\n"
        f"exports {s['export_twh']:.2f} of {s['export_obligation_twh']:.2f} TWh owed to Guangdong "
        f"({s['export_cut_twh']:.2f} TWh cut)\n"
        f"coal committed: at least {s['coal_committed_min_gw']:.1f} GW in every hour; "
        f"{s['coal_start_ups_mw'] / 1e3:.1f} GW started in the year ({s['coal_fleet_starts']:.1f} fleet "
        "starts)\n"
        + _storage_line(s.get("storage", {}))
        + "\n"
        f"{s['mode']} dispatch: {s['timings']['total_s']:.0f} s wall (solver CPU {s['solve_seconds']:.0f} s);"
        f" run folder {folder}"
    )
    print_causes(s.get("shortfall_causes") or [], "demand response and loss-of-load events, and their causes")
    colour = "green" if s["verdict"] == "reliable" else "red"
    OUT.print(
        f"verdict: [{colour}]{s['verdict']}[/{colour}] (LOLE {s['lole_h']} h against the standard "
        f"of {s['lole_standard_h']:g} h/yr)"
    )


#: What the cause columns mean, printed under the table.
_CAUSE_LEGEND = (
    "hydro: reservoir energy as a share of its normal level; inflow: against the expected for the "
    "season; maint./outage/spells/quality/no fuel: coal capacity lost to planned maintenance, forced "
    "outages, supply spells, coal quality and a stockpile at its floor; load: against the normal"
)
#: At most this many events are printed (the largest; summary.json keeps more).
CAUSE_ROWS = 12


def print_causes(records: list[dict], title: str) -> None:
    """The shortfall events with their causes (:func:`analysis.shortfalls.as_records`), largest first."""
    if not records:
        OUT.print(f"{title}: none")
        return
    top = sorted(records, key=lambda r: -((r.get("dr_mwh") or 0) + (r.get("unserved_mwh") or 0)))[:CAUSE_ROWS]
    from analysis.shortfalls import CAUSE_DISPLAY, cause_cell

    table = Table(title=f"{title} ({len(records)} events; the largest {len(top)})")
    for key, head, *_ in CAUSE_DISPLAY:
        table.add_column(head, justify="left" if key == "start" else "right", no_wrap=key == "start")
    for r in sorted(top, key=lambda r: r["start"]):
        cells = [cause_cell(r.get(key), scale, fmt, slice(5, 13)) for key, _, _, scale, fmt in CAUSE_DISPLAY]
        table.add_row(cells[0] + "h", *cells[1:])  # MM-DD HHh: the year is the run's
    OUT.print(table)
    OUT.print(_CAUSE_LEGEND)


def print_event_causes(ds) -> None:
    """The largest Monte Carlo events with their causes (``event_*`` of ``adequacy.nc``)."""
    if ds.sizes.get("event", 0) == 0 or "event_fuel_stress" not in ds:
        return
    order = np.argsort(-ds.event_energy_mwh.values)[:CAUSE_ROWS]
    table = Table(title=f"largest loss-of-load events of the sample years and their causes "
                        f"(the largest {len(order)} of {ds.sizes['event']})")  # fmt: skip
    heads = ("sample", "hydrology", "stress", "start", "h", "MWh", "peak MW", "maint GW", "fuel GW",
             "outage GW", "load", "free")  # fmt: skip
    for head in heads:
        wide = head in ("hydrology", "start")
        table.add_column(head, justify="left" if wide else "right", no_wrap=wide)
    for i in order:
        e = ds.isel(event=int(i))
        hour = pd.Timestamp("2001-01-01") + pd.Timedelta(hours=int(e.event_start_h))
        table.add_row(
            str(int(e.event_sample)), str(e.event_hydrology.values),
            "yes" if bool(e.event_fuel_stress) else "no",
            hour.strftime("%m-%d %Hh"), str(int(e.event_duration_h)), f"{float(e.event_energy_mwh):.0f}",
            f"{float(e.event_peak_mw):.0f}", f"{float(e.event_thermal_maintenance_mw) / 1e3:.1f}",
            f"{float(e.event_thermal_fuel_mw) / 1e3:.1f}", f"{float(e.event_thermal_outage_mw) / 1e3:.1f}",
            f"{float(e.event_load_vs_month):+.0%}", f"{float(e.event_free_vs_month):+.0%}",
        )  # fmt: skip
    OUT.print(table)
    stress = ds.event_fuel_stress.values.astype(bool)
    energy = ds.event_energy_mwh.values
    OUT.print(f"of the events' energy, {energy[stress].sum() / energy.sum():.0%} came in fuel-stress years; "
              "thermal lost at each event's largest hour to maintenance, to fuel (the fuel chain's cap) and "
              "to forced outages; load and free supply (renewables, run-of-river) against the sample's mean "
              "of that month")  # fmt: skip


def _storage_line(storage: dict) -> str:
    """``storage: battery 150 cycles, 300 h; ...`` for the kinds with any capacity."""
    parts = [
        f"{kind} {v['cycles']:.0f} cycles, {v['full_load_hours']:.0f} full-load h, "
        f"{v['discharged_mwh'] / 1e6:.2f} TWh shifted, {v['value_cny'] / 1e6:.0f} M CNY earned"
        for kind, v in storage.items()
        if v.get("discharged_mwh", 0.0) > 0
    ]
    return "storage: " + ("; ".join(parts) if parts else "none discharged")


def _by_period(rows, title: str) -> Table:
    """Model and record by record period (Jan+Feb one column) as a table, with the year's sum."""
    table = Table(title=title)
    table.add_column("")
    for p in rows.period:
        table.add_column(str(p).replace("_", "+"), justify="right")
    table.add_column("year", justify="right")
    table.add_row("model", *(f"{v:.2f}" for v in rows.model), f"{rows.model.sum():.1f}")
    table.add_row("record", *(f"{v:.2f}" for v in rows.record), f"{rows.record.sum():.1f}")
    return table


def print_hindcast(h, run_dir: Path, paths: list[Path]) -> None:
    """Monthly hydro against the record, the checks, and the other comparisons."""
    t = h.table
    title = f"{run_dir}: hydro {h.year} by month, model against the record [TWh]"
    table = _by_period(t[t.section == "hydro"], title)
    level = t[t.section == "level"]
    OUT.print(table)
    OUT.print("reservoir level at month end: " + " ".join(f"{v:.2f}" for v in level.model))
    guide = t[t.section == "guide"]
    if len(guide) and guide.model.notna().any():
        OUT.print("lower guide at month end:     " + " ".join(f"{v:.2f}" for v in guide.model))
    checks = Table(title="checks")
    for col in ("check", "value", "target", "result"):
        checks.add_column(col)
    for row in h.checks.itertuples():
        result = "[green]pass[/green]" if row.passed else "[red]FAIL[/red]"
        checks.add_row(str(row.check), f"{row.value:.3g}", str(row.target), result)
    OUT.print(checks)
    demand = t[t.section == "demand"]
    if demand.record.notna().all() and len(demand):
        OUT.print(_by_period(demand, f"consumption {h.year} by month, model against the record [TWh]"))
    other = t[t.section.isin(("generation", "peak"))]
    for row in other.itertuples():
        record = f"{row.record:.2f}" if row.record == row.record else "no record"
        OUT.print(f"{row.item}: model {row.model:.2f} {row.unit}, record {record}")
    thermal = t[t.section == "thermal"]
    if len(thermal) and thermal.record.notna().all():
        OUT.print(_by_period(thermal, f"thermal {h.year} by month, model against the record [TWh]"))
    observed = t[(t.section == "level") & t.record.notna()]
    if len(observed):
        OUT.print("observed storage (Goupitan) at month end: " + ", ".join(
            f"{r.period} {r.record:.2f} (model {r.model:.2f})" for r in observed.itertuples()))  # fmt: skip
    dr = t[(t.section == "dr") & ((t.model > 0) | (t.record > 0))]
    for row in dr.itertuples():
        record = f"{row.record:.0f}" if row.record == row.record else "-"
        OUT.print(f"demand response / ordered curtailment in {row.period}: model {row.model:.0f} GWh, "
                  f"record {record} GWh")  # fmt: skip
    for row in t[t.section == "rounds"].itertuples():
        OUT.print(f"recorded {row.item}: model {row.model:.0f} {row.unit}, "
                  f"record {row.record:.0f} {row.unit}")  # fmt: skip
    from analysis.shortfalls import as_records

    print_causes(as_records(h.events), f"{h.year}: demand response and loss-of-load events, and their causes")
    OUT.print(f"written: {', '.join(str(p) for p in paths)}")


def print_sweep(spec, outcome, figures: bool, debug: bool = False) -> None:
    """Counts, the screening error, the smallest storage per hydrology class, and the files."""
    where = f" on {outcome.workers} workers" if outcome.workers else " (nothing left to solve)"
    OUT.print(f"{outcome.solved} solved, {outcome.failed} failed, {outcome.skipped} already in the store, "
              f"{outcome.lost} lost; {outcome.wall_s:.0f} s{where}"
              + (" (stopped early; rerun to go on)" if outcome.interrupted else ""))  # fmt: skip
    s = outcome.screening
    if s.get("rerun"):
        OUT.print(f"screening: {s['rerun']:.0f} of {s['cases']:.0f} cases re-run hourly; LOLE error mean "
                  f"{s['lole_mae_h']:.1f} h (max {s['lole_max_error_h']:.1f} h), EUE error mean "
                  f"{s['eue_mae_mwh']:.0f} MWh, cost error mean {s['objective_mean_rel_error']:.2%}, "
                  f"{s['verdict_flips']:.0f} verdicts changed")  # fmt: skip
    if figures:
        try:
            print_sweep_figures(outcome)
        except Exception as exc:  # the results are written; a figure must never cost them
            if debug:
                raise
            why = f"{type(exc).__name__}: {clip(str(exc), 150)}"
            warn_line(f"the sweep's figures could not be drawn ({why}); the results are complete (rerun the "
                      "command with --debug to see why)")  # fmt: skip
    OUT.print(f"results: {outcome.dataset}")


def print_sweep_figures(outcome) -> None:
    """Draw the sweep's figures from sweep.nc; print the smallest storage table and the files."""
    from analysis.sweep_figures import smallest_storage, smallest_value, write_figures

    paths = write_figures(outcome.dataset, outcome.folder)
    mean = "(mean over weather years)"
    for title, table in (
        (f"cheapest storage meeting the LOLE standard {mean}", smallest_storage(outcome.dataset)),
        (f"smallest value meeting the LOLE standard {mean}", smallest_value(outcome.dataset)),
    ):
        if len(table):
            shown = Table(title=title)
            for col in table.columns:
                shown.add_column(str(col))
            for row in table.itertuples(index=False):
                shown.add_row(*(f"{v:g}" if isinstance(v, float) else str(v) for v in row))
            OUT.print(shown)
    OUT.print("figures: " + ", ".join(p.name for p in paths))


def print_adequacy(ds, folder: Path, figures: list[Path]) -> None:
    """Indices with standard errors, by hydrology class and coal supply stress, the stop reason, the LP
    check, the verdict."""
    import math

    a = ds.attrs
    rate = a["samples"] / a["wall_s"]
    OUT.print(f"[bold]{a['scenario']}[/bold]: {a['samples']} sample years of {a['hours']} h, seed "
              f"{a['seed']}; {a['wall_s']:.1f} s ({rate:.0f} sample-years/s)")  # fmt: skip
    # observed years of the record count under their nearest class, so the columns stay four
    table = Table(title="loss of load (mean ± standard error)",
                  caption="an observed year counts in the class nearest its full-load hours")  # fmt: skip
    for col in ("index", "all years", *(str(c) for c in ds.hydrology.values)):
        table.add_column(col, justify="left" if col == "index" else "right")
    per = "/yr" if a["hours"] == 8760 else f" per {a['hours']} h"  # a shorter horizon is not a year
    for key, label in (("lole_h", f"LOLE h{per}"), ("lold_d", f"LOLD d{per}"), ("eue_mwh", f"EUE MWh{per}"),
                       ("neue_ppm", "NEUE ppm")):  # fmt: skip
        pairs = zip(ds[f"{key}_by_class_mean"].values, ds[f"{key}_by_class_se"].values, strict=True)
        by_class = [f"{m:.4g} ± {s:.2g}" for m, s in pairs]
        table.add_row(label, f"{float(ds[f'{key}_mean']):.4g} ± {float(ds[f'{key}_se']):.2g}", *by_class)
    table.add_row("sample years", str(a["samples"]), *(str(int(v)) for v in ds.n_by_class.values))
    OUT.print(table)
    dist = ds.eue_distribution_mwh.to_series()
    OUT.print(f"annual EUE: mean {dist['mean']:.4g}, P90 {dist['p90']:.4g}, P99 {dist['p99']:.4g}, worst "
              f"{dist['worst']:.4g} MWh; {a['years_with_shortfall']} years with a shortfall, "
              f"{ds.sizes['event']} events")  # fmt: skip
    if "zero_note" in a:
        OUT.print(a["zero_note"])
    print_event_causes(ds)
    if a.get("years_with_coal_stress", 0) > 0:

        def given(key: str) -> str:
            """``mean ± se`` of ``key`` in years with and without fuel stress ("-": no such year)."""
            out = []
            for case in ("stress", "no_stress"):
                mean = float(ds[f"{key}_by_coal_supply_mean"].sel(coal_supply=case))
                se = float(ds[f"{key}_by_coal_supply_se"].sel(coal_supply=case))
                out.append("-" if math.isnan(mean) else f"{mean:.4g} ± {se:.2g}")
            return f"{out[0]} given them, {out[1]} without"

        OUT.print(f"fuel stress ({a.get('fuel_stress', '')}) struck "
                  f"{a['years_with_coal_stress']} of {a['samples']} years: LOLE h{per} {given('lole_h')}; "
                  f"EUE MWh{per} {given('eue_mwh')}")  # fmt: skip
    OUT.print(f"stopped on {'rse' if a['stop_reason'] == 'rse' else 'sample count'}: {a['stop_explained']}")
    if "lp_samples" in a:
        OUT.print(f"LP cross-check on the {a['lp_samples']} worst sample years: EUE engine "
                  f"{float(ds.engine_eue_mwh.sum()):.4g}, LP {float(ds.lp_eue_mwh.sum()):.4g} MWh (gap "
                  f"{a['lp_gap_eue_share']:.1%} of the engine's; largest {a['lp_gap_eue_mwh_max']:.4g} MWh); "
                  f"LP never worse than the engine: {'yes' if a['lp_never_worse'] else 'NO'}")  # fmt: skip
    OUT.print(f"written: {folder / 'adequacy.nc'}; figures: {', '.join(p.name for p in figures)}")
    lole, se = float(ds.lole_h_mean), float(ds.lole_h_se)
    colour = "green" if a["verdict"] == "reliable" else "red"
    near = " (within 2 SE of the standard)" if abs(lole - a["lole_limit_h"]) <= 2 * se and se > 0 else ""
    span = "h/yr" if a["hours"] == 8760 else f"h in {a['hours']} h"
    OUT.print(f"verdict: [{colour}]{a['verdict']}[/{colour}] (LOLE {lole:.3g} ± {se:.2g} {span} against the "
              f"standard of {a['lole_limit_h']:.3g} {span}){near}")  # fmt: skip
