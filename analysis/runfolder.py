"""Reading what ``gzgrid run`` wrote: the solved network of a run folder, made whole again.

PyPSA's netCDF export leaves out every time series that is all zeros (a battery that never
charged, a link that never carried power), so a reloaded network lacks those columns. The
analysis code indexes results by component, so the missing columns are restored as zeros here,
once, instead of in every metric.
"""

from __future__ import annotations

from pathlib import Path

import pypsa

#: Result time series that every component of a solved gzgrid network has [MW or MWh].
OUTPUTS = {
    "generators": ("p",),
    "loads": ("p",),
    "links": ("p0", "p1", "p2"),
    "storage_units": ("p", "p_dispatch", "p_store", "state_of_charge", "spill"),
    "stores": ("p", "e"),
}


def complete_outputs(n: pypsa.Network) -> pypsa.Network:
    """Give every component a column in each result time series (zeros where absent); in place."""
    for component, attrs in OUTPUTS.items():
        c = getattr(n.c, component)
        for attr in attrs:
            if attr not in c.dynamic:
                continue
            if attr == "p2":
                names = c.static.index[c.static.get("bus2", "") != ""]
            else:
                names = c.static.index
            frame = c.dynamic[attr]
            if not names.difference(frame.columns).empty:
                c.dynamic[attr] = frame.reindex(index=n.snapshots, columns=names, fill_value=0.0)
    return n


def read_network(path: Path) -> pypsa.Network:
    """Load a run's ``network.nc`` with complete result time series."""
    pypsa.options.general.allow_network_requests = False
    pypsa.options.api.legacy_string_dtype = False
    return complete_outputs(pypsa.Network(Path(path)))
