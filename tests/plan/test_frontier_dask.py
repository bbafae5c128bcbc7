"""The frontier through the Dask engine: the same plans as the serial loop, share by share."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.plan.frontier import frontier

from ._plan_fixtures import two_sector

PERIODS = (1, 2, 3, 4)
#: Shares from none to all of investment in means of production (the ends may be infeasible).
SHARES = (0.0, 0.2, 0.45, 0.7, 0.9, 1.0)
POPULATION = pd.Series({1: 10.0, 2: 12.0, 3: 15.0, 4: 20.0})


def small_spec() -> PlanSpec:
    """Steel and cloth over four periods (the Feldman economy of ``test_frontier``)."""
    return PlanSpec(
        economy=two_sector(capacity=(100.0, 100.0), capital=2.0),
        periods=PERIODS,
        objective="max_level",
        assortment=pd.DataFrame({"product": ["cloth"], "weight": [1.0]}),
        default_lag=1,
        consumption_weights=pd.Series({"cloth": 1.0}),
        investment_limits=pd.DataFrame(
            {"activity": ["steel", "cloth"], "period": [PERIODS[-1]] * 2, "max": [0.0, 0.0]}
        ),
        name="feldman",
    ).validated()


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_dask_points_equal_the_serial_ones(client: object) -> None:
    spec = small_spec()
    serial = frontier(spec, SHARES, population=POPULATION)
    fractions: list[float] = []
    on_dask = frontier(
        spec,
        SHARES,
        population=POPULATION,
        client=client,
        progress=lambda fraction, _msg: fractions.append(fraction),
    )
    assert on_dask.table["share"].tolist() == list(SHARES)  # in the order asked
    assert on_dask.table["status"].tolist() == serial.table["status"].tolist()
    numbers = [c for c in serial.table.columns if c not in ("share", "status")]
    np.testing.assert_allclose(
        on_dask.table[numbers].to_numpy(float), serial.table[numbers].to_numpy(float), rtol=1e-9
    )
    for mine, theirs in zip(on_dask.results, serial.results, strict=True):
        assert mine is not None and theirs is not None
        assert mine.status == theirs.status
        if theirs.optimal:
            assert mine.objective == pytest.approx(theirs.objective, rel=1e-9, abs=1e-12)
    assert fractions[-1] == 1.0 and sorted(fractions) == fractions
    assert on_dask.provenance["engine"] == "dask"
    assert (serial.table["status"] == "optimal").any()


def test_an_address_and_a_bad_engine(client: object) -> None:
    spec = small_spec()
    address = client.scheduler.address  # type: ignore[attr-defined]
    one = frontier(spec, [0.5], client=address)
    assert one.table["share"].tolist() == [0.5]
    with pytest.raises(InputError, match="unknown engine"):
        frontier(spec, [0.5], engine="spark")
    with pytest.raises(InputError, match="runs the points on Dask"):
        frontier(spec, [0.5], engine="serial", client=client)
