"""The worked examples of ``docs/plan-format.md``, each solved twice.

Every example is built once with gosplan (``PlanSpec`` + ``optimise``) and once as an LP whose
rows are written out here by hand from the document (``scipy.optimize.linprog``, nothing of
gosplan's blocks). Both must give the answer the document states, with the same numbers as
written there. Where the answer follows by hand, the derivation is in a comment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION, Economy
from gosplan.core.spec import PlanSpec
from gosplan.plan.optimise import optimise
from gosplan.plan.valuation import least_labour_values

TOL = 1e-9


def close(value: float, expected: float) -> bool:
    return value == pytest.approx(expected, rel=TOL, abs=TOL)


class HandLP:
    """An LP written row by row over named variables (all ``>= 0`` unless freed)."""

    def __init__(self, names: str) -> None:
        self.names = names.split()
        self.pos = {n: i for i, n in enumerate(self.names)}
        self.bounds: list[tuple[float | None, float | None]] = [(0.0, None)] * len(self.names)
        self.a_eq: list[np.ndarray] = []
        self.b_eq: list[float] = []
        self.a_ub: list[np.ndarray] = []
        self.b_ub: list[float] = []

    def _row(self, coefficients: dict[str, float]) -> np.ndarray:
        row = np.zeros(len(self.names))
        for name, value in coefficients.items():
            row[self.pos[name]] += value
        return row

    def free(self, *names: str) -> None:
        for name in names:
            self.bounds[self.pos[name]] = (None, None)

    def eq(self, coefficients: dict[str, float], rhs: float) -> None:
        self.a_eq.append(self._row(coefficients))
        self.b_eq.append(rhs)

    def le(self, coefficients: dict[str, float], rhs: float) -> None:
        self.a_ub.append(self._row(coefficients))
        self.b_ub.append(rhs)

    def ge(self, coefficients: dict[str, float], rhs: float) -> None:
        self.le({k: -v for k, v in coefficients.items()}, -rhs)

    def maximise(self, objective: dict[str, float]) -> tuple[float, dict[str, float]]:
        res = linprog(
            -self._row(objective),
            A_ub=np.array(self.a_ub) if self.a_ub else None,
            b_ub=np.array(self.b_ub) if self.b_ub else None,
            A_eq=np.array(self.a_eq) if self.a_eq else None,
            b_eq=np.array(self.b_eq) if self.b_eq else None,
            bounds=self.bounds,
            method="highs",
        )
        assert res.status == 0, res.message
        return -float(res.fun), dict(zip(self.names, res.x, strict=True))


def one_product(
    name: str,
    *,
    own_input: float,
    capacity: float | None = None,
    capital: float | None = None,
    group: str = "",
) -> Economy:
    """One product using ``own_input`` of itself and 1 person-year per unit."""
    A = pd.DataFrame([[own_input]], index=[name], columns=[name])
    return Economy.from_coefficients(
        A,
        labour=pd.Series({name: 1.0}),
        products=pd.DataFrame({"unit": ["t"], "group": [group]}, index=[name]),
        capacity=None if capacity is None else pd.Series({name: capacity}),
        capital=None
        if capital is None
        else pd.DataFrame([[capital]], index=[name], columns=[name]),
        name=name,
    )


def labour(*available: tuple[int, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "labour_type": ["labour"] * len(available),
            "period": [p for p, _ in available],
            "available": [a for _, a in available],
        }
    )


def verified(spec: PlanSpec):
    result = optimise(spec)
    assert result.optimal, result.status
    assert result.verification is not None and result.verification.passed
    return result


# ---------------------------------------------------------------------- production lead time
# Steel: 0.25 t of steel and 1 person-year per t, no capacity limit, 100 person-years a year,
# 10 t in stock at the start; periods 2021-2022; max_level with one target, 80 t of steel in
# 2022. With a lead time of 1 the 2021 run x delivers in 2022 and nothing arrives in 2021:
# its input 0.25 x comes out of the stock, x <= 40, and output in 2022 = x >= 80 theta gives
# theta = 40 / 80 = 0.5 (labour, x <= 100, does not bind). Without the lead time the 2022 run
# delivers in 2022 (0.75 of it net), labour binds: 100 >= 80 theta, theta = 1.25.
LEAD_LEVEL, LEAD_RUN_2021, NO_LEAD_LEVEL = 0.5, 40.0, 1.25


def lead_time_spec(lead: int) -> PlanSpec:
    return PlanSpec(
        one_product("steel", own_input=0.25, group=MEANS_OF_PRODUCTION),
        periods=(2021, 2022),
        objective="max_level",
        targets=pd.DataFrame({"product": ["steel"], "period": [2022], "target": [80.0]}),
        labour_available=labour((2021, 100.0), (2022, 100.0)),
        initial_stocks=pd.DataFrame({"product": ["steel"], "stock": [10.0]}),
        lead_times=pd.DataFrame({"activity": ["steel"], "lead_time": [lead]}),
    )


def lead_time_by_hand(lead: int) -> tuple[float, dict[str, float]]:
    lp = HandLP("theta x2021 x2022 c2021 c2022 s2021 s2022")
    # balance: deliveries + stock carried in = input + free final use + stock carried out
    if lead:  # the 2021 run delivers in 2022, the 2022 run after the horizon
        lp.eq({"x2021": 0.25, "c2021": 1, "s2021": 1}, 10.0)  # 0 + 10 = 0.25 x2021 + c + s
        lp.eq({"x2021": -1, "s2021": -1, "x2022": 0.25, "c2022": 1, "s2022": 1}, 0.0)
        lp.ge({"x2021": 1, "theta": -80.0}, 0.0)  # target: delivered in 2022 >= 80 theta
    else:
        lp.eq({"x2021": 0.25 - 1, "c2021": 1, "s2021": 1}, 10.0)  # x2021 + 10 = 0.25 x2021 + ..
        lp.eq({"x2022": 0.25 - 1, "s2021": -1, "c2022": 1, "s2022": 1}, 0.0)
        lp.ge({"x2022": 1, "theta": -80.0}, 0.0)
    lp.le({"x2021": 1}, 100.0)  # labour
    lp.le({"x2022": 1}, 100.0)
    return lp.maximise({"theta": 1})


def test_lead_time() -> None:
    result = verified(lead_time_spec(1))
    level, x = lead_time_by_hand(1)
    assert close(result.objective, LEAD_LEVEL) and close(level, LEAD_LEVEL)
    assert close(result.activity_levels.loc["steel", 2021], LEAD_RUN_2021)
    assert close(result.output.loc["steel", 2022], LEAD_RUN_2021)  # delivered a year later
    assert close(result.output.loc["steel", 2021], 0.0)
    assert close(x["x2021"], LEAD_RUN_2021)
    result = verified(lead_time_spec(0))
    level, _ = lead_time_by_hand(0)
    assert close(result.objective, NO_LEAD_LEVEL) and close(level, NO_LEAD_LEVEL)


# ---------------------------------------------------------------------- construction profile
# Steel (means of production): 0.5 t of steel per t, capacity 10 t, 2 t of steel per t of new
# capacity, lag 2; periods 2021-2023; linear objective: the capacity of steel in 2023. Only
# the investment i started in 2021 serves in 2023 (capacity 10 + i). Steel cannot be stored,
# so its 2021 spending is paid from the 2021 surplus 10 - 0.5 * 10 = 5 t: 2 w0 i <= 5.
# Evenly (w0 = 1/2): i = 5, capacity 15. Shares 0.75, 0.25: i = 10/3, capacity 40/3, spending
# 5 t in 2021 (and 5/3 t on it in 2022, well within that year's surplus).
EVEN_CAPACITY, EVEN_INVESTMENT = 15.0, 5.0
PROFILE_CAPACITY, PROFILE_INVESTMENT = 40.0 / 3.0, 10.0 / 3.0


def profile_spec(shares: tuple[float, float] | None) -> PlanSpec:
    construction = (
        pd.DataFrame({"activity": ["steel", "steel"], "offset": [0, 1], "share": list(shares)})
        if shares
        else pd.DataFrame({"activity": [], "offset": [], "share": []})
    )
    return PlanSpec(
        one_product("steel", own_input=0.5, capacity=10.0, capital=2.0, group=MEANS_OF_PRODUCTION),
        periods=(2021, 2022, 2023),
        objective="linear",
        objective_weights=pd.DataFrame(
            {"quantity": ["capacity"], "label": ["steel"], "period": [2023], "weight": [1.0]}
        ),
        lags=pd.DataFrame({"activity": ["steel"], "lag": [2]}),
        construction=construction,
    )


def profile_by_hand(w0: float, w1: float) -> tuple[float, dict[str, float]]:
    # i2021, i2022 (capacity from 2023 and at the end); one started in 2023 would come after
    # the horizon and is not allowed
    lp = HandLP("x2021 x2022 x2023 c2021 c2022 c2023 i2021 i2022")
    lp.eq({"x2021": 0.5, "i2021": -2 * w0, "c2021": -1}, 0.0)  # balance: x - 0.5x - B spent - c
    lp.eq({"x2022": 0.5, "i2022": -2 * w0, "i2021": -2 * w1, "c2022": -1}, 0.0)
    lp.eq({"x2023": 0.5, "i2022": -2 * w1, "c2023": -1}, 0.0)
    lp.le({"x2021": 1}, 10.0)  # capacity
    lp.le({"x2022": 1}, 10.0)
    lp.le({"x2023": 1, "i2021": -1}, 10.0)
    value, x = lp.maximise({"i2021": 1})
    return 10.0 + value, x  # capacity in 2023 = 10 + i2021


@pytest.mark.parametrize(
    ("shares", "capacity", "invested"),
    [(None, EVEN_CAPACITY, EVEN_INVESTMENT), ((0.75, 0.25), PROFILE_CAPACITY, PROFILE_INVESTMENT)],
)
def test_construction_profile(
    shares: tuple[float, float] | None, capacity: float, invested: float
) -> None:
    result = verified(profile_spec(shares))
    value, x = profile_by_hand(*(shares or (0.5, 0.5)))
    assert close(result.objective, capacity) and close(value, capacity)
    assert close(result.investment.loc["steel", 2021], invested) and close(x["i2021"], invested)
    assert close(result.capacity.loc["steel", 2023], capacity)
    assert close(result.capital_spending.loc["steel", 2021], 5.0)


# ---------------------------------------------------------------------- construction labour
# Steel: no inputs, 1 person-year per t, capacity 10 t, 1 t of steel per t of new capacity,
# lag 1, 20 person-years a year; periods 2021-2022; linear objective: capacity at the end of
# the horizon (2023) = 10 + i2021 + i2022. Without construction labour: i2021 <= x2021 <= 10
# and i2022 <= x2022 <= 10 + i2021 = 20: capacity 40. With 2 person-years per t of new
# capacity: x + 2 i <= 20 and i <= x each year, so 3 i <= 20: i = 20/3 in both years,
# capacity 10 + 40/3 = 70/3, employment 20 in both years.
NO_BUILDERS_CAPACITY = 40.0
BUILDERS_CAPACITY, BUILDERS_INVESTMENT, BUILDERS_EMPLOYMENT = 70.0 / 3.0, 20.0 / 3.0, 20.0
END_CAPACITY = pd.DataFrame(
    {"quantity": ["capacity"], "label": ["steel"], "period": [2023], "weight": [1.0]}
)


def builders_economy() -> Economy:
    return one_product(
        "steel", own_input=0.0, capacity=10.0, capital=1.0, group=MEANS_OF_PRODUCTION
    )


def builders_spec(coefficient: float) -> PlanSpec:
    return PlanSpec(
        builders_economy(),
        periods=(2021, 2022),
        objective="linear",
        objective_weights=END_CAPACITY,
        labour_available=labour((2021, 20.0), (2022, 20.0)),
        construction_labour=pd.DataFrame(
            {"labour_type": ["labour"], "activity": ["steel"], "coefficient": [coefficient]}
        ),
    )


def builders_by_hand(coefficient: float) -> tuple[float, dict[str, float]]:
    lp = HandLP("x2021 x2022 c2021 c2022 i2021 i2022")
    for t in ("2021", "2022"):
        lp.eq({f"x{t}": 1, f"i{t}": -1, f"c{t}": -1}, 0.0)  # balance (lag 1: spent at once)
        lp.le({f"x{t}": 1, f"i{t}": coefficient}, 20.0)  # labour, construction included
    lp.le({"x2021": 1}, 10.0)  # capacity
    lp.le({"x2022": 1, "i2021": -1}, 10.0)
    value, x = lp.maximise({"i2021": 1, "i2022": 1})
    return 10.0 + value, x


def test_construction_labour() -> None:
    result = verified(builders_spec(0.0))
    value, _ = builders_by_hand(0.0)
    assert close(result.objective, NO_BUILDERS_CAPACITY) and close(value, NO_BUILDERS_CAPACITY)
    result = verified(builders_spec(2.0))
    value, x = builders_by_hand(2.0)
    assert close(result.objective, BUILDERS_CAPACITY) and close(value, BUILDERS_CAPACITY)
    for t in (2021, 2022):
        assert close(result.investment.loc["steel", t], BUILDERS_INVESTMENT)
        assert close(x[f"i{t}"], BUILDERS_INVESTMENT)
        assert close(result.employment.loc["labour", t], BUILDERS_EMPLOYMENT)


# ---------------------------------------------------------------------- investment limits
# The economy of the construction labour example, without labour limit or construction
# labour (capacity at the end 40); investment_limits rows (steel, 2021, max 4) and (steel,
# every period, max 12): i2021 = 4, i2022 = min(12, x2022 <= 10 + 4) = 12, capacity 26.
LIMITED_CAPACITY, LIMITED_2021, LIMITED_2022 = 26.0, 4.0, 12.0


def limits_spec(limited: bool) -> PlanSpec:
    rows = {"activity": ["steel", "steel"], "period": [2021, np.nan], "max": [4.0, 12.0]}
    return PlanSpec(
        builders_economy(),
        periods=(2021, 2022),
        objective="linear",
        objective_weights=END_CAPACITY,
        investment_limits=pd.DataFrame(rows if limited else {k: [] for k in rows}),
    )


def limits_by_hand(limited: bool) -> tuple[float, dict[str, float]]:
    lp = HandLP("x2021 x2022 c2021 c2022 i2021 i2022")
    for t in ("2021", "2022"):
        lp.eq({f"x{t}": 1, f"i{t}": -1, f"c{t}": -1}, 0.0)
    lp.le({"x2021": 1}, 10.0)
    lp.le({"x2022": 1, "i2021": -1}, 10.0)
    if limited:
        lp.bounds[lp.pos["i2021"]] = (0.0, 4.0)  # min(4, 12)
        lp.bounds[lp.pos["i2022"]] = (0.0, 12.0)
    value, x = lp.maximise({"i2021": 1, "i2022": 1})
    return 10.0 + value, x


def test_investment_limits() -> None:
    result = verified(limits_spec(False))
    value, _ = limits_by_hand(False)
    assert close(result.objective, NO_BUILDERS_CAPACITY) and close(value, NO_BUILDERS_CAPACITY)
    result = verified(limits_spec(True))
    value, x = limits_by_hand(True)
    assert close(result.objective, LIMITED_CAPACITY) and close(value, LIMITED_CAPACITY)
    for t, amount in ((2021, LIMITED_2021), (2022, LIMITED_2022)):
        assert close(result.investment.loc["steel", t], amount) and close(x[f"i{t}"], amount)


# ---------------------------------------------------------------------- linear: employment
# Steel (means of production) uses 0.2 t of steel per t, cloth (consumer goods) 0.3 t of
# steel and 0.1 m of cloth per m; 0.5 and 0.4 person-years per unit; capacities 100 each;
# 1 t of steel per unit of new capacity of either, lag 1; periods 2021-2022; no labour limit.
# Maximise total employment. 2021: both at capacity (90 person-years), steel surplus
# 0.8 * 100 - 0.3 * 100 = 50 t, all invested in steel capacity (0.5 person-years per unit of
# capacity against 0.4 for cloth; 150 t of steel leaves 0.8 * 150 - 30 = 90 t >= 0 in 2022):
# 2022: steel 150, cloth 100, 115 person-years. Total 205.
EMPLOYMENT, EMPLOYMENT_2021, EMPLOYMENT_2022, STEEL_INVESTMENT = 205.0, 90.0, 115.0, 50.0


def two_sector() -> Economy:
    products = ["steel", "cloth"]
    A = pd.DataFrame([[0.2, 0.3], [0.0, 0.1]], index=products, columns=products)
    return Economy.from_coefficients(
        A,
        labour=pd.Series({"steel": 0.5, "cloth": 0.4}),
        products=pd.DataFrame(
            {"unit": ["t", "m"], "group": [MEANS_OF_PRODUCTION, CONSUMER_GOODS]}, index=products
        ),
        capacity=pd.Series({"steel": 100.0, "cloth": 100.0}),
        capital=pd.DataFrame([[1.0, 1.0], [0.0, 0.0]], index=products, columns=products),
        name="two-sector",
    )


def employment_by_hand() -> tuple[float, dict[str, float]]:
    names = [f"{v}{t}" for t in ("2021", "2022") for v in ("xs", "xk", "cs", "ck", "is", "ik")]
    lp = HandLP(" ".join(names))
    for t in ("2021", "2022"):
        # steel: output - own use - use by cloth - capital goods spent - free final use = 0
        lp.eq({f"xs{t}": 0.8, f"xk{t}": -0.3, f"is{t}": -1, f"ik{t}": -1, f"cs{t}": -1}, 0.0)
        lp.eq({f"xk{t}": 0.9, f"ck{t}": -1}, 0.0)  # cloth
    lp.le({"xs2021": 1}, 100.0)  # capacity
    lp.le({"xk2021": 1}, 100.0)
    lp.le({"xs2022": 1, "is2021": -1}, 100.0)
    lp.le({"xk2022": 1, "ik2021": -1}, 100.0)
    work = {f"x{k}{t}": w for t in ("2021", "2022") for k, w in (("s", 0.5), ("k", 0.4))}
    return lp.maximise(work)


def test_linear_employment() -> None:
    spec = PlanSpec(
        two_sector(),
        periods=(2021, 2022),
        objective="linear",
        objective_weights=pd.DataFrame({"quantity": ["employment"], "weight": [1.0]}),
    )
    result = verified(spec)
    value, x = employment_by_hand()
    assert close(result.objective, EMPLOYMENT) and close(value, EMPLOYMENT)
    assert close(result.employment.loc["labour", 2021], EMPLOYMENT_2021)
    assert close(result.employment.loc["labour", 2022], EMPLOYMENT_2022)
    assert close(result.investment.loc["steel", 2021], STEEL_INVESTMENT)
    assert close(x["is2021"], STEEL_INVESTMENT) and close(x["ik2021"], 0.0)
    assert close(result.activity_levels.loc["steel", 2022], 150.0) and close(x["xs2022"], 150.0)
    assert close(result.activity_levels.loc["cloth", 2022], 100.0) and close(x["xk2022"], 100.0)


# ---------------------------------------------------------------------- static terminal condition
# Grain (no product groups: a consumption good): 0.5 t of grain and 1 person-year per t,
# capacity 10 t, depreciation 0.5 a year, 0.5 t of grain per t of new capacity, lag 1; one
# period, 2021; max_consumption at the least-labour value 1 / (1 - 0.5) = 2 per t.
# Without a terminal condition: x = 10, nothing invested, c = 0.5 * 10 = 5, objective 10
# (and 5 t of capacity left at the end). Static: y <= 5 + i (capacity at the end) and
# (1 - 0.5) y - 0.5 * 0.5 y = 0.25 y >= c = 5 - 0.5 i; the best is 5 - 0.5 i = 0.25 (5 + i):
# i = 5, c = 2.5, y = 10, objective 5. With 8 person-years in 2021 (x <= 8, y <= 8):
# c <= 0.25 y <= 2, reached with y = 8 (so i >= 3) and 0.5 x - 0.5 i = 2 (x = 4 + i <= 8, so
# i <= 4): c = 2, y = 8, objective 4; any i in [3, 4] (with x = 4 + i) is optimal.
MYOPIC_VALUE, MYOPIC_CONSUMPTION = 10.0, 5.0
STATIC_VALUE, STATIC_CONSUMPTION, STATIC_INVESTMENT, STATIC_LEVEL = 5.0, 2.5, 5.0, 10.0
LABOUR_VALUE, LABOUR_CONSUMPTION, LABOUR_LEVEL = 4.0, 2.0, 8.0


def grain() -> Economy:
    return one_product("grain", own_input=0.5, capacity=10.0, capital=0.5)


def static_spec(terminal: str, workers: float | None) -> PlanSpec:
    return PlanSpec(
        grain(),
        periods=(2021,),
        objective="max_consumption",
        depreciation=pd.DataFrame({"activity": ["grain"], "rate": [0.5]}),
        labour_available=labour((2021, workers)) if workers else labour(),
        terminal=terminal,  # type: ignore[arg-type]
    )


def static_by_hand(terminal: bool, workers: float | None) -> tuple[float, dict[str, float]]:
    lp = HandLP("x c i y")
    lp.eq({"x": 0.5, "i": -0.5, "c": -1}, 0.0)  # balance: x - 0.5 x - 0.5 i - c = 0
    lp.le({"x": 1}, 10.0)  # capacity
    if workers:
        lp.le({"x": 1}, workers)  # labour
    if terminal:
        lp.ge({"y": 0.5 - 0.5 * 0.5, "c": -1}, 0.0)  # terminal_balance
        lp.le({"y": 1, "i": -1}, 10.0 * (1 - 0.5))  # terminal_capacity_use
        if workers:
            lp.le({"y": 1}, workers)  # terminal_labour
    else:
        lp.bounds[lp.pos["y"]] = (0.0, 0.0)
    return lp.maximise({"c": 2.0})


@pytest.mark.parametrize(
    ("terminal", "workers", "value", "consumption", "invested", "level"),
    [
        ("none", None, MYOPIC_VALUE, MYOPIC_CONSUMPTION, 0.0, None),
        ("static", None, STATIC_VALUE, STATIC_CONSUMPTION, STATIC_INVESTMENT, STATIC_LEVEL),
        ("static", 8.0, LABOUR_VALUE, LABOUR_CONSUMPTION, None, LABOUR_LEVEL),
    ],
)
def test_static_terminal(
    terminal: str,
    workers: float | None,
    value: float,
    consumption: float,
    invested: float | None,
    level: float | None,
) -> None:
    assert least_labour_values(grain()).tolist() == pytest.approx([2.0], rel=TOL)
    result = verified(static_spec(terminal, workers))
    by_hand, x = static_by_hand(terminal == "static", workers)
    assert close(result.objective, value) and close(by_hand, value)
    assert close(result.consumption.loc["grain", 2021], consumption) and close(x["c"], consumption)
    if invested is not None:  # unique only where labour does not bind
        assert close(result.investment.loc["grain", 2021], invested) and close(x["i"], invested)
    if level is None:
        assert result.terminal_levels.empty
    else:
        assert close(result.terminal_levels["grain"], level) and close(x["y"], level)
        blocks = set(result.binding["block"])
        assert {"terminal_balance", "terminal_capacity_use"} <= blocks
        assert ("terminal_labour" in blocks) == (workers is not None)


# ---------------------------------------------------------------------- harmony priorities
# Products a and b, no inputs, 1 person-year per unit each, one year; targets with priority 5
# (a) and 1 (b). h(r) = min(4r - 1.5, 3r - 1.25, 2r - 0.75, r, 0.99 + 0.01r, 1.01); the worth
# of a unit of labour spent on a target is priority * slope / (target: labour per unit of
# ratio).
# Equal targets (10 and 10), 10 person-years: a's last quarter is worth 5 * 1 / 10 = 0.5 per
# person-year, b's first 1 * 4 / 10 = 0.4: a is met in full, b gets nothing (1 < 5/4).
# 12 person-years: the 2 left go to b (0.4 per person-year against a's over-fulfilment 0.005).
# Targets 10 (a) and 1 (b), 10 person-years: b's quarters are worth 4, 3, 2, 1 per
# person-year, a's 2, 1.5, 1, 0.5: b is met in full (1 person-year), a gets the other 9, r = 0.9,
# although b's priority is below a's / 4. Objective 5 h(0.9) + h(1) = 5.5.
HARMONY_CASES = [
    # target a, target b, labour, ratio a, ratio b, objective
    (10.0, 10.0, 10.0, 1.0, 0.0, 5 * 1.0 - 1.5),
    (10.0, 10.0, 12.0, 1.0, 0.2, 5 * 1.0 + 4 * 0.2 - 1.5),
    (10.0, 1.0, 10.0, 0.9, 1.0, 5 * 0.9 + 1.0),
]
SEGMENTS = [(-1.5, 4.0), (-1.25, 3.0), (-0.75, 2.0), (0.0, 1.0), (0.99, 0.01), (1.01, 0.0)]


@pytest.mark.parametrize(("ta", "tb", "workers", "ra", "rb", "value"), HARMONY_CASES)
def test_harmony_priorities(
    ta: float, tb: float, workers: float, ra: float, rb: float, value: float
) -> None:
    products = ["a", "b"]
    eco = Economy.from_coefficients(
        pd.DataFrame(0.0, index=products, columns=products),
        labour=pd.Series({"a": 1.0, "b": 1.0}),
        name="two targets",
    )
    spec = PlanSpec(
        eco,
        periods=(2021,),
        objective="harmony",
        targets=pd.DataFrame(
            {
                "product": products,
                "period": [2021, 2021],
                "target": [ta, tb],
                "priority": [5.0, 1.0],
            }
        ),
        labour_available=labour((2021, workers)),
    )
    result = verified(spec)
    ratio = result.fulfilment.set_index("product")["ratio"]
    assert close(ratio["a"], ra) and close(ratio["b"], rb)
    assert close(result.objective, value)
    lp = HandLP("xa xb ua ub")
    lp.free("ua", "ub")
    for a, b in SEGMENTS:  # u <= a + b * x / target
        lp.le({"ua": 1, "xa": -b / ta}, a)
        lp.le({"ub": 1, "xb": -b / tb}, a)
    lp.le({"xa": 1, "xb": 1}, workers)  # labour
    by_hand, x = lp.maximise({"ua": 5.0, "ub": 1.0})
    assert close(by_hand, value)
    assert close(x["xa"] / ta, ra) and close(x["xb"] / tb, rb)
