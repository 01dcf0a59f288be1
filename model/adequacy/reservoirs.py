"""Reservoir hydro for the adequacy engine: cascades folded into each station's own reservoir,
and the seasonal guide curve that sets how much water is released.

Cascades. The weather generator gives each station's *local* inflow as energy at its own head.
The dispatch LP routes released water down the cascade with zero delay (worth
``head_down / head_up`` as much at the next station). The engine simulates every register
station on its own (pooling a prefecture's stations let small plants drain the large
reservoirs), and gives each

- its *natural* inflow: its local inflow plus everything upstream, converted to its head
  (what reaches it if the upstream stations pass their inflow on, the same sum the network uses
  for the ecological floor); and
- a *virtual* reservoir: its own storage plus every upstream reservoir converted to its head,
  since water held upstream is water this station can also turbine later.

Summed over a cascade this gives the LP's cascade energy and storage exactly; what it loses is
the coupling in time (the engine lets a downstream station release its share of upstream water
when the upstream station does not), which makes the engine slightly optimistic in cascades.

Rule curves. Chinese reservoirs are run by a dispatch diagram (水库调度图), which the register
gives as ``reservoir_rules.csv`` (:func:`model.reservoirs.rule_curves`). Each *seasonal*
reservoir (:func:`model.reservoirs.is_seasonal`, as the dispatch network decides it) follows its
**lower guide**: water above it is released (generated up to the turbine power), water below it
is held, and every MWh of held water is available to meet a shortfall that thermal plant cannot.
So the guide decides how much water is held back, never whether it can be used in an
emergency. The **ceiling** (the flood-season limit level) is hard: water above it at the end of
an hour is spilled. A year starts on the lower guide of its first hour, or at the scenario's
``reservoir_start``, as the dispatch network starts it. Ponds and non-seasonal pools keep the
engine's own guide (:func:`guide_share`: full on 1 November, :data:`GUIDE_LOW` on 1 June), which
keeps most of their water for shortfalls, start half full as in the network, and spill only when
full. A station's virtual reservoir folds these in: its guide, ceiling and start are the sums
of those of its own and its upstream reservoirs, at its head. Following the lower guide
rather than the dispatch LP's trajectory: with hydro displacing coal at nearly equal cost that
trajectory is degenerate (many equally cheap paths) and belongs to one weather year, and the
rule curve costs nothing at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numba import njit, prange

from model.reservoirs import is_seasonal, rule_curves

#: Day of year (0-based) when a pond's guide is lowest: 1 June, start of the flood season.
GUIDE_LOW_DAY = 151
#: Day of year (0-based) when a pond's guide is full: 1 November, end of the refill.
GUIDE_FULL_DAY = 304
#: A pond's guide at its lowest, as a share of the pond [-]: water kept for shortfalls in June.
GUIDE_LOW = 0.25
#: Level of ponds and non-seasonal pools at the first hour [share]: half full, as the dispatch
#: network starts them (:func:`model.network.hydro.add_hydro`), so the LP cross-check compares like with like.
POND_START_SHARE = 0.5


@dataclass(frozen=True)
class ReservoirRules:
    """Guide, ceiling and start of each station's reservoir [MWh], own or virtual (:func:`virtual_rules`)."""

    guide_mwh: np.ndarray  # (H, T) water above it is released in normal hours
    ceiling_mwh: np.ndarray  # (H, T) water above it at the end of an hour is spilled
    start_mwh: np.ndarray  # (H,) level at the first hour
    seasonal: np.ndarray  # (H,) bool: the station's own reservoir follows the register's rule


def guide_share(n_hours: int) -> np.ndarray:
    """The engine's own guide for ponds, as a share of each pond, per hour of a 365-day year [-]."""
    day = np.arange(n_hours) // 24 + (np.arange(n_hours) % 24) / 24.0
    # days since the guide was full (1 November of the previous year wraps round)
    since_full = (day - GUIDE_FULL_DAY) % 365
    draw_days = (GUIDE_LOW_DAY - GUIDE_FULL_DAY) % 365
    falling = since_full <= draw_days
    share = np.where(
        falling,
        1.0 - (1.0 - GUIDE_LOW) * since_full / draw_days,
        GUIDE_LOW + (1.0 - GUIDE_LOW) * (since_full - draw_days) / (365 - draw_days),
    )
    return share


def upstream_chains(hydro: pd.DataFrame) -> dict[str, list[tuple[str, float]]]:
    """For each station, itself and every station upstream with the head ratio to it [-].

    ``hydro`` is the register's hydro table indexed by id (``downstream``, ``head_m``). The
    ratio ``head_j / head_k`` converts energy at ``k``'s head into energy at ``j``'s head.
    """
    up: dict[str, list[str]] = {sid: [] for sid in hydro.index}
    for sid, down in zip(hydro.index, hydro.downstream, strict=True):
        if down:
            up[down].append(sid)
    chains: dict[str, list[tuple[str, float]]] = {}

    def walk(sid: str) -> list[tuple[str, float]]:
        if sid not in chains:
            head = hydro.head_m[sid]
            found = [(sid, 1.0)]
            for u in up[sid]:
                found += [(k, r * head / hydro.head_m[u]) for k, r in walk(u)]
            chains[sid] = found
        return chains[sid]

    for sid in hydro.index:
        walk(sid)
    return chains


def virtual_reservoir_mwh(hydro: pd.DataFrame) -> pd.Series:
    """Each station's own reservoir plus its upstream reservoirs at its head [MWh]."""
    chains = upstream_chains(hydro)
    return pd.Series(
        {j: sum(hydro.reservoir_mwh[k] * r for k, r in chains[j]) for j in hydro.index}, dtype=float
    )


def chain_matrix(hydro: pd.DataFrame) -> np.ndarray:
    """``M[j, k]``: energy at station ``j``'s head of 1 MWh stored at station ``k`` upstream of
    (or at) ``j`` [MWh/MWh]; 0 elsewhere. ``M @ x`` folds own reservoirs into virtual ones."""
    to, source, ratio = routes(hydro)
    out = np.zeros((len(hydro), len(hydro)))
    np.add.at(out, (to, source), ratio)
    return out


def own_rules(
    hydro: pd.DataFrame, rules: pd.DataFrame, snapshots: pd.DatetimeIndex, start_share: float | None = None
) -> ReservoirRules:
    """Guide, ceiling and start of each station's own reservoir [MWh] (module docstring).

    Parameters
    ----------
    hydro : pandas.DataFrame
        :func:`model.network.hydro.hydro_table`: ``reservoir_mwh`` [MWh], ``p_nom_mw`` [MW],
        ``ror_share`` and ``kind``.
    rules : pandas.DataFrame
        ``reservoir_rules.csv`` (shares of usable energy by date).
    snapshots : pandas.DatetimeIndex
        The horizon's hours.
    start_share : float, optional
        Level of the seasonal reservoirs at the first hour [share] (default: their lower guide).
    """
    energy = hydro.reservoir_mwh.to_numpy(float)
    turbine = (hydro.p_nom_mw * (1 - hydro.ror_share)).to_numpy(float)
    # the network's own test (model.network.hydro._apply_rules), so both rule the same reservoirs
    seasonal = is_seasonal(energy, turbine) & (hydro.kind == "reservoir").to_numpy()
    curves = rule_curves(rules, snapshots)
    lower, ceiling = curves.lower_guide.to_numpy(), curves.ceiling.to_numpy()
    pond = guide_share(len(snapshots))
    start = float(lower[0]) if start_share is None else float(start_share)
    return ReservoirRules(
        guide_mwh=energy[:, None] * np.where(seasonal[:, None], lower[None, :], pond[None, :]),
        ceiling_mwh=energy[:, None] * np.where(seasonal[:, None], ceiling[None, :], 1.0),
        start_mwh=energy * np.where(seasonal, start, POND_START_SHARE),
        seasonal=seasonal,
    )


def virtual_rules(hydro: pd.DataFrame, own: ReservoirRules) -> ReservoirRules:
    """The rules of each station's virtual reservoir: those of its chain at its head [MWh]."""
    m = chain_matrix(hydro)
    return ReservoirRules(
        guide_mwh=m @ own.guide_mwh,
        ceiling_mwh=m @ own.ceiling_mwh,
        start_mwh=m @ own.start_mwh,
        seasonal=own.seasonal,
    )


def routes(hydro: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each station's local inflow arrives, as flat arrays for :func:`plant_water`.

    Returns ``to``, ``source`` (station positions in ``hydro``'s order) and ``ratio`` [-]: the
    natural inflow of station ``to`` includes ``ratio`` times the local inflow of ``source``.
    """
    chains = upstream_chains(hydro)
    pos = {sid: i for i, sid in enumerate(hydro.index)}
    triples = [(pos[j], pos[k], r) for j in hydro.index for k, r in chains[j]]
    to, source, ratio = zip(*triples, strict=True)
    return np.array(to, np.int64), np.array(source, np.int64), np.array(ratio, float)


@njit(cache=True, parallel=True)
def plant_water(local, to, source, ratio, storable_share, eco_min_pu, inflow, floor):
    """Storable natural inflow and ecological floor of every plant [MW] into float32 arrays.

    Parameters
    ----------
    local : numpy.ndarray, shape (S, J, T)
        Local inflow of each station [MW].
    to, source, ratio : numpy.ndarray
        Routing of local inflows (:func:`routes`).
    storable_share : numpy.ndarray, shape (J,)
        Share of the natural inflow that reaches the reservoir (1 - run-of-river share) [-].
    eco_min_pu : numpy.ndarray, shape (J,)
        Ecological floor as a share of the mean natural inflow over the horizon [-].
    inflow, floor : numpy.ndarray of float32, shape (S, J, T)
        Out: storable inflow and floor; the floor never exceeds the storable inflow of the hour
        (as in the dispatch network).
    """
    n_s, n_j, n_t = local.shape
    for s in prange(n_s):
        natural = np.empty(n_t)  # one plant at a time: a row stays in cache while it is summed
        for j in range(n_j):
            natural[:] = 0.0
            for k in range(to.shape[0]):  # the routes into j, in order: the same sums as by route
                if to[k] == j:
                    for t in range(n_t):
                        natural[t] += ratio[k] * local[s, source[k], t]
            level = eco_min_pu[j] * natural.mean()
            for t in range(n_t):
                inflow[s, j, t] = natural[t] * storable_share[j]
                floor[s, j, t] = min(level, inflow[s, j, t])
