"""Reading input files strictly: one clear error for every bad file.

:func:`read_text` reads any input file (scenario, sweep, register CSV) as UTF-8 and names the
line of a byte that is not. :func:`load_yaml_file` parses a scenario or sweep file.

PyYAML's ``safe_load`` is lenient where a user's mistake should be an error, and trusting where
a hostile file could exhaust the machine:

- a key written twice in one mapping silently keeps the last value: here it is an error naming
  the key and both lines;
- aliases share one object, but anything that walks the data (validation, an error message
  that prints it) expands them: a 450-byte "billion laughs" file becomes hundreds of
  megabytes. The document's size with every alias expanded is counted on the node graph
  before anything is built, and a file above :data:`MAX_NODES` is refused; so is an alias that
  contains itself;
- a file that is not UTF-8 text, nests too deeply, or is not a file at all.

Each case raises :class:`~model.errors.InputError` naming the file (and line where there is
one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from model.errors import InputError, clip

#: Most nodes a document may hold with its aliases expanded (the bundled files hold < 300).
MAX_NODES = 100_000


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int, first: int) -> None:
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


class _TooLarge(Exception):
    pass


class _Recursive(Exception):
    pass


class StrictLoader(yaml.SafeLoader):
    """A :class:`yaml.SafeLoader` that rejects a key given twice in one mapping."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Check the mapping's own keys for repeats, then construct it as SafeLoader does.

        Keys brought in by a merge (``<<: *base``) may be overridden, as YAML intends; only
        keys written in the mapping itself must be unique.
        """
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, ScalarNode):
                continue
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKey(key, line, seen[key])
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def expanded_size(node: Node, limit: int = MAX_NODES) -> int:
    """Number of nodes of the document with every alias expanded (stops above ``limit``).

    Each node's expanded size is computed once (aliases are shared nodes), so a billion-laughs
    document is measured in microseconds instead of expanded.

    Raises
    ------
    _TooLarge
        Above ``limit``.
    _Recursive
        An alias inside the node it names (a document that contains itself).
    """
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(n: Node) -> int:
        key = id(n)
        if key in memo:
            return memo[key]
        if key in active:
            raise _Recursive
        active.add(key)
        if isinstance(n, SequenceNode):
            total = 1 + sum(size(child) for child in n.value)
        elif isinstance(n, MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        else:
            total = 1
        active.discard(key)
        if total > limit:
            raise _TooLarge
        memo[key] = total
        return total

    return size(node)


def read_text(path: Path, what: str) -> str:
    """The text of an input file, decoded as UTF-8 (a byte-order mark is allowed).

    Parameters
    ----------
    path : Path
        The file.
    what : str
        What the file is, for the message (``"scenario"``, ``"sweep"``).

    Raises
    ------
    InputError
        Missing, a folder, unreadable, or not UTF-8 (naming the line of the first bad byte).
    """
    if not path.exists():
        raise InputError(f"{path}: {what} file not found")
    if not path.is_file():
        raise InputError(f"{path}: is a folder, not a {what} file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} file ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the {what} file "
            "as UTF-8"
        ) from None


def load_yaml_file(path: Path | str, what: str) -> Any:
    """Parse a YAML input file strictly (see the module docstring).

    Parameters
    ----------
    path : Path or str
        The file.
    what : str
        What the file is, for messages (``"scenario"``, ``"sweep"``).

    Returns
    -------
    object
        The document (``None`` for an empty file).

    Raises
    ------
    InputError
        Missing or unreadable file, not UTF-8, a YAML syntax error (with its line), a key given
        twice, an alias expansion above :data:`MAX_NODES` nodes or one that contains itself, or
        nesting too deep to read.
    """
    path = Path(path)
    text = read_text(path, what)
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded_size(node)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{path}{line}: YAML syntax error: {clip(problem)}") from None
    except _DuplicateKey as exc:
        raise InputError(
            f"{path}, line {exc.line}: key '{clip(exc.key, 80)}' is given twice in one mapping (first at "
            f"line {exc.first}); give each key once"
        ) from None
    except _TooLarge:
        raise InputError(
            f"{path}: its aliases (*name) expand to more than {MAX_NODES:,} values; a {what} file "
            "needs far fewer (is it an alias bomb?)"
        ) from None
    except _Recursive:
        raise InputError(f"{path}: an alias (*name) refers to the mapping or list that holds it") from None
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to read; a {what} file needs a few levels") from None
    finally:
        loader.dispose()
