"""Hydrology years: a class (wet, normal, dry, extreme dry) or an observed year of the record.

A hydrology year fixes two things for the generator: the fleet's **full-load hours** (annual
inflow energy per MW installed) and the **monthly shape** of inflow (twelve factors on the
daily mean, one per month, whose day-weighted mean is 1).

- A **class** takes its full-load hours from ``hydrology.csv`` and its shape from observed
  years of the record (``shape_years``: the mean of those years' normalised shapes), or the
  2015-2024 climatology (``monthly.csv`` ``hydro_factor``) for ``climatology``.
- An **observed year** ``observed-YYYY`` takes both from the provincial record
  (``hydro_record.csv``, S2): the year's monthly generation over the year's installed capacity
  (``hydro_capacity.csv``, S3), scaled to the scenario's hydro. Recorded *generation* stands in
  for natural *inflow*: the record already contains the reservoirs' own seasonal shifting and
  any spill, so an observed year's inflow is a little flatter than nature's and never spills
  more than the province did. January and February are published together; they are split at
  equal daily rates.

Recorded generation already contains the reservoirs' own shifting of water from the wet season
to the dry one. Used as inflow, it would be shifted a second time by the model's reservoirs
and come out too flat. :func:`natural_factors` therefore *naturalises* a shape (径流还原): it
adds back what the seasonal reservoirs store each month when they follow their lower guide
curve (:func:`model.reservoirs.guide_regulation_mw`), never leaving a month below
:data:`NATURAL_FLOOR_SHARE` of its generation. The year's energy is unchanged (the guide ends
the year where it began). The dispatch steers the same reservoirs to the same guide, so the
reconstruction and the operation agree: a model that kept exactly to its guide would give back
the record's months. What a hindcast then tests is the operation (does the dispatch keep to
its rule under its prices and its foresight?), not the rule. Where the real operators ran far
from the guide (2023 began with low reservoirs after the dry autumn of 2022), the reconstructed
months are wrong in the same measure: 2023's spring comes out drier than nature's and its
floor binds in April.

The *expected* monthly inflow, what an operator plans on, is the climatology shape scaled to
the year's energy: the operator knows what kind of year it is (a seasonal forecast), not when
in the year the water comes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

#: Label prefix of an observed year: ``observed-2022``.
OBSERVED_PREFIX = "observed-"
#: Days of each month of a 365-day year.
MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
#: Periods of the provincial monthly records and the calendar months each covers (January and
#: February are published together).
RECORD_MONTHS = {"jan_feb": (1, 2), "mar": (3,), "apr": (4,), "may": (5,), "jun": (6,), "jul": (7,),
                 "aug": (8,), "sep": (9,), "oct": (10,), "nov": (11,), "dec": (12,)}  # fmt: skip
#: Periods of the record, in order.
RECORD_PERIODS = tuple(RECORD_MONTHS)
#: Shape keyword of a class that follows the climatology.
CLIMATOLOGY = "climatology"
#: Least natural inflow of a month, as a share of that month's recorded generation [-]
#: (assumption: in the driest months rivers still bring a tenth of what the stations make).
NATURAL_FLOOR_SHARE = 0.1


@dataclass(frozen=True)
class HydrologyYear:
    """What a hydrology label means for one year.

    Attributes
    ----------
    label : str
        ``wet`` ... ``extreme_dry`` or ``observed-YYYY``.
    full_load_hours : float
        Annual inflow energy per MW of installed hydro [h].
    factors : numpy.ndarray, shape (12,)
        Monthly factor on the year's daily mean inflow (day-weighted mean 1) [-].
    observed : bool
        An observed year: its months are matched exactly, not only its year.
    """

    label: str
    full_load_hours: float
    factors: np.ndarray
    observed: bool


def observed_year(label: str) -> int | None:
    """The calendar year of an ``observed-YYYY`` label, else None."""
    m = re.fullmatch(rf"{OBSERVED_PREFIX}(\d{{4}})", str(label))
    return int(m.group(1)) if m else None


def split_record_months(periods: np.ndarray) -> np.ndarray:
    """Twelve monthly values [TWh] from the record's eleven periods (Jan+Feb at equal daily rates)."""
    periods = np.asarray(periods, dtype=float)
    jan_feb = periods[0] * MONTH_DAYS[:2] / MONTH_DAYS[:2].sum()
    return np.r_[jan_feb, periods[1:]]


def shape_from_energy(monthly: np.ndarray) -> np.ndarray:
    """Monthly factors on the daily mean (day-weighted mean 1) from monthly energies."""
    monthly = np.asarray(monthly, dtype=float)
    rate = monthly / MONTH_DAYS
    return rate / (monthly.sum() / MONTH_DAYS.sum())


def normalised(factors: np.ndarray) -> np.ndarray:
    """``factors`` scaled to a day-weighted mean of 1."""
    f = np.asarray(factors, dtype=float)
    return f / (f @ MONTH_DAYS / MONTH_DAYS.sum())


def climatology(params) -> np.ndarray:
    """The 2015-2024 mean monthly shape (``monthly.csv`` ``hydro_factor``), normalised."""
    return normalised(params.month("hydro_factor"))


def valid_labels(params) -> list[str]:
    """Every hydrology label the parameters know: the classes, then the observed years."""
    years = sorted(set(params.hydro_record) & set(params.hydro_capacity))
    return [*params.hydrology, *(f"{OBSERVED_PREFIX}{y}" for y in years)]


def hydrology_year(params, label: str) -> HydrologyYear:
    """Full-load hours and monthly shape of ``label`` (ValueError naming the valid ones)."""
    year = observed_year(label)
    if year is not None:
        if year not in params.hydro_record or year not in params.hydro_capacity:
            known = sorted(set(params.hydro_record) & set(params.hydro_capacity))
            raise ValueError(
                f"hydrology '{label}': the record (hydro_record.csv, hydro_capacity.csv) has observed years "
                f"{known[0]}-{known[-1]} only"
            )
        monthly = np.asarray(params.hydro_record[year], dtype=float)
        flh = monthly.sum() * 1e3 / params.hydro_capacity[year]
        return HydrologyYear(label, float(flh), shape_from_energy(monthly), True)
    if label not in params.hydrology:
        raise ValueError(
            f"hydrology '{label}': not a class ({', '.join(params.hydrology)}) or an observed year "
            f"({OBSERVED_PREFIX}YYYY)"
        )
    return HydrologyYear(label, float(params.hydrology[label]), class_shape(params, label), False)


def class_shape(params, label: str) -> np.ndarray:
    """Monthly shape of a class: the mean of its shape years' normalised shapes."""
    spec = params.hydrology_shapes.get(label, CLIMATOLOGY)
    if spec == CLIMATOLOGY:
        return climatology(params)
    shapes = [shape_from_energy(params.hydro_record[int(y)]) for y in spec.split()]
    return normalised(np.mean(shapes, axis=0))


def expected_factors(params) -> np.ndarray:
    """The monthly shape an operator plans on: the climatology."""
    return climatology(params)


def hydrology_class(params, label: str) -> str:
    """The class of a label: itself, or the class nearest an observed year's full-load hours."""
    if label in params.hydrology:
        return label
    flh = hydrology_year(params, label).full_load_hours
    return min(params.hydrology, key=lambda c: abs(params.hydrology[c] - flh))


def natural_factors(
    factors: np.ndarray, fleet_mean_mw: float, regulation_mw: np.ndarray | None
) -> np.ndarray:
    """Monthly factors of natural inflow from those of generation (see module docstring).

    Natural inflow is generation plus what the seasonal reservoirs store that month when they
    follow their lower guide curve, never below :data:`NATURAL_FLOOR_SHARE` of generation. The
    factors' day-weighted mean is 1 plus the year's net storing over the mean generation (1
    on the register's guide, which ends the year where it began).

    Parameters
    ----------
    factors : numpy.ndarray, shape (12,)
        Monthly factors of generation (day-weighted mean 1) [-].
    fleet_mean_mw : float
        The fleet's mean generation over the year [MW].
    regulation_mw : numpy.ndarray, shape (12,), optional
        Mean rate at which the reservoirs store in each month [MW], summing to zero over the
        year (:func:`model.reservoirs.guide_regulation_mw`; None: no naturalisation).

    Returns
    -------
    numpy.ndarray, shape (12,)
        Monthly factors of natural inflow (day-weighted mean 1) [-].
    """
    if regulation_mw is None or fleet_mean_mw <= 0:
        return np.asarray(factors, dtype=float)
    generation = np.asarray(factors, dtype=float) * fleet_mean_mw
    stored = np.asarray(regulation_mw, dtype=float)
    natural = np.maximum(generation + stored, NATURAL_FLOOR_SHARE * generation)
    # the year's natural energy is its generation plus what the reservoirs kept over the year
    # (zero on the register's guide; the net change of an observed path), floors or not
    net = float((MONTH_DAYS * stored).sum() / MONTH_DAYS.sum())
    return normalised(natural / fleet_mean_mw) * max(1.0 + net / fleet_mean_mw, NATURAL_FLOOR_SHARE)
