"""Socialist competition: ranking tables, ties and challenges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.errors import InputError, ValidationError
from gosplan.run.competition import challenges, competition, standings
from gosplan.run.fulfilment import fulfilment

from ._fixtures import actuals_table, control_figures


def report():  # type: ignore[no-untyped-def]
    return fulfilment(control_figures(), actuals_table())


def test_fulfilment_ranks_by_cumulative_share() -> None:
    table = competition(report())
    assert list(table.columns) == ["enterprise", "period", "month", "value", "rank"]
    assert list(table["enterprise"]) == ["A", "B", "A", "B"]
    np.testing.assert_allclose(table["value"], [0.8, 0.75, 0.95, 0.825])
    assert list(table["rank"]) == [1, 2, 1, 2]


def test_growth_and_productivity() -> None:
    growth = competition(report(), measure="growth")
    assert growth["rank"].isna().tolist() == [True, True, False, False]
    last = growth[growth["month"] == 2]
    assert list(last["enterprise"]) == ["A", "B"]
    np.testing.assert_allclose(last["value"], [110 / 80 - 1, 180 / 150 - 1])
    prod = competition(report(), measure="productivity")
    first = prod[prod["month"] == 1]
    assert list(first["enterprise"]) == ["B", "A"]  # 150 / 14 > 80 / 10
    np.testing.assert_allclose(first["value"], [150 / 14, 8.0])


def test_ties_share_the_rank_and_are_listed_in_label_order() -> None:
    actuals = actuals_table()
    actuals.loc[0, "output"] = 160.0  # B month 1: 0.8, as A
    table = competition(fulfilment(control_figures(), actuals))
    first = table[table["month"] == 1]
    assert list(first["enterprise"]) == ["A", "B"] and list(first["rank"]) == [1, 1]


def test_by_trust_averages_over_products() -> None:
    table = competition(report(), by="trust")
    np.testing.assert_allclose(table["value"], [0.775, 0.8875])
    assert list(table["rank"]) == [1, 1]
    one = standings(report(), by="trust", product="coal")
    np.testing.assert_allclose(one["value"], [0.75, 0.825])


def test_challenges_say_who_is_ahead_and_by_how_much() -> None:
    pairs = pd.DataFrame({"challenger": ["B"], "challenged": ["A"]})
    table = challenges(report(), pairs)
    assert list(table.columns) == [
        "challenger",
        "challenged",
        "period",
        "month",
        "challenger_value",
        "challenged_value",
        "difference",
        "ahead",
    ]
    np.testing.assert_allclose(table["difference"], [-0.05, -0.125])
    assert list(table["ahead"]) == ["A", "A"] and list(table["month"]) == [1, 2]


def test_bad_arguments_are_named() -> None:
    with pytest.raises(InputError) as err:
        competition(report(), by="region")
    assert err.value.check == "bad_argument"
    with pytest.raises(InputError) as err:
        competition(report(), measure="speed")
    assert err.value.check == "bad_argument"
    with pytest.raises(InputError) as err:
        standings(report(), product="iron")
    assert err.value.check == "unknown_label" and err.value.label == "iron"
    with pytest.raises(ValidationError) as bad:
        challenges(report(), pd.DataFrame({"challenger": ["A", "Q"], "challenged": ["B", "A"]}))
    assert [(p.source, p.row, p.label, p.check) for p in bad.value.problems] == [
        ("pairs", 3, "Q", "unknown_label")
    ]
    with pytest.raises(ValidationError) as bad:
        challenges(report(), pd.DataFrame({"challenger": ["A"]}))
    assert bad.value.check == "missing_column"
