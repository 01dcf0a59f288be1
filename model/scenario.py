"""Scenario files: what to run, in a strict, frozen, documented schema.

A scenario is a YAML file in ``runs/``. ``base: other.yaml`` makes it a few overrides of
another scenario (paths are relative to the file; mappings merge key by key, everything else
replaces). Unknown keys are errors that name the file and the nearest valid key; every field
has a type, a range and a one-line description (``Scenario.model_json_schema()`` lists them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from model import ROOT
from model.errors import InputError, clip, did_you_mean, quote
from model.scenario_layers import explain_layers, resolve_layers, rule_message

#: Hydrology classes, wettest first.
HYDROLOGY_CLASSES = ("wet", "normal", "dry", "extreme_dry")
#: Years of the record that history scenarios re-run (``data/network/history.csv``).
HISTORY_YEARS = (2019, 2020, 2021, 2022, 2023, 2024)


def check_hydrology(label: str) -> str:
    """``label`` if it is a hydrology class or an observed year of the record, else ValueError."""
    from model.weather.hydrology import OBSERVED_PREFIX, valid_labels
    from model.weather.parameters import load_params

    valid = valid_labels(load_params())
    if label not in valid:
        years = [v.removeprefix(OBSERVED_PREFIX) for v in valid if v.startswith(OBSERVED_PREFIX)]
        raise ValueError(
            f"must be a hydrology class ({', '.join(HYDROLOGY_CLASSES)}) or an observed year of the record "
            f"as {OBSERVED_PREFIX}YYYY ({years[0]}-{years[-1]}){did_you_mean(label, valid)}"
        )
    return label


#: A hydrology class (wet, normal, dry, extreme_dry) or an observed year (observed-2022).
Hydrology = Annotated[str, AfterValidator(check_hydrology)]
DemandCase = Literal["low", "central", "high", "observed"]
CapacityCarrier = Literal[
    "coal", "gas", "biomass", "hydro", "solar", "wind", "phs", "battery", "electrolyser", "fuel_cell"
]


#: A carrier's total capacity [GW]: finite, >= 0, at most 1,000 GW (the province has ~140 GW).
CapacityGW = Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False)]
#: One asset's capacity [MW]: finite, >= 0, at most 100 GW (the register's bound, data/network/README.md).
CapacityMW = Annotated[float, Field(ge=0, le=100_000, allow_inf_nan=False)]
#: A hydrogen store's total energy [GWh]: finite, >= 0, at most 50 TWh (the register's bound).
EnergyGWh = Annotated[float, Field(ge=0, le=50_000, allow_inf_nan=False)]
StorageCarrier = Literal["phs", "battery"]
#: A storage duration at full power [h]: above zero, at most a season.
Hours = Annotated[float, Field(gt=0, le=2000, allow_inf_nan=False)]


#: A plain name (scenario, sweep): it becomes a folder name under runs/, so never a path.
PLAIN_NAME = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$"
#: Largest weather seed: the generator and netCDF attributes hold it as an unsigned 64-bit word.
MAX_SEED = 2**64 - 1


def check_plain_name(name: str) -> str:
    """``name`` if it is a plain name (letters, digits, ``-_.``; no leading dot), else ValueError.

    A scenario or sweep name is the default folder ``runs/<name>``; ``../x`` or ``a/b`` would
    put (and replace) a folder elsewhere.
    """
    if not re.fullmatch(PLAIN_NAME, name) or len(name) > 100:
        raise ValueError(
            "must be a plain name of at most 100 letters, digits, '-', '_' and '.' (no '/', no leading "
            "dot), e.g. 2030-dry; it names the folder runs/<name>"
        )
    return name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WeatherOptions(_Strict):
    """Which sample of the weather generator drives the run."""

    seed: int = Field(1, ge=0, le=MAX_SEED, description="seed of the weather generator (0 to 2**64 - 1)")
    year: int = Field(0, ge=0, le=100_000, description="weather-year index: a sample, not a calendar year")


#: Default probability of each hydrology in adequacy sampling [-]: each observed year of the
#: 2011-2024 provincial record (DATA.md, S2; its monthly shape and its energy per MW installed,
#: scaled to the scenario's hydro) once, and each class (wet, normal, dry, extreme dry) once as a
#: pseudo-year. Fourteen years is a short record, so the classes keep outcomes it has not shown
#: possible (no year of 2011-2024 was as wet as the wet class): 18 equally likely hydrologies.
DEFAULT_HYDROLOGY_PROBABILITIES: dict[str, float] = {
    label: 1 / 18
    for label in (*HYDROLOGY_CLASSES, *(f"observed-{year}" for year in range(2011, 2025)))
}


class AdequacyStandard(_Strict):
    """The reliability standard a run is judged against (S55), and how adequacy is sampled."""

    lole_h: float = Field(2.4, ge=0, le=8760, description="loss-of-load expectation limit [h/yr]")
    reserve_margin: float = Field(
        0.15, ge=0, le=1, description="planning reserve margin at the annual peak [-]"
    )
    hydrology_probabilities: dict[Hydrology, Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]] = (
        Field(
            default_factory=lambda: dict(DEFAULT_HYDROLOGY_PROBABILITIES),
            description="probability of each hydrology (class or observed-YYYY) in Monte Carlo sampling, "
            "summing to 1 (default: the observed years 2011-2024 and the four classes, 1/18 each) [-]",
        )
    )
    coal_supply_probability: float | None = Field(
        None,
        ge=0,
        le=1,
        description="chance that a sample year is a fuel-stress year: a fuel-crisis winter (with the fuel "
        "chain on) and the scenario's coal supply spells (coal.supply); default: by the sample's hydrology, "
        "from the record (fuel_stress.csv) [-]",
    )
    export_outage_rate: float = Field(
        0.0, ge=0, lt=1, description="forced-outage rate of each export link in sampling (0: never out) [-]"
    )
    export_mttr_h: float = Field(24.0, ge=1, le=8760, description="mean time to repair an export link [h]")

    @field_validator("hydrology_probabilities")
    @classmethod
    def _probabilities_sum_to_one(cls, probabilities: dict[str, float]) -> dict[str, float]:
        # a field validator, not a model one: the error is then located at this key, so the
        # message names the file that set the probabilities, not the file that set 'adequacy'
        total = sum(probabilities.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"hydrology_probabilities add up to {total:.6g}; they must add up to 1 "
                "(a class left out has probability 0)"
            )
        return probabilities


class DispatchOptions(_Strict):
    """How the year is dispatched."""

    mode: Literal["monolithic", "decomposed"] = Field(
        "decomposed", description="seasonal plan + parallel hourly windows, or the whole year as one LP"
    )
    window_days: int = Field(
        3,
        ge=1,
        le=92,
        description="length of an hourly window's core in decomposed mode [d] (3: within 0.31 % of 4-day "
        "cores' cost in the 2030 years measured, in less solver time; 2 is faster still but draws dry years' "
        "reservoirs below the plan, as the look-ahead it discards saves the water)",
    )
    overlap_days: int = Field(1, ge=0, le=14, description="look-ahead overlap of each window [d]")
    plan_days: int = Field(
        7,
        ge=1,
        le=31,
        description="decomposed: length of the season plan's periods [d] (each month cut into whole days); "
        "a daily plan of each month under it gives the windows their targets",
    )
    foresight: Literal["operator", "perfect"] = Field(
        "operator",
        description="what the seasonal plan knows of inflow: the expected monthly inflow, re-planned each "
        "month (operator), or the year's realised inflow (perfect; the reference for comparing modes)",
    )
    horizon_hours: int | None = Field(
        None, ge=24, le=8760, description="dispatch only the first N hours (tests, quick looks) [h]"
    )
    unit_commitment: bool = Field(
        True, description="linearised unit commitment of coal units (committed share of each unit class)"
    )
    split_month: int = Field(
        7,
        ge=0,
        le=12,
        description="decomposed: the year is cut at the first hour of this month into two parts solved at "
        "once, the cut's levels from a plan with the year's realised inflow (0: one part)",
    )
    cut_resolve_mwh: float = Field(
        1_000.0,
        ge=0,
        description="decomposed: if the first part ends more than this far from the cut's levels (summed "
        "over every store), the second part is solved again from where the first ended, so no stored energy "
        "appears or vanishes at the cut (0: always); a larger value trades that for speed [MWh]",
    )
    workers: int = Field(
        2, ge=1, le=64, description="decomposed: parts of the year solved at once (threads; same result)"
    )
    hot_start: bool = Field(
        True,
        description="decomposed: each window starts from the previous window's optimal basis in one HiGHS "
        "model updated in place (false: every window cold, with presolve; the same LPs either way)",
    )
    must_run: tuple[str, ...] = Field(
        (),
        description="coal assets (thermal.csv ids) or prefectures whose coal runs at least at minimum load",
    )
    voll_cny_per_mwh: float = Field(10_000, gt=0, description="value of lost load [CNY/MWh]")
    export_cut_penalty_cny_per_mwh: float = Field(
        3_000, gt=0, description="penalty for export energy not delivered [CNY/MWh]"
    )


def check_mm_dd(text: str) -> str:
    """``text`` if it is a day of the year as ``MM-DD``, else ValueError."""
    import datetime

    try:
        datetime.date.fromisoformat(f"2030-{text}")
    except ValueError:
        raise ValueError("must be a day of the year as MM-DD, e.g. 01-10") from None
    return text


#: A day of the year, ``MM-DD``.
DayOfYear = Annotated[str, AfterValidator(check_mm_dd)]


class CoalSupplyEvent(_Strict):
    """A spell in which coal plant cannot run for want of fuel (January 2008: 4.2 GW shut; 2010: ~3 GW)."""

    start: DayOfYear = Field(..., description="first day, MM-DD")
    end: DayOfYear = Field(..., description="last day, MM-DD (a spell may run over New Year)")
    unavailable_mw: float = Field(
        ..., ge=0, le=100_000, allow_inf_nan=False, description="coal capacity without fuel [MW]"
    )
    prefectures: tuple[str, ...] = Field(
        (), description="prefectures whose coal is short, capacity-weighted (default: all with coal)"
    )


class DeliveryCut(_Strict):
    """A spell in which part of the coal deliveries does not arrive (roads and rail cut by ice in
    January 2008; mines shut for safety rectification)."""

    start: DayOfYear = Field(..., description="first day, MM-DD")
    end: DayOfYear = Field(..., description="last day, MM-DD (a spell may run over New Year)")
    share: float = Field(..., gt=0, le=1, allow_inf_nan=False, description="share of deliveries lost [-]")
    regions: tuple[str, ...] = Field((), description="fuel regions struck (default: all)")


class CoalOptions(_Strict):
    """How coal plant is committed, maintained, and kept from running (outages, fuel)."""

    min_load_pu: dict[str, Annotated[float, Field(gt=0, le=1)]] = Field(
        default_factory=dict,
        description="minimum stable load by unit class (thermal.csv unit_class), e.g. after flexibility "
        "retrofits {sub300: 0.35} [p.u.] (default: the register's)",
    )
    floor_mw: float = Field(
        6_000,
        ge=0,
        le=100_000,
        description="least coal capacity committed in every hour: the plan keeps coal as the security base "
        "(inertia, voltage, reserve for losing an export link) [MW]",
    )
    outages: Literal["none", "expected", "sampled"] = Field(
        "expected",
        description="forced outages: none; expected (capacity derated by the forced-outage rate); sampled "
        "(units fail and are repaired as in gzgrid adequacy, from outage_seed)",
    )
    outage_seed: int = Field(1, ge=0, le=MAX_SEED, description="seed of sampled outages")
    maintenance: bool = Field(True, description="planned maintenance in shoulder seasons (maintenance.csv)")
    supply: tuple[CoalSupplyEvent, ...] = Field((), description="spells of coal without fuel")
    supply_stress: bool = Field(True, description="apply the supply spells (false: the year without them)")
    fuel_chain: bool = Field(
        True,
        description="coal burns from each fuel region's stockpile, refilled at its delivery limit "
        "(coal_supply.csv); false: an unlimited supply",
    )
    delivery_scale: float = Field(
        1.0, ge=0, le=10, allow_inf_nan=False, description="factor on every region's deliveries [-]"
    )
    delivery_cuts: tuple[DeliveryCut, ...] = Field((), description="spells of deliveries cut")
    spot_share: float | None = Field(
        None, ge=0, le=10, description="spot coal as a share of the contracts (0: none, as in 2021-22; "
        "default: coal_supply.csv) [-]",
    )
    stock_start_days: float | None = Field(
        None, ge=0, le=90, description="stock on 1 January in days of burn (default: coal_supply.csv) [d]"
    )
    spot_months_off: tuple[Annotated[int, Field(ge=1, le=12)], ...] = Field(
        (), description="months (1-12) in which plants buy no spot coal, as in a fuel-crisis winter "
        "(12, 1, 2 in 2022/23) whatever coal_months.csv says",
    )


#: The value of a HiGHS option.
HighsValue = bool | int | float | str


class SolverOptions(_Strict):
    """Solver settings (HiGHS through linopy)."""

    name: Literal["highs"] = Field("highs", description="LP solver")
    time_limit_s: float = Field(3600, gt=0, description="time limit of one solve [s]")
    threads: int = Field(1, ge=1, le=64, description="solver threads per solve")
    options: dict[str, HighsValue] = Field(
        default_factory=dict, description="further HiGHS options, passed as given (checked against HiGHS)"
    )

    @field_validator("options")
    @classmethod
    def _known_to_highs(cls, options: dict[str, HighsValue]) -> dict[str, HighsValue]:
        for name, value in options.items():
            problem = highs_option_problem(name, value)
            if problem:
                raise ValueError(problem)
        return options


#: HiGHS option types, as HiGHS names them.
_HIGHS_TYPES = {"kBool": "true or false", "kInt": "an integer", "kDouble": "a number", "kString": "a string"}


def highs_option_problem(name: str, value: object) -> str:
    """What is wrong with HiGHS option ``name`` = ``value`` (``""``: nothing).

    Asks HiGHS itself (a scratch ``highspy.Highs`` with output off): the name must be an option,
    and ``setOptionValue`` must accept the value (its type and range).
    """
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    status, kind = h.getOptionType(name)
    if status != highspy.HighsStatus.kOk:
        known = [o for o in dir(h.getOptions()) if not o.startswith("_")]
        return f"'{clip(name, 80)}' is not a HiGHS option{did_you_mean(name, known)}"
    wanted = _HIGHS_TYPES.get(kind.name, str(kind.name))
    if (kind.name == "kBool") != isinstance(value, bool):
        return f"HiGHS option '{name}' = {quote(value)}: must be {wanted}"
    if h.setOptionValue(name, value) != highspy.HighsStatus.kOk:
        return f"HiGHS option '{name}' = {quote(value)}: HiGHS refuses it (it must be {wanted} in its range)"
    return ""


class Scenario(_Strict):
    """One gzgrid scenario (see ``runs/*.yaml``)."""

    name: str = Field(
        ..., min_length=1, description="scenario name, a plain name; the default output folder is runs/<name>"
    )
    description: str = Field("", description="one line for the reader")
    year: Literal[2019, 2020, 2021, 2022, 2023, 2024, 2025, 2030] = Field(
        ...,
        description="year the capacities are taken from: 2025 and 2030 from the register's assets, 2019-2024 "
        "(history) from history.csv",
    )
    demand_case: DemandCase = Field(
        "central", description="demand projection (demand.csv case); 'observed' for a history year"
    )
    hydrology: Hydrology = Field(
        "normal", description="hydrology class (wet, normal, dry, extreme_dry) or observed-YYYY (the record)"
    )
    reservoir_start: float | None = Field(
        None,
        ge=0,
        le=1,
        description="level of every seasonal reservoir on 1 January, a share of its usable energy (default: "
        "its lower guide curve) [-]",
    )
    reservoir_guide: Literal["register", "observed"] = Field(
        "register",
        description="seasonal reservoirs follow the register's guide band, or the storage path the record "
        "observed in the hydrology year (history years: data/history/reservoir_levels.csv)",
    )
    weather: WeatherOptions = Field(default_factory=WeatherOptions, description="weather sample")
    carrier_gw: dict[CapacityCarrier, CapacityGW] = Field(
        default_factory=dict, description="override a carrier's total capacity [GW]; assets scale pro rata"
    )
    asset_mw: dict[str, CapacityMW] = Field(
        default_factory=dict, description="override one asset's capacity by register id [MW]"
    )
    storage_hours: dict[StorageCarrier, Hours] = Field(
        default_factory=dict,
        description="override the energy-to-power ratio of every pumped-hydro or battery asset [h]",
    )
    h2_store_gwh: EnergyGWh | None = Field(
        None, description="total hydrogen store energy, stores scaled pro rata (default: register) [GWh_H2]"
    )
    dr_share: float | None = Field(
        None, ge=0, le=1, description="demand-response capacity as a share of peak load (default: register)"
    )
    adequacy: AdequacyStandard = Field(default_factory=AdequacyStandard, description="reliability standard")
    dispatch: DispatchOptions = Field(default_factory=DispatchOptions, description="dispatch options")
    coal: CoalOptions = Field(default_factory=CoalOptions, description="coal commitment and availability")
    solver: SolverOptions = Field(default_factory=SolverOptions, description="solver options")
    output_dir: str | None = Field(None, description="run folder (default runs/<name>)")

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        return check_plain_name(name)

    @model_validator(mode="after")
    def _history_is_observed(self) -> Scenario:
        if self.year in HISTORY_YEARS:
            if not self.hydrology.startswith("observed-"):
                raise ValueError(
                    f"year {self.year} is a history year: its hydrology must be an observed year "
                    f"(e.g. hydrology: observed-{self.year}), not the class '{self.hydrology}'"
                )
            if self.demand_case != "observed":
                raise ValueError(
                    f"year {self.year} is a history year: set demand_case: observed (recorded consumption)"
                )
        elif self.demand_case == "observed":
            first, last = HISTORY_YEARS[0], HISTORY_YEARS[-1]
            raise ValueError(f"demand_case 'observed' is for the history years {first}-{last}")
        return self

    @model_validator(mode="after")
    def _observed_guide_has_an_observed_year(self) -> Scenario:
        if self.reservoir_guide == "observed" and not self.hydrology.startswith("observed-"):
            raise ValueError(
                f"reservoir_guide: observed needs an observed hydrology year (hydrology: observed-YYYY), "
                f"not '{self.hydrology}'; or set reservoir_guide: register"
            )
        return self


def run_folder(scenario: Scenario, out: Path | str | None = None) -> Path:
    """Where a run of ``scenario`` writes: ``out``, else ``output_dir``, else ``runs/<name>``."""
    return Path(out or scenario.output_dir or ROOT / "runs" / scenario.name)


def load_scenario(path: Path | str) -> Scenario:
    """Read, merge (``base:``) and validate a scenario file.

    Parameters
    ----------
    path : Path or str
        The scenario YAML file.

    Returns
    -------
    Scenario
        The resolved, frozen scenario.

    Raises
    ------
    InputError
        Missing or empty file, YAML syntax error (with its line), unknown key (with the nearest
        valid one), a value of the wrong type or outside its range, a ``base`` that is missing
        or that loops.
    """
    merged, origin = resolve_layers(Path(path), Scenario)
    try:
        return Scenario.model_validate(merged)
    except ValidationError as exc:
        raise explain_layers(exc, origin, Path(path)) from None


def with_overrides(scenario: Scenario, **changes: object) -> Scenario:
    """A validated copy of ``scenario`` with dotted keys replaced (``None`` values are ignored).

    Command-line options (``--hydrology``, ``--mode`` ...) and sweeps use this; a value that
    does not fit the schema is an :class:`InputError` naming the key.
    """
    data = scenario.model_dump()
    for key, value in changes.items():
        if value is None:
            continue
        *parents, leaf = key.split(".")
        node = data
        for depth, p in enumerate(parents):
            if not isinstance(node, dict) or p not in node:
                where = ".".join(parents[:depth]) or "the top level"
                valid = sorted(node) if isinstance(node, dict) else []
                raise InputError(
                    f"scenario '{scenario.name}', override {clip(key, 80)}: no key '{clip(p, 80)}' at {where}"
                    f"{did_you_mean(p, valid)}"
                )
            node = node[p]
        if not isinstance(node, dict):
            parent = ".".join(parents)
            raise InputError(
                f"scenario '{scenario.name}', override {clip(key, 80)}: '{clip(parent, 80)}' is not a mapping"
            )
        node[leaf] = value  # a mapping entry such as carrier_gw.phs may be new: the schema checks it
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            valid: Any = scenario.model_dump()
            for p in err["loc"][:-1]:
                valid = valid[p]
            hint = did_you_mean(str(err["loc"][-1]), valid)
            raise InputError(
                f"scenario '{scenario.name}', override {clip(where, 80)}: unknown key{hint}; valid keys "
                "here: "
                f"{', '.join(sorted(valid))}"
            ) from None
        if not err["loc"]:  # a rule across keys (a model validator): its message names the keys
            raise InputError(f"scenario '{scenario.name}': {rule_message(err)}") from None
        raise InputError(
            f"scenario '{scenario.name}', override {where} = {quote(err.get('input'))}: {err['msg']}"
        ) from None


def scenario_to_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML (what a run folder keeps as ``scenario.yaml``)."""
    return yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
