"""Build the report of a result written to disk.

:func:`gosplan.core.results.read_result` reads the result back as the type the planner made
(:class:`~gosplan.core.plan_result.PlanResult`, :class:`~gosplan.core.plan_check.PlanCheck`,
:class:`~gosplan.core.frontier_result.FrontierResult`, control figures, a counter-plan check,
a fulfilment report, a simulation, an ensemble, a workforce run, or a material balance); this module
chooses the report that fits it. The report reads what the planner wrote; it does not import
the planner.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

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

logger = logging.getLogger(__name__)


def default_output(path: str | Path) -> Path:
    """Where the report of ``path`` goes by default: ``<name>-report.html`` beside it."""
    path = Path(path)
    name = path.name if path.is_dir() else path.stem
    return path.parent / f"{name}-report.html"


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
        spec = result.provenance.get("spec") or name
        rep = Report(title or f"Plan {spec}", subtitle)
        rep.add_plan(result, heading="The plan")
    elif isinstance(result, PlanCheck):
        rep = Report(title or f"Check of the plan {name}", subtitle)
        rep.add_check(result, heading="Can the targets be met?")
    elif isinstance(result, FrontierResult):
        rep = Report(title or f"Accumulation–consumption frontier {name}", subtitle)
        rep.add_frontier(result, heading="The frontier")
    elif isinstance(result, ControlFigures):
        rep = Report(title or f"Control figures {name}", subtitle)
        rep.add_control_figures(result, heading="Control figures")
    elif isinstance(result, CounterPlanCheck):
        rep = Report(title or f"Counter-plans {name}", subtitle)
        rep.add_counter_plans(result, heading="Can the counter-plans be accepted?")
    elif isinstance(result, FulfilmentReport):
        rep = Report(title or f"Fulfilment of the plan {name}", subtitle)
        rep.add_fulfilment(result, heading="Fulfilment of the control figures")
    elif isinstance(result, SimulationResult):
        from gosplan.report.simulation import add_simulation

        rep = Report(title or f"Simulation {name}", subtitle)
        add_simulation(rep, result, heading="The run")
    elif isinstance(result, WorkforceResult):
        from gosplan.report.labour import add_workforce

        rep = Report(title or f"Workforce {name}", subtitle)
        add_workforce(rep, result, heading="Turnover by industry and year")
    elif isinstance(result, EnsembleResult):
        from gosplan.report.simulation import add_ensemble

        rep = Report(title or f"Ensemble {name}", subtitle)
        add_ensemble(rep, result, heading="The ensemble")
    else:
        rep = Report(title or f"Material balance {name}", subtitle)
        rep.add_balance(result)
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
