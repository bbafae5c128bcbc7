"""Brigades' counter-plans through part 1's check, planning sessions counted as labour."""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.datasets import spec_path
from gosplan.errors import InputError
from gosplan.plan.optimise import optimise
from gosplan.plan.reader import read_spec
from gosplan.run.brigades import brigade_counter_plans, check_brigades


@pytest.fixture(scope="module")
def plan():
    spec = read_spec(spec_path("ussr-1928", "basic"))
    return spec, optimise(spec, objective="min_labour")


BRIGADES = pd.DataFrame(
    {
        "brigade": ["Donugol shock brigade", "Kuzbass youth brigade"],
        "enterprise": ["Donugol mines", "Kuzbass mines"],
        "period": [1929, 1929],
        "extra_output": [1.0, 0.5],
        "labour_norm": [None, None],
    }
)


def test_the_table_is_part_ones(plan) -> None:
    table = brigade_counter_plans(BRIGADES.assign(labour_norm=[None, 40.0]))
    assert list(table["counter_plan"]) == list(BRIGADES["brigade"])
    assert list(table["input"]) == ["", "workers"] and table["new_coefficient"].iloc[1] == 40.0


def test_sessions_cost_labour_slack(plan) -> None:
    spec, result = plan
    pledges = BRIGADES.drop(columns="labour_norm")
    free = check_brigades(result, spec, pledges)
    assert set(free.summary["counter_plan"]) == set(BRIGADES["brigade"])
    sessions = check_brigades(result, spec, pledges, session_hours_per_day=0.5)

    def labour(check) -> float:
        rows = check.requirements[check.requirements["kind"] == "labour"]
        return float(rows["total"].sum())

    # half an hour of eight: a sixteenth of the enterprises' planned employment needed more
    assert labour(sessions) > labour(free)
    assert sessions.session_labour == pytest.approx(1 / 16)
    assert (sessions.summary["accepted_share"] <= free.summary["accepted_share"] + 1e-12).all()


def test_bad_brigades(plan) -> None:
    spec, result = plan
    with pytest.raises(InputError, match="working day"):
        check_brigades(result, spec, BRIGADES.drop(columns="labour_norm"), session_hours_per_day=9)
    with pytest.raises(InputError, match="needs the column 'brigade'"):
        brigade_counter_plans(BRIGADES.drop(columns="brigade"))
    bad = BRIGADES.drop(columns="labour_norm").assign(enterprise=["Nowhere", "Kuzbass mines"])
    bad.attrs["source"] = "brigades.csv"
    with pytest.raises(InputError) as err:
        check_brigades(result, spec, bad)
    assert "Nowhere" in str(err.value) and "brigades.csv" in str(err.value)
