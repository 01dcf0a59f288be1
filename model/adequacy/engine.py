"""The sequential adequacy engine: numba kernels on plain arrays, one sample year per task.

Each sample year is simulated hour by hour without foresight. In every hour:

1. **Reservoirs** (per hydro plant, :func:`release_free`): inflow is added; the ecological
   floor and any water above the guide (the register's lower guide for seasonal reservoirs,
   :mod:`~model.adequacy.reservoirs`) are released (up to the turbine power): this is *free*
   hydro. What stays is *held*, and all of it (within the remaining turbine power) can meet a
   shortfall.
2. **Domestic load from available generation**: solar, wind, run-of-river, free hydro and the
   available thermal units (no minimum load or ramps: the adequacy convention), first locally,
   then between prefectures within the corridor limits (a max-flow, :func:`transfer`).
3. **Remaining deficits**, in turn: held water of plants with at least :data:`LONG_HOURS` of it
   at full power, then that of the others (so small reservoirs are kept for the peak), storage
   discharge (units with the most hours left first), then demand response (capped by its
   energy over the horizon and, in every ``L + 1`` consecutive hours, by ``L`` full hours: the
   dispatch LP's own event constraint). Each stage is routed over the corridor capacity the
   earlier stages left. What is still missing is the **shortfall**.
4. **Storage charges** from the generation left over (any available unit may charge it).
5. **Exports** from what is left then, through the export links: cut before any domestic load
   (an export shortfall is recorded apart, never as loss of load). Charging before exporting
   puts the province's own future load before the export contract, as the dispatch LP does
   (export cut 3,000 CNY/MWh < value of lost load); exporting first left storage empty through
   tight weeks, when exports take all the spare thermal power.
6. **Storage charges** from held water of the long tier (pumping with spare turbine power);
   reservoirs above their ceiling (the flood-season limit, or their size) spill.

The flows of each stage stay in the residual network, so a later stage can reroute but never
take power from a load an earlier stage served. Every kernel is also runnable as ``.py_func``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from model.adequacy.sorting import argsort_into

#: Flows and amounts below this are treated as zero [MW].
EPS = 1e-6
#: Plants with at least this much water at full turbine power are drawn on first [h].
LONG_HOURS = 24.0
#: Columns of the per-sample diagnostics array [MWh].
DIAGNOSTICS = ("export_shortfall", "dr", "reservoir_reserve", "storage_discharge", "spill")


@njit(cache=True)
def max_flow(cap: np.ndarray, source: int, sink: int, parent: np.ndarray, queue: np.ndarray) -> float:
    """Push the maximum flow from ``source`` to ``sink`` through residual capacities ``cap`` [MW].

    Edmonds–Karp (shortest augmenting paths by breadth-first search) on a dense matrix: a dozen
    nodes, so the matrix scan beats adjacency lists. ``cap`` is updated in place to the residual
    network; ``parent`` and ``queue`` are work arrays of the node count.
    """
    n = cap.shape[0]
    total = 0.0
    while True:
        parent[:] = -1
        parent[source] = source
        queue[0] = source
        head, tail = 0, 1
        while head < tail and parent[sink] < 0:
            u = queue[head]
            head += 1
            for v in range(n):
                if parent[v] < 0 and cap[u, v] > EPS:
                    parent[v] = u
                    queue[tail] = v
                    tail += 1
        if parent[sink] < 0:
            return total
        push = np.inf
        v = sink
        while v != source:
            u = parent[v]
            push = min(push, cap[u, v])
            v = u
        v = sink
        while v != source:
            u = parent[v]
            cap[u, v] -= push
            cap[v, u] += push
            v = u
        total += push


@njit(cache=True)
def transfer(
    cap: np.ndarray,
    supply: np.ndarray,
    demand: np.ndarray,
    used: np.ndarray,
    served: np.ndarray,
    parent: np.ndarray,
    queue: np.ndarray,
) -> float:
    """Serve ``demand`` at the real nodes from ``supply`` at the real nodes, locally first [MW].

    ``cap`` has the real nodes first and two spare nodes last (super source, super sink); the
    flow between real nodes stays in ``cap`` as residual capacity. Writes the supply used and
    the demand served per real node into ``used`` and ``served``; returns the total served.
    """
    n_real = supply.shape[0]
    src, snk = n_real, n_real + 1
    rest_s, rest_d = 0.0, 0.0
    for i in range(n_real):
        local = min(supply[i], demand[i])
        used[i] = local
        served[i] = local
        cap[src, i] = supply[i] - local
        cap[i, snk] = demand[i] - local
        rest_s += cap[src, i]
        rest_d += cap[i, snk]
    if rest_s > EPS and rest_d > EPS:
        # direct neighbours first: a feasible start that max_flow then completes (it can reroute
        # through the residual arcs), and usually the whole answer, with no search
        # only nodes with demand left can take (their need only falls in this loop), so list them
        # once (in node order, the order of the pushes), and skip nodes with nothing to give
        n_sinks = 0
        for j in range(n_real):
            if cap[j, snk] > EPS:
                queue[n_sinks] = j
                n_sinks += 1
        for i in range(n_real):
            if cap[src, i] <= EPS:
                continue
            for k in range(n_sinks):
                j = queue[k]
                if cap[src, i] > EPS and cap[j, snk] > EPS and cap[i, j] > EPS:
                    push = min(cap[src, i], cap[j, snk], cap[i, j])
                    cap[src, i] -= push
                    cap[i, src] += push
                    cap[i, j] -= push
                    cap[j, i] += push
                    cap[j, snk] -= push
                    cap[snk, j] += push
                    rest_s -= push
                    rest_d -= push
    if rest_s > EPS and rest_d > EPS:
        max_flow(cap, src, snk, parent, queue)
    for i in range(n_real):
        used[i] = supply[i] - cap[src, i]
        served[i] = demand[i] - cap[i, snk]
    total = 0.0
    for i in range(n_real):
        total += served[i]
        cap[src, i] = 0.0
        cap[i, src] = 0.0
        cap[snk, i] = 0.0
        cap[i, snk] = 0.0
    return total


@njit(cache=True)
def _to_share(need: np.ndarray, avail: np.ndarray) -> bool:
    """Whether :func:`allocate` has anything to share: some need above 0 or some avail below.

    With every need at most 0 and every avail at least 0 each unit's take is 0, so the order of
    the units (the sort) does not matter; that is most hours.
    """
    for b in range(need.shape[0]):
        if need[b] > 0.0:
            return True
    for u in range(avail.shape[0]):
        if not avail[u] >= 0.0:
            return True
    return False


@njit(cache=True)
def allocate(need: np.ndarray, unit_bus: np.ndarray, avail: np.ndarray, size: np.ndarray, amount: np.ndarray,
             work: np.ndarray, order: np.ndarray, stack: np.ndarray, take: np.ndarray) -> None:  # fmt: skip
    """Split each bus's ``need`` [MW] among its units, those with the most hours left first.

    A unit's hours left are its ``amount`` [MWh] over its power ``size`` [MW]. Writes each unit's
    share into ``take`` [MW] (at most its ``avail``). Drawing first on the units that can keep it
    up longest keeps the small reservoirs and short storage for the peak, as a dispatcher would
    (a proportional split would empty them first). ``work`` (float, at least as long as ``need``
    and as the units), ``order`` and ``stack`` (:func:`argsort_into`) are work arrays.
    """
    n = unit_bus.shape[0]
    if not _to_share(need, avail):  # every unit takes nothing whatever the order: no sort
        for u in range(n):
            take[u] = min(avail[u], max(need[unit_bus[u]], 0.0))
        return
    for u in range(n):
        work[u] = -(amount[u] / max(size[u], 1e-9))
    argsort_into(work[:n], order, stack)
    for b in range(need.shape[0]):
        work[b] = need[b]
    for k in range(n):
        u = order[k]
        b = unit_bus[u]
        take[u] = min(avail[u], max(work[b], 0.0))
        work[b] -= take[u]


@njit(cache=True)
def held_water(plant_held, level, turbine_mw, hydro_bus, long_water, avail, held) -> None:
    """Held water of one tier per plant (``avail``) and per bus (``held``) [MW].

    The *long* tier is the plants with at least :data:`LONG_HOURS` of water at full power, the
    *short* tier the rest (small reservoirs of run-of-river aggregates, emptied cascades).
    """
    held[:] = 0.0
    for j in range(hydro_bus.shape[0]):
        is_long = level[j] >= LONG_HOURS * turbine_mw[j]
        avail[j] = plant_held[j] if is_long == long_water else 0.0
        held[hydro_bus[j]] += avail[j]


@njit(cache=True)
def release(used, hydro_bus, avail, plant_held, level, turbine_mw, take, work, order, stack) -> None:
    """Draw ``used`` [MW] of held water per bus from the plants' ``avail`` (:func:`allocate`).

    ``plant_held`` [MW] is reduced and ``level`` [MWh] lowered in place; ``take`` (the plant
    count), ``work``, ``order`` and ``stack`` are work arrays of :func:`allocate`.
    """
    allocate(used, hydro_bus, avail, turbine_mw, level, work, order, stack, take)
    for j in range(hydro_bus.shape[0]):
        plant_held[j] -= take[j]
        level[j] -= take[j]


@njit(cache=True)
def _full(soc: np.ndarray, storage_mwh: np.ndarray) -> bool:
    """Whether every storage unit is full (then :func:`charge` can take nothing)."""
    for v in range(soc.shape[0]):
        if soc[v] < storage_mwh[v]:
            return False
    return True


@njit(cache=True)
def charge(cap, supply, soc, storage_bus, storage_mw, storage_mwh, storage_eta, room, used, served, parent,
           queue) -> None:  # fmt: skip
    """Charge storage units (state of charge ``soc`` [MWh], in place) from ``supply`` [MW].

    Each bus's room (power, and energy left before full, at the grid side) is filled from the
    supply over the residual corridors, shared among its units in proportion to their room;
    ``used`` holds the supply taken per node afterwards. ``room`` and ``served`` are work arrays.
    """
    room[:] = 0.0
    if _full(soc, storage_mwh):  # most hours: every unit's room is 0, so skip its divisions
        used[:] = 0.0
        return
    total = 0.0
    for v in range(storage_bus.shape[0]):
        room[storage_bus[v]] += min(storage_mw[v], (storage_mwh[v] - soc[v]) / storage_eta[v])
    for i in range(room.shape[0]):
        total += room[i]
    if total <= EPS:
        used[:] = 0.0
        return
    transfer(cap, supply, room, used, served, parent, queue)
    for v in range(storage_bus.shape[0]):
        b = storage_bus[v]
        if served[b] > 0.0:
            take = min(storage_mw[v], (storage_mwh[v] - soc[v]) / storage_eta[v])
            soc[v] = min(soc[v] + take * served[b] / room[b] * storage_eta[v], storage_mwh[v])


@njit(cache=True)
def release_free(
    level: float, inflow: float, floor: float, guide: float, turbine: float
) -> tuple[float, float]:
    """One plant's hour: add ``inflow``, release the ``floor`` and the water above ``guide``.

    Both releases are limited by the turbine power and the water there is. Returns the new
    level [MWh] and the release [MW]; water left below the guide is held for shortfalls.
    """
    level += inflow
    out = min(floor, level, turbine)
    out += min(turbine - out, max(level - out - guide, 0.0))
    return level - out, out


@njit(cache=True)
def simulate_year(
    load, free, thermal, inflow, floor, export_avail,
    corridor_mw, export_bus, export_mw, export_eff, obligation,
    hydro_bus, turbine_mw, ceiling_mwh, guide_mwh, level0_mwh,
    storage_bus, storage_mw, storage_mwh, storage_eta,
    dr_mw, dr_mwh, dr_event_h, month, tol,
    shortfall, bus_month_mwh, bus_month_hours, diagnostics, levels,
):  # fmt: skip
    """Simulate one sample year hour by hour (see the module docstring for the order).

    Parameters
    ----------
    load, free, thermal : numpy.ndarray, shape (B, T)
        Domestic load, solar+wind+run-of-river, available thermal [MW].
    inflow, floor : numpy.ndarray, shape (H, T)
        Storable inflow and ecological floor of each hydro plant [MW].
    export_avail : numpy.ndarray, shape (K, T)
        Available share of each export link [-].
    corridor_mw : numpy.ndarray, shape (B+1, B+1)
        Transfer limits [MW]; column ``B`` is the export node (sum of its links per bus).
    export_bus, export_mw : numpy.ndarray, shape (K,)
        Sending bus and capacity of each export link [MW].
    export_eff : float
        Delivered share of exported power [-].
    obligation : numpy.ndarray, shape (T,)
        Delivery owed at the export node [MW].
    hydro_bus, turbine_mw, level0_mwh : numpy.ndarray, shape (H,)
        Hydro plants: bus, turbine power [MW] and (virtual) reservoir level at the start [MWh].
    ceiling_mwh, guide_mwh : numpy.ndarray, shape (H, T)
        Ceiling (spilled above at the end of the hour) and guide (released above in normal
        hours) of each plant's reservoir [MWh].
    storage_bus, storage_mw, storage_mwh, storage_eta : numpy.ndarray, shape (V,)
        Storage units: bus, power [MW], energy [MWh], one-way efficiency [-]; they start full.
    dr_mw, dr_mwh : numpy.ndarray, shape (B,)
        DR capacity [MW] and energy over the horizon [MWh].
    dr_event_h : int
        Longest DR call at full power [h].
    month : numpy.ndarray of int, shape (T,)
        Month 0..11 of each hour.
    tol : float
        Shortfall below this is not a loss-of-load hour [MW].
    shortfall : numpy.ndarray, shape (T,)
        Out: provincial shortfall [MW].
    bus_month_mwh, bus_month_hours : numpy.ndarray, shape (B, 12)
        Out (added to): shortfall energy [MWh] and hours above ``tol`` per bus and month.
    diagnostics : numpy.ndarray, shape (5,)
        Out (added to): energies of :data:`DIAGNOSTICS` [MWh].
    levels : numpy.ndarray, shape (H, T) or (H, 0)
        Out: each plant's reservoir level at the end of every hour [MWh] (not kept when empty).
    """
    n_bus, n_hours = load.shape
    x = n_bus  # export node
    n_real = n_bus + 1
    cap = np.zeros((n_real + 2, n_real + 2))
    parent = np.empty(n_real + 2, dtype=np.int64)
    queue = np.empty(n_real + 2, dtype=np.int64)
    supply = np.zeros(n_real)
    demand = np.zeros(n_real)
    used = np.zeros(n_real)
    served = np.zeros(n_real)
    surplus = np.zeros(n_real)
    deficit = np.zeros(n_real)
    held = np.zeros(n_real)
    n_plants = hydro_bus.shape[0]
    plant_held = np.zeros(n_plants)
    plant_take = np.zeros(n_plants)
    plant_avail = np.zeros(n_plants)
    n_storage = storage_bus.shape[0]
    storage_avail = np.zeros(n_storage)
    storage_take = np.zeros(n_storage)
    level = level0_mwh.copy()
    soc = storage_mwh.copy()
    dr_left = dr_mwh.copy()
    length = max(dr_event_h, 1)
    dr_hist = np.zeros((n_bus, length))
    dr_recent = np.zeros(n_bus)
    # work arrays of allocate(), so that no hour allocates
    n_most = max(n_real, n_plants, n_storage)
    work = np.empty(n_most)
    order = np.empty(n_most, dtype=np.int64)
    stack = np.empty((64, 2), dtype=np.int64)
    for t in range(n_hours):
        # 1. reservoirs: floor and water above the guide are released, the rest is held
        for b in range(n_bus):
            supply[b] = free[b, t] + thermal[b, t]
            demand[b] = load[b, t]
        for j in range(n_plants):
            after, out = release_free(level[j], inflow[j, t], floor[j, t], guide_mwh[j, t], turbine_mw[j])
            level[j] = after
            supply[hydro_bus[j]] += out
            plant_held[j] = min(turbine_mw[j] - out, level[j])
        supply[x] = 0.0
        demand[x] = 0.0
        cap[:n_real, :n_real] = corridor_mw
        for b in range(n_bus):
            cap[b, x] = 0.0
        for k in range(export_bus.shape[0]):
            cap[export_bus[k], x] += export_mw[k] * export_avail[k, t]
        # 2. domestic load from available generation
        transfer(cap, supply, demand, used, served, parent, queue)
        short = 0.0
        for i in range(n_real):
            surplus[i] = supply[i] - used[i]
            deficit[i] = demand[i] - served[i]
            short += deficit[i]
        # 3. held water, storage, demand response
        if short > EPS:
            for long_water in (True, False):  # plants with many hours of water first
                held_water(plant_held, level, turbine_mw, hydro_bus, long_water, plant_avail, held)
                transfer(cap, held, deficit, used, served, parent, queue)
                release(used, hydro_bus, plant_avail, plant_held, level, turbine_mw, plant_take, work, order,
                        stack)  # fmt: skip
                for b in range(n_bus):
                    deficit[b] -= served[b]
                    diagnostics[2] += used[b]
            for b in range(n_real):
                supply[b] = 0.0
            for v in range(n_storage):
                storage_avail[v] = min(storage_mw[v], soc[v] * storage_eta[v])
                supply[storage_bus[v]] += storage_avail[v]
            transfer(cap, supply, deficit, used, served, parent, queue)
            allocate(used, storage_bus, storage_avail, storage_mw, soc, work, order, stack, storage_take)
            for v in range(n_storage):
                soc[v] = max(soc[v] - storage_take[v] / storage_eta[v], 0.0)
                diagnostics[3] += storage_take[v]
            for b in range(n_bus):
                deficit[b] -= served[b]
                supply[b] = max(min(dr_mw[b], length * dr_mw[b] - dr_recent[b], dr_left[b]), 0.0)
            transfer(cap, supply, deficit, used, served, parent, queue)
            short = 0.0
            for b in range(n_bus):
                deficit[b] = max(deficit[b] - served[b], 0.0)
                short += deficit[b]
                dr_left[b] -= used[b]
                diagnostics[1] += used[b]
        else:
            for b in range(n_real):
                used[b] = 0.0
        # demand-response history for the event cap (used[] holds this hour's DR, or zeros)
        slot = t % length
        for b in range(n_bus):
            dr_recent[b] += used[b] - dr_hist[b, slot]
            dr_hist[b, slot] = used[b]
        shortfall[t] = short
        if short > EPS:
            m = month[t]
            for b in range(n_bus):
                bus_month_mwh[b, m] += deficit[b]
                if deficit[b] > tol:
                    bus_month_hours[b, m] += 1
        # 4. storage charges from the generation left over, 5. exports from what is left then,
        # 6. storage charges from held water of the long tier (turbine power not yet used)
        charge(cap, surplus, soc, storage_bus, storage_mw, storage_mwh, storage_eta, demand, used, served,
               parent, queue)  # fmt: skip
        for i in range(n_real):
            surplus[i] -= used[i]
            demand[i] = 0.0
        demand[x] = obligation[t] / export_eff
        sent = transfer(cap, surplus, demand, used, served, parent, queue)
        diagnostics[0] += obligation[t] - sent * export_eff
        if not _full(soc, storage_mwh):  # full storage (most hours) takes nothing: no water moves
            held_water(plant_held, level, turbine_mw, hydro_bus, True, plant_avail, held)
            charge(cap, held, soc, storage_bus, storage_mw, storage_mwh, storage_eta, demand, used, served,
                   parent, queue)  # fmt: skip
            release(used, hydro_bus, plant_avail, plant_held, level, turbine_mw, plant_take, work, order,
                    stack)  # fmt: skip
        for j in range(n_plants):
            if level[j] > ceiling_mwh[j, t]:
                diagnostics[4] += level[j] - ceiling_mwh[j, t]
                level[j] = ceiling_mwh[j, t]
        if levels.shape[1] > 0:
            levels[:, t] = level


@njit(cache=True, parallel=True)
def simulate_years(
    load, free, thermal, inflow, floor, export_avail,
    corridor_mw, export_bus, export_mw, export_eff, obligation,
    hydro_bus, turbine_mw, ceiling_mwh, guide_mwh, level0_mwh,
    storage_bus, storage_mw, storage_mwh, storage_eta,
    dr_mw, dr_mwh, dr_event_h, month, tol,
):  # fmt: skip
    """Simulate a batch of sample years in parallel (:func:`simulate_year` each).

    Per-sample inputs carry a leading sample axis: ``load``, ``free``, ``thermal`` (S, B, T);
    ``inflow``, ``floor`` (S, H, T); ``export_avail`` (S, K, T); ``dr_mw``, ``dr_mwh`` (S, B). The rest is
    shared.

    Returns
    -------
    shortfall : numpy.ndarray of float32, shape (S, T)
        Provincial shortfall [MW].
    bus_month_mwh : numpy.ndarray, shape (S, B, 12)
        Shortfall energy per bus and month [MWh].
    bus_month_hours : numpy.ndarray of int32, shape (S, B, 12)
        Hours with a bus shortfall above ``tol``.
    diagnostics : numpy.ndarray, shape (S, 5)
        Energies of :data:`DIAGNOSTICS` [MWh].
    """
    n_samples, n_bus, n_hours = load.shape
    shortfall = np.zeros((n_samples, n_hours), dtype=np.float32)
    bus_month_mwh = np.zeros((n_samples, n_bus, 12))
    bus_month_hours = np.zeros((n_samples, n_bus, 12), dtype=np.int32)
    diagnostics = np.zeros((n_samples, 5))
    no_levels = np.zeros((hydro_bus.shape[0], 0))  # levels are not kept for a batch
    for s in prange(n_samples):
        short = np.zeros(n_hours)
        simulate_year(
            load[s], free[s], thermal[s], inflow[s], floor[s], export_avail[s],
            corridor_mw, export_bus, export_mw, export_eff, obligation,
            hydro_bus, turbine_mw, ceiling_mwh, guide_mwh, level0_mwh,
            storage_bus, storage_mw, storage_mwh, storage_eta,
            dr_mw[s], dr_mwh[s], dr_event_h, month, tol,
            short, bus_month_mwh[s], bus_month_hours[s], diagnostics[s], no_levels,
        )  # fmt: skip
        shortfall[s] = short
    return shortfall, bus_month_mwh, bus_month_hours, diagnostics
