"""The :class:`Report`: sections of text, tables and figures written as one HTML file.

>>> rep = Report("Material balance", "a small example")
>>> _ = rep.add_text("Introduction", "Two products.")
>>> "<h2>Introduction</h2>" in rep.to_html()
True
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from gosplan.core.control_figures import ControlFigures
from gosplan.core.counter_plan_check import CounterPlanCheck
from gosplan.core.frontier_result import FrontierResult
from gosplan.core.fulfilment_report import FulfilmentReport
from gosplan.core.plan_check import PlanCheck
from gosplan.core.plan_result import PlanResult
from gosplan.core.provenance import timestamp, version
from gosplan.core.status import Status
from gosplan.core.words import sig
from gosplan.report import figures, tables
from gosplan.report.html import (
    Definitions,
    FigureBlock,
    Paragraphs,
    Preformatted,
    Section,
    TableBlock,
    render_document,
    slug,
)
from gosplan.report.tables import DisplayTable

logger = logging.getLogger(__name__)


class Report:
    """A report being assembled: add sections, then :meth:`write` one self-contained HTML file.

    Parameters
    ----------
    title
        The report's title.
    subtitle
        A line under the title.

    Notes
    -----
    Figures are rendered to PNG when added, so a figure may be changed or dropped afterwards.
    Every ``add_*`` method returns the report, so calls can be chained.
    """

    def __init__(self, title: str, subtitle: str = "") -> None:
        self.title = str(title)
        self.subtitle = str(subtitle)
        self.sections: list[Section] = []
        self._ids: set[str] = set()
        self._tables = 0
        self._figures = 0
        self._provenance: dict[str, Any] = {}
        self._has_provenance = False

    # ------------------------------------------------------------------ counts
    @property
    def n_tables(self) -> int:
        """Number of tables added so far."""
        return self._tables

    @property
    def n_figures(self) -> int:
        """Number of figures added so far."""
        return self._figures

    # ------------------------------------------------------------------ low-level pieces
    def _section(self, heading: str, level: int = 2, parent: str = "") -> Section:
        base = slug(f"{parent} {heading}")
        sid, k = base, 2
        while sid in self._ids:
            sid, k = f"{base}-{k}", k + 1
        self._ids.add(sid)
        sec = Section(str(heading), level, sid)
        self.sections.append(sec)
        return sec

    def _table(self, sec: Section, table: DisplayTable) -> None:
        self._tables += 1
        sec.blocks.append(TableBlock(table, self._tables))

    def _figure(self, sec: Section, fig: Figure, caption: str) -> None:
        self._figures += 1
        alt = fig.axes[0].get_title() if fig.axes else caption
        sec.blocks.append(FigureBlock(figures.to_png(fig), str(caption), self._figures, alt))

    # ------------------------------------------------------------------ generic
    def add_text(self, heading: str, paragraphs: str | list[str]) -> Report:
        """A section of plain paragraphs (a string is split at blank lines)."""
        sec = self._section(heading)
        sec.blocks.append(Paragraphs(_paragraphs(paragraphs)))
        return self

    def add_table(
        self,
        heading: str,
        frame: pd.DataFrame,
        *,
        caption: str = "",
        sources: bool = True,
        digits: dict[str, int] | None = None,
    ) -> Report:
        """A section with one labelled table.

        Parameters
        ----------
        heading
            Section heading.
        frame
            The table; a non-numeric first column of a range-indexed frame becomes the row
            labels.
        caption
            What the table shows (with units).
        sources
            A ``source`` column is shown as numbered notes under the table (True) or dropped.
        digits
            Significant digits of some columns (default: four).
        """
        sec = self._section(heading)
        table = tables.generic_table(frame, caption=caption or heading, sources=sources)
        if digits:
            table = replace(table, digits={**table.digits, **digits})
        self._table(sec, table)
        return self

    def add_figure(
        self, heading: str, fig: Figure, *, caption: str = "", same_section: bool = False
    ) -> Report:
        """A section with one matplotlib figure (embedded as PNG).

        With ``same_section``, the figure joins the last section added (e.g. the figure of a
        table just added) instead of opening a section of its own; ``heading`` is then unused
        (it is the caption when none is given).
        """
        sec = self.sections[-1] if same_section and self.sections else self._section(heading)
        self._figure(sec, fig, caption or heading)
        return self

    def add_glossary(self, terms: dict[str, str], *, heading: str = "Glossary") -> Report:
        """A section defining the report's terms (term -> meaning, with its unit).

        Parameters
        ----------
        terms
            Term -> definition, in the order shown.
        heading
            Heading of the section.
        """
        sec = self._section(heading)
        sec.blocks.append(Definitions(tuple((str(k), str(v)) for k, v in terms.items())))
        return self

    def add_provenance(self, info: dict[str, Any], *, heading: str = "Provenance") -> Report:
        """A definition list of what produced the numbers (inputs, solver, tolerances, version).

        The gosplan version and the date and time of writing are added where ``info`` lacks
        them; paths are shown resolved (relative to the package where bundled). A report
        without such a section gets one when it is written (see :meth:`note_provenance`).
        """
        sec = self._section(heading)
        sec.blocks.append(Definitions(tuple(_provenance(info).items())))
        self._has_provenance = True
        return self

    def note_provenance(self, info: dict[str, Any]) -> Report:
        """Remember provenance (input paths, solver, ...) for the report's closing section.

        When no :meth:`add_provenance` section was added, :meth:`to_html` ends the report with
        a provenance section made of what was noted (and the version, date and time).
        """
        for key, value in info.items():
            self._provenance.setdefault(key, value)
        return self

    # ------------------------------------------------------------------ balance
    def add_balance(self, sheet: pd.DataFrame, *, heading: str = "Material balance") -> Report:
        """The material balance of :meth:`gosplan.core.economy.Economy.balance_sheet`.

        A summary line, the table, and a bar figure of each product's surplus or deficit as a
        percentage of its capacity.
        """
        sec = self._section(heading)
        status = sheet["status"].astype(str) if "status" in sheet else pd.Series(dtype=str)
        deficits = [str(p) for p, s in status.items() if s == "deficit"]
        text = [
            f"{len(sheet)} products; "
            + (
                f"{len(deficits)} in deficit (output above capacity): {', '.join(deficits)}."
                if deficits
                else "every product's output is within its capacity."
            )
        ]
        if "closure" in sheet:
            worst = float(np.nanmax(np.abs(sheet["closure"].astype(float)))) if len(sheet) else 0.0
            text.append(
                "The balance closes: the largest residual of gross output − intermediate use − "
                f"final use is {worst:.1e} (rounding)."
                if worst < 1e-6
                else f"Largest balance residual (output − intermediate − final use): {sig(worst)}."
            )
        _say(sec, *text)
        self.note_provenance(
            {
                "method": "material balance (linear algebra; no LP solver)",
                "balance residuals shown as 0 below": f"{tables.RESIDUAL:.0e} of the column",
            }
        )
        self._table(sec, tables.balance_table(sheet))
        share = tables.balance_utilisation(sheet)
        if len(share):
            left_out = len(sheet) - len(share)
            note = (
                f" ({left_out} products without a capacity limit are left out)" if left_out else ""
            )
            self._figure(
                sec,
                figures.balance_surplus(share),
                "Surplus (green) or deficit (red) of each product as a percentage of its "
                f"capacity{note}.",
            )
        return self

    # ------------------------------------------------------------------ plan
    def add_plan(
        self,
        result: PlanResult,
        *,
        heading: str,
        level: int = 2,
        base: pd.Series | None = None,
        base_label: str = "",
        units: pd.Series | None = None,
    ) -> Report:
        """A plan with its parts as subsections.

        Summary, output paths, investment shares, consumption, employment, targets, binding
        constraints, growth, verification and provenance.

        Parameters
        ----------
        result
            A :class:`~gosplan.core.plan_result.PlanResult`, made in memory or read back.
        heading
            Heading of the plan's section (its parts are subsections).
        level
            2 for a top-level section, 3 to nest the whole plan one level down.
        base
            Gross output of the base year by product: the output paths are indices with the
            base year = 100 (default: the plan's first period = 100).
        base_label
            The base year's label (e.g. ``"1927/28"``).
        units
            Unit of each product, shown in the output and consumption tables.
        """
        plan = _PlanParts(result, heading, min(level + 1, 3), base, base_label, units)
        sec = self._section(heading, level)
        sec.blocks.append(Definitions(tuple(tables.summary_items(result).items())))
        if result.status != Status.OPTIMAL or result.output.shape[0] == 0:
            _say(
                sec,
                f"No plan: the solver ended with status {str(result.status)!r}. Run the "
                "check of the plan (gosplan check-plan) for a diagnosis.",
            )
            self._plan_provenance(plan)
            return self
        horizon = tables.end_of_horizon_words(result, units)
        if horizon:
            _say(sec, "End of the horizon. " + horizon[0], *horizon[1:])
        self._plan_output(plan)
        self._plan_investment(plan)
        self._plan_consumption(plan)
        self._plan_final_use(plan)
        self._plan_employment(plan)
        self._plan_targets(plan)
        self._plan_binding(plan)
        self._plan_growth(plan)
        self._plan_verification(plan)
        self._plan_provenance(plan)
        return self

    def _part(self, plan: _PlanParts, heading: str) -> Section:
        """A subsection of the plan's section."""
        return self._section(heading, plan.level, plan.heading)

    def _plan_output(self, plan: _PlanParts) -> None:
        """Output paths as an index (figure), output in product units, and the index."""
        result = plan.result
        index = tables.output_index_table(result, base=plan.base, base_label=plan.base_label)
        first = str(index.frame.columns[0]) if len(index.frame.columns) else plan.periods[0]
        s = self._part(plan, "Output")
        paths = figures.merge_equal_rows(index.frame.astype(float))
        shown = min(len(paths), figures.OUTPUT_SERIES)
        more = (
            f" The {shown} paths with the largest index are drawn (of {len(paths)}); every "
            "product is in the index table below."
            if len(paths) > figures.OUTPUT_SERIES
            else ""
        )
        self._figure(
            s,
            figures.output_index(index.frame, first=first),
            f"Output paths: gross output of each product as an index ({first} = 100: "
            "products in different units on one scale, not in product units); products on "
            f"the same path share a line; the last period (shaded) ends the horizon.{more}",
        )
        self._table(s, tables.output_table(result, plan.units))
        self._table(s, index)

    def _plan_investment(self, plan: _PlanParts) -> None:
        """Shares of capital spending by the group of the investing activity."""
        shares = tables.investment_shares_table(plan.result)
        s = self._part(plan, "Investment")
        if shares.frame.notna().to_numpy().any():
            self._figure(
                s,
                figures.stacked_shares(
                    shares.frame,
                    title="Capital spending: means of production vs consumer goods",
                    horizon_end=True,
                ),
                "Shares of capital spending (at labour values) by the group of the investing "
                "activity, per period; periods without investment are empty. The last "
                f"period, {plan.periods[-1]} (shaded), ends the horizon: what is built then "
                "serves only after it (see the note on the end of the horizon above).",
            )
        else:
            _say(s, "The plan makes no investment.")
        self._table(s, shares)

    def _plan_consumption(self, plan: _PlanParts) -> None:
        """Consumption as an index by product (figure) and in product units."""
        s = self._part(plan, "Consumption")
        cons_index, left_out = tables.consumption_index(plan.result)
        if len(cons_index):
            start = plan.periods[0]
            out_note = (
                f" Left out (nothing consumed in {start}): {', '.join(left_out)}."
                if left_out
                else ""
            )
            self._figure(
                s,
                figures.lines_over_periods(
                    cons_index,
                    title="Consumption by product",
                    ylabel=f"consumption, index ({start} = 100)",
                    merge_equal=True,
                ),
                f"Final use left for consumption as an index by product ({start} = 100: "
                "products in different units on one scale); products on the same path share "
                f"a line.{out_note}",
            )
        self._table(s, tables.consumption_table(plan.result, plan.units))

    def _plan_final_use(self, plan: _PlanParts) -> None:
        """Final use by kind at labour values and by product (when the plan has the split)."""
        split = tables.final_use_table(plan.result, plan.units)
        if split is None:
            return
        s = self._part(plan, "Final use")
        valued = tables.final_use_values_table(plan.result)
        if valued is not None:
            self._table(s, valued)
        self._table(s, split)

    def _plan_employment(self, plan: _PlanParts) -> None:
        """Employment by labour type (stacked bars and table)."""
        s = self._part(plan, "Employment")
        emp = tables.employment_table(plan.result)
        self._figure(
            s,
            figures.stacked_over_periods(
                emp.frame,
                title="Employment by labour type",
                ylabel=f"employment ({tables.labour_unit(plan.result)})",
            ),
            emp.caption,
        )
        self._table(s, emp)

    def _plan_targets(self, plan: _PlanParts) -> None:
        """The targets and their fulfilment (when the plan sets any)."""
        if len(plan.result.fulfilment):
            s = self._part(plan, "Targets")
            self._table(s, tables.fulfilment_table(plan.result, plan.units))

    def _plan_binding(self, plan: _PlanParts) -> None:
        """The binding constraints and their shadow prices."""
        binding = plan.result.binding
        s = self._part(plan, "Binding constraints")
        if not len(binding):
            _say(s, "No inequality constraint binds.")
            return
        _say(
            s,
            f"{len(binding)} inequality constraints are at their bound. A shadow price is the "
            "change of the plan's aim (its objective) per unit more of the bound.",
        )
        self._figure(
            s,
            figures.shadow_prices(binding, title="Largest shadow prices"),
            "Shadow prices of the binding constraints (block: label (period)), largest in "
            "magnitude first" + _symlog_note(binding),
        )
        self._table(s, tables.binding_table(binding))

    def _plan_growth(self, plan: _PlanParts) -> None:
        """Output growth against the previous period."""
        s = self._part(plan, "Growth")
        self._table(s, tables.growth_table(plan.result, base=plan.base, base_label=plan.base_label))

    def _plan_verification(self, plan: _PlanParts) -> None:
        """The independent check of every relation of the plan."""
        s = self._part(plan, "Verification")
        ver = tables.verification_items(plan.result)
        if not ver:
            _say(s, "The plan was not verified.")
            return
        _say(
            s,
            "Every relation of the plan was recomputed from its tables, independently of the "
            "LP; the largest relative violation per block:",
        )
        s.blocks.append(Definitions(tuple(ver.items())))

    def _plan_provenance(self, plan: _PlanParts) -> None:
        """How the plan was solved (when it says)."""
        if plan.result.provenance:
            s = self._part(plan, "Provenance")
            s.blocks.append(Definitions(_plan_provenance(plan.result)))

    # ------------------------------------------------------------------ check
    def add_check(self, check: PlanCheck, *, heading: str) -> Report:
        """A plan check: the verdict in words, what is reachable, what binds, what it would take.

        Parameters
        ----------
        check
            A :class:`~gosplan.core.plan_check.PlanCheck`, made in memory or read back.
        heading
            Heading of the check's section.
        """
        sec = self._section(heading)
        _say(sec, *check_words(check))
        sec.blocks.append(Definitions(_check_items(check)))
        self._check_targets(check, heading)
        self._check_binding(check, heading)
        self._check_additions(check, heading)
        self._check_plan(check, heading)
        if check.provenance:
            self.note_provenance(dict(check.provenance))
        return self

    def _check_targets(self, check: PlanCheck, heading: str) -> None:
        """What each target reaches: bars (when they cannot all be met) and the table."""
        reach = tables.reachable_table(check)
        s = self._section("Targets", 3, heading)
        if not check.feasible and len(reach.frame):
            self._figure(
                s,
                figures.reachable(reach.frame),
                "What can be reached of each target in the least-shortfall plan (the other "
                "targets as near theirs as the smallest weighted shortfall allows) and alone (no "
                "other target), as a percentage of the target (dashed: the target; bars above "
                f"{figures.REACHABLE_CAP:,.0f} % are "
                "cut and labelled with their value).",
            )
        if len(reach.frame):
            self._table(s, reach)
        else:
            _say(s, "The plan sets no targets.")

    def _check_binding(self, check: PlanCheck, heading: str) -> None:
        """The limits holding the targets back, with their shadow prices."""
        s = self._section("Binding limits", 3, heading)
        if not len(check.binding):
            _say(
                s,
                "Nothing binds: every target can be met, so no limit holds it back."
                if check.feasible
                else "No limit with a shadow price was found.",
            )
            return
        self._figure(
            s,
            figures.shadow_prices(check.binding, title="What holds the targets back"),
            "Shadow prices of the limits in the least-shortfall plan: the fall of the "
            "weighted relative shortfall per unit more of the limit" + _symlog_note(check.binding),
        )
        self._table(
            s,
            tables.binding_table(
                check.binding,
                caption="Limits holding the targets back, with their shadow prices (fall of "
                "the weighted relative shortfall per unit more), largest first.",
            ),
        )

    def _check_additions(self, check: PlanCheck, heading: str) -> None:
        """The smallest additions that make the targets feasible."""
        s = self._section("Additions", 3, heading)
        if len(check.additions):
            self._table(s, tables.additions_table(check))
        elif check.feasible:
            _say(s, "None needed: the targets can be met as they are.")
        else:
            _say(
                s,
                "No addition of labour, capacity, resources or imports makes the targets feasible.",
            )

    def _check_plan(self, check: PlanCheck, heading: str) -> None:
        """The least-labour plan of the check (when it has one) and how it was solved."""
        plan = check.plan
        if plan is None:
            return
        s = self._section("The least-labour plan", 3, heading)
        s.blocks.append(Definitions(tuple(tables.summary_items(plan).items())))
        s = self._section("Provenance", 3, heading)
        _say(s, "How the least-labour plan was solved:")
        s.blocks.append(Preformatted(plan.summary()))
        if plan.provenance:
            self.note_provenance(_solver_items(plan.provenance))

    # ------------------------------------------------------------------ frontier
    def add_frontier(
        self, fr: FrontierResult | pd.DataFrame, *, heading: str, population_unit: str | None = None
    ) -> Report:
        """The accumulation–consumption frontier: table and figure.

        Parameters
        ----------
        fr
            A :class:`~gosplan.core.frontier_result.FrontierResult` (made in memory or read
            back) or its table (a DataFrame; its status column may be text).
        heading
            Heading of the section.
        population_unit
            Unit of the population behind consumption per head (e.g. ``"million"``; default:
            the frontier's own, if it has one).
        """
        table = fr if isinstance(fr, pd.DataFrame) else fr.table
        unit = tables.labour_unit(fr)
        people = population_unit or tables.population_unit(fr)
        sec = self._section(heading)
        ok = tables.optimal_rows(table)
        _say(
            sec,
            f"{len(table)} investment shares; {int(ok.sum())} with an optimal plan. Each point "
            "maximises consumption with the given share of capital spending going to "
            "activities making means of production.",
        )
        if ok.any():
            self._figure(
                sec,
                figures.frontier(table, unit=unit, population_unit=people),
                "Consumption over the horizon (and per head, where the population is known) "
                "against the share of investment in means of production, and the capacity "
                f"left at the end of the horizon; all valued at labour values ({unit}).",
            )
        self._table(sec, tables.frontier_table(table, unit=unit, population_unit=people))
        if isinstance(fr, FrontierResult):
            plans = [r for r in fr.results if r is not None]
            if plans and plans[0].provenance:
                self.note_provenance(_solver_items(plans[0].provenance))
            if fr.provenance:
                self.note_provenance(dict(fr.provenance))
        return self

    # ------------------------------------------------------------------ running the plan
    def add_control_figures(
        self, cf: ControlFigures, *, heading: str, units: pd.Series | None = None
    ) -> Report:
        """The control figures: output by trust, the rule, labour and the supply orders.

        Parameters
        ----------
        cf
            A :class:`~gosplan.core.control_figures.ControlFigures`, made in memory or read back.
        heading
            Heading of the section.
        units
            Unit of each product, shown in the tables.
        """
        sec = self._section(heading)
        periods = sorted({int(p) for p in cf.figures["period"]})
        span = f"{periods[0]}–{periods[-1]}" if periods else "no period"
        _say(
            sec,
            f"The adopted plan split among the enterprises that carry it out, {span}, "
            + ("by month." if cf.monthly else "by year."),
            tables.sharing_words(cf),
        )
        self._table(sec, tables.control_output_table(cf, units))
        unit = str(cf.provenance.get("labour_unit") or tables.DEFAULT_LABOUR_UNIT)
        if len(cf.labour):
            self._table(sec, tables.control_labour_table(cf, unit))
        if len(cf.supply):
            self._table(sec, tables.supply_table(cf, units))
        if cf.provenance:
            self.note_provenance({"control figures": _run_provenance(cf.provenance)})
        return self

    def add_counter_plans(
        self,
        check: CounterPlanCheck,
        *,
        heading: str,
        units: pd.Series | None = None,
        labour_unit: str = "",
    ) -> Report:
        """A counter-plan check: each counter-plan in words, the shares, what is missing.

        Parameters
        ----------
        check
            A :class:`~gosplan.core.counter_plan_check.CounterPlanCheck`, in memory or read back.
        heading
            Heading of the section.
        units
            Unit of each product (an activity named ``"product (technique)"`` takes its
            product's), shown with the quantities missing.
        labour_unit
            Unit of labour (default: the check's provenance, if it says).
        """
        labour = labour_unit or str(check.provenance.get("labour_unit") or "")
        sec = self._section(heading)
        _say(sec, _MODE_WORDS.get(check.mode, f"Mode {check.mode}."))
        _say(sec, *tables.counter_plan_words(check, units, labour))
        if len(check.summary):
            shares = pd.Series(
                pd.to_numeric(check.summary["accepted_share"]).to_numpy(dtype=float),
                index=[str(c) for c in check.summary["counter_plan"]],
            )
            self._figure(
                sec,
                figures.accepted_shares(shares),
                "The share of each counter-plan's extra output that the adopted plan's slack "
                "can supply (green: in full, red: none; dashed: 100 %).",
            )
        self._table(sec, tables.counter_summary_table(check))
        self._table(sec, tables.counter_missing_table(check, units, labour))
        if len(check.starved):
            self._table(sec, tables.counter_starved_table(check, units))
        else:
            _say(sec, "No target would fall short were every counter-plan accepted in full.")
        if check.provenance:
            self.note_provenance({"counter-plan check": _run_provenance(check.provenance)})
        return self

    def add_fulfilment(
        self,
        report: FulfilmentReport,
        *,
        heading: str,
        competition: pd.DataFrame | None = None,
        alerts: pd.DataFrame | None = None,
        units: pd.Series | None = None,
        labour_unit: str = "",
        measure: str | None = None,
    ) -> Report:
        """Fulfilment of the control figures: by trust over time, shortfalls, ranking, alerts.

        Parameters
        ----------
        report
            A :class:`~gosplan.core.fulfilment_report.FulfilmentReport`, in memory or read back.
        heading
            Heading of the section (its parts are subsections).
        competition
            A ranking table (columns ``<unit>, period, month, value, rank``).
        alerts
            An alerts table (key columns, then ``period, month, value, probability,
            direction, level, reports``).
        units
            Unit of each product.
        labour_unit
            Unit of labour, for shortfalls caused by labour.
        measure
            The competition's measure (default: its ``attrs["measure"]``, else fulfilment).
        """
        sec = self._section(heading)
        warning = tables.synthetic_words(report.provenance, competition, alerts)
        _say(sec, *((warning,) if warning else ()), _fulfilment_words(report))
        self._fulfilment_trusts(report, heading)
        self._fulfilment_shortfalls(report, heading, units, labour_unit)
        if competition is not None:
            s = self._section("Socialist competition", 3, heading)
            chosen = measure or str(competition.attrs.get("measure", "fulfilment"))
            self._table(s, tables.competition_table(competition, chosen))
        if alerts is not None:
            s = self._section("Alerts", 3, heading)
            if len(alerts):
                indicator = str(alerts.attrs.get("indicator", "share"))
                self._table(s, tables.alerts_table(alerts, indicator))
            else:
                _say(s, "No alert: no series shows a probable recent fall or rise.")
        if report.provenance:
            self.note_provenance({"fulfilment report": _run_provenance(report.provenance)})
        return self

    def _fulfilment_trusts(self, report: FulfilmentReport, heading: str) -> None:
        """Fulfilment by trust: the share per report (figure) and the latest cumulative shares."""
        s = self._section("Fulfilment by trust", 3, heading)
        paths = tables.fulfilment_paths(report)
        if paths.shape[1] and np.isfinite(paths.to_numpy(dtype=float)).any():
            more = (
                f" The {figures.MAX_SERIES} trusts farthest from the plan are drawn (of "
                f"{len(paths)}); every trust is in the table."
                if len(paths) > figures.MAX_SERIES
                else ""
            )
            self._figure(
                s,
                figures.fulfilment_lines(paths),
                "Output over plan of each trust per report (percent; the mean over the "
                f"trust's products; dashed: the plan).{more}",
            )
        self._table(s, tables.fulfilment_latest_table(report))

    def _fulfilment_shortfalls(
        self, report: FulfilmentReport, heading: str, units: pd.Series | None, labour: str
    ) -> None:
        """The largest shortfalls with their causes in words."""
        s = self._section("Shortfalls and their causes", 3, heading)
        causes = tables.shortfall_causes(report)
        if not causes:
            _say(s, "No report fell short of its plan.")
            return
        told = "; ".join(f"{cause}: {n}" for cause, n in causes.items())
        _say(
            s,
            f"{sum(causes.values())} of {len(report.table)} reports fell short of their plan. "
            f"By cause: {told}. A cause is the labour or input the enterprise had least of "
            "against its figure, when that explains the shortfall; capacity otherwise.",
        )
        self._table(s, tables.shortfall_table(report, units, labour))

    # ------------------------------------------------------------------ comparison
    def add_comparison(
        self, frame: pd.DataFrame, *, heading: str, caption: str = "", figure_caption: str = ""
    ) -> Report:
        """Products by variant (e.g. base year, plan, optimum, outcome): tables and bars.

        The figure shows each numeric column as an index relative to the base column (= 100):
        the first numeric column named ``base ...``, else the first numeric column. Products
        without any index (no base-year figure) are left out of the figure and named in its
        caption. Text columns (a ``unit``) stay in the table of values.

        Parameters
        ----------
        frame
            Products x variants, in product units.
        heading
            Heading of the section.
        caption
            Caption of the table of values (in product units).
        figure_caption
            Caption of the figure (an index, not product units); a default says so.
        """
        sec = self._section(heading)
        values, index = tables.comparison_tables(frame, caption)
        base = tables.comparison_base(values.frame)
        bars = index.frame.drop(columns=[base]) if base is not None else index.frame
        bars = bars.astype(float)
        empty = [str(p) for p, row in bars.iterrows() if not np.isfinite(row.to_numpy()).any()]
        bars = bars.drop(index=[p for p in bars.index if str(p) in empty])
        if bars.shape[1] and np.isfinite(bars.to_numpy(dtype=float)).any():
            left = f" Left out (no {base} figure to index on): {', '.join(empty)}." if empty else ""
            self._figure(
                sec,
                figures.grouped_bars(
                    bars,
                    title=f"Indices relative to {base}",
                    ylabel=f"index ({base} = 100)",
                    reference=100.0,
                ),
                (figure_caption or f"Each variant as an index by product ({base} = 100, dashed)")
                + left,
            )
        self._table(sec, values)
        self._table(sec, index)
        return self

    # ------------------------------------------------------------------ output
    def _closing_provenance(self) -> Section | None:
        if self._has_provenance:
            return None
        sec = Section("Provenance", 2, "provenance" if "provenance" not in self._ids else "prov")
        sec.blocks.append(Definitions(tuple(_provenance(self._provenance).items())))
        return sec

    def to_html(self) -> str:
        """The report as one HTML document (ending with a provenance section)."""
        footer = f"Made by gosplan {version()} on {timestamp()}."
        sections = list(self.sections)
        closing = self._closing_provenance()
        if closing is not None:
            sections.append(closing)
        return render_document(self.title, self.subtitle, sections, footer)

    def write(self, path: str | Path) -> Path:
        """Write the report as one self-contained HTML file (parent folders are created).

        Returns
        -------
        pathlib.Path
            The file written.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_html(), encoding="utf-8")
        logger.info("wrote report %s (%d tables, %d figures)", path, self._tables, self._figures)
        return path


@dataclass(frozen=True)
class _PlanParts:
    """What the subsections of one plan share: the plan, where they go, base year and units."""

    result: PlanResult
    heading: str
    level: int
    base: pd.Series | None
    base_label: str
    units: pd.Series | None

    @property
    def periods(self) -> list[str]:
        """The plan's periods as labels."""
        return [str(p) for p in self.result.periods]


_MODE_WORDS = {
    "inquiry": "Each counter-plan is checked alone against the adopted plan's slack "
    "(inquiry): the shares do not add up.",
    "commit": "The counter-plans are checked in order of submission (commit): each accepted "
    "share takes its slack from those after it.",
    "joint": "The counter-plans are checked as one batch (joint): one common share for all.",
}


def _run_provenance(info: dict[str, Any]) -> str:
    """A run result's provenance in one line (``key: value; ...``), paths shown as such."""
    items = tables.provenance_items(info)
    return "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in items.items())


def _fulfilment_words(report: FulfilmentReport) -> str:
    """How many reports, enterprises and trusts, and the span of time."""
    t = report.table
    if not len(t):
        return "No report came back."
    first = t.sort_values(["period", "month"]).iloc[0]
    last = t.sort_values(["period", "month"]).iloc[-1]
    return (
        f"{len(t)} reports of {t['enterprise'].nunique()} enterprises in "
        f"{report.by_trust['trust'].nunique()} trusts, from "
        f"{tables.when(first['period'], first['month'])} to "
        f"{tables.when(last['period'], last['month'])}, against their control figures "
        "(fulfilled: actual output over plan)."
    )


def _say(sec: Section, *paragraphs: str) -> None:
    """Add paragraphs of text to a section."""
    sec.blocks.append(Paragraphs(tuple(paragraphs)))


def _paragraphs(text: str | list[str]) -> tuple[str, ...]:
    if isinstance(text, str):
        parts = [p.strip() for p in text.split("\n\n")]
        return tuple(" ".join(p.split()) for p in parts if p)
    return tuple(str(p) for p in text)


#: Provenance keys of a plan that say how it was solved.
_SOLVER_KEYS = ("solver", "method", "tolerance", "iterations", "solve_seconds", "economy_source")


def _solver_items(provenance: dict[str, Any]) -> dict[str, Any]:
    return {k: provenance[k] for k in _SOLVER_KEYS if k in provenance}


def _provenance(info: dict[str, Any], *, stamp: bool = True) -> dict[str, str]:
    """Provenance as label -> text, with the version and (``stamp``) the time of writing."""
    items = tables.provenance_items(info)
    out: dict[str, str] = {}
    if not any(k in items for k in ("gosplan version", "gosplan")):
        out["gosplan version"] = version()
    out.update(items)
    if stamp and "written" not in out:
        out["written"] = timestamp()
    return out


def _plan_provenance(result: PlanResult) -> tuple[tuple[str, str], ...]:
    """A plan's provenance with how it was solved (objective, LP size) first."""
    items = dict(tables.solver_items(result))
    items.update(_provenance(result.provenance, stamp=False))
    return tuple(items.items())


def _check_items(check: PlanCheck) -> tuple[tuple[str, str], ...]:
    """A check's verdict, common level and cost of the additions as label -> text."""
    cost = float(check.total_labour_cost)
    return (
        ("feasible", "yes" if check.feasible else "no"),
        (
            "common level (one share of every target at once)",
            tables.format_value(check.common_level, tables.PERCENT),
        ),
        (
            "labour cost of the additions",
            tables.format_labour(cost, tables.labour_unit(check)) if cost else "none needed",
        ),
    )


def check_words(check: PlanCheck) -> tuple[str, ...]:
    """A plan check's verdict in a reader's words: what "jointly" means, labour in millions.

    A feasible check reads ``The targets can be met ...`` with the least-labour plan's labour
    (e.g. ``154 million person-years``). An infeasible one keeps the check's own message and
    adds a paragraph naming the two senses in which targets are reached "jointly": the
    **common level** (one share of every target at once) and what each target reaches in the
    **least-shortfall plan** (the plan with the smallest weighted sum of relative shortfalls,
    where most targets may be met in full).

    Parameters
    ----------
    check
        A :class:`~gosplan.core.plan_check.PlanCheck`, made in memory or read back.

    Returns
    -------
    tuple of str
        Paragraphs.
    """
    if check.feasible:
        return (_feasible_words(check),)
    if not len(check.reachable):
        return (check.message(),)
    return (check.message(), _two_senses_of_jointly(check))


def _feasible_words(check: PlanCheck) -> str:
    """A feasible check: the least-labour plan's labour, and how far every target could rise."""
    words = "The targets can be met."
    plan = check.plan
    if plan is not None and plan.employment is not None:
        labour = float(plan.employment.to_numpy(dtype=float).sum())
        words += (
            f" The least-labour plan uses {tables.format_labour(labour, tables.labour_unit(check))}"
            " over the horizon."
        )
    level = float(check.common_level)
    if np.isfinite(level) and level > 1 + 1e-6:
        words += (
            " Every target could even be raised by the same "
            f"{tables.format_value(level - 1, tables.PERCENT)} at once (the common level "
            f"is {tables.format_value(level, tables.PERCENT)})."
        )
    return words


def _two_senses_of_jointly(check: PlanCheck) -> str:
    """The common level against the least-shortfall plan, naming the targets it falls short of."""
    reach = check.reachable
    target = pd.to_numeric(reach["target"], errors="coerce").astype(float)
    joint = pd.to_numeric(reach["reachable_jointly"], errors="coerce").astype(float)
    met = joint >= target * (1 - 1e-6)
    short = reach[~met & target.gt(0)]
    named = "; ".join(
        f"{row['product']} in {tables.format_year(row['period'])} ("
        + tables.format_value(
            float(row["reachable_jointly"]) / float(row["target"]), tables.PERCENT
        )
        + " of its target)"
        for _, row in short.iterrows()
    )
    level = tables.format_value(check.common_level, tables.PERCENT)
    return (
        "All targets held together can mean two things. The common level, "
        f"{level}, is one share of every target met at once: all targets scaled down "
        "together until they fit. What is reachable in the least-shortfall plan is "
        "another plan: it makes the (priority-weighted) sum of relative shortfalls as "
        f"small as it can and so meets {int(met.sum())} of the {len(reach)} targets in "
        "full"
        + (f", putting the shortfall on {named}" if named else "")
        + ". Both hold all targets together; they differ in how the shortfall is shared."
    )


def _symlog_note(binding: pd.DataFrame, n: int = 15) -> str:
    """End of a shadow-price caption: says when the bars are on a symmetric log scale."""
    price = pd.to_numeric(binding["shadow_price"], errors="coerce").astype(float)
    top = price.reindex(price.abs().sort_values(ascending=False).index).head(n)
    if figures.needs_symlog(top.to_numpy()):
        return (
            f". The prices spread over more than {figures.SYMLOG_SPREAD:,.0f} times, so the "
            "axis is a symmetric log scale (linear near zero) and each bar is labelled with "
            "its value."
        )
    return "."
