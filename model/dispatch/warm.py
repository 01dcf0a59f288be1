"""Optimal window bases of one case, kept to start the same windows of a related case.

Cases of a sweep usually share the LP's structure: the same network, hours and constraints,
with other capacities, inflows or fuel as bounds and right-hand sides. The optimal basis of a
window in one case is then a good start for the same window in another (the simplex starts
near the optimum instead of from a slack basis). :class:`WarmStart` holds those bases, keyed by
the window's first and one-past-last hour, with a fingerprint of the hourly LP's structure so
that a case of another structure is told apart before anything is tried.

A basis only changes where the simplex starts, never which LP is solved; a basis HiGHS refuses
falls back to a cold solve (:class:`model.dispatch.window_solver.WindowSolver`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.atomic import write_with
from model.dispatch.highs import Basis
from model.dispatch.matrices import LinearProgram


@dataclass
class WarmStart:
    """Window bases of a reference case.

    Attributes
    ----------
    structure : str
        :func:`structure_key` of the reference case's hourly LP.
    windows : dict
        Optimal basis of each window, by (first hour, one-past-last hour) of the window.
    """

    structure: str
    windows: dict[tuple[int, int], Basis] = field(default_factory=dict)

    def save(self, path: Path | str) -> Path:
        """Write the bases to ``path`` (``.npz``, atomically)."""
        arrays = {"structure": np.array(self.structure)}
        for (start, end), b in self.windows.items():
            arrays[f"c_{start}_{end}"] = b.cols
            arrays[f"r_{start}_{end}"] = b.rows

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as f:
                np.savez_compressed(f, **arrays)

        return write_with(path, write)

    @classmethod
    def load(cls, path: Path | str) -> WarmStart:
        """Read what :meth:`save` wrote."""
        with np.load(path) as z:
            out = cls(str(z["structure"]))
            for key in z.files:
                if key.startswith("c_"):
                    _, start, end = key.split("_")
                    out.windows[(int(start), int(end))] = Basis(z[key], z[f"r_{start}_{end}"])
        return out


def structure_key(lp: LinearProgram) -> str:
    """A fingerprint of an hourly LP's structure: shape and sparsity pattern, not its values.

    Two cases with the same key have windows of the same shapes, so a basis of one fits the
    other; values (capacities, coefficients such as a committed block's size) may differ.
    """
    h = hashlib.sha256()
    h.update(np.asarray(lp.A.shape, dtype=np.int64).tobytes())
    h.update(np.asarray(lp.A.indptr, dtype=np.int64).tobytes())
    h.update(np.asarray(lp.A.indices, dtype=np.int64).tobytes())
    h.update(lp.col_pos.astype(np.int64).tobytes())
    h.update(lp.row_pos.astype(np.int64).tobytes())
    return h.hexdigest()[:16]
