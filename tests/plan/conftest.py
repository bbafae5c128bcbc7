"""Small economies and plan specs with answers known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.spec import PlanSpec
from gosplan.datasets import load


def frame(**cols: object) -> pd.DataFrame:
    """A DataFrame from columns (shorthand for the tests)."""
    return pd.DataFrame(cols)


def one_product(labour: float = 0.5, capacity: float = np.inf) -> Economy:
    """One product, no inputs, ``labour`` person-years per unit."""
    return load("one-product", labour=labour, capacity=capacity)


def feldman(v1: float, k1: float = 10.0, k2: float = 20.0) -> Economy:
    """Two sectors: 1 makes capital goods, 2 consumer goods; no intermediate inputs.

    Capacity of both sectors is built from good 1 at ``v1`` units per unit of capacity.
    """
    return load("feldman", v1=v1, k1=k1, k2=k2)


def three_sector() -> Economy:
    """Steel, machines, grain with intermediate inputs, capital and service lives."""
    return load("three-sector")


PERIODS = [1929, 1930, 1931, 1932, 1933]


def rich_spec(economy: Economy, objective: str = "max_level", **changes: object) -> PlanSpec:
    """A five-year plan using every feature: vintages retiring inside the horizon, lags of 2,
    depreciation, stocks, trade, floors, fixed final demand, labour and land limits."""
    spec = load("three-sector-plan", objective=objective, economy=economy)
    return spec.with_changes(**changes) if changes else spec


@pytest.fixture
def rich() -> Economy:
    return three_sector()
