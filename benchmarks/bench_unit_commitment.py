"""Coal unit commitment on weeks of the 2030 network: PyPSA's linearised UC against a clustered integer UC.

Usage::

    .venv/bin/python benchmarks/bench_unit_commitment.py [--weeks 1 14 28] [--time-limit 300]
        [--gap 0.001] [--no-concat] [--startup-cost 1050] [--min-time H]
        [--scenario runs/2030-target.yaml]

(``--startup-cost`` and ``--min-time`` are sensitivities; the defaults are the parameters below.)

What it measures
----------------
Coal is aggregated per prefecture and unit class (rows of ``data/network/thermal.csv``: ``units_2030``
identical units of ``unit_mw``). Each case (one week of 168 h, week ``k`` = hours ``168 (k-1)`` to
``168 k - 1`` of the year; and the chosen weeks concatenated into one horizon) is solved four ways:

``off``
    Plain LP: coal not committed, ``p_min_pu = 0``, ramp 0.5 p.u./h. The reference without UC.
``lin``
    PyPSA's linearised UC (``committable=True``, ``linearized_unit_commitment=True``). The status of
    an aggregated generator is continuous in [0, 1] (the share of its units committed); the start-up
    cost is per start of the whole block (``start_up_cost = c_su * p_nom``), no shut-down cost. Because
    the start-up and shut-down costs differ, PyPSA leaves out its tightening constraints (Hua et al. 2017).
``lin-t``
    As ``lin`` but the start-up cost split evenly between start-up and shut-down
    (``start_up_cost = shut_down_cost = c_su p_nom / 2``), so PyPSA adds its tightening constraints.
    Over a horizon the two differ only by the change of commitment between its ends.
``int``
    Clustered integer UC (Palmintier 2014), written here with linopy on the model of
    ``n.optimize.create_model()`` (coal made non-committable with ``p_min_pu = 0``): integer committed
    units ``u[g,t]`` in 0..N_g; continuous start-ups and shut-downs ``su, sd >= 0`` with
    ``u[t] - u[t-1] = su[t] - sd[t]`` (integral at the optimum since ``u`` is); ``p >= u unit_mw p_min_pu``,
    ``p <= u unit_mw p_max_pu``; minimum up time ``sum(su[t-L_up+1..t]) <= u[t]``; minimum down time
    ``sum(sd[t-L_dn+1..t]) <= N - u[t]``; ramps ``p[t] - p[t-1] <= r unit_mw u[t]`` and
    ``>= -r unit_mw u[t-1]`` (PyPSA's committable ramp rule with start-up/shut-down ramps equal to ``r``);
    start-up cost ``c_su unit_mw`` per unit start. Solved as a MILP by HiGHS with a relative gap
    (``--gap``) and a time limit.

With ``u = s N`` the ``lin`` model is the LP relaxation of ``int`` (same ramps, same up/down times,
same start cost per MW), so its objective is a lower bound of the integer one.

Parameters, the same for every formulation:

- minimum stable load ``p_min_pu`` from thermal.csv: 0.3 (>= 600 MW classes), 0.4 (300 MW class);
- start-up cost ``c_su`` = 124 USD(2011)/MW per start (NREL ReEDS, DATA.md S63) x 6.5 CNY/USD x 1.3
  (inflation 2011-2025) ~= 1,050 CNY per MW started;
- minimum up and down time 8 h for ``sub300``, 10 h for the larger classes (assumption);
- ramp 0.5 p.u./h (thermal.csv), also for start-up and shut-down;
- at the first hour every coal unit is on and has been on long enough to shut down freely
  (PyPSA: ``up_time_before = 24``, ``down_time_before = 0``); no ramp limit into the first hour;
- gas and biomass are not committed (``p_min_pu = 0``) in every formulation;
- reservoirs, pumped hydro, batteries and H2 stores are cyclic within each horizon; the DR energy cap
  (``e_sum_max``) is scaled to the horizon's length; DR per-event caps (applied by ``model.dispatch``)
  are left out. The concatenated case is one horizon of the weeks in the order given: contiguous when
  they are adjacent (``--weeks 49 50 51``); otherwise its seams are not physical and it measures how the
  solve time grows with the horizon.

Printed per case and formulation: time to build the linopy model and to solve it [s], the termination
condition and MILP gap reached, the objective and the operating cost with start-ups priced at ``c_su``
per MW started whatever the formulation [million CNY], coal generation [GWh], start-ups [unit starts and
GW started], the share of committed generator-hours whose implied unit count ``s N`` is fractional
(``lin``), the generator-hours (and GWh) where coal runs above zero but below one unit's minimum load
(``0 < p < unit_mw p_min_pu``: no integer fleet can deliver that), PV curtailment and load shed [GWh].
Then per case the ratios ``int`` / ``lin``: time, objective difference, start-up difference.

A solve counts only when its termination condition is ``optimal`` (a time-limited LP comes back as
status ``ok`` with a garbage solution); a MILP stopped at the time limit is shown with its incumbent
and gap, flagged ``time_limit``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa
import xarray as xr
from linopy import merge

ROOT = Path(__file__).resolve().parent.parent

#: Start-up cost: 124 USD(2011)/MW (S63) x 6.5 CNY/USD x 1.3 inflation to 2025 = 1,048 [CNY/MW started].
STARTUP_CNY_PER_MW = 1050.0
#: Minimum up and down times by unit class [h] (assumption); classes not listed get ``MIN_TIME_DEFAULT_H``.
MIN_TIME_H = {"sub300": 8}
MIN_TIME_DEFAULT_H = 10
#: Ramp limit of coal, also for start-up and shut-down [p.u./h].
RAMP_PU = 0.5
#: Hours coal has been on before the horizon (long enough to shut down at once) [h].
UP_BEFORE_H = 24
WEEK_H = 168
FORMS = ("off", "lin", "lin-t", "int")


def base_network(
    scenario: Path, startup_cny_per_mw: float = STARTUP_CNY_PER_MW, min_time_h: int | None = None
) -> tuple[pypsa.Network, pd.DataFrame, float]:
    """The full-year network with coal UC on, the coal fleet table and the build time [s].

    ``min_time_h`` replaces the minimum up and down times of every class [h].
    """
    from model.network import build_network
    from model.register import load_register
    from model.run import scenario_profiles
    from model.scenario import load_scenario, with_overrides

    t = time.perf_counter()
    sc = with_overrides(load_scenario(scenario), **{"dispatch.unit_commitment": True})
    reg = load_register()
    n = build_network(sc, reg, scenario_profiles(sc, reg))
    build_s = time.perf_counter() - t
    g = n.c.generators.static
    th = reg.thermal.set_index("id")
    coal = th[(th.carrier == "coal")].copy()
    coal["p_nom"] = g.p_nom.reindex(coal.index)
    coal = coal[coal.p_nom > 0]
    coal["units"] = (coal.p_nom / coal.unit_mw).round().astype(int)
    coal["min_time_h"] = [min_time_h or MIN_TIME_H.get(c, MIN_TIME_DEFAULT_H) for c in coal.unit_class]
    coal["su_cny_per_mw"] = startup_cny_per_mw
    # gas and biomass are not committed: as in a build without UC
    other = g.index[g.carrier.isin(["gas", "biomass"])]
    g.loc[other, "committable"] = False
    g.loc[other, "p_min_pu"] = 0.0
    g.loc[g.index.difference(coal.index).intersection(g.index[g.carrier == "coal"]), "committable"] = False
    return n, coal, build_s


def case_network(n: pypsa.Network, weeks: list[int]) -> pypsa.Network:
    """A copy of ``n`` on the hours of ``weeks`` (in that order), DR energy cap scaled to them."""
    pos = np.concatenate([np.arange((w - 1) * WEEK_H, w * WEEK_H) for w in weeks])
    c = n.copy()  # n.copy(snapshots=...) leaves str dtypes in empty tables (PyPSA 1.4, pandas 3)
    c.set_snapshots(n.snapshots[pos])
    g = c.c.generators.static
    dr = g.index[g.carrier == "dr"]
    g.loc[dr, "e_sum_max"] *= len(pos) / len(n.snapshots)
    return c


def configure(n: pypsa.Network, coal: pd.DataFrame, form: str) -> None:
    """Set the coal attributes of ``form`` on ``n``."""
    g = n.c.generators.static
    ids = coal.index
    g.loc[ids, ["ramp_limit_up", "ramp_limit_down"]] = RAMP_PU
    g.loc[ids, ["ramp_limit_start_up", "ramp_limit_shut_down"]] = RAMP_PU
    if form in ("off", "int"):
        g.loc[ids, "committable"] = False
        g.loc[ids, "p_min_pu"] = 0.0
        if form == "int":  # the clustered ramp rule replaces PyPSA's (implied by it)
            ramps = ["ramp_limit_up", "ramp_limit_down", "ramp_limit_start_up", "ramp_limit_shut_down"]
            g.loc[ids, ramps] = np.nan
        return
    g.loc[ids, "committable"] = True
    g.loc[ids, "p_min_pu"] = coal.p_min_pu
    g.loc[ids, "min_up_time"] = coal.min_time_h
    g.loc[ids, "min_down_time"] = coal.min_time_h
    g.loc[ids, "up_time_before"] = UP_BEFORE_H
    g.loc[ids, "down_time_before"] = 0
    cost = coal.su_cny_per_mw * coal.p_nom
    g.loc[ids, "start_up_cost"] = cost if form == "lin" else cost / 2
    g.loc[ids, "shut_down_cost"] = 0.0 if form == "lin" else cost / 2


def _window_sum(x, length: xr.DataArray):
    """``sum(x[t-k] for k < length[name])`` as a linear expression (terms before t = 0 dropped)."""
    return merge(
        [x.to_linexpr().shift(snapshot=k).where(k < length).fillna(0) for k in range(int(length.max()))]
    )


def add_clustered_uc(n: pypsa.Network, coal: pd.DataFrame) -> None:
    """Add the clustered integer UC of the coal fleet to ``n.model`` (see the module docstring)."""
    m = n.model
    sns = pd.Index(n.snapshots, name="snapshot")
    names = pd.Index(coal.index, name="name")

    def per_gen(values) -> xr.DataArray:
        return xr.DataArray(np.asarray(values, dtype=float), coords=[names])

    n_units, unit = per_gen(coal.units), per_gen(coal.unit_mw)
    length = per_gen(coal.min_time_h)
    upper = xr.DataArray(np.tile(coal.units.to_numpy(float), (len(sns), 1)), coords=[sns, names])
    u = m.add_variables(lower=0, upper=upper, integer=True, name="Generator-units")
    su = m.add_variables(lower=0, coords=[sns, names], name="Generator-unit_start_up")
    sd = m.add_variables(lower=0, coords=[sns, names], name="Generator-unit_shut_down")
    p = m["Generator-p"].sel(name=names)
    first = xr.DataArray([1.0] + [0.0] * (len(sns) - 1), coords=[sns])
    later = xr.DataArray([False] + [True] * (len(sns) - 1), coords=[sns]) & (n_units > 0)
    p_max_pu = xr.DataArray(n.get_switchable_as_dense("Generator", "p_max_pu")[names].to_numpy(),
                            coords=[sns, names])  # fmt: skip
    m.add_constraints(p - unit * per_gen(coal.p_min_pu) * u >= 0, name="Generator-units-p-lower")
    m.add_constraints(p - unit * p_max_pu * u <= 0, name="Generator-units-p-upper")
    u_prev = u.to_linexpr().shift(snapshot=1).fillna(0)
    # all units on before the horizon, long enough to be free to shut down
    m.add_constraints(u - u_prev - su + sd == first * n_units, name="Generator-units-transition")
    m.add_constraints(_window_sum(su, length) - u <= 0, name="Generator-units-up-time")
    m.add_constraints(_window_sum(sd, length) + u <= n_units, name="Generator-units-down-time")
    p_prev = p.to_linexpr().shift(snapshot=1).fillna(0)
    m.add_constraints(p - p_prev - RAMP_PU * unit * u <= 0, name="Generator-units-ramp-up", mask=later)
    m.add_constraints(p - p_prev + RAMP_PU * unit * u_prev >= 0, name="Generator-units-ramp-down", mask=later)
    m.add_objective(m.objective.expression + (per_gen(coal.su_cny_per_mw) * unit * su).sum(), overwrite=True)


@contextlib.contextmanager
def _quiet_stdout():
    """Silence the HiGHS banner, written to file descriptor 1 even with ``output_flag: False``."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def solve(n: pypsa.Network, coal: pd.DataFrame, form: str, time_limit: float, gap: float) -> dict:
    """Build and solve ``form`` on ``n`` in place; timings, termination and MILP gap."""
    configure(n, coal, form)
    t = time.perf_counter()
    n.optimize.create_model(linearized_unit_commitment=form != "int" and form != "off",
                            include_objective_constant=False)  # fmt: skip
    if form == "int":
        add_clustered_uc(n, coal)
    build_s = time.perf_counter() - t
    options = {"output_flag": False, "time_limit": float(time_limit)}
    if form == "int":
        options["mip_rel_gap"] = gap
    t = time.perf_counter()
    with _quiet_stdout():
        status, cond = n.optimize.solve_model(solver_name="highs", io_api="direct", solver_options=options)
    solve_s = time.perf_counter() - t
    out = {"build_s": build_s, "solve_s": solve_s, "status": status, "cond": cond, "gap": np.nan}
    if form == "int":
        info = n.model.solver_model.getInfo()
        out["gap"] = info.mip_gap
        out["usable"] = cond == "optimal" or (cond == "time_limit" and info.primal_solution_status == 2)
    else:
        out["usable"] = cond == "optimal"
    return out


def measure(n: pypsa.Network, coal: pd.DataFrame, form: str) -> dict:
    """Results of a solved ``form`` on ``n`` (see the module docstring)."""
    m, g, dyn = n.model, n.c.generators.static, n.c.generators.dynamic
    ids = coal.index
    p = dyn.p[ids]
    unit = coal.unit_mw
    if form == "int":
        units = m["Generator-units"].solution.to_pandas()[ids]
        su = m["Generator-unit_start_up"].solution.to_pandas()[ids]
        started = su * unit
        transition_cost = (started * coal.su_cny_per_mw).to_numpy().sum()
        frac = np.nan
    elif form in ("lin", "lin-t"):
        status = m["Generator-status"].solution.to_pandas()[ids]
        su = m["Generator-start_up"].solution.to_pandas()[ids]
        sd = m["Generator-shut_down"].solution.to_pandas()[ids]
        started = su * coal.p_nom
        transition_cost = (su * g.start_up_cost[ids]).to_numpy().sum() + (
            sd * g.shut_down_cost[ids]
        ).to_numpy().sum()
        units = status * coal.units
        on = units > 0.01
        fractional = ((units - units.round()).abs() > 0.01) & on
        frac = float(fractional.to_numpy().sum() / max(on.to_numpy().sum(), 1))
        below = p < status * coal.p_min_pu * coal.p_nom - 1e-3
        assert not below.to_numpy().any(), "relaxed status with output below its minimum load"
    else:
        started, transition_cost, frac = p * 0, 0.0, np.nan
    sub = (p > 1e-3) & (p < unit * coal.p_min_pu - 1e-3)
    solar = g.index[g.carrier == "solar"]
    avail = n.get_switchable_as_dense("Generator", "p_max_pu")[solar] * g.p_nom[solar]
    shed = g.index[g.carrier == "load_shedding"]
    objective = float(m.objective.value)
    return {
        "objective": objective,
        "cost": objective - transition_cost + (started * coal.su_cny_per_mw).to_numpy().sum(),
        "coal_gwh": p.to_numpy().sum() / 1e3,
        "unit_starts": np.nan if form == "off" else (unit_starts(su, coal, form)),
        "gw_started": np.nan if form == "off" else started.to_numpy().sum() / 1e3,
        "frac_units": frac,
        "sub_min_h": int(sub.to_numpy().sum()),
        "sub_min_gwh": p[sub].fillna(0).to_numpy().sum() / 1e3,
        "pv_curt_gwh": max((avail - dyn.p[solar]).to_numpy().sum() / 1e3, 0.0),
        "shed_gwh": dyn.p[shed].to_numpy().sum() / 1e3,
        "starts_integral": bool(np.allclose(su, su.round(), atol=1e-4)) if form == "int" else None,
    }


def unit_starts(su: pd.DataFrame, coal: pd.DataFrame, form: str) -> float:
    """Unit starts: ``su`` counts units (``int``) or shares of a block (``lin``) [-]."""
    return float((su if form == "int" else su * coal.units).to_numpy().sum())


def run_case(base: pypsa.Network, coal: pd.DataFrame, weeks: list[int], time_limit: float, gap: float):
    """Solve every formulation on the hours of ``weeks``; one row per formulation."""
    rows = []
    for form in FORMS:
        n = case_network(base, weeks)
        res = solve(n, coal, form, time_limit, gap)
        if res["usable"]:
            res.update(measure(n, coal, form))
        rows.append({"case": "+".join(map(str, weeks)), "hours": len(n.snapshots), "form": form, **res})
        print(_row(rows[-1]), flush=True)
    return rows


HEADER = (
    f"{'case':>9} {'form':>5} {'build':>6} {'solve':>7} {'cond':>10} {'gap%':>5} {'obj MCNY':>9} "
    f"{'cost*':>9} {'coal GWh':>9} {'starts':>7} {'GW st':>6} {'frac%':>6} {'sub-min h':>9} "
    f"{'(GWh)':>6} {'PVcurt':>7} {'shed':>6}"
)


def _row(r: dict) -> str:
    head = f"{r['case']:>9} {r['form']:>5} {r['build_s']:6.1f} {r['solve_s']:7.1f} {r['cond']:>10} "
    head += f"{r['gap'] * 100:5.2f} " if np.isfinite(r["gap"]) else f"{'-':>5} "
    if "objective" not in r:
        return head + "(no usable solution)"
    starts = f"{r['unit_starts']:7.1f}" if np.isfinite(r["unit_starts"]) else f"{'-':>7}"
    gw = f"{r['gw_started']:6.1f}" if np.isfinite(r["gw_started"]) else f"{'-':>6}"
    frac = f"{r['frac_units'] * 100:6.1f}" if np.isfinite(r["frac_units"]) else f"{'-':>6}"
    return head + (
        f"{r['objective'] / 1e6:9.2f} {r['cost'] / 1e6:9.2f} {r['coal_gwh']:9.1f} {starts} {gw} {frac} "
        f"{r['sub_min_h']:9d} {r['sub_min_gwh']:6.2f} {r['pv_curt_gwh']:7.1f} {r['shed_gwh']:6.2f}"
    )


def _ratios(rows: list[dict]) -> str:
    by = {r["form"]: r for r in rows}
    a, b, off = by["lin"], by["int"], by["off"]
    if "objective" not in a or "objective" not in b:
        return f"{rows[0]['case']:>9}: no ratio (a solve was not usable)"
    t_a, t_b = a["build_s"] + a["solve_s"], b["build_s"] + b["solve_s"]
    line = (
        f"{rows[0]['case']:>9}: int/lin time {t_b / t_a:5.1f}x (solve {b['solve_s'] / a['solve_s']:5.1f}x); "
        f"objective int vs lin {100 * (b['objective'] / a['objective'] - 1):+.3f} %; "
        f"unit starts int - lin {b['unit_starts'] - a['unit_starts']:+.1f} "
        f"({b['gw_started'] - a['gw_started']:+.2f} GW)"
    )
    if "objective" in off:
        line += f"; UC cost over plain LP: lin {100 * (a['cost'] / off['cost'] - 1):+.2f} %, "
        line += f"int {100 * (b['cost'] / off['cost'] - 1):+.2f} %"
    if "objective" in by["lin-t"]:
        lt = by["lin-t"]
        line += f"; lin-t vs lin objective {100 * (lt['cost'] / a['cost'] - 1):+.3f} % (cost*)"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, nargs="+", default=[1, 14, 28], help="weeks of the year (1-52)")
    parser.add_argument("--time-limit", type=float, default=300.0, help="HiGHS time limit per solve [s]")
    parser.add_argument("--gap", type=float, default=1e-3, help="MILP relative gap (0.001 = 0.1 %%)")
    parser.add_argument("--no-concat", action="store_true", help="skip the case of the weeks concatenated")
    parser.add_argument("--startup-cost", type=float, default=STARTUP_CNY_PER_MW,
                        help="start-up cost (sensitivity) [CNY/MW started]")  # fmt: skip
    parser.add_argument("--min-time", type=int, default=None, help="min up/down time of every class [h]")
    parser.add_argument("--scenario", type=Path, default=ROOT / "runs" / "2030-target.yaml")
    args = parser.parse_args()
    pypsa.options.general.allow_network_requests = False
    pypsa.options.api.legacy_string_dtype = False
    for name in ("pypsa", "linopy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning)

    base, coal, build_s = base_network(args.scenario, args.startup_cost, args.min_time)
    times = args.min_time or f"{MIN_TIME_H} else {MIN_TIME_DEFAULT_H}"
    print(f"network: {len(base.snapshots)} h built in {build_s:.1f} s; coal {coal.p_nom.sum() / 1e3:.1f} GW "
          f"in {len(coal)} blocks, {coal.units.sum()} units; start-up {args.startup_cost:.0f} CNY/MW, "
          f"min up/down {times} h, ramp {RAMP_PU} p.u./h; MILP gap {args.gap:.2%}, time limit "
          f"{args.time_limit:.0f} s")  # fmt: skip
    print("cost* = objective with start-ups re-priced at the start-up cost per MW started (comparable)")
    print(HEADER)
    cases = [[w] for w in args.weeks]
    if len(args.weeks) > 1 and not args.no_concat:
        cases.append(list(args.weeks))
    results = [run_case(base, coal, weeks, args.time_limit, args.gap) for weeks in cases]
    print()
    for rows in results:
        print(_ratios(rows))
    for rows in results:
        for r in rows:
            if r.get("starts_integral") is False:
                print(f"note: case {r['case']}: start-ups of 'int' came out fractional")


if __name__ == "__main__":
    main()
