"""Scenario files: what to run, in a strict, frozen, documented schema.

A scenario is a YAML file in ``runs/``. ``base: other.yaml`` makes it a few overrides of
another scenario (paths are relative to the file; mappings merge key by key, everything else
replaces). Unknown keys are errors that name the file and the nearest valid key; every field
has a type, a range and a one-line description (``Scenario.model_json_schema()`` lists them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.errors import InputError, did_you_mean

Hydrology = Literal["wet", "normal", "dry", "extreme_dry"]
DemandCase = Literal["low", "central", "high"]
CapacityCarrier = Literal[
    "coal", "gas", "biomass", "hydro", "solar", "wind", "phs", "battery", "electrolyser", "fuel_cell"
]


#: A capacity [GW or MW]: a finite number >= 0.
Capacity = Annotated[float, Field(ge=0, allow_inf_nan=False)]
StorageCarrier = Literal["phs", "battery"]
#: A storage duration at full power [h]: above zero, at most a season.
Hours = Annotated[float, Field(gt=0, le=2000, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WeatherOptions(_Strict):
    """Which sample of the weather generator drives the run."""

    seed: int = Field(1, ge=0, description="seed of the weather generator")
    year: int = Field(0, ge=0, le=100_000, description="weather-year index: a sample, not a calendar year")


#: Default probability of each hydrology class in adequacy sampling [-]. Each year of the 2011-2024
#: provincial hydro record (DATA.md, S2) is put in the class whose energy for ~23 GW is nearest
#: (wet ~80, normal ~69, dry ~59, extreme dry ~37 TWh; boundaries at the midpoints 74.5, 64 and
#: 48 TWh): normal 6 years (2015-2020), dry 5 (2012, 2014, 2021, 2022, 2024), extreme dry 3 (2011,
#: 2013, 2023), wet none. Fourteen years is a short record, so one pseudo-year is added to each
#: class (add-one smoothing): a class not seen in 14 years is still possible. Hence 1, 7, 6 and 4
#: eighteenths.
DEFAULT_HYDROLOGY_PROBABILITIES: dict[str, float] = {
    "wet": 1 / 18,
    "normal": 7 / 18,
    "dry": 6 / 18,
    "extreme_dry": 4 / 18,
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
            description="probability of each hydrology class in Monte Carlo sampling, summing to 1 "
            "(default: the 2011-2024 record with add-one smoothing: wet 1/18, normal 7/18, dry 6/18, "
            "extreme_dry 4/18) [-]",
        )
    )
    export_outage_rate: float = Field(
        0.0, ge=0, lt=1, description="forced-outage rate of each export link in sampling (0: never out) [-]"
    )
    export_mttr_h: float = Field(24.0, ge=1, le=8760, description="mean time to repair an export link [h]")

    @model_validator(mode="after")
    def _probabilities_sum_to_one(self) -> AdequacyStandard:
        total = sum(self.hydrology_probabilities.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"hydrology_probabilities add up to {total:.6g}; they must add up to 1 "
                "(a class left out has probability 0)"
            )
        return self


class DispatchOptions(_Strict):
    """How the year is dispatched."""

    mode: Literal["monolithic", "decomposed"] = Field(
        "decomposed", description="seasonal plan + parallel hourly windows, or the whole year as one LP"
    )
    window_days: int = Field(7, ge=1, le=92, description="length of an hourly window in decomposed mode [d]")
    overlap_days: int = Field(1, ge=0, le=14, description="look-ahead overlap of each window [d]")
    foresight: Literal["operator", "perfect"] = Field(
        "operator",
        description="what the seasonal plan knows of inflow: the expected monthly inflow, re-planned each "
        "month (operator), or the year's realised inflow (perfect; the reference for comparing modes)",
    )
    horizon_hours: int | None = Field(
        None, ge=24, le=8760, description="dispatch only the first N hours (tests, quick looks) [h]"
    )
    unit_commitment: bool = Field(False, description="linearised unit commitment of coal units")
    must_run: tuple[str, ...] = Field(
        (),
        description="coal assets (thermal.csv ids) or prefectures whose coal runs at least at minimum load",
    )
    voll_cny_per_mwh: float = Field(10_000, gt=0, description="value of lost load [CNY/MWh]")
    export_cut_penalty_cny_per_mwh: float = Field(
        3_000, gt=0, description="penalty for export energy not delivered [CNY/MWh]"
    )


class SolverOptions(_Strict):
    """Solver settings (HiGHS through linopy)."""

    name: Literal["highs"] = Field("highs", description="LP solver")
    time_limit_s: float = Field(3600, gt=0, description="time limit of one solve [s]")
    threads: int = Field(1, ge=1, le=64, description="solver threads per solve")
    options: dict[str, bool | int | float | str] = Field(
        default_factory=dict, description="further HiGHS options, passed as given"
    )


class Scenario(_Strict):
    """One gzgrid scenario (see ``runs/*.yaml``)."""

    name: str = Field(
        ..., min_length=1, description="scenario name; the default output folder is runs/<name>"
    )
    description: str = Field("", description="one line for the reader")
    year: Literal[2025, 2030] = Field(..., description="register year the capacities are taken from")
    demand_case: DemandCase = Field("central", description="demand projection (demand.csv case)")
    hydrology: Hydrology = Field("normal", description="hydrology class of the year")
    weather: WeatherOptions = Field(default_factory=WeatherOptions, description="weather sample")
    carrier_gw: dict[CapacityCarrier, Capacity] = Field(
        default_factory=dict, description="override a carrier's total capacity [GW]; assets scale pro rata"
    )
    asset_mw: dict[str, Capacity] = Field(
        default_factory=dict, description="override one asset's capacity by register id [MW]"
    )
    storage_hours: dict[StorageCarrier, Hours] = Field(
        default_factory=dict,
        description="override the energy-to-power ratio of every pumped-hydro or battery asset [h]",
    )
    h2_store_gwh: Capacity | None = Field(
        None, description="total hydrogen store energy, stores scaled pro rata (default: register) [GWh_H2]"
    )
    dr_share: float | None = Field(
        None, ge=0, le=1, description="demand-response capacity as a share of peak load (default: register)"
    )
    adequacy: AdequacyStandard = Field(default_factory=AdequacyStandard, description="reliability standard")
    dispatch: DispatchOptions = Field(default_factory=DispatchOptions, description="dispatch options")
    solver: SolverOptions = Field(default_factory=SolverOptions, description="solver options")
    output_dir: str | None = Field(None, description="run folder (default runs/<name>)")


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
    merged, origin = _resolve(Path(path), ())
    try:
        return Scenario.model_validate(merged)
    except ValidationError as exc:
        raise _explain(exc, origin, Path(path)) from None


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
                    f"scenario '{scenario.name}', override {key}: no key '{p}' at {where}"
                    f"{did_you_mean(p, valid)}"
                )
            node = node[p]
        if not isinstance(node, dict):
            parent = ".".join(parents)
            raise InputError(f"scenario '{scenario.name}', override {key}: '{parent}' is not a mapping")
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
                f"scenario '{scenario.name}', override {where}: unknown key{hint}; valid keys here: "
                f"{', '.join(sorted(valid))}"
            ) from None
        raise InputError(
            f"scenario '{scenario.name}', override {where} = {err.get('input')!r}: {err['msg']}"
        ) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{path}: scenario file not found")
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{path}{line}: YAML syntax error: {problem}") from None
    if data is None:
        raise InputError(f"{path}: file is empty; a scenario needs at least 'name' and 'year' (or 'base')")
    if not isinstance(data, dict):
        raise InputError(f"{path}: a scenario must be a mapping of keys to values, not {type(data).__name__}")
    return data


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, Path]]:
    """Merge a scenario with its bases; return the dict and, for each dotted key, its file."""
    path = path.resolve()
    if path in chain:
        loop = " -> ".join(p.name for p in (*chain, path))
        raise InputError(f"{chain[-1]}: 'base' loops ({loop})")
    data = _read_yaml(path)
    _check_keys(data, Scenario, path, ())
    base = data.pop("base", None)
    merged: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    if base is not None:
        if not isinstance(base, str):
            raise InputError(f"{path}: 'base' must be a file name, got {base!r}")
        base_path = path.parent / base
        if not base_path.is_file():
            raise InputError(f"{path}: base scenario '{base}' not found (looked for {base_path})")
        merged, origin = _resolve(base_path, (*chain, path))
    _merge(merged, data, origin, path, ())
    return merged, origin


def _check_keys(data: dict[str, Any], model: type[BaseModel], path: Path, where: tuple[str, ...]) -> None:
    """Reject unknown keys per file, so the message names the file that has them."""
    valid = set(model.model_fields) | ({"base"} if not where else set())
    for key, value in data.items():
        if key not in valid:
            loc = ".".join((*where, str(key)))
            raise InputError(
                f"{path}: unknown key '{loc}'{did_you_mean(key, valid)}; valid keys here: "
                f"{', '.join(sorted(valid))}"
            )
        annotation = model.model_fields[key].annotation if key != "base" else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(value, dict):
            _check_keys(value, annotation, path, (*where, key))


def _merge(
    into: dict[str, Any], new: dict[str, Any], origin: dict[str, Path], path: Path, where: tuple[str, ...]
) -> None:
    for key, value in new.items():
        loc = (*where, str(key))
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value, origin, path, loc)
        else:
            into[key] = value
            origin[".".join(loc)] = path


def _explain(exc: ValidationError, origin: dict[str, Path], top: Path) -> InputError:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    dotted = ".".join(loc)
    file = next((origin[k] for k in _prefixes(loc) if k in origin), top)
    if err["type"] == "missing":
        return InputError(f"{top}: required key '{dotted}' is missing (set it here or in a base scenario)")
    value = err.get("input")
    return InputError(f"{file}: key '{dotted}' = {value!r}: {err['msg']}")


def _prefixes(loc: list[str]) -> list[str]:
    return [".".join(loc[:n]) for n in range(len(loc), 0, -1)]


def scenario_to_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML (what a run folder keeps as ``scenario.yaml``)."""
    return yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
