"""Shared fixtures: the bundled register and scenario folders, and copies to break."""

from __future__ import annotations

import shutil
from pathlib import Path

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
