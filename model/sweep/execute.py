"""Running a sweep on ``dask.distributed``: submission, the case store, progress, Ctrl-C.

Who writes records: the *client*. Workers run the pure :func:`model.sweep.case.run_case` and
return the record; the client writes it into the store as soon as it arrives. This works on
any cluster, including workers on machines that cannot see the sweep folder, and keeps one
writer per store. A case whose result has not reached the client when the sweep stops (Ctrl-C,
a killed client) is simply run again next time; a killed worker's task is rescheduled by Dask
on another worker. A case that fails on its own (bad override, infeasible LP) comes back as a
``failed`` record and does not stop the others; ``retry_failed`` runs those again.

With screening, each case is first solved at the coarse resolution; as soon as its record
arrives, the case is submitted again hourly if its verdict is uncertain
(:func:`model.sweep.screening.needs_hourly`), so the two stages overlap with no barrier.

Without screening, hourly decomposed cases start from the first case of their weather year
and hydrology (:mod:`model.sweep.warm`): those are solved first, and the optimal basis of each
of their windows is given to the other cases of the group, whose windows start there instead
of from their previous window. A case whose LP has another structure cannot use it and is
solved from scratch; one line says how many did.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.atomic import check_writable, write_json
from model.errors import InputError, clip, warn
from model.sweep.case import HOURLY, run_case
from model.sweep.combine import combine, write_dataset
from model.sweep.screening import needs_hourly, screening_errors
from model.sweep.spec import Case, Sweep
from model.sweep.store import DONE, FAILED, CaseStore
from model.sweep.warm import Group, load_reference, save_reference, shares_windows, warm_group

logger = logging.getLogger(__name__)

#: How long to wait for a running scheduler to answer [s] (Dask's own default is 30 s).
CONNECT_TIMEOUT_S = 5.0
#: Address schemes Dask's client speaks.
SCHEMES = ("tcp", "tls", "ws", "wss", "inproc", "ucx")


@dataclass
class SweepOutcome:
    """What one invocation of a sweep did.

    Attributes
    ----------
    folder : Path
        The sweep folder (``cases/``, ``sweep.nc``, ``sweep.json``, figures).
    dataset : Path
        ``sweep.nc``.
    solved, failed, skipped, lost : int
        Solves finished in this invocation (done / failed), solves skipped because the store
        already had them, solves whose result never arrived (lost worker, cancelled).
    interrupted : bool
        Stopped by Ctrl-C or ``max_solves`` before every case finished.
    wall_s : float
        Wall time of this invocation [s].
    workers : int
        Dask workers used.
    screening : dict
        Screening error summary (:func:`model.sweep.screening.screening_errors`); empty without.
    """

    folder: Path
    dataset: Path
    solved: int = 0
    failed: int = 0
    skipped: int = 0
    lost: int = 0
    interrupted: bool = False
    wall_s: float = 0.0
    workers: int = 0
    screening: dict[str, float] = field(default_factory=dict)


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client: on a running cluster at ``scheduler``, or on a new local one.

    The local cluster has ``workers`` processes (default: one per core) of one thread each on
    loopback (its HTTP endpoint on a free loopback port, never 8787); each case then solves with
    one HiGHS thread and no window pool of its own, so the cores are used once.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        check_scheduler(scheduler)
        try:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S:g}s")
        except (OSError, ValueError, TimeoutError) as exc:
            raise InputError(
                f"--scheduler {clip(scheduler, 80)}: no Dask scheduler answered ({clip(str(exc), 100)}); "
                "start one with 'dask scheduler' or leave --scheduler out for a local cluster"
            ) from None
        with client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # the HTTP endpoint cannot be switched off: a free port
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def check_scheduler(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Fail in seconds, with one line, if ``address`` is no scheduler address or nothing listens there.

    A TCP address is tried with a plain socket first: a closed port is refused at once, where
    Dask's client would retry until its timeout.

    Raises
    ------
    InputError
        Naming the address and what would be valid.
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    shown = clip(address, 80)
    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"--scheduler {shown}: not a scheduler address ({clip(str(exc), 100)}); give tcp://HOST:PORT"
        ) from None
    if scheme not in SCHEMES:
        raise InputError(f"--scheduler {shown}: unknown scheme '{scheme}'; give tcp://HOST:PORT")
    if scheme != "tcp":
        return
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        timed_out = isinstance(exc, TimeoutError)
        why = exc.strerror or (f"no answer within {timeout_s:g} s" if timed_out else str(exc))
        raise InputError(
            f"--scheduler {shown}: cannot connect ({why}); is a Dask scheduler running there? Leave "
            "--scheduler out for a local cluster"
        ) from None


def run_sweep(
    sweep: Sweep,
    workers: int | None = None,
    scheduler: str | None = None,
    retry_failed: bool = False,
    max_solves: int | None = None,
    progress: bool = True,
) -> SweepOutcome:
    """Run the cases of ``sweep`` that the store lacks, then write ``sweep.nc`` and ``sweep.json``.

    Parameters
    ----------
    sweep : Sweep
        A loaded sweep file.
    workers : int, optional
        Local worker processes (default: one per core); ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``).
    retry_failed : bool
        Run cases with a ``failed`` record again.
    max_solves : int, optional
        Stop after this many solves finished in this invocation (a budget; rerun to go on).
    progress : bool
        Show a progress bar (done / total, failures, ETA).

    Returns
    -------
    SweepOutcome
        Counts and paths. On Ctrl-C the finished records are kept, ``sweep.nc`` is written
        with what exists, and ``KeyboardInterrupt`` is raised again.
    """
    check_writable(sweep.folder, "sweep folder")  # before any solving
    store = CaseStore(sweep.folder)
    store.clean()
    outcome = SweepOutcome(folder=sweep.folder, dataset=sweep.folder / "sweep.nc")
    t0 = time.perf_counter()
    unique = _unique_cases(sweep)
    coords: dict[str, list[dict[str, Any]]] = {}
    for c in sweep.cases:
        coords.setdefault(c.key, []).append(c.coords)
    first = sweep.spec.screening.resolution if sweep.spec.screening.enabled else HOURLY
    jobs = []
    for case in unique.values():
        job = _next_job(sweep, store, case, first, retry_failed)
        if job is None:
            outcome.skipped += 1
        else:
            jobs.append(job)
    interrupted: BaseException | None = None
    if jobs:  # nothing left to solve: no cluster to start
        interrupted = _solve(
            sweep, store, outcome, jobs, coords, workers, scheduler, retry_failed, max_solves, progress
        )
    outcome.wall_s = time.perf_counter() - t0
    finish(sweep, store, outcome)
    if interrupted is not None:
        raise interrupted
    return outcome


def _solve(
    sweep: Sweep,
    store: CaseStore,
    outcome: SweepOutcome,
    jobs: list[tuple[Case, str]],
    coords: dict[str, list[dict[str, Any]]],
    workers: int | None,
    scheduler: str | None,
    retry_failed: bool,
    max_solves: int | None,
    progress: bool,
) -> BaseException | None:
    """Submit ``jobs``, store each record as it arrives; return the Ctrl-C if there was one."""
    from distributed import as_completed

    first = sweep.spec.screening.resolution if sweep.spec.screening.enabled else HOURLY
    interrupted: BaseException | None = None
    share = shares_windows(sweep)
    with dask_client(workers, scheduler) as client, _Progress(progress, len(jobs) + outcome.skipped) as bar:
        outcome.workers = len(client.scheduler_info(n_workers=-1)["workers"])
        bar.skip(outcome.skipped)
        refs = _References(sweep.folder, client, jobs) if share else None
        futures: dict[Any, tuple[Case, str]] = {}
        pending = as_completed([])

        def submit(job: tuple[Case, str], warm: Any = None, keep: bool = False) -> None:
            fut = _submit(client, *job, warm, keep)
            futures[fut] = job
            pending.add(fut)

        for job in jobs:
            if refs is None:
                submit(job)
            else:
                refs.place(job, submit)

        not_shared = 0
        try:
            for fut in pending:
                case, res = futures.pop(fut)
                record = _receive(fut, outcome)
                bases = record.pop("_warm", None) if record is not None else None
                if refs is not None:
                    refs.returned(case, bases, submit)
                if record is None:
                    bar.advance(1)
                    continue
                record.update(
                    key=case.key,
                    coords=coords[case.key],
                    scenario=json.loads(case.scenario.model_dump_json()),
                )
                store.put(record)
                not_shared += record.get("warm_start") == "not shared"
                outcome.solved += record["status"] == DONE
                outcome.failed += record["status"] == FAILED
                nxt = _next_job(sweep, store, case, first, retry_failed) if res != HOURLY else None
                if nxt is not None:
                    bar.grow(1)
                    submit(nxt)
                bar.advance(1, failed=outcome.failed)
                if max_solves is not None and outcome.solved + outcome.failed >= max_solves and futures:
                    outcome.interrupted = True
                    break
        except KeyboardInterrupt as exc:
            outcome.interrupted = True
            interrupted = exc
        finally:
            if futures:
                client.cancel(list(futures))
    if not_shared:
        warn(f"sweep: {not_shared} case(s) have another LP structure than the first case of their weather "
             "year and hydrology, so they could not start from its model; each was built and solved on its "
             "own")  # fmt: skip
    return interrupted


def finish(sweep: Sweep, store: CaseStore, outcome: SweepOutcome) -> None:
    """Write ``sweep.nc`` from the store and ``sweep.json`` (counts, wall time, screening error)."""
    write_dataset(combine(sweep, store), outcome.dataset)
    _, outcome.screening = screening_errors(sweep, store)
    info = {k: (str(v) if isinstance(v, Path) else v) for k, v in outcome.__dict__.items()}
    write_json(sweep.folder / "sweep.json", info, indent=2)


def _unique_cases(sweep: Sweep) -> dict[str, Case]:
    """One case per key (two coordinate sets may resolve to the same scenario)."""
    unique: dict[str, Case] = {}
    for case in sweep.cases:
        unique.setdefault(case.key, case)
    return unique


def _next_job(
    sweep: Sweep, store: CaseStore, case: Case, first: str, retry_failed: bool
) -> tuple[Case, str] | None:
    """The next solve a case needs (first resolution, then hourly if screening says so)."""
    wanted = {None, FAILED} if retry_failed else {None}
    if store.status(case.key, first) in wanted:
        return case, first
    if first == HOURLY:
        return None
    screened = store.get(case.key, first)
    if screened is not None and needs_hourly(sweep, screened) and store.status(case.key, HOURLY) in wanted:
        return case, HOURLY
    return None


class _References:
    """Which case is each group's reference, and the cases held until it returns (:mod:`.warm`)."""

    def __init__(self, folder: Path, client: Any, jobs: list[tuple[Case, str]]) -> None:
        self.folder, self.client = folder, client
        self.size = Counter(warm_group(case) for case, _ in jobs)  # cases of each group to run
        self.bases: dict[Group, Any] = {}  # scattered bases of each group with a reference
        self.first: dict[Group, str] = {}  # key of the case being solved as a group's reference
        self.held: dict[Group, list[tuple[Case, str]]] = {}

    def place(self, job: tuple[Case, str], submit: Any) -> None:
        """Submit ``job`` from its group's bases, as the group's reference, or hold it."""
        g = warm_group(job[0])
        if g not in self.bases and g not in self.first:
            saved = load_reference(self.folder, g)
            if saved is not None:
                self.bases[g] = self.client.scatter(saved, broadcast=True)
        if g in self.bases:
            submit(job, self.bases[g])
        elif g in self.first:
            self.held[g].append(job)
        else:
            self.first[g], self.held[g] = job[0].key, []
            submit(job, None, keep=self.size[g] > 1)  # a group of one needs no bases kept

    def returned(self, case: Case, bases: Any, submit: Any) -> None:
        """A case came back: if it was its group's reference, keep its bases and release the group."""
        g = warm_group(case)
        if self.first.get(g) != case.key:
            return
        del self.first[g]
        arg = None
        if bases is not None:
            save_reference(self.folder, g, bases)
            arg = self.bases[g] = self.client.scatter(bases, broadcast=True)
        for job in self.held.pop(g):
            submit(job, arg)


def _submit(client: Any, case: Case, resolution: str, warm: Any = None, keep: bool = False) -> Any:
    """Submit one solve; ``warm``: the reference's bases (a future), ``keep``: this is the reference."""
    key = f"gzgrid-case-{case.key}-{resolution}"
    return client.submit(run_case, case.scenario.model_dump_json(), resolution, warm, keep, key=key)


def _receive(fut: Any, outcome: SweepOutcome) -> dict[str, Any] | None:
    """The record a future returned, or ``None`` if its worker was lost (the case reruns later)."""
    try:
        return fut.result()
    except Exception as exc:  # KilledWorker, cancelled: infrastructure, not the case's own result
        logger.warning("sweep: a case's result was lost (%s); it runs again next time", exc)
        outcome.lost += 1
        return None


class _Progress:
    """A rich progress bar of solves: done / total, failures, elapsed time and ETA.

    The ETA is this invocation's mean time per finished solve times the solves left (rich's own
    estimate looks at the last 30 s only, which is blank when a case takes minutes). Nothing is
    shown when ``show`` is false.
    """

    def __init__(self, show: bool, total: int) -> None:
        self.bar = None
        self.total = total
        self.done = 0  # solves finished in this invocation (skipped ones excluded)
        self.position = 0
        self.t0 = time.perf_counter()
        if show:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("[bold]sweep[/bold]"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("failed {task.fields[failed]}"),
                TimeElapsedColumn(),
                TextColumn("ETA {task.fields[eta]}"),
            )
            self.task = self.bar.add_task("sweep", total=total, failed=0, eta="-")

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def skip(self, n: int) -> None:
        """Count ``n`` solves found in the store."""
        self.position += n
        if self.bar is not None:
            self.bar.update(self.task, completed=self.position)

    def advance(self, n: int, failed: int | None = None) -> None:
        """Count ``n`` solves finished (or lost) now."""
        self.position += n
        self.done += n
        if self.bar is None:
            return
        left = self.total - self.position
        per = (time.perf_counter() - self.t0) / self.done
        eta = time.strftime("%H:%M:%S", time.gmtime(per * left)) if left else "0:00:00"
        extra = {} if failed is None else {"failed": failed}
        self.bar.update(self.task, completed=self.position, eta=eta, **extra)

    def grow(self, n: int) -> None:
        """``n`` more solves to do (screened cases sent to the hourly model)."""
        self.total += n
        if self.bar is not None:
            self.bar.update(self.task, total=self.total)
