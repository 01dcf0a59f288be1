"""Solar geometry, clear-sky irradiance, cloudiness and PV output.

Geometry follows Spencer (1971) for declination, equation of time and the Earth–Sun distance,
evaluated at mid-hour in China Standard Time (UTC+8, meridian 120° E): solar noon at 106.7° E
falls near 12:53 CST. Clear-sky GHI is Haurwitz's (1945) model. A clearness process (fraction of
clear-sky GHI) with monthly means, hourly persistence and spatial correlation, darkened by the
cold-snap regime, scales it. Erbs et al. (1982) split GHI into beam and diffuse; an isotropic-sky
transposition gives plane-of-array irradiance on a fixed, south-facing tilted module; a NOCT cell
temperature and a linear power temperature coefficient derate the output.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.weather.random import STREAM_CLEARNESS, correlated_ar1, stream_key

SOLAR_CONSTANT = 1367.0  # [W/m2]


@njit(cache=True)
def solar_geometry(
    lat: np.ndarray,
    lon: np.ndarray,
    day_of_year: np.ndarray,
    hour_cst: np.ndarray,
    tilt_deg: float,
    azimuth_deg: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sun position terms per site and snapshot.

    Parameters
    ----------
    lat, lon : numpy.ndarray, shape (n_sites,)
        Latitude and longitude [deg].
    day_of_year : numpy.ndarray, shape (n_hours,)
        Day of year (1 = 1 January).
    hour_cst : numpy.ndarray, shape (n_hours,)
        Clock time in China Standard Time at which to evaluate, e.g. mid-hour ``h + 0.5`` [h].
    tilt_deg, azimuth_deg : float
        Module tilt from horizontal and azimuth clockwise from north (180 = south) [deg].

    Returns
    -------
    cos_zenith : numpy.ndarray, shape (n_sites, n_hours)
        Cosine of the solar zenith angle [-] (negative at night).
    cos_aoi : numpy.ndarray, shape (n_sites, n_hours)
        Cosine of the angle of incidence on the module [-] (negative: sun behind the module).
    e0 : numpy.ndarray, shape (n_hours,)
        Extraterrestrial normal irradiance [W/m2].
    """
    n_s, n_t = lat.shape[0], day_of_year.shape[0]
    cos_z = np.empty((n_s, n_t))
    cos_aoi = np.empty((n_s, n_t))
    e0 = np.empty(n_t)
    beta, gamma = np.radians(tilt_deg), np.radians(azimuth_deg)
    n_east = np.sin(beta) * np.sin(gamma)
    n_north = np.sin(beta) * np.cos(gamma)
    n_up = np.cos(beta)
    for t in range(n_t):
        # Fractional year [rad], at the UTC instant (CST - 8 h).
        g = 2.0 * np.pi / 365.0 * (day_of_year[t] - 1.0 + (hour_cst[t] - 8.0 - 12.0) / 24.0)
        decl = (
            0.006918 - 0.399912 * np.cos(g) + 0.070257 * np.sin(g)
            - 0.006758 * np.cos(2 * g) + 0.000907 * np.sin(2 * g)
            - 0.002697 * np.cos(3 * g) + 0.00148 * np.sin(3 * g)
        )
        eot_min = 229.18 * (
            0.000075 + 0.001868 * np.cos(g) - 0.032077 * np.sin(g)
            - 0.014615 * np.cos(2 * g) - 0.040849 * np.sin(2 * g)
        )
        e0[t] = SOLAR_CONSTANT * (
            1.00011 + 0.034221 * np.cos(g) + 0.00128 * np.sin(g)
            + 0.000719 * np.cos(2 * g) + 0.000077 * np.sin(2 * g)
        )
        sd, cd = np.sin(decl), np.cos(decl)
        for s in range(n_s):
            solar_time = hour_cst[t] + (lon[s] - 120.0) / 15.0 + eot_min / 60.0
            omega = np.radians(15.0 * (solar_time - 12.0))
            phi = np.radians(lat[s])
            up = np.sin(phi) * sd + np.cos(phi) * cd * np.cos(omega)
            east = -cd * np.sin(omega)
            north = np.cos(phi) * sd - np.sin(phi) * cd * np.cos(omega)
            cos_z[s, t] = up
            cos_aoi[s, t] = east * n_east + north * n_north + up * n_up
    return cos_z, cos_aoi, e0


@njit(cache=True)
def clear_sky_ghi(cos_zenith: float) -> float:
    """Haurwitz clear-sky global horizontal irradiance [W/m2] (0 with the sun down)."""
    if cos_zenith <= 0.0:
        return 0.0
    return 1098.0 * cos_zenith * np.exp(-0.057 / cos_zenith)


@njit(cache=True)
def erbs_diffuse_fraction(kt: float) -> float:
    """Diffuse fraction of GHI from the clearness index ``kt`` (Erbs et al., 1982) [-]."""
    if kt <= 0.22:
        return 1.0 - 0.09 * kt
    if kt <= 0.80:
        return 0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4
    return 0.165


@njit(cache=True)
def clearness_year(
    key: np.uint64,
    location: np.ndarray,
    chol: np.ndarray,
    phi: float,
    logit_sd: float,
    snap: np.ndarray,
    snap_logit: float,
    k_min: float,
    k_max: float,
) -> np.ndarray:
    """Cloud transmission (fraction of clear-sky GHI) of one weather year.

    ``k = k_min + (k_max - k_min) / (1 + exp(-(location + logit_sd * z - snap_logit * snap)))``
    with ``z`` spatially correlated AR(1) noise.

    Parameters
    ----------
    key : numpy.uint64
        Year key.
    location : numpy.ndarray, shape (n_hours,)
        Logit location; the wrapper solves it so the monthly mean transmission is as calibrated.
    chol : numpy.ndarray, shape (n_sites, n_sites)
        Cholesky factor of the correlation between prefectures.
    phi : float
        Hourly lag-one autocorrelation [-].
    logit_sd : float
        Spread on the logit scale [-].
    snap : numpy.ndarray, shape (n_hours,)
        Cold-snap intensity [-].
    snap_logit : float
        Darkening per unit cold-snap intensity [logit].
    k_min, k_max : float
        Bounds of the transmission [-].

    Returns
    -------
    numpy.ndarray, shape (n_sites, n_hours)
        Transmission [-].
    """
    n_t = location.shape[0]
    z = correlated_ar1(np.uint64(stream_key(key, STREAM_CLEARNESS)), phi, chol, n_t)
    for s in range(z.shape[0]):
        for t in range(n_t):
            x = location[t] + logit_sd * z[s, t] - snap_logit * snap[t]
            z[s, t] = k_min + (k_max - k_min) / (1.0 + np.exp(-x))
    return z


@njit(cache=True)
def pv_output(
    cos_zenith: np.ndarray,
    cos_aoi: np.ndarray,
    e0: np.ndarray,
    clearness: np.ndarray,
    air_temp: np.ndarray,
    tilt_deg: float,
    albedo: float,
    temp_coeff: float,
    noct: float,
    system_factor: float,
) -> np.ndarray:
    """PV output per unit of installed DC capacity [p.u.].

    Parameters
    ----------
    cos_zenith, cos_aoi : numpy.ndarray, shape (n_sites, n_hours)
        From :func:`solar_geometry` [-].
    e0 : numpy.ndarray, shape (n_hours,)
        Extraterrestrial normal irradiance [W/m2].
    clearness : numpy.ndarray, shape (n_sites, n_hours)
        Fraction of clear-sky GHI [-].
    air_temp : numpy.ndarray, shape (n_sites, n_hours)
        Air temperature [°C].
    tilt_deg : float
        Module tilt [deg].
    albedo : float
        Ground reflectance [-].
    temp_coeff : float
        Power temperature coefficient [1/°C] (negative).
    noct : float
        Nominal operating cell temperature [°C] (800 W/m2, 20 °C air).
    system_factor : float
        Balance-of-system and availability factor [-].

    Returns
    -------
    numpy.ndarray, shape (n_sites, n_hours)
        Output [p.u.], exactly 0 with the sun down, at most 1.
    """
    n_s, n_t = cos_zenith.shape
    out = np.zeros((n_s, n_t))
    cb = np.cos(np.radians(tilt_deg))
    sky_view, ground_view = 0.5 * (1.0 + cb), 0.5 * (1.0 - cb)
    for s in range(n_s):
        for t in range(n_t):
            cz = cos_zenith[s, t]
            if cz <= 0.0:
                continue
            ghi = clear_sky_ghi(cz) * clearness[s, t]
            kt = min(ghi / (e0[t] * cz), 1.0)
            dhi = ghi * erbs_diffuse_fraction(kt)
            # Near the horizon the beam/cosZ ratio blows up; treat all light as diffuse there.
            beam = (ghi - dhi) / cz if cz > 0.065 else 0.0
            if cz <= 0.065:
                dhi = ghi
            poa = beam * max(cos_aoi[s, t], 0.0) + dhi * sky_view + ghi * albedo * ground_view
            t_cell = air_temp[s, t] + (noct - 20.0) / 800.0 * poa
            p = poa / 1000.0 * (1.0 + temp_coeff * (t_cell - 25.0)) * system_factor
            out[s, t] = min(max(p, 0.0), 1.0)
    return out


def logit_location(mean: np.ndarray, logit_sd: float, k_min: float, k_max: float) -> np.ndarray:
    """Logit location whose transmission has the given mean under unit-normal noise.

    Solved by bisection with 40-point Gauss–Hermite quadrature of ``E[sigmoid(a + sd z)]``.

    Parameters
    ----------
    mean : numpy.ndarray
        Target mean transmission [-], inside ``(k_min, k_max)``.
    logit_sd, k_min, k_max : float
        As in :func:`clearness_year`.

    Returns
    -------
    numpy.ndarray
        Location, same shape as ``mean``.
    """
    x, w = np.polynomial.hermite_e.hermegauss(40)
    w = w / w.sum()
    target = (np.asarray(mean, float) - k_min) / (k_max - k_min)
    lo, hi = np.full(target.shape, -20.0), np.full(target.shape, 20.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        m = (w / (1.0 + np.exp(-(mid[..., None] + logit_sd * x)))).sum(axis=-1)
        lo, hi = np.where(m < target, mid, lo), np.where(m < target, hi, mid)
    return 0.5 * (lo + hi)
