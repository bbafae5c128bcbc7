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
* :func:`alerts`: incipient falls and rises, escalated when they persist;
* :func:`simulate`: the economy run forward step by step (stocks, orders, proportional
  rationing, capacity shocks and their knock-on effects); :func:`trace_shortfall`,
  :func:`hurt_by`: a shortfall's chain of limiting inputs back to its cause, and the reverse.
"""

from __future__ import annotations

from gosplan.run.alerts import alerts
from gosplan.run.competition import challenges, competition
from gosplan.run.control import control_figures, monthly
from gosplan.run.counter_plans import check_counter_plan, read_counter_plans
from gosplan.run.fulfilment import fulfilment, read_actuals
from gosplan.run.simulate import simulate
from gosplan.run.trace import KnockOn, hurt_by, trace_shortfall

__all__ = [
    "KnockOn",
    "alerts",
    "challenges",
    "check_counter_plan",
    "competition",
    "control_figures",
    "fulfilment",
    "hurt_by",
    "monthly",
    "read_actuals",
    "read_counter_plans",
    "simulate",
    "trace_shortfall",
]
