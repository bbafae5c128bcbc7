"""Wages: brigade wage rules, shock work, consumer prices and the real wage."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from gosplan.core.checks import Check
from gosplan.errors import InputError, ValidationError
from gosplan.run.wages import (
    DEFAULT_TARIFF,
    PAY_COLUMNS,
    ShockWork,
    average_wage,
    brigade_pay,
    consumer_price_index,
    pay_table,
    real_wage_index,
    shock_work,
    wage_fund,
)

# Workers by enterprise (rows) and grade: skilled, semi-skilled, unskilled.
W = np.array([[2.0, 3.0, 5.0], [0.0, 4.0, 1.0], [1.0, 0.0, 0.0]])
F = np.array([1000.0, 600.0, 90.0])
TARIFF = np.array([1.5, 1.2, 1.0])


def _problems(err: pytest.ExceptionInfo[InputError]) -> list[InputError]:
    value = err.value
    return value.problems if isinstance(value, ValidationError) else [value]


# --- brigade wage rules ---------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["equal", "by_grade"])
def test_fund_rules_pay_out_exactly_the_fund(rule: str) -> None:
    rng = np.random.default_rng(3)
    workers = rng.integers(0, 20, size=(50, 3)).astype(float)
    workers[0] = 0.0  # an enterprise without workers pays nothing
    fund = rng.uniform(0, 5000, size=50)
    pay = brigade_pay(workers, fund, rule)
    paid = wage_fund(pay, workers)
    np.testing.assert_allclose(paid[1:], fund[1:])
    assert paid[0] == 0.0


def test_equal_gives_every_grade_the_same_pay() -> None:
    pay = brigade_pay(W, F, "equal")
    np.testing.assert_allclose(pay, np.repeat((F / W.sum(axis=1))[:, None], 3, axis=1))
    np.testing.assert_allclose(pay[0], [100.0, 100.0, 100.0])  # 1000 / 10 workers


def test_by_grade_keeps_the_tariff_ratios() -> None:
    pay = brigade_pay(W, F, "by_grade", tariff=TARIFF)
    np.testing.assert_allclose(pay / pay[:, [2]], np.tile(TARIFF, (3, 1)))
    # 1000 / (1.5 * 2 + 1.2 * 3 + 1.0 * 5) = 1000 / 11.6 per tariff unit
    np.testing.assert_allclose(pay[0], TARIFF * 1000 / 11.6)
    np.testing.assert_allclose(brigade_pay(W, F, "by_grade"), pay)  # the default tariff
    assert list(DEFAULT_TARIFF.values()) == list(TARIFF)


def test_piece_pay_follows_productivity_and_pays_rate_times_output() -> None:
    productivity = np.array([12.0, 9.0, 6.0])
    rate = np.array([2.0, 3.0, 1.0])
    fulfilment = np.array([1.0, 1.2, 0.5])
    pay = brigade_pay(
        W, None, "piece", productivity=productivity, piece_rate=rate, fulfilment=fulfilment
    )
    np.testing.assert_allclose(pay[1], 3.0 * 1.2 * productivity)
    assert (np.diff(pay, axis=1) < 0).all()  # more productive grades earn more
    output = fulfilment * (W @ productivity)
    np.testing.assert_allclose(wage_fund(pay, W), rate * output)


def test_rules_are_chosen_per_enterprise() -> None:
    rules = np.array(["equal", "by_grade", "piece"])
    pay = brigade_pay(
        W, [1000.0, 600.0, np.nan], rules, productivity=[10.0, 8.0, 5.0], piece_rate=4.0
    )
    np.testing.assert_allclose(pay[0], brigade_pay(W[:1], F[:1], "equal")[0])
    np.testing.assert_allclose(pay[1], brigade_pay(W[1:2], F[1:2], "by_grade")[0])
    np.testing.assert_allclose(pay[2], [40.0, 32.0, 20.0])


def test_brigade_pay_rejects_bad_arguments() -> None:
    with pytest.raises(InputError) as err:
        brigade_pay(W, F, "bonus")
    assert err.value.check == Check.BAD_OPTION
    with pytest.raises(InputError) as err:
        brigade_pay(W, -F, "equal")
    assert err.value.check == Check.NEGATIVE_VALUE
    with pytest.raises(InputError) as err:
        brigade_pay(-W, F, "equal")
    assert err.value.check == Check.NEGATIVE_VALUE
    with pytest.raises(InputError) as err:
        brigade_pay(W, None, "equal")
    assert err.value.check == Check.MISSING_VALUE
    with pytest.raises(InputError) as err:
        brigade_pay(W, F, "piece", productivity=[1.0, 1.0, 1.0])
    assert err.value.check == Check.BAD_ARGUMENT
    with pytest.raises(InputError) as err:
        brigade_pay(W[:, :2], F, "by_grade")  # two grades: no default tariff
    assert err.value.check == Check.BAD_ARGUMENT
    with pytest.raises(InputError) as err:
        brigade_pay(W, F, "by_grade", tariff=[1.5, 0.0, 1.0])
    assert err.value.check == Check.OUT_OF_RANGE


def test_average_wage_and_wage_fund() -> None:
    pay = brigade_pay(W, F, "by_grade")
    np.testing.assert_allclose(average_wage(pay, W), F / W.sum(axis=1))
    assert average_wage(pay, W, axis=None) == pytest.approx(F.sum() / W.sum())
    per_grade = average_wage(pay, W, axis=0)
    np.testing.assert_allclose(per_grade, (pay * W).sum(axis=0) / W.sum(axis=0))
    assert np.isnan(average_wage(pay, np.zeros_like(W))).all()
    grades = list(DEFAULT_TARIFF)
    frame = pd.DataFrame(pay, index=["a", "b", "c"], columns=grades)
    workers = pd.DataFrame(W, index=["a", "b", "c"], columns=grades).iloc[::-1]  # aligned
    paid = wage_fund(frame, workers)
    assert isinstance(paid, pd.Series)
    assert paid.to_dict() == pytest.approx(dict(zip("abc", F, strict=True)))
    assert list(average_wage(frame, workers, axis=0).index) == grades


# --- the table of rules ---------------------------------------------------------------------


def _workers() -> pd.DataFrame:
    return pd.DataFrame(W, index=["Stalingrad", "Putilov", "Kharkov"], columns=list(DEFAULT_TARIFF))


def test_pay_table_applies_each_rows_rule() -> None:
    rules = pd.DataFrame(
        {
            "enterprise": ["Stalingrad", "Stalingrad", "Putilov", "Kharkov"],
            "period": [1930, 1931, 1930, 1930],
            "rule": ["equal", "by_grade", "by_grade", "piece"],
            "fund": [1000.0, 1160.0, 600.0, None],
            "piece_rate": [None, None, None, 2.0],
            "fulfilment": [None, None, None, 1.5],
        }
    )
    productivity = {"unskilled": 6.0, "skilled": 12.0, "semi-skilled": 9.0}
    table = pay_table(rules, _workers(), productivity=productivity)
    assert list(table.columns) == list(PAY_COLUMNS)
    assert len(table) == 12
    first = table[(table["enterprise"] == "Stalingrad") & (table["period"] == 1931)]
    np.testing.assert_allclose(first["pay"], [150.0, 120.0, 100.0])  # 1160 / 11.6 = 100
    funds = table.groupby(["enterprise", "period"], sort=False)["wage_fund"].sum()
    np.testing.assert_allclose(funds.to_numpy()[:3], [1000.0, 1160.0, 600.0])
    kharkov = table[table["enterprise"] == "Kharkov"]
    np.testing.assert_allclose(kharkov["pay"], [2.0 * 1.5 * 12.0, 27.0, 18.0])


def test_pay_table_reports_every_problem_by_row() -> None:
    rules = pd.DataFrame(
        {
            "enterprise": ["Stalingrad", "Magnitka", "Putilov", "Putilov", "Kharkov"],
            "period": [1930, 1930, 1930, 1930, 1930],
            "rule": ["equal", "equal", "tips", "equal", "piece"],
            "fund": [-5.0, 10.0, 10.0, 10.0, None],
        }
    )
    with pytest.raises(InputError) as err:
        pay_table(rules, _workers(), source="rules.csv")
    assert isinstance(err.value, ValidationError)
    found = {(p.check, p.row, p.label) for p in _problems(err)}
    assert found == {
        (Check.NEGATIVE_VALUE, 2, "Stalingrad"),
        (Check.UNKNOWN_ENTERPRISE, 3, "Magnitka"),
        (Check.BAD_OPTION, 4, "Putilov"),
        (Check.DUPLICATE_LABEL, 5, "Putilov"),
        (Check.MISSING_VALUE, 6, "Kharkov"),  # piece needs a piece_rate
    }
    assert {p.source for p in _problems(err)} == {"rules.csv"}


def test_pay_table_missing_columns_workers_and_grades() -> None:
    with pytest.raises(InputError) as err:
        pay_table(pd.DataFrame({"enterprise": ["Putilov"]}), _workers())
    assert {p.check for p in _problems(err)} == {Check.MISSING_COLUMN}
    rules = pd.DataFrame({"enterprise": ["Putilov"], "period": [1], "rule": ["by_grade"]})
    rules["fund"] = 10.0
    bad = _workers()
    bad.loc["Kharkov", "skilled"] = -1.0
    with pytest.raises(InputError) as err:
        pay_table(rules, bad)
    assert (err.value.check, err.value.row, err.value.label) == (
        Check.NEGATIVE_VALUE,
        4,
        "Kharkov",
    )
    renamed = _workers().rename(columns={"skilled": "fitters"})
    with pytest.raises(InputError) as err:
        pay_table(rules, renamed)  # the default tariff has no "fitters"
    assert (err.value.check, err.value.label) == (Check.MISSING_LABEL, "fitters")


# --- shock work -----------------------------------------------------------------------------


def test_the_ratchet_never_lowers_a_norm() -> None:
    rng = np.random.default_rng(7)
    norm = rng.uniform(1, 100, size=200)
    achieved = norm * rng.uniform(0.2, 1.8, size=200)
    result = shock_work(
        norm, achieved, ratchet_share=0.9, productivity_gain=0.0, session_hours_per_day=0.0
    )
    assert isinstance(result, ShockWork)
    assert (result.norm >= norm).all()
    assert (result.norm_increase >= 0).all()
    under = achieved * 0.9 <= norm
    np.testing.assert_array_equal(result.norm[under], norm[under])
    np.testing.assert_allclose(result.norm[~under], 0.9 * achieved[~under])


def test_repeated_over_fulfilment_ratchets_up_geometrically() -> None:
    norm = np.array([100.0, 50.0])
    over = 0.25  # each period 125 % of the norm; the norm becomes 0.96 of that
    for _ in range(5):
        step = shock_work(
            norm,
            norm * (1 + over),
            ratchet_share=0.96,
            productivity_gain=0.0,
            session_hours_per_day=0.0,
        )
        np.testing.assert_allclose(step.norm_increase, 0.96 * 1.25 - 1)  # 20 % a period
        norm = np.asarray(step.norm)
    np.testing.assert_allclose(norm, np.array([100.0, 50.0]) * 1.2**5)


def test_session_cost_and_productivity_factor() -> None:
    result = shock_work(
        pd.Series([10.0], index=["Putilov"]),
        pd.Series([10.0], index=["Putilov"]),
        ratchet_share=1.0,
        productivity_gain=0.2,
        session_hours_per_day=0.5,
    )
    assert result.labour_factor == pytest.approx(1 - 0.0625)  # 0.5 h of 8 h: 6.25 % lost
    assert result.productivity_factor == pytest.approx(1.2 * 0.9375)
    assert isinstance(result.norm_increase, pd.Series)
    assert result.norm_increase.to_dict() == {"Putilov": 0.0}
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.labour_factor = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "check"),
    [
        ({"session_hours_per_day": 9.0}, Check.OUT_OF_RANGE),
        ({"ratchet_share": -0.1}, Check.OUT_OF_RANGE),
        ({"hours_per_day": 0.0}, Check.OUT_OF_RANGE),
    ],
)
def test_shock_work_rejects_bad_settings(kwargs: dict[str, float], check: Check) -> None:
    settings = {"ratchet_share": 1.0, "productivity_gain": 0.0, "session_hours_per_day": 0.5}
    with pytest.raises(InputError) as err:
        shock_work([1.0], [1.0], **(settings | kwargs))
    assert err.value.check == check
    with pytest.raises(InputError) as err:
        shock_work([0.0], [1.0], **settings)
    assert err.value.check == Check.OUT_OF_RANGE


# --- consumer prices and the real wage ------------------------------------------------------

YEARS = [1928, 1929, 1930]


def _prices() -> tuple[pd.Series, pd.Series, pd.Series]:
    ration = pd.Series([1.0, 1.1, 1.32], index=YEARS)
    commercial = pd.Series([1.0, 2.0, 5.0], index=YEARS)
    share = pd.Series([0.8, 0.6, 0.5], index=YEARS)  # at ration prices
    return ration, commercial, share


def test_chained_laspeyres_cpi() -> None:
    cpi = consumer_price_index(*_prices())
    link_1929 = 0.8 * 1.1 + 0.2 * 2.0  # 1.28
    link_1930 = 0.6 * (1.32 / 1.1) + 0.4 * (5.0 / 2.0)  # 0.72 + 1.0 = 1.72
    np.testing.assert_allclose(cpi.to_numpy(), [1.0, link_1929, link_1929 * link_1930])
    assert list(cpi.index) == YEARS
    assert cpi.name == "cpi"


def test_fixed_base_laspeyres_cpi_uses_the_base_years_shares() -> None:
    ration, commercial, share = _prices()
    cpi = consumer_price_index(ration[::-1], commercial, share, method="fixed")  # any order
    np.testing.assert_allclose(cpi.to_numpy(), [1.0, 0.8 * 1.1 + 0.2 * 2.0, 0.8 * 1.32 + 0.2 * 5])
    # with constant shares the two methods agree when prices move in proportion
    same = pd.Series(0.7, index=YEARS)
    np.testing.assert_allclose(
        consumer_price_index(commercial, commercial, same),
        consumer_price_index(commercial, commercial, same, method="fixed"),
    )


def test_real_wage_index() -> None:
    cpi = consumer_price_index(*_prices())
    nominal = pd.Series([70.0, 84.0, 112.0], index=YEARS)
    real = real_wage_index(nominal, cpi)
    np.testing.assert_allclose(real.to_numpy(), (nominal / 70.0).to_numpy() / cpi.to_numpy())
    assert real[1928] == 1.0
    assert real[1929] == pytest.approx(1.2 / 1.28)
    rebased = real_wage_index(nominal, cpi, base=1930)
    assert rebased[1930] == pytest.approx(1.0)
    np.testing.assert_allclose(rebased.to_numpy(), real.to_numpy() / real[1930])


def test_price_series_are_validated_naming_series_and_year() -> None:
    ration, commercial, share = _prices()
    share[1929] = 1.5
    commercial[1930] = -1.0
    with pytest.raises(InputError) as err:
        consumer_price_index(ration.drop(1929), commercial, share)
    found = {(p.check, p.source, p.label) for p in _problems(err)}
    assert found == {
        (Check.MISSING_LABEL, "ration_prices", "1929"),
        (Check.OUT_OF_RANGE, "weights", "1929"),
        (Check.NEGATIVE_VALUE, "commercial_prices", "1930"),
    }
    with pytest.raises(InputError) as err:
        consumer_price_index(*_prices(), method="paasche")
    assert err.value.check == Check.BAD_OPTION


def test_real_wage_validation() -> None:
    cpi = consumer_price_index(*_prices())
    with pytest.raises(InputError) as err:
        real_wage_index(pd.Series([70.0, -1.0, 80.0], index=YEARS), cpi.drop(1930))
    found = {(p.check, p.source, p.label) for p in _problems(err)}
    assert found == {
        (Check.NEGATIVE_VALUE, "nominal_wage", "1929"),
        (Check.MISSING_LABEL, "cpi", "1930"),
    }
    nominal = pd.Series([0.0, 1.0, 2.0], index=YEARS)
    with pytest.raises(InputError) as err:
        real_wage_index(nominal, cpi)
    assert err.value.check == Check.OUT_OF_RANGE
    with pytest.raises(InputError) as err:
        real_wage_index(nominal + 1, cpi, base=1927)
    assert err.value.check == Check.UNKNOWN_LABEL


def test_pay_table_matches_tariffs_to_grades_by_name() -> None:
    workers = _workers().iloc[:, ::-1]  # unskilled first
    rules = pd.DataFrame({"enterprise": ["Stalingrad"], "period": [1930], "rule": ["by_grade"]})
    rules["fund"] = 1160.0
    table = pay_table(rules, workers)
    assert list(table["grade"]) == ["unskilled", "semi-skilled", "skilled"]
    np.testing.assert_allclose(table["pay"], [100.0, 120.0, 150.0])
    rules.loc[0, "rule"] = "piece"
    rules["piece_rate"] = 1.0
    with pytest.raises(InputError) as err:
        pay_table(rules, workers)  # no productivity
    assert err.value.check == Check.BAD_ARGUMENT
