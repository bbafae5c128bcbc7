"""CLI: control-figures, counter-plan, fulfilment, competition and alerts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli import app

from . import no_traceback, write_csv, write_economy_dir

runner = CliRunner()


def invoke(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert no_traceback(result), result.output
    return result


# ---------------------------------------------------------------------- a small plan
def write_spec(root: Path, labour: float = 1e4) -> Path:
    """Miller & Blair's two products over two periods, three enterprises in two trusts.

    The least-labour plan runs a at 500 and b at 1700 in each period; a1 and a2 share a's
    level by capacity, 1200 : 300, so 400 and 100.
    """
    eco = write_economy_dir(root / "economy", capacity=np.array([1500.0, 2500.0]))
    write_csv(
        eco / "enterprises.csv",
        pd.DataFrame(
            {
                "enterprise": ["a1", "a2", "b1"],
                "activity": ["a", "a", "b"],
                "capacity": [1200.0, 300.0, 2500.0],
                "trust": ["Ta", "Ta", "Tb"],
                "commissariat": ["C1", "C1", "C2"],
                "labour_factor": [1.0, 0.8, 1.0],
            }
        ),
    )
    toml = eco / "economy.toml"
    toml.write_text(toml.read_text() + 'enterprises = "enterprises.csv"\n')
    tables = {
        "labour_available": pd.DataFrame(
            {"labour_type": ["labour"] * 2, "period": [1, 2], "available": [labour] * 2}
        ),
        "targets": pd.DataFrame(
            {"product": ["a", "b"] * 2, "period": [1, 1, 2, 2], "target": [350.0, 1700.0] * 2}
        ),
    }
    lines = [
        'name = "run test"',
        'economy = "economy"',
        "periods = [1, 2]",
        'objective = "min_labour"',
        "",
        "[tables]",
    ]
    for name, frame in tables.items():
        write_csv(root / f"{name}.csv", frame)
        lines.append(f'{name} = "{name}.csv"')
    (root / "plan.toml").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_spec(tmp_path_factory.mktemp("run") / "spec")


@pytest.fixture(scope="module")
def adopted(spec: Path):
    from gosplan.plan.optimise import optimise
    from gosplan.plan.reader import read_spec

    plan_spec = read_spec(spec)
    result = optimise(plan_spec)
    assert result.optimal
    return result, plan_spec


@pytest.fixture(scope="module")
def figures(adopted):
    from gosplan.run.control import control_figures

    return control_figures(*adopted)


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


ACTUALS = """enterprise,period,product,output,labour:labour,received:a
a1,1,a,360,108,60
a2,1,a,100,24,15
b1,1,b,1700,340,425
a1,2,a,400,120,60
a2,2,a,90,24,15
b1,2,b,1800,340,425
"""


@pytest.fixture
def actuals(tmp_path: Path) -> Path:
    return write_text(tmp_path / "actuals.csv", ACTUALS)


def stdout_json(result) -> dict:
    return json.loads(result.stdout)


# ---------------------------------------------------------------------- control figures
def test_control_figures_json_equals_the_library(spec: Path, figures) -> None:
    result = invoke("control-figures", spec, "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    doc = stdout_json(result)
    got = pd.DataFrame(doc["figures"]).set_index(["enterprise", "period"])["level"]
    lib = figures.figures.assign(enterprise=figures.figures["enterprise"].astype(str))
    lib = lib.set_index(["enterprise", "period"])["level"]
    assert got[("a1", 1)] == pytest.approx(lib[("a1", 1)], rel=1e-12)
    assert got[("a1", 1)] == pytest.approx(400.0)  # 1200 of 1500 of a's level 500
    assert doc["rule"] == "capacity" and doc["monthly"] is False
    assert len(doc["supply"]) == len(figures.supply)


def test_control_figures_on_the_terminal_shows_first_rows_and_count(spec: Path) -> None:
    result = invoke("control-figures", spec, "--monthly", "-q")
    assert result.exit_code == 0, result.output
    assert "Control figures by enterprise: the first 12 of 72 rows" in result.stdout
    assert "control figures of 3 enterprises over 2 periods (monthly" in result.stdout


def test_control_figures_output_folder_round_trip(spec: Path, figures, tmp_path: Path) -> None:
    from gosplan.core.control_figures import ControlFigures

    out = tmp_path / "figures"
    result = invoke("control-figures", spec, "--output", out, "-q")
    assert result.exit_code == 0, result.output
    back = ControlFigures.read(out)
    np.testing.assert_allclose(back.figures["level"], figures.figures["level"], rtol=1e-12)
    np.testing.assert_allclose(back.labour["quantity"], figures.labour["quantity"], rtol=1e-12)
    assert len(back.supply) == len(figures.supply)


def test_control_figures_least_labour_with_a_profile_to_json(
    spec: Path, adopted, tmp_path: Path
) -> None:
    from gosplan.core.control_figures import ControlFigures
    from gosplan.run.control import control_figures, monthly

    profile = write_text(tmp_path / "profile.csv", "product,month,weight\na,1,3\na,2,1\n")
    out = tmp_path / "figures.json"
    result = invoke(
        "control-figures", spec, "--rule", "least_labour", "--profile", profile, "-o", out, "-q"
    )
    assert result.exit_code == 0, result.output
    back = ControlFigures.read(out)
    lib = monthly(
        control_figures(*adopted, rule="least_labour"), pd.read_csv(profile, dtype={"product": str})
    )
    assert back.monthly and back.rule == "least_labour"
    np.testing.assert_allclose(back.figures["output"], lib.figures["output"], rtol=1e-12)
    # least labour loads a2 (labour factor 0.8) to its capacity first; a's January: 3/4 of it
    jan = back.figures.query("enterprise == 'a2' and period == 1 and month == 1")["level"]
    assert float(jan.iloc[0]) == pytest.approx(300.0 * 3 / 4)


def test_control_figures_from_a_plan_folder(spec: Path, figures, tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    assert invoke("plan", spec, "--output", plan, "-q").exit_code == 0
    result = invoke("control-figures", spec, "--plan", plan, "--format", "json")
    assert result.exit_code == 0, result.output
    got = pd.DataFrame(stdout_json(result)["figures"])["level"].to_numpy()
    np.testing.assert_allclose(got, figures.figures["level"], rtol=1e-9)


def test_control_figures_bad_profile_exits_two_naming_file_row_and_label(
    spec: Path, tmp_path: Path
) -> None:
    profile = write_text(tmp_path / "profile.csv", "product,month,weight\na,1,1\nsteel,2,1\n")
    result = invoke("control-figures", spec, "--profile", profile, "-q")
    assert result.exit_code == 2
    assert str(profile) in result.stderr
    assert "row 3" in result.stderr and "'steel'" in result.stderr


def test_control_figures_infeasible_plan_exits_one(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "spec", labour=10.0)
    result = invoke("control-figures", spec, "-q")
    assert result.exit_code == 1
    assert "not optimal (status infeasible)" in result.stderr


def test_control_figures_missing_plan_folder_exits_two(spec: Path, tmp_path: Path) -> None:
    result = invoke("control-figures", spec, "--plan", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "nowhere" in result.stderr


# ---------------------------------------------------------------------- counter-plans
COUNTER_PLANS = "counter_plan,enterprise,period,extra_output\nsmall,a1,1,10\nbig,b1,1,1000\n"


def test_counter_plan_exits_one_when_one_cannot_be_accepted_in_full(
    spec: Path, adopted, tmp_path: Path
) -> None:
    from gosplan.run.counter_plans import check_counter_plan, read_counter_plans

    path = write_text(tmp_path / "cp.csv", COUNTER_PLANS)
    result = invoke("counter-plan", spec, path, "-q")
    assert result.exit_code == 1, result.output
    lib = check_counter_plan(adopted[0], adopted[1], read_counter_plans(path))
    share = lib.accepted_share("big")
    assert 0 < share < 1
    text = " ".join(result.stdout.split())
    assert "small: can be accepted in full" in text
    assert f"big: {share:.1%} can be accepted" in text
    assert "the capacity of b in 1 binds first" in text
    assert "Missing, upstream" in result.stdout


def test_counter_plan_json_shares_equal_the_library(spec: Path, adopted, tmp_path: Path) -> None:
    from gosplan.run.counter_plans import check_counter_plan, read_counter_plans

    path = write_text(tmp_path / "cp.csv", COUNTER_PLANS)
    result = invoke("counter-plan", spec, path, "--mode", "commit", "-f", "json", "-q")
    assert result.exit_code == 1, result.output
    doc = stdout_json(result)
    lib = check_counter_plan(adopted[0], adopted[1], read_counter_plans(path), mode="commit")
    got = {r["counter_plan"]: r["accepted_share"] for r in doc["summary"]}
    assert got["big"] == pytest.approx(lib.accepted_share("big"), rel=1e-12)
    assert doc["mode"] == "commit" and doc["accepted_in_full"] is False
    missing = pd.DataFrame(doc["missing"])
    assert missing["quantity"].sum() == pytest.approx(lib.missing["quantity"].sum())


def test_counter_plan_accepted_in_full_exits_zero(spec: Path, tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "cp.csv", "counter_plan,enterprise,period,extra_output\nx,a1,2,5\n"
    )
    result = invoke("counter-plan", spec, path, "--session-labour", "0.0625", "-q")
    assert result.exit_code == 0, result.output
    assert "x: can be accepted in full" in result.stdout


def test_counter_plan_output_round_trip(spec: Path, adopted, tmp_path: Path) -> None:
    from gosplan.core.counter_plan_check import CounterPlanCheck
    from gosplan.run.counter_plans import check_counter_plan, read_counter_plans

    path = write_text(tmp_path / "cp.csv", COUNTER_PLANS)
    out = tmp_path / "check"
    result = invoke("counter-plan", spec, path, "--mode", "joint", "--output", out, "-q")
    assert result.exit_code == 1, result.output
    back = CounterPlanCheck.read(out)
    lib = check_counter_plan(adopted[0], adopted[1], read_counter_plans(path), mode="joint")
    assert back.mode == "joint"
    assert back.accepted_share("small") == pytest.approx(lib.accepted_share("small"), rel=1e-12)
    assert len(back.requirements) == len(lib.requirements)


@pytest.mark.parametrize(
    ("row", "label", "words"),
    [
        ("x,nowhere,1,10", "nowhere", ""),
        ("x,a1,1,-10", "", "negative"),
        ("x,a1,7,10", "", "period"),
    ],
)
def test_counter_plan_bad_rows_exit_two_naming_file_row_and_label(
    spec: Path, tmp_path: Path, row: str, label: str, words: str
) -> None:
    path = write_text(
        tmp_path / "cp.csv", f"counter_plan,enterprise,period,extra_output\nok,a1,1,1\n{row}\n"
    )
    result = invoke("counter-plan", spec, path, "-q")
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr and "row 3" in result.stderr
    assert f"'{label}'" in result.stderr if label else True
    assert words in result.stderr


def test_counter_plan_new_norm_of_an_unused_input_exits_two(spec: Path, tmp_path: Path) -> None:
    # a1 makes a from a and b only: a norm for the input "c" it does not use is refused
    path = write_text(
        tmp_path / "cp.csv",
        "counter_plan,enterprise,period,extra_output,input,new_coefficient\nx,a1,1,10,c,0.1\n",
    )
    result = invoke("counter-plan", spec, path, "-q")
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr and "row 2" in result.stderr


def test_counter_plan_missing_file_exits_two(spec: Path, tmp_path: Path) -> None:
    result = invoke("counter-plan", spec, tmp_path / "none.csv")
    assert result.exit_code == 2
    assert "none.csv" in result.stderr


# ---------------------------------------------------------------------- fulfilment
def test_fulfilment_json_equals_the_library(spec: Path, figures, actuals: Path) -> None:
    from gosplan.run.fulfilment import fulfilment, read_actuals

    result = invoke("fulfilment", spec, actuals, "-f", "json", "-q")
    assert result.exit_code == 0, result.output
    doc = stdout_json(result)
    lib = fulfilment(figures, read_actuals(actuals, figures).drop(columns="month")).table
    got = pd.DataFrame(doc["table"])
    np.testing.assert_allclose(got["share"], lib["share"], rtol=1e-12)
    a1 = got[(got["enterprise"] == "a1") & (got["period"] == 1)].iloc[0]
    assert a1["share"] == pytest.approx(0.9) and a1["cause"] == "labour:labour"
    trust = pd.DataFrame(doc["by_trust"])
    ta = trust[(trust["trust"] == "Ta") & (trust["product"] == "a") & (trust["period"] == 1)]
    assert float(ta["share"].iloc[0]) == pytest.approx(460.0 / 500.0)
    assert {"by_commissariat"} <= set(doc)


def test_fulfilment_on_the_terminal_shows_table_and_aggregates(spec: Path, actuals: Path) -> None:
    result = invoke("fulfilment", spec, actuals, "-q")
    assert result.exit_code == 0, result.output
    assert "6 reports of 3 enterprises; 2 short of plan" in result.stdout
    assert "By trust" in result.stdout and "By commissariat" in result.stdout
    assert "0.92" in result.stdout  # trust Ta, product a, period 1: 460 / 500


def test_fulfilment_output_round_trip(spec: Path, actuals: Path, tmp_path: Path) -> None:
    from gosplan.core.fulfilment_report import FulfilmentReport

    out = tmp_path / "report"
    result = invoke("fulfilment", spec, actuals, "--output", out, "-q")
    assert result.exit_code == 0, result.output
    back = FulfilmentReport.read(out)
    assert len(back.table) == 6
    row = back.table[(back.table["enterprise"] == "a2") & (back.table["period"] == 2)]
    assert float(row["share"].iloc[0]) == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("row", "label", "words"),
    [
        ("zz,1,a,10,,", "zz", ""),  # an unknown enterprise
        ("a1,1,b,10,,", "a1", ""),  # a1 does not make b
        ("a1,2,a,-5,,", "a1", "negative"),
        ("a1,1,a,360,,", "a1", ""),  # the same report twice
        ("a1,9,a,10,,", "9", "outside the plan"),
    ],
)
def test_fulfilment_bad_reports_exit_two_naming_file_row_and_label(
    spec: Path, tmp_path: Path, row: str, label: str, words: str
) -> None:
    path = write_text(tmp_path / "actuals.csv", ACTUALS + row + "\n")
    result = invoke("fulfilment", spec, path, "-q")
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr
    assert "row 8" in result.stderr and f"'{label}'" in result.stderr
    assert words in result.stderr


# ---------------------------------------------------------------------- competition
def test_competition_by_trust_equals_the_library(spec: Path, figures, actuals: Path) -> None:
    from gosplan.run.competition import competition
    from gosplan.run.fulfilment import fulfilment, read_actuals

    result = invoke("competition", spec, actuals, "--by", "trust", "-f", "csv", "-q")
    assert result.exit_code == 0, result.output
    got = pd.read_csv(io.StringIO(result.stdout))
    report = fulfilment(figures, read_actuals(actuals, figures).drop(columns="month"))
    lib = competition(report, by="trust")
    np.testing.assert_allclose(got["value"], lib["value"], rtol=1e-12)
    first = got[got["period"] == 1].set_index("trust")
    assert first.loc["Tb", "rank"] == 1 and first.loc["Ta", "rank"] == 2


def test_competition_challenges_and_output(spec: Path, actuals: Path, tmp_path: Path) -> None:
    pairs = write_text(tmp_path / "pairs.csv", "challenger,challenged\na2,a1\n")
    out = tmp_path / "competition"
    result = invoke(
        "competition", spec, actuals, "--measure", "growth", "--challenges", pairs, "-o", out
    )
    assert result.exit_code == 0, result.output
    standings = pd.read_csv(out / "standings.csv")
    growth = standings.set_index(["enterprise", "period"])["value"]
    assert growth[("b1", 2)] == pytest.approx(1800 / 1700 - 1)
    challenges = pd.read_csv(out / "challenges.csv").set_index("period")
    # a2's growth 90 / 100 - 1 against a1's 400 / 360 - 1: a1 is ahead in period 2
    assert challenges.loc[2, "ahead"] == "a1"


def test_competition_unknown_challenger_exits_two(
    spec: Path, actuals: Path, tmp_path: Path
) -> None:
    pairs = write_text(tmp_path / "pairs.csv", "challenger,challenged\na2,a1\nzz,a1\n")
    result = invoke("competition", spec, actuals, "--challenges", pairs, "-q")
    assert result.exit_code == 2, result.output
    assert f"{pairs}, row 3, label 'zz'" in result.stderr


# ---------------------------------------------------------------------- alerts
def monthly_actuals(path: Path) -> Path:
    """Two years of monthly reports at plan, except a1, down to 70 % from month 7 of year 2."""
    plan = {("a1", "a"): 400.0, ("a2", "a"): 100.0, ("b1", "b"): 1700.0}
    rows = []
    for period in (1, 2):
        for month in range(1, 13):
            for (enterprise, product), annual in plan.items():
                share = 0.7 if (enterprise == "a1" and period == 2 and month >= 7) else 1.0
                rows.append((enterprise, period, month, product, annual / 12 * share))
    frame = pd.DataFrame(rows, columns=["enterprise", "period", "month", "product", "output"])
    return write_csv(path, frame)


def test_alerts_raise_and_escalate_a_fall(spec: Path, figures, tmp_path: Path) -> None:
    from gosplan.run.alerts import alerts
    from gosplan.run.control import monthly
    from gosplan.run.fulfilment import fulfilment, read_actuals

    path = monthly_actuals(tmp_path / "monthly.csv")
    result = invoke("alerts", spec, path, "--monthly", "-f", "json", "-q")
    assert result.exit_code == 0, result.output
    got = pd.DataFrame(json.loads(result.stdout))
    by_month = monthly(figures)
    lib = alerts(fulfilment(by_month, read_actuals(path, by_month)).table)
    assert len(got) == len(lib) > 0
    assert set(got["enterprise"]) == {"a1"} and set(got["direction"]) == {"fall"}
    first = got.iloc[0]
    assert (first["period"], first["month"], first["level"]) == (2, 7, "enterprise")
    np.testing.assert_allclose(got["probability"], lib["probability"], rtol=1e-12)
    assert "trust" in set(got["level"])


def test_alerts_on_the_terminal_and_threshold(spec: Path, tmp_path: Path) -> None:
    path = monthly_actuals(tmp_path / "monthly.csv")
    result = invoke("alerts", spec, path, "--threshold", "0.5", "-q")
    assert result.exit_code == 0, result.output
    assert "alerts open in 1 of the series (threshold 0.5)" in result.stdout
    bad = invoke("alerts", spec, path, "--threshold", "2")
    assert bad.exit_code == 2
    assert "--threshold" in bad.output


def test_alerts_bad_actuals_exit_two(spec: Path, tmp_path: Path) -> None:
    path = write_text(tmp_path / "actuals.csv", "enterprise,period,product,output\na1,1,a,x\n")
    result = invoke("alerts", spec, path, "-q")
    assert result.exit_code == 2, result.output
    assert f"{path}, row 2" in result.stderr


# ---------------------------------------------------------------------- the bundled scenario
def test_the_bundled_scenario_runs_end_to_end() -> None:
    from gosplan.datasets import scenario_path

    run = scenario_path("ussr-1928").parent / "run"
    spec = "scenario:ussr-1928/optimum"
    counter = invoke("counter-plan", spec, run / "counter_plans.csv", "-f", "json", "-q")
    assert counter.exit_code == 1, counter.output  # some cannot be accepted in full
    doc = json.loads(counter.stdout)
    assert doc["accepted_in_full"] is False and len(doc["messages"]) == len(doc["summary"])
    reports = run / "fulfilment_1929_30.csv"
    ful = invoke("fulfilment", spec, reports, "--monthly", "-f", "json", "-q")
    assert ful.exit_code == 0, ful.output
    assert len(json.loads(ful.stdout)["table"]) == len(pd.read_csv(reports))
    comp = invoke("competition", spec, reports, "--by", "trust", "-q")
    assert comp.exit_code == 0, comp.output
    found = invoke("alerts", spec, reports, "-f", "json", "-q")
    assert found.exit_code == 0, found.output
    alerts = pd.DataFrame(json.loads(found.stdout))
    assert {"enterprise", "product", "direction", "level"} <= set(alerts.columns)
    assert set(alerts["direction"]) <= {"fall", "rise"}
