"""HTML rendering: one self-contained page (inline CSS, figures as base64 PNG, no URLs).

The page is built from :class:`Section` objects holding blocks (paragraphs, definition lists,
tables, figures). Every piece of text is escaped with :func:`html.escape`. Tables carry
``data-kind="table"`` and a ``<caption>``; figures are ``<figure data-kind="figure">`` with a
``<figcaption>``; both have ids (``table-N``, ``figure-N``) and are numbered in order.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from html import escape

import pandas as pd

from gosplan.report.tables import TEXT, DisplayTable

CSS = """
:root { --ink: #1d2327; --muted: #5b6770; --rule: #d5dbe0; --band: #f4f6f8; --accent: #8b1e1e; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); margin: 0; background: #fff; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
header.report { border-bottom: 3px solid var(--accent); margin-bottom: 1.5rem; }
header.report h1 { margin: 0 0 .2rem; font-size: 1.9rem; }
header.report p.subtitle { margin: 0 0 .8rem; color: var(--muted); font-size: 1.05rem; }
h2 { border-bottom: 1px solid var(--rule); padding-bottom: .2rem; margin-top: 2.4rem; }
h3 { margin-top: 1.8rem; }
nav.toc { background: var(--band); padding: .6rem 1.2rem; border-radius: 4px; }
nav.toc h2 { border: 0; margin: .2rem 0; font-size: 1.1rem; }
nav.toc ol { margin: .2rem 0; padding-left: 1.4rem; }
nav.toc a { color: var(--ink); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
table { border-collapse: collapse; margin: 1rem 0 .3rem; font-size: .9rem; min-width: 36rem; }
caption { caption-side: top; text-align: left; color: var(--muted); padding-bottom: .4rem;
  overflow-wrap: anywhere; }
caption, figcaption, p, dd, li { overflow-wrap: anywhere; }
@media (max-width: 44rem) {
  main { padding: 1rem .8rem 3rem; }
  table { min-width: 0; }
  dl { grid-template-columns: 1fr; }
  dd { margin-left: .8rem; }
}
th, td { padding: .25rem .7rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); text-align: left; }
thead th.num { text-align: right; }
tbody tr:nth-child(even) { background: var(--band); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th[scope=row] { text-align: left; font-weight: 600; }
td.empty { color: var(--muted); font-style: italic; }
.table-wrap { overflow-x: auto; }
p.table-note { font-size: .85rem; color: var(--muted); margin: .2rem 0 .6rem; }
ol.sources { font-size: .8rem; color: var(--muted); margin: .2rem 0 1rem; }
sup.fn a { color: var(--accent); text-decoration: none; }
figure { margin: 1.2rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption, .label { color: var(--muted); font-size: .9rem; }
.label { font-weight: 600; color: var(--ink); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; }
dt { font-weight: 600; } dd { margin: 0; }
pre { background: var(--band); padding: .6rem; overflow-x: auto; }
footer { color: var(--muted); font-size: .8rem; margin-top: 3rem;
  border-top: 1px solid var(--rule); }
"""


# ---------------------------------------------------------------------------- blocks
@dataclass(frozen=True)
class Paragraphs:
    """Plain paragraphs."""

    texts: tuple[str, ...]


@dataclass(frozen=True)
class Definitions:
    """A definition list (label -> text)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Preformatted:
    """Monospaced text kept as written."""

    text: str


@dataclass(frozen=True)
class TableBlock:
    """A numbered table."""

    table: DisplayTable
    number: int

    @property
    def id(self) -> str:
        """The element id."""
        return f"table-{self.number}"


@dataclass(frozen=True)
class FigureBlock:
    """A numbered figure, already rendered to PNG."""

    png: bytes
    caption: str
    number: int
    alt: str = ""

    @property
    def id(self) -> str:
        """The element id."""
        return f"figure-{self.number}"


Block = Paragraphs | Definitions | Preformatted | TableBlock | FigureBlock


@dataclass
class Section:
    """A heading (level 2 or 3) with its blocks."""

    heading: str
    level: int
    id: str
    blocks: list[Block] = field(default_factory=list)


def slug(text: str) -> str:
    """A lower-case id fragment from a heading."""
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out or "section"


# ---------------------------------------------------------------------------- rendering
def render_table(block: TableBlock) -> str:
    """A table with its caption and numbered source notes."""
    t = block.table
    frame = t.frame
    show_index = not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
    formats = [t.format_of(c) for c in frame.columns]
    head = []
    if show_index:
        head.append(f'<th scope="col">{escape(str(frame.index.name or ""))}</th>')
    for col, kind in zip(frame.columns, formats, strict=True):
        cls = "" if kind == TEXT else ' class="num"'
        head.append(f'<th scope="col"{cls}>{escape(str(col))}</th>')
    notes: dict[str, int] = {}
    rows = []
    for i, (label, texts) in enumerate(zip(frame.index, t.cells(), strict=True)):
        marker = ""
        if t.sources is not None and t.sources[i]:
            n = notes.setdefault(t.sources[i], len(notes) + 1)
            marker = f'<sup class="fn"><a href="#{block.id}-source-{n}">{n}</a></sup>'
        cells = []
        if show_index:
            cells.append(f'<th scope="row">{escape(str(label))}{marker}</th>')
            marker = ""
        for j, (text, kind) in enumerate(zip(texts, formats, strict=True)):
            cls = "" if kind == TEXT else ' class="num"'
            cells.append(f"<td{cls}>{escape(text)}{marker if j == 0 else ''}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        span = len(head) or 1
        rows.append(f'<tr><td class="empty" colspan="{span}">none</td></tr>')
    caption = f'<span class="label">Table {block.number}.</span> {escape(t.caption)}'
    out = [
        '<div class="table-wrap">',
        f'<table data-kind="table" id="{block.id}">',
        f"<caption>{caption}</caption>",
        "<thead><tr>" + "".join(head) + "</tr></thead>",
        "<tbody>" + "\n".join(rows) + "</tbody>",
        "</table>",
        "</div>",
    ]
    if t.note:
        out.append(f'<p class="table-note">{escape(t.note)}</p>')
    if notes:
        items = "".join(
            f'<li id="{block.id}-source-{n}">{escape(text)}</li>' for text, n in notes.items()
        )
        out.append(f'<ol class="sources" aria-label="Sources">{items}</ol>')
    return "\n".join(out)


def render_figure(block: FigureBlock) -> str:
    """A figure with an embedded PNG and its caption."""
    data = base64.b64encode(block.png).decode("ascii")
    caption = f'<span class="label">Figure {block.number}.</span> {escape(block.caption)}'
    return (
        f'<figure data-kind="figure" id="{block.id}">'
        f'<img src="data:image/png;base64,{data}" alt="{escape(block.alt or block.caption)}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def render_block(block: Block) -> str:
    """Any block as HTML."""
    if isinstance(block, Paragraphs):
        return "\n".join(f"<p>{escape(p)}</p>" for p in block.texts)
    if isinstance(block, Definitions):
        items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in block.items)
        return f"<dl>{items}</dl>"
    if isinstance(block, Preformatted):
        return f"<pre>{escape(block.text)}</pre>"
    if isinstance(block, TableBlock):
        return render_table(block)
    if isinstance(block, FigureBlock):
        return render_figure(block)
    raise TypeError(f"not a report block: {type(block).__name__}")


def render_toc(sections: list[Section]) -> str:
    """Nested table of contents (level-2 sections with their level-3 subsections)."""
    parts = ['<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>']
    open_sub = False
    for i, sec in enumerate(sections):
        link = f'<a href="#{sec.id}">{escape(sec.heading)}</a>'
        if sec.level >= 3:
            if not open_sub:
                parts.append("<ol>")
                open_sub = True
            parts.append(f"<li>{link}</li>")
            continue
        if open_sub:
            parts.append("</ol>")
            open_sub = False
        if i:
            parts.append("</li>")
        parts.append(f"<li>{link}")
    if open_sub:
        parts.append("</ol>")
    if sections:
        parts.append("</li>")
    parts.append("</ol></nav>")
    return "".join(parts)


def render_document(title: str, subtitle: str, sections: list[Section], footer: str) -> str:
    """The whole page."""
    body = []
    for sec in sections:
        level = 3 if sec.level >= 3 else 2
        body.append(f'<section id="{sec.id}"><h{level}>{escape(sec.heading)}</h{level}>')
        body.extend(render_block(b) for b in sec.blocks)
        body.append("</section>")
    sub = f'<p class="subtitle">{escape(subtitle)}</p>' if subtitle else ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body><main>",
            f'<header class="report"><h1>{escape(title)}</h1>{sub}</header>',
            render_toc(sections),
            *body,
            f"<footer><p>{escape(footer)}</p></footer>",
            "</main></body>",
            "</html>",
        ]
    )
