"""A second method agrees: dual simplex, interior point and PDLP give the same optimum."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gosplan.core.economy import Economy
from gosplan.core.spec import PlanSpec
from gosplan.plan.optimise import optimise

from .conftest import frame, rich_spec, three_sector

EASY = frame(product=["steel", "grain"], period=[1931, 1933], target=[40.0, 120.0])


@pytest.mark.parametrize("objective", ["max_level", "min_labour", "harmony", "max_consumption"])
def test_simplex_ipm_pdlp_agree_on_the_rich_plan(objective):
    extra = {"terminal_growth": 1.0} if objective == "max_consumption" else {}
    spec = rich_spec(three_sector(), objective, targets=EASY, **extra)
    simplex = optimise(spec, solver="simplex")
    ipm = optimise(spec, solver="ipm")
    assert simplex.provenance["method"] == "simplex" and ipm.provenance["method"] == "ipm"
    assert ipm.objective == pytest.approx(simplex.objective, rel=1e-6)
    assert ipm.verification.passed
    pdlp = optimise(spec, solver="pdlp", tol=1e-7, verify=False, least_labour=False)
    assert pdlp.provenance["method"] == "pdlp"
    assert pdlp.objective == pytest.approx(simplex.objective, rel=1e-4)


@st.composite
def economies(draw):
    n = draw(st.integers(2, 4))
    coef = st.floats(0.0, 0.2, allow_nan=False)
    A = np.array([[draw(coef) for _ in range(n)] for _ in range(n)])
    lab = np.array([draw(st.floats(0.1, 2.0)) for _ in range(n)])
    cap = np.array([draw(st.one_of(st.just(np.inf), st.floats(5.0, 50.0))) for _ in range(n)])
    B = np.array([[draw(st.sampled_from([0.0, 0.5, 1.0])) for _ in range(n)] for _ in range(n)])
    labels = [f"p{i}" for i in range(n)]
    df = lambda M: pd.DataFrame(M, index=labels, columns=labels)  # noqa: E731
    eco = Economy.from_coefficients(
        df(A),
        labour=pd.Series(lab, index=labels),
        capacity=pd.Series(cap, index=labels),
        capital=df(B),
    )
    weights = [draw(st.floats(0.1, 1.0)) for _ in range(n)]
    T = draw(st.integers(1, 3))
    avail = draw(st.floats(10.0, 100.0))
    periods = list(range(T))
    spec = PlanSpec(
        eco,
        periods=periods,
        assortment=frame(product=labels, weight=weights),
        labour_available=frame(labour_type=["labour"] * T, period=periods, available=[avail] * T),
    )
    return spec


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(economies())
def test_simplex_and_ipm_agree_on_random_small_plans(spec):
    a = optimise(spec, solver="simplex")
    b = optimise(spec, solver="ipm")
    assert a.status == b.status == "optimal"
    assert b.objective == pytest.approx(a.objective, rel=1e-6, abs=1e-9)
    assert a.verification.passed and b.verification.passed
