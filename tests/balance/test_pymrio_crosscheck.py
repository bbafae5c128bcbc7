"""Cross-check against pymrio (an independent implementation) on its 48-sector test system."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymrio
import pytest

from gosplan import Economy
from gosplan.balance.multipliers import multipliers

RTOL = 1e-9


def _flat(index: pd.Index) -> pd.Index:
    return pd.Index([f"{region}/{sector}" for region, sector in index])


@pytest.fixture(scope="module")
def eco(io: pymrio.IOSystem) -> Economy:
    A = io.A.copy()
    A.index, A.columns = _flat(A.index), _flat(A.columns)
    S = io.factor_inputs.S.copy()
    S.columns = _flat(S.columns)
    return Economy.from_coefficients(A, labour=S)


def test_gross_output(io: pymrio.IOSystem, eco: Economy) -> None:
    y = io.Y.sum(axis=1)
    y.index = _flat(y.index)
    x = eco.gross_output(y)
    assert eco.n_products == 48
    np.testing.assert_allclose(x.to_numpy(), io.x["indout"].to_numpy(), rtol=RTOL)


def test_leontief_inverse(io: pymrio.IOSystem, eco: Economy) -> None:
    np.testing.assert_allclose(
        eco.leontief_inverse().to_numpy(), io.L.to_numpy(), rtol=RTOL, atol=1e-14
    )


def test_output_multipliers(io: pymrio.IOSystem, eco: Economy) -> None:
    m = multipliers(eco, "output")
    np.testing.assert_allclose(m.to_numpy(), io.L.sum(axis=0).to_numpy(), rtol=RTOL)


def test_factor_multipliers(io: pymrio.IOSystem, eco: Economy) -> None:
    # pymrio's multipliers of an extension are M = S L; with S as the (only) labour type,
    # employment multipliers and labour values are the same numbers.
    M = io.factor_inputs.M.iloc[0].to_numpy()
    np.testing.assert_allclose(multipliers(eco, "employment").to_numpy(), M, rtol=RTOL)
    np.testing.assert_allclose(eco.labour_values().iloc[:, 0].to_numpy(), M, rtol=RTOL)


def test_two_type_extension(io: pymrio.IOSystem) -> None:
    A = io.A.copy()
    A.index, A.columns = _flat(A.index), _flat(A.columns)
    S = io.emissions.S.copy()
    S.index = pd.Index(["/".join(t) for t in S.index])
    S.columns = _flat(S.columns)
    eco = Economy.from_coefficients(A, labour=S)
    for k, label in enumerate(S.index):
        got = multipliers(eco, "employment", labour_type=label)
        np.testing.assert_allclose(got.to_numpy(), io.emissions.M.iloc[k].to_numpy(), rtol=RTOL)
