"""Plan: optimal one-year and multi-year plans, feasibility checks and their diagnosis.

* :func:`read_spec` / :func:`write_spec`: the plan specification on disk (``docs/plan-format.md``);
* :func:`optimise`: the optimal plan for a :class:`PlanSpec` (HiGHS);
* :func:`check_plan`: feasibility of the targets, and the diagnosis when they cannot be met;
* :func:`frontier`: the accumulation–consumption frontier; :func:`compress`: fewer periods.
"""

from __future__ import annotations

from gosplan.core.plan_result import PlanResult
from gosplan.core.spec import PlanSpec
from gosplan.plan.compress import compress
from gosplan.plan.diagnosis import PlanCheck, check_plan
from gosplan.plan.frontier import FrontierResult, frontier
from gosplan.plan.optimise import optimise
from gosplan.plan.reader import read_spec
from gosplan.plan.writer import write_spec

__all__ = [
    "FrontierResult",
    "PlanCheck",
    "PlanResult",
    "PlanSpec",
    "check_plan",
    "compress",
    "frontier",
    "optimise",
    "read_spec",
    "write_spec",
]
