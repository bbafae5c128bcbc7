"""solve_lp answers only with a certified status, retrying other strategies when one fails."""

from __future__ import annotations

import itertools
import logging

import numpy as np
import pytest
import scipy.sparse as sp

from gosplan.datasets import spec_path
from gosplan.plan import highs
from gosplan.plan.assemble import LP
from gosplan.plan.compress import compress
from gosplan.plan.data import PlanData
from gosplan.plan.objectives import formulate
from gosplan.plan.optimise import optimise
from gosplan.plan.reader import read_spec

from .conftest import frame, rich_spec, three_sector

INF = np.inf
EASY_TARGETS = frame(product=["steel", "grain"], period=[1931, 1933], target=[40.0, 120.0])


def tiny_lp(cost, rows, row_lower, row_upper, *, maximise=True) -> LP:
    A = sp.csc_array(np.asarray(rows, dtype=float))
    n = A.shape[1]
    return LP(
        np.asarray(cost, dtype=float),
        A,
        np.zeros(n),
        np.full(n, INF),
        np.asarray(row_lower, dtype=float),
        np.asarray(row_upper, dtype=float),
        maximise,
        None,  # type: ignore[arg-type]  (the solver reads only the numbers)
        (),
        {},
    )


def rich_lp() -> LP:
    return formulate(PlanData(rich_spec(three_sector(), "min_labour", targets=EASY_TARGETS)))


def failing_first(monkeypatch, status="unknown", fails=1):
    """Make the first ``fails`` solves report ``status``, whatever HiGHS found."""
    real = highs._run
    calls = []

    def run(lp, method, *args, **kwargs):
        h, got = real(lp, method, *args, **kwargs)
        calls.append(method)
        return h, (status if len(calls) <= fails else got)

    monkeypatch.setattr(highs, "_run", run)
    return calls


def test_compressed_optimal_plan_is_certified_infeasible(caplog):
    # The bundled "optimal" plan in four years misses its targets by a small margin; dual
    # simplex on the presolved LP used to stop at "unknown" (reported as "error").
    spec = compress(read_spec(spec_path("ussr-1928", "optimal")), 4)
    with caplog.at_level(logging.INFO, logger="gosplan.plan.highs"):
        r = optimise(spec)
    assert r.status == "infeasible"
    assert r.provenance["method"].startswith("simplex")
    assert not [
        rec
        for rec in caplog.records
        if rec.levelno >= logging.WARNING and rec.name == "gosplan.plan.highs"
    ]


def test_retry_after_unknown_names_both_methods_and_is_certified(monkeypatch, caplog):
    lp = rich_lp()
    direct = highs.solve_lp(lp)
    calls = failing_first(monkeypatch)
    with caplog.at_level(logging.INFO, logger="gosplan.plan.highs"):
        sol = highs.solve_lp(lp)
    assert calls == ["simplex", "simplex-nopresolve"]
    assert sol.status == "optimal" and sol.method == "simplex→simplex-nopresolve"
    assert sol.objective == pytest.approx(direct.objective, rel=1e-9)
    assert sol.basis is not None and sol.basis.valid
    assert sol.iterations >= direct.iterations
    assert "retrying with simplex-nopresolve" in caplog.text
    assert not [
        rec
        for rec in caplog.records
        if rec.levelno >= logging.WARNING and rec.name == "gosplan.plan.highs"
    ]


def test_ipm_falls_back_to_simplex(monkeypatch):
    lp = rich_lp()
    failing_first(monkeypatch, status="error")
    sol = highs.solve_lp(lp, solver="ipm")
    assert sol.status == "optimal" and sol.method == "ipm→simplex-nopresolve"


def test_every_strategy_failing_is_an_error(monkeypatch, caplog):
    failing_first(monkeypatch, fails=99)
    with caplog.at_level(logging.WARNING, logger="gosplan.plan.highs"):
        sol = highs.solve_lp(rich_lp())
    assert sol.status == "error" and np.isnan(sol.objective) and np.isnan(sol.x).all()
    assert sol.method == "simplex→simplex-nopresolve→ipm→primal-simplex"
    assert "without a certified answer" in caplog.text


@pytest.mark.parametrize(
    ("lp", "expected"),
    [
        (tiny_lp([1.0, 1.0], [[1, 1], [1, 1]], [-INF, 2.0], [1.0, INF]), "infeasible"),
        (tiny_lp([1.0, 0.0], [[1, -1]], [-INF], [1.0]), "unbounded"),
    ],
)
def test_infeasible_or_unbounded_is_settled_by_the_feasibility_problem(monkeypatch, lp, expected):
    real = highs._run

    def run(lp, method, *args, **kwargs):
        h, got = real(lp, method, *args, **kwargs)
        return h, (got if not lp.cost.any() else "infeasible_or_unbounded")

    monkeypatch.setattr(highs, "_run", run)
    sol = highs.solve_lp(lp)
    assert sol.status == expected
    assert sol.method.endswith("→feasibility")


def test_retries_stop_at_the_time_limit(monkeypatch):
    failing_first(monkeypatch)
    monkeypatch.setattr(highs.time, "perf_counter", itertools.count(0.0, 10.0).__next__)
    sol = highs.solve_lp(rich_lp(), time_limit=5.0)
    assert sol.status == "time_limit" and sol.method == "simplex"
