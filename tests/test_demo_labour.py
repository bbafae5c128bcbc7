"""The worked example of the workers' side: the brigade wage rules compared."""

from __future__ import annotations

import pytest

from gosplan.demo_labour import RULES, inside_table, labour_lines, run_labour_example
from gosplan.report import Report


@pytest.fixture(scope="module")
def example():
    return run_labour_example()


def test_levelling_drives_the_skilled_out(example) -> None:
    rules = example.rules.set_index("rule")
    skilled = rules["skilled separations per 100"]
    assert list(rules.index) == list(RULES)
    assert skilled["equal"] > 2 * skilled["by_grade"]
    labour = rules["skill-weighted labour, end / start"]
    assert labour["equal"] < labour["by_grade"]


def test_the_fit_and_the_lines(example, tmp_path) -> None:
    coal = example.fit.set_index(["year", "industry", "movement"]).loc[
        (1930, "coal industry", "left")
    ]
    assert abs(coal["relative_difference"]) <= 0.10
    lines = labour_lines(example)
    assert lines[0].startswith("coal separations 1930") and all(len(line) <= 80 for line in lines)
    inside = inside_table(example.inside)
    by_grade, equal = (inside.set_index("rule").loc[r] for r in ("by_grade", "equal"))
    assert equal["skilled separations /100"] > 2 * by_grade["skilled separations /100"]
    assert equal["output vs first rule"] < 1.0 == by_grade["output vs first rule"]
    assert 0.0 < by_grade["households unmet, %"] < equal["households unmet, %"] < 100.0
    from gosplan.demo_labour import add_labour_example

    rep = Report("labour")
    add_labour_example(rep, example)
    html = rep.write(tmp_path / "labour.html").read_text()
    assert "The brigade wage rules compared" in html and html.count("<img") >= 2


def test_simulated_shortages_raise_separations() -> None:
    import pandas as pd

    shortage = pd.Series({1929: 0.0, 1930: 0.4, 1931: 0.3, 1932: 0.2})
    coupled = run_labour_example(shortage=shortage)
    lines = labour_lines(coupled)
    assert lines[-1].startswith("with the simulated shortages (40 % in 1930)")
    assert all(len(line) <= 80 for line in lines)
    fit = coupled.coupled.turnover
    base = coupled.fit
    pick = (
        (fit["year"] == 1930)
        & (fit["industry"] == "all large-scale industry")
        & (fit["movement"] == "left")
    )
    assert fit[pick]["model"].iloc[0] > base[pick]["model"].iloc[0]
