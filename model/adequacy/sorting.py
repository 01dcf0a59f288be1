"""The order in which :func:`model.adequacy.engine.allocate` draws on units, without allocating.

``np.argsort`` in a numba kernel allocates its result and work space on every call; the engine
sorts its hydro plants and storage units in every hour it draws on them. :func:`argsort_into`
writes the same order into arrays the caller keeps. It is numba's own quicksort
(``numba.misc.quicksort``: median-of-three partitions, insertion sort below
:data:`SMALL_SORT`, NaN last), so that units with equal hours left come out in the order they
always did, compiled and as ``py_func`` alike (NumPy's argsort, which ``py_func`` of
``np.argsort`` would call, orders ties differently).
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Partitions shorter than this are insertion-sorted (numba's own quicksort switches there too).
SMALL_SORT = 15


@njit(cache=True)
def _before(a: float, b: float) -> bool:
    """``a`` sorts before ``b``: ascending, NaN last (numba's and NumPy's float order)."""
    return a < b or (np.isnan(b) and not np.isnan(a))


@njit(cache=True)
def _insertion_sort(key: np.ndarray, order: np.ndarray, low: int, high: int) -> None:
    """Insertion-sort ``order[low:high + 1]`` by ``key`` (inclusive bounds), in place."""
    for i in range(low + 1, high + 1):
        k = order[i]
        v = key[k]
        j = i
        while j > low and _before(v, key[order[j - 1]]):
            order[j] = order[j - 1]
            j -= 1
        order[j] = k


@njit(cache=True)
def _partition(key: np.ndarray, order: np.ndarray, low: int, high: int) -> int:
    """Partition ``order[low:high + 1]`` around a median-of-three pivot; return its position."""
    mid = (low + high) >> 1
    if _before(key[order[mid]], key[order[low]]):
        order[low], order[mid] = order[mid], order[low]
    if _before(key[order[high]], key[order[mid]]):
        order[high], order[mid] = order[mid], order[high]
    if _before(key[order[mid]], key[order[low]]):
        order[low], order[mid] = order[mid], order[low]
    pivot = key[order[mid]]
    order[high], order[mid] = order[mid], order[high]
    i, j = low, high - 1
    while True:
        while i < high and _before(key[order[i]], pivot):
            i += 1
        while j >= low and _before(pivot, key[order[j]]):
            j -= 1
        if i >= j:
            break
        order[i], order[j] = order[j], order[i]
        i += 1
        j -= 1
    order[i], order[high] = order[high], order[i]
    return i


@njit(cache=True)
def argsort_into(key: np.ndarray, order: np.ndarray, stack: np.ndarray) -> None:
    """``order`` = ``np.argsort(key)`` as compiled numba computes it, without allocating.

    The same quicksort (median-of-three partitions, insertion sort below :data:`SMALL_SORT`,
    NaN last), so that ties come out in the same order compiled and as ``py_func`` (NumPy's own
    argsort orders ties differently). ``stack`` is an int64 work array of shape (k, 2) with
    ``k`` at least ``log2(len(key)) + 1``.
    """
    n = key.shape[0]
    for i in range(n):
        order[i] = i
    if n < 2:
        return
    stack[0, 0], stack[0, 1] = 0, n - 1
    depth = 1
    while depth > 0:
        depth -= 1
        low, high = stack[depth, 0], stack[depth, 1]
        while high - low >= SMALL_SORT:
            i = _partition(key, order, low, high)
            if high - i > i - low:  # the larger part waits on the stack
                if high > i:
                    stack[depth, 0], stack[depth, 1] = i + 1, high
                    depth += 1
                high = i - 1
            else:
                if i > low:
                    stack[depth, 0], stack[depth, 1] = low, i - 1
                    depth += 1
                low = i + 1
        _insertion_sort(key, order, low, high)
