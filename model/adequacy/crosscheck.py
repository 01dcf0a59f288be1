"""The LP cross-check: the same sample years through the dispatch LP, compared with the engine.

For each chosen sample year the network is built by :func:`model.network.build_network` from
that sample's weather and hydrology, with the engine's thermal availability: each thermal
generator (a register row) gets ``p_max_pu`` = its available capacity / ``p_nom`` in every hour,
from the same forced-outage draws, planned maintenance and (when the sample drew them) coal
supply spells as the engine's. It is then solved in one piece
(``monolithic``: perfect foresight). To compare like with like, the LP is given the engine's
conventions where they differ from a dispatch run:

- thermal without minimum load, must-run, unit commitment, ramp limits or security floor;
- lossless corridors (export links keep their losses, as in the engine);
- no hydrogen demand (the engine has no hydrogen; fuel cells and electrolysers stay, so the
  LP can still shift energy through its stores);
- storage starts full, as in the engine, instead of being cyclic, and may end anywhere.

Reservoirs are left as the network builds them, which is where the engine starts them too: the
seasonal ones on their lower guide (or the scenario's ``reservoir_start``) under their ceiling,
ponds half full, none cyclic. The network's guide band and terminal value are prices, far below
the value of lost load, so they never make the LP shed load to keep water.

Everything the engine can do is then feasible for the LP, which also knows the whole horizon in
advance, so the LP's unserved energy should not exceed the engine's. Remaining differences:
the LP has hydrogen storage (0.1 GW of fuel cells) and routes cascade water hour by hour, while
the engine gives each station a virtual reservoir of the water upstream (see
:mod:`model.adequacy.reservoirs`), which lets it time downstream releases more freely. The gap
(engine minus LP) is the price of deciding hour by hour without foresight.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from model.adequacy.montecarlo import prepare_batch, run_engine, thermal_capacity
from model.adequacy.system import AdequacySystem, build_system
from model.dispatch import dispatch
from model.network import build_network
from model.register import Register
from model.reliability import loss_of_load_hours
from model.scenario import Scenario, with_overrides
from model.thermal import outages


def lp_scenario(scenario: Scenario, hours: int) -> Scenario:
    """The scenario as the cross-check solves it: monolithic, no commitment, must-run or floor.

    Outages, supply spells and the fuel chain are switched off in the network: :func:`apply_sample`
    puts in the sample's own thermal availability, which carries the engine's fuel cap.
    """
    return with_overrides(
        scenario,
        **{
            "dispatch.mode": "monolithic",
            "dispatch.horizon_hours": hours if hours < 8760 else None,
            "dispatch.unit_commitment": False,
            "dispatch.must_run": [],
            "coal.floor_mw": 0.0,
            "coal.outages": "none",
            "coal.supply_stress": False,
            # the engine's fuel cap is in the sample's thermal availability (apply_sample)
            "coal.fuel_chain": False,
        },
    )


def apply_sample(
    n: pypsa.Network, system: AdequacySystem, row_mw: np.ndarray, export_avail: np.ndarray
) -> None:
    """Put one sample's outages and the engine's conventions into network ``n`` (in place).

    Parameters
    ----------
    n : pypsa.Network
        Built by :func:`model.network.build_network` for the sample's weather year.
    system : AdequacySystem
        Gives the thermal rows.
    row_mw : numpy.ndarray, shape (rows, T)
        Available thermal capacity per register row [MW] (:func:`~model.adequacy.montecarlo.
        thermal_capacity` by row).
    export_avail : numpy.ndarray, shape (K, T)
        Available share of each export link [-].
    """
    links = n.c.links
    for c in (n.c.generators, links):  # gas and biomass generators, coal row links
        static = c.static
        rows = [r for r in system.thermal_rows if r in static.index]
        at = [system.thermal_rows.index(r) for r in rows]
        p_nom = static.p_nom[rows].to_numpy()
        share = np.divide(row_mw[at], p_nom[:, None], out=np.zeros((len(rows), row_mw.shape[1])),
                          where=p_nom[:, None] > 0)  # fmt: skip
        avail = pd.DataFrame(np.clip(share.T, 0.0, 1.0), index=n.snapshots, columns=rows)
        kept = c.dynamic.p_max_pu.drop(columns=rows, errors="ignore")
        c.dynamic.p_max_pu = pd.concat([kept, avail], axis=1)
        c.dynamic.p_min_pu = c.dynamic.p_min_pu.drop(columns=rows, errors="ignore")
        static.loc[rows, "p_min_pu"] = 0.0
    units = links.static.index[links.static.carrier == "coal_unit"]  # the rows' links carry the outages
    links.dynamic.p_max_pu = links.dynamic.p_max_pu.drop(columns=units, errors="ignore")
    links.dynamic.p_min_pu = links.dynamic.p_min_pu.drop(columns=units, errors="ignore")
    links.static.loc[units, ["p_min_pu", "p_max_pu"]] = [0.0, 1.0]
    for c in (n.c.generators, links):
        c.static["committable"] = False
        for attr in ("ramp_limit_up", "ramp_limit_down"):
            c.static[attr] = np.nan
    links.static.loc[links.static.carrier == "transmission", "efficiency"] = 1.0
    export = links.static.index[links.static.carrier == "export"]
    if np.any(export_avail < 1):
        links.dynamic.p_max_pu = pd.concat(
            [links.dynamic.p_max_pu.drop(columns=export, errors="ignore"),
             pd.DataFrame(export_avail.T, index=n.snapshots, columns=export)], axis=1,
        )  # fmt: skip
    loads = n.c.loads.static
    n.c.loads.static.loc[loads.carrier == "H2", "p_set"] = 0.0
    units = n.c.storage_units.static
    units["cyclic_state_of_charge"] = False
    units["state_of_charge_initial"] = units.p_nom * units.max_hours


def lp_shortfall(n: pypsa.Network) -> np.ndarray:
    """Provincial load shedding of a solved network per hour [MW]."""
    g = n.c.generators.static
    return n.c.generators.dynamic.p.loc[:, g.index[g.carrier == "load_shedding"]].sum(axis=1).to_numpy()


def lp_crosscheck(
    scenario: Scenario,
    register: Register,
    samples: list[int] | np.ndarray,
    seed: int | None = None,
    hours: int | None = None,
) -> xr.Dataset:
    """Engine and dispatch LP on the same sample years; their EUE and LOLE side by side.

    Parameters
    ----------
    scenario : Scenario
        The system.
    register : Register
        The asset register.
    samples : list of int
        Sample indices (as in :func:`model.adequacy.run_adequacy` with the same seed).
    seed : int, optional
        Seed (default: ``scenario.weather.seed``).
    hours : int, optional
        Horizon from 1 January [h] (default: the scenario's, else 8,760).

    Returns
    -------
    xarray.Dataset
        Dim ``lp_sample``: ``lp_sample_index``, ``lp_hydrology``, ``lp_coal_stress``, ``engine_eue_mwh``,
        ``lp_eue_mwh``, ``engine_lole_h``, ``lp_lole_h``, ``lp_solve_s``; attributes summarising
        the agreement (``lp_gap_eue_mwh_max``, ``lp_never_worse``, ...).
    """
    seed = scenario.weather.seed if seed is None else int(seed)
    system = build_system(scenario, register, hours)
    solved = lp_scenario(scenario, system.hours)
    rows = []
    for i in (int(s) for s in samples):
        batch = prepare_batch(system, scenario, register, seed, np.array([i]), keep_profiles=True)
        engine_short = run_engine(system, batch)[0][0].astype(float)
        n_rows = len(system.thermal_rows)
        keys = outages.sample_keys(seed, batch.index)
        row_mw = thermal_capacity(system, keys, batch.coal_stress, np.arange(n_rows), n_rows)[0]
        n = build_network(solved, register, batch.profiles)
        apply_sample(n, system, row_mw, batch.export_avail[0])
        t0 = time.perf_counter()
        dispatch(n, solved.dispatch, solved.solver)
        lp_short = lp_shortfall(n)
        rows.append(
            {
                "index": i,
                "hydrology": batch.classes[0],
                "coal_stress": int(batch.coal_stress[0]),
                "engine_eue": engine_short.sum(),
                "lp_eue": lp_short.sum(),
                "engine_lole": float(loss_of_load_hours(engine_short)),
                "lp_lole": float(loss_of_load_hours(lp_short)),
                "solve_s": time.perf_counter() - t0,
            }
        )
    return comparison_dataset(pd.DataFrame(rows), system.hours)


def comparison_dataset(df: pd.DataFrame, hours: int) -> xr.Dataset:
    """The engine-versus-LP table as a dataset with the agreement in its attributes."""
    gap = (df.engine_eue - df.lp_eue).to_numpy()
    engine_total = float(df.engine_eue.sum())

    def var(col: str, units: str, what: str) -> xr.Variable:
        return xr.Variable("lp_sample", df[col].to_numpy(), {"units": units, "long_name": what})

    ds = xr.Dataset(
        {
            "lp_sample_index": var("index", "1", "sample year index"),
            "lp_hydrology": var("hydrology", "1", "hydrology: a class or an observed year").astype(str),
            "lp_coal_stress": var("coal_stress", "1", "the coal supply spells struck the sample year"),
            "engine_eue_mwh": var("engine_eue", "MWh", "unserved energy, engine"),
            "lp_eue_mwh": var("lp_eue", "MWh", "unserved energy, dispatch LP"),
            "engine_lole_h": var("engine_lole", "h", "loss-of-load hours, engine"),
            "lp_lole_h": var("lp_lole", "h", "loss-of-load hours, dispatch LP"),
            "lp_solve_s": var("solve_s", "s", "LP wall time"),
        },
        attrs={
            "lp_samples": len(df),
            "lp_hours": hours,
            # the LP may not beat the engine by more than solver tolerance (1 MWh or 0.1 %)
            "lp_never_worse": int(np.all(gap >= -np.maximum(1.0, 1e-3 * df.engine_eue.to_numpy()))),
            "lp_gap_eue_mwh_mean": float(gap.mean()) if len(df) else 0.0,
            "lp_gap_eue_mwh_max": float(gap.max()) if len(df) else 0.0,
            "lp_gap_eue_share": float(gap.sum() / engine_total) if engine_total > 0 else 0.0,
            "lp_gap_lole_h_mean": float((df.engine_lole - df.lp_lole).mean()) if len(df) else 0.0,
        },
    )
    return ds
