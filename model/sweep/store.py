"""The case store: one JSON record per solved case under ``<sweep folder>/cases/``.

The store is the single truth of a sweep: ``sweep.nc`` is rebuilt from it, and a rerun skips
every case that has a ``done`` record. A record is named ``<key>-<resolution>.json`` (the
case's hash and ``1h`` or a screening offset such as ``3h``) and is written atomically
(:func:`model.atomic.write_json`: a temporary file beside it, flushed, then renamed), so a sweep
stopped at any moment (Ctrl-C, a killed client or worker, a lost machine) leaves whole records
or none.

A record that cannot be read anyway (truncated by a full disk, edited by hand) counts as
missing: the store warns once, naming the file, and the sweep solves the case again, which
overwrites the record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from model.atomic import clean_stale, write_json
from model.errors import clip, warn

#: Record statuses.
DONE, FAILED = "done", "failed"


class CaseStore:
    """Records of one sweep folder.

    Parameters
    ----------
    folder : Path
        The sweep folder; records live in ``folder / "cases"``.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.cases = self.folder / "cases"
        self._warned: set[Path] = set()

    def path(self, key: str, resolution: str) -> Path:
        """Where the record of case ``key`` at ``resolution`` lives."""
        return self.cases / f"{key}-{resolution}.json"

    def get(self, key: str, resolution: str) -> dict[str, Any] | None:
        """The record, or ``None`` if the case has not finished at that resolution (or its record
        is unreadable: see the module docstring)."""
        return self._read(self.path(key, resolution))

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:  # ValueError: bad JSON or bad UTF-8
            return self._unreadable(path, f"{type(exc).__name__}: {clip(str(exc), 80)}")
        if not isinstance(record, dict) or record.get("status") not in (DONE, FAILED):
            return self._unreadable(path, "not a case record")
        return record

    def _unreadable(self, path: Path, why: str) -> None:
        if path not in self._warned:
            self._warned.add(path)
            warn(f"{path}: unreadable case record ({why}); the case is solved again and its record rewritten")
        return None

    def status(self, key: str, resolution: str) -> str | None:
        """``"done"``, ``"failed"`` or ``None`` (not run, or its run was lost)."""
        record = self.get(key, resolution)
        return None if record is None else record["status"]

    def put(self, record: dict[str, Any]) -> Path:
        """Write a record atomically (temporary file in the same folder, flushed, then renamed)."""
        self._warned.discard(self.path(record["key"], record["resolution"]))
        return write_json(self.path(record["key"], record["resolution"]), record, indent=1, sort_keys=True)

    def clean(self) -> None:
        """Remove temporaries that killed sweeps left in the sweep folder and the store."""
        clean_stale(self.folder)
        clean_stale(self.cases)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every readable record in the store, in file-name order."""
        for path in sorted(self.cases.glob("*.json")):
            record = self._read(path)
            if record is not None:
                yield record
