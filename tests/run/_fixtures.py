"""Hand-made control figures and reports of two enterprises (one trust) over two months.

Shared by the fulfilment and competition tests: A makes steel from coal with workers, B
mines coal with miners; the reports fall short in places so that each cause shows.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd


def figures_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise": ["A", "A", "B", "B"],
            "trust": ["T1"] * 4,
            "commissariat": ["C1"] * 4,
            "activity": ["steelworks", "steelworks", "mine", "mine"],
            "product": ["steel", "steel", "coal", "coal"],
            "period": [1929] * 4,
            "month": [1, 2, 1, 2],
            "level": [1.0] * 4,
            "output": [100.0, 100.0, 200.0, 200.0],
        }
    )


def control_figures() -> SimpleNamespace:
    labour = pd.DataFrame(
        {
            "enterprise": ["A", "A", "B", "B"],
            "period": [1929] * 4,
            "month": [1, 2, 1, 2],
            "labour_type": ["workers", "workers", "miners", "miners"],
            "quantity": [10.0, 10.0, 20.0, 20.0],
        }
    )
    supply = pd.DataFrame(
        {
            "enterprise": ["A", "A"],
            "period": [1929, 1929],
            "month": [1, 2],
            "product": ["coal", "coal"],
            "quantity": [50.0, 50.0],
        }
    )
    return SimpleNamespace(figures=figures_table(), labour=labour, supply=supply)


def actuals_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise": ["B", "A", "B", "A"],  # any order on input
            "period": [1929] * 4,
            "month": [1, 1, 2, 2],
            "product": ["coal", "steel", "coal", "steel"],
            "output": [150.0, 80.0, 180.0, 110.0],
            "labour:workers": [np.nan, 10.0, np.nan, 10.0],
            "labour:miners": [14.0, np.nan, 20.0, np.nan],
            "received:coal": [np.nan, 40.0, np.nan, 50.0],
        }
    )
