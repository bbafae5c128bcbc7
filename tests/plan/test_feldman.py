"""Feldman's two-sector growth model as a plan.

Sector 1 makes capital goods, sector 2 consumer goods; there are no intermediate inputs; a unit
of capacity of either sector takes ``v1`` units of good 1 and comes into service one period
later; nothing depreciates and labour is ample. With a share ``gamma`` of investment going to
sector 1, all of good 1 invested makes sector 1's capacity grow by ``1 + gamma / v1`` per period,
so investment grows like ``exp(gamma t / v1)`` in the continuous limit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gosplan.datasets import load
from gosplan.plan.optimise import optimise


def feldman_plan(v1: float, gamma: float, n_periods: int, k1: float = 10.0):
    return optimise(load("feldman-plan", v1=v1, gamma=gamma, periods=n_periods, k1=k1))


@pytest.mark.parametrize(("v1", "gamma"), [(2.0, 0.3), (3.0, 0.5), (1.5, 0.2)])
def test_discrete_feldman_path_is_exact(v1, gamma):
    T, k1 = 8, 10.0
    r = feldman_plan(v1, gamma, T, k1)
    assert r.status == "optimal" and r.verification.passed
    g = 1.0 + gamma / v1
    expected = k1 * g ** np.arange(T)
    np.testing.assert_allclose(r.capacity.loc["capital"].to_numpy(), expected, rtol=1e-6)
    # all of good 1 is produced and invested; investment = output of good 1 / v1
    invest = r.investment.sum(axis=0).to_numpy()[: T - 1]
    np.testing.assert_allclose(invest, expected[: T - 1] / v1, rtol=1e-6)
    np.testing.assert_allclose(
        r.investment.loc["capital"].to_numpy()[: T - 1], gamma * expected[: T - 1] / v1, rtol=1e-6
    )
    shares = r.investment_shares["means of production"].to_numpy()[: T - 1]
    np.testing.assert_allclose(shares, gamma, rtol=1e-6)


def test_short_periods_approach_the_exponential():
    v1, gamma, years = 2.0, 0.3, 2
    errors = []
    for n in (5, 25):
        # periods of 1/n year: flows per period are 1/n of annual ones, so v1 becomes n * v1
        r = feldman_plan(n * v1, gamma, n * years + 2)
        assert r.verification.passed
        grown = r.capacity.loc["capital"].iloc[n * years] / 10.0
        exact = math.exp(gamma * years / v1)
        err = abs(grown - exact) / exact
        # ln(1 + h) >= h - h^2 / 2 bounds the gap by years * gamma^2 / (2 v1^2 n)
        assert err <= years * gamma**2 / (2 * v1**2 * n) * 1.01
        errors.append(err)
    assert errors[1] < errors[0] / 4
