"""The plan check's message (an engineer's answer) and its behaviour when a solver fails."""

from __future__ import annotations

import importlib
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from gosplan.core.words import sig as _sig
from gosplan.datasets import spec_path
from gosplan.errors import GosplanError, SolverError
from gosplan.plan.diagnosis import PlanCheck, PlanCheckError, check_plan
from gosplan.plan.highs import solve_lp
from gosplan.plan.reader import read_spec

from .test_diag_additions import capacity_economy, capacity_spec, labour_spec

# the modules (``gosplan.plan`` exports functions of the same names)
diagnosis = importlib.import_module("gosplan.plan.diagnosis")
optimise_module = importlib.import_module("gosplan.plan.optimise")


@pytest.mark.parametrize(
    "value, text",
    [
        (319.642, "320"),
        (16.509107, "16.5"),
        (20.0, "20"),
        (0.000580157, "0.00058"),
        (0.250913, "0.251"),
        (1234.5, "1,230"),
        (67543.49, "67,500"),
        (-16.51, "-16.5"),
        (0.0, "0"),
        (float("inf"), "unlimited"),
        (float("nan"), "n/a"),
    ],
)
def test_numbers_have_three_significant_figures(value, text):
    assert _sig(value) == text


def amended() -> PlanCheck:
    return check_plan(read_spec(spec_path("ussr-1928", "amended")))


def test_amended_variant_reads_like_an_answer():
    check = amended()
    msg = check.message()
    assert msg.startswith("The targets cannot all be met. At most 81.5% of every target")
    assert "can be reached at once (the common level" in msg
    assert "In the plan with the least shortfall" in msg
    assert "oil in 1932 (17.6 of 47.5 Mt, 29.9 Mt short)" in msg
    # what a shadow price measures, in the unit of the limit
    assert "how much one unit more of a limit would cut the shortfall of the targets" in msg
    assert "capacity of 'steel' in 1929, 0.246 per Mt a year" in msg
    assert "per bn kWh a year" in msg
    # at most five limits named, the rest counted
    named = msg.split("The binding limits")[1].split("To meet them")[0]
    assert named.count(" per ") == 5
    assert f"and {len(check.binding) - 5} more (see the table)" in msg
    # lasting additions, in units, and their cost in the labour unit
    assert "Mt a year of capacity of 'steel' from 1931 on" in msg  # its lag is 2
    assert f"They cost {_sig(check.total_labour_cost)} thousand person-years of labour" in msg
    # no raw digits: every number in the text has at most 3 significant figures
    for word in msg.replace(",", " ").replace("(", " ").replace(")", " ").split():
        digits = word.rstrip(".;%").lstrip("-").replace(".", "").lstrip("0")
        if digits.isdigit() and not word.startswith("19"):
            assert len(digits.rstrip("0")) <= 3, word


def test_tables_carry_units():
    check = amended()
    assert check.reachable.set_index("product")["unit"].to_dict()["electricity"] == "bn kWh"
    capacity = check.binding["block"] == "capacity"
    assert capacity.any() and check.binding.loc[capacity, "unit"].str.endswith(" a year").all()
    labour = check.binding["block"] == "labour"
    assert (check.binding.loc[labour, "unit"] == "thousand person-years").all()
    assert check.additions.set_index("label").loc["steel", "unit"] == "Mt a year"
    # shadow prices negligible beside the largest are not listed
    price = check.binding["shadow_price"].abs()
    assert (price >= diagnosis.BINDING_RTOL * price.max()).all()


def synthetic(**changes) -> PlanCheck:
    reachable = pd.DataFrame(
        {
            "product": ["a"],
            "period": [1],
            "target": [70.0],
            "reachable_jointly": [50.0],
            "reachable_alone": [50.0],
            "shortfall": [20.0],
            "unit": ["t"],
        }
    )
    binding = pd.DataFrame(
        {
            "block": ["capacity"] * 7 + ["labour"],
            "label": [f"k{i}" for i in range(7)] + ["labour"],
            "period": [1] * 8,
            "shadow_price": [0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.01, 0.9],
            "unit": ["t a year"] * 7 + ["person-years"],
        }
    )
    additions = pd.DataFrame(
        {
            "kind": ["capacity", "capacity", "capacity", "labour"],
            "label": ["a", "b", "c", "labour"],
            "period": [2, 1, 1, 3],
            "amount": [20.0, 1e-3, 1e-9 * 5e4, 12.3456],
            "labour_cost": [30.0, 1.5e-3, 1.5e-9, 12.3456],
            "unit": ["t a year", "t a year", "t a year", "person-years"],
            "available": [50.0, 1e6, 5e4, 100.0],
        }
    )
    base = PlanCheck(False, None, 50 / 70, reachable, binding, additions, 42.3456, "person-years")
    return replace(base, **changes)


def test_limits_listed_five_by_shadow_price_then_counted():
    msg = synthetic().message()
    assert (
        "labour 'labour' in 1, 0.9 per person-year; capacity of 'k0' in 1, 0.5 per t a year; "
        "capacity of 'k1' in 1, 0.4 per t a year; capacity of 'k2' in 1, 0.3 per t a year; "
        "capacity of 'k3' in 1, 0.2 per t a year; and 3 more (see the table)."
    ) in msg


def test_small_additions_are_named_and_amounts_rounded_up():
    msg = synthetic().message()
    assert (
        "The cheapest way to meet them as set is to add: 20 t a year of capacity of 'a' from 2 "
        "on; 12.4 person-years of labour 'labour' in 3; 0.001 t a year of capacity of 'b' from "
        "1 on; 0.00005 t a year of capacity of 'c' from 1 on."
    ) in msg
    assert "trivial" not in msg
    assert (
        "They cost 42.3 person-years of labour in all (labour in person-years, capacity once, "
        "at the labour embodied in its capital goods)."
    ) in msg


def test_cost_without_labour_values_is_relative_and_says_so():
    msg = synthetic(cost_in_labour=False).message()
    assert "They cost" not in msg and "sum of unlike units" not in msg
    assert "the economy's labour values could not be computed" in msg
    assert "priced by its size relative to the limit it lifts" in msg


def test_resources_are_not_counted_in_the_labour_cost():
    check = synthetic()
    add = pd.concat(
        [
            check.additions,
            pd.DataFrame(
                {
                    "kind": ["resource"],
                    "label": ["land"],
                    "period": [1],
                    "amount": [5.0],
                    "labour_cost": [np.nan],
                    "unit": ["units"],
                    "available": [10.0],
                }
            ),
        ],
        ignore_index=True,
    )
    msg = replace(check, additions=add).message()
    assert "5 units of resource 'land' in 1" in msg
    assert "Added resources have no labour value and are not counted in the cost." in msg


def test_feasible_message_rounds():
    spec = labour_spec([100.0])
    check = check_plan(spec)
    assert check.feasible
    assert check.message() == (
        "The targets can be met. The least-labour plan uses 80 person-years over the horizon."
    )


def test_no_addition_helps():
    check = synthetic(additions=synthetic().additions.iloc[0:0], total_labour_cost=np.nan)
    assert check.message().endswith(
        "No addition of labour, capacity, resources or imports makes them feasible."
    )


# ---------------------------------------------------------------------- solver failures
def failing(status: str, when=lambda lp: True):
    """A solve_lp that ends with ``status`` for the LPs ``when`` picks."""

    def solve(lp, **kw):
        sol = solve_lp(lp, **kw)
        if not when(lp):
            return sol
        nan = np.full(lp.n_variables, np.nan)
        return replace(sol, status=status, objective=np.nan, x=nan)

    return solve


def test_time_limit_on_the_first_lp_is_no_verdict(monkeypatch):
    monkeypatch.setattr(optimise_module, "solve_lp", failing("time_limit"))
    with pytest.raises(PlanCheckError) as err:
        check_plan(capacity_spec(capacity_economy(), [70.0, 70.0, 70.0]), time_limit=5)
    e = err.value
    assert isinstance(e, SolverError) and isinstance(e, GosplanError)
    assert e.status == "time_limit" and not e.infeasible
    text = str(e)
    assert text.startswith("Could not decide whether the targets can be met: the least-labour")
    assert "stopped at its time or iteration limit" in text
    assert "--solver" in text and "--time-limit" in text


@pytest.mark.parametrize(
    "group, lp_words",
    [
        ("shortfall", "the LP of the least shortfall"),
        ("add_capacity", "the LP of the smallest additions"),
        ("level", "the LP of the common level"),
    ],
)
def test_solver_error_in_the_diagnosis_is_named(monkeypatch, group, lp_words):
    monkeypatch.setattr(diagnosis, "solve_lp", failing("error", lambda lp: lp.layout.has(group)))
    with pytest.raises(PlanCheckError) as err:
        check_plan(capacity_spec(capacity_economy(), [70.0, 70.0, 70.0]))
    e = err.value
    assert e.infeasible and e.status == "error"
    text = str(e)
    assert text.startswith("The targets cannot all be met, but the diagnosis could not be")
    assert lp_words in text and "stopped without a certified answer" in text
    assert "--solver" in text


def test_solver_error_on_a_target_alone_names_it(monkeypatch):
    def alone(lp):  # the reach-alone LPs maximise output with no target rows
        return lp.maximise and not lp.layout.has("level")

    monkeypatch.setattr(diagnosis, "solve_lp", failing("time_limit", alone))
    with pytest.raises(PlanCheckError, match=r"the LP of 'a' in 1 alone stopped at its time"):
        check_plan(capacity_spec(capacity_economy(), [70.0, 70.0, 70.0]))


def test_infeasible_lps_still_give_a_diagnosis():
    # the honest "infeasible" is not an error: the check answers
    check = check_plan(capacity_spec(capacity_economy(), [70.0, 70.0, 70.0]))
    assert not check.feasible


def test_solver_error_after_a_feasible_verdict_says_so(monkeypatch):
    monkeypatch.setattr(diagnosis, "solve_lp", failing("error", lambda lp: lp.layout.has("level")))
    with pytest.raises(PlanCheckError) as err:
        check_plan(labour_spec([100.0]))
    assert err.value.feasible and not err.value.infeasible
    assert str(err.value).startswith(
        "The targets can be met, but the check could not be completed: the LP of the common level"
    )


def test_a_real_time_limit_is_no_verdict():
    spec = read_spec(spec_path("ussr-1928", "amended"))
    with pytest.raises(PlanCheckError, match="stopped at its time or iteration limit"):
        check_plan(spec, time_limit=1e-9)
