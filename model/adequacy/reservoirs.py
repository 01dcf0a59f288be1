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

Guide curve. Chinese reservoirs are run by a dispatch diagram (水库调度图): drawn down through
the dry season to the flood-limit level before the flood season, refilled to the normal pool at
its end. The engine uses one such upper guide curve, as a share of each reservoir: full at the
end of October, falling linearly to :data:`GUIDE_LOW` at the start of June, rising linearly back.
Water above the guide is released (generated up to the turbine power; spilled only when the
reservoir is full); water below it is held, and every MWh of it is available to meet a shortfall
that thermal plant cannot. So the guide decides how much water is held back, never whether it
can be used in an emergency. A rule curve was preferred to the dispatch LP's reservoir trajectory:
with hydro displacing coal at nearly equal cost that trajectory is degenerate (many equally
cheap paths) and belongs to one weather year, and the rule curve costs nothing at run time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numba import njit, prange

#: Day of year (0-based) when the guide is lowest: 1 June, start of the flood season.
GUIDE_LOW_DAY = 151
#: Day of year (0-based) when the guide is full: 1 November, end of the refill.
GUIDE_FULL_DAY = 304
#: Guide at its lowest, as a share of the reservoir [-]: water kept for shortfalls in June.
GUIDE_LOW = 0.25


def guide_share(n_hours: int) -> np.ndarray:
    """Upper guide curve as a share of each reservoir, per hour of a 365-day year [-]."""
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
def plant_water(local, to, source, ratio, storable_share, eco_min_pu):
    """Storable natural inflow and ecological floor of every plant [MW], float32.

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

    Returns
    -------
    inflow, floor : numpy.ndarray of float32, shape (S, J, T)
        The floor never exceeds the storable inflow of the hour (as in the dispatch network).
    """
    n_s, n_j, n_t = local.shape
    inflow = np.zeros((n_s, n_j, n_t), dtype=np.float32)
    floor = np.empty((n_s, n_j, n_t), dtype=np.float32)
    for s in prange(n_s):
        natural = np.zeros((n_j, n_t))
        for k in range(to.shape[0]):
            for t in range(n_t):
                natural[to[k], t] += ratio[k] * local[s, source[k], t]
        for j in range(n_j):
            level = eco_min_pu[j] * natural[j].mean()
            for t in range(n_t):
                inflow[s, j, t] = natural[j, t] * storable_share[j]
                floor[s, j, t] = min(level, inflow[s, j, t])
    return inflow, floor
