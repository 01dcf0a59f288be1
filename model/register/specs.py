"""The tables of the asset register (``data/network/*.csv``) and what each column must hold.

The meaning and unit of every column are documented in ``data/network/README.md``.
"""

from __future__ import annotations

from model.register.columns import (
    ANY,
    CO2,
    COST,
    EFFICIENCY,
    ENERGY,
    HOURS,
    MAX_COST,
    PER_UNIT,
    POWER,
    SHARE,
    SOURCE,
    Check,
    Column,
    TableSpec,
    between,
    choice_column,
    text_column,
)

#: Years whose assets the register lists one by one (columns ``*_2025``, ``*_2030``).
YEARS = (2025, 2030)
#: Years of the record that history scenarios re-run: capacity by carrier in ``history.csv``,
#: split over assets as in 2025.
HISTORY_YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
#: Every year a scenario may run.
ALL_YEARS = (*HISTORY_YEARS, *YEARS)
PREFECTURES = (
    "guiyang",
    "zunyi",
    "liupanshui",
    "anshun",
    "bijie",
    "tongren",
    "qiandongnan",
    "qiannan",
    "qianxinan",
)
EXPORT_BUS = "guangdong"
#: What a sample year's coal supply is in ``fuel_stress.csv``: an ordinary year, or a fuel-crisis
#: winter (contract coal only, no spot, stock at the winter floor; as in 2022/23).
FUEL_STRESS_KINDS = ("none", "fuel_crisis")
DEMAND_CASES = ("low", "central", "high", "observed")
#: Carriers whose capacity a scenario sets (``carrier_gw``) and ``history.csv`` gives by year.
CAPACITY_CARRIERS = (
    "coal", "gas", "biomass", "hydro", "solar", "wind", "phs", "battery", "electrolyser", "fuel_cell",
)  # fmt: skip


YEAR = Check(lambda s: s.isin(YEARS), f"one of the years {YEARS}")
ANY_YEAR = Check(lambda s: s.isin(ALL_YEARS), f"one of the years {ALL_YEARS[0]}-{HISTORY_YEARS[-1]}, {YEARS}")
HISTORY_YEAR = Check(lambda s: s.isin(HISTORY_YEARS), f"one of the years {HISTORY_YEARS}")
BUS = choice_column("bus", PREFECTURES)
ALL_BUSES = (*PREFECTURES, EXPORT_BUS)
CARRIERS = (
    "coal",
    "gas",
    "biomass",
    "hydro",
    "ror",
    "solar",
    "wind",
    "phs",
    "battery",
    "H2",
    "electrolyser",
    "fuel_cell",
    "dr",
    "export",
    "load_shedding",
)

SPECS: dict[str, TableSpec] = {
    s.name: s
    for s in (
        TableSpec(
            "buses",
            (
                choice_column("id", ALL_BUSES),
                text_column("name_zh"),
                choice_column("kind", ("prefecture", "export")),
                Column(
                    "lon", check=Check(lambda s: (s > 100) & (s < 120), "a longitude in (100, 120) deg E")
                ),
                Column("lat", check=Check(lambda s: (s > 20) & (s < 30), "a latitude in (20, 30) deg N")),
                SOURCE,
            ),
        ),
        TableSpec(
            "carriers",
            (
                text_column("carrier"),
                text_column("nice_name"),
                text_column("name_zh"),
                text_column("color"),
                Column("co2_t_per_mwh", check=CO2),
                SOURCE,
            ),
            key="carrier",
        ),
        TableSpec(
            "corridors",
            (
                text_column("id"),
                choice_column("bus0", ALL_BUSES),
                choice_column("bus1", ALL_BUSES),
                choice_column("kind", ("ac", "export")),
                Column("p_nom_2025_mw", check=POWER),
                Column("p_nom_2030_mw", check=POWER),
                Column("efficiency", check=EFFICIENCY),
                SOURCE,
            ),
        ),
        TableSpec(
            "thermal",
            (
                text_column("id"),
                BUS,
                choice_column("carrier", ("coal", "gas", "biomass")),
                text_column("unit_class"),
                Column("unit_mw", check=between(0, 2000, "MW", low_open=True)),
                Column("units_2025", check=between(0, 1000, "units")),
                Column("units_2030", check=between(0, 1000, "units")),
                Column("p_min_pu", check=PER_UNIT),
                Column("ramp_pu_per_h", check=between(0, 1, "p.u./h", low_open=True)),
                Column("efficiency", check=EFFICIENCY),
                Column("co2_t_per_mwh", check=CO2),
                Column("marginal_cost_cny_per_mwh", check=COST),
                Column("start_up_cost_cny_per_mw", check=between(0, 100_000, "CNY/MW")),
                Column("min_up_h", check=between(0, 168, "h")),
                Column("min_down_h", check=between(0, 168, "h")),
                Column("maintenance_weeks", check=between(0, 52, "weeks a year")),
                Column("forced_outage_rate", check=SHARE),
                Column("mttr_h", check=HOURS),
                SOURCE,
            ),
        ),
        TableSpec(
            "hydro",
            (
                text_column("id"),
                text_column("name_zh"),
                BUS,
                text_column("river"),
                choice_column("kind", ("reservoir", "aggregate")),
                Column("cascade_order", check=between(0, 100, "")),
                Column("downstream", "text", optional=True),
                Column("p_nom_2025_mw", check=POWER),
                Column("p_nom_2030_mw", check=POWER),
                Column("regulating_storage_1e8m3", check=between(0, 1000, "1e8 m3"), optional=True),
                Column("reservoir_mwh", check=ENERGY, optional=True),
                Column("ror_share", check=SHARE),
                Column("eco_min_pu", check=SHARE),
                Column("head_m", check=between(0, 2000, "m", low_open=True), optional=True),
                Column("mean_generation_gwh", check=between(0, 200_000, "GWh", low_open=True)),
                SOURCE,
            ),
        ),
        TableSpec(
            "renewables",
            (
                text_column("id"),
                BUS,
                choice_column("carrier", ("solar", "wind")),
                Column("p_nom_2025_mw", check=POWER),
                Column("p_nom_2030_mw", check=POWER),
                SOURCE,
            ),
        ),
        TableSpec(
            "storage",
            (
                text_column("id"),
                BUS,
                choice_column("carrier", ("phs", "battery")),
                Column("p_nom_2025_mw", check=POWER),
                Column("p_nom_2030_mw", check=POWER),
                Column("max_hours", check=between(0, 2000, "h", low_open=True)),
                Column("efficiency_round_trip", check=EFFICIENCY),
                SOURCE,
            ),
        ),
        TableSpec(
            "hydrogen",
            (
                text_column("id"),
                BUS,
                choice_column("kind", ("electrolyser", "h2_store", "fuel_cell", "h2_demand")),
                Column("capacity_2025", check=ENERGY),
                Column("capacity_2030", check=ENERGY),
                text_column("unit"),
                Column("efficiency", check=EFFICIENCY),
                SOURCE,
            ),
        ),
        TableSpec(
            "demand_response",
            (
                Column("year", check=ANY_YEAR),
                Column("share_of_peak", check=SHARE),
                Column("cost_cny_per_mwh", check=between(0, MAX_COST, "CNY/MWh", low_open=True)),
                Column("max_hours_per_year", check=HOURS),
                Column("max_hours_per_event", check=HOURS),
                SOURCE,
            ),
            key="year",
        ),
        TableSpec(
            "demand",
            (
                Column("year", check=ANY_YEAR),
                choice_column("case", DEMAND_CASES),
                Column("annual_twh", check=between(0, 10_000, "TWh", low_open=True)),
                Column(
                    "load_factor", check=Check(lambda s: (s > 0.3) & (s <= 1), "a load factor in (0.3, 1]")
                ),
                SOURCE,
            ),
            key=None,
        ),
        TableSpec("demand_shares", (BUS, Column("share", check=SHARE), SOURCE), key="bus"),
        TableSpec(
            "exports",
            (Column("year", check=ANY_YEAR), Column("annual_twh", check=between(0, 10_000, "TWh")), SOURCE),
            key="year",
        ),
        TableSpec(
            "export_shape",
            (
                choice_column("kind", ("month", "hour")),
                Column("index", check=between(0, 23, "")),
                Column("factor", check=between(0, 24, "")),
                SOURCE,
            ),
            key=None,
        ),
        TableSpec(
            "history",
            (
                Column("year", check=HISTORY_YEAR),
                choice_column("carrier", CAPACITY_CARRIERS),
                Column("gw", check=between(0, 1000, "GW")),
                SOURCE,
            ),
            key=None,
        ),
        TableSpec(
            "maintenance",
            (text_column("start"), text_column("end"), SOURCE),
            key=None,
        ),
        TableSpec(
            "reservoir_rules",
            (
                text_column("date"),
                Column("ceiling", check=SHARE),
                Column("lower_guide", check=SHARE),
                Column("upper_guide", check=SHARE),
                SOURCE,
            ),
            key="date",
        ),
        TableSpec(
            "fuel_regions",
            (
                text_column("region"),
                Column("prefectures", "text"),
                Column("calorific_kcal_per_kg", check=between(1000, 8000, "kcal/kg")),
                Column("reference_load_factor", check=between(0, 1, "", low_open=True)),
                SOURCE,
            ),
            key="region",
        ),
        TableSpec(
            "coal_supply",
            (
                Column("year", check=ANY_YEAR),
                text_column("region"),
                Column("contract_kt_per_day", check=between(0, 100_000, "kt/day")),
                Column("spot_share", check=between(0, 10, "")),
                Column("stock_normal_days", check=between(0, 90, "days", low_open=True)),
                Column("stock_floor_days", check=between(0, 90, "days")),
                Column("stock_floor_peak_days", check=between(0, 90, "days")),
                Column("stock_start_days", check=between(0, 90, "days")),
                SOURCE,
            ),
            key=None,
        ),
        TableSpec(
            "coal_months",
            (
                Column("year", check=ANY_YEAR),
                text_column("region"),
                Column("month", check=Check(lambda s: s.isin(range(1, 13)), "a month 1-12")),
                Column("delivery_factor", check=between(0, 10, "")),
                Column("spot_factor", check=SHARE),
                Column("quality_derate", check=SHARE),
                SOURCE,
            ),
            key=None,
        ),
        TableSpec(
            "fuel_stress",
            (
                text_column("hydrology"),
                choice_column("kind", FUEL_STRESS_KINDS),
                Column("probability", check=SHARE),
                SOURCE,
            ),
            key=None,
        ),
        TableSpec(
            "targets",
            (
                text_column("id"),
                text_column("clause"),
                Column("year", check=YEAR),
                Column("value", check=ANY),
                text_column("unit"),
                choice_column("comparison", (">=", "<=", "<", ">", "~", "=")),
                choice_column("check", ("sim", "input", "power-part", "out")),
                text_column("description"),
                SOURCE,
            ),
            key=None,
        ),
    )
}

