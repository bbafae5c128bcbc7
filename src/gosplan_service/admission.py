"""Admission: how many requests are inside the application at once, and one SQLite writer.

FastAPI runs every synchronous dependency and endpoint in a worker thread of its own
(anyio's pool of 40), one call after another. A request that has begun a transaction (the
session dependency, then the token lookup) holds the database — SQLite's write lock, or a
PostgreSQL connection from the pool — between those calls, and needs a thread again for the
next one. Under load the threads all fill with requests *waiting* for the lock or for a
connection, and the request holding it never gets a thread back: every one of them stalls
until its timeout.

:class:`AdmissionMiddleware` keeps the waiting in the event loop instead: at most
``limit`` requests are inside the application at once (fewer than the threads, and no more
than the connections of the pool: :func:`pool_size`), and on SQLite, which has one writer,
one writing request at a time (the others queue for it without taking a thread). Reads on
SQLite (WAL) go on beside the writer.

The primitives are made per event loop (a test's clients may each run their own).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING

from gosplan_service.db import SAFE_METHODS

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["AdmissionMiddleware", "pool_size"]


def pool_size(limit: int) -> dict[str, int]:
    """The connection pool for ``limit`` requests at once (plus the job runner's writes).

    Parameters
    ----------
    limit
        The admission limit.

    Returns
    -------
    dict
        ``pool_size`` and ``max_overflow`` for :func:`sqlalchemy.create_engine`.
    """
    return {"pool_size": limit + 2, "max_overflow": 4}


class _Gates:
    """The semaphore of requests and the lock of SQLite's writer, for one event loop."""

    def __init__(self, limit: int) -> None:
        self.requests = asyncio.Semaphore(limit)
        self.writer = asyncio.Lock()


class AdmissionMiddleware:
    """At most ``limit`` requests inside ``app``; on SQLite one writing request at a time.

    Parameters
    ----------
    app
        The ASGI application.
    limit
        Requests inside the application at once.
    single_writer
        Queue the writing requests (not ``GET``, ``HEAD`` or ``OPTIONS``) one behind the
        other (SQLite).
    """

    def __init__(self, app: ASGIApp, *, limit: int, single_writer: bool) -> None:
        self.app = app
        self.limit = limit
        self.single_writer = single_writer
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Gates] = (
            weakref.WeakKeyDictionary()
        )

    def _gates_here(self) -> _Gates:
        loop = asyncio.get_running_loop()
        gates = self._gates.get(loop)
        if gates is None:
            gates = self._gates[loop] = _Gates(self.limit)
        return gates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Admit the request when there is room (and, for a SQLite write, the writer's turn)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gates = self._gates_here()
        writes = self.single_writer and scope["method"] not in SAFE_METHODS
        async with gates.requests:
            if not writes:
                await self.app(scope, receive, send)
                return
            async with gates.writer:
                await self.app(scope, receive, send)
