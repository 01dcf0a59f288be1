"""The sweep's reference case: its window bases start the windows of every other case.

Cases of a sweep share the hourly LP's structure when only sizes, inflows and fuel change
(capacities are bounds; a committed block's size is a coefficient, which the structure key
ignores). The first pending case of the sweep is solved first and alone; the optimal basis of
each of its windows (:class:`model.dispatch.warm.WarmStart`) is written to
``<sweep folder>/warm-start.npz`` and handed to every other case, so their windows start near
an optimum instead of from a slack basis. A resumed sweep reads the file again, so its cases
start from the same bases as an uninterrupted one, whatever the number of workers.

Only hourly, decomposed sweeps without screening share: screening's coarse cases have another
structure, and with screening the hourly cases arrive at times that depend on the workers.
A basis changes where the simplex starts, never which LP is solved: a case's result is its own
LP's optimum either way (a degenerate LP may end on another optimal vertex of the same cost).
"""

from __future__ import annotations

from pathlib import Path

from model.dispatch.warm import WarmStart
from model.errors import warn
from model.sweep.spec import Sweep

#: The reference case's window bases, in the sweep folder (gzgrid's own file).
WARM_FILE = "warm-start.npz"


def shares_windows(sweep: Sweep) -> bool:
    """Whether the sweep's cases start from a reference case (hourly, decomposed, no screening)."""
    if sweep.spec.screening.enabled or not sweep.cases:
        return False
    return all(c.scenario.dispatch.mode == "decomposed" for c in sweep.cases)


def load_reference(folder: Path) -> WarmStart | None:
    """The bases a previous invocation kept, or ``None`` (missing or unreadable: warned, ignored)."""
    path = Path(folder) / WARM_FILE
    if not path.exists():
        return None
    try:
        return WarmStart.load(path)
    except (OSError, ValueError, KeyError) as exc:
        warn(f"{path}: unreadable ({type(exc).__name__}); the next case solved becomes the reference")
        return None


def save_reference(folder: Path, warm: WarmStart) -> Path:
    """Write the reference's bases into the sweep folder (atomically)."""
    return warm.save(Path(folder) / WARM_FILE)
