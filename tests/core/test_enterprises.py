"""The enterprises of an economy: defaults, checks in code, and what transformations keep."""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.enterprises import (
    ENTERPRISE_COLUMNS,
    OPTIONAL_COLUMNS,
    default_enterprises,
    enterprises_of,
)
from gosplan.errors import InputError, ValidationError


def _economy() -> Economy:
    """Two products; electricity made by two techniques (thermal capped, hydro unlimited)."""
    products = pd.DataFrame({"unit": ["t", "MWh"]}, index=["coal", "power"])
    activities = pd.DataFrame(
        {"product": ["coal", "power", "power"]}, index=["coal", "thermal", "hydro"]
    )
    technology = np.array([[0.0, 0.4, 0.0], [0.1, 0.0, 0.0]])
    return Economy(
        products=products,
        activities=activities,
        technology=technology,
        capacity=np.array([100.0, 50.0, np.inf]),
    )


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise": ["Donbass", "Kuzbass", "Shterovka"],
            "activity": ["coal", "coal", "thermal"],
            "capacity": [70.0, 30.0, 50.0],
        }
    )


def test_default_is_one_enterprise_per_activity() -> None:
    eco = _economy()
    assert eco.enterprises is None
    table = enterprises_of(eco)
    assert table.equals(default_enterprises(eco))
    assert list(table.columns) == [*ENTERPRISE_COLUMNS, *OPTIONAL_COLUMNS]
    assert table["enterprise"].tolist() == ["coal", "thermal", "hydro"]
    assert table["activity"].tolist() == ["coal", "thermal", "hydro"]
    assert table["capacity"].tolist() == [100.0, 50.0, np.inf]
    assert (table["labour_factor"] == 1.0).all()


def test_enterprises_of_fills_missing_activities() -> None:
    eco = replace(_economy(), enterprises=_table().iloc[:2])
    table = enterprises_of(eco)
    assert table["enterprise"].tolist() == ["Donbass", "Kuzbass", "thermal", "hydro"]
    assert table["activity"].tolist() == ["coal", "coal", "thermal", "hydro"]
    assert table["capacity"].tolist() == [70.0, 30.0, 50.0, np.inf]
    assert table["trust"].tolist()[:2] == ["", ""]
    assert table["labour_factor"].tolist() == [1.0] * 4
    assert list(table.index) == [0, 1, 2, 3]
    assert set(table["activity"]) == set(eco.activity_labels)


def test_a_default_enterprise_takes_a_free_name() -> None:
    table = pd.DataFrame({"enterprise": ["hydro"], "activity": ["coal"], "capacity": [100.0]})
    eco = replace(_economy(), enterprises=table)
    names = enterprises_of(eco)["enterprise"].tolist()
    assert names == ["hydro", "thermal", "hydro (default)"]


def test_the_table_is_typed_and_copied_in() -> None:
    given = _table().assign(capacity=["70", "30", "50"], started=[1913, None, "1925"])
    eco = replace(_economy(), enterprises=given)
    assert eco.enterprises is not None
    assert eco.enterprises["capacity"].dtype == float
    assert eco.enterprises["started"].tolist()[0] == 1913.0
    assert np.isnan(eco.enterprises["started"][1])
    given.loc[0, "capacity"] = "999"
    assert eco.enterprises["capacity"][0] == 70.0


def test_the_table_may_be_indexed_by_enterprise() -> None:
    eco = replace(_economy(), enterprises=_table().set_index("enterprise"))
    assert eco.enterprises is not None
    assert eco.enterprises["enterprise"].tolist() == ["Donbass", "Kuzbass", "Shterovka"]


def test_not_a_frame_is_a_bad_argument() -> None:
    with pytest.raises(InputError) as info:
        replace(_economy(), enterprises={"enterprise": ["x"]})  # type: ignore[arg-type]
    assert info.value.check == "bad_argument"


def test_every_problem_in_code_at_once() -> None:
    table = pd.DataFrame(
        {
            "enterprise": ["Donbass", "Donbass", "", "Dneproges"],
            "activity": ["coal", "coal", "thermal", "windmill"],
            "capacity": [70.0, -1.0, np.nan, 5.0],
            "labour_factor": [1.0, 0.5, np.nan, -2.0],
            "started": [1913, 1913.5, np.nan, 1932],
        }
    )
    with pytest.raises(ValidationError) as info:
        replace(_economy(), enterprises=table)
    found = sorted((p.check or "", p.row or 0, p.label or "") for p in info.value.problems)
    assert found == [
        ("duplicate_label", 3, "Donbass"),
        ("missing_value", 4, ""),  # no enterprise name
        ("missing_value", 4, ""),  # no capacity
        ("negative_value", 3, "Donbass"),
        ("non_numeric", 3, "Donbass"),  # started 1913.5
        ("out_of_range", 5, "Dneproges"),
        ("unknown_label", 5, "windmill"),
    ]
    assert all(p.source == "enterprises" for p in info.value.problems)


def test_capacities_must_add_up() -> None:
    table = _table().assign(capacity=[70.0, 20.0, 50.0])
    with pytest.raises(ValidationError) as info:
        replace(_economy(), enterprises=table)
    (problem,) = info.value.problems
    assert problem.check == "enterprise_capacity" and problem.label == "coal"
    assert problem.row == 2
    assert "add up to 90" in problem.message and "capacity is 100" in problem.message


def test_an_unlimited_activity_takes_any_shares() -> None:
    table = pd.concat(
        [
            _table(),
            pd.DataFrame({"enterprise": ["Volkhov"], "activity": ["hydro"], "capacity": [9.0]}),
        ]
    )
    eco = replace(_economy(), enterprises=table)
    assert enterprises_of(eco)["enterprise"].tolist() == [
        "Donbass",
        "Kuzbass",
        "Shterovka",
        "Volkhov",
    ]


def test_pickle_keeps_the_table() -> None:
    eco = replace(_economy(), enterprises=_table().assign(trust=["Donugol", "", "Energo"]))
    back = pickle.loads(pickle.dumps(eco))
    assert back.enterprises is not None and eco.enterprises is not None
    pd.testing.assert_frame_equal(back.enterprises, eco.enterprises)
    assert not back.capacity.flags.writeable


def test_with_meta_keeps_the_table() -> None:
    eco = replace(_economy(), enterprises=_table())
    renamed = eco.with_meta(name="renamed")
    assert renamed.enterprises is not None and eco.enterprises is not None
    pd.testing.assert_frame_equal(renamed.enterprises, eco.enterprises)


def test_selecting_techniques_keeps_the_rows_of_kept_activities() -> None:
    eco = replace(_economy(), enterprises=_table())
    hydro = eco.select_techniques({"power": "hydro"})
    assert hydro.enterprises is not None
    assert hydro.enterprises["enterprise"].tolist() == ["Donbass", "Kuzbass"]
    thermal = eco.select_techniques()
    assert thermal.enterprises is not None
    assert thermal.enterprises["enterprise"].tolist() == ["Donbass", "Kuzbass", "Shterovka"]
    assert thermal.square() is thermal


def test_blending_relabels_the_enterprises() -> None:
    eco = replace(_economy(), enterprises=_table())
    blended = eco.blend_techniques(pd.Series({"coal": 1.0, "thermal": 1.0, "hydro": 1.0}))
    assert blended.enterprises is not None
    assert blended.enterprises["activity"].tolist() == ["coal", "coal", "power"]
    # a finite blended capacity: an activity without enterprises brings its default one
    capped = replace(_economy(), capacity=np.array([100.0, 50.0, 20.0]), enterprises=_table())
    both = capped.blend_techniques(pd.Series({"thermal": 1.0, "hydro": 1.0}))
    assert both.enterprises is not None
    assert both.enterprises["enterprise"].tolist() == ["Donbass", "Kuzbass", "Shterovka", "hydro"]
    assert both.enterprises["capacity"].sum() == 170.0


def test_aggregation_drops_the_table() -> None:
    from gosplan.balance.aggregate import aggregate

    A = pd.DataFrame([[0.1, 0.2], [0.3, 0.1]], index=["a", "b"], columns=["a", "b"])
    eco = Economy.from_coefficients(A, capacity=pd.Series({"a": 10.0, "b": 5.0}))
    table = pd.DataFrame({"enterprise": ["x", "y"], "activity": ["a", "b"], "capacity": [10, 5]})
    eco = replace(eco, enterprises=table)
    agg = aggregate(eco, {"a": "ab", "b": "ab"}, pd.Series({"a": 1.0, "b": 2.0}))
    assert agg.enterprises is None
