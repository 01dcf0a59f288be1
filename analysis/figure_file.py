"""How every figure of gzgrid is written: one resolution, atomically, the figure closed.

Kept apart from :mod:`analysis.plots` so the adequacy and sweep figures do not import the
network readers to share a constant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.atomic import save_figure

#: Resolution of every PNG [dots per inch].
DPI = 110


def save_png(fig: Any, path: Path) -> Path:
    """Save ``fig`` at :data:`DPI`, cropped to its content, atomically; close it; return ``path``.

    A killed process never leaves half a PNG: the file is written beside ``path`` and renamed.
    """
    return save_figure(fig, path, dpi=DPI, bbox_inches="tight")
