"""The ``gzgrid`` command line: parses arguments and calls the public functions the tests call.

Errors a user can cause are printed as one line on stderr with exit status 2; ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from model import NETWORK_DATA, ROOT
from model.errors import GzgridError

app = typer.Typer(
    name="gzgrid",
    help="Hourly power-system simulator of Guizhou province (PyPSA + HiGHS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
OUT = Console(highlight=False, width=max(130, shutil.get_terminal_size().columns))
err = Console(stderr=True, highlight=False)

#: Plan targets shown beside each carrier's capacity (targets.csv id for each carrier).
PLAN_IDS = {
    "hydro": "hydro_capacity",
    "solar": "pv_capacity",
    "wind": "wind_capacity",
    "phs": "pumped_hydro",
    "battery": "new_storage",
    "gas": "gas_capacity",
    "biomass": "biomass_capacity",
}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="show tracebacks of errors"),
) -> None:
    """Hourly power-system simulator of Guizhou province (PyPSA + HiGHS)."""


def _not_built(command: str, issue: str) -> None:
    raise GzgridError(f"'gzgrid {command}' is not built yet ({issue}); nothing was run")


@app.command()
def validate(
    scenarios: list[Path] = typer.Argument(..., help="scenario files (runs/*.yaml)"),
    register_dir: Path = typer.Option(NETWORK_DATA, "--register", help="asset register folder"),
) -> None:
    """Check scenario files and the register; print each resolved scenario."""
    from model.capacity import (
        asset_capacities,
        capacity_by_carrier,
        coal_share,
        dr_share,
        peak_estimate_mw,
    )
    from model.register import load_register
    from model.scenario import load_scenario

    register = load_register(register_dir)
    for path in scenarios:
        scenario = load_scenario(path)
        gw = capacity_by_carrier(asset_capacities(register, scenario))
        targets = register.targets[register.targets.year == scenario.year].set_index("id")
        table = Table(title=f"{scenario.name}: installed capacity in {scenario.year}")
        table.add_column("carrier")
        table.add_column("GW", justify="right")
        table.add_column("plan", justify="right")
        table.add_column("clause")
        for carrier, value in gw.items():
            tid = PLAN_IDS.get(carrier)
            plan = targets.loc[tid] if tid in targets.index else None
            plan_txt = f"{plan.comparison} {plan.value:g}" if plan is not None else "-"
            table.add_row(carrier, f"{value:.2f}", plan_txt, plan.clause if plan is not None else "")
        share = coal_share(gw)
        coal_t = targets.loc["coal_capacity_share"] if "coal_capacity_share" in targets.index else None
        table.add_row(
            "coal share",
            f"{share:.1%}",
            f"{coal_t.comparison} {coal_t.value:.0%}" if coal_t is not None else "-",
            coal_t.clause if coal_t is not None else "",
        )
        OUT.print(table)
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
    seed: int = typer.Option(1, min=0, help="generator seed"),
    scenario: Path = typer.Option(
        ROOT / "runs" / "2030-target.yaml", help="scenario giving capacities and demand"
    ),
    hydrology: str | None = typer.Option(None, help="hydrology class (default: the scenario's)"),
    out: Path | None = typer.Option(None, help="write the profiles to this netCDF file"),
) -> None:
    """Generate weather and demand profiles and print their calibration table."""
    from model.register import load_register
    from model.run import scenario_profiles
    from model.scenario import load_scenario, with_overrides
    from model.weather import calibration_table

    register = load_register()
    sc = with_overrides(load_scenario(scenario), hydrology=hydrology, **{"weather.seed": seed})
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


def write_netcdf(ds, path: Path) -> None:
    """Write a dataset atomically (temporary file, then rename)."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    ds.to_netcdf(tmp)
    os.replace(tmp, path)


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
        f"exports {s['export_twh']:.2f} of {s['export_obligation_twh']:.2f} TWh owed to Guangdong\n"
        f"{s['mode']} dispatch: {s['timings']['total_s']:.0f} s wall (solver CPU {s['solve_seconds']:.0f} s);"
        f" run folder {folder}"
    )
    colour = "green" if s["verdict"] == "reliable" else "red"
    OUT.print(
        f"verdict: [{colour}]{s['verdict']}[/{colour}] (LOLE {s['lole_h']} h against the standard "
        f"of {s['lole_standard_h']:g} h/yr)"
    )


def _run_dir(run_dir: Path) -> Path:
    """A run folder must hold what ``gzgrid run`` wrote."""
    missing = [f for f in ("scenario.yaml", "network.nc") if not (run_dir / f).is_file()]
    if missing:
        raise GzgridError(
            f"{run_dir}: not a run folder (no {missing[0]}); "
            "run 'gzgrid run SCENARIO' first and pass its folder"
        )
    return run_dir


@app.command()
def targets(run_dir: Path = typer.Argument(..., help="run folder written by 'gzgrid run'")) -> None:
    """Compare a run with the plan's targets; write targets.csv and targets.json into the run folder."""
    from analysis.targets import target_table, write_target_table

    table = target_table(_run_dir(run_dir))
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
        path = write_report(_run_dir(run_dir))
        write_target_table(target_table(run_dir), run_dir)
    OUT.print(f"report: {path}")


@app.command()
def sweep() -> None:
    """Sweep storage sizes over weather and hydrology years on Dask."""
    _not_built("sweep", "issue 6: storage sweeps")


@app.command()
def adequacy() -> None:
    """Monte Carlo loss-of-load statistics over weather, hydrology and outages."""
    _not_built("adequacy", "issue 7: probabilistic adequacy")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if not debug:  # the libraries' progress chatter goes to a run's log.txt, not the terminal
        for name in ("pypsa", "linopy"):
            logging.getLogger(name).setLevel(logging.WARNING)
    try:
        result = app(args=args, prog_name="gzgrid", standalone_mode=False)
    except GzgridError as exc:
        if debug:
            raise
        err.print(f"[red]error:[/red] {exc}", soft_wrap=True)
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
