"""Argument checks of the economy's entry points and of the dense LU's memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from gosplan.balance import solvers
from gosplan.balance.solvers import LeontiefSolver, check_dense_memory
from gosplan.core.economy import Economy
from gosplan.datasets import load
from gosplan.datasets.textbook import MILLER_BLAIR_2X2
from gosplan.errors import InputError

A2 = MILLER_BLAIR_2X2.as_pandas("coefficients")


def economy() -> Economy:
    return load("miller-blair-2x2", labour=True)


# ---------------------------------------------------------------------- from_coefficients
@pytest.mark.parametrize(
    "kw, words",
    [
        ({"labour": "lots"}, r"labour must be a pandas Series indexed by product .*got str 'lots'"),
        ({"capacity": 5.0}, r"capacity must be a pandas Series indexed by product.*got float 5.0"),
        ({"capital": [[1.0]]}, r"capital must be a pandas DataFrame .*got list"),
        ({"capital": np.zeros(2)}, r"capital must be .*got an array of shape \(2,\)"),
        ({"service_life": {"a": 3}}, r"service_life must be a pandas Series .*got dict"),
        ({"resources": 1}, r"resources must be a pandas Series .*got int 1"),
    ],
)
def test_from_coefficients_checks_its_tables(kw, words) -> None:
    with pytest.raises(InputError, match=words) as err:
        Economy.from_coefficients(A2, **kw)
    assert err.value.check == "bad_argument"


def test_from_coefficients_takes_arrays_in_row_order() -> None:
    eco = Economy.from_coefficients(
        A2, labour=np.array([0.3, 0.2]), capacity=np.array([10.0, np.inf]), capital=np.eye(2)
    )
    assert eco.labour.toarray().tolist() == [[0.3, 0.2]]
    assert eco.capacities().tolist() == [10.0, np.inf]


def test_text_labour_names_the_cell() -> None:
    with pytest.raises(InputError, match=r"column 'a', is not a number \('x'\)"):
        Economy.from_coefficients(A2, labour=pd.Series({"a": "x", "b": 0.2}))


# ---------------------------------------------------------------------- negative final demand
def test_negative_final_demand_is_refused_with_the_labels() -> None:
    eco = economy()
    y = pd.Series({"a": -10.0, "b": 1700.0})
    for call in (eco.gross_output, eco.balance_sheet, eco.solve):
        with pytest.raises(
            InputError, match=r"final demand is negative for 'a'.*allow_negative"
        ) as err:
            call(y)
        assert err.value.check == "negative_value" and err.value.label == "a"


def test_negative_final_demand_in_a_frame_is_refused() -> None:
    y = pd.DataFrame({"s1": [1.0, 2.0], "s2": [1.0, -2.0]}, index=["a", "b"])
    with pytest.raises(InputError, match=r"negative for 'b' \(in 1 vectors\)"):
        economy().gross_output(y)


def test_allowed_negative_final_demand_with_non_negative_output() -> None:
    eco = economy()
    y = pd.Series({"a": -10.0, "b": 1700.0})  # net exports of a, met by b's use of a
    x = eco.gross_output(y, allow_negative=True)
    assert (x >= 0).all()
    np.testing.assert_allclose((np.eye(2) - A2.to_numpy()) @ x.to_numpy(), y.to_numpy())
    sheet = eco.balance_sheet(y, allow_negative=True)
    assert (sheet["status"] == "ok").all()


def test_allowed_negative_final_demand_needing_negative_output_is_refused() -> None:
    eco = economy()
    with pytest.raises(InputError, match=r"would need a negative gross output of 'a'") as err:
        eco.gross_output(pd.Series({"a": -1000.0, "b": 10.0}), allow_negative=True)
    assert err.value.check == "negative_output" and err.value.label == "a"
    with pytest.raises(InputError, match=r"negative gross output"):
        eco.balance_sheet(pd.Series({"a": -1000.0, "b": 10.0}), allow_negative=True)


def test_balance_sheet_needs_a_series() -> None:
    with pytest.raises(InputError, match=r"balance_sheet takes a single final-demand vector"):
        economy().balance_sheet(pd.DataFrame({"s": [1.0, 2.0]}, index=["a", "b"]))


def test_non_negative_final_demand_is_unchanged() -> None:
    got = economy().gross_output(pd.Series({"a": 350.0, "b": 1700.0}))
    np.testing.assert_allclose(got.to_numpy(), [1000.0, 2000.0], rtol=1e-12)


# ---------------------------------------------------------------------- dense LU memory
def test_dense_lu_of_200000_products_is_refused_before_allocating() -> None:
    A = sp.csc_array((200_000, 200_000))
    with pytest.raises(
        InputError,
        match=r"dense-lu cannot factorise I - A of 200,000 products: "
        r"the dense matrix is 200,000 x 200,000 x 8 bytes = 298 GiB",
    ) as err:
        LeontiefSolver(A, method="dense-lu")
    text = str(err.value)
    assert "of memory is available" in text and "sparse-lu" in text and "iterative" in text
    assert err.value.check == "too_large"


def test_the_memory_check_uses_the_available_memory(monkeypatch) -> None:
    monkeypatch.setattr(solvers, "available_memory", lambda: 1000)
    with pytest.raises(InputError, match=r"of 12 products.*Use method iterative, or auto"):
        check_dense_memory(12, sparse=False)
    check_dense_memory(11, sparse=False)  # 968 bytes fit
    monkeypatch.setattr(solvers, "available_memory", lambda: None)
    check_dense_memory(10**6)  # unknown: not refused


def test_economy_dense_lu_too_large_is_an_input_error(monkeypatch) -> None:
    monkeypatch.setattr(solvers, "available_memory", lambda: 10)
    with pytest.raises(InputError, match=r"dense-lu cannot factorise"):
        economy().gross_output(pd.Series({"a": 1.0}), method="dense-lu")


@pytest.mark.parametrize("sparse", [False, True])
def test_dense_lu_still_solves_and_keeps_a(sparse: bool) -> None:
    A = np.array([[0.1, 0.2], [0.3, 0.1]])
    given = sp.csc_array(A) if sparse else A.copy()
    s = LeontiefSolver(given, method="dense-lu")
    b = np.array([1.0, 2.0])
    np.testing.assert_allclose(s.solve(b).x, np.linalg.solve(np.eye(2) - A, b), rtol=1e-14)
    np.testing.assert_allclose(
        s.solve(b, transpose=True).x, np.linalg.solve((np.eye(2) - A).T, b), rtol=1e-14
    )
    dense = given.toarray() if sparse else given
    np.testing.assert_array_equal(dense, A)
