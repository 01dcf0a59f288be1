"""The sweep's reference cases: their window bases start the windows of the other cases.

Cases of a sweep share the hourly LP's structure when only sizes, inflows and fuel change
(capacities are bounds; a committed block's size is a coefficient, which the structure key
ignores). A basis is a good start only for a case whose weather and water are the same: the
2030 extreme-dry year started from the normal year's bases took 207 s against 169 s from its
own previous windows, while a case with other storage sizes and the same year took 57 s
against 93 s. So the cases are grouped by weather year and hydrology (:func:`warm_group`);
the first pending case of each group is solved first, and the optimal basis of each of its
windows (:class:`model.dispatch.warm.WarmStart`) is written to
``<sweep folder>/warm-start-<year>-<hydrology>.npz`` and handed to the group's other cases, so
their windows start near an optimum. The groups' first cases run at once (one per worker). A
resumed sweep reads the files again, so its cases start from the same bases as an
uninterrupted one, whatever the number of workers.

Only hourly, decomposed sweeps without screening share: screening's coarse cases have another
structure, and with screening the hourly cases arrive at times that depend on the workers.
A basis changes where the simplex starts, never which LP is solved: a case's result is its own
LP's optimum either way (a degenerate LP may end on another optimal vertex of the same cost).
"""

from __future__ import annotations

import re
from pathlib import Path

from model.dispatch.warm import WarmStart
from model.errors import warn
from model.sweep.spec import Case, Sweep

#: A group's reference bases, in the sweep folder (gzgrid's own files): year and hydrology.
WARM_FILE = "warm-start-{}-{}.npz"

#: The cases that start from one reference: (weather year, hydrology).
Group = tuple[int, str]


def warm_group(case: Case) -> Group:
    """The group of a case: its weather year and hydrology (module docstring)."""
    return int(case.coords["weather_year"]), str(case.coords["hydrology"])


def warm_file(folder: Path, group: Group) -> Path:
    """Where a group's reference bases are kept (the hydrology label is a name, never a path)."""
    return Path(folder) / WARM_FILE.format(group[0], re.sub(r"[^A-Za-z0-9_-]", "_", group[1]))


def shares_windows(sweep: Sweep) -> bool:
    """Whether the sweep's cases start from a reference case (hourly, decomposed, no screening)."""
    if sweep.spec.screening.enabled or not sweep.cases:
        return False
    return all(c.scenario.dispatch.mode == "decomposed" for c in sweep.cases)


def load_reference(folder: Path, group: Group) -> WarmStart | None:
    """The bases a previous invocation kept for ``group``, or ``None`` (missing or unreadable: warned)."""
    path = warm_file(folder, group)
    if not path.exists():
        return None
    try:
        return WarmStart.load(path)
    except (OSError, ValueError, KeyError) as exc:
        warn(f"{path}: unreadable ({type(exc).__name__}); the group's next case solved becomes its reference")
        return None


def save_reference(folder: Path, group: Group, warm: WarmStart) -> Path:
    """Write a group's reference bases into the sweep folder (atomically)."""
    return warm.save(warm_file(folder, group))
