"""Tests of the synthetic economy generator."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from gosplan.balance.solvers import spectral_radius
from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION
from gosplan.errors import InputError
from gosplan.generate import generate_economy, generate_final_demand, product_labels


def test_same_seed_same_economy_other_seed_other_economy() -> None:
    a = generate_economy(2000, seed=7, labour_types=2)
    b = generate_economy(2000, seed=7, labour_types=2)
    c = generate_economy(2000, seed=8, labour_types=2)
    assert (a.technology != b.technology).nnz == 0
    assert (a.labour != b.labour).nnz == 0
    assert (a.capital != b.capital).nnz == 0
    np.testing.assert_array_equal(a.service_life, b.service_life)
    assert a.products.equals(b.products)
    assert (a.technology != c.technology).nnz > 0
    y1, y2 = generate_final_demand(a, seed=1), generate_final_demand(b, seed=1)
    assert y1.equals(y2)


@pytest.mark.parametrize("n", [1_000, 10_000, 100_000])
def test_size_structure_and_hawkins_simon(n: int) -> None:
    eco = generate_economy(n, seed=n, target_radius=0.6)
    A = eco.technology
    assert eco.n_products == n and A.shape == (n, n)
    assert np.all(A.data > 0)
    col = np.asarray(A.sum(axis=0)).ravel()
    # every column sum lies in [0.5 t, 1.5 t] = [0.3, 0.9]: Hawkins-Simon by construction
    assert col.min() >= 0.3 - 1e-12 and col.max() <= 0.9 + 1e-12
    assert spectral_radius(A) < 1
    # about four direct inputs per product (1 + Poisson(3); duplicates merged)
    assert 3.4 < A.nnz / n < 4.05
    assert np.all(np.diff(A.indptr) >= 1)
    # every product needs labour; service lives are whole years in 10..40
    assert eco.labour.shape == (1, n) and np.all(eco.labour.toarray() > 0)
    assert np.all((eco.service_life >= 10) & (eco.service_life <= 40))
    assert np.all(np.mod(eco.service_life, 1) == 0)


def test_spectral_radius_matches_dense_eigenvalues_at_small_size() -> None:
    eco = generate_economy(1000, seed=2, periphery_cycles=0.3, target_radius=0.9)
    exact = float(np.max(np.abs(np.linalg.eigvals(eco.technology.toarray()))))
    assert exact < 1
    assert spectral_radius(eco.technology, tol=1e-9) == pytest.approx(exact, rel=1e-5)


def test_inputs_per_product_is_respected() -> None:
    for k in (2, 6):
        eco = generate_economy(20_000, seed=k, inputs_per_product=k, fixed_inputs=True)
        counts = np.diff(eco.technology.indptr)
        assert counts.max() == k  # exactly k draws, duplicates merged
        assert k - 0.5 < counts.mean() <= k
        loose = generate_economy(20_000, seed=k, inputs_per_product=k)
        assert abs(np.diff(loose.technology.indptr).mean() - k) < 0.5


def test_labels_and_groups() -> None:
    n = 3000
    eco = generate_economy(n, seed=4, labour_types=3)
    labels = eco.product_labels
    assert labels[0] == "p0000000" and labels[-1] == "p0002999"
    assert labels.is_unique and len(labels) == n
    assert list(eco.labour_types) == ["labour_0", "labour_1", "labour_2"]
    used_by_other = np.bincount(eco.technology.indices, minlength=n) - (
        eco.technology.diagonal() != 0
    )
    group = eco.products["group"].to_numpy()
    assert set(group) == {MEANS_OF_PRODUCTION, CONSUMER_GOODS}
    # consumer goods are exactly the products no other product uses (core products aside)
    assert np.all(used_by_other[group == CONSUMER_GOODS] == 0)
    assert np.all((used_by_other > 0)[group == CONSUMER_GOODS] == 0)
    core_like = (group == MEANS_OF_PRODUCTION) & (used_by_other == 0)
    assert core_like.sum() <= round(n**0.5)


def test_product_labels_width() -> None:
    assert product_labels(3, prefix="x", width=2).tolist() == ["x00", "x01", "x02"]
    assert product_labels(12_345_679)[-1] == "p12345678"


def test_core_is_cyclic_and_periphery_acyclic_without_periphery_cycles() -> None:
    n = 5000
    eco = generate_economy(n, seed=9, core_size=60)
    n_comp, lab = connected_components(eco.technology.T, directed=True, connection="strong")
    sizes = np.bincount(lab)
    cyclic = sizes[lab] > 1
    assert cyclic.sum() <= 60  # cycles live in the core only
    assert n_comp >= n - 60


def test_capital_comes_from_the_core() -> None:
    eco = generate_economy(4000, seed=5, core_size=50)
    cap = sp.csc_array(eco.capital)
    assert len(np.unique(cap.indices)) <= 50
    ratio = np.asarray(cap.sum(axis=0)).ravel()
    assert np.all((ratio >= 0.5 - 1e-12) & (ratio <= 3.0 + 1e-12))


def test_final_demand_is_positive_and_labelled() -> None:
    eco = generate_economy(1000, seed=1)
    y = generate_final_demand(eco, seed=3)
    assert y.index.equals(eco.product_labels) and bool((y > 0).all())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_products": 0}, "n_products must be a positive integer, got 0"),
        ({"n_products": 10, "inputs_per_product": 0.5}, "inputs_per_product must be at least 1"),
        ({"n_products": 10, "labour_types": 0}, "labour_types must be a positive integer"),
        ({"n_products": 10, "target_radius": 1.0}, "target_radius must lie strictly between"),
        ({"n_products": 10, "periphery_cycles": 2.0}, r"periphery_cycles must lie in \[0, 1\]"),
        ({"n_products": 10, "core_size": 11}, r"core_size must be between 1 and n_products \(10\)"),
    ],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        generate_economy(**kwargs)
