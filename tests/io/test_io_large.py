"""A product-level economy of 2e5 products reads through the vectorised column checks.

Not a timed test (the benchmarks time things): it guards the large-table code paths, which
must work on whole columns at once (no Python loop per row), and their row numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan import ValidationError
from gosplan.io import read_economy

N = 200_000


def write_chain(root: Path, coefficient: np.ndarray) -> list[str]:
    """Product i uses 0.1 of itself and ``coefficient[i]`` of product i+1 (mod n)."""
    n = len(coefficient)
    labels = [f"p{i:06d}" for i in range(n)]
    lab = np.asarray(labels, dtype=object)
    nxt = np.roll(lab, -1)
    root.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"product": lab, "unit": "t"}).to_parquet(root / "products.parquet")
    tech = pd.DataFrame(
        {
            "input": np.concatenate([lab, nxt]),
            "activity": np.concatenate([lab, lab]),
            "coefficient": np.concatenate([np.full(n, 0.1), coefficient]),
        }
    )
    tech.to_parquet(root / "technology.parquet")
    pd.DataFrame({"labour_type": "work", "activity": lab, "coefficient": 1.0}).to_parquet(
        root / "labour.parquet"
    )
    (root / "economy.toml").write_text(
        'name = "chain"\n[tables]\nproducts = "products.parquet"\n'
        'technology = "technology.parquet"\nlabour = "labour.parquet"\n'
    )
    return labels


def test_large_parquet_economy(tmp_path: Path) -> None:
    coefficient = np.linspace(0.0, 0.5, N)
    labels = write_chain(tmp_path, coefficient)
    eco = read_economy(tmp_path)
    assert eco.n_products == N and eco.technology.nnz == 2 * N - 1  # one coefficient is 0
    A = eco.technology
    k = 123_456
    assert A[k, k] == 0.1 and A[k + 1, k] == coefficient[k]
    assert eco.product_labels[k] == labels[k]
    assert eco.labour.sum() == N


def test_many_bad_rows_in_parquet(tmp_path: Path) -> None:
    n = 20_000
    coefficient = np.full(n, 0.2)
    bad = np.arange(7, n, 100)  # 200 negative coefficients
    coefficient[bad] = -1.0
    write_chain(tmp_path, coefficient)
    with pytest.raises(ValidationError) as info:
        read_economy(tmp_path)
    problems = info.value.problems
    assert [p.check for p in problems] == ["negative_coefficient"] * 6
    # the second half of the table: row = 2 (header + 1-based) + n + position
    assert [p.row for p in problems[:5]] == list(n + 2 + bad[:5])
    assert problems[0].label == f"p{bad[0]:06d}"
    assert "... and 195 more rows" in str(problems[5])
