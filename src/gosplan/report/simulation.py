"""Report sections of a simulated run and of an ensemble of runs.

:func:`add_simulation` shows a :class:`~gosplan.core.simulation_result.SimulationResult`: the
output as a percentage of the planned and the final demand not met, by product and period,
what limited each product most often, and the output against the plan over the steps;
:func:`add_ensemble` shows an :class:`~gosplan.core.ensemble_result.EnsembleResult`: the
policies compared and fan charts of the products hit hardest. Products in unlike units are
never added up: shares are taken product by product, and an ensemble's totals count each
product in steps of its own average final demand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gosplan.core.ensemble_result import EnsembleResult
from gosplan.core.simulation_result import SimulationResult
from gosplan.report.figures import MAX_WIDTH, SIZE, _labels, _legend, _styled, new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from gosplan.report.build import Report

#: Products shown in a figure.
SHOWN = 4


def _periods(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index()
    out.columns = [str(c) for c in out.columns]
    return out


def limits_table(result: SimulationResult) -> pd.DataFrame:
    """Per product: the share of steps at each kind of limit, and its most frequent input."""
    limits = result.limits.assign(limiting=result.limits["limiting"].astype(str))
    kind = limits["limiting"].str.split(":", n=1).str[0]
    counts = pd.crosstab(limits["product"].astype(str), kind, normalize="index") * 100.0
    inputs = limits[kind == "input"]
    top = (
        inputs.groupby(inputs["product"].astype(str))["limiting"]
        .agg(lambda s: s.value_counts().index[0].split(":", 1)[1])
        .rename("most limiting input")
    )
    out = counts.join(top, how="left").fillna({"most limiting input": ""})
    out.columns = [f"% of steps: {c}" if c != "most limiting input" else c for c in out.columns]
    return out.reset_index().rename(columns={"index": "product"})


@_styled
def fulfilment_figure(result: SimulationResult) -> Figure:
    """Output as % of the planned over the steps, for the products that lost most."""
    output, planned = result.series("output"), result.series("planned")
    share = 100.0 * output / planned.where(planned > 0)
    lost = (planned - output).clip(lower=0).sum() / planned.sum().where(planned.sum() > 0)
    chosen = list(lost.fillna(0).sort_values(ascending=False).index[:SHOWN])
    fig, (ax,) = new_figure((MAX_WIDTH, SIZE[1]))
    for product in chosen:
        ax.plot(share.index, share[product].to_numpy(), label=str(product))
    _labels(ax, "Output as % of the plan, the products that lost most", "step", "% of planned")
    _legend(ax, len(chosen))
    return fig


def add_simulation(rep: Report, result: SimulationResult, *, heading: str) -> None:
    """A simulated run: fulfilment, unmet demand and limits by product, with a figure."""
    prov = result.provenance
    rep.add_text(
        heading,
        f"{result.steps:,} steps ({prov.get('step', 'steps')}) of {prov.get('products', '?')} "
        f"products, rationing {result.rationing}, {prov.get('shocks', 0)} shocks"
        + (f", re-planned {prov['replans']} times ({prov['replan']})" if "replan" in prov else "")
        + ".",
    )
    rep.add_table(
        "Output as % of the plan",
        _periods(result.plan_fulfilment().round(2)),
        caption="Simulated output over each period as a percentage of the planned (the "
        "equilibrium output of the period's plan), by product.",
    )
    rep.add_figure("Output against the plan", fulfilment_figure(result), same_section=True,
                   caption="Output of each step as a percentage of the planned.")  # fmt: skip
    rep.add_table(
        "Final demand not met",
        _periods(result.unmet_share().round(2)),
        caption="Final demand left unmet over each period, percent of the product's final demand.",
    )
    rep.add_table(
        "What limited output",
        limits_table(result).round(1),
        caption="Per product, the percentage of steps at which its output was bounded by "
        "demand (all it was asked for), capacity, an input (the scarcest; the most frequent "
        "one named) or labour.",
    )


def relative_weights(result: EnsembleResult) -> pd.Series | None:
    """1 / each product's average final demand per step: weights that make products alike."""
    if "delivered_final" not in result.quantities or "unmet_final" not in result.quantities:
        return None
    runs = result.runs
    demand = runs["delivered_final"].to_numpy(float) + runs["unmet_final"].to_numpy(float)
    mean = pd.Series(demand).groupby(runs["product"].astype(str).to_numpy()).mean()
    return (1.0 / mean.where(mean > 0)).fillna(0.0)


def add_ensemble(rep: Report, result: EnsembleResult, *, heading: str) -> None:
    """An ensemble: the policies compared, and fan charts of the products hit hardest."""
    from gosplan.report.fan_charts import fan_figure, policy_figure

    runs = len(result.run_numbers)
    rep.add_text(
        heading,
        f"{runs} runs of each of {len(result.variant_names)} variants "
        f"({', '.join(result.variant_names)}), run r of every variant on the same seed.",
    )
    weights = relative_weights(result)
    if weights is not None and "unmet_final" in result.quantities:
        table = result.compare("unmet_final", weights=weights).round(3)
        rep.add_table(
            "The policies compared",
            table,
            caption="Final demand not met over each run, every product counted in steps of "
            "its own average final demand and summed (so unlike units are not added): mean, "
            "spread and quantiles over the runs.",
        )
        rep.add_figure("Policies", policy_figure(result, "unmet_final", weights, "steps of "
                       "final demand"), same_section=True, caption="Boxes 25–75 %, whiskers "
                       "5–95 %, the dot the mean.")  # fmt: skip
    for product in hardest(result):
        rep.add_figure(
            f"Fan chart: {product}",
            fan_figure(result, product, "output"),
            caption=f"Output of {product} per step: median of the runs, 25–75 % and 5–95 %.",
        )


def hardest(result: EnsembleResult, n: int = 2) -> list[str]:
    """The products whose output falls furthest below its first step's, at the median.

    The median of each variant counts; a product's fall is its largest in any variant.
    """
    median = result.quantiles("output", (0.5,))
    column = median.columns[-1]
    median = median.assign(product=median["product"].astype(str))
    first = median[median["step"] == median["step"].min()].groupby("product")[column].mean()
    low = median.groupby("product")[column].min()
    drop = (1.0 - low / first.reindex(low.index).where(first > 0)).replace(np.inf, np.nan)
    return [str(p) for p in drop.dropna().sort_values(ascending=False).index[:n]]
