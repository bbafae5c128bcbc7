"""Where each shadow price holds: HiGHS ranging, checked by re-solving with moved bounds."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from gosplan.plan.assemble import LP, assemble
from gosplan.plan.blocks import Block
from gosplan.plan.highs import LPSolution, RowRanging, solve_lp
from gosplan.plan.layout import Layout
from gosplan.plan.ranging import COLUMNS, columns_of, price_ranges

INF = np.inf
H = 0.25  # step of the finite differences


def block(name: str, rows, lower, upper, labels, coords=None) -> Block:
    A = sp.csr_array(np.asarray(rows, float))
    m = A.shape[0]
    return Block(
        name,
        A,
        np.broadcast_to(np.asarray(lower, float), (m,)).copy(),
        np.broadcast_to(np.asarray(upper, float), (m,)).copy(),
        np.asarray(labels, object),
        np.full(m, 2030),
        coords or {},
    )


def degenerate_lp(maximise: bool = True) -> LP:
    """``max x + y + 2 z``: three capacity-like rows meet at ``(x, y) = (1, 1)``.

    ``x <= 1``, ``y <= 1`` and ``x + y <= 2`` all hold with equality at the optimum
    ``(1, 1, 4)``, one more than the two needed: a degenerate vertex, whichever basis HiGHS
    returns. ``z <= 4`` is binding and nondegenerate (its price 2 holds up to 7, where labour
    ``x + 2 y + z <= 10`` binds, and down to 0); the labour row is slack. The minimisation is
    the same LP with the cost negated. A ``level_links`` row (an internal block) is not
    reported.
    """
    lay = Layout()
    lay.add("x", 3)
    blocks = [
        block("capacity", np.eye(3), -INF, [1.0, 1.0, 4.0], ["x", "y", "z"]),
        block("joint", [[1.0, 1.0, 0.0]], -INF, 2.0, ["x+y"]),
        block("labour", [[1.0, 2.0, 1.0]], -INF, 10.0, ["workers"]),
        block("level_links", [[0.0, 0.0, 1.0]], -INF, 100.0, ["common level"]),
    ]
    cost = np.array([1.0, 1.0, 2.0])
    return assemble(lay, blocks, cost if maximise else -cost, maximise)


def demand_lp(maximise: bool = False) -> LP:
    """``min 2 x + 3 y`` with demand ``x + y >= 4`` and capacity ``x <= 3``: nondegenerate.

    At ``(3, 1)`` the demand's price is 3 (valid for demands in ``[3, inf)``) and the
    capacity's -1 (valid in ``[0, 4]``). The maximisation is the same LP with the cost negated.
    """
    lay = Layout()
    lay.add("x", 2)
    blocks = [
        block("balance", [[1.0, 1.0]], 4.0, INF, ["goods"]),
        block("capacity", [[1.0, 0.0]], -INF, 3.0, ["x"]),
    ]
    cost = np.array([2.0, 3.0])
    return assemble(lay, blocks, -cost if maximise else cost, maximise)


def random_lp(seed: int, m: int = 12, n: int = 10, maximise: bool = True) -> LP:
    """A small LP with every kind of row, built round an integer point (often degenerate)."""
    rng = np.random.default_rng(seed)
    A = np.round(rng.uniform(-1, 2, (m, n)) * (rng.uniform(size=(m, n)) < 0.5), 1)
    a0 = A @ np.round(rng.uniform(0, 3, n))
    kind = rng.integers(0, 4, m)  # <=, >=, ==, ranged
    lo = np.where(kind == 0, -INF, a0 - rng.integers(0, 3, m))
    hi = np.where(kind == 1, INF, a0 + rng.integers(0, 3, m))
    lo = np.where(kind == 2, a0, lo)
    hi = np.where(kind == 2, a0, hi)
    lay = Layout()
    lay.add("x", n, 0.0, 5.0)
    rows = block("rows", A, lo, hi, [f"r{i}" for i in range(m)])
    return assemble(lay, [rows], np.round(rng.uniform(-1, 2, n), 1), maximise)


def optimum(lp: LP, row: int, bound: float, t: float) -> float:
    """Optimal objective with the bound ``bound`` of ``row`` moved to ``t`` (NaN: infeasible)."""
    lo, hi = lp.row_lower.copy(), lp.row_upper.copy()
    if lo[row] == hi[row]:
        lo[row] = hi[row] = t
    elif bound == hi[row]:
        hi[row] = t
    else:
        lo[row] = t
    sol = solve_lp(replace(lp, row_lower=lo, row_upper=hi), solver="simplex", ranging=False)
    if sol.status == "infeasible":
        return np.nan
    assert sol.status == "optimal"
    return sol.objective


def long_table(lp: LP, sol: LPSolution) -> pd.DataFrame:
    """All blocks' tables in row order, with the row's position in the LP."""
    tables = price_ranges(lp, sol)
    parts = []
    for name, frame in tables.items():
        rows = lp.ranges[name]
        parts.append(frame.assign(block=name, row=np.arange(rows.start, rows.stop)))
    return pd.concat(parts, ignore_index=True)


def one_sided(lp: LP, sol: LPSolution, row: int, bound: float) -> tuple[float, float]:
    """Derivatives of the optimal objective in the bound, from below and from above."""
    below = (sol.objective - optimum(lp, row, bound, bound - H)) / H
    above = (optimum(lp, row, bound, bound + H) - sol.objective) / H
    return below, above


def check_ranges(lp: LP, sol: LPSolution) -> pd.DataFrame:
    """Every row: the price holds inside its range, and a zero-width side is a kink.

    Inside ``[valid_from, valid_to]`` the re-solved objective is the linear prediction at the
    reported price; a side of zero width is one where the one-sided derivative differs from
    the price (the LPs here have no alternative basis carrying the price further); and a
    side of positive width is one where it equals the price.
    """
    table = long_table(lp, sol)
    for r in table.itertuples():
        b, y = r.bound, r.shadow_price
        assert not np.isnan([r.bound, r.valid_from, r.valid_to]).any()
        assert r.valid_from <= b + 1e-9 and r.valid_to >= b - 1e-9
        for end, side in ((r.valid_from, -1.0), (r.valid_to, 1.0)):
            width = side * (end - b)
            if width > 1e-9:
                t = b + side * min(width / 2, 1.0)
                assert optimum(lp, r.row, b, t) == pytest.approx(
                    sol.objective + y * (t - b), abs=1e-7
                ), f"{r.block} {r.label}: price does not hold inside its range"
        below, above = one_sided(lp, sol, r.row, b)
        kink_below = not (below == pytest.approx(y, abs=1e-7))  # NaN (infeasible) is a kink
        kink_above = not (above == pytest.approx(y, abs=1e-7))
        assert (b - r.valid_from <= 1e-9) == kink_below, f"{r.block} {r.label} below"
        assert (r.valid_to - b <= 1e-9) == kink_above, f"{r.block} {r.label} above"
        assert r.degenerate == (kink_below or kink_above)
    return table


# ------------------------------------------------------------------------ the hand-built LP
@pytest.mark.parametrize("maximise", [True, False])
def test_degenerate_vertex_is_marked(maximise):
    lp = degenerate_lp(maximise)
    sol = solve_lp(lp, solver="simplex")
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(10.0 if maximise else -10.0)
    assert isinstance(sol.ranging, RowRanging)
    table = check_ranges(lp, sol)
    assert "level_links" not in price_ranges(lp, sol)
    by = table.set_index(["block", "label"])
    # x <= 1, y <= 1 and x + y <= 2 meet at the optimum: each row's price differs from one of
    # its one-sided derivatives (raising any of them gains nothing; lowering any loses 1)
    for key in [("capacity", "x"), ("capacity", "y"), ("joint", "x+y")]:
        assert bool(by.loc[key, "degenerate"])
        below, above = one_sided(lp, sol, int(by.loc[key, "row"]), float(by.loc[key, "bound"]))
        sign = 1.0 if maximise else -1.0
        assert (below, above) == pytest.approx((sign * 1.0, 0.0))
        assert float(by.loc[key, "shadow_price"]) != pytest.approx(below) or float(
            by.loc[key, "shadow_price"]
        ) != pytest.approx(above)
    # z <= 4: price 2 (or -2) from 0 to 7, where labour starts to bind
    z = by.loc[("capacity", "z")]
    sign = 1.0 if maximise else -1.0
    assert not bool(z["degenerate"])
    assert (z["shadow_price"], z["bound"]) == pytest.approx((2.0 * sign, 4.0))
    assert (z["valid_from"], z["valid_to"]) == pytest.approx((0.0, 7.0))
    row = int(z["row"])
    inside = optimum(lp, row, 4.0, 6.5)
    assert inside == pytest.approx(sol.objective + 2.0 * sign * 2.5)
    beyond = optimum(lp, row, 4.0, 7.5)  # labour binds: z gains only by giving up y
    assert beyond != pytest.approx(sol.objective + 2.0 * sign * 3.5)
    assert np.isnan(optimum(lp, row, 4.0, -0.5))  # below 0 the LP is infeasible
    # the labour row is slack: price 0 for any limit down to its use (7)
    lab = by.loc[("labour", "workers")]
    assert not bool(lab["degenerate"])
    assert (lab["shadow_price"], lab["bound"]) == pytest.approx((0.0, 10.0))
    assert lab["valid_from"] == pytest.approx(7.0) and lab["valid_to"] == INF


def test_tables_are_labelled_like_the_shadow_prices():
    lp = degenerate_lp()
    sol = solve_lp(lp, solver="simplex")
    tables = price_ranges(lp, sol)
    assert list(tables) == ["capacity", "joint", "labour"]
    cap = tables["capacity"]
    assert list(cap.columns) == list(COLUMNS)
    assert list(cap["label"]) == ["x", "y", "z"]
    assert list(cap["period"]) == [2030] * 3
    assert np.array_equal(cap["shadow_price"], sol.row_dual[lp.ranges["capacity"]])
    assert cap["degenerate"].dtype == bool


def test_further_dimensions_of_a_block_come_after_the_period():
    """``max u`` with ``u <= 1 + x`` and ``u <= 3 - x``: two rows of one label and period."""
    lay = Layout()
    lay.add("x", 2)  # x, u
    rows = [[-1.0, 1.0], [1.0, 1.0]]
    lp = assemble(
        lay,
        [
            block("lines", rows, -INF, [1.0, 3.0], ["h", "h"], {"segment": np.array([0, 1])}),
            block("capacity", [[1.0, 0.0]], -INF, 5.0, ["x"]),
        ],
        np.array([0.0, 1.0]),
        True,
    )
    sol = solve_lp(lp, solver="simplex")
    assert sol.objective == pytest.approx(2.0)
    tables = price_ranges(lp, sol)
    lines = tables["lines"]
    assert list(lines.columns) == ["label", "period", "segment", *COLUMNS[2:]]
    assert list(lines.columns) == columns_of(("segment",))
    assert list(lines["segment"]) == [0, 1]
    assert lines["shadow_price"].to_numpy() == pytest.approx([0.5, 0.5])
    assert list(tables["capacity"].columns) == list(COLUMNS)
    keys = lp.row_keys()
    assert list(keys.columns) == ["block", "label", "period", "segment"]
    assert list(keys["segment"].isna()) == [False, False, True]


# ------------------------------------------------------------- maximisation and minimisation
@pytest.mark.parametrize("maximise", [False, True])
def test_signs_in_both_senses(maximise):
    lp = demand_lp(maximise)
    sol = solve_lp(lp, solver="simplex")
    sign = -1.0 if maximise else 1.0
    assert sol.objective == pytest.approx(9.0 * sign)
    table = check_ranges(lp, sol).set_index("block")
    goods, cap = table.loc["balance"], table.loc["capacity"]
    assert (goods["shadow_price"], goods["bound"]) == pytest.approx((3.0 * sign, 4.0))
    assert (goods["valid_from"], goods["valid_to"]) == pytest.approx((3.0, INF))
    assert (cap["shadow_price"], cap["bound"]) == pytest.approx((-1.0 * sign, 3.0))
    assert (cap["valid_from"], cap["valid_to"]) == pytest.approx((0.0, 4.0))
    assert not table["degenerate"].any()
    # the objective at the ends of the ranges, in the LP's own sense
    r = sol.ranging
    row = lp.ranges["capacity"].start
    assert r.up_objective[row] == pytest.approx(sign * 8.0)  # x = 4, y = 0
    assert r.down_objective[row] == pytest.approx(sign * 12.0)  # x = 0, y = 4


@pytest.mark.parametrize("seed", range(6))
def test_random_lps_against_finite_differences(seed):
    lp = random_lp(seed, maximise=bool(seed % 2))
    sol = solve_lp(lp, solver="simplex")
    if sol.status != "optimal":
        pytest.skip(f"random LP {seed} is {sol.status}")
    table = long_table(lp, sol)
    for r in table.itertuples():  # inside the ranges the prices hold
        for end, side in ((r.valid_from, -1.0), (r.valid_to, 1.0)):
            width = side * (end - r.bound)
            if width > 1e-9:
                t = r.bound + side * min(width / 2, 1.0)
                assert optimum(lp, r.row, r.bound, t) == pytest.approx(
                    sol.objective + r.shadow_price * (t - r.bound), abs=1e-7
                )
        if r.degenerate:  # a side of zero width is a kink
            below, above = one_sided(lp, sol, r.row, r.bound)
            zero_below = r.bound - r.valid_from <= 1e-9
            derivative = below if zero_below else above
            assert not (derivative == pytest.approx(r.shadow_price, abs=1e-7))


# ---------------------------------------------------------------- no basis, no ranging
def test_pdlp_has_no_ranging():
    lp = degenerate_lp()
    sol = solve_lp(lp, solver="pdlp", tol=1e-9)
    assert sol.status == "optimal" and sol.method == "pdlp"
    assert sol.ranging is None
    tables = price_ranges(lp, sol)
    for frame in tables.values():
        assert frame["valid_from"].isna().all() and frame["valid_to"].isna().all()
        assert not frame["degenerate"].any()
        assert frame["bound"].notna().all()
    assert list(tables["capacity"]["bound"]) == [1.0, 1.0, 4.0]


@pytest.mark.parametrize("seed", [0, 3])
def test_interior_point_with_crossover_has_ranging(seed):
    """Crossover leaves a basis but no simplex instance: it is factorised for the ranging."""
    lp = random_lp(seed, m=30, n=40)
    sol = solve_lp(lp, solver="ipm")
    assert sol.status == "optimal" and sol.method == "ipm"
    assert sol.ranging is not None
    simplex = solve_lp(lp, solver="simplex")
    same = np.isclose(sol.row_dual, simplex.row_dual, atol=1e-7)
    assert same.any()
    r, s = sol.ranging, simplex.ranging
    if np.allclose(sol.x, simplex.x, atol=1e-7) and same.all():
        assert np.allclose(r.down_value, s.down_value, atol=1e-6)
        assert np.allclose(r.up_value, s.up_value, atol=1e-6)
    table = long_table(lp, sol)
    for t in table.sample(8, random_state=seed).itertuples():
        for end, side in ((t.valid_from, -1.0), (t.valid_to, 1.0)):
            width = side * (end - t.bound)
            if width > 1e-9:
                p = t.bound + side * min(width / 2, 1.0)
                assert optimum(lp, t.row, t.bound, p) == pytest.approx(
                    sol.objective + t.shadow_price * (p - t.bound), abs=1e-6
                )


def test_no_ranging_when_not_asked_or_not_optimal():
    lp = degenerate_lp()
    assert solve_lp(lp, ranging=False).ranging is None
    assert solve_lp(lp).ranging is not None  # small LPs are ranged by default
    lower, upper = lp.row_lower.copy(), lp.row_upper.copy()
    joint = lp.ranges["joint"].start
    lower[joint], upper[joint] = 2.5, INF  # x + y >= 2.5 with x <= 1, y <= 1
    infeasible = replace(lp, row_lower=lower, row_upper=upper)
    sol = solve_lp(infeasible)
    assert sol.status == "infeasible" and sol.ranging is None
    tables = price_ranges(infeasible, sol)
    assert tables["capacity"]["valid_to"].isna().all()
    assert not tables["capacity"]["degenerate"].any()


def test_ranging_of_another_optimum_is_not_used(caplog):
    lp = degenerate_lp()
    sol = solve_lp(lp)
    other = replace(sol, objective=sol.objective + 1.0)
    with caplog.at_level(logging.WARNING, logger="gosplan.plan.ranging"):
        tables = price_ranges(lp, other)
    assert "another optimum" in caplog.text
    assert tables["capacity"]["valid_from"].isna().all()


def test_lp_without_rows():
    lay = Layout()
    lay.add("x", 2, 0.0, 1.0)
    lp = assemble(lay, [], np.array([1.0, 2.0]), True)
    sol = solve_lp(lp)
    assert sol.status == "optimal"
    assert sol.ranging is not None and len(sol.ranging.bound) == 0
    assert price_ranges(lp, sol) == {}
