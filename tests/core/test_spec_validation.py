"""A PlanSpec is validated when built, and every problem of a plan is reported at once."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from typer.testing import CliRunner

from gosplan.core.checks import Check
from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION, Economy
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError, UnknownLabelError, ValidationError

PRODUCTS = ["steel", "cloth"]


def two_sector() -> Economy:
    """Steel (means of production, capital goods) and cloth (consumer goods)."""
    return Economy.from_coefficients(
        pd.DataFrame([[0.2, 0.3], [0.0, 0.1]], index=PRODUCTS, columns=PRODUCTS),
        labour=pd.DataFrame([[0.5, 0.4]], index=["workers"], columns=PRODUCTS),
        products=pd.DataFrame(
            {"unit": ["t", "m"], "group": [MEANS_OF_PRODUCTION, CONSUMER_GOODS]}, index=PRODUCTS
        ),
        capacity=pd.Series({"steel": 100.0, "cloth": 100.0}),
        capital=pd.DataFrame([[2.0, 2.0], [0.0, 0.0]], index=PRODUCTS, columns=PRODUCTS),
        service_life=pd.Series({"steel": 30.0, "cloth": 20.0}),
    )


def write_economy(root: Path) -> Path:
    """The two-sector economy in the on-disk format, written by hand."""
    root.mkdir(parents=True)
    (root / "economy.toml").write_text(
        'name = "two"\n[tables]\nproducts = "products.csv"\ntechnology = "technology.csv"\n'
        'labour = "labour.csv"\n'
    )
    (root / "products.csv").write_text("product,unit\nsteel,t\ncloth,m\n")
    (root / "technology.csv").write_text(
        "input,activity,coefficient\nsteel,steel,0.2\nsteel,cloth,0.3\ncloth,cloth,0.1\n"
    )
    (root / "labour.csv").write_text(
        "labour_type,activity,coefficient\nworkers,steel,0.5\nworkers,cloth,0.4\n"
    )
    return root


def bad_plan(root: Path) -> Path:
    """A plan with three different problems in two tables."""
    write_economy(root / "economy")
    (root / "plan.toml").write_text(
        'name = "bad"\neconomy = "economy"\nperiods = [1929, 1930]\nobjective = "min_labour"\n'
        '[tables]\ntargets = "targets.csv"\nlabour_available = "labour.csv"\n'
    )
    # row 2: target is not a number; row 3: unknown product
    (root / "targets.csv").write_text("product,period,target\nsteel,1929,lots\ncoal,1930,5\n")
    # row 3: negative labour
    (root / "labour.csv").write_text(
        "labour_type,period,available\nworkers,1929,100\nworkers,1930,-5\n"
    )
    return root


EXPECTED = [  # (file, row, label, check)
    ("targets.csv", 2, "steel", Check.NON_NUMERIC),
    ("targets.csv", 3, "coal", Check.UNKNOWN_LABEL),
    ("labour.csv", 3, "workers", Check.NEGATIVE_VALUE),
]


def test_read_plan_reports_every_problem_at_once(tmp_path: Path) -> None:
    from gosplan.plan.reader import read_spec

    root = bad_plan(tmp_path)
    with pytest.raises(ValidationError) as info:
        read_spec(root)
    found = sorted(
        (Path(p.source or "").name, p.row, p.label, p.check) for p in info.value.problems
    )
    assert found == sorted(EXPECTED)
    for p in info.value.problems:
        assert Path(p.source or "").parent == root
    text = str(info.value)
    assert text.startswith("3 problems found:")
    assert f"{root / 'targets.csv'}, row 2, label 'steel': target is not a number: 'lots'" in text
    assert f"{root / 'targets.csv'}, row 3, label 'coal': unknown product" in text
    assert f"{root / 'labour.csv'}, row 3, label 'workers': available is negative (-5)" in text


def test_the_cli_exits_2_and_prints_every_problem(tmp_path: Path) -> None:
    from gosplan.cli import app

    root = bad_plan(tmp_path)
    result = CliRunner().invoke(app, ["plan", str(root)], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    out = " ".join(result.output.split())  # the message may be wrapped
    for file, row, label, _ in EXPECTED:
        assert f"{file}, row {row}, label '{label}'" in out, out


def test_problems_of_the_manifest_and_of_tables_come_together(tmp_path: Path) -> None:
    from gosplan.plan.reader import read_spec

    root = bad_plan(tmp_path)
    manifest = (root / "plan.toml").read_text().replace('name = "bad"', 'name = "bad"\nhorizn = 3')
    (root / "plan.toml").write_text(manifest.replace("min_labour", "max_happiness"))
    with pytest.raises(ValidationError) as info:
        read_spec(root)
    checks = sorted(str(p.check) for p in info.value.problems)
    assert checks == sorted(
        ["unknown_key", "unknown_objective", "non_numeric", "unknown_label", "negative_value"]
    )


def test_an_unreadable_table_does_not_stop_the_others(tmp_path: Path) -> None:
    from gosplan.plan.reader import read_spec

    root = bad_plan(tmp_path)
    (root / "targets.csv").unlink()
    with pytest.raises(ValidationError) as info:
        read_spec(root)
    checks = sorted(str(p.check) for p in info.value.problems)
    # "min_labour needs targets" is not claimed: the targets could not be read
    assert checks == ["negative_value", "unreadable_file"]


def frame(**cols: object) -> pd.DataFrame:
    return pd.DataFrame(cols)


def test_the_constructor_validates_and_collects_every_problem() -> None:
    eco = two_sector()
    with pytest.raises(ValidationError) as info:
        PlanSpec(
            eco,
            periods=(1, 2, 3),
            objective="max_level",
            targets=frame(product=["steel", "tea"], period=[1, 9], target=[1.0, 2.0]),
            lags=frame(activity=["steel"], lag=[5]),
            depreciation=frame(activity=["cloth"], rate=[1.5]),
            discount=2.0,
        )
    got = sorted((p.source, p.row, p.label, str(p.check)) for p in info.value.problems)
    assert got == sorted(
        [
            ("plan spec", None, "discount", "bad_setting"),
            ("plan spec: targets", 3, "tea", "unknown_label"),
            ("plan spec: targets", 3, "tea", "unknown_label"),  # and its period
            ("plan spec: lags", 2, "steel", "lag_exceeds_horizon"),
            ("plan spec: depreciation", 2, "cloth", "out_of_range"),
        ]
    )
    assert "period 9 is not in the horizon 1–3" in str(info.value)


def test_validated_returns_the_spec_and_with_changes_validates() -> None:
    eco = two_sector()
    spec = PlanSpec(eco, periods=(1, 2), assortment=frame(product=["cloth"], weight=[1.0]))
    assert spec.validated() is spec
    with pytest.raises(InputError, match="discount must be in"):
        spec.with_changes(discount=-1.0)
    with pytest.raises(ValidationError, match="needs targets"):
        spec.with_changes(objective="harmony")
    assert spec.with_changes(name="other").name == "other"


def test_only_unknown_labels_is_an_unknown_label_error() -> None:
    eco = two_sector()
    with pytest.raises(UnknownLabelError) as info:
        PlanSpec(eco, periods=(1,), assortment=frame(product=["tea", "rum"], weight=[1.0, 1.0]))
    assert [p.label for p in info.value.problems] == ["tea", "rum"]


def test_a_bad_row_is_reported_once_not_again_by_the_checks_between_tables() -> None:
    eco = two_sector()
    with pytest.raises(ValidationError) as info:
        PlanSpec(
            eco,
            periods=(1, 2, 3),
            assortment=frame(product=["cloth"], weight=[1.0]),
            lags=frame(activity=["steel"], lag=[np.nan]),
            construction=frame(activity=["steel", "tea"], offset=[0, 0], share=[1.0, 1.0]),
        )
    got = sorted((p.source, p.row, str(p.check)) for p in info.value.problems)
    assert got == [
        ("plan spec: construction", 3, "unknown_label"),
        ("plan spec: lags", 2, "non_numeric"),
    ]


def big_economy(n: int) -> Economy:
    """``n`` products, each made from a little of itself, labour only."""
    labels = pd.Index([f"p{i}" for i in range(n)], name="product")
    return Economy(
        products=pd.DataFrame({"unit": "t", "group": CONSUMER_GOODS}, index=labels),
        activities=pd.DataFrame({"product": labels}, index=pd.Index(labels, name="activity")),
        technology=sp.diags(np.full(n, 0.1), format="csc"),
        labour_types=pd.Index(["workers"], name="labour_type"),
        labour=sp.csc_array(np.full((1, n), 0.5)),
        capacity=np.full(n, 10.0),
    )


def test_validation_is_cheap_for_a_large_economy() -> None:
    n = 100_000
    eco = big_economy(n)
    labels = eco.product_labels
    tables = {
        "assortment": frame(product=labels, weight=np.ones(n)),
        "floors": frame(product=labels, period=np.full(n, 1), floor=np.ones(n)),
        "initial_stocks": frame(product=labels, stock=np.ones(n)),
        "terminal_capacity": frame(activity=eco.activity_labels, capacity=np.ones(n)),
    }
    start = time.perf_counter()
    spec = PlanSpec(eco, periods=(1, 2), objective="max_level", **tables)
    elapsed = time.perf_counter() - start
    assert len(spec.assortment) == n
    assert elapsed < 10.0, f"validating {n} rows per table took {elapsed:.1f} s"
    bad = frame(product=labels, weight=-np.ones(n))
    with pytest.raises(ValidationError) as info:
        spec.with_changes(assortment=bad)
    assert len(info.value.problems) == 6  # five named, then a count of the rest
    assert f"... and {n - 5} more rows" in str(info.value.problems[-1])
