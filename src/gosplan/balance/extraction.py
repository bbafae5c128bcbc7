"""Hypothetical extraction (Miller & Blair 2009, sec. 12.2).

How much output would the economy lose without product *j*? The answer compares total gross
output ``1^T x`` (with ``x = L y``) with the total of a hypothetical economy in which *j* is
cut off:

* ``mode="total"``: *j* disappears: its row and column of ``A`` and its final demand are
  removed, and the remaining ``n - 1`` products meet the rest of final demand. The loss counts
  *j*'s own output and everything it drew on or supplied (Miller & Blair 12.2.1).
* ``mode="backward"``: *j* buys no intermediate inputs from the economy (its column of ``A``
  is zero) but its final demand is met: the loss measures its backward linkage
  (Miller & Blair 12.2.2).
* ``mode="forward"``: *j* sells no intermediate output (its row of the allocation matrix
  ``B = x^-1 A x`` is zero) and output is driven from the supply side by the base-year primary
  inputs ``v_j = x_j (1 - sum_i A_ij)``: the loss measures its forward linkage in the Ghosh
  model (Miller & Blair 12.2.2).

Every product needs its own solve of a modified system; ``products`` limits the work to the
ones asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.balance.ghosh import allocation_matrix
from gosplan.balance.solvers import solve_leontief
from gosplan.core.economy import Economy
from gosplan.errors import InputError, UnknownLabelError

log = logging.getLogger(__name__)

Mode = Literal["total", "backward", "forward"]
MODES: tuple[str, ...] = ("total", "backward", "forward")


# ---------------------------------------------------------------------- array core
def _zero_column(M: sp.csc_array, j: int) -> sp.csc_array:
    keep = np.ones(M.shape[1])
    keep[j] = 0.0
    return sp.csc_array(M @ sp.diags_array(keep))


def _zero_row(M: sp.csc_array, i: int) -> sp.csc_array:
    keep = np.ones(M.shape[0])
    keep[i] = 0.0
    return sp.csc_array(sp.diags_array(keep) @ M)


def extracted_output(
    A: np.ndarray | sp.sparray,
    y: np.ndarray,
    j: int,
    mode: Mode | str = "total",
    *,
    method: str = "auto",
    base_output: np.ndarray | None = None,
) -> float:
    """Total gross output of the economy with product ``j`` hypothetically extracted.

    Parameters
    ----------
    A
        Square technical coefficients.
    y
        Final demand, shape ``(n,)``.
    j
        Position of the product to extract.
    mode
        ``"total"``, ``"backward"`` or ``"forward"`` (see the module docstring).
    method
        Solver passed to :func:`~gosplan.balance.solvers.solve_leontief`.
    base_output
        Gross output ``x = L y`` if already known (saves a solve in ``"forward"`` mode).

    Returns
    -------
    float
        ``1^T xbar`` of the hypothetical economy.
    """
    S = sp.csc_array(A)
    n = S.shape[0]
    if mode == "total":
        keep = np.flatnonzero(np.arange(n) != j)
        if keep.size == 0:
            return 0.0
        sub = sp.csc_array(S[keep][:, keep])
        return float(solve_leontief(sub, y[keep], method=method).x.sum())  # type: ignore[arg-type]
    if mode == "backward":
        return float(solve_leontief(_zero_column(S, j), y, method=method).x.sum())  # type: ignore[arg-type]
    if mode == "forward":
        x = base_output
        if x is None:
            x = solve_leontief(S, y, method=method).x  # type: ignore[arg-type]
        if np.any(x <= 0):
            raise InputError(
                "forward extraction uses the Ghosh model, which needs positive gross output "
                "for every product: give final demand that reaches every product",
                check="non_positive_output",
            )
        v = x * (1.0 - np.asarray(S.sum(axis=0)).ravel())
        B = _zero_row(allocation_matrix(S, x), j)
        return float(solve_leontief(B, v, transpose=True, method=method).x.sum())  # type: ignore[arg-type]
    raise InputError(f"unknown extraction mode {mode!r}; use one of {', '.join(MODES)}")


# ---------------------------------------------------------------------- labelled wrapper
def hypothetical_extraction(
    economy: Economy,
    final_demand: pd.Series,
    products: Iterable[str] | None = None,
    *,
    mode: Mode | str = "total",
    method: str = "auto",
) -> pd.DataFrame:
    """Loss of total gross output when each product is hypothetically extracted.

    Parameters
    ----------
    economy
        The economy (one technique per product).
    final_demand
        Final demand by product (products not named get zero).
    products
        Products to extract, one at a time; ``None`` extracts every product.
    mode
        ``"total"``, ``"backward"`` or ``"forward"`` (see the module docstring).
    method
        Solver passed to :func:`~gosplan.balance.solvers.solve_leontief`.

    Returns
    -------
    pandas.DataFrame
        One row per extracted product with columns ``output`` (total gross output without it),
        ``loss`` (``1^T x - output``) and ``loss_percent`` (of ``1^T x``). ``.attrs`` holds the
        mode and the base total.

    Raises
    ------
    InputError
        Unknown mode, or a final demand that is not a single Series.
    UnknownLabelError
        If ``final_demand`` or ``products`` name unknown products.

    Examples
    --------
    >>> import pandas as pd
    >>> A = pd.DataFrame([[0.15, 0.25], [0.20, 0.05]], index=["a", "b"], columns=["a", "b"])
    >>> eco = Economy.from_coefficients(A)
    >>> y = pd.Series({"a": 350.0, "b": 1700.0})
    >>> hypothetical_extraction(eco, y, ["a"], mode="backward")["loss"].round(4).tolist()
    [413.1579]
    """
    if mode not in MODES:
        raise InputError(f"unknown extraction mode {mode!r}; use one of {', '.join(MODES)}")
    if not isinstance(final_demand, pd.Series):
        raise InputError("hypothetical extraction takes a single final-demand vector (a Series)")
    eco = economy.square()
    y = eco.align_products(final_demand, "final demand")
    labels = eco.product_labels
    chosen = list(labels) if products is None else list(products)
    unknown = [p for p in chosen if p not in labels]
    if unknown:
        names = ", ".join(map(repr, unknown[:5]))
        raise UnknownLabelError(f"cannot extract unknown products: {names}", label=str(unknown[0]))
    A = eco.technology
    x = solve_leontief(A, y, method=method).x  # type: ignore[arg-type]
    base = float(x.sum())
    log.debug("hypothetical extraction (%s) of %d products", mode, len(chosen))
    totals = np.array(
        [
            extracted_output(A, y, labels.get_loc(p), mode, method=method, base_output=x)
            for p in chosen
        ]
    )
    loss = base - totals
    out = pd.DataFrame(
        {
            "output": totals,
            "loss": loss,
            "loss_percent": 100.0 * loss / base if base != 0 else np.full(len(chosen), np.nan),
        },
        index=pd.Index(chosen, name="product"),
    )
    out.attrs.update(mode=mode, base_output=base)
    return out
