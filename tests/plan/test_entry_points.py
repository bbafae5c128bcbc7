"""The public entry points of planning check their arguments and explain unbounded plans."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.spec import PlanSpec
from gosplan.core.status import Status
from gosplan.errors import InputError
from gosplan.plan.diagnosis import check_plan
from gosplan.plan.frontier import frontier
from gosplan.plan.optimise import optimise
from gosplan.plan.reader import read_spec


def one_good(capacity: float = np.inf) -> Economy:
    A = pd.DataFrame([[0.0]], index=["a"], columns=["a"])
    return Economy.from_coefficients(
        A, labour=pd.Series({"a": 0.5}), capacity=pd.Series({"a": capacity})
    )


def bounded() -> PlanSpec:
    return PlanSpec(
        one_good(),
        periods=(2000,),
        assortment=pd.DataFrame({"product": ["a"], "weight": [1.0]}),
        labour_available=pd.DataFrame(
            {"labour_type": ["labour"], "period": [2000], "available": [10.0]}
        ),
    ).validated()


def unbounded() -> PlanSpec:
    """max_level with labour not limited and no capacity: the level grows without limit."""
    return PlanSpec(
        one_good(), periods=(2000,), assortment=pd.DataFrame({"product": ["a"], "weight": [1.0]})
    ).validated()


# ---------------------------------------------------------------------- not a spec
@pytest.mark.parametrize(
    "call, words",
    [
        (
            lambda: optimise("path"),
            r"optimise takes a PlanSpec \(read one with "
            r"gosplan.read_spec\('path'\)\), got str 'path'",
        ),
        (lambda: optimise(None), r"optimise takes a PlanSpec .*, got None"),
        (lambda: optimise(Path("p")), r"optimise takes a PlanSpec .*got PosixPath"),
        (lambda: check_plan(None), r"check_plan takes a PlanSpec .*, got None"),
        (lambda: frontier(None), r"frontier takes a PlanSpec .*, got None"),
        (lambda: frontier(42), r"frontier takes a PlanSpec .*, got int 42"),
    ],
)
def test_a_spec_is_required(call, words) -> None:
    with pytest.raises(InputError, match=words) as err:
        call()
    assert err.value.check == "bad_argument"


@pytest.mark.parametrize("path", [None, 3, ["plan"]])
def test_read_plan_needs_a_path(path) -> None:
    with pytest.raises(InputError, match=r"read_spec takes the path of a plan directory") as err:
        read_spec(path)
    assert err.value.check == "bad_argument"


def test_read_plan_needs_an_economy_or_none(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"read_spec's economy must be an Economy"):
        read_spec(tmp_path, economy="eco")


# ---------------------------------------------------------------------- solver options
@pytest.mark.parametrize("limit", [-1, 0, 0.0, math.nan, "10", True])
def test_time_limit_must_be_positive(limit) -> None:
    with pytest.raises(InputError, match=r"time_limit must be a positive number of seconds"):
        optimise(bounded(), time_limit=limit)


@pytest.mark.parametrize("tol", [0, 1, 2.0, -1e-8, math.nan, "1e-8", None])
def test_tol_must_be_in_the_open_unit_interval(tol) -> None:
    with pytest.raises(InputError, match=r"tol must be a number strictly between 0 and 1"):
        optimise(bounded(), tol=tol)


def test_unknown_solver_lists_the_choices() -> None:
    with pytest.raises(InputError, match=r"unknown solver 'dual'; choose one of auto, simplex"):
        optimise(bounded(), solver="dual")


def test_good_options_still_solve() -> None:
    result = optimise(bounded(), solver="simplex", tol=1e-7, time_limit=60.0)
    assert result.status == "optimal" and round(result.level, 9) == 20.0
    assert optimise(bounded(), time_limit=math.inf).status == "optimal"


def test_progress_must_be_callable() -> None:
    with pytest.raises(InputError, match=r"progress must be a callable"):
        optimise(bounded(), progress="yes")


def test_check_plan_refuses_unknown_keywords() -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'solvr'"):
        check_plan(bounded(), solvr="ipm")


def test_check_plan_takes_every_option_it_documents() -> None:
    check = check_plan(
        bounded(),
        check_additions=False,
        check_objective=False,
        solver="simplex",
        tol=1e-7,
        time_limit=60.0,
        progress=lambda f, m: None,
        verify=False,
    )
    assert check.feasible and check.plan.verification is None


def test_check_plan_refuses_optimise_only_options() -> None:
    with pytest.raises(TypeError, match=r"least_labour"):
        check_plan(bounded(), least_labour=False)


def test_check_plan_checks_the_options() -> None:
    with pytest.raises(InputError, match=r"time_limit must be a positive number"):
        check_plan(bounded(), time_limit=-1)
    with pytest.raises(InputError, match=r"unknown solver 'foo'"):
        check_plan(bounded(), solver="foo")


def test_frontier_refuses_unknown_keywords() -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'tol_'"):
        frontier(bounded(), tol_=1)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'objective'"):
        frontier(bounded(), objective="min_labour")
    with pytest.raises(InputError, match=r"tol must be a number strictly between 0 and 1"):
        frontier(bounded(), tol=5)


def test_frontier_passes_its_options_on_to_optimise() -> None:
    fr = frontier(
        bounded(),
        shares=[0.5],
        solver="simplex",
        tol=1e-7,
        time_limit=60.0,
        verify=False,
        least_labour=False,
        crash_basis=False,
    )
    (result,) = fr.results
    assert result.verification is None
    assert result.provenance["requested"] == "simplex" and result.provenance["tolerance"] == 1e-7


def test_optimise_refuses_unknown_keywords() -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'solvr'"):
        optimise(bounded(), solvr="ipm")


def test_statuses_are_status_members() -> None:
    result = optimise(bounded())
    assert result.status is Status.OPTIMAL
    assert optimise(unbounded()).status is Status.UNBOUNDED


def test_optimise_provenance_has_the_spec_and_solver_fields() -> None:
    p = optimise(bounded()).provenance
    for key in ("gosplan", "economy", "economy_source", "labour_unit", "spec", "solver"):
        assert key in p
    assert p["solver"] == "highs" and p["requested"] == "auto" and p["tolerance"] == 1e-8


def test_frontier_refuses_shares_that_are_not_numbers() -> None:
    with pytest.raises(InputError, match=r"shares must be"):
        frontier(bounded(), shares="half")
    with pytest.raises(InputError, match=r"shares must be numbers"):
        frontier(bounded(), shares=["half"])


# ---------------------------------------------------------------------- unbounded plans
def test_an_unbounded_plan_says_what_grows_without_limit() -> None:
    result = optimise(unbounded())
    assert result.status == "unbounded"
    text = result.provenance["unbounded"]
    assert text.startswith("The objective of the plan (max_level) is unbounded")
    assert (
        "activity 'a' (making 'a') in 2000: labour type 'labour' is not limited in period 2000 "
        "and activity 'a' has no capacity limit (capacity inf)"
    ) in text
    columns = result.provenance["unbounded_columns"]
    first = columns[0]
    assert first["variable"] == "x" and first["activity"] == "a" and first["period"] == 2000
    assert first["product"] == "a"
    assert first["value"] >= 1e-3 * result.provenance["unbounded_box"]
    assert {c["variable"] for c in columns} >= {"x", "level"}


def test_unbounded_names_only_the_free_activity_and_period() -> None:
    # b needs no input of a, its labour is limited in 2000 only and it has no capacity
    labels = ["a", "b"]
    A = pd.DataFrame([[0.0, 0.0], [0.2, 0.0]], index=labels, columns=labels)
    eco = Economy.from_coefficients(
        A,
        labour=pd.Series({"a": 0.5, "b": 0.3}),
        capacity=pd.Series({"a": 100.0}),
        capital=pd.DataFrame([[0.0, 0.0], [1.0, 0.0]], index=labels, columns=labels),
    )
    spec = PlanSpec(
        eco,
        periods=(2000, 2001),
        objective="max_consumption",
        labour_available=pd.DataFrame(
            {"labour_type": ["labour"], "period": [2000], "available": [10.0]}
        ),
    ).validated()
    result = optimise(spec)
    assert result.status == "unbounded"
    text = result.provenance["unbounded"]
    assert (
        "activity 'b' (making 'b') in 2001: labour type 'labour' is not limited in period "
        "2001 and activity 'b' has no capacity limit (capacity inf)" in text
    )
    assert "activity 'a'" not in text and "in 2000" not in text


def test_a_bounded_plan_has_no_unbounded_note() -> None:
    assert "unbounded" not in optimise(bounded()).provenance


def test_check_plan_of_an_unbounded_plan_says_so() -> None:
    check = check_plan(unbounded())
    assert check.feasible  # the targets (none) can be met
    text = check.message()
    assert text.startswith("The targets can be met, but the plan itself has no optimum. ")
    assert "The objective of the plan (max_level) is unbounded" in text
    assert "labour type 'labour' is not limited in period 2000" in text
    assert check.unbounded is not None


def test_check_plan_of_a_bounded_plan_is_unchanged() -> None:
    check = check_plan(bounded())
    assert check.unbounded is None
    assert check.message() == (
        "The targets can be met. The least-labour plan uses 0 person-years over the horizon."
    )


def test_check_plan_can_skip_the_objective() -> None:
    check = check_plan(unbounded(), check_objective=False)
    assert check.unbounded is None


def test_solve_lp_and_plan_check_error_report_status_members() -> None:
    from gosplan.plan.data import PlanData
    from gosplan.plan.diagnosis import PlanCheckError
    from gosplan.plan.highs import solve_lp
    from gosplan.plan.objectives import formulate

    sol = solve_lp(formulate(PlanData(bounded()), "max_level"))
    assert sol.status is Status.OPTIMAL
    err = PlanCheckError("the LP", "time_limit", infeasible=False)
    assert err.status is Status.TIME_LIMIT
    assert "stopped at its time or iteration limit" in str(err)


def test_solve_options_are_checked_and_frozen() -> None:
    import dataclasses

    from gosplan.plan.arguments import SolveOptions

    opts = SolveOptions.checked(solver="ipm", tol=1e-6, time_limit=5)
    assert opts == SolveOptions("ipm", 1e-6, 5.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.tol = 1e-3  # type: ignore[misc]
    with pytest.raises(InputError, match=r"unknown solver 'dual'"):
        SolveOptions.checked(solver="dual")
