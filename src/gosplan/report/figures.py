"""Matplotlib figures made from display frames.

Every function returns a new :class:`matplotlib.figure.Figure` (never pyplot's global state),
with a title, labelled axes (with units) and a legend where there is more than one series.
Legends sit outside the plotting area (right of it), so they never cover the data; series
beyond the ten colours of the palette change line style and marker, so no two look alike.
Rendering to PNG goes through the Agg canvas (:func:`to_png`) with a tight bounding box, so
no label is clipped.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from gosplan.report.tables import fold_dimensions, format_value, optimal_rows, per_head_words

#: Default figure size in inches and resolution of the embedded PNG (the report's column is
#: about 9.3 inches at this resolution: wider figures are shrunk, and their text with them).
SIZE = (7.5, 4.0)
MAX_WIDTH = 9.3
DPI = 110
#: At most this many series are drawn in one line chart (the largest by magnitude).
MAX_SERIES = 12
#: Lines drawn in the output-paths figure (the rest are in its table).
OUTPUT_SERIES = 6
#: Shadow prices spreading over more than this ratio (largest / smallest in magnitude) are
#: drawn on a symmetric log scale, so that the small ones stay visible.
SYMLOG_SPREAD = 100.0

#: Qualitative palette (matplotlib's tab10), then line styles and markers for series 11+.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D")
#: Colours of stacked bars (well apart from each other, and from a legend's white ground).
STACK_COLOURS = ("#1f5f99", "#e8a33d", "#5b9c47", "#b6404a", "#8064a2", "#7a7a7a")

STYLE: dict[str, Any] = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
}

_POS, _NEG = "#3b7d3b", "#b03a2e"


def _tick(value: float, _pos: Any = None) -> str:
    return format_value(float(value))


F = TypeVar("F", bound=Callable[..., Any])


def _styled(func: F) -> F:
    """Run a figure function with the report's font sizes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with mpl.rc_context(STYLE):  # type: ignore[arg-type]
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(size: tuple[float, float] = SIZE, ncols: int = 1) -> tuple[Figure, list]:
    """A figure with an Agg canvas and ``ncols`` axes side by side."""
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, squeeze=False)[0].tolist()
    return fig, axes


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes (tight bounding box: nothing outside the axes is clipped)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.08)
    return buf.getvalue()


def series_style(i: int) -> dict[str, Any]:
    """Colour, line style and marker of the ``i``-th series (distinct for 40 series)."""
    block = (i // len(PALETTE)) % len(LINESTYLES)
    return {
        "color": PALETTE[i % len(PALETTE)],
        "linestyle": LINESTYLES[block],
        "marker": MARKERS[block],
    }


def _stack(ax: Any, x: np.ndarray, layers: Iterable[tuple[Any, np.ndarray]]) -> None:
    """Bars at ``x`` stacked on each other, one layer per ``(label, heights)``."""
    bottom = np.zeros(len(x))
    for j, (label, heights) in enumerate(layers):
        colour = STACK_COLOURS[j % len(STACK_COLOURS)]
        ax.bar(x, heights, bottom=bottom, label=str(label), color=colour, edgecolor="white")
        bottom += heights


def _largest(frame: pd.DataFrame, n: int = MAX_SERIES) -> pd.DataFrame:
    if len(frame) <= n:
        return frame
    size = frame.abs().max(axis=1).sort_values(ascending=False)
    return frame.loc[size.index[:n]]


def _wrap(label: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def _labels(ax: Any, title: str, xlabel: str, ylabel: str) -> None:
    """Title, axis labels and a light grid of one panel."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)


def _legend(ax, n: int) -> None:
    """A legend right of the axes (outside the data)."""
    if n > 1:
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            borderaxespad=0.0,
            frameon=False,
            ncols=2 if n > 16 else 1,
        )


def merge_equal_rows(
    frame: pd.DataFrame, rtol: float = 1e-6, noun: str = "products"
) -> pd.DataFrame:
    """Rows that are equal (within ``rtol``) merged into one, labelled with their names.

    Lines that coincide would hide one another; merged, the legend says which products
    follow the path (``"grain, meat and 10 more"``; ``"all 12 products"`` when every row
    does).
    """
    groups: list[list[Any]] = []
    values: list[np.ndarray] = []
    data = frame.astype(float)
    for label, row in data.iterrows():
        x = row.to_numpy(float)
        for k, v in enumerate(values):
            same = np.isnan(x) == np.isnan(v)
            ok = ~np.isnan(x)
            if same.all() and np.allclose(x[ok], v[ok], rtol=rtol, atol=1e-12):
                groups[k].append(label)
                break
        else:
            groups.append([label])
            values.append(x)

    def name(labels: list[Any]) -> str:
        labels = [str(v) for v in labels]
        if len(groups) == 1 and len(labels) > 3:
            return f"all {len(labels)} {noun}"
        if len(labels) <= 3:
            return ", ".join(labels)
        return f"{labels[0]}, {labels[1]} and {len(labels) - 2} more"

    return pd.DataFrame(
        np.array(values) if values else np.empty((0, data.shape[1])),
        index=pd.Index([name(g) for g in groups], name=frame.index.name),
        columns=data.columns,
    )


@_styled
def lines_over_periods(
    frame: pd.DataFrame,
    *,
    title: str,
    ylabel: str,
    xlabel: str = "period",
    merge_equal: bool = False,
    max_series: int = MAX_SERIES,
) -> Figure:
    """One line per row of a labels x periods frame (at most ``max_series``).

    With ``merge_equal``, rows that coincide are drawn as one line (see
    :func:`merge_equal_rows`). Beyond ``max_series`` rows the largest in magnitude are drawn.
    """
    fig, (ax,) = new_figure()
    data = frame.astype(float)
    merged = False
    if merge_equal:
        data = merge_equal_rows(data)
        merged = len(data) < len(frame)
    data = _largest(data, max_series)
    x = [str(c) for c in data.columns]
    for i, (label, row) in enumerate(data.iterrows()):
        ax.plot(x, row.to_numpy(float), label=_wrap(str(label)), **series_style(i))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    _legend(ax, max(len(data), 2 if merged else 1))
    return fig


def mark_horizon_end(ax: Any, n: int) -> None:
    """Shade the last of ``n`` categorical x positions: the plan's last year.

    What a plan does there (little construction, means of production left over, stocks run
    down) is an effect of the horizon ending, not a finding about the economy.
    """
    if n < 2:
        return
    ax.axvspan(n - 1.5, n - 0.5, color="#7a7a7a", alpha=0.12, lw=0, zorder=0)
    ax.text(
        n - 1,
        1.0,
        "end of horizon",
        transform=ax.get_xaxis_transform(),
        ha="center",
        va="bottom",
        fontsize=8,
        color="#555555",
    )


def output_index(index: pd.DataFrame, *, first: str, max_series: int = OUTPUT_SERIES) -> Figure:
    """Output paths: each product's output as an index, ``first`` (the base) = 100.

    Only the ``max_series`` paths largest in magnitude are drawn (products on one path
    merged first); the table beside the figure has them all.
    """
    fig = lines_over_periods(
        index,
        title="Output paths by product",
        ylabel=f"gross output, index ({first} = 100)",
        merge_equal=True,
        max_series=max_series,
    )
    fig.axes[0].axhline(100.0, color="grey", lw=0.8, ls="--")
    ax = fig.axes[0]
    mark_horizon_end(ax, index.shape[1])
    ax.set_title(ax.get_title(), pad=14)
    return fig


@_styled
def stacked_shares(shares: pd.DataFrame, *, title: str, horizon_end: bool = False) -> Figure:
    """Stacked bars of shares (rows = periods, columns = groups), in percent.

    With ``horizon_end``, the last period is shaded and marked as the end of the horizon.
    """
    fig, (ax,) = new_figure()
    data = shares.astype(float).fillna(0.0) * 100.0
    x = np.arange(len(data))
    _stack(ax, x, ((col, data[col].to_numpy()) for col in data.columns))
    ax.set_xticks(x, [str(i) for i in data.index])
    ax.set_ylim(0, 105)
    if horizon_end:
        mark_horizon_end(ax, len(data))
    ax.set_title(title, pad=14 if horizon_end else 6)
    ax.set_xlabel("period")
    ax.set_ylabel("share of capital spending (%)")
    ax.grid(axis="y", alpha=0.3)
    _legend(ax, len(data.columns))
    return fig


@_styled
def stacked_over_periods(frame: pd.DataFrame, *, title: str, ylabel: str) -> Figure:
    """Stacked bars of a labels x periods frame (e.g. employment by labour type)."""
    fig, (ax,) = new_figure()
    data = frame.astype(float).fillna(0.0)
    x = np.arange(len(data.columns))
    _stack(ax, x, ((label, row.to_numpy()) for label, row in data.iterrows()))
    ax.set_xticks(x, [str(c) for c in data.columns])
    ax.set_title(title)
    ax.set_xlabel("period")
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    ax.grid(axis="y", alpha=0.3)
    _legend(ax, len(data))
    return fig


@_styled
def signed_bars(values: pd.Series, *, title: str, xlabel: str) -> Figure:
    """Horizontal bars, positive green and negative red, one per label."""
    height = max(2.5, 0.3 * len(values) + 1.2)
    fig, (ax,) = new_figure((SIZE[0], min(height, 12.0)))
    vals = values.astype(float).to_numpy()
    y = np.arange(len(values))
    ax.barh(y, vals, color=np.where(vals >= 0, _POS, _NEG))
    ax.set_yticks(y, [str(i) for i in values.index])
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", lw=0.8)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    return fig


def balance_surplus(share: pd.Series) -> Figure:
    """Surplus (green) or deficit (red) of each product as a percentage of its capacity."""
    return signed_bars(
        share * 100.0,
        title="Surplus (+) or deficit (−) against capacity",
        xlabel="capacity − gross output (% of capacity)",
    )


def shadow_prices(binding: pd.DataFrame, *, title: str, n: int = 15) -> Figure:
    """The largest shadow prices of binding constraints as horizontal bars."""
    frame = fold_dimensions(binding)
    frame["shadow_price"] = pd.to_numeric(frame["shadow_price"], errors="coerce").astype(float)
    frame = frame.reindex(frame["shadow_price"].abs().sort_values(ascending=False).index).head(n)
    labels = [
        f"{b}: {lab} ({p})"
        for b, lab, p in zip(frame["block"], frame["label"], frame["period"], strict=True)
    ]
    values = frame["shadow_price"].to_numpy()
    symlog = needs_symlog(values)
    fig = signed_bars(
        pd.Series(values, index=labels),
        title=title,
        xlabel="shadow price (objective units per unit of the bound)"
        + (", symmetric log scale" if symlog else ""),
    )
    if symlog:
        ax = fig.axes[0]
        ok = values[np.isfinite(values)]
        thresh = float(np.abs(ok[ok != 0]).min())
        ax.set_xscale("symlog", linthresh=thresh)
        # A decade of room beyond the longest bars for their value labels.
        low, high = min(float(ok.min()), 0.0), max(float(ok.max()), 0.0)
        left, right = (low * 10 if low < 0 else -thresh), (high * 10 if high > 0 else thresh)
        ax.set_xlim(left, right)
        # Decades outside the linear part near zero, and zero (no crowded labels there).
        first = math.ceil(math.log10(thresh)) + 1
        ticks = [0.0]
        for sign, end in ((-1.0, -left), (1.0, right)):
            if end > thresh:
                ticks += [sign * 10.0**k for k in range(first, math.floor(math.log10(end)) + 1)]
        ax.set_xticks(sorted(ticks))
        for y, v in enumerate(values):
            if np.isfinite(v):
                ax.annotate(
                    f"{v:.2g}",
                    (v, y),
                    xytext=(3 if v >= 0 else -3, 0),
                    textcoords="offset points",
                    ha="left" if v >= 0 else "right",
                    va="center",
                    fontsize=8,
                )
    return fig


def needs_symlog(values: Any, spread: float = SYMLOG_SPREAD) -> bool:
    """Whether bars of ``values`` spread over more than ``spread`` (largest / smallest).

    Examples
    --------
    >>> needs_symlog([0.07, -1e-5]), needs_symlog([0.07, 0.01])
    (True, False)
    """
    x = np.abs(np.asarray(values, dtype=float))
    x = x[np.isfinite(x) & (x > 0)]
    return bool(x.size > 1 and x.max() / x.min() > spread)


def _bar_label(value: float, unit: str) -> str:
    if math.isinf(value):
        return "no limit"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return f"{text}{unit}"


def _mark_capped(
    ax: Any, bars: Any, over: np.ndarray, values: np.ndarray, cap: float, unit: str
) -> None:
    """Hatch the bars cut at ``cap`` and label each with its value."""
    for bar, flag, value in zip(bars, over, values, strict=True):
        if not flag:
            continue
        bar.set_hatch("///")
        bar.set_edgecolor("white")
        ax.annotate(
            _bar_label(value, unit),
            (bar.get_x() + bar.get_width() / 2, cap),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            rotation=90,
            fontsize=8,
        )


@_styled
def grouped_bars(
    frame: pd.DataFrame,
    *,
    title: str,
    ylabel: str,
    reference: float | None = None,
    cap: float | None = None,
    value_unit: str = "",
) -> Figure:
    """Grouped vertical bars: groups = rows, one bar per column.

    Parameters
    ----------
    frame
        Groups (rows) by series (columns).
    title, ylabel
        Title and label of the value axis (with its unit).
    reference
        A dashed horizontal line at this value (e.g. 100 for an index).
    cap
        Bars above ``cap`` are drawn up to it, hatched, and labelled with their value
        (``value_unit`` appended), so one large value does not flatten the rest; infinite
        values read "no limit".
    """
    data = frame.astype(float)
    n, k = len(data), max(len(data.columns), 1)
    width_in = min(MAX_WIDTH, max(SIZE[0], 0.18 * n * k + 3.0))
    fig, (ax,) = new_figure((width_in, SIZE[1] + 0.6))
    width = 0.8 / k
    x = np.arange(n)
    capped_any = False
    for j, col in enumerate(data.columns):
        raw = data[col].to_numpy(float)
        vals = np.nan_to_num(raw, nan=0.0, posinf=np.inf)
        over = np.zeros(n, dtype=bool)
        if cap is not None:
            over = vals > cap
            vals = np.where(over, cap, vals)
        pos = x + (j - (k - 1) / 2) * width
        bars = ax.bar(pos, vals, width, label=str(col), color=PALETTE[j % len(PALETTE)])
        if cap is not None and over.any():
            capped_any = True
            _mark_capped(ax, bars, over, raw, cap, value_unit)
    if reference is not None:
        ax.axhline(reference, color="grey", lw=0.8, ls="--")
    if capped_any and cap is not None:
        ax.set_ylim(0, cap * 1.22)
    labels = [str(i) for i in data.index]
    long = n > 6 or max((len(s) for s in labels), default=0) > 12
    if long:
        ax.set_xticks(x, labels, rotation=35, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks(x, labels)
    ax.set_title(title)
    ax.set_xlabel(str(data.index.name or "product"))
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    _legend(ax, len(data.columns))
    return fig


#: Bars of :func:`reachable` above this percentage are capped and labelled.
REACHABLE_CAP = 1000.0


def reachable(frame: pd.DataFrame) -> Figure:
    """What is reachable in the least-shortfall plan and alone, as a % of each target.

    ``frame`` has ``target``, ``period`` and the columns
    :data:`~gosplan.report.tables.LEAST_SHORTFALL` (or ``reachable jointly``) and ``reachable
    alone``. Bars above :data:`REACHABLE_CAP` % are capped and labelled with their value.
    """
    target = frame["target"].astype(float).to_numpy()
    columns = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for col in (
            "reachable in the least-shortfall plan",
            "reachable jointly",
            "reachable alone",
        ):
            if col in frame:
                columns[col] = 100.0 * frame[col].astype(float).to_numpy() / target
    rel = pd.DataFrame(columns)
    rel.index = pd.Index(
        [f"{p} ({t})" for p, t in zip(frame.index, frame["period"], strict=True)],
        name="target (period)",
    )
    finite = rel.to_numpy()[np.isfinite(rel.to_numpy())]
    needs_cap = bool((~np.isfinite(rel.to_numpy()) & ~np.isnan(rel.to_numpy())).any()) or (
        finite.size > 0 and finite.max() > REACHABLE_CAP
    )
    return grouped_bars(
        rel,
        title="Targets: what can be reached",
        ylabel="% of the target",
        reference=100.0,
        cap=REACHABLE_CAP if needs_cap else None,
        value_unit=" %",
    )


@_styled
def frontier(
    table: pd.DataFrame, unit: str = "person-years", population_unit: str | None = None
) -> Figure:
    """Consumption (and per head) and terminal capacity against the investment share.

    Consumption and capacity are valued in labour, ``unit`` being the unit of labour. With
    consumption per head in the table, it gets its own panel (it follows total consumption
    closely, so on a second axis the two lines would hide each other).
    """
    ok = table[optimal_rows(table)]
    per_head = ok.get("consumption_per_head")
    has_head = per_head is not None and per_head.notna().any()
    if has_head:
        fig = Figure(figsize=(MAX_WIDTH, 7.2), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplot_mosaic([["cons", "head"], ["cap", "cap"]])
        left, head, right = axes["cons"], axes["head"], axes["cap"]
    else:
        fig, (left, right) = new_figure((MAX_WIDTH, 4.0), ncols=2)
        head = None
    share = 100.0 * ok["share"].astype(float).to_numpy()
    xlabel = "share of investment in means of production (%)"
    left.plot(share, ok["cumulative_consumption"].astype(float), **series_style(0))
    _labels(left, "Consumption over the horizon", xlabel, f"consumption ({unit})")
    if head is not None:
        head.plot(share, per_head.astype(float), **series_style(1))
        per = per_head_words(population_unit)
        _labels(head, "Consumption per head", xlabel, _wrap(f"{unit} {per}", 34))
    right.plot(
        share,
        ok["terminal_capacity_value"].astype(float),
        label="all activities",
        **series_style(0),
    )
    right.plot(
        share,
        ok["terminal_means_of_production_capacity"].astype(float),
        label="means of production",
        **series_style(2),
    )
    _labels(
        right,
        "Capacity left at the end of the horizon",
        xlabel,
        _wrap(f"terminal capacity ({unit})", 30),
    )
    _legend(right, 2)
    for ax in (left, head, right):
        if ax is not None:
            ax.yaxis.set_major_formatter(FuncFormatter(_tick))
    return fig


@_styled
def accepted_shares(shares: pd.Series) -> Figure:
    """Horizontal bars of the accepted share of each counter-plan (percent, 0 to 100)."""
    height = max(2.5, 0.35 * len(shares) + 1.3)
    fig, (ax,) = new_figure((SIZE[0], min(height, 12.0)))
    vals = np.clip(shares.astype(float).to_numpy() * 100.0, 0.0, 100.0)
    y = np.arange(len(shares))
    colours = np.where(vals >= 100.0 - 1e-7, _POS, np.where(vals <= 1e-7, _NEG, "#e8a33d"))
    ax.barh(y, vals, color=colours)
    for yi, v in zip(y, vals, strict=True):
        ax.text(
            min(v, 100.0) + 1.0, yi, format_value(v / 100.0, "percent"), va="center", fontsize=8
        )
    ax.set_yticks(y, [_wrap(str(i), 40) for i in shares.index])
    ax.invert_yaxis()
    ax.set_xlim(0, 115)
    ax.axvline(100.0, color="grey", lw=0.8, ls="--")
    ax.set_title("Share of each counter-plan that can be accepted")
    ax.set_xlabel("accepted share of the extra output (%)")
    ax.grid(axis="x", alpha=0.3)
    return fig


@_styled
def fulfilment_lines(paths: pd.DataFrame, max_series: int = MAX_SERIES) -> Figure:
    """The share of the plan fulfilled per report, one line per unit (percent; 100 dashed).

    Beyond ``max_series`` units the ones farthest from 100 % at some report are drawn.
    """
    fig, (ax,) = new_figure((SIZE[0] + 1.0, SIZE[1]))
    data = paths.astype(float) * 100.0
    if len(data) > max_series:
        far = (data - 100.0).abs().max(axis=1).sort_values(ascending=False)
        data = data.loc[far.index[:max_series]]
    x = np.arange(data.shape[1])
    for i, (label, row) in enumerate(data.iterrows()):
        ax.plot(x, row.to_numpy(float), label=_wrap(str(label)), markersize=3, **series_style(i))
    step = max(1, math.ceil(len(x) / 12))
    ax.set_xticks(x[::step], [str(c) for c in data.columns][::step], rotation=35, ha="right")
    ax.axhline(100.0, color="grey", lw=0.8, ls="--")
    _labels(ax, "Fulfilment of the plan by trust", "report (period-month)", "output / plan (%)")
    _legend(ax, len(data))
    return fig
