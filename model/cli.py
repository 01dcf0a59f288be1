"""The ``gzgrid`` command line: parses arguments and calls the public functions the tests call.

Errors a user can cause are printed as one line on stderr with exit status 2; ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import logging
import shutil
import sys
import warnings
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from model import NETWORK_DATA, ROOT
from model.errors import GzgridError, GzgridWarning, InputError, clip
from model.scenario import MAX_SEED

app = typer.Typer(
    name="gzgrid",
    help="Hourly power-system simulator of Guizhou province (PyPSA + HiGHS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
OUT = Console(highlight=False, width=max(130, shutil.get_terminal_size().columns))
err = Console(stderr=True, highlight=False)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="show tracebacks of errors"),
) -> None:
    """Hourly power-system simulator of Guizhou province (PyPSA + HiGHS)."""


@app.command()
def validate(
    scenarios: list[Path] = typer.Argument(..., help="scenario files (runs/*.yaml)"),
    register_dir: Path = typer.Option(NETWORK_DATA, "--register", help="asset register folder"),
) -> None:
    """Check scenario files and the register; print each resolved scenario."""
    from analysis.plan_table import plan_table
    from model.capacity import dr_share, peak_estimate_mw
    from model.register import load_register
    from model.scenario import load_scenario

    register = load_register(register_dir)
    for path in scenarios:
        scenario = load_scenario(path)
        title = f"{scenario.name}: installed capacity in {scenario.year}"
        print_plan_table(plan_table(register, scenario), title)
        demand = register.demand_row(scenario.year, scenario.demand_case)
        peak = peak_estimate_mw(register, scenario)
        dr = dr_share(register, scenario)
        OUT.print(
            f"demand: {demand.annual_twh:g} TWh ({scenario.demand_case}), peak about {peak / 1e3:.1f} GW "
            f"at load factor {demand.load_factor:g}; DR {dr:.0%} of peak = {dr * peak / 1e3:.2f} GW\n"
            f"hydrology: {scenario.hydrology}; weather seed {scenario.weather.seed}, year "
            f"{scenario.weather.year}; dispatch {scenario.dispatch.mode}; standard LOLE <= "
            f"{scenario.adequacy.lole_h:g} h/yr\n"
        )
    OUT.print(f"[green]ok[/green]: {len(scenarios)} scenario(s) valid against the register in {register_dir}")


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


@app.command()
def profiles(
    years: int = typer.Option(30, min=1, max=10_000, help="number of weather years"),
    seed: int = typer.Option(1, min=0, max=MAX_SEED, help="generator seed (0 to 2**64 - 1)"),
    scenario: Path = typer.Option(
        ROOT / "runs" / "2030-target.yaml", help="scenario giving capacities and demand"
    ),
    hydrology: str | None = typer.Option(None, help="hydrology class (default: the scenario's)"),
    out: Path | None = typer.Option(None, help="write the profiles to this netCDF file"),
) -> None:
    """Generate weather and demand profiles and print their calibration table."""
    from model.profiles import check_profiles_fit
    from model.register import load_register
    from model.run import scenario_profiles
    from model.scenario import load_scenario, with_overrides
    from model.weather import calibration_table

    register = load_register()
    sc = with_overrides(load_scenario(scenario), hydrology=hydrology, **{"weather.seed": seed})
    check_profiles_fit(years)
    if out is not None:
        check_profiles_out(out)
    with out_status(f"generating {years} weather years ..."):
        ds = scenario_profiles(sc, register, n_years=years)
    if out is not None:
        write_netcdf(ds, out)
    table = calibration_table(ds, register.hydro.set_index("id"))
    shown = Table(title=f"calibration: {years} weather years, seed {seed}, hydrology {sc.hydrology}")
    for col in ("statistic", "target", "accepted range", "generated", "result"):
        shown.add_column(col, justify="left" if col == "statistic" else "right")
    for row in table.itertuples():
        verdict = "[green]pass[/green]" if row.passed else "[red]FAIL[/red]"
        shown.add_row(
            str(row.statistic),
            f"{row.target:.4g}",
            f"{row.low:.4g} to {row.high:.4g}",
            f"{row.value:.4g}",
            verdict,
        )
    OUT.print(shown)
    failed = int((~table.passed.astype(bool)).sum())
    OUT.print(
        f"{len(table) - failed} of {len(table)} statistics within their targets"
        + (f"; written to {out}" if out else "")
    )


def check_profiles_out(path: Path) -> None:
    """``profiles --out`` must be writable, and may replace only a profiles file gzgrid wrote."""
    from model.atomic import check_writable

    check_writable(path, "--out", is_file=True)
    if path.exists() or path.is_symlink():
        try:
            import xarray as xr

            with xr.open_dataset(path) as ds:
                ours = "generator_version" in ds.attrs
        except Exception:  # not netCDF at all: certainly not ours to replace
            ours = False
        if not ours or path.is_symlink():
            raise InputError(
                f"--out {path}: a file is there that gzgrid did not write (not a profiles netCDF file); "
                "choose another file name or move it away"
            )


def write_netcdf(ds, path: Path) -> None:
    """Write a dataset atomically (temporary file, then rename)."""
    from model.atomic import clean_stale
    from model.atomic import write_netcdf as write

    clean_stale(path.parent)
    write(ds, path)


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="scenario file (runs/*.yaml)"),
    hydrology: str | None = typer.Option(
        None, help="override the hydrology class: wet, normal, dry, extreme_dry"
    ),
    weather_year: int | None = typer.Option(None, help="override the weather-year index"),
    mode: str | None = typer.Option(None, help="monolithic or decomposed"),
    horizon: int | None = typer.Option(None, help="dispatch only the first N hours"),
    out: Path | None = typer.Option(None, help="run folder (default runs/<name>)"),
) -> None:
    """Dispatch a scenario hour by hour for a year and write its run folder."""
    from model.run import load_and_run

    with out_status("starting") as status:
        result = load_and_run(
            scenario,
            out=out,
            progress=lambda step: status.update(f"gzgrid run: {step} ..."),
            hydrology=hydrology,
            **{"weather.year": weather_year, "dispatch.mode": mode, "dispatch.horizon_hours": horizon},
        )
    print_summary(result.summary, result.folder)


def _debug(ctx: typer.Context) -> bool:
    """Whether ``--debug`` was given (an option of the root command)."""
    return bool(ctx.find_root().params.get("debug"))


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
    colour = "green" if s["verdict"] == "reliable" else "red"
    OUT.print(
        f"verdict: [{colour}]{s['verdict']}[/{colour}] (LOLE {s['lole_h']} h against the standard "
        f"of {s['lole_standard_h']:g} h/yr)"
    )


def _storage_line(storage: dict) -> str:
    """``storage: battery 150 cycles, 300 h; ...`` for the kinds with any capacity."""
    parts = [
        f"{kind} {v['cycles']:.0f} cycles, {v['full_load_hours']:.0f} full-load h, "
        f"{v['discharged_mwh'] / 1e6:.2f} TWh shifted, {v['value_cny'] / 1e6:.0f} M CNY earned"
        for kind, v in storage.items()
        if v.get("discharged_mwh", 0.0) > 0
    ]
    return "storage: " + ("; ".join(parts) if parts else "none discharged")


@app.command()
def targets(run_dir: Path = typer.Argument(..., help="run folder written by 'gzgrid run'")) -> None:
    """Compare a run with the plan's targets; write targets.csv and targets.json into the run folder."""
    from analysis.targets import target_table, write_target_table

    table = target_table(run_dir)
    shown = Table(title=f"the plan's targets against {run_dir}")
    for col in ("id", "clause", "year", "plan", "run", "status", "note"):
        shown.add_column(col, overflow="fold")
    colours = {"met": "green", "missed": "red", "input not honoured": "red"}
    for row in table.itertuples():
        status = f"[{colours[row.status]}]{row.status}[/]" if row.status in colours else row.status
        shown.add_row(str(row.id), str(row.clause), str(row.year), f"{row.plan_value:g} {row.unit}",
                      f"{row.run_value:.4g} {row.run_unit}" if row.run_value == row.run_value else "-",
                      status, str(row.note))  # fmt: skip
    OUT.print(shown)
    csv_path, json_path = write_target_table(table, run_dir)
    OUT.print(f"{table.status.value_counts().to_dict()}; written to {csv_path} and {json_path}")


@app.command()
def report(run_dir: Path = typer.Argument(..., help="run folder written by 'gzgrid run'")) -> None:
    """Write the run's figures and a self-contained HTML report (report.html) into its folder."""
    from analysis.report import write_report
    from analysis.targets import target_table, write_target_table

    with out_status("drawing figures and writing the report ..."):
        path = write_report(run_dir)
        write_target_table(target_table(run_dir), run_dir)
    OUT.print(f"report: {path}")


@app.command()
def hindcast(run_dirs: list[Path] = typer.Argument(..., help="run folders of history scenarios")) -> None:
    """Set history runs (observed hydrology years) against the record; write hindcast.csv and .png."""
    from analysis.hindcast import write_hindcast

    for run_dir in run_dirs:
        h, paths = write_hindcast(run_dir)
        print_hindcast(h, run_dir, paths)


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
    dr = t[(t.section == "dr") & ((t.model > 0) | (t.record > 0))]
    for row in dr.itertuples():
        record = f"{row.record:.0f}" if row.record == row.record else "-"
        OUT.print(f"demand response / ordered curtailment in {row.period}: model {row.model:.0f} GWh, "
                  f"record {record} GWh")  # fmt: skip
    OUT.print(f"written: {', '.join(str(p) for p in paths)}")


@app.command()
def sweep(
    ctx: typer.Context,
    sweep_file: Path = typer.Argument(..., help="sweep file (runs/sweep-*.yaml)"),
    workers: int | None = typer.Option(None, min=1, help="local Dask workers (default: one per core)"),
    scheduler: str | None = typer.Option(None, help="address of a running Dask scheduler (tcp://host:8786)"),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="run failed cases again"),
    max_solves: int | None = typer.Option(None, min=1, help="stop after this many solves (rerun to go on)"),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="draw the figures from sweep.nc"),
) -> int:
    """Sweep storage sizes over weather and hydrology years on Dask (resumable)."""
    from model.sweep import load_sweep, run_sweep

    spec = load_sweep(sweep_file)
    sizes = ", ".join(f"{a} ({len(v)})" for a, v in spec.axes.items())
    OUT.print(f"sweep [bold]{spec.spec.name}[/bold]: {len(spec.cases)} cases over {sizes}")
    OUT.print(f"folder: {spec.folder}")
    try:
        outcome = run_sweep(spec, workers=workers, scheduler=scheduler, retry_failed=retry_failed,
                            max_solves=max_solves)  # fmt: skip
    except KeyboardInterrupt:
        err.print(f"interrupted: finished cases are kept in {spec.folder / 'cases'}; run the same command "
                  "to resume")  # fmt: skip
        return 130
    print_sweep(spec, outcome, figures, debug=_debug(ctx))
    return 0


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


@app.command()
def adequacy(
    ctx: typer.Context,
    scenario: Path = typer.Argument(..., help="scenario file (runs/*.yaml)"),
    samples: int = typer.Option(1000, "--samples", help="sample years (the most, if --rse is given)"),
    seed: int | None = typer.Option(
        None, min=0, max=MAX_SEED, help="seed of weather, hydrology, outages (default: scenario's)"
    ),
    rse: float | None = typer.Option(None, help="stop once the relative standard error of EUE is this low"),
    lp_check: int = typer.Option(0, "--lp-check", help="solve the K worst sample years with the LP too"),
    hours: int | None = typer.Option(None, help="simulate only the first N hours of each year"),
    out: Path | None = typer.Option(None, help="output folder (default runs/<name>/adequacy)"),
) -> None:
    """Monte Carlo loss-of-load statistics over weather, hydrology and outages (adequacy.nc, figures)."""
    from analysis.adequacy_figures import adequacy_figures
    from model.adequacy import adequacy_folder, adequacy_study, write_dataset
    from model.adequacy.pipeline import check_options
    from model.atomic import check_writable
    from model.register import load_register
    from model.scenario import load_scenario

    check_options(lp_check, hours, seed)
    sc = load_scenario(scenario)
    register = load_register()
    folder = adequacy_folder(sc, out)
    check_writable(folder, "output folder")  # before sampling, not after
    with out_status("sampling ...") as status:
        ds = adequacy_study(sc, register, samples, seed=seed, rse=rse, lp_check=lp_check, hours=hours,
                            progress=lambda text: status.update(f"gzgrid adequacy: {text} ..."))  # fmt: skip
        write_dataset(ds, folder / "adequacy.nc")
        try:
            figures = adequacy_figures(folder / "adequacy.nc")
        except Exception as exc:  # adequacy.nc is written; a figure must never cost it
            if _debug(ctx):
                raise
            why = f"{type(exc).__name__}: {clip(str(exc), 150)}"
            warn_line(f"the adequacy figures could not be drawn ({why}); adequacy.nc is complete")
            figures = []
    print_adequacy(ds, folder, figures)


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
    if a.get("coal_supply_probability", 0.0) > 0:

        def given(key: str) -> str:
            """``mean ± se`` of ``key`` in years with and without the spells ("-": no such year)."""
            out = []
            for case in ("stress", "no_stress"):
                mean = float(ds[f"{key}_by_coal_supply_mean"].sel(coal_supply=case))
                se = float(ds[f"{key}_by_coal_supply_se"].sel(coal_supply=case))
                out.append("-" if math.isnan(mean) else f"{mean:.4g} ± {se:.2g}")
            return f"{out[0]} given them, {out[1]} without"

        OUT.print(f"coal supply spells (probability {a['coal_supply_probability']:.3g}) struck "
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if not debug:  # the libraries' progress chatter goes to a run's log.txt, not the terminal
        for name in ("pypsa", "linopy"):
            logging.getLogger(name).setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("always", GzgridWarning)
        shown = warnings.showwarning

        def one_line(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, GzgridWarning):
                warn_line(str(message))
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = one_line
        return _main(args, debug)


def _main(args: list[str], debug: bool) -> int:
    try:
        result = app(args=args, prog_name="gzgrid", standalone_mode=False)
    except GzgridError as exc:
        if debug:
            raise
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        return 2
    except typer.Abort:
        err.print("aborted")
        return 130
    except Exception as exc:
        # usage errors of the CLI library (typer vendors its own click): print them as usage
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            return 2
        raise
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    raise SystemExit(main())
