"""Sweep files: a strict schema, the grid of cases it spans, and the key of every case.

A sweep file (YAML, as strict as a scenario file) names a base scenario, the axes to vary, the
weather years and hydrology classes, the metrics to keep, figure settings and screening::

    name: sweep-storage
    base: 2030-dry.yaml                      # relative to the sweep file
    overrides: {dispatch.horizon_hours: 168} # fixed for every case (dotted scenario keys)
    axes:
      phs_gw: [5, 7.5, 10]                   # a list ...
      battery_gw: {start: 0, stop: 8, step: 4}   # ... or a range; stop is included
      dispatch.must_run: [[], [bijie]]       # any dotted scenario key is an axis too
    weather_years: [0, 1]                    # or {start, stop, step}
    hydrology: [dry, extreme_dry]
    metrics: [lole_h, eue_mwh, objective_cny]

Friendly axis names (:data:`AXIS_ALIASES`) map to scenario keys: ``phs_gw`` is
``carrier_gw.phs``, ``battery_hours`` is ``storage_hours.battery`` and so on.

Every case is keyed by :func:`case_key`, a hash of what determines its result: the resolved
scenario (minus its name, description and output folder), the gzgrid and weather-generator
versions and the contents of the register and calibration tables. Any
change to those gives new keys, so stale results are never reused; a change of model code
without a version bump does not (delete the sweep folder, or bump ``model.__version__``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from model import NETWORK_DATA, ROOT, __version__
from model.errors import InputError, clip, did_you_mean, quote
from model.inputfile import load_yaml_file
from model.scenario import (
    HYDROLOGY_CLASSES,
    CapacityCarrier,
    Hydrology,
    Scenario,
    check_plain_name,
    load_scenario,
    with_overrides,
)
from model.sweep.case import METRIC_UNITS

#: Friendly axis names and the scenario keys they set.
AXIS_ALIASES: dict[str, str] = {
    **{f"{c}_gw": f"carrier_gw.{c}" for c in CapacityCarrier.__args__},
    "phs_hours": "storage_hours.phs",
    "battery_hours": "storage_hours.battery",
    "h2_store_gwh": "h2_store_gwh",
    "dr_share": "dr_share",
    "demand_case": "demand_case",
}
#: Hydrology classes from wettest to driest (the order of the ``hydrology`` coordinate).
HYDROLOGY_ORDER: tuple[str, ...] = HYDROLOGY_CLASSES
#: Most cases one sweep file may span.
MAX_CASES = 100_000
#: Scenario fields that name or place a case but do not change its result (left out of the key).
UNKEYED = ("name", "description", "output_dir")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    """An evenly spaced axis: ``start, start + step, ...`` up to and including ``stop``."""

    start: float = Field(..., allow_inf_nan=False)
    stop: float = Field(..., allow_inf_nan=False)
    step: float = Field(..., gt=0, allow_inf_nan=False)

    def values(self) -> list[float]:
        """The axis values (rounded to 9 decimals so 0.1 steps give 0.3, not 0.30000000000000004)."""
        if self.stop < self.start:
            raise ValueError(f"stop ({self.stop:g}) is below start ({self.start:g})")
        count = math.floor((self.stop - self.start) / self.step + 1e-9) + 1
        if count > MAX_CASES:
            raise ValueError(f"{count} values; at most {MAX_CASES}")
        return [round(self.start + i * self.step, 9) for i in range(count)]


AxisValues = list[Any] | Range


class Screening(_Strict):
    """Screen every case on a coarse time resolution, then re-run the uncertain ones hourly.

    Averaging hours shaves the evening peaks, so a screened case is optimistic: it is trusted
    as *unreliable* when its screened LOLE is above ``band[1]`` x the standard, and as
    *reliable* only when its screened LOLE is below ``band[0]`` x the standard and it cut no
    more than ``export_cut_mwh`` of the export obligation (exports are cut before domestic
    load, so an export cut means the system ran at its limit). Every other case is re-run
    hourly.
    """

    enabled: bool = Field(False, description="screen first, then re-run the uncertain cases hourly")
    resolution: str = Field("3h", pattern=r"^([2-9]|1[0-9]|2[0-4])h$", description="resample offset, 2h-24h")
    band: tuple[float, float] = Field(
        (0.5, 4.0), description="[low, high] multiples of the LOLE standard between which to re-run [-]"
    )
    export_cut_mwh: float = Field(
        0.0, ge=0, description="largest screened export cut of a case trusted as reliable [MWh]"
    )

    @field_validator("band")
    @classmethod
    def _ordered(cls, band: tuple[float, float]) -> tuple[float, float]:
        if not 0 <= band[0] <= band[1]:
            raise ValueError("band must be [low, high] with 0 <= low <= high")
        return band


class Figures(_Strict):
    """Which axes the figures use."""

    heatmap: tuple[str, str] | None = Field(None, description="two axes for the LOLE and EUE heatmaps")
    storage_cost_cny: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(
        default_factory=dict,
        description="investment cost per unit of each storage axis [CNY per axis unit]; these axes "
        "are the storage options, the others are conditions",
    )
    smallest: str | None = Field(
        None,
        description="a numeric axis whose smallest value meeting the standard is the sweep's answer "
        "(e.g. coal_gw: the smallest coal fleet that keeps LOLE within the standard)",
    )


class SweepSpec(_Strict):
    """One sweep file (see the module docstring)."""

    name: str = Field(..., min_length=1, description="sweep name (a plain name: the folder runs/<name>)")
    description: str = Field("", description="one line for the reader")
    base: str = Field(..., description="base scenario file, relative to the sweep file")
    overrides: dict[str, Any] = Field(default_factory=dict, description="dotted keys fixed for every case")
    axes: dict[str, AxisValues] = Field(default_factory=dict, description="axis name -> values or range")
    weather_years: list[Annotated[int, Field(ge=0)]] | Range = Field([0], description="weather-year indices")
    hydrology: list[Hydrology] = Field(
        ["normal"], min_length=1, description="hydrology classes or observed years (observed-YYYY)"
    )
    metrics: list[str] = Field(..., min_length=1, description="metrics kept in sweep.nc")
    figures: Figures = Field(default_factory=Figures, description="figure settings")
    screening: Screening = Field(default_factory=Screening, description="coarse screening first")
    output_dir: str | None = Field(
        None, description="sweep folder (default runs/<name>), relative to the file"
    )

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        return check_plain_name(name)


@dataclass(frozen=True)
class Case:
    """One case of a sweep: its coordinates, its scenario and its key."""

    coords: dict[str, Any]  # axis values, then weather_year and hydrology
    scenario: Scenario
    key: str


@dataclass(frozen=True)
class Sweep:
    """A loaded sweep file: the spec, where it lives, the axes and every case."""

    spec: SweepSpec
    path: Path
    folder: Path
    base: Scenario  # base scenario with the fixed overrides
    axes: dict[str, list[Any]]  # name -> sorted values; then weather_year and hydrology
    keys: dict[str, str]  # axis name -> dotted scenario key
    cases: list[Case]

    @property
    def lole_standard_h(self) -> float:
        """The LOLE standard scaled to the dispatched horizon [h]."""
        hours = self.base.dispatch.horizon_hours or 8760
        return self.base.adequacy.lole_h * hours / 8760


def load_sweep(path: Path | str) -> Sweep:
    """Read, validate and expand a sweep file.

    Parameters
    ----------
    path : Path or str
        The sweep YAML file.

    Raises
    ------
    InputError
        Missing file, YAML error, unknown key (with did-you-mean), bad range, unknown axis,
        metric or hydrology class, an axis value or override the scenario schema rejects.
    """
    path = Path(path)
    data = _read(path)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, path) from None
    metric_names = list(METRIC_UNITS)
    unknown = [m for m in spec.metrics if m not in metric_names]
    if unknown:
        raise InputError(
            f"{path}: metrics: unknown metric '{unknown[0]}'{did_you_mean(unknown[0], metric_names)}; "
            f"available: {', '.join(metric_names)}"
        )
    base = load_scenario(path.parent / spec.base)
    nulls = [k for k, v in spec.overrides.items() if v is None]
    if nulls:
        raise InputError(
            f"{path}: overrides.{clip(nulls[0], 80)} is null; give a value, or leave the key out to keep the "
            "base scenario's"
        )
    try:
        base = with_overrides(base, **spec.overrides)
    except InputError as exc:
        raise InputError(f"{path}: overrides: {exc}") from None
    keys = {axis: _axis_key(path, axis) for axis in spec.axes}
    twice = [(a, b) for i, a in enumerate(keys) for b in list(keys)[i + 1 :] if keys[a] == keys[b]]
    if twice:
        a, b = twice[0]
        raise InputError(f"{path}: axes {a} and {b} both set {keys[a]}; keep one")
    axes: dict[str, list[Any]] = {}
    for axis, values in spec.axes.items():
        axes[axis] = _axis_values(path, axis, values, keys[axis], base)
    years = _values(path, "weather_years", spec.weather_years)
    if any(y < 0 or y != int(y) for y in years):
        raise InputError(f"{path}: weather_years: {years} must be whole numbers >= 0")
    axes["weather_year"] = sorted({int(y) for y in years})
    # classes from wettest to driest, then observed years in the file's order
    axes["hydrology"] = [h for h in HYDROLOGY_ORDER if h in spec.hydrology] + [
        h for h in dict.fromkeys(spec.hydrology) if h not in HYDROLOGY_ORDER
    ]
    _check_figures(path, spec, axes)
    total = math.prod(len(v) for v in axes.values())
    if total > MAX_CASES:
        raise InputError(f"{path}: the axes span {total} cases; at most {MAX_CASES}")
    folder = path.parent / spec.output_dir if spec.output_dir else ROOT / "runs" / spec.name
    combos = itertools.product(*axes.values())
    cases = [_case(base, keys, dict(zip(axes, combo, strict=True))) for combo in combos]
    return Sweep(spec=spec, path=path, folder=folder, base=base, axes=axes, keys=keys, cases=cases)


def _read(path: Path) -> dict[str, Any]:
    data = load_yaml_file(path, "sweep")
    if not isinstance(data, dict):
        raise InputError(f"{path}: a sweep file must be a mapping of keys to values")
    return data


def _explain(exc: ValidationError, path: Path) -> InputError:
    # an unknown key first: 'metrcs' is a typo of 'metrics', which is then also missing
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    if isinstance(err.get("input"), dict):  # a mapping meant as a range: report the range's own error
        ranged = [e for e in errors if "Range" in map(str, e["loc"])]
        err = min(ranged, key=lambda e: e["type"] != "extra_forbidden", default=err)
    loc = [str(p) for p in err["loc"] if not str(p).startswith(("list[", "Range", "function-"))]
    dotted = ".".join(loc)
    if err["type"] == "extra_forbidden":
        model: type[BaseModel] = SweepSpec
        for part in loc[:-1]:
            field = model.model_fields.get(part)
            if (
                field is not None
                and isinstance(field.annotation, type)
                and issubclass(field.annotation, BaseModel)
            ):
                model = field.annotation
        valid = sorted(model.model_fields)
        if loc[:1] in (["axes"], ["weather_years"]):
            valid = sorted(Range.model_fields)
        hint = did_you_mean(loc[-1], valid)
        shown = clip(dotted, 80)
        return InputError(f"{path}: unknown key '{shown}'{hint}; valid keys here: {', '.join(valid)}")
    if err["type"] == "missing":
        return InputError(f"{path}: required key '{dotted}' is missing")
    return InputError(f"{path}: key '{clip(dotted, 80)}' = {quote(err.get('input'))}: {err['msg']}")


def _axis_key(path: Path, axis: str) -> str:
    """The dotted scenario key an axis sets (an alias, or a dotted key of the schema)."""
    if axis in AXIS_ALIASES:
        return AXIS_ALIASES[axis]
    if axis in ("weather_year", "hydrology", "weather.year", "name", "output_dir"):
        raise InputError(
            f"{path}: axes.{axis}: set weather years and hydrology with 'weather_years' and "
            "'hydrology', not as an axis"
        )
    top = axis.split(".")[0]
    if top not in Scenario.model_fields:
        valid = [*AXIS_ALIASES, *Scenario.model_fields]
        raise InputError(
            f"{path}: axes: unknown axis '{clip(axis, 80)}'{did_you_mean(axis, valid)}; use one of "
            f"{', '.join(AXIS_ALIASES)} or a dotted scenario key (e.g. dispatch.voll_cny_per_mwh)"
        )
    return axis


def _values(path: Path, where: str, values: list[Any] | Range) -> list[Any]:
    try:
        out = values.values() if isinstance(values, Range) else list(values)
    except ValueError as exc:
        raise InputError(f"{path}: {where}: bad range: {exc}") from None
    if not out:
        raise InputError(f"{path}: {where}: no values")
    return out


def _axis_values(path: Path, axis: str, values: list[Any] | Range, key: str, base: Scenario) -> list[Any]:
    """Validate every value against the scenario schema; return them sorted (numbers) or as given.

    Two values that give the same scenario (``4`` and ``4.0``, ``[]`` and ``null`` ...) are an
    error: they would be one case at two coordinates.
    """
    out = _values(path, f"axes.{axis}", values)
    resolved: dict[str, Any] = {}
    for v in out:
        if v is None:
            raise InputError(f"{path}: axes.{axis}: a value is null; every value of an axis must be given")
        try:
            scenario = with_overrides(base, **{key: v})
        except InputError as exc:
            raise InputError(f"{path}: axes.{axis} = {quote(v)}: {exc}") from None
        label = json.dumps(_value_at(scenario, key), sort_keys=True, default=str)
        if label in resolved:
            raise InputError(
                f"{path}: axes.{axis}: {quote(resolved[label])} and {quote(v)} are the same value; give each "
                "value once"
            )
        resolved[label] = v
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in out):
        return sorted(float(v) for v in out)
    return out


def _value_at(scenario: Scenario, key: str) -> Any:
    """The value of a dotted key in the resolved scenario (as JSON data)."""
    node: Any = scenario.model_dump(mode="json")
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _check_figures(path: Path, spec: SweepSpec, axes: dict[str, list[Any]]) -> None:
    named = [*(spec.figures.heatmap or ()), *spec.figures.storage_cost_cny]
    named += [spec.figures.smallest] if spec.figures.smallest else []
    for axis in named:
        if axis not in spec.axes:
            raise InputError(
                f"{path}: figures: '{clip(axis, 80)}' is not an axis of this sweep"
                f"{did_you_mean(axis, spec.axes)}; "
                f"axes: {', '.join(spec.axes)}"
            )
    for axis in spec.figures.storage_cost_cny:
        if not all(isinstance(v, float) for v in axes[axis]):
            raise InputError(f"{path}: figures.storage_cost_cny.{axis}: a storage axis must be numeric")
    smallest = spec.figures.smallest
    if smallest and not all(isinstance(v, float) for v in axes[smallest]):
        raise InputError(f"{path}: figures.smallest: '{smallest}' must be a numeric axis")


def _case(base: Scenario, keys: dict[str, str], coords: dict[str, Any]) -> Case:
    changes = {keys[a]: coords[a] for a in keys}
    changes.update({"weather.year": coords["weather_year"], "hydrology": coords["hydrology"]})
    scenario = with_overrides(base, **changes)
    return Case(coords=coords, scenario=scenario, key=case_key(scenario))


def case_key(scenario: Scenario) -> str:
    """Hash of everything that determines a case's result (see the module docstring) [16 hex]."""
    resolved = {k: v for k, v in scenario.model_dump(mode="json").items() if k not in UNKEYED}
    payload = {"scenario": resolved, "code": __version__, "data": _data_digest()}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def _data_digest() -> str:
    """Digest of the register and calibration tables, and the weather generator's version."""
    from model.weather import GENERATOR_VERSION

    h = hashlib.sha256(GENERATOR_VERSION.encode())
    for folder in (NETWORK_DATA, ROOT / "data" / "profiles"):
        for f in sorted(folder.glob("*.csv")):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()
