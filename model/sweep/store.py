"""The case store: one JSON record per solved case under ``<sweep folder>/cases/``.

The store is the single truth of a sweep: ``sweep.nc`` is rebuilt from it, and a rerun skips
every case that has a ``done`` record. A record is named ``<key>-<resolution>.json`` (the
case's hash and ``1h`` or a screening offset such as ``3h``) and is written to a temporary
file in the same folder, then renamed with :func:`os.replace`, so a sweep stopped at any moment
(Ctrl-C, a killed client or worker, a lost machine) leaves whole records or none.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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

    def path(self, key: str, resolution: str) -> Path:
        """Where the record of case ``key`` at ``resolution`` lives."""
        return self.cases / f"{key}-{resolution}.json"

    def get(self, key: str, resolution: str) -> dict[str, Any] | None:
        """The record, or ``None`` if the case has not finished at that resolution."""
        path = self.path(key, resolution)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def status(self, key: str, resolution: str) -> str | None:
        """``"done"``, ``"failed"`` or ``None`` (not run, or its run was lost)."""
        record = self.get(key, resolution)
        return None if record is None else record["status"]

    def put(self, record: dict[str, Any]) -> Path:
        """Write a record atomically (temporary file in the same folder, then rename)."""
        self.cases.mkdir(parents=True, exist_ok=True)
        path = self.path(record["key"], record["resolution"])
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=self.cases)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(record, f, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a record is an ordinary result file
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return path

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record in the store, in file-name order."""
        for path in sorted(self.cases.glob("*.json")):
            yield json.loads(path.read_text(encoding="utf-8"))
