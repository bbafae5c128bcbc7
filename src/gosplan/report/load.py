"""Build the report of a result written to disk.

:func:`gosplan.core.results.read_result` reads the result back as the type the planner made
(:class:`~gosplan.core.plan_result.PlanResult`, :class:`~gosplan.core.plan_check.PlanCheck`,
:class:`~gosplan.core.frontier_result.FrontierResult`, control figures, a counter-plan check,
a fulfilment report, a simulation, an ensemble, a workforce run, or a material balance);
this module chooses the report that fits it (:data:`SECTIONS`). The report reads what the
planner wrote; it does not import the planner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gosplan.core.control_figures import ControlFigures
from gosplan.core.counter_plan_check import CounterPlanCheck
from gosplan.core.ensemble_result import EnsembleResult
from gosplan.core.frontier_result import FrontierResult
from gosplan.core.fulfilment_report import FulfilmentReport
from gosplan.core.plan_check import PlanCheck
from gosplan.core.plan_result import PlanResult
from gosplan.core.results import read_result
from gosplan.core.simulation_result import SimulationResult
from gosplan.core.workforce_result import WorkforceResult
from gosplan.report.labour import add_workforce
from gosplan.report.simulation import add_ensemble, add_simulation

if TYPE_CHECKING:
    from gosplan.report.build import Report

logger = logging.getLogger(__name__)


def default_output(path: str | Path) -> Path:
    """Where the report of ``path`` goes by default: ``<name>-report.html`` beside it."""
    path = Path(path)
    name = path.name if path.is_dir() else path.stem
    return path.parent / f"{name}-report.html"


#: Per kind of result: the start of the report's title, its section's heading, and how the
#: section is added.
SECTIONS: dict[type, tuple[str, str, Callable[[Report, Any, str], object]]] = {
    PlanResult: ("Plan", "The plan", lambda rep, r, h: rep.add_plan(r, heading=h)),
    PlanCheck: (
        "Check of the plan",
        "Can the targets be met?",
        lambda rep, r, h: rep.add_check(r, heading=h),
    ),
    FrontierResult: (
        "Accumulation–consumption frontier",
        "The frontier",
        lambda rep, r, h: rep.add_frontier(r, heading=h),
    ),
    ControlFigures: (
        "Control figures",
        "Control figures",
        lambda rep, r, h: rep.add_control_figures(r, heading=h),
    ),
    CounterPlanCheck: (
        "Counter-plans",
        "Can the counter-plans be accepted?",
        lambda rep, r, h: rep.add_counter_plans(r, heading=h),
    ),
    FulfilmentReport: (
        "Fulfilment of the plan",
        "Fulfilment of the control figures",
        lambda rep, r, h: rep.add_fulfilment(r, heading=h),
    ),
    SimulationResult: (
        "Simulation",
        "The run",
        lambda rep, r, h: add_simulation(rep, r, heading=h),
    ),
    WorkforceResult: (
        "Workforce",
        "Turnover by industry and year",
        lambda rep, r, h: add_workforce(rep, r, heading=h),
    ),
    EnsembleResult: ("Ensemble", "The ensemble", lambda rep, r, h: add_ensemble(rep, r, heading=h)),
}


def report_from_path(
    path: str | Path, output: str | Path | None = None, title: str | None = None
) -> Path:
    """Build the report matching a result on disk and write it as HTML.

    Parameters
    ----------
    path
        What :func:`~gosplan.core.results.read_result` reads.
    output
        The HTML file (default :func:`default_output`).
    title
        The report's title (default: from the kind of result and its name).

    Returns
    -------
    pathlib.Path
        The HTML file written.
    """
    from gosplan.report.build import Report
    from gosplan.report.tables import display_path

    result = read_result(path)
    name = Path(path).name
    subtitle = f"from {display_path(path)}"
    if isinstance(result, PlanResult):
        name = str(result.provenance.get("spec") or name)
    kind = next((k for k in SECTIONS if isinstance(result, k)), None)
    if kind is None:  # a material balance
        rep = Report(title or f"Material balance {name}", subtitle)
        rep.add_balance(result)
    else:
        words, heading, add = SECTIONS[kind]
        rep = Report(title or f"{words} {name}", subtitle)
        add(rep, result, heading)
    info: dict[str, Any] = {"input path": Path(path)}
    if isinstance(result, PlanResult):
        info.update(
            {k: result.provenance[k] for k in ("economy_source",) if k in result.provenance}
        )
        info["solver, method, tolerance"] = "see the plan's provenance above"
    rep.note_provenance(info)
    out = rep.write(default_output(path) if output is None else output)
    logger.info("report of %s written to %s", path, out)
    return out
