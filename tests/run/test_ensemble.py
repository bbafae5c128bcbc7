"""Ensembles: Dask equals serial for fixed seeds, seeds, errors, summaries, round trips."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.ensemble_result import DIMS, EnsembleResult, quantile_name
from gosplan.errors import InputError
from gosplan.generate import generate_economy
from gosplan.run.ensemble import ensemble, run_seeds, variation_table
from gosplan.run.simulate import simulate

RUNS = 4


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """One local cluster of two worker processes for the module."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def setup() -> tuple[Economy, dict, dict]:
    """An economy of 40 products, its common arguments and three policy variants."""
    eco = generate_economy(40, seed=1)
    labels = eco.product_labels
    y = pd.Series(np.random.default_rng(0).uniform(1, 10, len(labels)), index=labels)
    x = eco.gross_output(y).to_numpy()
    hub = str(labels[int(np.argmax(np.diff(eco.technology.tocsr().indptr)))])
    random_shock = pd.DataFrame(
        {"product": [hub], "from_step": [3], "share_min": [0.2], "share_max": [0.7],
         "recovery": [10]}
    )  # fmt: skip
    fixed_shock = pd.DataFrame(
        {"product": [hub], "from_step": [3], "share": [0.5], "recovery": [10]}
    )
    classes = pd.DataFrame({"product": ["final"], "class": [1]})
    common = {
        "final_demand": y,
        "steps": 25,
        "capacity": pd.Series(1.05 * x, index=labels),
        "stock_days": 1.5,
        "restoration": 5,
    }
    variations = {
        "proportional": {"rationing": "proportional", "shocks": random_shock},
        "final first": {"rationing": "priority", "classes": classes, "shocks": random_shock},
        "fixed shock": {"rationing": "proportional", "shocks": fixed_shock},
    }
    return eco, common, variations


@pytest.fixture(scope="module")
def serial_result(setup: tuple) -> EnsembleResult:
    eco, common, variations = setup
    return ensemble(eco, variations, runs=RUNS, seed=7, serial=True, **common)


def test_dask_gives_the_numbers_of_a_serial_run(
    setup: tuple, serial_result: EnsembleResult, client: object
) -> None:
    eco, common, variations = setup
    seen: list[tuple[int, int, str]] = []
    on_dask = ensemble(
        eco,
        variations,
        runs=RUNS,
        seed=7,
        client=client,
        progress=lambda done, total, msg: seen.append((done, total, msg)),
        **common,
    )
    pd.testing.assert_frame_equal(on_dask.runs, serial_result.runs, check_exact=True)
    pd.testing.assert_frame_equal(on_dask.variants, serial_result.variants)
    assert on_dask.quantities == serial_result.quantities
    total = len(variations) * RUNS
    assert [d for d, _, _ in seen] == list(range(1, total + 1))
    assert {t for _, t, _ in seen} == {total}
    assert on_dask.provenance["engine"] == "dask"
    assert serial_result.provenance["engine"] == "serial"


def test_a_run_is_one_simulate_call_with_its_seed(
    setup: tuple, serial_result: EnsembleResult
) -> None:
    eco, common, variations = setup
    seeds = run_seeds(7, RUNS)
    run = 2
    one = simulate(eco, seed=seeds[run], **common, **variations["final first"])
    rows = serial_result.runs
    mine = rows[(rows["variant"] == "final first") & (rows["run"] == run)]
    assert set(mine["seed"]) == {seeds[run]}
    expected = one.products.sort_values(["step", "product"]).reset_index(drop=True)
    got = mine.sort_values(["step", "product"]).reset_index(drop=True)
    for col in serial_result.quantities:
        np.testing.assert_array_equal(got[col].to_numpy(), expected[col].to_numpy())


def test_seeds_make_runs_differ_only_where_shocks_are_random(
    serial_result: EnsembleResult,
) -> None:
    cube = serial_result.cube("output")  # variant, run, step, product
    names = serial_result.variant_names
    fixed = cube[names.index("fixed shock")]
    assert np.array_equal(fixed, np.broadcast_to(fixed[0], fixed.shape))
    drawn = cube[names.index("proportional")]
    assert not np.array_equal(drawn[0], drawn[1])
    seeds = serial_result.runs.groupby("run")["seed"].unique()
    assert all(len(s) == 1 for s in seeds)  # run r: one seed for every variant
    assert len({int(s[0]) for s in seeds}) == RUNS
    assert run_seeds(7, RUNS + 3)[:RUNS] == run_seeds(7, RUNS)  # more runs keep the seeds


def test_an_error_in_a_variation_surfaces_with_its_message(setup: tuple, client: object) -> None:
    eco, common, _ = setup
    variations = {"good": {"rationing": "proportional"}, "bad": {"rationing": "lottery"}}
    with pytest.raises(InputError, match="unknown rationing rule 'lottery'") as serial_error:
        ensemble(eco, variations, runs=2, serial=True, **common)
    with pytest.raises(InputError, match="unknown rationing rule 'lottery'") as dask_error:
        ensemble(eco, variations, runs=2, client=client, **common)
    assert type(dask_error.value) is type(serial_error.value)
    assert str(dask_error.value) == str(serial_error.value)
    assert dask_error.value.check == serial_error.value.check


def test_bad_arguments_are_input_errors(setup: tuple) -> None:
    eco, common, _ = setup
    with pytest.raises(InputError, match="no argument of simulate") as err:
        ensemble(eco, {"typo": {"ratoning": "priority"}}, runs=1, serial=True, **common)
    assert err.value.label == "typo" and err.value.check == "unknown_key"
    with pytest.raises(InputError, match="runs must be"):
        ensemble(eco, {"a": {}}, runs=0, serial=True, **common)
    with pytest.raises(InputError, match="at least one variant"):
        ensemble(eco, {}, runs=1, serial=True, **common)
    with pytest.raises(InputError, match="cannot set 'seed'"):
        ensemble(eco, {"a": {"seed": 3}}, runs=1, serial=True, **common)


def test_a_table_of_variations_is_a_mapping() -> None:
    table = pd.DataFrame(
        {
            "variant": ["p", "q"],
            "rationing": ["proportional", "priority"],
            "stock_days": [2.0, None],
        }
    )
    assert variation_table(table) == {
        "p": {"rationing": "proportional", "stock_days": 2.0},
        "q": {"rationing": "priority"},
    }
    with pytest.raises(InputError, match="named twice"):
        variation_table(pd.DataFrame({"variant": ["p", "p"], "rationing": ["a", "b"]}))


def test_quantiles_are_ordered_and_bound_the_runs(serial_result: EnsembleResult) -> None:
    table = serial_result.quantiles("output")
    names = [quantile_name(q) for q in (0.05, 0.25, 0.5, 0.75, 0.95)]
    assert list(table.columns) == ["variant", "product", "step", *names]
    values = table[names].to_numpy()
    assert (np.diff(values, axis=1) >= 0).all()
    V, _, S, P = serial_result.cube("output").shape
    assert len(table) == V * S * P
    cube = serial_result.cube("output")
    first = table.iloc[0]
    v = serial_result.variant_names.index(str(first["variant"]))
    p = list(serial_result.products).index(str(first["product"]))
    runs = cube[v, :, int(first["step"]), p]
    assert runs.min() <= first["p5"] <= first["p95"] <= runs.max()
    with pytest.raises(InputError, match="no quantity"):
        serial_result.quantiles("profit")


def test_compare_sums_each_run(serial_result: EnsembleResult) -> None:
    table = serial_result.compare("unmet_final", baseline="proportional").set_index("variant")
    totals = serial_result.totals("unmet_final")
    mine = totals[totals["variant"] == "final first"]["total"]
    assert table.loc["final first", "mean"] == pytest.approx(mine.mean())
    assert table.loc["final first", "runs"] == RUNS
    assert table.loc["proportional", "mean_difference"] == 0.0
    assert (table["p5"] <= table["median"]).all() and (table["median"] <= table["p95"]).all()


def test_to_xarray_has_the_ensemble_dims(serial_result: EnsembleResult) -> None:
    pytest.importorskip("xarray")
    ds = serial_result.to_xarray()
    assert tuple(ds["output"].dims) == DIMS
    assert list(ds["variant"].values) == serial_result.variant_names
    assert list(ds["run"].values) == list(range(RUNS))
    assert ds.sizes["step"] == 25 and ds.sizes["product"] == 40
    assert set(serial_result.quantities) <= set(ds.data_vars)
    assert ds["seed"].dims == ("variant", "run")
    np.testing.assert_array_equal(ds["unmet_final"].values, serial_result.cube("unmet_final"))


@pytest.mark.parametrize("fmt", ["parquet", "json", "csv"])
def test_round_trip(serial_result: EnsembleResult, tmp_path: Path, fmt: str) -> None:
    path = serial_result.write(tmp_path / ("out.json" if fmt == "json" else "out"), fmt)
    back = EnsembleResult.read(path)
    pd.testing.assert_frame_equal(back.runs, serial_result.runs, check_exact=fmt != "csv")
    assert back.quantities == serial_result.quantities
    assert back.variant_names == serial_result.variant_names
    assert back.provenance == serial_result.provenance
    assert list(back.variants["rationing"]) == list(serial_result.variants["rationing"])
    if fmt == "parquet":
        long = pd.read_parquet(path / "runs.parquet")
        assert list(long.columns[:5]) == ["variant", "run", "seed", "product", "step"]


def test_an_address_reaches_the_scheduler(setup: tuple, client: object) -> None:
    eco, common, _ = setup
    address = client.scheduler.address  # type: ignore[attr-defined]
    one = ensemble(eco, {"a": {}}, runs=2, client=address, **common)
    assert len(one.runs) == 2 * 25 * 40


def _cli() -> object:
    import typer

    from gosplan.cli.app import register_commands
    from gosplan.cli.ensemble_cmd import COMMANDS

    app = typer.Typer()
    register_commands(app, COMMANDS)

    @app.callback()
    def _group() -> None:
        """A group, so that the command keeps its name."""

    return app


def test_the_command_runs_the_bundled_plan(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    out = tmp_path / "ensemble.json"
    args = ["ensemble", "--runs", "1", "--serial", "--variant", "p=rationing:proportional"]
    done = CliRunner().invoke(_cli(), [*args, "--out", str(out), "--format", "json"])  # type: ignore[arg-type]
    assert done.exit_code == 0, done.output
    assert "Final demand not met" in done.output
    back = EnsembleResult.read(out)
    assert back.variant_names == ["p"] and back.provenance["spec"]


def test_the_command_turns_bad_input_into_status_2() -> None:
    from typer.testing import CliRunner

    done = CliRunner().invoke(_cli(), ["ensemble", "--variant", "prio-rationing"])  # type: ignore[arg-type]
    assert done.exit_code == 2
    assert "NAME=KEY:VALUE" in done.output


def test_weights_add_unlike_products_up(serial_result: EnsembleResult) -> None:
    runs = serial_result.runs
    first = str(runs["product"].iloc[0])
    only = pd.Series({first: 3.0})
    got = serial_result.totals("unmet_final", only)
    mine = runs[runs["product"].astype(str) == first]
    expect = 3.0 * mine.groupby(["variant", "run"], observed=True)["unmet_final"].sum()
    np.testing.assert_allclose(got["total"].to_numpy(), expect.to_numpy())
    doubled = serial_result.compare(weights=pd.Series(2.0, index=serial_result.products))
    plain = serial_result.compare()
    np.testing.assert_allclose(doubled["mean"], 2 * plain["mean"])


def test_a_plans_runs_draw_their_shocks_from_their_seeds() -> None:
    # a plan spec's options go through simulate_plan(**options) to prepare_plan: the seed
    # must reach each run, so that runs differ from each other and a repeat is the same
    from gosplan.datasets import spec_path
    from gosplan.plan import optimise, read_spec
    from gosplan.run.ensemble import takes_seed

    spec = read_spec(spec_path("ussr-1928", "basic"))
    plan = optimise(spec, objective="min_labour")
    assert takes_seed(spec)
    shocks = pd.DataFrame(
        {"kind": ["capacity"], "product": ["coal"], "from_step": [2], "share_min": [0.5],
         "share_max": [0.95]}
    )  # fmt: skip
    common = {"result": plan, "runs": 3, "serial": True, "seed": 11, "periods": [1929]}
    one = ensemble(spec, {"v": {"shocks": shocks}}, **common)
    again = ensemble(spec, {"v": {"shocks": shocks}}, **common)
    cube = one.cube("output")[0]
    assert not np.array_equal(cube[0], cube[1])
    np.testing.assert_array_equal(cube, again.cube("output")[0])
    assert one.provenance["seeded"] is True
