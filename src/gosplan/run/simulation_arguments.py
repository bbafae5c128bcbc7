"""Checks of a simulation's arguments: numbers by product, labour, priority classes.

Each check adds its problems to a :class:`~gosplan.core.checks.Problems` collector, so that
:func:`gosplan.run.simulate.prepare` reports every problem with its arguments at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.checks import Check, Problems
from gosplan.errors import InputError
from gosplan.run.rationing import Priority

#: Columns of a priority classes table.
CLASS_COLUMNS = ("product", "class")


def by_product(
    value: Any, labels: pd.Index, default: float, name: str, problems: Problems
) -> np.ndarray:
    """A number per product from a scalar or a labelled series (unknown labels: a problem)."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        try:
            return np.full(len(labels), float(value))
        except (TypeError, ValueError):
            pass
    if not isinstance(value, pd.Series | Mapping):
        problems.add(
            f"{name} must be a number or a series by product",
            source=name,
            check=Check.NON_NUMERIC,
        )
        return np.full(len(labels), default)
    series = pd.Series(value, dtype=object) if isinstance(value, Mapping) else value
    keys = pd.Index([str(k) for k in series.index])
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    pos = labels.get_indexer(keys)
    for label in keys[pos < 0][:20]:
        problems.add(
            f"{name} names a product the economy does not make",
            source=name,
            label=str(label),
            check=Check.UNKNOWN_LABEL,
        )
    for label in keys[(pos >= 0) & ~np.isfinite(numbers)][:20]:
        problems.add(
            f"{name} must be a finite number",
            source=name,
            label=str(label),
            check=Check.NON_NUMERIC,
        )
    out = np.full(len(labels), default)
    keep = (pos >= 0) & np.isfinite(numbers)
    out[pos[keep]] = numbers[keep]
    return out


def at_least(
    values: np.ndarray,
    low: float,
    labels: pd.Index,
    name: str,
    problems: Problems,
    check: Check,
    *,
    unit: str = "",
) -> None:
    """A problem for every value below ``low`` (named by its label; ``name`` is the source)."""
    for i in np.flatnonzero(values < low)[:20]:
        problems.add(
            f"{name} must be at least {low:g}{unit}, not {values[i]:g}{unit}",
            source=name,
            label=str(labels[i]),
            check=check,
        )


def labour_available(value: Any, types: pd.Index, problems: Problems) -> np.ndarray | None:
    """Labour available per step by labour type (types not named: ``inf``, no limit)."""
    source = "labour"
    if not len(types):
        problems.add(
            "labour can limit output only in an economy with labour coefficients",
            source=source,
            check=Check.NO_LABOUR,
        )
        return None
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        if len(types) > 1:
            problems.add(
                f"one number of labour is for an economy with one labour type, not "
                f"{len(types)}; give a series by labour type",
                source=source,
                check=Check.BAD_SETTING,
            )
            return None
        available = np.full(1, float(value))
    else:
        available = by_product(value, types, np.inf, source, problems)
        named = np.isfinite(available)
        available[~named] = np.inf
    if np.isnan(available).any() or np.isneginf(available).any():
        problems.add("labour must be a finite number", source=source, check=Check.NON_NUMERIC)
        return None
    at_least(available, 0.0, types, source, problems, Check.NEGATIVE_VALUE)
    return available


def priority_classes(
    table: pd.DataFrame | None,
    labels: pd.Index,
    users: pd.Index,
    rationing: str,
    problems: Problems,
) -> Priority | None:
    """The priority classes as ranks per orderer (products, then the final users)."""
    n_orderers = len(labels) + len(users)
    if table is None:
        return Priority(np.zeros(n_orderers, np.int64), 1)
    source = str(table.attrs.get("source", "classes"))
    if rationing != "priority":
        problems.add(
            f"classes are for rationing='priority', not {rationing!r}",
            source=source,
            check=Check.BAD_OPTION,
        )
        return None
    for col in CLASS_COLUMNS:
        if col not in table.columns:
            raise InputError(
                f"the classes table needs the column {col!r}",
                source=source,
                check=Check.MISSING_COLUMN,
            )
    names = [str(p) for p in table["product"]]
    index = pd.Index(names)
    pos = labels.get_indexer(index)
    as_user = users.get_indexer(index)
    pos = np.where(as_user >= 0, len(labels) + as_user, pos)
    problems.add_rows(
        pos < 0,
        "classes name an orderer that is neither a product of the economy nor a final user "
        f"({', '.join(map(repr, users))})",
        source=source,
        labels=names,
        check=Check.UNKNOWN_LABEL,
    )
    values = pd.to_numeric(table["class"], errors="coerce").to_numpy(dtype=float)
    raw = list(table["class"])
    bad = ~np.isfinite(values) | (values < 1) | (values != np.round(values))
    problems.add_rows(
        bad,
        lambda r: f"a class must be a whole number of at least 1, not {raw[r]!r}",
        source=source,
        labels=names,
        check=Check.OUT_OF_RANGE,
    )
    problems.add_rows(
        index.duplicated(keep="first"),
        "an orderer listed twice in the classes",
        source=source,
        labels=names,
        check=Check.DUPLICATE_LABEL,
    )
    if problems:
        return None
    given = np.unique(values.astype(np.int64))
    n_classes = max(len(given), 1)
    rank = np.full(n_orderers, n_classes - 1, dtype=np.int64)
    rank[pos] = np.searchsorted(given, values.astype(np.int64))
    return Priority(rank, n_classes)
