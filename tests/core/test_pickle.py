"""Values pickle after any computation and come back read-only: they can go to a worker.

A process pool or a Dask worker receives its economy, spec and results by pickle. An
economy that has solved holds a factorised solver (SuperLU above 3,000 products) as a cache;
a spec that has been optimised has built its plan arithmetic. Neither may travel with the
value, and neither may make a copy writeable.
"""

from __future__ import annotations

import copy
import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import CONSUMER_GOODS, Economy
from gosplan.core.spec import PlanSpec
from gosplan.generate import generate_economy
from gosplan.plan import check_plan, optimise

N = 5000


@pytest.fixture(scope="module")
def economy() -> Economy:
    eco = generate_economy(N, seed=11)
    y = pd.Series(1.0, index=eco.product_labels)
    eco.gross_output(y)  # caches the factorised solver on the value
    eco.labour_values()
    assert eco.__dict__.get("_solvers")
    return eco


def _spec(eco: Economy) -> PlanSpec:
    """A one-period common-level plan: the consumer goods in proportion, labour limited."""
    labels = eco.product_labels
    consumer = (eco.products["group"] == CONSUMER_GOODS).to_numpy()
    y = pd.Series(np.where(consumer, 1.0, 0.0), index=labels)
    labour = float(eco.labour_values().iloc[:, 0].to_numpy() @ y.to_numpy())
    return PlanSpec(
        economy=eco,
        periods=(2000,),
        objective="max_level",
        assortment=pd.DataFrame({"product": labels[consumer], "weight": 1.0}),
        labour_available=pd.DataFrame(
            {"labour_type": [eco.labour_types[0]], "period": [2000], "available": [labour]}
        ),
        name="pickle",
    ).validated()


def _level(spec: PlanSpec) -> float:
    """Optimise in a worker process (the spec arrives by pickle)."""
    result = optimise(spec, verify=True)
    assert result.verification is not None and result.verification.passed
    return float(result.level or 0.0)


def _read_only(eco: Economy) -> bool:
    arrays = [eco.technology.data, eco.technology.indices, eco.labour.data, eco.capacity]
    return not any(a.flags.writeable for a in arrays if a is not None)


def test_a_spec_after_optimise_pickles_and_a_worker_gets_the_same_plan(economy: Economy) -> None:
    spec = _spec(economy)
    result = optimise(spec)
    assert result.optimal and result.level == pytest.approx(1.0, rel=1e-6)
    for again in (pickle.loads(pickle.dumps(spec)), copy.deepcopy(spec)):
        assert "_solvers" not in again.economy.__dict__
        assert _read_only(again.economy)
        assert again.periods == spec.periods and again.name == spec.name
    with ProcessPoolExecutor(max_workers=1) as pool:
        level = pool.submit(_level, spec).result(timeout=300)
    assert level == pytest.approx(float(result.level or 0.0), rel=1e-9)


def test_results_pickle_whole(economy: Economy) -> None:
    spec = _spec(economy)
    result = optimise(spec)
    back = pickle.loads(pickle.dumps(result))
    assert back.status == result.status and back.level == result.level
    pd.testing.assert_frame_equal(back.output, result.output)
    assert back.verification == result.verification
    check = check_plan(spec)
    again = pickle.loads(pickle.dumps(check))
    assert again.message() == check.message()
