"""Enterprises: who runs each activity, and with how much of its capacity.

An economy may carry an ``enterprises`` table (columns :data:`ENTERPRISE_COLUMNS`, optional
:data:`OPTIONAL_COLUMNS`): each row is one enterprise (a works, a mine, a trust's plant) that
runs one activity with a share of that activity's capacity. An economy without the table has
one enterprise per activity, named after it (:func:`default_enterprises`).

``labour_factor`` (default 1) is the enterprise's labour per unit of output relative to its
activity's labour coefficient: 0.8 for a works that needs a fifth less labour a unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from gosplan.core.economy import Economy

#: Required columns of an enterprises table.
ENTERPRISE_COLUMNS = ("enterprise", "activity", "capacity")
#: Optional columns: where it sits in the administration, and its labour norm.
OPTIONAL_COLUMNS = (
    "trust",
    "commissariat",
    "region",
    "director",
    "started",
    "labour_factor",
)


def default_enterprises(economy: Economy) -> pd.DataFrame:
    """One enterprise per activity, named after it, with the whole of its capacity."""
    acts = economy.activity_labels.astype(str)
    cap = np.asarray(economy.capacity, dtype=float)
    return pd.DataFrame(
        {
            "enterprise": acts.to_numpy(object),
            "activity": acts.to_numpy(object),
            "capacity": cap,
            "trust": acts.to_numpy(object),
            "commissariat": "",
            "region": "",
            "director": "",
            "started": np.nan,
            "labour_factor": 1.0,
        }
    )


def enterprises_of(economy: Economy) -> pd.DataFrame:
    """The economy's enterprises table, every optional column filled with its default.

    The economy's own table when it has one (``economy.enterprises``), else
    :func:`default_enterprises`.
    """
    table = getattr(economy, "enterprises", None)
    if table is None or not len(table):
        return default_enterprises(economy)
    out = table.copy()
    defaults = {"trust": "", "commissariat": "", "region": "", "director": ""}
    for col, value in defaults.items():
        if col not in out.columns:
            out[col] = value
    if "started" not in out.columns:
        out["started"] = np.nan
    if "labour_factor" not in out.columns:
        out["labour_factor"] = 1.0
    out["labour_factor"] = pd.to_numeric(out["labour_factor"]).fillna(1.0).astype(float)
    return out.reset_index(drop=True)
