"""Tests of the report: small economies whose plans are known by hand, and an HTML reader.

Miller & Blair (2009), section 2.3: ``A = [[.15, .25], [.20, .05]]``, labour ``l = [.3, .2]``;
``(I - A)^-1 = [[.95, .25], [.20, .85]] / .7575``. With final demand ``y = [350, 1700]`` the
gross output is ``x = [1000, 2000]`` and the intermediate use ``A x = [650, 300]``.

For the ``max_level`` plan with assortment ``(1, 1)`` and 570 person-years in each period,
the labour values are ``v = l (I - A)^-1 = [.325, .245] / .7575``, so the common level is
``theta = 570 / (v . (1, 1)) = 570 * .7575 / .57 = 757.5``, gross output
``x = (I - A)^-1 (1, 1) theta = [1.2, 1.05] / .7575 * 757.5 = [1200, 1050]``, consumption
``757.5`` of each product, and the shadow price of labour ``d theta / d labour = 757.5 / 570``.
"""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd

from gosplan.core.economy import Economy
from gosplan.core.spec import PlanSpec
from gosplan.datasets import load

PRODUCTS = ["a", "b"]
THETA = 757.5
OUTPUT = {"a": 1200.0, "b": 1050.0}


def mb_economy(capacity: tuple[float, float] = (np.inf, np.inf)) -> Economy:
    """The Miller & Blair economy; ``a`` means of production, ``b`` consumer goods."""
    return load(
        "miller-blair-2x2",
        labour=True,
        groups=True,
        capacity=pd.Series(dict(zip(PRODUCTS, capacity, strict=True))),
        name="mb",
    )


def level_spec(periods: tuple[int, ...] = (1928, 1929)) -> PlanSpec:
    """``max_level`` of the bundle (1, 1) with 570 person-years each period; targets met."""
    return load("miller-blair-level-plan", periods=periods)


def one_product_spec(labour: float = 10.0, target: float = 30.0) -> PlanSpec:
    """One product made with 0.5 person-years a unit; ``labour`` available, ``target`` set.

    With 10 person-years at most 20 units can be made: a target of 30 is reached to 2/3, the
    shortfall is 10, the smallest addition is 5 person-years, and the shadow price of labour
    in the least-shortfall plan is 2 units per person-year times the weight 1/30 per unit.
    """
    return load("one-product-plan", labour=labour, target=target)


# ---------------------------------------------------------------------------- reading HTML
class Tables(HTMLParser):
    """Collect every ``<table data-kind="table">``: id, caption, header and body rows.

    Footnote markers (``<sup>``) are left out of the cell text. Each body row is a list of
    ``(tag, text)`` pairs, ``tag`` being ``th`` (row label) or ``td``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict] = {}
        self.figures: list[dict] = []
        self._table: dict | None = None
        self._cell: list[str] | None = None
        self._tag = ""
        self._part = ""
        self._sup = 0
        self._row: list | None = None
        self._figure: dict | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-kind") == "table":
            self._table = {"id": a["id"], "caption": "", "head": [], "rows": []}
        elif self._table is not None and tag in ("thead", "tbody"):
            self._part = tag
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._table is not None and tag in ("th", "td"):
            self._cell, self._tag = [], tag
        elif tag == "caption":
            self._in_caption = True
        elif tag == "sup":
            self._sup += 1
        elif tag == "figure" and a.get("data-kind") == "figure":
            self._figure = {"id": a["id"], "src": "", "caption": ""}
        elif tag == "img" and self._figure is not None:
            self._figure["src"] = a.get("src", "")
        elif tag == "figcaption" and self._figure is not None:
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append((self._tag, "".join(self._cell).strip()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            (self._table["head"] if self._part == "thead" else self._table["rows"]).append(
                self._row
            )
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables[self._table["id"]] = self._table
            self._table = None
        elif tag in ("caption", "figcaption"):
            self._in_caption = False
        elif tag == "sup":
            self._sup -= 1
        elif tag == "figure" and self._figure is not None:
            self.figures.append(self._figure)
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._sup:
            return
        if self._in_caption:
            target = self._table if self._table is not None else self._figure
            if target is not None:
                target["caption"] += data
        elif self._cell is not None:
            self._cell.append(data)


def parse(html_text: str) -> Tables:
    """Parse a report's HTML."""
    p = Tables()
    p.feed(html_text)
    p.close()
    return p


def table_by_caption(parsed: Tables, start: str) -> dict:
    """The one table whose caption (after ``Table N.``) starts with ``start``."""
    found = [t for t in parsed.tables.values() if t["caption"].split(". ", 1)[-1].startswith(start)]
    assert len(found) == 1, [t["caption"] for t in parsed.tables.values()]
    return found[0]


def as_grid(table: dict) -> tuple[list[str], dict[str, list[str]]]:
    """Header texts and ``{row label: [cell texts]}`` of a table with row labels."""
    header = [text for _, text in table["head"][0]]
    rows = {}
    for row in table["rows"]:
        assert row[0][0] == "th", row
        rows[row[0][1]] = [text for _, text in row[1:]]
    return header, rows


def feldman_spec() -> PlanSpec:
    """Steel (means of production, capital goods) and cloth over four periods, lag 1.

    Consumption is valued as cloth (the spec's consumption weights).
    """
    return load("steel-cloth-plan")
