"""Small economies and plans shared by the reader, writer, compress and frontier tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.core.economy import Economy
from gosplan.core.spec import PlanSpec
from gosplan.datasets import load

PRODUCTS = ["steel", "cloth"]


def two_sector(
    capacity: tuple[float, float] = (100.0, 100.0),
    capital: float = 2.0,
) -> Economy:
    """Means of production (steel) and consumer goods (cloth); capital goods are steel."""
    return load("steel-cloth", capacity=capacity, capital=capital)


def full_spec(economy: Economy | None = None) -> PlanSpec:
    """A plan using every table field, with canonical dtypes (labels str, periods int64)."""
    eco = economy if economy is not None else two_sector()
    periods = [1929, 1930, 1931, 1932, 1933]

    def frame(**cols: object) -> pd.DataFrame:
        out = pd.DataFrame(cols)
        for c in out.columns:
            text = c == "quantity" and all(isinstance(v, str) for v in out[c])
            if c in ("product", "activity", "labour_type", "resource", "source") or text:
                out[c] = out[c].astype(str)
            elif c == "label":
                out[c] = out[c].astype(object).where(out[c].notna(), np.nan).astype(str)
                out.loc[out[c] == "nan", c] = np.nan
            elif (
                c in ("period", "year_built", "lag", "lead_time", "offset") and out[c].notna().all()
            ):
                out[c] = out[c].astype(np.int64)
            else:
                out[c] = out[c].astype(float)
        return out

    return PlanSpec(
        economy=eco,
        periods=tuple(periods),
        objective="min_labour",
        targets=frame(
            product=["steel", "cloth", "steel"],
            period=[1931, 1933, 1933],
            target=[110.5, 0.1 + 0.2, 130.0],
            priority=[1.0, np.nan, 2.0],
            source=["control figures, 1929", "x", "y"],
        ),
        assortment=frame(product=["cloth"], weight=[1.0]),
        floors=frame(product=["cloth"] * 5, period=periods, floor=[10.0, 11, 12, 13, 14]),
        labour_available=frame(
            labour_type=["workers"] * 5, period=periods, available=[200.0, 210, 220, 230, 240]
        ),
        resources_available=frame(resource=["coal"], period=[1929], available=[1e3 / 3]),
        vintages=frame(activity=["steel", "cloth"], year_built=[1900, 1920], capacity=[40.0, 60]),
        lags=frame(activity=["steel"], lag=[2]),
        depreciation=frame(activity=["cloth"], rate=[0.05]),
        initial_stocks=frame(product=["steel"], stock=[5.0]),
        trade=frame(
            product=["cloth"], world_price=[1.25], import_limit=[np.nan], export_limit=[3.0]
        ),
        terminal_capacity=frame(activity=["steel"], capacity=[120.0]),
        fixed_final_demand=frame(product=["steel", "steel"], period=[1930, 1931], quantity=[1, 2]),
        lead_times=frame(activity=["cloth"], lead_time=[1]),
        construction=frame(activity=["steel", "steel"], offset=[0, 1], share=[0.25, 0.75]),
        construction_labour=frame(labour_type=["workers"], activity=["steel"], coefficient=[0.5]),
        investment_limits=frame(activity=["cloth", "steel"], period=[1930, np.nan], max=[5.0, 9.0]),
        objective_weights=frame(
            quantity=["capacity", "employment"],
            label=["steel", np.nan],
            period=[1934, np.nan],
            weight=[1.0, -0.25],
        ),
        terminal="static",
        sense="min",
        default_lag=1,
        discount=0.05,
        consumption_weights=pd.Series(
            [0.0, 1.0 / 3], index=pd.Index(["steel", "cloth"], name="product"), name="weight"
        ),
        terminal_growth=1.5,
        trade_deficit=2.5,
        investment_share=0.75,
        name="first five-year plan",
    ).validated()
