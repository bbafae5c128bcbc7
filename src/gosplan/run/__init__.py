"""Running the plan: enterprises, control figures, counter-plans, fulfilment, competition, alerts.

Above :mod:`gosplan.plan`: these functions take an adopted plan (a
:class:`~gosplan.core.plan_result.PlanResult` and its :class:`~gosplan.core.spec.PlanSpec`)
and the reports that come back from the enterprises.

* :func:`control_figures`, :func:`monthly`: the plan split among enterprises (output, labour,
  supply orders), by year or by month;
* :func:`check_counter_plan`: counter-plans (extra output, raised norms) checked against the
  plan's slack all the way up the chain of suppliers;
* :func:`fulfilment`: reports against the figures, with the cause of every shortfall;
* :func:`competition`, :func:`challenges`: rankings and challenge pairs;
* :func:`alerts`: incipient falls and rises, escalated when they persist.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "control_figures": "gosplan.run.control",
    "monthly": "gosplan.run.control",
    "check_counter_plan": "gosplan.run.counter_plans",
    "read_counter_plans": "gosplan.run.counter_plans",
    "fulfilment": "gosplan.run.fulfilment",
    "read_actuals": "gosplan.run.fulfilment",
    "competition": "gosplan.run.competition",
    "challenges": "gosplan.run.competition",
    "alerts": "gosplan.run.alerts",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gosplan.run' has no attribute {name!r}")
