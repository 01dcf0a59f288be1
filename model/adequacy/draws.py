"""The sample year's own draws besides outages: its hydrology and whether a fuel stress strikes it.

Each is the first uniform draw of a stream of its own, keyed by the sample year
(:func:`model.thermal.outages.sample_keys`), so a sample's draws do not depend on the batch,
the thread or the stopping point.
"""

from __future__ import annotations

import numpy as np

from model.thermal.outages import stream_uniforms

#: Stream of the sample year's hydrology-class draw.
HYDROLOGY_STREAM = 1 << 22
#: Stream of the sample year's draw of whether the coal supply spells strike.
COAL_SUPPLY_STREAM = 1 << 23


def draw_coal_stress(keys: np.ndarray, probability: float) -> np.ndarray:
    """Whether the coal supply spells strike each sample year, with ``probability`` [-], bool (S,).

    Drawn from the sample's own key on :data:`COAL_SUPPLY_STREAM`: the same whatever the batch.
    """
    return stream_uniforms(np.asarray(keys, dtype=np.uint64), COAL_SUPPLY_STREAM) < probability


def draw_classes(keys: np.ndarray, classes: list[str], probabilities: np.ndarray) -> list[str]:
    """Hydrology class of each sample year, drawn with ``probabilities`` [-] from its own key."""
    edges = np.cumsum(np.asarray(probabilities, dtype=float))
    edges[-1] = np.inf  # rounding never leaves a draw without a class
    u = stream_uniforms(keys, HYDROLOGY_STREAM)
    return [classes[i] for i in np.searchsorted(edges, u, side="right")]
