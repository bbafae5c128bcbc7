"""Fan charts and the policy comparison of an ensemble: what is drawn is what was run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.ensemble_result import EnsembleResult
from gosplan.datasets import load
from gosplan.errors import InputError
from gosplan.report.fan_charts import fan_chart, fan_figure, policy_comparison, policy_figure
from gosplan.report.figures import new_figure, to_png
from gosplan.run.ensemble import ensemble

STEPS = 30


@pytest.fixture(scope="module")
def result() -> EnsembleResult:
    """Two variants of 12 runs of the two-sector economy under a random shock on ``a``."""
    eco = load("miller-blair-2x2")
    y = pd.Series([100.0, 200.0], index=eco.product_labels)
    x = eco.gross_output(y).to_numpy()
    shock = pd.DataFrame(
        {"product": ["a"], "from_step": [4], "share_min": [0.1], "share_max": [0.6],
         "recovery": [15]}
    )  # fmt: skip
    variants = {
        "proportional": {"rationing": "proportional"},
        "final first": {
            "rationing": "priority",
            "classes": pd.DataFrame({"product": ["final"], "class": [1]}),
        },
    }
    return ensemble(
        eco, variants, runs=12, serial=True, final_demand=y, steps=STEPS,
        capacity=pd.Series(1.05 * x, index=eco.product_labels), stock_days=1.3,
        restoration=5, shocks=shock,
    )  # fmt: skip


def _band_limits(collection: object, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper edge of a ``fill_between`` band at each step."""
    vertices = np.concatenate([p.vertices for p in collection.get_paths()])  # type: ignore[attr-defined]
    low = np.array([vertices[np.isclose(vertices[:, 0], s), 1].min() for s in steps])
    high = np.array([vertices[np.isclose(vertices[:, 0], s), 1].max() for s in steps])
    return low, high


def test_the_fan_chart_draws_the_median_inside_its_bands(result: EnsembleResult) -> None:
    fig, (ax,) = new_figure()
    fan_chart(ax, result, "b", "output", variant="proportional")
    (line,) = ax.lines
    quantiles = result.quantiles("output")
    mine = quantiles[(quantiles["variant"] == "proportional") & (quantiles["product"] == "b")]
    np.testing.assert_allclose(line.get_ydata(), mine["p50"].to_numpy())
    steps = np.asarray(line.get_xdata(), dtype=float)
    assert list(steps) == list(range(STEPS))
    outer, inner = ax.collections
    assert outer.get_label() == "proportional 5-95 %"
    lo5, hi95 = _band_limits(outer, steps)
    lo25, hi75 = _band_limits(inner, steps)
    median = np.asarray(line.get_ydata(), dtype=float)
    tol = 1e-9 * np.abs(median).max()
    assert (lo5 <= lo25 + tol).all() and (lo25 <= median + tol).all()
    assert (median <= hi75 + tol).all() and (hi75 <= hi95 + tol).all()
    np.testing.assert_allclose(lo5, mine["p5"].to_numpy())
    assert (hi95 - lo5).max() > 0  # the random shock spreads the runs
    assert "b" in ax.get_title() and "units per step" in ax.get_ylabel()
    assert ax.get_xlabel() == "step"
    assert to_png(fig).startswith(b"\x89PNG")


def test_every_variant_gets_its_fan(result: EnsembleResult) -> None:
    fig = fan_figure(result, "a", "unmet_final")
    ax = fig.axes[0]
    assert [ln.get_label() for ln in ax.lines] == [f"{v} median" for v in result.variant_names]
    assert len(ax.collections) == 2 * len(result.variant_names)
    assert ax.get_legend() is not None
    assert to_png(fig).startswith(b"\x89PNG")


def test_the_policy_comparison_shows_each_variants_totals(result: EnsembleResult) -> None:
    fig = policy_figure(result, "unmet_final")
    ax = fig.axes[0]
    names = [t.get_text() for t in ax.get_xticklabels()]
    assert names == result.variant_names
    totals = result.totals("unmet_final")
    compare = result.compare("unmet_final").set_index("variant")
    (means,) = [ln for ln in ax.lines if ln.get_label() == "mean"]
    np.testing.assert_allclose(means.get_ydata(), compare.loc[names, "mean"].to_numpy())
    medians = [ln for ln in ax.lines if ln.get_label() != "mean" and len(ln.get_ydata()) == 2]
    for name in names:
        mine = totals.loc[totals["variant"] == name, "total"].to_numpy()
        assert any(np.allclose(m.get_ydata(), np.median(mine)) for m in medians)
    assert "total" in ax.get_ylabel()
    assert to_png(fig).startswith(b"\x89PNG")


def test_unknown_names_are_input_errors(result: EnsembleResult) -> None:
    _fig, (ax,) = new_figure()
    with pytest.raises(InputError, match="no such product"):
        fan_chart(ax, result, "steel")
    with pytest.raises(InputError, match="no variant"):
        fan_chart(ax, result, "a", variant="lottery")
    with pytest.raises(InputError, match="no quantity"):
        policy_comparison(ax, result, "profit")
