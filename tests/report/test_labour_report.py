"""Reports of workforce runs: turnover by industry and grade, the wage rules compared."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan.report import Report
from gosplan.report.labour import add_rules_compared, rules_table
from gosplan.report.load import report_from_path
from gosplan.run.workforce import run_workforce

FIRMS = pd.DataFrame(
    {
        "enterprise": ["a", "b", "c"],
        "industry": ["coal", "coal", "steel"],
        "workers": [300.0, 200.0, 100.0],
    }
)
OUTSIDE = (1.5, 1.2, 1.0)


@pytest.fixture(scope="module")
def runs():
    shares = np.array([0.3, 0.4, 0.3])
    mean = float(shares @ np.array(OUTSIDE))
    equal = run_workforce(FIRMS, steps=24, start_year=1929, pay=(mean, mean, mean), outside=OUTSIDE)
    graded = run_workforce(FIRMS, steps=24, start_year=1929, pay=OUTSIDE, outside=OUTSIDE)
    return {"equal": equal, "by grade": graded}


def test_a_workforce_report_from_disk(runs, tmp_path: Path) -> None:
    path = runs["equal"].write(tmp_path / "wf")
    html = report_from_path(path, tmp_path / "wf.html").read_text()
    assert "Turnover by industry and year" in html and "Turnover by skill grade" in html
    assert "<img" in html


def test_the_rules_compared(runs, tmp_path: Path) -> None:
    table = rules_table(runs).set_index("rule")
    skilled = table["skilled separations per 100"]
    assert skilled["equal"] > 2 * skilled["by grade"]  # paid like the unskilled, they leave
    labour = table["skill-weighted labour, end / start"]
    assert labour["equal"] < labour["by grade"]
    rep = Report("rules")
    add_rules_compared(
        rep, runs, heading="The rules", real_wage=pd.Series([1.0, 0.8], index=[1929, 1930])
    )
    html = rep.write(tmp_path / "rules.html").read_text()
    assert "The real wage" in html and html.count("<img") == 1
