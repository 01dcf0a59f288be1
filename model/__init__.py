"""gzgrid: an open hourly power-system simulator of Guizhou province, built on PyPSA.

The simulation core lives here (scenario, register, weather, network, dispatch, adequacy,
sweep); ``analysis`` reads what it writes. ``python -m model`` is the ``gzgrid`` command.
"""

from pathlib import Path

__version__ = "0.1.0"

#: Repository root (the folder holding ``data/`` and ``runs/``).
ROOT = Path(__file__).resolve().parent.parent
#: The asset register.
NETWORK_DATA = ROOT / "data" / "network"
