"""Arrays kept from one batch of sample years to the next.

A batch of 100 sample years needs ~400 MB of hourly arrays (weather, per-bus inputs, thermal
availability). Allocated afresh, each batch pays the operating system's page faults on all of
it again (~90,000 faults, measured at 0.2-1.2 s of system time per batch on the 2-core
reference machine); allocated once per run and overwritten, only the first batch does.
"""

from __future__ import annotations

import numpy as np


class BatchMemory:
    """Named arrays reused from batch to batch: ask with :meth:`empty`, write every element.

    An array asked for again under the same name, trailing shape and dtype is the same memory
    (a leading slice of it when a batch is smaller, e.g. the last one), so whatever a batch
    left in it must be overwritten, never read; arrays from one batch are invalid once the
    next batch asks for them.
    """

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def empty(self, name: str, shape: tuple[int, ...], dtype: type = np.float32) -> np.ndarray:
        """An uninitialised, C-contiguous array of ``shape`` and ``dtype`` kept under ``name``."""
        kept = self._arrays.get(name)
        fits = kept is not None and kept.dtype == dtype and kept.shape[1:] == tuple(shape[1:])
        if not fits or kept.shape[0] < shape[0]:
            kept = self._arrays[name] = np.empty(shape, dtype=dtype)
        return kept[: shape[0]]
