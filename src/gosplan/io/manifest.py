"""The economy manifest ``economy.toml``: what the economy is and which tables it has.

See ``docs/format.md`` for the format. :func:`read_manifest` validates the manifest and
resolves table paths (or workbook sheets) relative to it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gosplan.errors import InputError
from gosplan.io.tables import read_sheet, read_table_file, sheet_source, table_source

MANIFEST = "economy.toml"

#: Tables an economy may have, in reading order.
TABLES = (
    "products",
    "activities",
    "technology",
    "transactions",
    "labour",
    "resources",
    "capacities",
    "capital",
    "enterprises",
)
TOP_KEYS = frozenset({"name", "base_year", "currency", "description", "tables", "labour"})
LABOUR_KINDS = ("coefficients", "flows")


@dataclass(frozen=True)
class Manifest:
    """A validated economy manifest.

    Attributes
    ----------
    path
        The manifest file.
    name, base_year, currency, description
        Descriptive facts.
    tables
        Table name -> file path (or sheet name when ``workbook`` is set).
    workbook
        The Excel workbook holding every table as a sheet, if any.
    labour_kind
        ``"coefficients"`` (long form, per unit) or ``"flows"`` (wide totals by product).
    """

    path: Path
    name: str
    base_year: int | None = None
    currency: str | None = None
    description: str = ""
    tables: dict[str, str] = field(default_factory=dict)
    workbook: Path | None = None
    labour_kind: str = "coefficients"
    _sources: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def root(self) -> Path:
        """The directory table paths are relative to."""
        return self.path.parent

    def has(self, table: str) -> bool:
        """Whether the economy has table ``table``."""
        return table in self.tables

    def source(self, table: str) -> str:
        """How messages name table ``table``: its file, or ``workbook[sheet]``."""
        if self.workbook is not None:
            return sheet_source(self.workbook, self.tables[table])
        if table not in self._sources:  # an .xlsx table file: ``file.xlsx[first sheet]``
            self._sources[table] = table_source(self.root / self.tables[table])
        return self._sources[table]

    def read(self, table: str, *, lower_header: bool = True) -> tuple[Any, str]:
        """Read table ``table`` as raw columns; return it with its source for messages.

        ``lower_header=False`` keeps the case of column names (wide tables, whose columns are
        product labels).
        """
        if self.workbook is not None:
            frame = read_sheet(self.workbook, self.tables[table], lower_header=lower_header)
        else:
            frame = read_table_file(self.root / self.tables[table], lower_header=lower_header)
        return frame, self.source(table)


def locate(path: str | Path) -> Path:
    """The manifest of an economy given as a directory or as the manifest itself.

    Raises
    ------
    InputError
        ``unreadable_file`` when there is no such directory or file.
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST
        if not path.is_file():
            raise InputError(
                f"no {MANIFEST} in this directory: an economy directory needs a manifest "
                "(see docs/format.md)",
                source=str(path.parent),
                check="unreadable_file",
            )
        return path
    if not path.exists():
        raise InputError(
            "no such economy directory or manifest", source=str(path), check="unreadable_file"
        )
    return path


def _refuse_unknown(
    keys: Iterable[str], known: Collection[str], what: str, listing: str, source: str
) -> None:
    """Raise on the first of ``keys`` (sorted) not in ``known``, saying what is known."""
    unknown = sorted(set(keys) - set(known))
    if unknown:
        raise InputError(
            f"unknown {what} {unknown[0]!r}; {listing}",
            source=source,
            label=unknown[0],
            check="unknown_label",
        )


def read_manifest(path: str | Path) -> Manifest:
    """Read and validate an economy manifest.

    Parameters
    ----------
    path
        The economy directory or its ``economy.toml``.

    Returns
    -------
    Manifest

    Raises
    ------
    InputError
        When the manifest is missing, is not valid TOML, or misses or misnames an entry.
    """
    file = locate(path)
    source = str(file)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", source=source, check="unreadable_file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=source, check="unreadable_file") from exc
    known = f"the manifest knows {', '.join(sorted(TOP_KEYS))}"
    _refuse_unknown(raw, TOP_KEYS, "entry", known, source)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(
            'the manifest needs a name, e.g. name = "ussr-1928"',
            source=source,
            check="missing_value",
        )
    base_year = raw.get("base_year")
    if base_year is not None and (not isinstance(base_year, int) or isinstance(base_year, bool)):
        raise InputError(
            f"base_year must be a whole number, got {base_year!r}",
            source=source,
            label="base_year",
            check="non_numeric",
        )
    for key in ("currency", "description"):
        if key in raw and not isinstance(raw[key], str):
            raise InputError(f"{key} must be text", source=source, label=key, check="non_numeric")
    tables, workbook = _tables(raw.get("tables"), file, source)
    labour = raw.get("labour", {})
    kind = labour.get("kind", "coefficients") if isinstance(labour, dict) else None
    if kind not in LABOUR_KINDS:
        raise InputError(
            f"[labour] kind must be one of {', '.join(LABOUR_KINDS)}, got {kind!r}",
            source=source,
            label="labour",
            check="unknown_label",
        )
    return Manifest(
        path=file,
        name=name.strip(),
        base_year=base_year,
        currency=raw.get("currency"),
        description=raw.get("description", ""),
        tables=tables,
        workbook=workbook,
        labour_kind=kind,
    )


def _tables(entry: Any, file: Path, source: str) -> tuple[dict[str, str], Path | None]:
    if not isinstance(entry, dict):
        raise InputError(
            "the manifest needs a [tables] section naming at least products and technology",
            source=source,
            check="missing_value",
        )
    entry = dict(entry)
    workbook = entry.pop("workbook", None)
    book = None
    if workbook is not None:
        if not isinstance(workbook, str):
            raise InputError("workbook must be a file name", source=source, label="workbook")
        book = file.parent / workbook
    _refuse_unknown(entry, TABLES, "table", f"tables are {', '.join(TABLES)}", source)
    for key, value in entry.items():
        if not isinstance(value, str) or not value.strip():
            raise InputError(
                f"table {key!r} must name a file (or a sheet)", source=source, label=key
            )
    if "products" not in entry:
        if book is None:
            raise InputError(
                "[tables] must name a products table", source=source, check="missing_value"
            )
        entry["products"] = "products"
    if "technology" not in entry and "transactions" not in entry:
        if book is None:
            raise InputError(
                "[tables] must name a technology table (or a transactions table)",
                source=source,
                check="missing_value",
            )
        entry["technology"] = "technology"
    if "technology" in entry and "transactions" in entry:
        raise InputError(
            "give either technology or transactions, not both",
            source=source,
            label="transactions",
        )
    return {k: v.strip() for k, v in entry.items()}, book
