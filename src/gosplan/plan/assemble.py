"""Stack the named blocks into one LP (cost vector, CSC matrix, column and row bounds).

The assembler remembers the row range of every block, so duals and slacks come back under the
block's name and the coordinates of its rows (:attr:`Block.row_coords
<gosplan.plan.blocks.Block.row_coords>`: label, period and any further dimension).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.plan.blocks import Block
from gosplan.plan.layout import Layout


@dataclass(frozen=True, eq=False)
class LP:
    """A linear program ``min/max cost @ z`` s.t. ``row_lower <= A z <= row_upper``.

    Attributes
    ----------
    cost
        Objective coefficients.
    A
        Constraint matrix (CSR from the assembler, whose rows go to HiGHS as they are; CSC
        also accepted).
    col_lower, col_upper, row_lower, row_upper
        Bounds.
    maximise
        Sense of the objective.
    layout
        Variable layout (column groups).
    blocks
        The blocks, in row order; ``ranges[name]`` is the row slice of each.
    ranges
        Row range of every block by name.
    offset
        Constant added to ``cost @ z`` in the reported objective (e.g. the initial capacity
        weighted by a linear objective); the solver does not see it.
    """

    cost: np.ndarray
    A: sp.csr_array | sp.csc_array
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    maximise: bool
    layout: Layout
    blocks: tuple[Block, ...]
    ranges: dict[str, slice]
    offset: float = 0.0

    @property
    def n_variables(self) -> int:
        """Number of columns."""
        return self.A.shape[1]

    @property
    def n_constraints(self) -> int:
        """Number of rows."""
        return self.A.shape[0]

    @property
    def dims(self) -> tuple[str, ...]:
        """The further dimensions of the rows of any block, in the order they first appear."""
        return tuple(dict.fromkeys(d for b in self.blocks for d in b.dims))

    def row_keys(self) -> pd.DataFrame:
        """The coordinates of every row, in row order.

        Returns
        -------
        pandas.DataFrame
            Columns ``block``, ``label``, ``period`` and one per dimension of :attr:`dims`
            (missing where a block lacks it); one row per constraint.
        """
        columns = ["block", "label", "period", *self.dims]
        parts = [pd.DataFrame({"block": b.name, **b.row_coords()}) for b in self.blocks]
        if not parts:
            return pd.DataFrame(columns=columns)
        return pd.concat(parts, ignore_index=True).reindex(columns=columns)


def assemble(
    layout: Layout, blocks: list[Block], cost: np.ndarray, maximise: bool, offset: float = 0.0
) -> LP:
    """Stack blocks into an :class:`LP`.

    Parameters
    ----------
    layout
        The variable layout (gives the column bounds).
    blocks
        Named blocks; empty ones are dropped. Names must be distinct.
    cost
        Objective coefficients, one per column.
    maximise
        True to maximise.
    offset
        Constant of the objective (see :class:`LP`).

    Returns
    -------
    LP
    """
    kept = [b for b in blocks if b.n_rows]
    names = [b.name for b in kept]
    if len(set(names)) != len(names):
        raise ValueError(f"block names must be distinct: {names}")
    ranges: dict[str, slice] = {}
    start = 0
    for b in kept:
        ranges[b.name] = slice(start, start + b.n_rows)
        start += b.n_rows
    if kept:
        # CSR blocks stack by concatenation; HiGHS takes the rows as they are
        A = sp.csr_array(sp.vstack([sp.csr_array(b.matrix) for b in kept], format="csr"))
        lo = np.concatenate([b.lower for b in kept])
        up = np.concatenate([b.upper for b in kept])
    else:
        A, lo, up = sp.csr_array((0, layout.n)), np.zeros(0), np.zeros(0)
    A.sum_duplicates()
    col_lo, col_up = layout.bounds()
    return LP(
        cost=np.asarray(cost, float),
        A=A,
        col_lower=col_lo,
        col_upper=col_up,
        row_lower=lo,
        row_upper=up,
        maximise=maximise,
        layout=layout,
        blocks=tuple(kept),
        ranges=ranges,
        offset=float(offset),
    )
