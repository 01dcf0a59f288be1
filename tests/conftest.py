"""Shared fixtures: the bundled register and scenario folders, and copies to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa
import pytest

from model import NETWORK_DATA, ROOT
from model.register import Register, load_register

RUNS = ROOT / "runs"


@pytest.fixture(scope="session")
def register() -> Register:
    """The bundled asset register, loaded once."""
    return load_register()


@pytest.fixture
def register_copy(tmp_path: Path) -> Path:
    """A writable copy of data/network/ for tests that break one file."""
    dest = tmp_path / "network"
    shutil.copytree(NETWORK_DATA, dest)
    return dest


@pytest.fixture
def runs_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled scenario files."""
    dest = tmp_path / "runs"
    dest.mkdir()
    for f in RUNS.glob("*.yaml"):
        shutil.copy(f, dest / f.name)
    return dest


def level_before(n: pypsa.Network, ids: pd.Index) -> pd.DataFrame:
    """Each store's energy at the end of the hour before [MWh]: the first hour starts from
    ``e_initial``, or from the last hour's level for a cyclic store."""
    st = n.c.stores.static
    e = n.c.stores.dynamic.e[ids]
    before = e.shift(1)
    before.iloc[0] = np.where(st.e_cyclic[ids], e.iloc[-1], st.e_initial[ids])
    return before


def water_balance_residual(n: pypsa.Network) -> float:
    """Largest |change of level + what the reservoir bus takes out| of any reservoir and hour [MWh]."""
    st = n.c.stores.static
    ids = st.index[st.carrier == "hydro_reservoir"]
    e, p = n.c.stores.dynamic.e[ids], n.c.stores.dynamic.p[ids]
    w = n.snapshot_weightings.stores.to_numpy()[:, None]
    # level change = what the bus puts in (inflow + upstream - turbine - spill) = -p x hours
    return float(np.abs((e - level_before(n, ids) + p * w).to_numpy()).max())
