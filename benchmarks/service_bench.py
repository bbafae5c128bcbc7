"""Load benchmark of the planning office service: fulfilment reports over loopback HTTP.

The service runs as a uvicorn subprocess (``tests/service/server.py``) on SQLite (a file in
a temporary folder) and on a throw-away PostgreSQL (``tests/service/postgres_server.py``;
``--no-postgres`` leaves it out, and it is skipped with a note when no server is installed).
``--users`` client threads (httpx, one connection each) act as directors of the approved
ussr-1928 plan: after ``--warmup`` seconds, each sends for ``--duration`` seconds
``POST /api/plans/{id}/reports`` with a new ``Idempotency-Key`` every time. The baseline,
measured in the same run under the same load, is ``GET /api/health`` (one database round
trip, no writes).

Prints requests, failures, median, p95, p99 and throughput per case and the ratio to the
baseline; exits 1 when any request failed or a report's p95 is 500 ms or more.

    python benchmarks/service_bench.py                     # 20 users, 20 s, both databases
    python benchmarks/service_bench.py --users 10 --duration 5 --no-postgres
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SERVICE_TESTS = ROOT / "tests" / "service"
#: The goal: a report's p95 under this many milliseconds.
P95_GOAL_MS = 500.0


def _load(name: str) -> ModuleType:
    """A module of tests/service by path (registered, so its dataclasses work)."""
    module_name = f"gosplan_bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, SERVICE_TESTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Result:
    """The latencies and failures of one case."""

    case: str
    database: str
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    elapsed_s: float = 0.0
    examples: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.failures

    def quantile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        if q == 0.5:
            return statistics.median(self.latencies_ms)
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0


Request = Callable[[httpx.Client, int], httpx.Response]


def _load_phase(
    base_url: str,
    tokens: list[str],
    request: Request,
    expected: int,
    seconds: float,
    result: Result | None,
) -> None:
    """Run ``request`` in one thread per token for ``seconds``; record into ``result``."""
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()

    def user(index: int, token: str) -> None:
        latencies: list[float] = []
        failures = 0
        examples: list[str] = []
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=30.0) as http:
            while time.monotonic() < stop_at:
                began = time.perf_counter()
                try:
                    response = request(http, index)
                    ok = response.status_code == expected
                    detail = f"{response.status_code}: {response.text[:200]}"
                except httpx.HTTPError as err:
                    ok, detail = False, f"{type(err).__name__}: {err}"
                took = (time.perf_counter() - began) * 1000
                if ok:
                    latencies.append(took)
                else:
                    failures += 1
                    if len(examples) < 3:
                        examples.append(detail)
        if result is not None:
            with lock:
                result.latencies_ms.extend(latencies)
                result.failures += failures
                result.examples.extend(examples)

    began = time.monotonic()
    threads = [threading.Thread(target=user, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if result is not None:
        result.elapsed_s = time.monotonic() - began


def _prepare(database_url: str, users: int) -> tuple[int, list[str], list[dict[str, Any]]]:
    """Seed an approved version and ``users`` directors: its id, their tokens, report bodies."""
    from gosplan_service.db import make_engine, make_sessionmaker, session_scope, upgrade
    from gosplan_service.models import User
    from gosplan_service.security import issue_token

    seed, server = _load("seed"), _load("server")
    upgrade(database_url)
    plan = seed.solved()
    version_id: int = server.seed_version_into(database_url, plan, "approved")
    first: dict[str, dict[str, Any]] = {}
    for row in plan.figures:
        first.setdefault(row["enterprise"], row)
    enterprises = sorted(first)
    tokens: list[str] = []
    bodies: list[dict[str, Any]] = []
    engine = make_engine(database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            for i in range(users):
                enterprise = enterprises[i % len(enterprises)]
                user = User(
                    name=f"bench-director-{i}",
                    role="director",
                    enterprise=enterprise,
                    password_hash="x",
                )
                session.add(user)
                session.flush()
                tokens.append(issue_token(session, user, 24 * 3600)[0])
                row = first[enterprise]
                bodies.append(
                    {
                        "enterprise": enterprise,
                        "period": row["period"],
                        "rows": [{"product": row["product"], "quantity": 1.0}],
                    }
                )
    finally:
        engine.dispose()
    return version_id, tokens, bodies


def bench_database(name: str, database_url: str, args: argparse.Namespace) -> list[Result]:
    """The baseline and the report case on one database."""
    server_module = _load("server")
    version_id, tokens, bodies = _prepare(database_url, args.users)

    def health(http: httpx.Client, index: int) -> httpx.Response:
        return http.get("/api/health")

    def report(http: httpx.Client, index: int) -> httpx.Response:
        return http.post(
            f"/api/plans/{version_id}/reports",
            json=bodies[index],
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )

    results = []
    with server_module.ServiceServer(database_url, submission_rate_limit=10**9) as server:
        for case, request, expected in (
            ("GET /api/health (baseline)", health, 200),
            ("POST reports", report, 201),
        ):
            _load_phase(server.base_url, tokens, request, expected, args.warmup, None)
            result = Result(case, name)
            _load_phase(server.base_url, tokens, request, expected, args.duration, result)
            results.append(result)
        if any(r.failures for r in results):
            errors = [line for line in server.log_tail(200_000).splitlines() if "Error" in line]
            for line in errors[-5:]:
                print(f"    server log ({name}): {line[:300]}")
    return results


@contextmanager
def _postgres() -> Iterator[str | None]:
    postgres = _load("postgres_server")
    url = postgres.postgres_url_from_env()
    if url is not None:
        yield url
        return
    try:
        with postgres.running_postgres() as started:
            yield started
    except postgres.PostgresNotInstalledError as err:
        print(f"PostgreSQL left out: {str(err).splitlines()[0]}")
        yield None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per case")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up per case")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="gosplan-bench-") as folder:
        results += bench_database("sqlite", f"sqlite:///{Path(folder) / 'service.db'}", args)
    with nullcontext(None) if args.no_postgres else _postgres() as postgres_url:
        if postgres_url is not None:
            results += bench_database("postgresql", postgres_url, args)

    print(
        f"\n{args.users} users, {args.warmup:g} s warm-up, {args.duration:g} s per case, loopback\n"
    )
    header = (
        f"{'database':<11} {'case':<28} {'requests':>8} {'failures':>8} {'median ms':>9} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'p95 / baseline':>14}"
    )
    print(header)
    print("-" * len(header))
    failed = False
    baseline: dict[str, Result] = {}
    for result in results:
        if "baseline" in result.case:
            baseline[result.database] = result
        base = baseline.get(result.database)
        ratio = result.quantile(0.95) / base.quantile(0.95) if base else float("nan")
        print(
            f"{result.database:<11} {result.case:<28} {result.requests:>8} {result.failures:>8} "
            f"{result.quantile(0.5):>9.1f} "
            f"{result.quantile(0.95):>8.1f} {result.quantile(0.99):>8.1f} "
            f"{result.throughput:>8.1f} {ratio:>14.2f}"
        )
        for example in result.examples[:3]:
            print(f"    failure: {example}")
        failed |= result.failures > 0
        if "baseline" not in result.case and not result.quantile(0.95) < P95_GOAL_MS:
            print(f"    goal missed: p95 {result.quantile(0.95):.0f} ms >= {P95_GOAL_MS:.0f} ms")
            failed = True
    verdict = "MISSED" if failed else "met"
    print(f"\ngoal: no failures and report p95 < {P95_GOAL_MS:.0f} ms: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
