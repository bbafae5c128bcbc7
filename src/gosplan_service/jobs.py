"""Long computations outside the request: queued in the ``jobs`` table, run in worker processes.

A kind of job (:data:`KINDS`) names two functions by dotted path (``"module:function"``),
imported only when a job of that kind runs (a missing module fails that job alone):

- ``compute(parameters, progress) -> dict``: pure and picklable, run in a worker process;
  ``progress(share, message)`` reports how far it got (written to the job's row, throttled);
  it returns a JSON-able result;
- ``apply(session, job, result) -> None``: run in the service process, in the transaction
  that marks the job done (store a plan result, insert control figures, ...). What the job
  row keeps as its ``result`` is ``result["summary"]`` when there is one, else ``result``.

An endpoint queues a job with :func:`submit` in its own transaction. :class:`JobRunner`
(started and stopped by the app's lifespan) claims queued jobs one by one (``UPDATE jobs SET
status = 'running' WHERE id = :id AND status = 'queued'``: two runners never take the same
job), runs ``compute`` in a :class:`~concurrent.futures.ProcessPoolExecutor` (spawn), then
applies the result and marks the job ``done`` with its provenance, or ``failed`` with a
one-line message. :func:`run_pending` runs every queued job in-process (tests, the CLI).
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, sessionmaker

from gosplan_service.db import make_engine, session_scope
from gosplan_service.models import MESSAGE_LENGTH, Job, User, utcnow
from gosplan_service.workflow import JOB, check_transition

__all__ = ["KINDS", "JobKind", "JobRunner", "claim", "run_job", "run_pending", "submit"]

log = logging.getLogger(__name__)

#: Seconds between two progress writes of one job.
PROGRESS_INTERVAL_S = 0.5
#: Seconds a runner waits before looking for queued jobs again.
POLL_INTERVAL_S = 0.2

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class JobKind:
    """What a kind of job runs: ``compute`` in a worker, ``apply`` in the service.

    Attributes
    ----------
    compute
        ``"module:function"`` of ``compute(parameters, progress) -> dict``.
    apply
        ``"module:function"`` of ``apply(session, job, result) -> None``.
    """

    compute: str
    apply: str


#: The kinds of job, by name (the ``kind`` column).
KINDS: dict[str, JobKind] = {
    "solve": JobKind(
        "gosplan_service.plan_compute:solve", "gosplan_service.plan_compute:apply_solve"
    ),
    "check": JobKind(
        "gosplan_service.report_compute:check", "gosplan_service.report_compute:apply_check"
    ),
    "simulation": JobKind(
        "gosplan_service.sim_compute:simulate", "gosplan_service.sim_compute:apply_simulation"
    ),
    "ensemble": JobKind(
        "gosplan_service.sim_compute:ensemble", "gosplan_service.sim_compute:apply_ensemble"
    ),
}


def load(path: str) -> Callable[..., Any]:
    """The function a dotted path names (``"package.module:function"``).

    Parameters
    ----------
    path
        The path.

    Returns
    -------
    callable
    """
    module, _, name = path.partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return found


def submit(
    session: Session,
    *,
    kind: str,
    parameters: dict[str, Any],
    user: User,
    plan_version_id: int | None = None,
) -> Job:
    """Queue a job in the caller's transaction (it runs once that transaction commits).

    Parameters
    ----------
    session
        The request's session.
    kind
        One of :data:`KINDS`.
    parameters
        The computation's parameters (JSON).
    user
        Who asks.
    plan_version_id
        The plan version it is about, if any.

    Returns
    -------
    Job
        The queued row (flushed: it has its id).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind of job {kind!r}")
    job = Job(
        kind=kind,
        status="queued",
        progress=0.0,
        parameters=parameters,
        plan_version_id=plan_version_id,
        requested_by=user.id,
    )
    session.add(job)
    session.flush()
    return job


def claim(session: Session, job_id: int) -> bool:
    """Take a queued job: ``UPDATE ... SET status = 'running' WHERE ... status = 'queued'``.

    Parameters
    ----------
    session
        A session (its transaction commits the claim).
    job_id
        The job.

    Returns
    -------
    bool
        Whether this caller got it.
    """
    check_transition("queued", "start", JOB)
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=utcnow(), progress=0.0, message="started")
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def _one_line(error: BaseException) -> str:
    if isinstance(error, KeyError):
        text = f"{type(error).__name__}: missing {error}"
    else:
        text = " ".join(str(error).split()) or type(error).__name__
    return text[:MESSAGE_LENGTH]


class _ProgressWriter:
    """Writes a running job's progress through an engine, at most every interval."""

    def __init__(self, engine: Engine, job_id: int, interval_s: float = PROGRESS_INTERVAL_S):
        self.engine = engine
        self.job_id = job_id
        self.interval_s = interval_s
        self.last = 0.0

    def __call__(self, share: float, message: str) -> None:
        now = time.monotonic()
        if now - self.last < self.interval_s and share < 1.0:
            return
        self.last = now
        share = min(1.0, max(0.0, float(share)))
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    update(Job)
                    .where(Job.id == self.job_id, Job.status == "running")
                    .values(progress=share, message=str(message)[:MESSAGE_LENGTH])
                )
        except Exception:  # progress is best effort; the job goes on
            log.warning("could not write the progress of job %d", self.job_id, exc_info=True)


_ENGINES: dict[str, Engine] = {}


def _worker(kind: str, job_id: int, database_url: str, parameters: dict[str, Any]) -> Any:
    """Run one job's ``compute`` in a worker process (its progress through its own engine)."""
    engine = _ENGINES.get(database_url)
    if engine is None:
        engine = _ENGINES[database_url] = make_engine(database_url)
    compute = load(KINDS[kind].compute)
    return compute(parameters, _ProgressWriter(engine, job_id))


def _provenance(job: Job, started: float) -> dict[str, Any]:
    from gosplan import __version__ as library_version
    from gosplan_service import __version__ as service_version

    return {
        "function": KINDS[job.kind].compute,
        "gosplan": library_version,
        "gosplan_service": service_version,
        "finished_at": utcnow().isoformat(),
        "seconds": round(time.monotonic() - started, 3),
        "parameters": _parameter_summary(job.parameters),
    }


def _parameter_summary(parameters: dict[str, Any]) -> dict[str, Any]:
    from gosplan_service.plan_compute import spec_digest

    summary: dict[str, Any] = {}
    for key, value in parameters.items():
        if isinstance(value, dict | list):
            summary[f"{key}_sha256"] = spec_digest({"value": value})
        else:
            summary[key] = value
    return summary


def finish(
    factory: sessionmaker[Session],
    job_id: int,
    *,
    result: Any = None,
    error: BaseException | None = None,
    started: float | None = None,
) -> None:
    """Apply a job's result and mark it done, or mark it failed (one line, no traceback).

    Parameters
    ----------
    factory
        The service's session factory.
    job_id
        The job.
    result
        What ``compute`` returned (on success).
    error
        What ``compute`` raised (on failure).
    started
        ``time.monotonic()`` when it started (for the provenance).
    """
    with session_scope(factory) as session:
        job = session.get(Job, job_id)
        if job is None or job.status != "running":
            return
        if error is None:
            try:
                with session.begin_nested():
                    load(KINDS[job.kind].apply)(session, job, result)
            except Exception as exc:
                error = exc
        job.finished_at = utcnow()
        if error is not None:
            job.status = check_transition(job.status, "fail", JOB)
            job.message = _one_line(error)
            return
        job.status = check_transition(job.status, "finish", JOB)
        job.progress = 1.0
        job.message = "done"
        job.result = result.get("summary", result) if isinstance(result, dict) else None
        job.provenance = _provenance(job, started if started is not None else time.monotonic())


def run_job(factory: sessionmaker[Session], job_id: int) -> None:
    """Claim one queued job and run it here, in this process (nothing if it is taken).

    Parameters
    ----------
    factory
        The service's session factory.
    job_id
        The job.
    """
    with session_scope(factory) as session:
        if not claim(session, job_id):
            return
        job = session.get(Job, job_id)
        assert job is not None
        kind, parameters = job.kind, dict(job.parameters)
    started = time.monotonic()
    engine = factory.kw["bind"]
    try:
        compute = load(KINDS[kind].compute)
        result = compute(parameters, _ProgressWriter(engine, job_id))
    except Exception as exc:
        finish(factory, job_id, error=exc, started=started)
        return
    finish(factory, job_id, result=result, started=started)


def _queued(factory: sessionmaker[Session], limit: int = 100) -> list[int]:
    with session_scope(factory, writes=False) as session:
        found = session.scalars(
            select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(limit)
        )
        return list(found)


def run_pending(factory: sessionmaker[Session]) -> int:
    """Run every queued job in this process, one after the other (tests and the CLI).

    Parameters
    ----------
    factory
        The service's session factory.

    Returns
    -------
    int
        How many jobs were looked at.
    """
    count = 0
    while ids := _queued(factory):
        for job_id in ids:
            run_job(factory, job_id)
            count += 1
    return count


class JobRunner:
    """Runs queued jobs in a pool of worker processes while the app runs.

    Parameters
    ----------
    session_factory
        The service's session factory.
    database_url
        The database's URL (each worker writes its jobs' progress through its own engine).
    workers
        Worker processes.
    poll_interval_s
        Seconds between looks for queued jobs.

    Examples
    --------
    In the app's lifespan::

        runner = JobRunner(app.state.sessionmaker, settings.database_url, settings.job_workers)
        runner.start()
        ...
        runner.stop()
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        database_url: str,
        workers: int = 2,
        *,
        poll_interval_s: float = POLL_INTERVAL_S,
    ) -> None:
        self.factory = session_factory
        self.database_url = database_url
        self.workers = max(1, int(workers))
        self.poll_interval_s = poll_interval_s
        self._stop = threading.Event()
        self._slots = threading.Semaphore(self.workers)
        self._thread: threading.Thread | None = None
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Re-queue the jobs left running by a previous process; start the pool and polling."""
        if self._thread is not None:
            return
        self.requeue_interrupted()
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="gosplan-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling and shut the pool down (running computations are abandoned)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def requeue_interrupted(self) -> int:
        """Put the jobs left ``running`` (by a process that stopped) back in the queue.

        Returns
        -------
        int
            How many were re-queued.
        """
        with session_scope(self.factory) as session:
            result = session.execute(
                update(Job)
                .where(Job.status == "running")
                .values(status="queued", progress=0.0, message="re-queued after a restart")
            )
            assert isinstance(result, CursorResult)
            return int(result.rowcount)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                started_any = self._start_queued()
            except Exception:
                log.exception("the job runner could not look for queued jobs")
                started_any = False
            if not started_any:
                self._stop.wait(self.poll_interval_s)

    def _start_queued(self) -> bool:
        started_any = False
        for job_id in _queued(self.factory, limit=self.workers):
            if self._stop.is_set() or not self._slots.acquire(blocking=False):
                break
            if not self._launch(job_id):
                self._slots.release()
                continue
            started_any = True
        return started_any

    def _launch(self, job_id: int) -> bool:
        with session_scope(self.factory) as session:
            if not claim(session, job_id):
                return False
            job = session.get(Job, job_id)
            assert job is not None
            kind, parameters = job.kind, dict(job.parameters)
        started = time.monotonic()
        pool = self._pool
        if pool is None:
            return False
        try:
            future = pool.submit(_worker, kind, job_id, self.database_url, parameters)
        except Exception as exc:
            finish(self.factory, job_id, error=exc, started=started)
            return True
        future.add_done_callback(lambda done: self._done(job_id, done, started))
        return True

    def _done(self, job_id: int, future: Future[Any], started: float) -> None:
        try:
            error = future.exception()
            result = None if error is not None else future.result()
            finish(self.factory, job_id, result=result, error=error, started=started)
        except BaseException:
            log.exception("could not finish job %d", job_id)
        finally:
            self._slots.release()
