"""Small economies and plan specs with answers known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION, Economy
from gosplan.core.spec import PlanSpec


def frame(**cols: object) -> pd.DataFrame:
    """A DataFrame from columns (shorthand for the tests)."""
    return pd.DataFrame(cols)


def one_product(labour: float = 0.5, capacity: float = np.inf) -> Economy:
    """One product, no inputs, ``labour`` person-years per unit."""
    A = pd.DataFrame([[0.0]], index=["a"], columns=["a"])
    return Economy.from_coefficients(
        A, labour=pd.Series({"a": labour}), capacity=pd.Series({"a": capacity})
    )


def feldman(v1: float, k1: float = 10.0, k2: float = 20.0) -> Economy:
    """Two sectors: 1 makes capital goods, 2 consumer goods; no intermediate inputs.

    Capacity of both sectors is built from good 1 at ``v1`` units per unit of capacity.
    """
    labels = ["capital", "consumer"]
    A = pd.DataFrame(0.0, index=labels, columns=labels)
    capital = pd.DataFrame([[v1, v1], [0.0, 0.0]], index=labels, columns=labels)
    products = pd.DataFrame({"group": [MEANS_OF_PRODUCTION, CONSUMER_GOODS]}, index=labels)
    return Economy.from_coefficients(
        A,
        labour=pd.Series({"capital": 1.0, "consumer": 1.0}),
        products=products,
        capacity=pd.Series({"capital": k1, "consumer": k2}),
        capital=capital,
    )


def three_sector() -> Economy:
    """Steel, machines, grain with intermediate inputs, capital and service lives."""
    labels = ["steel", "machines", "grain"]
    A = pd.DataFrame(
        [[0.1, 0.3, 0.05], [0.05, 0.1, 0.1], [0.0, 0.0, 0.1]], index=labels, columns=labels
    )
    capital = pd.DataFrame(
        [[0.5, 0.4, 0.2], [1.0, 0.8, 0.6], [0.0, 0.0, 0.0]], index=labels, columns=labels
    )
    products = pd.DataFrame(
        {"group": [MEANS_OF_PRODUCTION, MEANS_OF_PRODUCTION, CONSUMER_GOODS]}, index=labels
    )
    labour = pd.DataFrame(
        [[0.3, 0.4, 0.5], [0.1, 0.05, 0.0]], index=["workers", "engineers"], columns=labels
    )
    return Economy.from_coefficients(
        A,
        labour=labour,
        products=products,
        capacity=pd.Series({"steel": 100.0, "machines": 60.0, "grain": 200.0}),
        capital=capital,
        service_life=pd.Series({"steel": 20.0, "machines": 3.0, "grain": 10.0}),
        resources=pd.DataFrame([[0.0, 0.0, 1.0]], index=["land"], columns=labels),
    )


PERIODS = [1929, 1930, 1931, 1932, 1933]


def rich_spec(economy: Economy, objective: str = "max_level", **changes: object) -> PlanSpec:
    """A five-year plan using every feature: vintages retiring inside the horizon, lags of 2,
    depreciation, stocks, trade, floors, fixed final demand, labour and land limits."""
    spec = PlanSpec(
        economy=economy,
        periods=tuple(PERIODS),
        objective=objective,  # type: ignore[arg-type]
        targets=frame(product=["steel", "grain"], period=[1931, 1933], target=[80.0, 150.0]),
        assortment=frame(product=["grain", "machines"], weight=[1.0, 0.2]),
        floors=frame(product=["grain"] * 5, period=PERIODS, floor=[20.0] * 5),
        labour_available=pd.concat(
            [
                frame(labour_type="workers", period=PERIODS, available=[150.0] * 5),
                frame(labour_type="engineers", period=PERIODS, available=[25.0] * 5),
            ],
            ignore_index=True,
        ),
        resources_available=frame(resource="land", period=PERIODS, available=[180.0] * 5),
        vintages=frame(
            activity=["steel", "machines", "grain"],
            year_built=[1910, 1927, 1925],
            capacity=[100.0, 60.0, 200.0],
        ),
        lags=frame(activity=["steel"], lag=[2]),
        depreciation=frame(activity=["grain"], rate=[0.05]),
        initial_stocks=frame(product=["grain"], stock=[30.0]),
        trade=frame(
            product=["grain", "machines"], world_price=[1.0, 3.0], import_limit=[20.0, 5.0]
        ),
        fixed_final_demand=frame(product=["machines"], period=[1930], quantity=[5.0]),
        trade_deficit=2.0,
        storable="all",  # every product can be carried, without loss
        name="rich",
    )
    return spec.with_changes(**changes) if changes else spec.validated()


@pytest.fixture
def rich() -> Economy:
    return three_sector()
