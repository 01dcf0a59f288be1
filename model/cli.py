"""The ``gzgrid`` command line: parses arguments and calls the public functions the tests call.

Errors a user can cause are printed as one line on stderr with exit status 2; ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from model import NETWORK_DATA, ROOT
from model.console import (
    OUT,
    err,
    out_status,
    print_adequacy,
    print_hindcast,
    print_plan_table,
    print_summary,
    print_sweep,
    warn_line,
)
from model.errors import GzgridError, GzgridWarning, InputError, clip
from model.scenario import MAX_SEED

app = typer.Typer(
    name="gzgrid",
    help="Hourly power-system simulator of Guizhou province (PyPSA + HiGHS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
    from model.network import check_inputs
    from model.register import load_register
    from model.scenario import load_scenario

    register = load_register(register_dir)
    for path in scenarios:
        scenario = load_scenario(path)
        try:
            check_inputs(scenario, register)
        except InputError as err:  # the check does not know the file; the user needs it
            raise InputError(f"{path}: {err}") from None
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
    scenarios: list[Path] = typer.Argument(..., help="scenario files (runs/*.yaml); several run at once"),
    hydrology: str | None = typer.Option(
        None, help="override the hydrology class: wet, normal, dry, extreme_dry"
    ),
    weather_year: int | None = typer.Option(None, help="override the weather-year index"),
    mode: str | None = typer.Option(None, help="monolithic or decomposed"),
    horizon: int | None = typer.Option(None, help="dispatch only the first N hours"),
    out: Path | None = typer.Option(None, help="run folder (default runs/<name>; one scenario only)"),
    jobs: int | None = typer.Option(
        None, min=1, help="scenarios run at once, each in its own process (default: one per core)"
    ),
) -> None:
    """Dispatch scenarios hour by hour for a year and write their run folders."""
    from model.run import load_and_run

    overrides = {"hydrology": hydrology, "weather.year": weather_year, "dispatch.mode": mode,
                 "dispatch.horizon_hours": horizon}  # fmt: skip
    if len(scenarios) > 1:
        if out is not None:
            raise InputError(f"--out {out}: a run folder for one scenario; {len(scenarios)} were given")
        _run_several(scenarios, overrides, jobs)
        return
    with out_status("starting") as status:
        progress = lambda step: status.update(f"gzgrid run: {step} ...")  # noqa: E731
        result = load_and_run(scenarios[0], out=out, progress=progress, **overrides)
    print_summary(result.summary, result.folder)


def _run_several(paths: list[Path], overrides: dict, jobs: int | None) -> None:
    """Run several scenarios at once (:mod:`model.batch`); print each summary in the order given."""
    from model.batch import check_batch, default_jobs, run_batch

    check_batch(paths, overrides)  # every input error before any process starts
    jobs = jobs or default_jobs(len(paths))
    failed = []
    with out_status(f"gzgrid run: {len(paths)} scenarios, {jobs} at a time ...") as status:
        for i, outcome in enumerate(run_batch(paths, overrides, jobs), start=1):
            status.stop()
            for text in outcome.warnings:
                warn_line(text)
            if outcome.error is not None:
                err.print(f"[red]error:[/red] {outcome.path}: {escape(str(outcome.error))}", soft_wrap=True)
                failed.append(outcome)
            else:
                print_summary(outcome.result.summary, outcome.result.folder)
            if i < len(paths):
                status.update(f"gzgrid run: {i} of {len(paths)} scenarios done ...")
                status.start()
    if failed:
        names = ", ".join(str(o.path) for o in failed)
        raise GzgridError(f"{len(failed)} of {len(paths)} scenarios did not run: {names}")


def _debug(ctx: typer.Context) -> bool:
    """Whether ``--debug`` was given (an option of the root command)."""
    return bool(ctx.find_root().params.get("debug"))










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
