"""Why a plan is unbounded: re-solve with every column boxed and name what reaches the box."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import numpy as np

from gosplan.core.status import Status
from gosplan.plan.assemble import LP
from gosplan.plan.data import PlanData
from gosplan.plan.highs import LPSolution, solve_lp

log = logging.getLogger(__name__)

#: Box put on every column to find what grows without limit, times the size of the data.
UNBOUNDED_BOX = 1e9

#: Columns listed in the message of an unbounded plan (all are in ``unbounded_columns``).
UNBOUNDED_SHOWN = 5


def _data_scale(lp: LP) -> float:
    """Largest finite bound, right-hand side or cost of the LP (at least 1)."""
    parts = [lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper, lp.cost]
    finite = [np.abs(a[np.isfinite(a)]) for a in parts if len(a)]
    return max([1.0, *(float(a.max()) for a in finite if a.size)])


def _limited(table: Any, key: str, label: str, period: int) -> bool:
    """True when a tidy ``(key, period, available)`` table limits ``label`` in ``period``."""
    if table is None or not len(table):
        return False
    rows = table[(table[key].astype(str) == str(label)) & (table["period"] == period)]
    if not len(rows):
        return False
    return bool(np.isfinite(rows["available"].to_numpy(float)).any())


def _activity_reason(data: PlanData, j: int, t: int) -> str:
    """Why activity ``j`` can run without limit in period ``t``, in words."""
    eco = data.eco
    spec = data.spec
    act = str(eco.activity_labels[j])
    period = int(spec.periods[t])
    reasons = []
    used = data.labour[:, [j]].toarray().ravel() if data.labour.shape[0] else np.zeros(0)
    types = [str(eco.labour_types[k]) for k in np.flatnonzero(used > 0)]
    free = [k for k in types if not _limited(spec.labour_available, "labour_type", k, period)]
    if not types:
        reasons.append(f"activity {act!r} uses no labour")
    for k in free:
        reasons.append(f"labour type {k!r} is not limited in period {period}")
    res = data.resources[:, [j]].toarray().ravel() if data.resources.shape[0] else np.zeros(0)
    for k in (str(eco.resource_types[i]) for i in np.flatnonzero(res > 0)):
        if not _limited(spec.resources_available, "resource", k, period):
            reasons.append(f"resource {k!r} is not limited in period {period}")
    if j not in set(data.capped.tolist()):
        reasons.append(f"activity {act!r} has no capacity limit (capacity inf)")
    else:
        reasons.append(f"the capacity of activity {act!r} can be expanded by investment")
    return " and ".join(reasons)


def _column_words(data: PlanData, group: str, k: int, t: int | None) -> tuple[dict, str]:
    """One column at the box: a record (for the provenance) and its description."""
    eco = data.eco
    period = None if t is None else int(data.spec.periods[t])
    when = "" if period is None else f" in {period}"
    rec: dict[str, Any] = {"variable": group, "period": period}
    if group in ("x", "y_end"):
        j = k
        product = str(eco.product_labels[eco.activity_product[j]])
        rec.update(activity=str(eco.activity_labels[j]), product=product)
        text = f"activity {rec['activity']!r} (making {product!r}){when}"
        if group == "x" and t is not None:
            text += f": {_activity_reason(data, j, t)}"
        elif group == "y_end":
            text += " after the horizon (terminal level)"
        return rec, text
    if group == "inv":
        j = int(data.capped[k])
        rec.update(activity=str(eco.activity_labels[j]))
        return rec, f"new capacity of activity {rec['activity']!r} started{when}"
    names = {"c": "consumption", "s": "stock", "m": "imports", "e": "exports"}
    if group in names:
        pos = {"c": None, "s": data.stored, "m": data.traded, "e": data.traded}[group]
        p = k if pos is None else int(pos[k])
        rec.update(product=str(eco.product_labels[p]))
        return rec, f"{names[group]} of {rec['product']!r}{when}"
    if group == "level":
        return rec, "the common level of the plan"
    rec.update(index=int(k))
    return rec, f"variable {group}[{k}]{when}"


def _group_of(lp: LP, col: int) -> tuple[str, int]:
    """The layout group of a column and its position in the group."""
    for name, (off, size) in lp.layout.groups.items():
        if off <= col < off + size:
            return name, col - off
    return "column", col


def _boxed(
    lp: LP, box: float, solver: str, tol: float, time_limit: float | None
) -> LPSolution | None:
    """The LP solved with every column boxed at ``box`` (``None`` when the solve raised)."""
    try:
        boxed = replace(lp, col_upper=np.minimum(lp.col_upper, box))
        return solve_lp(boxed, solver=solver, tol=tol, time_limit=time_limit, ranging=False)
    except Exception as exc:  # the explanation must never hide the status
        log.warning("could not re-solve the unbounded plan in a box: %s", exc)
        return None


def _at_the_box(
    data: PlanData, lp: LP, x: np.ndarray, box: float
) -> tuple[list[dict[str, Any]], list[str]]:
    """The columns within a thousandth of the box, largest first: records and descriptions."""
    big = np.flatnonzero(x >= 1e-3 * box)
    records: list[dict[str, Any]] = []
    words: list[str] = []
    for col in big[np.argsort(-x[big], kind="stable")]:
        name, pos = _group_of(lp, int(col))
        size = lp.layout.groups[name][1]
        if name in ("x", "c", "inv", "s", "m", "e") and size % data.T == 0:
            per = size // data.T
            k, t = pos % per, pos // per
        else:
            k, t = pos, None
        rec, text = _column_words(data, name, k, t)
        rec["value"] = float(x[col])
        records.append(rec)
        words.append(text)
    return records, words


def explain_unbounded(
    data: PlanData, lp: LP, kind: str, solver: str, tol: float, time_limit: float | None
) -> dict[str, Any]:
    """Find what grows without limit in an unbounded plan, and say why.

    The LP is solved once more with every column boxed at :data:`UNBOUNDED_BOX` times the
    largest number of the LP; the columns that come within a thousandth of the box (where
    no bounded variable of the plan can be) are the ones the objective drives without
    limit. For an activity the reason is given from the data: the labour types and
    resources it uses that are not limited in that period, and its capacity (no limit, or
    one that investment can expand).

    Parameters
    ----------
    data, lp
        The plan's data and its LP (found unbounded).
    kind
        The objective, for the message.
    solver, tol, time_limit
        As for :func:`optimise`.

    Returns
    -------
    dict
        ``unbounded`` (the message), ``unbounded_columns`` (a record per column at the box:
        ``variable`` (layout group), ``activity``/``product``, ``period``, ``value``) and
        ``unbounded_box``.
    """
    box = UNBOUNDED_BOX * _data_scale(lp)
    head = (
        f"The objective of the plan ({kind}) is unbounded: it can grow without limit, so "
        "there is no optimal plan. This is not a feasibility question (the targets are not "
        "what is wrong); some quantity of the plan is not limited by labour, resources or "
        "capacity."
    )
    out: dict[str, Any] = {"unbounded_box": box, "unbounded_columns": []}
    sol = _boxed(lp, box, solver, tol, time_limit)
    if sol is None or sol.status != Status.OPTIMAL or sol.x is None:
        status = "failed" if sol is None else sol.status
        out["unbounded"] = (
            f"{head} Re-solved with every variable boxed at {box:.3g}, the LP ended "
            f"{status}: could not locate what is unbounded. Check that every labour type "
            "is limited in every period (labour_available) and that the activities have "
            "capacity limits."
        )
        return out
    records, words = _at_the_box(data, lp, np.asarray(sol.x, dtype=float), box)
    out["unbounded_columns"] = records
    acts = [w for w, r in zip(words, records, strict=True) if r["variable"] == "x"]
    shown = (acts or words)[:UNBOUNDED_SHOWN]
    more = len(acts or words) - len(shown)
    tail = f" (and {more} more)" if more > 0 else ""
    if not shown:
        out["unbounded"] = (
            f"{head} Re-solved with every variable boxed at {box:.3g}, no variable reached "
            "the box: the LP may be unbounded only numerically. Try another solver."
        )
        return out
    out["unbounded"] = (
        f"{head} Re-solved with every variable boxed at {box:.3g}, these reach the box: "
        + "; ".join(shown)
        + tail
        + ". Limit the labour (labour_available) or resources (resources_available) these "
        "activities use in every period, or give them a capacity."
    )
    return out
