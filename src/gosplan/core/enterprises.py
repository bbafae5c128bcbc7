"""Enterprises: who runs each activity, and with how much of its capacity.

An economy may carry an ``enterprises`` table (columns :data:`ENTERPRISE_COLUMNS`, optional
:data:`OPTIONAL_COLUMNS`): each row is one enterprise (a works, a mine, a trust's plant) that
runs one activity with a share of that activity's capacity. An economy without the table has
one enterprise per activity, named after it (:func:`default_enterprises`); an activity the
table does not name gets such a default enterprise too (:func:`enterprises_of`), so every
activity has at least one.

The table is checked when the economy is built
(:func:`gosplan.core.economy_checks.check_enterprises`): labels present, enterprises unique,
activities known, capacities finite and not negative, and, per activity, the enterprises'
capacities adding up to the activity's capacity (check ``enterprise_capacity``) unless that
is unlimited. ``started`` is the year the enterprise started work (a whole year).

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
    """The economy's enterprises, every activity with at least one, every column filled.

    The economy's own table when it has one (``economy.enterprises``), each optional column
    filled with its default (``""`` for the text columns, ``NaN`` for ``started``, 1 for
    ``labour_factor``), followed by one default enterprise (:func:`default_enterprises`)
    for each activity the table does not name: every activity has at least one enterprise.
    Without a table, :func:`default_enterprises`.

    A default enterprise is named after its activity; where the table already uses that
    name for another enterprise, it is named ``"<activity> (default)"`` (then numbered).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ENTERPRISE_COLUMNS` then :data:`OPTIONAL_COLUMNS` (then any other
        columns of the economy's table), index ``0..n-1``: first the economy's rows in their
        order, then the defaults in the order of the activities.
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
    columns = [*ENTERPRISE_COLUMNS, *OPTIONAL_COLUMNS]
    out = out[columns + [c for c in out.columns if c not in columns]]
    named = pd.Index(out["activity"].astype(str))
    missing = ~economy.activity_labels.astype(str).isin(named)
    if missing.any():
        extra = default_enterprises(economy)[missing].reset_index(drop=True)
        taken = set(out["enterprise"].astype(str))
        extra["enterprise"] = [_free_name(str(name), taken) for name in extra["enterprise"]]
        out = pd.concat([out, extra], ignore_index=True)
    return out.reset_index(drop=True)


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``"name (default)"`` (then numbered) where it is taken; mark it taken."""
    candidate, k = name, 1
    while candidate in taken:
        candidate = f"{name} (default)" if k == 1 else f"{name} (default {k})"
        k += 1
    taken.add(candidate)
    return candidate
