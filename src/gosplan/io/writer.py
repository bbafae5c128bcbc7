"""Write an economy in the on-disk format (``docs/format.md``) that :func:`read_economy` reads.

Tables are written in long form (only non-zero coefficients), as CSV, Parquet or sheets of one
Excel workbook; optionally the technology as a wide transactions table with gross output. An
economy's enterprises table, when it has one, is written as it is (table and sheet
``enterprises``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import tomli_w

from gosplan.core.economy import Economy
from gosplan.errors import InputError
from gosplan.io.manifest import MANIFEST

log = logging.getLogger(__name__)

FORMATS = {"csv": ".csv", "parquet": ".parquet", "excel": ".xlsx"}
#: Excel's row limit: larger tables must be written as CSV or Parquet.
EXCEL_MAX_ROWS = 1_048_575


def write_economy(
    economy: Economy,
    path: str | Path,
    format: str = "csv",
    *,
    gross_output: pd.Series | None = None,
) -> Path:
    """Write an economy as a directory with ``economy.toml`` and its tables.

    Parameters
    ----------
    economy
        The economy to write.
    path
        The directory (created if needed; existing table files are overwritten).
    format
        ``"csv"``, ``"parquet"`` or ``"excel"`` (one workbook, one sheet per table).
    gross_output
        If given (per product), write the technology as a wide **transactions** table of
        flows ``Z = A diag(x)`` with a ``gross_output`` column instead of long coefficients
        (square economies only); labour is then written as flows too.

    Returns
    -------
    pathlib.Path
        The directory written.
    """
    if format not in FORMATS:
        raise InputError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    tables = _tables(economy, gross_output)
    if format == "excel":
        too_big = [name for name, t in tables.items() if len(t) > EXCEL_MAX_ROWS]
        if too_big:
            raise InputError(
                f"table {too_big[0]!r} has more rows than Excel allows; write csv or parquet",
                source=str(root),
            )
    suffix = FORMATS[format]
    entries: dict[str, str] = {}
    if format == "excel":
        book = root / "economy.xlsx"
        with pd.ExcelWriter(book, engine="openpyxl") as writer:
            for name, table in tables.items():
                table.to_excel(writer, sheet_name=name, index=False)
        entries = {"workbook": book.name, **{name: name for name in tables}}
    else:
        for name, table in tables.items():
            file = root / f"{name}{suffix}"
            if format == "csv":
                table.to_csv(file, index=False)
            else:
                table.to_parquet(file, index=False)
            entries[name] = file.name
    manifest: dict[str, object] = {"name": economy.meta.name}
    if economy.meta.base_year is not None:
        manifest["base_year"] = int(economy.meta.base_year)
    if economy.meta.currency:
        manifest["currency"] = economy.meta.currency
    if economy.meta.description:
        manifest["description"] = economy.meta.description
    if gross_output is not None and "labour" in tables:
        manifest["labour"] = {"kind": "flows"}
    manifest["tables"] = entries
    (root / MANIFEST).write_text(tomli_w.dumps(manifest), encoding="utf-8")
    log.info("wrote economy %r to %s (%s)", economy.meta.name, root, format)
    return root


def _tables(economy: Economy, gross_output: pd.Series | None) -> dict[str, pd.DataFrame]:
    products = economy.products.reset_index()[["product", "unit", "description", "group"]]
    tables: dict[str, pd.DataFrame] = {"products": products}
    acts = economy.activity_labels
    if not _is_plain_table(economy):
        life = economy.service_life
        activities = pd.DataFrame(
            {
                "activity": acts,
                "product": economy.activities["product"].to_numpy(),
                "description": economy.activities.get("description", pd.Series("", index=acts))
                .fillna("")
                .to_numpy(),
            }
        )
        if life is not None and not np.isnan(life).all():
            activities["service_life"] = life
        tables["activities"] = activities
    if gross_output is not None:
        tables["transactions"] = _transactions(economy, gross_output)
    else:
        tables["technology"] = _long(economy.technology, economy.product_labels, acts, "input")
    if economy.labour_types.size:
        if gross_output is not None:
            tables["labour"] = _labour_flows(economy, gross_output)
        else:
            labour = _typed(economy.labour, economy.labour_types, acts, "labour_type")
            labour["unit"] = economy.meta.labour_unit
            tables["labour"] = labour
    if economy.resource_types.size:
        tables["resources"] = _typed(economy.resources, economy.resource_types, acts, "resource")
    capacities = _capacities(economy, with_life=_is_plain_table(economy))
    if capacities is not None:
        tables["capacities"] = capacities
    if economy.capital is not None and economy.capital.nnz:
        tables["capital"] = _long(economy.capital, economy.product_labels, acts, "input")
    enterprises = economy.enterprises
    if enterprises is not None and len(enterprises):
        tables["enterprises"] = enterprises.reset_index(drop=True)
    return tables


def _is_plain_table(economy: Economy) -> bool:
    """One activity per product, labelled and ordered like the products, without descriptions.

    Such an economy needs no activities table: the reader rebuilds exactly this one.
    """
    acts = economy.activities
    if economy.n_activities != economy.n_products:
        return False
    if not acts.index.equals(economy.product_labels):
        return False
    if not np.array_equal(
        acts["product"].to_numpy(dtype=object), acts.index.to_numpy(dtype=object)
    ):
        return False
    if "description" in acts.columns:
        described = acts["description"].fillna("").astype(str).str.strip() != ""
        if described.any():
            return False
    return True


def _long(M: sp.csc_array | None, rows: pd.Index, cols: pd.Index, row_col: str) -> pd.DataFrame:
    """Non-zero entries by activity, then input (reads like a recipe).

    An all-zero matrix is written as one explicit zero, so that the table is not empty (the
    reader's ``empty_table`` check refuses tables without rows).
    """
    coo = sp.coo_array(M) if M is not None else sp.coo_array((len(rows), len(cols)))
    order = np.lexsort((coo.row, coo.col))
    r, c, v = coo.row[order], coo.col[order], coo.data[order]
    if r.size == 0 and len(rows) and len(cols):
        r, c, v = np.zeros(1, dtype=int), np.zeros(1, dtype=int), np.zeros(1)
    return pd.DataFrame(
        {row_col: rows.to_numpy()[r], "activity": cols.to_numpy()[c], "coefficient": v}
    )


def _typed(M: sp.csc_array | None, types: pd.Index, cols: pd.Index, type_col: str) -> pd.DataFrame:
    """Labour or resource coefficients by type (in the economy's order), then activity.

    The reader orders types by first appearance, so rows go type by type; a type without any
    non-zero coefficient gets one explicit zero so that it is not lost.
    """
    coo = sp.coo_array(M) if M is not None else sp.coo_array((len(types), len(cols)))
    r, c, v = coo.row, coo.col, coo.data
    present = np.zeros(len(types), dtype=bool)
    present[r] = True
    if len(cols):
        absent = np.flatnonzero(~present)
        r = np.concatenate([r, absent])
        c = np.concatenate([c, np.zeros(absent.size, dtype=c.dtype)])
        v = np.concatenate([v, np.zeros(absent.size)])
    order = np.lexsort((c, r))
    return pd.DataFrame(
        {
            type_col: types.to_numpy()[r[order]],
            "activity": cols.to_numpy()[c[order]],
            "coefficient": v[order],
        }
    )


def _capacities(economy: Economy, *, with_life: bool) -> pd.DataFrame | None:
    cap = np.asarray(economy.capacity, dtype=float)
    life = np.asarray(economy.service_life, dtype=float)
    keep = np.isfinite(cap)
    if with_life:
        keep |= ~np.isnan(life)
    if not keep.any():
        return None
    frame = pd.DataFrame({"activity": economy.activity_labels[keep], "capacity": cap[keep]})
    if with_life and not np.isnan(life).all():
        frame["service_life"] = life[keep]
    return frame


def _transactions(economy: Economy, gross_output: pd.Series) -> pd.DataFrame:
    if not _is_plain_table(economy):
        raise InputError(
            "a transactions table needs one activity per product, labelled like the products"
        )
    x = economy.align_products(gross_output, "gross output")
    Z = (economy.technology @ sp.diags_array(x)).toarray()
    frame = pd.DataFrame(Z, columns=economy.product_labels)
    frame.insert(0, "product", economy.product_labels)
    frame["gross_output"] = x
    return frame


def _labour_flows(economy: Economy, gross_output: pd.Series) -> pd.DataFrame:
    x = economy.align_products(gross_output, "gross output")
    totals = (economy.labour @ sp.diags_array(x)).toarray()
    frame = pd.DataFrame(totals, columns=economy.product_labels)
    frame.insert(0, "labour_type", economy.labour_types)
    return frame
