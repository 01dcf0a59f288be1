"""The coal fuel chain: deliveries into each supply region's plant stockpile, burnt at the heat rates.

A **fuel region** (``fuel_regions.csv``) is a set of prefectures whose coal plants share one
supply: provincial mines plus coal from other provinces, delivered by rail and road. The record
reports Guizhou's coal stock and deliveries for the province's grid-dispatched plants as a whole,
so the bundled register has one region. For each region and year (``coal_supply.csv``):

- **deliveries** [kt/day]: the most coal that reaches the region's plants in a day: the
  year's long-term **contracts** (delivered evenly, month by month) plus up to ``spot_share``
  of them bought **spot** where the spot price lets plants buy (``coal_months.csv``
  ``spot_factor``: none in a month the spot price stood far above what the regulated tariff
  pays for), shaped by month (``delivery_factor``: a cut road or rail line) and scaled by the
  scenario (``coal.delivery_scale``, ``coal.spot_share``, ``coal.delivery_cuts``);
- **stockpile** in days of burn: the **normal** level plants refill to when deliveries allow,
  the operator's **floor** below which they do not burn (the national minimum-stock rules: one
  floor for the winter peak season, :data:`PEAK_MONTHS`, one for the rest of the year), and the
  level on 1 January. One day of burn is the region's coal fleet at
  ``reference_load_factor`` of its capacity for 24 h (about its winter loading);
- **coal quality** (``coal_months.csv`` ``quality_derate``): the share of capacity a boiler can
  reach on the coal it gets (wet or low-grade coal derates units), by month.

Energies are of fuel [MWh_th]: a tonne of coal of ``calorific_kcal_per_kg`` holds
``kcal x 4.1868 / 3600`` MWh. Plants turn it into electricity at their register efficiency.
Pure functions of the register, the scenario and the fleet; :mod:`model.network.thermal` turns
them into PyPSA components and :mod:`model.adequacy.system` into the engine's arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.errors import InputError, did_you_mean
from model.register import Register, mm_dd_day
from model.scenario import CoalOptions
from model.thermal.availability import in_days

#: MWh of heat in a tonne of coal per kcal/kg of calorific value (4.1868 kJ/kcal, 3.6 GJ/MWh).
MWH_PER_T_PER_KCAL = 4.1868e3 / 3.6e6
#: The winter peak season (迎峰度冬) of the minimum-stock rules: December to February.
PEAK_MONTHS = (12, 1, 2)


@dataclass(frozen=True)
class FuelRegion:
    """One supply region's fuel chain over the dispatched hours (energies of fuel).

    Attributes
    ----------
    name : str
        Region id.
    prefectures : tuple of str
        Prefectures whose coal plants burn from this supply.
    mwh_per_t : float
        Heat in a tonne of the region's coal [MWh_th/t].
    day_of_burn_mwh : float
        One day of burn: the region's coal fleet at its reference load for 24 h [MWh_th].
    delivery_mwh_h : numpy.ndarray, shape (T,)
        The most fuel delivered in each hour [MWh_th/h].
    stock_normal_mwh, stock_start_mwh : float
        Normal stockpile and the level on the first hour [MWh_th].
    stock_floor_mwh : numpy.ndarray, shape (T,)
        The operator's floor in each hour (the peak season's or the rest of the year's) [MWh_th].
    quality : numpy.ndarray, shape (T,)
        Share of coal capacity the delivered coal lets boilers reach [-].
    """

    name: str
    prefectures: tuple[str, ...]
    mwh_per_t: float
    day_of_burn_mwh: float
    delivery_mwh_h: np.ndarray
    stock_normal_mwh: float
    stock_floor_mwh: np.ndarray
    stock_start_mwh: float
    quality: np.ndarray

    def days(self, mwh: np.ndarray | float) -> np.ndarray | float:
        """A stock [MWh_th] in days of burn [d]."""
        return np.asarray(mwh) / self.day_of_burn_mwh if self.day_of_burn_mwh > 0 else np.asarray(mwh) * 0.0


def region_of_prefecture(register: Register) -> dict[str, str]:
    """The fuel region of every prefecture (each prefecture in exactly one region)."""
    out: dict[str, str] = {}
    for region, places in zip(register.fuel_regions.region, register.fuel_regions.prefectures, strict=True):
        for p in str(places).split():
            out[p] = str(region)
    return out


def fuel_regions(
    register: Register, coal: CoalOptions, year: int, p_nom: pd.Series, snapshots: pd.DatetimeIndex
) -> tuple[FuelRegion, ...]:
    """Every supply region's fuel chain over ``snapshots`` (see the module docstring).

    Parameters
    ----------
    register : Register
        Gives ``fuel_regions``, ``coal_supply`` and ``coal_months``.
    coal : CoalOptions
        The scenario's coal options: ``delivery_scale``, ``delivery_cuts``, ``stock_start_days``.
    year : int
        The scenario's year (a row of ``coal_supply.csv``).
    p_nom : pandas.Series
        Installed capacity of every thermal row [MW_el] (index: register ids).
    snapshots : pandas.DatetimeIndex
        Hours dispatched.
    """
    th = register.thermal.set_index("id")
    coal_rows = th[th.carrier == "coal"]
    where = region_of_prefecture(register)
    _check_cut_regions(coal, set(register.fuel_regions.region))
    out = []
    for reg in register.fuel_regions.itertuples():
        supply = _supply_row(register, year, str(reg.region))
        rows = coal_rows.index[coal_rows.bus.map(where) == reg.region]
        fuel_mw = float((p_nom.reindex(rows).fillna(0.0) / coal_rows.efficiency[rows]).sum())
        day = fuel_mw * 24 * float(reg.reference_load_factor)
        mwh_per_t = float(reg.calorific_kcal_per_kg) * MWH_PER_T_PER_KCAL
        delivery_factor, spot_factor, quality = _monthly(register, year, str(reg.region), snapshots)
        spot_factor = np.where(np.isin(snapshots.month, coal.spot_months_off), 0.0, spot_factor)
        cut = _cuts(coal, str(reg.region), snapshots)
        spot = float(supply.spot_share) if coal.spot_share is None else coal.spot_share
        kt_per_day = float(supply.contract_kt_per_day) * (1.0 + spot * spot_factor)
        delivery = kt_per_day * 1e3 * mwh_per_t / 24 * coal.delivery_scale
        start_days = coal.stock_start_days if coal.stock_start_days is not None else supply.stock_start_days
        peak = np.isin(snapshots.month, PEAK_MONTHS)
        floor_days = np.where(peak, supply.stock_floor_peak_days, supply.stock_floor_days)
        if start_days < supply.stock_floor_peak_days or start_days > supply.stock_normal_days:
            raise InputError(
                f"coal.stock_start_days = {start_days:g}: the stock on 1 January must lie between the "
                f"winter floor ({supply.stock_floor_peak_days:g} d) and the normal level "
                f"({supply.stock_normal_days:g} d) of region '{reg.region}' in {year} (coal_supply.csv)"
            )
        out.append(
            FuelRegion(
                name=str(reg.region),
                prefectures=tuple(str(reg.prefectures).split()),
                mwh_per_t=mwh_per_t,
                day_of_burn_mwh=day,
                delivery_mwh_h=delivery * delivery_factor * cut,
                stock_normal_mwh=float(supply.stock_normal_days) * day,
                stock_floor_mwh=floor_days * day,
                stock_start_mwh=float(start_days) * day,
                quality=quality,
            )
        )
    return tuple(out)


def crisis_options(register: Register, coal: CoalOptions, year: int) -> CoalOptions:
    """The coal options of a fuel-crisis winter in ``year``: contract coal only in the peak season.

    No spot coal in :data:`PEAK_MONTHS` (the spot price far above what the regulated tariff pays
    for, as in 2021-22 and the 2022/23 winter) and the year starts with the stock at the winter
    floor (15 days on 1 January 2023), the highest floor of the year's supply rows.
    """
    rows = register.coal_supply[register.coal_supply.year == year]
    floor = float(rows.stock_floor_peak_days.max()) if not rows.empty else coal.stock_start_days
    months = tuple(sorted({*coal.spot_months_off, *PEAK_MONTHS}))
    return coal.model_copy(update={"spot_months_off": months, "stock_start_days": floor})


def sustained_fuel_mwh_h(region: FuelRegion, snapshots: pd.DatetimeIndex) -> np.ndarray:
    """Fuel a region's plants can burn in each hour over a whole winter, (T,) [MWh_th/h].

    The hour's deliveries plus the stock above the hour's floor, spread evenly over the hours of
    the winter peak season (:data:`PEAK_MONTHS`) in ``snapshots``: what the fleet can keep burning
    through a long winter if it draws its stock down to the floor and no further. The adequacy
    engine, which has no stockpile, caps coal at this (a season's energy spread evenly: it gives
    peaks no more than the mean, so it errs on the side of shortage in the hours of a cold snap).
    """
    peak_hours = max(int(np.isin(snapshots.month, PEAK_MONTHS).sum()), 1)
    spare = np.maximum(region.stock_start_mwh - region.stock_floor_mwh, 0.0)
    return region.delivery_mwh_h + spare / peak_hours


def sustained_coal_mw(
    register: Register, coal: CoalOptions, year: int, p_nom: pd.Series, snapshots: pd.DatetimeIndex
) -> pd.Series:
    """Electric power the fuel chain sustains per coal row and hour, (T, rows) [MW_el].

    Each region's :func:`sustained_fuel_mwh_h` burnt at its rows' efficiencies, split over its coal
    rows by capacity (index: ``snapshots``; columns: coal rows of the register).
    """
    th = register.thermal.set_index("id")
    coal_rows = th[th.carrier == "coal"]
    where = region_of_prefecture(register)
    cap = p_nom.reindex(coal_rows.index).fillna(0.0)
    out = pd.DataFrame(0.0, index=snapshots, columns=coal_rows.index)
    for region in fuel_regions(register, coal, year, p_nom, snapshots):
        rows = coal_rows.index[coal_rows.bus.map(where) == region.name]
        fuel_mw = float((cap[rows] / coal_rows.efficiency[rows]).sum())
        if fuel_mw <= 0:
            continue
        electric = sustained_fuel_mwh_h(region, snapshots) * float(cap[rows].sum()) / fuel_mw
        out[rows] = np.outer(electric, cap[rows].to_numpy() / float(cap[rows].sum()))
    return out


def _supply_row(register: Register, year: int, region: str) -> pd.Series:
    table = register.coal_supply
    rows = table[(table.year == year) & (table.region == region)]
    if rows.empty:
        raise InputError(
            f"{register.path / 'coal_supply.csv'}: no row for year {year}, region '{region}' (each region of "
            "fuel_regions.csv needs its deliveries and stock for every year a scenario may run)"
        )
    return rows.iloc[0]


def _monthly(register: Register, year: int, region: str, snapshots: pd.DatetimeIndex
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Delivery factor, spot factor and quality derate of each snapshot [-] (1 where the table is silent)."""
    table = register.coal_months
    rows = table[(table.year == year) & (table.region == region)]
    columns = ("delivery_factor", "spot_factor", "quality_derate")
    out = {c: pd.Series(1.0, index=range(1, 13)) for c in columns}
    for r in rows.itertuples():
        for c, s in out.items():
            s[int(r.month)] *= float(getattr(r, c))
    month = snapshots.month.to_numpy()
    return tuple(s.reindex(month).to_numpy() for s in out.values())  # type: ignore[return-value]


def _check_cut_regions(coal: CoalOptions, regions: set[str]) -> None:
    for i, cut in enumerate(coal.delivery_cuts):
        for r in cut.regions:
            if r not in regions:
                raise InputError(
                    f"coal.delivery_cuts[{i}].regions: '{r}' is not a fuel region{did_you_mean(r, regions)}; "
                    f"valid: {', '.join(sorted(regions))} (fuel_regions.csv)"
                )


def _cuts(coal: CoalOptions, region: str, snapshots: pd.DatetimeIndex) -> np.ndarray:
    """Share of deliveries that still arrive in each snapshot under the scenario's delivery cuts [-]."""
    factor = np.ones(len(snapshots))
    for i, cut in enumerate(coal.delivery_cuts):
        if cut.regions and region not in cut.regions:
            continue
        where = f"coal.delivery_cuts[{i}]"
        when = in_days(snapshots, mm_dd_day(cut.start, where), mm_dd_day(cut.end, where))
        factor[when] *= 1.0 - cut.share
    return factor
