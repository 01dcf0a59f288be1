"""Scenario files in layers: a file, its ``base:``, that one's base ... merged into one mapping.

Paths in ``base`` are relative to the file that names it; mappings merge key by key, everything
else replaces. Unknown keys are refused per file, so a message names the file that has them, and
every dotted key remembers the file that set it last, so a value the schema refuses is blamed on
that file (:func:`explain_layers`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from model.errors import InputError, clip, did_you_mean, quote
from model.inputfile import load_yaml_file


def resolve_layers(path: Path, schema: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Path]]:
    """The scenario at ``path`` merged with its bases, and for each dotted key the file that set it.

    ``schema`` gives the keys each level may have. Raises :class:`InputError` for a missing or
    empty file, an unknown key, a ``base`` that is not a file name, missing, or a loop.
    """
    return _resolve(path, schema, ())


def _read_yaml(path: Path) -> dict[str, Any]:
    data = load_yaml_file(path, "scenario")
    if data is None:
        raise InputError(f"{path}: file is empty; a scenario needs at least 'name' and 'year' (or 'base')")
    if not isinstance(data, dict):
        raise InputError(f"{path}: a scenario must be a mapping of keys to values, not {type(data).__name__}")
    return data


def _resolve(
    path: Path, schema: type[BaseModel], chain: tuple[Path, ...]
) -> tuple[dict[str, Any], dict[str, Path]]:
    path = path.resolve()
    if path in chain:
        loop = " -> ".join(p.name for p in (*chain, path))
        raise InputError(f"{chain[-1]}: 'base' loops ({clip(loop)})")
    data = _read_yaml(path)
    _check_keys(data, schema, path, ())
    base = data.pop("base", None)
    merged: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    if base is not None:
        if not isinstance(base, str):
            raise InputError(f"{path}: 'base' must be a file name, got {quote(base)}")
        base_path = path.parent / base
        if not base_path.is_file():
            looked = clip(str(base_path))
            raise InputError(f"{path}: base scenario '{clip(base)}' not found (looked for {looked})")
        merged, origin = _resolve(base_path, schema, (*chain, path))
    _merge(merged, data, origin, path, ())
    return merged, origin


def _check_keys(data: dict[str, Any], model: type[BaseModel], path: Path, where: tuple[str, ...]) -> None:
    """Reject unknown keys per file, so the message names the file that has them."""
    valid = set(model.model_fields) | ({"base"} if not where else set())
    for key, value in data.items():
        if key not in valid:
            loc = ".".join((*where, clip(str(key), 80)))
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
            dotted = ".".join(loc)
            origin.pop(dotted, None)  # re-inserted: the dict's order is the order keys were last set
            origin[dotted] = path


def rule_message(err: dict) -> str:
    """The text of a pydantic error raised by one of gzgrid's own validators (without its prefix)."""
    return str(err["msg"]).removeprefix("Value error, ")


def explain_layers(exc: ValidationError, origin: dict[str, Path], top: Path) -> InputError:
    """One message for the first validation error, naming the file that set the offending key.

    ``origin`` and ``top`` as :func:`resolve_layers` returns and takes them.
    """
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    dotted = ".".join(loc)
    file = _blamed_file(loc, origin, top)
    if not loc:  # a rule across keys (a model validator): its message names the keys itself
        return InputError(f"{file}: {rule_message(err)}")
    if err["type"] == "missing":
        return InputError(f"{top}: required key '{dotted}' is missing (set it here or in a base scenario)")
    value = err.get("input")
    return InputError(f"{file}: key '{clip(dotted)}' = {quote(value)}: {err['msg']}")


def _prefixes(loc: list[str]) -> list[str]:
    return [".".join(loc[:n]) for n in range(len(loc), 0, -1)]


def _blamed_file(loc: list[str], origin: dict[str, Path], top: Path) -> Path:
    """The file that set the value at ``loc`` last.

    That is the file of ``loc`` itself, of a key above it, or of a key inside it (a mapping such
    as ``adequacy.hydrology_probabilities`` set in part by a base and in part by a derived
    file): whichever was set last (``origin`` is in the order keys were last set).
    """
    above = set(_prefixes(loc))
    inside = ".".join(loc) + "."
    setters = [path for key, path in origin.items() if key in above or key.startswith(inside)]
    return setters[-1] if setters else top
