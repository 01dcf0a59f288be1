"""Atomic writes: every file and folder gzgrid writes appears whole, or not at all.

One scheme for every writer: the content goes to a hidden temporary beside the destination,
``.NAME.tmp-PID`` (same folder, so the final rename stays on one filesystem and is atomic), and
is renamed into place when complete; a folder being replaced is first set aside as
``.NAME.old-PID``. A process killed mid-write leaves such a temporary behind;
:func:`clean_stale` removes the ones whose process is gone (or that are older than a day), and
only those: a file must match the scheme, and a folder must also hold :data:`FOLDER_MARK`, the
file every temporary folder gets first, so a folder gzgrid did not create is never removed.

:func:`check_writable` checks an output location before any long computation, so a read-only or
impossible path fails in a second instead of after the solve.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.errors import InputError

#: A gzgrid temporary: ``.NAME.tmp-PID`` (being written) or ``.NAME.old-PID`` (being replaced).
TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)$")
#: File written first into every temporary folder (and kept in the folder it becomes): the proof
#: that gzgrid created the folder. Run folders keep it as their marker.
FOLDER_MARK = ".gzgrid-run"
#: A temporary older than this is stale even if a process with its PID is alive (PIDs are reused) [s].
STALE_AGE_S = 86_400.0


def temporary(path: Path, kind: str = "tmp") -> Path:
    """The temporary name of ``path`` for this process: ``.NAME.tmp-PID`` beside it."""
    path = Path(path)
    return path.parent / f".{path.name}.{kind}-{os.getpid()}"


def write_with(path: Path | str, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` to write a temporary file, then rename it to ``path``.

    Parameters
    ----------
    path : Path or str
        The destination (its folder is created if missing).
    write : callable
        Writes the whole content to the path it is given.

    Returns
    -------
    Path
        ``path``. On any error the temporary is removed and ``path`` is unchanged.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` atomically, flushed to disk before the rename."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    return write_with(path, write)


def write_text(path: Path | str, text: str) -> Path:
    """Write ``text`` as UTF-8 atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: Path | str, data: Any, **dumps: Any) -> Path:
    """Write ``json.dumps(data, **dumps)`` atomically."""
    return write_text(path, json.dumps(data, **dumps))


def write_netcdf(ds: Any, path: Path | str, **to_netcdf: Any) -> Path:
    """Write an :class:`xarray.Dataset` atomically (``to_netcdf`` arguments passed on)."""
    return write_with(path, lambda tmp: ds.to_netcdf(tmp, **to_netcdf))


def save_figure(fig: Any, path: Path | str, **savefig: Any) -> Path:
    """Save a matplotlib figure atomically and close it.

    The temporary keeps the destination's suffix in ``format``, since matplotlib picks the format
    from the file name.
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    savefig.setdefault("format", path.suffix.lstrip(".") or "png")
    try:
        return write_with(path, lambda tmp: fig.savefig(tmp, **savefig))
    finally:
        plt.close(fig)


def temporary_folder(folder: Path, mark: str = "") -> Path:
    """A new, empty temporary folder beside ``folder`` holding only :data:`FOLDER_MARK`.

    Parameters
    ----------
    folder : Path
        The folder it will become.
    mark : str
        Content of the mark file (e.g. the gzgrid version).
    """
    tmp = temporary(folder)
    try:
        _remove_ours(tmp)  # a leftover of this very PID (a reused PID): ours by name and mark
    except OSError:
        raise InputError(f"{tmp}: a folder gzgrid did not create is in the way; move it away") from None
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.mkdir()
    (tmp / FOLDER_MARK).write_text(mark, encoding="utf-8")
    return tmp


def swap_folder(tmp: Path, folder: Path, keep: tuple[str, ...] = ()) -> None:
    """Put the complete folder ``tmp`` in place of ``folder``; remove the old one.

    The caller must have checked that an existing ``folder`` is gzgrid's to replace. Steps:
    rename the old folder aside (``.NAME.old-PID``, marked so a crash leaves a cleanable
    folder), move the entries named in ``keep`` from it into ``tmp``, rename ``tmp`` in, remove
    the old folder. If the second rename fails the old folder is put back.

    Parameters
    ----------
    tmp : Path
        The new folder, from :func:`temporary_folder`, complete.
    folder : Path
        The destination.
    keep : tuple of str
        Entries of the old folder that the new one carries over (another command's results).
    """
    if not folder.exists():
        tmp.rename(folder)
        return
    old = temporary(folder, "old")
    _remove_ours(old)
    if not (folder / FOLDER_MARK).exists():
        (folder / FOLDER_MARK).write_text("", encoding="utf-8")  # a legacy folder, checked by the caller
    folder.rename(old)
    for name in keep:
        if (old / name).exists() and not (tmp / name).exists():
            (old / name).rename(tmp / name)
    try:
        tmp.rename(folder)
    except OSError:
        for name in keep:
            if (tmp / name).exists() and not (old / name).exists():
                (tmp / name).rename(old / name)
        old.rename(folder)
        raise
    shutil.rmtree(old)


def _remove_ours(path: Path) -> None:
    """Remove a temporary of ours: a file, an empty folder, or a folder holding the mark."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        if (path / FOLDER_MARK).is_file():
            shutil.rmtree(path)
        else:
            path.rmdir()  # raises if not empty: then it is not ours to remove


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    except OverflowError:
        return False
    return True


def is_temporary(name: str) -> bool:
    """Whether a file name follows gzgrid's temporary scheme."""
    return TEMPORARY.match(name) is not None


def clean_stale(folder: Path | str, max_age_s: float = STALE_AGE_S) -> list[Path]:
    """Remove gzgrid temporaries left in ``folder`` by processes that are gone.

    A temporary (see :data:`TEMPORARY`) is stale when no process has its PID on this machine, or
    when it is older than ``max_age_s``. Only files matching the scheme and folders holding
    :data:`FOLDER_MARK` (or empty) are removed; this process's own are left alone. Best effort:
    what cannot be removed stays.

    Returns
    -------
    list of Path
        What was removed.
    """
    folder = Path(folder)
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = TEMPORARY.match(entry.name)
        if match is None or int(match["pid"]) == os.getpid():
            continue
        try:
            age = now - entry.lstat().st_mtime
            if _pid_alive(int(match["pid"])) and age < max_age_s:
                continue
            _remove_ours(entry)
            removed.append(entry)
        except OSError:
            continue
    return removed


def check_writable(path: Path | str, what: str, is_file: bool = False) -> None:
    """Fail now, not after hours of work, if ``path`` cannot be written.

    The nearest existing folder on the way to ``path`` must be a folder gzgrid can create
    files in (tried with a temporary file, which also catches read-only filesystems); missing
    folders below it are created when the output is written.

    Parameters
    ----------
    path : Path or str
        The output file or folder.
    what : str
        How the user set it, for the message (``"--out"``, ``"output folder"``).
    is_file : bool
        ``path`` is a file: it must not be an existing folder.

    Raises
    ------
    InputError
        Naming ``path`` and the reason.
    """
    path = Path(path)
    if is_file and path.is_dir():
        raise InputError(f"{what} {path}: is a folder; give a file name")
    parent = path.parent if is_file or not path.is_dir() else path
    while not parent.exists():
        if parent.is_symlink() or parent == parent.parent:
            raise InputError(f"{what} {path}: {parent} is a broken link or cannot be created")
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{what} {path}: {parent} is a file, not a folder")
    probe = parent / f".gzgrid-probe.tmp-{os.getpid()}"
    try:
        probe.write_bytes(b"")
    except OSError as exc:
        raise InputError(
            f"{what} {path}: cannot write in {parent} ({exc.strerror or exc}); choose a writable location"
        ) from None
    finally:
        probe.unlink(missing_ok=True)
