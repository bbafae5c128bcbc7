"""Read an economy from disk (``docs/format.md``): a TOML manifest plus tidy tables.

:func:`read_economy` reads every table, checks it (labels, numbers, duplicates, units) and
reports **every** problem at once in one :class:`~gosplan.errors.ValidationError`, each naming
the file, the row and the label. Parsing is vectorised: product-level tables with millions of
rows read in seconds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.core.checks import Check
from gosplan.core.economy import Economy, EconomyMeta
from gosplan.core.economy_checks import check_enterprises
from gosplan.core.enterprises import ENTERPRISE_COLUMNS
from gosplan.errors import InputError, ValidationError
from gosplan.io.manifest import TABLES, Manifest, read_manifest
from gosplan.io.tables import (
    Problems,
    check_known,
    check_unique,
    label_column,
    number_column,
    require_columns,
    require_rows,
    text_column,
)

log = logging.getLogger(__name__)

#: Columns of a wide table (transactions, labour flows) that are not product labels.
WIDE_EXTRA_COLUMNS = ("unit", "source")


@dataclass
class ReadOutcome:
    """What reading an economy found, for reports that must say what was checked.

    Attributes
    ----------
    economy
        The economy, or ``None`` when the tables have problems (it cannot be built).
    problems
        Every problem found while reading (capped per check and table, as raised).
    read
        How messages name each table whose rows were checked, in reading order.
    skipped
        Each table that was not read, mapped to why (e.g. ``"reading stopped at
        products.csv"``).
    stopped_at
        The table (or the manifest) at which reading stopped, if it stopped: a table
        that defines labels (products, activities) could not be read at all, so the tables
        naming those labels could not be checked.
    sources
        How messages name each table of the manifest (table name -> file or sheet).
    """

    economy: Economy | None
    problems: list[InputError]
    read: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    stopped_at: str | None = None
    sources: dict[str, str] = field(default_factory=dict)


def survey_economy(path: str | Path) -> ReadOutcome:
    """Read an economy's tables, collecting every problem instead of raising.

    Reading goes on past a table with bad rows (duplicate or missing labels are left out of
    the labels that later tables are checked against); it stops only when the products or
    activities table cannot be read at all, since every later table names their labels.

    Parameters
    ----------
    path
        The economy directory or its manifest.

    Returns
    -------
    ReadOutcome
        The economy (if the tables have no problem), the problems, and which tables were
        read or skipped. The economy-wide checks
        (:func:`gosplan.core.economy_checks.validate_economy`) are not run.
    """
    try:
        manifest = read_manifest(path)
    except InputError as exc:
        problems = exc.problems if isinstance(exc, ValidationError) else [exc]
        return ReadOutcome(None, list(problems), stopped_at=exc.source or str(path))
    reader = _EconomyReader(manifest)
    reader.read_tables()
    sources = {name: manifest.source(name) for name in manifest.tables}
    try:
        reader.problems.raise_if_any()
    except ValidationError as exc:
        return ReadOutcome(
            None, exc.problems, reader.read, reader.skipped, reader.stopped_at, sources
        )
    return ReadOutcome(reader.build(), [], reader.read, reader.skipped, None, sources)


def read_economy(path: str | Path, *, validate: bool = True) -> Economy:
    """Read an economy directory (or its ``economy.toml``).

    Parameters
    ----------
    path
        The economy directory or its manifest.
    validate
        Also run the economy-wide checks (Hawkins–Simon) after reading.

    Returns
    -------
    Economy

    Raises
    ------
    gosplan.errors.InputError
        When the manifest is unusable.
    gosplan.errors.ValidationError
        Listing every problem found in the tables, each with file, row and label.
    """
    manifest = read_manifest(path)
    log.info("reading economy %r from %s", manifest.name, manifest.root)
    economy = _EconomyReader(manifest).read_economy()
    if validate:
        from gosplan.core.economy_checks import validate_economy

        table = "technology" if manifest.has("technology") else "transactions"
        validate_economy(
            economy,
            source=manifest.source(table),
            activities_source=manifest.source("activities") if manifest.has("activities") else None,
            sources={name: manifest.source(name) for name in manifest.tables},
        )
    return economy


class _EconomyReader:
    """Reads the tables of one manifest in order, collecting problems."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self.problems = Problems()
        self.products = pd.DataFrame()
        self.activities = pd.DataFrame()
        self.gross_output: np.ndarray | None = None
        self.labour_unit = "person-years"
        #: Sources of the tables whose rows were checked, in order.
        self.read: list[str] = []
        #: Sources of the tables not read, with why.
        self.skipped: dict[str, str] = {}
        self.stopped_at: str | None = None
        self._built: dict[str, object] = {}

    # ------------------------------------------------------------------ orchestration
    def read_economy(self) -> Economy:
        """Read every table; raise one ValidationError listing every problem."""
        self.read_tables()
        self.problems.raise_if_any()
        return self.build()

    def read_tables(self) -> None:
        """Read and check every table, collecting problems (nothing is raised)."""
        products = self._products()
        if products is None:
            self._stop("products")
            return
        self.products = products
        activities = self._activities()
        if activities is None:
            self._stop("activities")
            return
        self.activities = activities
        if self.manifest.has("technology"):
            technology = self._long_matrix("technology", "input")
        else:
            technology = self._transactions()
        labour_types, labour = self._labour()
        resource_types, resources = self._typed_rows("resources", "resource", "resource")
        capacity, life = self._capacities()
        capital = self._long_matrix("capital", "input") if self.manifest.has("capital") else None
        enterprises = self._enterprises(capacity)
        if self.problems:  # the economy-wide checks will not run: report this one now
            self._check_techniques()
        self._built = {
            "technology": technology,
            "labour_types": labour_types,
            "labour": labour,
            "resource_types": resource_types,
            "resources": resources,
            "capacity": capacity,
            "capital": capital,
            "service_life": life,
            "enterprises": enterprises,
        }

    def _stop(self, table: str) -> None:
        """Reading stops at ``table`` (it defines labels and could not be read at all)."""
        self.stopped_at = self.manifest.source(table)
        reason = f"reading stopped at {self.stopped_at}"
        for name in TABLES:
            if self.manifest.has(name) and self.manifest.source(name) not in self.read:
                source = self.manifest.source(name)
                if source != self.stopped_at:
                    self.skipped.setdefault(source, reason)

    def build(self) -> Economy:
        """The economy of tables read without problems."""
        m = self.manifest
        return Economy(
            products=self.products,
            activities=self.activities[["product", "description"]],
            **self._built,  # type: ignore[arg-type]
            meta=EconomyMeta(
                name=m.name,
                base_year=m.base_year,
                currency=m.currency,
                description=m.description,
                source=str(m.root),
                labour_unit=self.labour_unit,
            ),
        )

    def _table(
        self, name: str, columns: tuple[str, ...], *, wide: bool = False
    ) -> tuple[pd.DataFrame, str] | None:
        """Read table ``name``; None (problems recorded) if it lacks columns or rows.

        A ``wide`` table's columns are product labels: their case is kept, and only the
        reserved columns (``columns``, ``unit``, ``source``) are matched case-insensitively.
        """
        try:
            frame, source = self.manifest.read(name, lower_header=not wide)
        except InputError as exc:
            self.problems.extend(exc)
            return None
        finally:
            self.read.append(self.manifest.source(name))
        if wide:
            reserved = {*columns, *WIDE_EXTRA_COLUMNS}
            frame = frame.rename(columns=lambda c: c.lower() if c.lower() in reserved else c)
        if not require_columns(frame, columns, source, self.problems):
            return None
        if not require_rows(frame, source, self.problems):
            return None
        return frame, source

    def _declared(self, table: str) -> tuple[str, str]:
        """The table that declares labels, and how messages name it (for unknown labels)."""
        return table, self.manifest.source(table)

    def _known_activities(self, labels: np.ndarray, source: str, table: str) -> np.ndarray:
        """Positions of activity labels named by ``table``; record those not declared."""
        declares = "activities" if self.manifest.has("activities") else "products"
        return check_known(
            labels,
            self.activities.index,
            source,
            self.problems,
            "activity",
            "activity",
            table=table,
            declared_in=self._declared(declares),
        )

    def _check_techniques(self) -> None:
        """Record every product that no activity makes (check ``no_technique``).

        The economy-wide check (:func:`gosplan.core.economy_checks.validate_economy`) finds
        the same problems once the tables are sound; run here when they are not, so that one
        read reports every problem at once.
        """
        products = self.products.index
        made = np.zeros(len(products), dtype=bool)
        positions = products.get_indexer(self.activities["product"].to_numpy(dtype=object))
        made[positions[positions >= 0]] = True
        if made.all():
            return
        declares = "activities" if self.manifest.has("activities") else "products"
        source = self.manifest.source(declares)
        for pos in np.flatnonzero(~made):
            self.problems.add(
                f"product {products[pos]!r} has no technique: no activity of the activities "
                "table makes it, so it can be neither produced nor planned",
                source=source,
                label=str(products[pos]),
                check=Check.NO_TECHNIQUE,
            )

    # ------------------------------------------------------------------ tables
    def _products(self) -> pd.DataFrame | None:
        """The products table; None when it cannot be read at all.

        A repeated or missing label is reported and left out, so that the later tables are
        checked against the labels declared (each once).
        """
        got = self._table("products", ("product",))
        if got is None:
            return None
        frame, source = got
        before = len(self.problems)
        labels = label_column(frame, "product", source, self.problems)
        repeated = check_unique([labels], source, self.problems, "product")
        products = pd.DataFrame(
            {col: text_column(frame, col) for col in ("unit", "description", "group")},
            index=pd.Index(labels, name="product"),
        )
        if len(self.problems) == before:  # the usual case: no label to leave out
            return products
        return products[~repeated & (labels != "")]

    def _activities(self) -> pd.DataFrame | None:
        """The activities (one per product without a table); None when unreadable."""
        products = self.products.index
        if not self.manifest.has("activities"):
            return pd.DataFrame(
                {
                    "product": products.to_numpy(dtype=object),
                    "description": "",
                    "service_life": np.nan,
                },
                index=pd.Index(products, name="activity"),
            )
        if self.manifest.has("transactions"):
            self.problems.add(
                "a transactions table describes one activity per product: drop the "
                "activities table or give the technology in long form",
                source=str(self.manifest.path),
                label="activities",
                check=Check.UNKNOWN_LABEL,
            )
            self.skipped[self.manifest.source("activities")] = (
                "an activities table cannot go with a transactions table"
            )
            return pd.DataFrame(
                {"product": products.to_numpy(dtype=object), "description": ""},
                index=pd.Index(products, name="activity"),
            )
        got = self._table("activities", ("activity", "product"))
        if got is None:
            return None
        frame, source = got
        before = len(self.problems)
        labels = label_column(frame, "activity", source, self.problems)
        repeated = check_unique([labels], source, self.problems, "activity")
        keep = None if len(self.problems) == before else ~repeated & (labels != "")
        makes = label_column(frame, "product", source, self.problems)
        check_known(
            makes,
            products,
            source,
            self.problems,
            "product",
            "product",
            table="activities",
            declared_in=self._declared("products"),
        )
        life = (
            number_column(frame, "service_life", source, self.problems, labels, optional=True)
            if "service_life" in frame.columns
            else np.full(len(frame), np.nan)
        )
        activities = pd.DataFrame(
            {
                "product": makes,
                "description": text_column(frame, "description"),
                "service_life": life,
            },
            index=pd.Index(labels, name="activity"),
        )
        return activities if keep is None else activities[keep]

    def _long_matrix(self, name: str, row_col: str) -> sp.csc_array | None:
        """A products x activities matrix from a long table (input, activity, coefficient)."""
        got = self._table(name, (row_col, "activity", "coefficient"))
        if got is None:
            return None
        frame, source = got
        rows = label_column(frame, row_col, source, self.problems)
        cols = label_column(frame, "activity", source, self.problems)
        values = number_column(
            frame,
            "coefficient",
            source,
            self.problems,
            cols,
            subject=lambda pos: f"{row_col} {rows[pos]!r} of activity {cols[pos]!r}",
        )
        i = check_known(
            rows,
            self.products.index,
            source,
            self.problems,
            "product",
            row_col,
            table=name,
            declared_in=self._declared("products"),
        )
        j = self._known_activities(cols, source, name)
        known = (i >= 0) & (j >= 0)  # unknown labels are reported already: never a repeat
        codes = np.where(known, i * len(self.activities) + j, -1 - np.arange(len(i)))
        check_unique(
            [rows, cols], source, self.problems, f"the pair {row_col}/activity", codes=codes
        )
        return _coo(i, j, values, (len(self.products), len(self.activities)))

    def _transactions(self) -> sp.csc_array | None:
        """Coefficients from a wide flow table with a gross_output column."""
        got = self._table("transactions", ("product", "gross_output"), wide=True)
        if got is None:
            return None
        frame, source = got
        products = self.products.index
        rows = label_column(frame, "product", source, self.problems)
        check_unique([rows], source, self.problems, "product")
        i = check_known(
            rows,
            products,
            source,
            self.problems,
            "product",
            "product",
            table="transactions",
            declared_in=self._declared("products"),
        )
        using = [
            c for c in frame.columns if c not in ("product", "gross_output", *WIDE_EXTRA_COLUMNS)
        ]
        j = products.get_indexer(using)
        for col in np.asarray(using, dtype=object)[j < 0]:
            self.problems.add(
                f"column {col!r} is not a declared product",
                source=source,
                label=str(col),
                check=Check.UNKNOWN_LABEL,
            )
        # Flow totals and gross outputs in currency units may be huge (yen); only the
        # coefficients derived from them reach the solver.
        x = number_column(frame, "gross_output", source, self.problems, rows, largest=None)
        flows = (
            np.column_stack(
                [number_column(frame, c, source, self.problems, rows, largest=None) for c in using]
            )
            if using
            else np.zeros((len(frame), 0))
        )
        ok = i >= 0
        output = np.zeros(len(products))
        output[i[ok]] = x[ok]
        Z = np.zeros((len(products), len(products)))
        keep = j >= 0
        Z[np.ix_(i[ok], j[keep])] = np.nan_to_num(flows[np.ix_(ok, keep)])
        used = Z.sum(axis=0) > 0
        bad = used & ~(output > 0)
        row_of = np.full(len(products), -1)
        row_of[i[ok]] = np.flatnonzero(ok)
        for pos in np.flatnonzero(bad)[:5]:
            self.problems.add(
                f"gross output must be positive for a product that uses inputs "
                f"(got {output[pos]:g})",
                source=source,
                row=int(row_of[pos]) + 2 if row_of[pos] >= 0 else None,
                label=str(products[pos]),
                check=Check.NON_POSITIVE_OUTPUT,
            )
        self.gross_output = output
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(output > 0, 1.0 / output, 0.0)
        return sp.csc_array(Z * scale)

    def _labour(self) -> tuple[pd.Index, sp.csc_array | None]:
        if self.manifest.labour_kind == "coefficients":
            return self._typed_rows("labour", "labour_type", "labour type")
        if not self.manifest.has("labour"):
            return pd.Index([], name="labour_type"), None
        source_m = str(self.manifest.path)
        if not self.manifest.has("transactions"):
            self.problems.add(
                '[labour] kind = "flows" needs a transactions table with gross output',
                source=source_m,
                label="labour",
                check=Check.MISSING_VALUE,
            )
            return pd.Index([], name="labour_type"), None
        if self.gross_output is None:  # the transactions table failed: reported already
            self.skipped[self.manifest.source("labour")] = (
                "labour flows need the gross output of the transactions table, which could "
                f"not be read ({self.manifest.source('transactions')})"
            )
            return pd.Index([], name="labour_type"), None
        got = self._table("labour", ("labour_type",), wide=True)
        if got is None:
            return pd.Index([], name="labour_type"), None
        frame, source = got
        types = label_column(frame, "labour_type", source, self.problems)
        check_unique([types], source, self.problems, "labour type")
        products = self.products.index
        using = [c for c in frame.columns if c not in ("labour_type", *WIDE_EXTRA_COLUMNS)]
        j = products.get_indexer(using)
        for col in np.asarray(using, dtype=object)[j < 0]:
            self.problems.add(
                f"column {col!r} is not a declared product",
                source=source,
                label=str(col),
                check=Check.UNKNOWN_LABEL,
            )
        totals = np.zeros((len(types), len(products)))
        for k, col in enumerate(using):
            if j[k] >= 0:
                values = number_column(frame, col, source, self.problems, types, largest=None)
                totals[:, j[k]] = np.nan_to_num(values)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(self.gross_output > 0, 1.0 / self.gross_output, 0.0)
        return pd.Index(types, name="labour_type"), sp.csc_array(totals * scale)

    def _typed_rows(
        self, name: str, type_col: str, what: str
    ) -> tuple[pd.Index, sp.csc_array | None]:
        """Labour or resources in long form: (type, activity, coefficient[, unit])."""
        empty = pd.Index([], name=type_col)
        if not self.manifest.has(name):
            return empty, None
        got = self._table(name, (type_col, "activity", "coefficient"))
        if got is None:
            return empty, None
        frame, source = got
        types = label_column(frame, type_col, source, self.problems, what)
        cols = label_column(frame, "activity", source, self.problems)
        values = number_column(
            frame,
            "coefficient",
            source,
            self.problems,
            cols,
            subject=lambda pos: f"{what} {types[pos]!r} of activity {cols[pos]!r}",
        )
        check_unique([types, cols], source, self.problems, f"the pair {what}/activity")
        j = self._known_activities(cols, source, name)
        if "unit" in frame.columns:
            units = text_column(frame, "unit")
            self._same_unit_per_type(types, units, source, what)
            if name == "labour" and (units != "").any():
                self.labour_unit = str(units[units != ""][0])
        index = pd.Index(pd.unique(types), name=type_col)
        i = index.get_indexer(types)
        return index, _coo(i, j, values, (len(index), len(self.activities)))

    def _same_unit_per_type(
        self, types: np.ndarray, units: np.ndarray, source: str, what: str
    ) -> None:
        frame = pd.DataFrame({"type": types, "unit": units})
        first = frame.groupby("type", sort=False)["unit"].transform("first").to_numpy()
        differs = (units != first) & (types != "")
        self.problems.add_rows(
            differs,
            lambda pos: (
                f"unit {units[pos]!r} differs from {first[pos]!r} used earlier for this {what}"
            ),
            source=source,
            labels=types,
            check=Check.UNIT_MISMATCH,
        )

    def _capacities(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.activities)
        capacity = np.full(n, np.inf)
        life = (
            self.activities["service_life"].to_numpy(dtype=float, copy=True)
            if "service_life" in self.activities
            else np.full(n, np.nan)
        )
        if not self.manifest.has("capacities"):
            return capacity, life
        got = self._table("capacities", ("activity", "capacity"))
        if got is None:
            return capacity, life
        frame, source = got
        labels = label_column(frame, "activity", source, self.problems)
        values = number_column(
            frame, "capacity", source, self.problems, labels, allow_infinite=True
        )
        check_unique([labels], source, self.problems, "activity")
        j = self._known_activities(labels, source, "capacities")
        ok = j >= 0
        capacity[j[ok]] = values[ok]
        if "service_life" in frame.columns:
            lives = number_column(
                frame, "service_life", source, self.problems, labels, optional=True
            )
            given = ok & ~np.isnan(lives)
            life[j[given]] = lives[given]
        if "unit" in frame.columns:
            units = text_column(frame, "unit")
            made = self.activities["product"].to_numpy(dtype=object)[np.where(ok, j, 0)]
            # An activity making an undeclared product (reported already) has no unit here.
            product_units = self.products["unit"].reindex(made).fillna("").to_numpy(dtype=object)
            differs = ok & (units != "") & (product_units != "") & (units != product_units)
            self.problems.add_rows(
                differs,
                lambda pos: (
                    f"capacity unit {units[pos]!r} differs from the unit "
                    f"{product_units[pos]!r} of product {made[pos]!r}"
                ),
                source=source,
                labels=labels,
                check=Check.UNIT_MISMATCH,
            )
        return capacity, life

    def _enterprises(self, capacity: np.ndarray) -> pd.DataFrame | None:
        """The optional enterprises table, checked against the activities and capacities.

        The checks are those of any economy
        (:func:`gosplan.core.economy_checks.check_enterprises`), here naming the file.
        """
        if not self.manifest.has("enterprises"):
            return None
        got = self._table("enterprises", ENTERPRISE_COLUMNS)
        if got is None:
            return None
        frame, source = got
        declares = "activities" if self.manifest.has("activities") else "products"
        return check_enterprises(
            frame,
            self.activities.index,
            capacity,
            self.problems,
            source=source,
            declared_in=self._declared(declares),
        )


def _coo(i: np.ndarray, j: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> sp.csc_array:
    ok = (i >= 0) & (j >= 0) & ~np.isnan(values)
    return sp.csc_array(sp.coo_array((values[ok], (i[ok], j[ok])), shape=shape))
