"""The result of an ensemble: many simulated runs of the economy under policy variants.

Made by :func:`gosplan.run.ensemble.ensemble`; this module imports no solver, no Dask and no
xarray at import time (:meth:`EnsembleResult.to_xarray` imports xarray when called), so a
report or the command line reads an ensemble back (:meth:`EnsembleResult.read`) as the same
type.

The runs are one long table, a row per variant, run, step and product, with the run's seed
and every quantity the ensemble kept (``output``, ``unmet_final``...); ``variant`` and
``product`` are pandas categoricals. Run ``r`` of every variant was drawn with the same seed,
so the variants are compared on the same draws (:meth:`EnsembleResult.compare`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from gosplan.core.checks import Check
from gosplan.core.control_figures import label_column
from gosplan.core.serial import (
    TabledResult,
    finite,
)
from gosplan.errors import InputError

if TYPE_CHECKING:
    import xarray as xr

#: ``kind`` of an ensemble on disk, and the files of its folder.
ENSEMBLE_KIND = "ensemble"
ENSEMBLE_META = "ensemble.json"
ENSEMBLE_TABLES = ("runs", "variants")
_NEEDS = "an ensemble needs"
#: The key columns of :attr:`EnsembleResult.runs`, before the quantities.
KEY_COLUMNS = ("variant", "run", "seed", "product", "step")
#: The dimensions of :meth:`EnsembleResult.to_xarray`, in order.
DIMS = ("variant", "run", "step", "product")
#: Quantiles of :meth:`EnsembleResult.quantiles` by default: the 5-95 % and 25-75 % bands.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
_LABELS = ("variant", "product")
_INTEGERS = ("run", "seed", "step")


def quantile_name(q: float) -> str:
    """The column of quantile ``q`` in :meth:`EnsembleResult.quantiles`: ``0.05 -> "p5"``."""
    return f"p{100.0 * float(q):g}"


def tidy_runs(
    frame: pd.DataFrame, quantities: Sequence[str] | None = None, source: str = "ensemble"
) -> pd.DataFrame:
    """The runs table in its canonical form.

    The key columns (:data:`KEY_COLUMNS`) then ``quantities`` (default: every other column),
    labels as categoricals of text, ``run``, ``seed`` and ``step`` as integers, quantities as
    floats.

    Raises
    ------
    InputError
        If a column is missing (check ``missing_column``) or a number cell holds text
        (check ``non_numeric``).
    """
    if quantities is None:
        quantities = [str(c) for c in frame.columns if c not in KEY_COLUMNS]
    columns = (*KEY_COLUMNS, *quantities)
    if not len(frame.columns) and not len(frame):
        frame = pd.DataFrame({c: [] for c in columns})
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"the runs table needs the column {missing[0]!r}",
            source=source,
            check=Check.MISSING_COLUMN,
        )
    out: dict[str, Any] = {}
    for col in columns:
        values = frame[col]
        if col in _LABELS:
            out[col] = label_column(values)
            continue
        if values.dtype == object:
            values = values.replace({"inf": np.inf, "-inf": -np.inf})
        numbers = pd.to_numeric(values, errors="coerce")
        if bool((numbers.isna() & values.notna()).any()) or (
            col in _INTEGERS and bool(numbers.isna().any())
        ):
            raise InputError(
                f"the runs table's {col!r} column must hold numbers",
                source=source,
                check=Check.NON_NUMERIC,
            )
        out[col] = np.asarray(numbers, dtype=np.int64 if col in _INTEGERS else float)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


@dataclass(frozen=True, eq=False)
class EnsembleResult(TabledResult):
    """Monte Carlo runs of a simulation under named policy variants.

    Attributes
    ----------
    runs
        The long table: columns ``variant, run, seed, product, step`` and the quantities
        (:attr:`quantities`: ``output``, ``unmet_final``..., as the simulation's ``products``
        table has them), a row per variant, run, step and product.
    variants
        A row per variant: ``variant`` and the simulation options it sets (numbers and text
        as they are; tables and other values as JSON text).
    quantities
        The quantity columns of :attr:`runs`, in order.
    provenance
        What produced the ensemble (economy or spec, runs, seed, engine, version).

    Every field round-trips: :meth:`to_dict` / :meth:`from_dict` and :meth:`write` /
    :meth:`read` (a folder of tables with ``ensemble.json`` in CSV or long-form Parquet, or
    one JSON file).
    """

    META_FILE: ClassVar[str] = ENSEMBLE_META
    TABLE_NAMES: ClassVar[tuple[str, ...] | None] = ENSEMBLE_TABLES
    NEEDS: ClassVar[str | None] = _NEEDS
    SOURCE: ClassVar[str] = "ensemble"
    LABELS: ClassVar[tuple[str, ...]] = _LABELS
    WRITE_FORMAT: ClassVar[str] = "parquet"

    runs: pd.DataFrame
    variants: pd.DataFrame
    quantities: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ shape
    @property
    def variant_names(self) -> list[str]:
        """The variants, in the order of :attr:`variants` (then any others of :attr:`runs`)."""
        names = [str(v) for v in self.variants.get("variant", pd.Series(dtype=object))]
        names += [str(v) for v in self.runs["variant"].unique() if str(v) not in names]
        return names

    @property
    def run_numbers(self) -> np.ndarray:
        """The run numbers (sorted)."""
        return np.unique(self.runs["run"].to_numpy(dtype=np.int64))

    @property
    def steps(self) -> int:
        """The number of steps of the longest run."""
        step = self.runs["step"].to_numpy()
        return int(step.max()) + 1 if len(step) else 0

    @property
    def products(self) -> pd.Index:
        """The product labels, in the order of the simulation."""
        column = self.runs["product"]
        cats = column.cat.categories if isinstance(column.dtype, pd.CategoricalDtype) else None
        return pd.Index(cats if cats is not None else column.unique()).astype(str)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The two tables by name (``runs``, ``variants``)."""
        return {"runs": self.runs, "variants": self.variants}

    def cube(self, column: str = "output") -> np.ndarray:
        """One quantity as an array of shape (variants, runs, steps, products).

        Cells no run filled (a variant with fewer steps) are NaN.

        Raises
        ------
        InputError
            If ``column`` is not a quantity of the ensemble (check ``unknown_label``).
        """
        self._require(column)
        variants, runs, products = self.variant_names, self.run_numbers, self.products
        v = pd.Index(variants).get_indexer(self.runs["variant"].astype(str))
        r = np.searchsorted(runs, self.runs["run"].to_numpy(dtype=np.int64))
        s = self.runs["step"].to_numpy(dtype=np.int64)
        p = products.get_indexer(self.runs["product"].astype(str))
        out = np.full((len(variants), len(runs), self.steps, len(products)), np.nan)
        out[v, r, s, p] = self.runs[column].to_numpy(dtype=float)
        return out

    def _require(self, column: str) -> None:
        if column not in self.quantities:
            raise InputError(
                f"the ensemble kept no quantity {column!r}; it has "
                f"{', '.join(self.quantities) or 'none'}",
                source="ensemble",
                label=column,
                check=Check.UNKNOWN_LABEL,
            )

    # ------------------------------------------------------------------ summaries
    def quantiles(self, column: str = "output", q: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """Quantiles over the runs of one quantity, by variant, product and step.

        Parameters
        ----------
        column
            A quantity of the ensemble (:attr:`quantities`).
        q
            The quantiles, each in ``[0, 1]`` (default 5, 25, 50, 75 and 95 %).

        Returns
        -------
        pandas.DataFrame
            Columns ``variant, product, step`` and one column per quantile (``p5``, ``p25``,
            ``p50``...: :func:`quantile_name`), sorted by variant, product and step.

        Raises
        ------
        InputError
            An unknown quantity, or a quantile outside ``[0, 1]`` (check ``out_of_range``).
        """
        qs = [float(x) for x in q]
        if not qs or any(not 0.0 <= x <= 1.0 for x in qs):  # NaN fails too
            raise InputError(
                f"quantiles must be numbers in [0, 1], not {list(q)!r}",
                source="quantiles",
                check=Check.OUT_OF_RANGE,
            )
        cube = self.cube(column)
        V, _, S, P = cube.shape
        if cube.size:
            with np.errstate(all="ignore"):
                values = np.nanquantile(cube, qs, axis=1)  # (q, variant, step, product)
        else:
            values = np.full((len(qs), V, S, P), np.nan)
        values = values.transpose(0, 1, 3, 2).reshape(len(qs), -1)  # variant, product, step
        variants, products = self.variant_names, self.products
        out: dict[str, Any] = {
            "variant": pd.Categorical.from_codes(np.repeat(np.arange(V), P * S), variants),
            "product": pd.Categorical.from_codes(np.tile(np.repeat(np.arange(P), S), V), products),
            "step": np.tile(np.arange(S, dtype=np.int64), V * P),
        }
        for k, x in enumerate(qs):
            out[quantile_name(x)] = values[k]
        return pd.DataFrame(out)

    def totals(self, column: str = "unmet_final", weights: pd.Series | None = None) -> pd.DataFrame:
        """One quantity summed over products and steps: a row per variant and run.

        ``weights`` (a value per unit by product, e.g. labour values; products not named
        count 0) adds up products in unlike units; without it the plain sum.
        """
        self._require(column)
        frame = self.runs[["variant", "run", "seed", column]].assign(
            variant=self.runs["variant"].astype(str)
        )
        if weights is not None:
            w = weights.reindex(self.runs["product"].astype(str)).fillna(0.0).to_numpy(float)
            frame[column] = frame[column].to_numpy(float) * w
        total = frame.groupby(["variant", "run", "seed"], sort=False)[column].sum()
        out = total.rename("total").reset_index()
        order = pd.Categorical(out["variant"], categories=self.variant_names)
        out["variant"] = order
        return out.sort_values(["variant", "run"], kind="stable").reset_index(drop=True)

    def compare(
        self,
        column: str = "unmet_final",
        baseline: str | None = None,
        weights: pd.Series | None = None,
    ) -> pd.DataFrame:
        """The policies compared on one quantity's total over each run (products and steps).

        Parameters
        ----------
        column
            A quantity of the ensemble (default ``unmet_final``: final demand not met).
        baseline
            A variant to set the others against: adds ``mean_difference``, the mean over the
            runs of (this variant's total - the baseline's total) on the same seed.
        weights
            A value per unit by product to add products up by (see :meth:`totals`).

        Returns
        -------
        pandas.DataFrame
            A row per variant: ``variant, runs, mean, std, median, p5, p95, min, max`` (and
            ``mean_difference``).

        Raises
        ------
        InputError
            An unknown quantity, or a baseline that is no variant.
        """
        totals = self.totals(column, weights)
        grouped = totals.groupby("variant", observed=True, sort=True)["total"]
        out = pd.DataFrame(
            {
                "runs": grouped.size(),
                "mean": grouped.mean(),
                "std": grouped.std(ddof=1),
                "median": grouped.median(),
                "p5": grouped.quantile(0.05),
                "p95": grouped.quantile(0.95),
                "min": grouped.min(),
                "max": grouped.max(),
            }
        )
        out.index = pd.Index([str(v) for v in out.index], name="variant")
        if baseline is not None:
            out["mean_difference"] = self._paired(totals, baseline).reindex(out.index)
        return out.reset_index()

    def _paired(self, totals: pd.DataFrame, baseline: str) -> pd.Series:
        if baseline not in self.variant_names:
            raise InputError(
                f"the baseline is no variant of the ensemble; variants: "
                f"{', '.join(self.variant_names)}",
                source="compare",
                label=baseline,
                check=Check.UNKNOWN_LABEL,
            )
        wide = totals.pivot(index="run", columns="variant", values="total")
        wide.columns = [str(c) for c in wide.columns]
        return (wide.sub(wide[baseline], axis=0)).mean(axis=0)

    def to_xarray(self) -> xr.Dataset:
        """The ensemble as an :class:`xarray.Dataset` with dims (variant, run, step, product).

        A data variable per quantity; ``seed`` is a coordinate on (variant, run). The
        provenance is the attribute ``provenance`` (strict-JSON text).
        """
        import xarray as xr

        from gosplan.core.serial import strict_json

        variants, runs = self.variant_names, self.run_numbers
        seeds = np.zeros((len(variants), len(runs)), dtype=np.int64)
        keys = self.runs[["variant", "run", "seed"]].drop_duplicates(["variant", "run"])
        v = pd.Index(variants).get_indexer(keys["variant"].astype(str))
        seeds[v, np.searchsorted(runs, keys["run"].to_numpy(np.int64))] = keys["seed"]
        coords = {
            "variant": variants,
            "run": runs,
            "step": np.arange(self.steps, dtype=np.int64),
            "product": list(self.products),
            "seed": (("variant", "run"), seeds),
        }
        data = {name: (DIMS, self.cube(name)) for name in self.quantities}
        attrs = {"kind": ENSEMBLE_KIND, "provenance": strict_json(self.provenance)}
        return xr.Dataset(data, coords=coords, attrs=attrs)

    # ------------------------------------------------------------------ files
    def _meta(self) -> dict[str, Any]:
        return finite(
            {
                "kind": ENSEMBLE_KIND,
                "quantities": list(self.quantities),
                "variant_names": self.variant_names,
                "provenance": self.provenance,
            }
        )

    @classmethod
    def _check_meta(cls, meta: dict[str, Any], source: str) -> None:
        _check_kind(meta, source)

    @classmethod
    def _from_tables(
        cls, meta: dict[str, Any], frames: dict[str, pd.DataFrame], source: str
    ) -> EnsembleResult:
        _check_kind(meta, source)
        quantities = tuple(str(q) for q in meta["quantities"])
        runs = tidy_runs(frames["runs"], quantities, source)
        variants = frames["variants"]
        if "variant" not in variants.columns:
            variants = pd.DataFrame({"variant": list(meta.get("variant_names") or [])})
        variants = variants.assign(variant=variants["variant"].astype(str))
        return cls(
            runs=runs,
            variants=variants.reset_index(drop=True),
            quantities=quantities,
            provenance=dict(meta.get("provenance") or {}),
        )


def _check_kind(meta: dict[str, Any], source: str) -> None:
    kind = meta.get("kind")
    if kind is not None and kind != ENSEMBLE_KIND:
        raise InputError(
            f"not an ensemble: the file holds a {kind!r}", source=source, check=Check.BAD_ARGUMENT
        )
    if "quantities" not in meta:
        raise InputError("not an ensemble written by gosplan: no 'quantities'", source=source)
