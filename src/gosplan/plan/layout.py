"""The variable layout of the plan's LP and the arrays derived from the spec that index it.

Every variable group is stored period-major: entry ``(k, t)`` of a group with ``n`` members
sits at column ``offset + t * n + k``. The groups are

============ ================================ ==============================================
group        members x periods                meaning
============ ================================ ==============================================
x            activities x T                   activity levels
c            products x T                     consumption (final use left free), ``c >= 0``
inv          capped activities x T            new capacity started in the period
s            stored products x T              stocks at the end of the period (when kept)
m, e         traded products x T              imports and exports
y_end        activities                       levels after the horizon (``terminal="static"``)
level        1                                common fulfilment level (``max_level``)
harmony      targets                          harmony value of each target (``harmony``)
shortfall    targets                          shortfall of each target (elastic diagnosis)
add_*        rows of a block                  additions of labour, resources, imports (flows:
                                              one period each), diagnosis only
add_capacity capped activities x T            lasting capacity additions first available in
                                              the period (diagnosis only)
============ ================================ ==============================================

The arrays these groups index come from :class:`~gosplan.plan.data.PlanData`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.plan.data import PlanData


@dataclass
class Layout:
    """Offsets and bounds of the LP's variable groups (see the module docstring)."""

    groups: dict[str, tuple[int, int]] = field(default_factory=dict)
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    n: int = 0

    def add(
        self,
        name: str,
        size: int,
        lower: float | np.ndarray = 0.0,
        upper: float | np.ndarray = np.inf,
    ) -> None:
        """Append a group of ``size`` variables with the given bounds."""
        self.groups[name] = (self.n, size)
        self.lower.append(np.broadcast_to(np.asarray(lower, float), (size,)).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, float), (size,)).copy())
        self.n += size

    def has(self, name: str) -> bool:
        """True when the group exists and is not empty."""
        return name in self.groups and self.groups[name][1] > 0

    def slice(self, name: str) -> slice:
        """Column range of a group."""
        off, size = self.groups[name]
        return slice(off, off + size)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of all columns."""
        if not self.lower:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(self.lower), np.concatenate(self.upper)

    def place(self, n_rows: int, pieces: dict[str, sp.sparray | None]) -> sp.csr_array:
        """Put per-group pieces (``n_rows x group size``) into the global column layout."""
        rows, cols, vals = [], [], []
        for name, piece in pieces.items():
            if piece is None or not self.has(name):
                continue
            coo = sp.coo_array(piece)
            off, size = self.groups[name]
            if coo.shape != (n_rows, size):
                raise ValueError(f"piece {name!r} has shape {coo.shape}, want {(n_rows, size)}")
            rows.append(coo.row)
            cols.append(coo.col + off)
            vals.append(coo.data)
        if not rows:
            return sp.csr_array((n_rows, self.n))
        return sp.csr_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_rows, self.n),
        )


def base_layout(data: PlanData) -> Layout:
    """The layout of the plain plan.

    Groups x, c, inv, s (when kept), y_end (static terminal condition), m and e (traded).
    """
    lay = Layout()
    T = data.T
    lay.add("x", data.n_a * T)
    lay.add("c", data.n_p * T)
    lay.add("inv", data.n_c * T, data.inv_lower, data.inv_upper)
    if data.keeps_stocks:
        cap = data.spec.storage_capacity().to_numpy(float)
        lay.add("s", data.n_s * T, 0.0, np.tile(cap, T))
    if data.spec.terminal == "static":
        lay.add("y_end", data.n_a)
    tr = data.spec.trade
    if len(tr):
        n = len(tr)
        for name, col in (("m", "import_limit"), ("e", "export_limit")):
            lim = (
                pd.to_numeric(tr[col]).fillna(np.inf).to_numpy(float)
                if col in tr.columns
                else np.full(n, np.inf)
            )
            lay.add(name, n * T, 0.0, np.tile(lim, T))
    return lay
