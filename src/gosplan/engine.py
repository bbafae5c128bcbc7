"""The engine of many independent computations: Dask tasks, or this process in order.

:func:`map_tasks` runs one task per item on a ``distributed`` cluster: a
:class:`distributed.LocalCluster` of worker processes (one thread each) started for the call
by default, an existing scheduler by its address (a real cluster), or a
:class:`distributed.Client` the caller holds. What every task shares is scattered once to
every worker; only the item travels with a task. ``serial=True`` runs the same tasks in this
process, in order. An error in a task is raised here as it was raised there (a
:class:`_Failure` carries it whole, keyword-only fields included).

Used by the ensembles (:func:`gosplan.run.ensemble.ensemble`) and the accumulation–
consumption frontier (:func:`gosplan.plan.frontier.frontier`); it imports neither.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from gosplan.core.checks import Check
from gosplan.errors import GosplanError, InputError

if TYPE_CHECKING:
    from distributed import Client

#: ``progress(done, total, message)``, called after each task.
Progress: TypeAlias = Callable[[int, int, str], None]
#: Worker processes of the :class:`distributed.LocalCluster` started when no client is given.
DEFAULT_WORKERS = 2


@contextmanager
def dask_client(client: Client | str | None = None, workers: int | None = None) -> Iterator[Client]:
    """A :class:`distributed.Client` for the block.

    Parameters
    ----------
    client
        A client (used as it is, left open), a scheduler address such as
        ``"tcp://10.0.0.5:8786"`` (connected to, closed after the block), or ``None``: a
        :class:`distributed.LocalCluster` of ``workers`` processes with one thread each,
        started for the block and closed after it.
    workers
        Worker processes of the local cluster (default :data:`DEFAULT_WORKERS`); ignored
        with a client or an address.

    Raises
    ------
    InputError
        ``workers`` is not a whole number of at least 1 (check ``out_of_range``).
    """
    from distributed import Client, LocalCluster

    if isinstance(client, Client):
        yield client
        return
    if isinstance(client, str):
        with Client(client) as connected:
            yield connected
        return
    n = _workers(workers)
    with (
        LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as local,
    ):
        yield local


def _workers(workers: int | None) -> int:
    n = DEFAULT_WORKERS if workers is None else workers
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise InputError(
            f"workers must be a whole number of at least 1, not {workers!r}",
            source="workers",
            check=Check.OUT_OF_RANGE,
        )
    return int(n)


def map_tasks(
    func: Callable[..., Any],
    items: Sequence[Any],
    shared: Mapping[str, Any],
    *,
    client: Client | str | None = None,
    workers: int | None = None,
    serial: bool = False,
    progress: Progress | None = None,
    describe: Callable[[Any], str] = str,
) -> list[Any]:
    """``[func(item, **shared) for item in items]``, as Dask tasks unless ``serial``.

    ``shared`` is scattered once to every worker (``broadcast=True``); a task carries only
    its item. Results come back as they finish (``distributed.as_completed``)
    and are returned in the order of ``items``.

    Parameters
    ----------
    func
        A function importable by the workers (a module-level function).
    items
        One per task.
    shared
        Keyword arguments every task gets.
    client, workers
        Where to run (see :func:`dask_client`).
    serial
        Run in this process, in order, without Dask.
    progress
        Called as ``progress(done, total, describe(item))`` after each task.
    describe
        A short text for an item, for ``progress``.

    Raises
    ------
    Exception
        The first error raised by a task, as it was raised there (the other tasks are
        cancelled).
    """
    total = len(items)
    if serial:
        out = []
        for done, item in enumerate(items, start=1):
            out.append(func(item, **shared))
            if progress is not None:
                progress(done, total, describe(item))
        return out
    with dask_client(client, workers) as dask:
        return _on_dask(dask, func, items, shared, progress, describe)


def _on_dask(
    client: Client,
    func: Callable[..., Any],
    items: Sequence[Any],
    shared: Mapping[str, Any],
    progress: Progress | None,
    describe: Callable[[Any], str],
) -> list[Any]:
    from distributed import as_completed

    # one bundle (a list scatters its items one by one; an empty tuple would be nothing)
    [bundle] = client.scatter([dict(shared)], broadcast=True, hash=False)
    futures = [client.submit(_guarded, func, item, bundle, pure=False) for item in items]
    where = {f.key: i for i, f in enumerate(futures)}
    out: list[Any] = [None] * len(items)
    try:
        for done, future in enumerate(as_completed(futures), start=1):
            value = future.result()
            future.release()
            if isinstance(value, _Failure):
                raise value.error
            i = where[future.key]
            out[i] = value
            if progress is not None:
                progress(done, len(items), describe(items[i]))
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        client.cancel([bundle])
    return out


def _guarded(func: Callable[..., Any], item: Any, shared: Mapping[str, Any]) -> Any:
    """``func(item, **shared)``, or its error as a :class:`_Failure` (which always travels)."""
    try:
        return func(item, **shared)
    except Exception as err:
        if not isinstance(err, GosplanError):
            err.add_note("in a Dask task:\n" + "".join(traceback.format_exception(err)))
        return _Failure(err)


@dataclass(frozen=True)
class _Failure:
    """An error raised in a task, pickled so that any exception comes back whole.

    Exceptions with keyword-only fields (:class:`~gosplan.errors.ValidationError`) do not
    unpickle by their ``args``; this rebuilds them from their type, args and ``__dict__``.
    """

    error: BaseException

    def __reduce__(self) -> tuple[Any, ...]:
        err = self.error
        return (_failure, (type(err), err.args, dict(vars(err)), getattr(err, "__notes__", None)))


def _failure(
    cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any], notes: Any
) -> _Failure:
    err = cls.__new__(cls)
    BaseException.__init__(err, *args)
    err.__dict__.update(state)
    if notes:
        err.__notes__ = list(notes)
    return _Failure(err)
