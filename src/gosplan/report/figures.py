"""Matplotlib figures made from display frames.

Every function returns a new :class:`matplotlib.figure.Figure` (never pyplot's global state),
with a title, labelled axes (with units) and a legend where there is more than one series.
Rendering to PNG goes through the Agg canvas (:func:`to_png`).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: Default figure size in inches and resolution of the embedded PNG.
SIZE = (7.5, 4.0)
DPI = 110
#: At most this many series are drawn in one line chart (the largest by the first column).
MAX_SERIES = 12

_POS, _NEG = "#3b7d3b", "#b03a2e"


def new_figure(size: tuple[float, float] = SIZE, ncols: int = 1) -> tuple[Figure, list]:
    """A figure with an Agg canvas and ``ncols`` axes side by side."""
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, squeeze=False)[0].tolist()
    return fig, axes


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _largest(frame: pd.DataFrame, n: int = MAX_SERIES) -> pd.DataFrame:
    if len(frame) <= n:
        return frame
    size = frame.abs().max(axis=1).sort_values(ascending=False)
    return frame.loc[size.index[:n]]


def _legend(ax, n: int) -> None:
    if n > 1:
        ax.legend(fontsize="small", ncols=2 if n > 6 else 1, frameon=False)


def lines_over_periods(
    frame: pd.DataFrame, *, title: str, ylabel: str, xlabel: str = "period"
) -> Figure:
    """One line per row of a labels x periods frame."""
    fig, (ax,) = new_figure()
    data = _largest(frame.astype(float))
    x = [str(c) for c in data.columns]
    for label, row in data.iterrows():
        ax.plot(x, row.to_numpy(float), marker="o", label=str(label))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    _legend(ax, len(data))
    return fig


def output_index(index: pd.DataFrame, *, first: str) -> Figure:
    """Output paths: each product's output as an index, first period = 100."""
    fig = lines_over_periods(
        index, title="Output paths by product", ylabel=f"gross output, index ({first} = 100)"
    )
    fig.axes[0].axhline(100.0, color="grey", lw=0.8, ls="--")
    return fig


def stacked_shares(shares: pd.DataFrame, *, title: str) -> Figure:
    """Stacked bars of shares (rows = periods, columns = groups), in percent."""
    fig, (ax,) = new_figure()
    data = shares.astype(float).fillna(0.0) * 100.0
    x = np.arange(len(data))
    bottom = np.zeros(len(data))
    for col in data.columns:
        vals = data[col].to_numpy()
        ax.bar(x, vals, bottom=bottom, label=str(col))
        bottom += vals
    ax.set_xticks(x, [str(i) for i in data.index])
    ax.set_ylim(0, 105)
    ax.set_title(title)
    ax.set_xlabel("period")
    ax.set_ylabel("share of capital spending (%)")
    ax.grid(axis="y", alpha=0.3)
    _legend(ax, len(data.columns))
    return fig


def stacked_over_periods(frame: pd.DataFrame, *, title: str, ylabel: str) -> Figure:
    """Stacked bars of a labels x periods frame (e.g. employment by labour type)."""
    fig, (ax,) = new_figure()
    data = frame.astype(float).fillna(0.0)
    x = np.arange(len(data.columns))
    bottom = np.zeros(len(data.columns))
    for label, row in data.iterrows():
        vals = row.to_numpy()
        ax.bar(x, vals, bottom=bottom, label=str(label))
        bottom += vals
    ax.set_xticks(x, [str(c) for c in data.columns])
    ax.set_title(title)
    ax.set_xlabel("period")
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    _legend(ax, len(data))
    return fig


def signed_bars(values: pd.Series, *, title: str, xlabel: str) -> Figure:
    """Horizontal bars, positive green and negative red, one per label."""
    height = max(2.5, 0.35 * len(values) + 1.2)
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
    frame = binding.copy()
    frame["shadow_price"] = pd.to_numeric(frame["shadow_price"], errors="coerce").astype(float)
    frame = frame.reindex(frame["shadow_price"].abs().sort_values(ascending=False).index).head(n)
    labels = [
        f"{b}: {lab} ({p})"
        for b, lab, p in zip(frame["block"], frame["label"], frame["period"], strict=True)
    ]
    return signed_bars(
        pd.Series(frame["shadow_price"].to_numpy(), index=labels),
        title=title,
        xlabel="shadow price (objective units per unit of the bound)",
    )


def grouped_bars(
    frame: pd.DataFrame, *, title: str, ylabel: str, reference: float | None = None
) -> Figure:
    """Grouped vertical bars: groups = rows, one bar per column."""
    data = frame.astype(float)
    fig, (ax,) = new_figure((max(SIZE[0], 0.9 * len(data) + 3), SIZE[1]))
    k = max(len(data.columns), 1)
    width = 0.8 / k
    x = np.arange(len(data))
    for j, col in enumerate(data.columns):
        ax.bar(
            x + (j - (k - 1) / 2) * width, data[col].fillna(0.0).to_numpy(), width, label=str(col)
        )
    if reference is not None:
        ax.axhline(reference, color="grey", lw=0.8, ls="--")
    ax.set_xticks(x, [str(i) for i in data.index])
    ax.set_title(title)
    ax.set_xlabel(str(data.index.name or "product"))
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    _legend(ax, len(data.columns))
    return fig


def reachable(frame: pd.DataFrame) -> Figure:
    """What is reachable jointly and alone, as a percentage of each target."""
    target = frame["target"].astype(float).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = pd.DataFrame(
            {
                "reachable jointly": 100.0 * frame["reachable jointly"].astype(float) / target,
                "reachable alone": 100.0 * frame["reachable alone"].astype(float) / target,
            }
        )
    rel.index = pd.Index(
        [f"{p} ({t})" for p, t in zip(frame.index, frame["period"], strict=True)],
        name="target (period)",
    )
    rel = rel.clip(upper=1000.0)
    return grouped_bars(
        rel, title="Targets: what can be reached", ylabel="% of the target", reference=100.0
    )


def frontier(table: pd.DataFrame, unit: str = "person-years") -> Figure:
    """Consumption and terminal capacity against the investment share (two panels).

    Consumption and capacity are valued in labour, ``unit`` being the unit of labour.
    """
    fig, (left, right) = new_figure((10.0, 4.0), ncols=2)
    ok = table[table["status"].astype(str) == "optimal"] if "status" in table else table
    share = 100.0 * ok["share"].astype(float).to_numpy()
    left.plot(
        share,
        ok["cumulative_consumption"].astype(float),
        marker="o",
        label="cumulative consumption",
    )
    left.set_title("Consumption over the horizon")
    left.set_xlabel("share of investment in means of production (%)")
    left.set_ylabel(f"cumulative consumption ({unit})")
    left.grid(alpha=0.3)
    per_head = ok.get("consumption_per_head")
    if per_head is not None and per_head.notna().any():
        twin = left.twinx()
        twin.plot(
            share, per_head.astype(float), marker="s", ls="--", color="#b06000", label="per head"
        )
        twin.set_ylabel(f"consumption per head ({unit} per person)")
        lines = left.get_lines() + twin.get_lines()
        left.legend(lines, [ln.get_label() for ln in lines], fontsize="small", frameon=False)
    right.plot(
        share, ok["terminal_capacity_value"].astype(float), marker="o", label="all activities"
    )
    right.plot(
        share,
        ok["terminal_means_of_production_capacity"].astype(float),
        marker="^",
        label="means of production",
    )
    right.set_title("Capacity left at the end of the horizon")
    right.set_xlabel("share of investment in means of production (%)")
    right.set_ylabel(f"terminal capacity ({unit})")
    right.grid(alpha=0.3)
    right.legend(fontsize="small", frameon=False)
    return fig
