"""The worst shortfalls of a simulated run, and why: the chains of limiting inputs.

:func:`shortfalls` reads a :class:`~gosplan.core.simulation_result.SimulationResult`: the
products that lost most output against the plan, with the step of their worst loss and the
chain of limiting inputs behind it back to its root cause
(:class:`~gosplan.run.trace.KnockOn`). The period tables of a run are methods of the result
itself: :meth:`~SimulationResult.by_period`, :meth:`~SimulationResult.plan_fulfilment`
(output as % of the planned), :meth:`~SimulationResult.unmet_share` and
:meth:`~SimulationResult.unmet_by_user` (unmet demand, products added up at weights such as
labour values).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.core.simulation_result import SimulationResult
from gosplan.run.trace import KnockOn

#: Columns of :func:`shortfalls`.
SHORTFALL_COLUMNS = (
    "product",
    "lost",
    "lost_percent",
    "worst_step",
    "worst_date",
    "root",
    "chain",
)


def shortfalls(result: SimulationResult, top: int = 10) -> pd.DataFrame:
    """The ``top`` products that lost most output against the plan, and why (see the module).

    ``lost``: output short of the planned, summed over the run; ``lost_percent``: of the
    planned; ``worst_step`` (and its ``worst_date``) the step of the largest loss, where the
    chain of limiting inputs (``chain``, the product first) leads back to ``root``.
    """
    if not result.steps:
        return pd.DataFrame(columns=list(SHORTFALL_COLUMNS))
    knock = KnockOn(result)
    lost = knock.lost.sum(axis=0)
    planned = (knock.lost + knock.output).sum(axis=0)
    order = [j for j in np.argsort(-lost, kind="stable")[:top] if lost[j] > 0]
    dates = result.calendar.set_index("step")["date"].astype(str) if len(result.calendar) else None
    rows = []
    for j in order:
        step = int(np.argmax(knock.lost[:, j]))
        chain = knock.trace(knock.labels[j], step)
        names = [str(p) for p in chain["product"]]
        rows.append(
            {
                "product": str(knock.labels[j]),
                "lost": float(lost[j]),
                "lost_percent": float(100.0 * lost[j] / planned[j]) if planned[j] > 0 else np.nan,
                "worst_step": step,
                "worst_date": "" if dates is None else str(dates.get(step, "")),
                "root": f"{chain.attrs.get('root', names[-1])} ({chain.attrs.get('end', '')})",
                "chain": " <- ".join(dict.fromkeys(names)),
            }
        )
    return pd.DataFrame(rows, columns=list(SHORTFALL_COLUMNS))
