"""The :class:`Report`: sections of text, tables and figures written as one HTML file.

>>> rep = Report("Material balance", "a small example")
>>> _ = rep.add_text("Introduction", "Two products.")
>>> "<h2>Introduction</h2>" in rep.to_html()
True
"""

from __future__ import annotations

import datetime as _dt
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from gosplan.core.frontier_result import FrontierResult
from gosplan.core.plan_check import PlanCheck
from gosplan.core.plan_result import PlanResult
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
                else f"Largest balance residual (output − intermediate − final use): {worst:.3g}."
            )
        sec.blocks.append(Paragraphs(tuple(text)))
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
            A :class:`~gosplan.core.plan_result.PlanResult` or a
            :class:`~gosplan.core.plan_result.PlanResult` read back.
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
        sub = min(level + 1, 3)
        sec = self._section(heading, level)
        sec.blocks.append(Definitions(tuple(tables.summary_items(result).items())))
        if result.status != "optimal" or result.output.shape[0] == 0:
            sec.blocks.append(
                Paragraphs(
                    (
                        f"No plan: the solver ended with status {str(result.status)!r}. Run the "
                        "check of the plan (gosplan check-plan) for a diagnosis.",
                    )
                )
            )
            if result.provenance:
                s = self._section("Provenance", sub, heading)
                s.blocks.append(Definitions(_plan_provenance(result)))
            return self
        horizon = tables.end_of_horizon_words(result, units)
        if horizon:
            sec.blocks.append(Paragraphs(("End of the horizon. " + horizon[0], *horizon[1:])))
        periods = [str(p) for p in result.periods]
        index = tables.output_index_table(result, base=base, base_label=base_label)
        first = str(index.frame.columns[0]) if len(index.frame.columns) else periods[0]
        s = self._section("Output", sub, heading)
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
        self._table(s, tables.output_table(result, units))
        self._table(s, index)

        shares = tables.investment_shares_table(result)
        s = self._section("Investment", sub, heading)
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
                f"period, {periods[-1]} (shaded), ends the horizon: what is built then serves "
                "only after it (see the note on the end of the horizon above).",
            )
        else:
            s.blocks.append(Paragraphs(("The plan makes no investment.",)))
        self._table(s, shares)

        s = self._section("Consumption", sub, heading)
        cons_index, left_out = tables.consumption_index(result)
        if len(cons_index):
            start = periods[0]
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
        self._table(s, tables.consumption_table(result, units))
        split = tables.final_use_table(result, units)
        if split is not None:
            s = self._section("Final use", sub, heading)
            valued = tables.final_use_values_table(result)
            if valued is not None:
                self._table(s, valued)
            self._table(s, split)

        s = self._section("Employment", sub, heading)
        emp = tables.employment_table(result)
        self._figure(
            s,
            figures.stacked_over_periods(
                emp.frame,
                title="Employment by labour type",
                ylabel=f"employment ({tables.labour_unit(result)})",
            ),
            emp.caption,
        )
        self._table(s, emp)

        if len(result.fulfilment):
            s = self._section("Targets", sub, heading)
            self._table(s, tables.fulfilment_table(result, units))

        s = self._section("Binding constraints", sub, heading)
        if len(result.binding):
            s.blocks.append(
                Paragraphs(
                    (
                        f"{len(result.binding)} inequality constraints are at their bound. A "
                        "shadow price is the change of the plan's aim (its objective) per unit "
                        "more of the bound.",
                    )
                )
            )
            self._figure(
                s,
                figures.shadow_prices(result.binding, title="Largest shadow prices"),
                "Shadow prices of the binding constraints (block: label (period)), largest in "
                "magnitude first" + _symlog_note(result.binding),
            )
            self._table(s, tables.binding_table(result.binding))
        else:
            s.blocks.append(Paragraphs(("No inequality constraint binds.",)))

        s = self._section("Growth", sub, heading)
        self._table(s, tables.growth_table(result, base=base, base_label=base_label))

        s = self._section("Verification", sub, heading)
        ver = tables.verification_items(result)
        if ver:
            s.blocks.append(
                Paragraphs(
                    (
                        "Every relation of the plan was recomputed from its tables, independently "
                        "of the LP; the largest relative violation per block:",
                    )
                )
            )
            s.blocks.append(Definitions(tuple(ver.items())))
        else:
            s.blocks.append(Paragraphs(("The plan was not verified.",)))

        if result.provenance:
            s = self._section("Provenance", sub, heading)
            s.blocks.append(Definitions(_plan_provenance(result)))
        return self

    # ------------------------------------------------------------------ check
    def add_check(self, check: PlanCheck, *, heading: str) -> Report:
        """A plan check: the verdict in words, what is reachable, what binds, what it would take.

        Parameters
        ----------
        check
            A :class:`~gosplan.plan.diagnosis.PlanCheck` or a
            :class:`~gosplan.core.plan_check.PlanCheck` read back.
        heading
            Heading of the check's section.
        """
        sec = self._section(heading)
        unit = tables.labour_unit(check)
        sec.blocks.append(Paragraphs(check_words(check)))
        cost = float(check.total_labour_cost)
        sec.blocks.append(
            Definitions(
                (
                    ("feasible", "yes" if check.feasible else "no"),
                    (
                        "common level (one share of every target at once)",
                        tables.format_value(check.common_level, tables.PERCENT),
                    ),
                    (
                        "labour cost of the additions",
                        tables.format_labour(cost, unit) if cost else "none needed",
                    ),
                )
            )
        )
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
            s.blocks.append(Paragraphs(("The plan sets no targets.",)))
        s = self._section("Binding limits", 3, heading)
        if len(check.binding):
            self._figure(
                s,
                figures.shadow_prices(check.binding, title="What holds the targets back"),
                "Shadow prices of the limits in the least-shortfall plan: the fall of the "
                "weighted relative shortfall per unit more of the limit"
                + _symlog_note(check.binding),
            )
            self._table(
                s,
                tables.binding_table(
                    check.binding,
                    caption="Limits holding the targets back, with their shadow prices (fall of "
                    "the weighted relative shortfall per unit more), largest first.",
                ),
            )
        elif check.feasible:
            s.blocks.append(
                Paragraphs(("Nothing binds: every target can be met, so no limit holds it back.",))
            )
        else:
            s.blocks.append(Paragraphs(("No limit with a shadow price was found.",)))
        s = self._section("Additions", 3, heading)
        if len(check.additions):
            self._table(s, tables.additions_table(check))
        elif check.feasible:
            s.blocks.append(Paragraphs(("None needed: the targets can be met as they are.",)))
        else:
            s.blocks.append(
                Paragraphs(
                    (
                        "No addition of labour, capacity, resources or imports makes the "
                        "targets feasible.",
                    )
                )
            )
        plan = getattr(check, "plan", None)
        if plan is not None:
            s = self._section("The least-labour plan", 3, heading)
            s.blocks.append(Definitions(tuple(tables.summary_items(plan).items())))
            s = self._section("Provenance", 3, heading)
            s.blocks.append(Paragraphs(("How the least-labour plan was solved:",)))
            s.blocks.append(Preformatted(plan.summary()))
            if getattr(plan, "provenance", None):
                self.note_provenance(_solver_items(plan.provenance))
        if getattr(check, "provenance", None):
            self.note_provenance(dict(check.provenance))
        return self

    # ------------------------------------------------------------------ frontier
    def add_frontier(
        self, fr: FrontierResult | pd.DataFrame, *, heading: str, population_unit: str | None = None
    ) -> Report:
        """The accumulation–consumption frontier: table and figure.

        Parameters
        ----------
        fr
            A :class:`~gosplan.plan.frontier.FrontierResult`, a
            :class:`~gosplan.core.frontier_result.FrontierResult` or its table (a DataFrame).
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
        ok = table["status"].astype(str) == "optimal"
        sec.blocks.append(
            Paragraphs(
                (
                    f"{len(table)} investment shares; {int(ok.sum())} with an optimal plan. "
                    "Each point maximises consumption with the given share of capital spending "
                    "going to activities making means of production.",
                )
            )
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
        results = [r for r in getattr(fr, "results", ()) or () if r is not None]
        if results and getattr(results[0], "provenance", None):
            self.note_provenance(_solver_items(results[0].provenance))
        if getattr(fr, "provenance", None):
            self.note_provenance(dict(fr.provenance))
        return self

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
        from gosplan import __version__

        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        footer = f"Made by gosplan {__version__} on {stamp}."
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
    from gosplan import __version__

    items = tables.provenance_items(info)
    out: dict[str, str] = {}
    if not any(k in items for k in ("gosplan version", "gosplan")):
        out["gosplan version"] = __version__
    out.update(items)
    if stamp and "written" not in out:
        out["written"] = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return out


def _plan_provenance(result: PlanResult) -> tuple[tuple[str, str], ...]:
    """A plan's provenance with how it was solved (objective, LP size) first."""
    items = dict(tables.solver_items(result))
    items.update(_provenance(result.provenance, stamp=False))
    return tuple(items.items())


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
        A :class:`~gosplan.plan.diagnosis.PlanCheck` or a
        :class:`~gosplan.core.plan_check.PlanCheck` read back.

    Returns
    -------
    tuple of str
        Paragraphs.
    """
    unit = tables.labour_unit(check)
    if check.feasible:
        plan = getattr(check, "plan", None)
        words = "The targets can be met."
        if plan is not None and getattr(plan, "employment", None) is not None:
            labour = float(plan.employment.to_numpy(dtype=float).sum())
            words += (
                f" The least-labour plan uses {tables.format_labour(labour, unit)} over the "
                "horizon."
            )
        level = float(check.common_level)
        if np.isfinite(level) and level > 1 + 1e-6:
            words += (
                " Every target could even be raised by the same "
                f"{tables.format_value(level - 1, tables.PERCENT)} at once (the common level "
                f"is {tables.format_value(level, tables.PERCENT)})."
            )
        return (words,)
    paragraphs = [check.message()]
    reach = check.reachable
    if len(reach):
        target = pd.to_numeric(reach["target"], errors="coerce").astype(float)
        joint = pd.to_numeric(reach["reachable_jointly"], errors="coerce").astype(float)
        met = joint >= target * (1 - 1e-6)
        short = reach[~met & target.gt(0)]
        named = "; ".join(
            f"{row['product']} in {tables.format_year(row['period'])} ("
            + tables.format_value(float(row["reachable_jointly"]) / float(row["target"]), "percent")
            + " of its target)"
            for _, row in short.iterrows()
        )
        level = tables.format_value(check.common_level, tables.PERCENT)
        paragraphs.append(
            "All targets held together can mean two things. The common level, "
            f"{level}, is one share of every target met at once: all targets scaled down "
            "together until they fit. What is reachable in the least-shortfall plan is "
            "another plan: it makes the (priority-weighted) sum of relative shortfalls as "
            f"small as it can and so meets {int(met.sum())} of the {len(reach)} targets in "
            "full"
            + (f", putting the shortfall on {named}" if named else "")
            + ". Both hold all targets together; they differ in how the shortfall is shared."
        )
    return tuple(paragraphs)


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
