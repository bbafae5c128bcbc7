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
* :func:`simulate`: an economy, or an adopted plan on its calendar (months or days), run
  forward step by step: stocks, orders, rationing (proportional, by priority, by fixed
  allotments), shocks (capacity, harvest, labour, transport, counter-plans without their
  inputs) and their knock-on effects; :func:`trace_shortfall`, :func:`hurt_by`: a
  shortfall's chain of limiting inputs back to its cause, and the reverse;
  :mod:`gosplan.run.outcome`: the worst shortfalls of a run and their chains;
* :func:`ario_simulate`: BoARIO's adaptive regional input–output model (ARIOPsiModel);
* :func:`replan`: a new plan for the rest of the horizon from the actual state;
* :func:`ensemble`: Monte Carlo runs under policy variants, on Dask;
* :func:`run_workforce` (:mod:`gosplan.run.workforce`): workers by enterprise and skill grade,
  hires, upgrading, promotions, mobilisation and quits, with turnover in the period's form;
  :mod:`gosplan.run.wages`: brigade wage rules, shock work, prices and the real wage.
  Aggregate statistics only: nothing tracks or restricts individual people.
* :func:`simulate_with_workforce` (:mod:`gosplan.run.coupled`): a simulation with the
  workforce inside it, step by step: output made with the labour the workforce has now, the
  workers' quits moved by the shortages of consumer goods of the same step (:class:`CoupledRun`).
"""

from __future__ import annotations

from gosplan.core.plan_state import PlanState
from gosplan.run.alerts import alerts
from gosplan.run.ario import ario_simulate
from gosplan.run.brigades import brigade_counter_plans, check_brigades
from gosplan.run.competition import challenges, competition
from gosplan.run.control import control_figures, monthly
from gosplan.run.counter_plans import check_counter_plan, read_counter_plans
from gosplan.run.coupled import CoupledRun, simulate_with_workforce
from gosplan.run.ensemble import ensemble
from gosplan.run.fulfilment import fulfilment, read_actuals
from gosplan.run.labour_coupling import with_workforce
from gosplan.run.labour_scenario import LabourRun, labour_run
from gosplan.run.replan import replan, replan_spec, replan_targets
from gosplan.run.simulate import simulate
from gosplan.run.trace import KnockOn, hurt_by, trace_shortfall
from gosplan.run.wages import (
    brigade_pay,
    consumer_price_index,
    pay_table,
    real_wage_index,
    shock_work,
)
from gosplan.run.workforce import Workforce, WorkforceParameters, run_workforce

__all__ = [
    "CoupledRun",
    "KnockOn",
    "LabourRun",
    "PlanState",
    "Workforce",
    "WorkforceParameters",
    "alerts",
    "ario_simulate",
    "brigade_counter_plans",
    "brigade_pay",
    "challenges",
    "check_brigades",
    "check_counter_plan",
    "competition",
    "consumer_price_index",
    "control_figures",
    "ensemble",
    "fulfilment",
    "hurt_by",
    "labour_run",
    "monthly",
    "pay_table",
    "read_actuals",
    "read_counter_plans",
    "real_wage_index",
    "replan",
    "replan_spec",
    "replan_targets",
    "run_workforce",
    "shock_work",
    "simulate",
    "simulate_with_workforce",
    "trace_shortfall",
    "with_workforce",
]
