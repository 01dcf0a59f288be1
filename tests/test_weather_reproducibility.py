"""Seeding: bit-identical across processes, per-year streams, different seeds differ."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from model import ROOT
from model.weather import generate_profiles
from tests.conftest import weather_inputs

VARIABLES = ("pv", "wind", "ror", "inflow", "load", "temperature")


def digest(ds) -> str:
    h = hashlib.sha256()
    for name in VARIABLES:
        h.update(np.ascontiguousarray(ds[name].values).tobytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def three_years():
    regions, stations, shares = weather_inputs()
    return generate_profiles(regions, stations, shares, 250.0, n_years=3, first_year=4, seed=11)


def test_year_alone_equals_year_in_set(three_years):
    regions, stations, shares = weather_inputs()
    alone = generate_profiles(regions, stations, shares, 250.0, n_years=1, first_year=5, seed=11)
    for name in VARIABLES:
        np.testing.assert_array_equal(alone[name].values[0], three_years[name].sel(year=5).values)


def test_different_seed_differs(three_years):
    regions, stations, shares = weather_inputs()
    other = generate_profiles(regions, stations, shares, 250.0, n_years=1, first_year=4, seed=12)
    for name in ("pv", "wind", "inflow", "load", "temperature"):
        assert not np.array_equal(other[name].values[0], three_years[name].sel(year=4).values)


def test_same_seed_bit_identical_in_new_process(three_years):
    code = (
        "from tests.conftest import weather_inputs;"
        "from tests.test_weather_reproducibility import digest;"
        "from model.weather import generate_profiles;"
        "r, s, d = weather_inputs();"
        "print(digest(generate_profiles(r, s, d, 250.0, n_years=3, first_year=4, seed=11)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == digest(three_years)
