"""Fan charts of an ensemble and a comparison of its policies (matplotlib).

:func:`fan_chart` draws, over the steps, the median of a quantity across an ensemble's runs
with its 25-75 % and 5-95 % bands (:meth:`EnsembleResult.quantiles`), one colour per
variant; :func:`policy_comparison` sets the variants side by side on a quantity's total over
each run (a box of the middle half of the runs, whiskers from 5 to 95 %, the mean as a dot).
Both draw on axes the caller gives; :func:`fan_figure` and :func:`policy_figure` make a
figure of the report's style (Agg canvas, :func:`gosplan.report.figures.to_png`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from gosplan.core.ensemble_result import EnsembleResult, quantile_name
from gosplan.errors import InputError
from gosplan.report.figures import (
    MAX_WIDTH,
    PALETTE,
    SIZE,
    _labels,
    _legend,
    _styled,
    _tick,
    new_figure,
    series_style,
)

#: The bands of a fan chart: (low, high) quantiles and their opacity.
BANDS = ((0.05, 0.95, 0.18), (0.25, 0.75, 0.35))
#: Words for the quantities of a simulation (the column names otherwise).
WORDS = {
    "output": "output",
    "unmet_final": "final demand not met",
    "delivered_final": "final demand delivered",
    "demand": "orders received",
    "capacity": "capacity",
    "stocks": "stocks",
    "backlog": "backlog of orders",
}
#: The unit of every simulated quantity.
UNIT = "units per step"


def words(column: str) -> str:
    """A quantity in words (``unmet_final`` -> ``final demand not met``)."""
    return WORDS.get(column, column.replace("_", " "))


def _variants(result: EnsembleResult, variant: str | None) -> list[str]:
    names = result.variant_names
    if variant is None:
        return names
    if variant not in names:
        raise InputError(
            f"the ensemble has no variant {variant!r}; variants: {', '.join(names)}",
            source="fan chart",
            label=variant,
            check="unknown_label",
        )
    return [variant]


def fan_chart(
    ax: Any,
    result: EnsembleResult,
    product: str,
    column: str = "output",
    variant: str | None = None,
) -> Any:
    """The median of ``column`` over the runs, with its 25-75 % and 5-95 % bands, by step.

    Parameters
    ----------
    ax
        Matplotlib axes to draw on.
    result
        The ensemble.
    product
        The product whose quantity is drawn.
    column
        A quantity of the ensemble (default ``output``).
    variant
        One variant; ``None``: every variant, each in its own colour.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, with a line per variant (labelled ``<variant> median``) and a band per
        variant and band (``PolyCollection``, labelled ``<variant> 5-95 %``...).

    Raises
    ------
    InputError
        An unknown quantity, product or variant.
    """
    if product not in result.products:
        raise InputError(
            "the ensemble has no such product",
            source="fan chart",
            label=product,
            check="unknown_label",
        )
    table = result.quantiles(column)
    table = table[table["product"] == product]
    names = _variants(result, variant)
    for i, name in enumerate(names):
        rows = table[table["variant"] == name]
        steps = rows["step"].to_numpy()
        colour = PALETTE[i % len(PALETTE)]
        for low, high, alpha in BANDS:
            ax.fill_between(
                steps,
                rows[quantile_name(low)].to_numpy(),
                rows[quantile_name(high)].to_numpy(),
                color=colour,
                alpha=alpha,
                linewidth=0,
                label=f"{name} {100 * low:g}-{100 * high:g} %",
            )
        style = {**series_style(i), "marker": None}
        ax.plot(steps, rows[quantile_name(0.5)].to_numpy(), label=f"{name} median", **style)
    runs = len(result.run_numbers)
    _labels(
        ax,
        f"{product}: {words(column)} over {runs} runs (median, 25-75 % and 5-95 %)",
        "step",
        f"{words(column)} ({UNIT})",
    )
    ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    _legend(ax, 3 * len(names))
    return ax


def policy_comparison(
    ax: Any,
    result: EnsembleResult,
    column: str = "unmet_final",
    weights: Any = None,
    unit: str = "units",
) -> Any:
    """The variants side by side on the total of ``column`` over each run.

    A box per variant spans the middle half of the runs' totals (25 to 75 %), its line the
    median, its whiskers 5 to 95 %; the dot is the mean (:meth:`EnsembleResult.compare`).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``; the variants are its tick labels, in the ensemble's order.

    Raises
    ------
    InputError
        An unknown quantity.
    """
    totals = result.totals(column, weights)
    names = result.variant_names
    data = [totals.loc[totals["variant"] == n, "total"].to_numpy(dtype=float) for n in names]
    positions = np.arange(1, len(names) + 1)
    parts = ax.boxplot(
        data,
        positions=positions,
        whis=(5, 95),
        showfliers=False,
        patch_artist=True,
        widths=0.5,
    )
    for i, box in enumerate(parts["boxes"]):
        box.set_facecolor(PALETTE[i % len(PALETTE)])
        box.set_alpha(0.45)
    means = [float(np.mean(d)) if len(d) else np.nan for d in data]
    ax.plot(positions, means, linestyle="none", marker="o", color="black", label="mean")
    ax.set_xticks(positions, names)
    runs = len(result.run_numbers)
    _labels(
        ax,
        f"Policies compared: {words(column)}, total over each of {runs} runs",
        "policy variant",
        f"total {words(column)} ({unit})",
    )
    ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    return ax


@_styled
def fan_figure(
    result: EnsembleResult, product: str, column: str = "output", variant: str | None = None
) -> Figure:
    """A figure with the fan chart of one product (see :func:`fan_chart`)."""
    fig, (ax,) = new_figure((MAX_WIDTH, SIZE[1]))
    fan_chart(ax, result, product, column, variant)
    return fig


@_styled
def policy_figure(
    result: EnsembleResult, column: str = "unmet_final", weights: Any = None, unit: str = "units"
) -> Figure:
    """A figure comparing the policies (see :func:`policy_comparison`)."""
    fig, (ax,) = new_figure()
    policy_comparison(ax, result, column, weights, unit)
    return fig
