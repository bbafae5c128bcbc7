"""Textbook and illustrative examples as plain data, every number with its source.

Nothing here builds an object: :mod:`gosplan.datasets.examples` turns these literals into
economies (:meth:`gosplan.Economy.from_coefficients`) and plans
(:class:`gosplan.core.spec.PlanSpec`), and :func:`gosplan.datasets.load` returns them by
name. Numbers are kept in tuples and read-only mappings so that no caller can change them in place.

Two kinds of numbers live here:

* **published** ones, copied from a book (its edition, section and table are named), which the
  tests of ``tests/datasets`` compare with what gosplan computes; and
* **illustrative** ones, chosen for gosplan's own tests and examples (labour coefficients added
  to a textbook table, small plans whose answer is derived by hand in the docstring of the
  example). They are marked :data:`GOSPLAN` as their source, never passed off as published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pandas as pd

#: Miller, R. E. and Blair, P. D., *Input-Output Analysis: Foundations and Extensions*, 2nd ed.,
#: Cambridge University Press, 2009.
MILLER_BLAIR_2009 = (
    "Miller & Blair, Input-Output Analysis: Foundations and Extensions, 2nd ed. "
    "(Cambridge University Press, 2009)"
)
#: Where the two-sector example of Miller & Blair's chapter 2 is.
MILLER_BLAIR_2X2_SOURCE = (
    f"{MILLER_BLAIR_2009}, ch. 2, sec. 2.3.1 (numerical example, hypothetical figures), Table 2.3"
)
#: Feldman's growth model and its continuous-time form.
FELDMAN_1928 = (
    "G. A. Feldman, 'On the theory of growth rates of national income', Planovoe khozyaistvo "
    "1928 nos. 11-12 (English in N. Spulber, ed., Foundations of Soviet Strategy for Economic "
    "Growth, Indiana University Press, 1964); in the two-sector form of E. D. Domar, 'A Soviet "
    "model of growth', ch. IX of Essays in the Theory of Economic Growth (Oxford University "
    "Press, 1957)"
)
#: Numbers chosen for gosplan's tests and examples (no published source).
GOSPLAN = "illustrative: chosen for gosplan's tests, not from a publication"


@dataclass(frozen=True)
class TwoSectorTable:
    """A published two-sector transactions table and the answers the book derives from it.

    Attributes
    ----------
    sectors
        Labels gosplan gives the book's sectors 1 and 2.
    flows
        Interindustry flows ``Z`` (rows: selling sector, columns: buying sector).
    final_demand
        Final demand ``f``.
    gross_output
        Total output ``x``.
    value_added
        Payments sector (value added) ``v = x - 1'Z``.
    coefficients
        Technical coefficients ``A = Z diag(x)^-1``, as the book prints them.
    leontief_inverse
        ``(I - A)^-1`` as the book prints it (three decimals).
    new_final_demand
        The book's changed final demand.
    new_gross_output
        The gross output the book gives for ``new_final_demand`` (two decimals).
    source
        Book, edition, section and table.
    """

    sectors: tuple[str, str]
    flows: tuple[tuple[float, float], tuple[float, float]]
    final_demand: tuple[float, float]
    gross_output: tuple[float, float]
    value_added: tuple[float, float]
    coefficients: tuple[tuple[float, float], tuple[float, float]]
    leontief_inverse: tuple[tuple[float, float], tuple[float, float]]
    new_final_demand: tuple[float, float]
    new_gross_output: tuple[float, float]
    source: str

    def as_pandas(self, field: str) -> pd.DataFrame | pd.Series:
        """One field as a labelled pandas object (a fresh copy).

        Parameters
        ----------
        field
            ``"flows"``, ``"coefficients"`` or ``"leontief_inverse"`` (a DataFrame, rows and
            columns the sectors) or ``"final_demand"``, ``"gross_output"``, ``"value_added"``,
            ``"new_final_demand"``, ``"new_gross_output"`` (a Series by sector).

        >>> MILLER_BLAIR_2X2.as_pandas("gross_output").tolist()
        [1000.0, 2000.0]
        """
        value = getattr(self, field, None)
        if field == "source" or field == "sectors" or not isinstance(value, tuple):
            raise ValueError(f"{field!r} is not a table of {type(self).__name__}")
        labels = list(self.sectors)
        if isinstance(value[0], tuple):
            return pd.DataFrame([list(row) for row in value], index=labels, columns=labels)
        return pd.Series(list(value), index=labels, dtype=float)


#: Miller & Blair (2009), ch. 2, Table 2.3: the two-sector hypothetical economy.
MILLER_BLAIR_2X2 = TwoSectorTable(
    sectors=("a", "b"),
    flows=((150.0, 500.0), (200.0, 100.0)),  # Table 2.3, z_ij
    final_demand=(350.0, 1700.0),  # Table 2.3, f_i
    gross_output=(1000.0, 2000.0),  # Table 2.3, x_i
    value_added=(650.0, 1400.0),  # Table 2.3, payments sector
    coefficients=((0.15, 0.25), (0.20, 0.05)),  # sec. 2.3.1, A = Z diag(x)^-1
    leontief_inverse=((1.254, 0.330), (0.264, 1.122)),  # sec. 2.3.1, (I - A)^-1 to 3 dp
    new_final_demand=(600.0, 1500.0),  # sec. 2.3.1, f^new
    new_gross_output=(1247.52, 1841.58),  # sec. 2.3.1, x^new = L f^new to 2 dp
    source=MILLER_BLAIR_2X2_SOURCE,
)

#: Labour per unit of output added to Miller & Blair's table by gosplan (one labour type).
#: With it the labour values are ``l (I - A)^-1 = [.325, .245] / .7575`` (by hand).
MILLER_BLAIR_LABOUR = (0.3, 0.2)  # GOSPLAN (illustrative)
#: Units and groups gosplan gives the two sectors when ``groups=True``.
MILLER_BLAIR_UNITS = ("t", "m")  # GOSPLAN (illustrative)

#: The ``max_level`` plan on Miller & Blair's economy (GOSPLAN, illustrative): the bundle
#: ``(1, 1)``, 570 person-years each period, a target of 1000 for ``a`` in the last period.
#: By hand: ``theta = 570 * .7575 / .57 = 757.5``, gross output ``[1200, 1050]``.
MB_LEVEL_PLAN: Mapping[str, Any] = MappingProxyType(
    {
        "assortment": (1.0, 1.0),
        "labour_available": 570.0,
        "target_a": 1000.0,
        "level": 757.5,  # derived by hand (see above), not published
        "gross_output": (1200.0, 1050.0),  # derived by hand, not published
    }
)

#: Steel (means of production, built from itself) and cloth: gosplan's two-sector plan
#: economy (GOSPLAN, illustrative). Coefficients of inputs, rows and columns (steel, cloth).
STEEL_CLOTH: Mapping[str, Any] = MappingProxyType(
    {
        "products": ("steel", "cloth"),
        "units": ("t", "m"),
        "coefficients": ((0.2, 0.3), (0.0, 0.1)),
        "labour": (0.5, 0.4),  # workers per unit
        "coal": (1.0, 0.0),  # coal per unit
        "capacity": (100.0, 100.0),
        "capital": 2.0,  # steel per unit of capacity, both sectors
        "service_life": (30.0, 20.0),
    }
)

#: Feldman's two sectors (GOSPLAN's numbers for the parameters the model leaves free): the
#: capital-goods sector and the consumer-goods sector, no intermediate inputs, one unit of
#: labour per unit, capacity built from capital goods at ``v1`` units per unit of capacity.
#: The published answer (Feldman 1928; Domar 1957): with a share ``gamma`` of investment going
#: to the capital-goods sector, investment grows at the rate ``gamma / v1``; per period of the
#: discrete model, capital-goods capacity grows by the factor ``1 + gamma / v1``.
FELDMAN: Mapping[str, Any] = MappingProxyType(
    {
        "sectors": ("capital", "consumer"),
        "labour": (1.0, 1.0),
        "v1": 2.0,
        "k1": 10.0,
        "k2": 20.0,
        "gamma": 0.3,
        "periods": 8,
    }
)

#: Steel, machines and grain (GOSPLAN, illustrative): intermediate inputs, capital, two labour
#: types, land and service lives; the economy of gosplan's "every feature" five-year plan.
THREE_SECTOR: Mapping[str, Any] = MappingProxyType(
    {
        "products": ("steel", "machines", "grain"),
        "coefficients": ((0.1, 0.3, 0.05), (0.05, 0.1, 0.1), (0.0, 0.0, 0.1)),
        "capital": ((0.5, 0.4, 0.2), (1.0, 0.8, 0.6), (0.0, 0.0, 0.0)),
        "labour_types": ("workers", "engineers"),
        "labour": ((0.3, 0.4, 0.5), (0.1, 0.05, 0.0)),
        "land": (0.0, 0.0, 1.0),
        "capacity": (100.0, 60.0, 200.0),
        "service_life": (20.0, 3.0, 10.0),
    }
)

#: The five-year plan on :data:`THREE_SECTOR` (GOSPLAN, illustrative).
THREE_SECTOR_PLAN: Mapping[str, Any] = MappingProxyType(
    {
        "periods": (1929, 1930, 1931, 1932, 1933),
        "targets": (("steel", 1931, 80.0), ("grain", 1933, 150.0)),
        "assortment": (("grain", 1.0), ("machines", 0.2)),
        "grain_floor": 20.0,
        "workers": 150.0,
        "engineers": 25.0,
        "land": 180.0,
        "vintages": (("steel", 1910, 100.0), ("machines", 1927, 60.0), ("grain", 1925, 200.0)),
        "steel_lag": 2,
        "grain_depreciation": 0.05,
        "grain_stock": 30.0,
        "trade": (
            ("grain", 1.0, 20.0),
            ("machines", 3.0, 5.0),
        ),  # product, world price, import limit
        "fixed_final_demand": ("machines", 1930, 5.0),
        "trade_deficit": 2.0,
    }
)

#: One product, no inputs (GOSPLAN, illustrative). With 10 person-years at 0.5 a unit at most
#: 20 units can be made: a target of 30 is met to 2/3 and the shortfall is 10 (by hand).
ONE_PRODUCT: Mapping[str, Any] = MappingProxyType(
    {"labour": 0.5, "available": 10.0, "target": 30.0}
)
