"""Helpers shared by the I/O tests: compare two economies part by part."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan import Economy


def _dense(M: sp.csc_array | None, shape: tuple[int, int]) -> np.ndarray:
    return np.zeros(shape) if M is None else M.toarray()


def assert_same_economy(got: Economy, want: Economy, *, rtol: float = 0.0) -> None:
    """Every part equal: labels and order, text attributes, matrices, arrays and meta.

    ``rtol=0`` demands bit-identical numbers.
    """
    pd.testing.assert_index_equal(got.product_labels, want.product_labels, exact=False)
    pd.testing.assert_index_equal(got.activity_labels, want.activity_labels, exact=False)
    for col in ("unit", "description", "group"):
        assert got.products[col].tolist() == want.products[col].tolist(), col
    assert got.activities["product"].tolist() == want.activities["product"].tolist()
    want_desc = (
        want.activities["description"].fillna("").tolist()
        if "description" in want.activities
        else [""] * want.n_activities
    )
    got_desc = (
        got.activities["description"].fillna("").tolist()
        if "description" in got.activities
        else [""] * got.n_activities
    )
    assert got_desc == want_desc
    assert list(got.labour_types) == list(want.labour_types)
    assert list(got.resource_types) == list(want.resource_types)
    n_p, n_a = want.n_products, want.n_activities
    pairs = [
        ("technology", got.technology, want.technology, (n_p, n_a)),
        ("labour", got.labour, want.labour, (len(want.labour_types), n_a)),
        ("resources", got.resources, want.resources, (len(want.resource_types), n_a)),
        ("capital", got.capital, want.capital, (n_p, n_a)),
    ]
    for name, g, w, shape in pairs:
        g_d, w_d = _dense(g, shape), _dense(w, shape)
        assert g_d.shape == w_d.shape, name
        np.testing.assert_allclose(g_d, w_d, rtol=rtol, atol=0, err_msg=name)
    # capacity: inf stays inf; service life: NaN stays NaN (rtol=0: bit-identical otherwise)
    np.testing.assert_allclose(got.capacity, want.capacity, rtol=rtol, atol=0)
    np.testing.assert_allclose(got.service_life, want.service_life, rtol=rtol, atol=0)
    for attr in ("name", "base_year", "currency", "description", "labour_unit"):
        assert getattr(got.meta, attr) == getattr(want.meta, attr), attr
