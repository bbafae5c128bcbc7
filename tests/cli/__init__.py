"""Tests of the ``gosplan`` command line, with small economies written to temporary dirs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# Miller & Blair (2009), section 2.3: A = [[.15, .25], [.20, .05]]; final demand
# y = [350, 1700] gives gross output x = [1000, 2000]. det(I - A) = .7575 and
# L = (I - A)^-1 = [[.95, .25], [.20, .85]] / .7575.
A_MB = np.array([[0.15, 0.25], [0.20, 0.05]])
L_MB = np.array([[0.95, 0.25], [0.20, 0.85]]) / 0.7575
LABOUR_MB = np.array([0.3, 0.2])
PRODUCTS = ["a", "b"]


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write a plain CSV without index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def write_economy_dir(
    root: Path,
    A: np.ndarray = A_MB,
    labour: np.ndarray | None = LABOUR_MB,
    products: list[str] | None = None,
    *,
    groups: list[str] | None = None,
    capacity: np.ndarray | None = None,
    service_life: np.ndarray | None = None,
    capital: np.ndarray | None = None,
    name: str = "mb",
) -> Path:
    """Write an economy in the on-disk format of docs/format.md, by hand (not via the library)."""
    if products is None:
        products = PRODUCTS if A.shape[0] == 2 else [f"p{i}" for i in range(A.shape[0])]
    n = len(products)
    root.mkdir(parents=True, exist_ok=True)
    tables = {"products": "products.csv", "technology": "technology.csv"}
    write_csv(
        root / "products.csv",
        pd.DataFrame(
            {
                "product": products,
                "unit": ["t"] * n,
                "description": [f"product {p}" for p in products],
                "group": groups or ["means of production"] * n,
            }
        ),
    )
    rows = [(products[i], products[j], A[i, j]) for i in range(n) for j in range(n) if A[i, j]]
    write_csv(
        root / "technology.csv", pd.DataFrame(rows, columns=["input", "activity", "coefficient"])
    )
    if labour is not None:
        tables["labour"] = "labour.csv"
        write_csv(
            root / "labour.csv",
            pd.DataFrame({"labour_type": "labour", "activity": products, "coefficient": labour}),
        )
    if capacity is not None:
        tables["capacities"] = "capacities.csv"
        cap = pd.DataFrame({"activity": products, "capacity": capacity})
        if service_life is not None:
            cap["service_life"] = service_life
        write_csv(root / "capacities.csv", cap)
    if capital is not None:
        tables["capital"] = "capital.csv"
        rows = [
            (products[i], products[j], capital[i, j])
            for i in range(n)
            for j in range(n)
            if capital[i, j]
        ]
        write_csv(
            root / "capital.csv", pd.DataFrame(rows, columns=["input", "activity", "coefficient"])
        )
    lines = [f'name = "{name}"', "", "[tables]"]
    lines += [f'{key} = "{value}"' for key, value in tables.items()]
    (root / "economy.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def no_traceback(result) -> bool:
    """True when neither stdout nor stderr of a CliRunner result holds a traceback."""
    return "Traceback" not in result.output and "Traceback" not in (result.stderr or "")
