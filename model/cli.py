"""The ``gzgrid`` command line: parses arguments and calls the public functions the tests call.

Errors a user can cause are printed as one line on stderr with exit status 2; ``--debug`` shows
the traceback instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from model import NETWORK_DATA
from model.errors import GzgridError

app = typer.Typer(
    name="gzgrid",
    help="Hourly power-system simulator of Guizhou province (PyPSA + HiGHS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, width=100)
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
        out.print(table)
        demand = register.demand_row(scenario.year, scenario.demand_case)
        peak = peak_estimate_mw(register, scenario)
        dr = dr_share(register, scenario)
        out.print(
            f"demand: {demand.annual_twh:g} TWh ({scenario.demand_case}), peak about {peak / 1e3:.1f} GW "
            f"at load factor {demand.load_factor:g}; DR {dr:.0%} of peak = {dr * peak / 1e3:.2f} GW\n"
            f"hydrology: {scenario.hydrology}; weather seed {scenario.weather.seed}, year "
            f"{scenario.weather.year}; dispatch {scenario.dispatch.mode}; standard LOLE <= "
            f"{scenario.adequacy.lole_h:g} h/yr\n"
        )
    out.print(f"[green]ok[/green]: {len(scenarios)} scenario(s) valid against the register in {register_dir}")


@app.command()
def profiles() -> None:
    """Generate weather and demand profiles and print their calibration table."""
    _not_built("profiles", "issue 3: weather generator")


@app.command()
def run() -> None:
    """Dispatch a scenario hour by hour for a year and write its run folder."""
    _not_built("run", "issue 4: annual dispatch")


@app.command()
def targets() -> None:
    """Compare a run with the plan's targets."""
    _not_built("targets", "issue 5: target check")


@app.command()
def report() -> None:
    """Write the HTML report of a run."""
    _not_built("report", "issue 5: report")


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
