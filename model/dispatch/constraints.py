"""gzgrid's own constraints, added to every model PyPSA builds (monolithic, hourly, plan).

PyPSA builds the components' constraints; :func:`add_operating_constraints` adds what gzgrid
needs beyond them, reading its settings from ``n.meta["gzgrid"]``:

- ``dr_event_hours``: each demand-response call lasts at most L full hours in a row (hourly
  models only; the daily plan scales DR availability instead).
"""

from __future__ import annotations

import pandas as pd
import pypsa

#: Key of ``n.meta`` holding gzgrid's own model data.
META_KEY = "gzgrid"


def gzgrid_meta(n: pypsa.Network) -> dict:
    """gzgrid's settings stored in the network (empty for a plain PyPSA network)."""
    return (n.meta or {}).get(META_KEY, {}) or {}


def dr_event_hours(n: pypsa.Network) -> dict[str, int]:
    """``{generator: L}`` from ``n.meta["gzgrid"]["dr_event_hours"]`` (only existing generators)."""
    spec = gzgrid_meta(n).get("dr_event_hours", {}) or {}
    gens = n.c.generators.static.index
    return {str(g): int(h) for g, h in spec.items() if g in gens and int(h) > 0}


def add_operating_constraints(n: pypsa.Network, snapshots: pd.Index, hourly: bool = True) -> None:
    """Add gzgrid's constraints to ``n.model`` (usable as PyPSA's ``extra_functionality``).

    Parameters
    ----------
    n : pypsa.Network
        The network whose linopy model ``n.model`` has just been created.
    snapshots : pandas.Index
        Its snapshots.
    hourly : bool
        False for the daily seasonal plan, where hour-scale rules (DR event length) do not apply.
    """
    if hourly:
        add_dr_event_constraints(n, snapshots)


def add_dr_event_constraints(n: pypsa.Network, snapshots: pd.Index) -> None:
    """Cap each demand-response call at L full hours in a row.

    For every generator ``g`` with ``L = n.meta["gzgrid"]["dr_event_hours"][g]``, in every run of
    ``L + 1`` consecutive snapshots: ``sum p[g] <= L * p_nom[g]`` [MWh] (constraint
    ``Generator-dr_event_<L>h``).
    """
    events = dr_event_hours(n)
    if not events or len(snapshots) < 2:
        return
    m = n.model
    p = m["Generator-p"]
    p_nom = n.c.generators.static.p_nom
    for length in sorted(set(events.values())):
        if length + 1 > len(snapshots):
            continue
        names = [g for g, h in events.items() if h == length]
        lhs = p.sel(name=names).rolling(snapshot=length + 1).sum()
        rhs = pd.Series(length * p_nom[names].to_numpy(), index=pd.Index(names, name="name"))
        m.add_constraints(lhs <= rhs.to_xarray(), name=f"Generator-dr_event_{length}h")
