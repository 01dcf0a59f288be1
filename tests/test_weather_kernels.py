"""Every numba kernel gives the same result compiled and as plain Python (``py_func``)."""

from __future__ import annotations

import numpy as np
import pytest

from model.weather import demand, hydro, random, regimes, solar, temperature, wind, years

KEY = np.uint64(0x1234_5678_9ABC_DEF0)
KEYS = np.array([KEY, np.uint64(42)], dtype=np.uint64)
T = 48  # two days
R = 2


def _small_inputs() -> dict:
    rng = np.random.default_rng(0)
    chol = random.exponential_cholesky(random.distance_km([106.6, 104.8], [26.6, 26.6]), 150.0)
    doy = np.repeat([15.0, 16.0], 24)
    hour = np.tile(np.arange(24.0), 2) + 0.5
    cos_z, cos_aoi, e0 = solar.solar_geometry(
        np.array([26.6, 26.6]), np.array([106.6, 104.8]), doy, hour, 22.0, 180.0
    )
    snap = np.abs(rng.normal(size=T))
    return {
        "chol": chol, "doy": doy, "hour": hour, "cos_z": cos_z, "cos_aoi": cos_aoi, "e0": e0,
        "snap": snap, "snap2": np.vstack([snap, snap[::-1]]),
        "temp": 5.0 + rng.normal(size=(R, T)), "temp3": 5.0 + rng.normal(size=(2, R, T)),
        "clear": rng.uniform(0.1, 0.9, size=(R, T)), "scale": np.full((R, T), 6.5),
        "location": np.zeros(T), "seasonal": np.array([0.8, 1.2]),
    }


S = _small_inputs()
CLOUD = np.array([0.97, 1.3, 1.2, 0.05, 1.0])
PANEL = np.array([22.0, 0.2, -0.0037, 45.0, 0.85])
TURBINE = np.array([3.0, 10.5, 22.0, 0.9])
RIVER = np.array([0, 0, 1], dtype=np.int64)
RCHOL = random.uniform_cholesky(2, 0.6)
MEAN_MW = np.array([100.0, 50.0, 20.0])
SHAPE = np.ones(T)
HDD = np.zeros((R, 2))
DD = np.array([14.0, 0.012, 24.0, 0.008])

CASES = {
    "mix64": (random.mix64, (np.uint64(12345),)),
    "stream_key": (random.stream_key, (KEY, 3)),
    "uniform": (random.uniform, (KEY, 7)),
    "normal": (random.normal, (KEY, 7)),
    "correlated_ar1": (random.correlated_ar1, (KEY, 0.9, S["chol"], T)),
    "cold_snap_year": (regimes.cold_snap_year, (KEY, 0.99, 0.5, np.ones(T))),
    "temperature_year": (
        temperature.temperature_year, (KEY, S["temp"], S["chol"], 0.98, 2.0, S["snap"], 3.5)
    ),
    "solar_geometry": (
        solar.solar_geometry,
        (np.array([26.6, 27.3]), np.array([106.6, 105.3]), S["doy"], S["hour"], 22.0, 180.0),
    ),
    "clear_sky_ghi": (solar.clear_sky_ghi, (0.7,)),
    "erbs_diffuse_fraction": (solar.erbs_diffuse_fraction, (0.5,)),
    "clearness_year": (
        solar.clearness_year, (KEY, S["location"], S["chol"], 0.97, 1.3, S["snap"], 1.2, 0.05, 1.0)
    ),
    "pv_output": (
        solar.pv_output,
        (S["cos_z"], S["cos_aoi"], S["e0"], S["clear"], S["temp"], 22.0, 0.2, -0.0037, 45.0, 0.85),
    ),
    "weibull_from_normal": (wind.weibull_from_normal, (0.3, 6.5, 2.0)),
    "power_curve": (wind.power_curve, (7.0, 3.0, 10.5, 22.0)),
    "wind_year": (wind.wind_year, (KEY, S["scale"], S["chol"], 0.93, 2.0, S["snap"], 0.25, TURBINE)),
    "inflow_year": (
        hydro.inflow_year,
        (KEY, RIVER, RCHOL, 0.95, 0.35, 0.15, S["seasonal"], S["snap"], 0.2, MEAN_MW),
    ),
    "load_year": (
        demand.load_year, (SHAPE, S["temp"], np.array([0.6, 0.4]), HDD, HDD, DD, 1000.0)
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_equals_python(name):
    kernel, args = CASES[name]
    compiled = kernel(*args)
    with np.errstate(over="ignore"):  # uint64 hashing wraps by design
        plain = kernel.py_func(*args)
    compiled = compiled if isinstance(compiled, tuple) else (compiled,)
    plain = plain if isinstance(plain, tuple) else (plain,)
    for c, p in zip(compiled, plain, strict=True):
        np.testing.assert_allclose(np.asarray(c, float), np.asarray(p, float), rtol=1e-6, atol=1e-9)


def test_normal_draws_are_standard():
    z = np.array([random.normal(KEY, i) for i in range(20000)])
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1.0) < 0.03


def test_pv_is_zero_at_night():
    pv = solar.pv_output(S["cos_z"], S["cos_aoi"], S["e0"], S["clear"], S["temp"],
                         22.0, 0.2, -0.0037, 45.0, 0.85)
    assert (pv[S["cos_z"] <= 0] == 0).all() and (pv > 0).any()


def test_cascade_split_rebuilds_natural_energy():
    # Two stations: upstream 100 at 100 m head, downstream 300 at 150 m.
    local, rebuilt = hydro.cascade_local_energy(
        np.array([100.0, 300.0]), np.array([100.0, 150.0]), np.array([1, -1]), 0.02
    )
    np.testing.assert_allclose(local, [100.0, 150.0])
    np.testing.assert_allclose(rebuilt, [100.0, 300.0])
    # Floor: downstream needs less than upstream delivers.
    local, rebuilt = hydro.cascade_local_energy(
        np.array([100.0, 100.0]), np.array([100.0, 150.0]), np.array([1, -1]), 0.02
    )
    np.testing.assert_allclose(local, [100.0, 2.0])
    np.testing.assert_allclose(rebuilt, [100.0, 152.0])


# The batch kernels write into arrays they are given: each is run compiled and as ``py_func``
# on fresh outputs, and checked against the kernels it is made of.

SEASON = np.linspace(1.0, 0.0, T)
REGIME = np.array([0.99, 0.5])
TEMP_PAR = np.array([0.98, 2.0, 3.5])
WIND_PAR = np.array([0.93, 2.0, 0.25])
RIVER_PAR = np.array([0.95, 0.35, 0.15, 0.2])
SEASONAL = np.vstack([S["seasonal"], S["seasonal"][::-1]])
YEAR_MW = np.vstack([MEAN_MW, 2 * MEAN_MW])


def _weather_years(kernel, keep_temperature: bool) -> tuple[np.ndarray, ...]:
    """``kernel`` (:func:`years.weather_years` or its ``py_func``) on the small inputs."""
    out = tuple(np.full((2, R, T), np.nan, np.float32) for _ in range(3))
    inflow = np.full((2, len(RIVER), T), np.nan, np.float32)
    temp = np.full((2 if keep_temperature else 0, R, T), np.nan, np.float32)
    with np.errstate(over="ignore"):  # uint64 hashing wraps by design
        kernel(
            KEYS, SEASON, REGIME, S["temp"], S["chol"], TEMP_PAR,
            S["cos_z"], S["cos_aoi"], S["e0"], S["location"], S["chol"], CLOUD, PANEL,
            S["scale"], S["chol"], WIND_PAR, TURBINE,
            RIVER, RCHOL, RIVER_PAR, SEASONAL, YEAR_MW,
            SHAPE, np.array([0.6, 0.4]), HDD, HDD, DD, 1000.0,
            *out, inflow, temp,
        )  # fmt: skip
    return (*out, inflow, temp)


def test_weather_years_compiled_equals_python():
    for keep in (True, False):
        compiled = _weather_years(years.weather_years, keep)
        plain = _weather_years(years.weather_years.py_func, keep)
        for c, p in zip(compiled, plain, strict=True):
            assert np.isfinite(c).all()  # every element written
            np.testing.assert_allclose(c, p, rtol=1e-6, atol=1e-9)


def test_weather_years_are_the_year_kernels_year_by_year():
    """Each year of the batch kernel is, bit for bit, its year kernels chained by hand."""
    pv, wnd, load, inflow, temp = _weather_years(years.weather_years, True)
    for y, key in enumerate(KEYS):
        snap = regimes.cold_snap_year(key, *REGIME, SEASON)
        t = temperature.temperature_year(key, S["temp"], S["chol"], *TEMP_PAR[:2], snap, TEMP_PAR[2])
        clear = solar.clearness_year(key, S["location"], S["chol"], CLOUD[0], CLOUD[1], snap, *CLOUD[2:])
        w = wind.wind_year(key, S["scale"], S["chol"], WIND_PAR[0], WIND_PAR[1], snap, WIND_PAR[2], TURBINE)
        q = hydro.inflow_year(key, RIVER, RCHOL, *RIVER_PAR[:3], SEASONAL[y], snap, RIVER_PAR[3], YEAR_MW[y])
        expected = {
            "temperature": (temp[y], t),
            "pv": (pv[y], solar.pv_output(S["cos_z"], S["cos_aoi"], S["e0"], clear, t, *PANEL)),
            "wind": (wnd[y], w),
            "inflow": (inflow[y], q),
            "load": (load[y], demand.load_year(SHAPE, t, np.array([0.6, 0.4]), HDD, HDD, DD, 1000.0)),
        }
        for name, (got, want) in expected.items():
            assert np.array_equal(got, want.astype(np.float32)), name


def _ror_numpy(inflow: np.ndarray, region_of: np.ndarray, p_nom: np.ndarray, n_regions: int) -> np.ndarray:
    """Run-of-river availability as the generator computed it with NumPy before its kernel."""
    out = np.zeros((inflow.shape[0], n_regions, inflow.shape[2]), dtype=np.float32)
    for r in range(n_regions):
        sel = np.flatnonzero(region_of == r)
        if sel.size:
            out[:, r] = np.clip(inflow[:, sel].sum(axis=1) / p_nom[sel].sum(), 0.0, 1.0)
    return out


def test_ror_availability_equals_numpy_compiled_and_python():
    rng = np.random.default_rng(3)
    inflow = rng.uniform(0.0, 900.0, size=(3, 5, T)).astype(np.float32)
    region_of = np.array([2, -1, 0, 2, 2])  # three aggregates in region 2, none in region 1
    p_nom = np.array([500.0, 80.0, 700.0, 300.0, 250.0])
    p_sum = np.array([p_nom[region_of == r].sum() for r in range(3)])
    want = _ror_numpy(inflow, region_of, p_nom, 3)
    for kernel in (hydro.ror_availability, hydro.ror_availability.py_func):
        got = np.full((3, 3, T), np.nan, np.float32)
        kernel(inflow, region_of, p_sum, got)
        assert np.array_equal(got, want)
    assert (want[:, 1] == 0).all() and (want[:, 2] == 1).any() and ((want[:, 0] > 0) & (want[:, 0] < 1)).any()
