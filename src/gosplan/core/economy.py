"""The economy model: an immutable, labelled description of technology and resources.

An :class:`Economy` holds

* **products** (label, unit, description, group such as means of production / consumer goods);
* **activities** (techniques): each activity makes one unit of one product from inputs; a product
  may have several activities. A plain input–output table has one activity per product, labelled
  like the product;
* the **technology** matrix ``A`` (products x activities, sparse): input of product *i* per unit
  of activity *j*. A dense table (at least half its entries nonzero, e.g. from
  :meth:`Economy.from_flows`) is stored as one dense read-only array
  (:attr:`Economy.technology_matrix`, what the solvers use); ``technology`` then builds its
  sparse form on first use;
* **labour** coefficients by labour type and other **primary resources** (types x activities);
* **capacities** per activity (``inf`` where unlimited), **capital** coefficients (products x
  activities: units of product *i* to build one unit of annual capacity of activity *j*) and
  **service lives** of that capacity (years; ``nan`` where not given).

Positions are internal; everything public is labelled with pandas. The object is frozen: every
transformation returns a new economy, and its coefficient arrays (the sparse matrices'
``data``, ``indices`` and ``indptr``, capacities and service lives) are read-only, so a
cached solver can never go stale. The ``products`` and ``activities`` tables are copies made
at construction; change them through a new economy, not in place.

An economy may also carry an **enterprises** table (:mod:`gosplan.core.enterprises`): who runs
each activity, with what share of its capacity. It is checked and copied in at construction
too; a pandas DataFrame cannot be made read-only, so this copy, like the products and
activities tables, is the economy's own only by convention: do not change it in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.errors import InputError, UnknownLabelError

if TYPE_CHECKING:
    from gosplan.balance.solvers import LeontiefSolver, LinearSolution

MEANS_OF_PRODUCTION = "means of production"
CONSUMER_GOODS = "consumer goods"

PRODUCT_COLUMNS = ("unit", "description", "group")


@dataclass(frozen=True)
class EconomyMeta:
    """Descriptive facts about an economy, carried into every result for provenance.

    Attributes
    ----------
    name
        Short name of the economy.
    base_year
        Year the coefficients describe, if known.
    currency
        Unit of value (for value tables), if any.
    description
        Free text.
    source
        Where the data came from (a path, a database, "generated").
    labour_unit
        Unit of the labour coefficients (labour per unit of activity), for labels and messages.
    """

    name: str = "economy"
    base_year: int | None = None
    currency: str | None = None
    description: str = ""
    source: str = ""
    labour_unit: str = "person-years"


#: A dense technology at least this full is stored dense (CSC would cost 12 bytes a nonzero).
DENSE_KEEP = 0.5

_STORED = "_technology_stored"  # the technology as stored: CSC or a dense read-only array
_LAZY_CSC = "_technology_csc"  # the CSC form of a dense technology, built on first use


def _dense_enough(values: np.ndarray) -> bool:
    """A 2-D array at least :data:`DENSE_KEEP` nonzero (stored dense rather than CSC)."""
    return values.ndim == 2 and bool(
        values.size and np.count_nonzero(values) >= DENSE_KEEP * values.size
    )


class _Technology:
    """The ``technology`` field: stored as given (CSC, or a dense array), always read as CSC.

    A dense technology stays one dense array (:attr:`Economy.technology_matrix`); reading
    ``economy.technology`` builds the CSC form once (read-only, like every coefficient array)
    for the code that works on sparse matrices.
    """

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> _Technology: ...

    @overload
    def __get__(self, obj: Economy, objtype: type | None = None) -> sp.csc_array: ...

    def __get__(self, obj: Economy | None, objtype: type | None = None) -> Any:
        if obj is None:
            raise AttributeError("technology")  # no class default: the field is required
        stored = obj.__dict__[_STORED]
        if not isinstance(stored, np.ndarray):
            return stored
        csc = obj.__dict__.get(_LAZY_CSC)
        if csc is None:
            csc = dense_to_csc(stored)
            for part in (csc.data, csc.indices, csc.indptr):
                part.setflags(write=False)
            obj.__dict__[_LAZY_CSC] = csc
        return csc

    def __set__(self, obj: Economy, value: Any) -> None:
        obj.__dict__[_STORED] = value
        obj.__dict__.pop(_LAZY_CSC, None)


def _stored_technology(M: Any, shape: tuple[int, int]) -> sp.csc_array | np.ndarray:
    """The technology as an economy stores it: a dense array if dense enough, else CSC.

    A read-only float64 array is kept as it is, dense (its maker chose dense storage and
    promises not to change it: see ``copy`` of :meth:`Economy.from_flows`); a writeable
    array dense enough is copied, so that the caller's array and the economy's stay apart.
    """
    if isinstance(M, np.ndarray) and M.shape == shape:
        if M.dtype == np.float64 and not M.flags.writeable:
            return M.view()  # its own array object, so that freezing it leaves the caller's be
        if _dense_enough(M):
            return np.array(M, dtype=np.float64, order="K")
    return _sparse(M, shape)


def _sparse(M: Any, shape: tuple[int, int]) -> sp.csc_array:
    out = sp.csc_array(M, shape=shape, dtype=float) if M is not None else sp.csc_array(shape)
    if not (out.data.flags.writeable and out.indices.flags.writeable):
        out = out.copy()  # another economy's read-only arrays: tidy a copy, not them
    out.sum_duplicates()
    out.eliminate_zeros()
    return out


@dataclass(frozen=True, eq=False)
class Economy:
    """An immutable, labelled economy (see the module docstring for the parts).

    Build one with :meth:`from_coefficients`, :meth:`from_flows`, :meth:`from_tables`,
    :meth:`from_pymrio` or :func:`gosplan.read_economy`; the constructor itself takes arrays
    aligned with the label indexes and is meant for readers and generators.

    Attributes
    ----------
    products
        DataFrame indexed by product label (index name ``product``) with columns ``unit``,
        ``description`` and ``group``.
    activities
        DataFrame indexed by activity label (index name ``activity``) with column ``product``
        (the product it makes).
    technology
        Sparse ``(n_products, n_activities)`` input coefficients. A dense table is stored
        dense (see :attr:`technology_matrix`) and this CSC form is built on first use.
    labour_types
        Index of labour types (rows of ``labour``).
    labour
        Sparse ``(n_labour_types, n_activities)`` labour coefficients.
    resource_types
        Index of other primary resources.
    resources
        Sparse ``(n_resources, n_activities)`` coefficients.
    capacity
        Array ``(n_activities,)`` of capacities (``inf`` = not limited).
    capital
        Sparse ``(n_products, n_activities)`` capital coefficients.
    service_life
        Array ``(n_activities,)`` of service lives in years (``nan`` = not given).
    meta
        Name, base year, currency, description and source.
    enterprises
        Optional table of enterprises (columns ``enterprise``, ``activity``, ``capacity``
        and optional ``trust``, ``commissariat``, ``region``, ``director``, ``started``,
        ``labour_factor``; see :mod:`gosplan.core.enterprises`), or ``None``: one
        enterprise per activity. Checked at construction
        (:func:`gosplan.core.economy_checks.check_enterprises`: every problem at once, as
        one :class:`~gosplan.errors.ValidationError`) and stored as a typed copy. A pandas
        frame cannot be frozen: do not change the copy in place. Transformations keep the
        rows of the activities they keep (:meth:`select_techniques`, :meth:`square`),
        relabel them (:meth:`blend_techniques`) or drop the table (aggregation).
    """

    products: pd.DataFrame
    activities: pd.DataFrame
    technology: sp.csc_array = _Technology()  # type: ignore[assignment]
    labour_types: pd.Index = field(default_factory=lambda: pd.Index([], name="labour_type"))
    labour: sp.csc_array | None = None
    resource_types: pd.Index = field(default_factory=lambda: pd.Index([], name="resource"))
    resources: sp.csc_array | None = None
    capacity: np.ndarray | None = None
    capital: sp.csc_array | None = None
    service_life: np.ndarray | None = None
    meta: EconomyMeta = field(default_factory=EconomyMeta)
    enterprises: pd.DataFrame | None = None

    # ------------------------------------------------------------------ construction
    def __post_init__(self) -> None:
        n_p, n_a = len(self.products), len(self.activities)
        products = self.products.copy()
        products.index = pd.Index(products.index, name="product")
        for col in PRODUCT_COLUMNS:
            if col not in products.columns:
                products[col] = ""
        products = products.fillna("")
        activities = self.activities.copy()
        activities.index = pd.Index(activities.index, name="activity")
        if "product" not in activities.columns:
            raise InputError("activities need a 'product' column naming what each one makes")
        unknown = ~activities["product"].astype(object).isin(products.index.astype(object))
        if unknown.any():
            bad = activities.index[unknown][0]
            raise UnknownLabelError(
                f"activity makes product {activities['product'][unknown].iloc[0]!r}, "
                "which is not among the products",
                label=str(bad),
            )
        object.__setattr__(self, "products", products)
        object.__setattr__(self, "activities", activities)
        tech = _stored_technology(self.__dict__[_STORED], (n_p, n_a))
        object.__setattr__(self, "technology", tech)
        lt = pd.Index(self.labour_types, name="labour_type")
        object.__setattr__(self, "labour_types", lt)
        object.__setattr__(self, "labour", _sparse(self.labour, (len(lt), n_a)))
        rt = pd.Index(self.resource_types, name="resource")
        object.__setattr__(self, "resource_types", rt)
        object.__setattr__(self, "resources", _sparse(self.resources, (len(rt), n_a)))
        object.__setattr__(self, "capital", _sparse(self.capital, (n_p, n_a)))
        cap = np.full(n_a, np.inf) if self.capacity is None else np.asarray(self.capacity, float)
        life = (
            np.full(n_a, np.nan)
            if self.service_life is None
            else np.asarray(self.service_life, float)
        )
        for name, arr in (("capacity", cap), ("service_life", life)):
            if arr.shape != (n_a,):
                raise InputError(
                    f"{name} must have one value per activity ({n_a}), got {arr.shape}"
                )
        object.__setattr__(self, "capacity", cap)
        object.__setattr__(self, "service_life", life)
        if self.enterprises is not None:
            object.__setattr__(self, "enterprises", self._checked_enterprises(self.enterprises))
        for matrix in (self.technology_matrix, self.labour, self.resources, self.capital):
            if matrix is not None and not isinstance(matrix, np.ndarray):
                matrix.sum_duplicates()
                matrix.sort_indices()
        self._freeze()

    def _checked_enterprises(self, table: Any) -> pd.DataFrame:
        """A typed copy of an enterprises table; raise if it does not fit this economy."""
        from gosplan.core.checks import Check, Problems
        from gosplan.core.economy_checks import check_enterprises

        if not isinstance(table, pd.DataFrame):
            raise InputError(
                "enterprises must be a pandas DataFrame with columns enterprise, activity and "
                f"capacity (or None), got {type(table).__name__}",
                check=Check.BAD_ARGUMENT,
            )
        if "enterprise" not in table.columns and table.index.name == "enterprise":
            table = table.reset_index()
        problems = Problems()
        checked = check_enterprises(
            table, self.activities.index, np.asarray(self.capacity), problems
        )
        problems.raise_if_any()
        return checked

    def _freeze(self) -> None:
        """Make every coefficient array read-only: a caller cannot change one in place."""
        for arr in (self.capacity, self.service_life):
            if arr is not None:
                arr.setflags(write=False)
        tech = self.technology_matrix
        if isinstance(tech, np.ndarray):
            tech.setflags(write=False)
        for matrix in (tech, self.labour, self.resources, self.capital):
            if matrix is not None and not isinstance(matrix, np.ndarray):
                for part in (matrix.data, matrix.indices, matrix.indptr):
                    part.setflags(write=False)

    def __getstate__(self) -> dict[str, Any]:
        """The value alone, for pickle and copy: caches (a factorised solver) stay behind."""
        state = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "technology"}
        state["technology"] = self.technology_matrix  # a dense technology stays dense
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self._freeze()  # a pickled array comes back writeable

    @classmethod
    def from_coefficients(
        cls,
        A: pd.DataFrame,
        labour: pd.DataFrame | pd.Series | None = None,
        *,
        products: pd.DataFrame | None = None,
        resources: pd.DataFrame | None = None,
        capacity: pd.Series | None = None,
        capital: pd.DataFrame | None = None,
        service_life: pd.Series | None = None,
        meta: EconomyMeta | None = None,
        name: str | None = None,
        validate: bool = True,
        copy: bool = True,
    ) -> Economy:
        """Build a square (one activity per product) economy from a coefficient table.

        Parameters
        ----------
        A
            Square DataFrame: rows are inputs, columns the products using them, both indexed by
            the same product labels (in any order: alignment is by label).
        labour
            Labour coefficients: a Series indexed by product (one labour type, ``"labour"``) or
            a DataFrame with labour types as rows and products as columns.
        products
            Optional product attributes (``unit``, ``description``, ``group``) by label.
        resources
            Optional other primary resources, types as rows and products as columns.
        capacity
            Optional capacity per product.
        capital
            Optional capital coefficients, inputs as rows and products as columns.
        service_life
            Optional service life (years) per product.
        meta
            Descriptive metadata; ``name`` overrides its name.
        name
            Name of the economy.
        validate
            Run the named validation checks (see :mod:`gosplan.io.checks`).
        copy
            ``False``: a dense float64 table in label order is kept as the economy's
            technology **without a copy**; the economy then shares the caller's array
            (read-only through the economy) and the caller must not change it afterwards,
            or the economy (and its cached solver) change with it. ``True`` (the default):
            the economy holds its own copy.

        Returns
        -------
        Economy

        Examples
        --------
        >>> import pandas as pd
        >>> A = pd.DataFrame([[0.15, 0.25], [0.20, 0.05]], index=["a", "b"], columns=["a", "b"])
        >>> eco = Economy.from_coefficients(A, labour=pd.Series({"a": 0.3, "b": 0.2}))
        >>> eco.gross_output(pd.Series({"a": 350.0, "b": 1700.0})).round(6).tolist()
        [1000.0, 2000.0]
        """
        tables = (labour, products, resources, capacity, capital, service_life)
        parts = _square_parts(A, *tables, copy=copy)
        eco = cls(**parts, meta=_meta(meta, name))
        if validate:
            eco.validate()
        return eco

    @classmethod
    def from_flows(
        cls,
        Z: pd.DataFrame,
        gross_output: pd.Series,
        labour: pd.DataFrame | pd.Series | None = None,
        *,
        copy: bool = True,
        **kwargs: Any,
    ) -> Economy:
        """Build a square economy from a transactions (flow) table and gross outputs.

        Coefficients are ``A[i, j] = Z[i, j] / x[j]``; labour given here is in *totals*
        (e.g. person-years by product) and is divided by gross output the same way.

        Parameters
        ----------
        Z
            Square DataFrame of flows, inputs as rows and using products as columns.
        gross_output
            Gross output per product.
        labour
            Labour totals: a Series by product or a DataFrame (labour types x products).
        copy
            ``True`` (the default): ``Z`` is left as it is and the coefficients are a new
            array. ``False``: **the coefficients overwrite the flows in the caller's own
            array** (``Z`` holds ``A`` afterwards: ``Z / x``, in place) and the economy keeps
            that array as its technology, with no copy at all (half the memory of a dense
            table). ``Z`` must then be one float64 array (e.g.
            ``pd.DataFrame(array, copy=False)``) with columns in the order of its rows; the
            caller must not change it while the economy is in use (see
            :attr:`technology_matrix`).
        **kwargs
            Passed on to :meth:`from_coefficients`.

        Returns
        -------
        Economy

        Raises
        ------
        InputError
            If the tables do not fit, a product using inputs has no positive gross output,
            or, with ``copy=False``, ``Z`` cannot be divided in place (``check="bad_argument"``).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> flows = np.array([[150.0, 500.0], [200.0, 100.0]])
        >>> Z = pd.DataFrame(flows, index=["a", "b"], columns=["a", "b"], copy=False)
        >>> x = pd.Series({"a": 1000.0, "b": 2000.0})
        >>> eco = Economy.from_flows(Z, x, copy=False)
        >>> flows.tolist()  # the caller's array now holds the coefficients
        [[0.15, 0.25], [0.2, 0.05]]
        """
        if not isinstance(Z, pd.DataFrame) or not isinstance(gross_output, pd.Series):
            raise InputError(
                "Z must be a pandas DataFrame and gross_output a Series, indexed by product label"
            )
        if Z.shape[0] == 0:
            raise InputError(
                "Z has no products: an economy needs at least one", check="empty_table"
            )
        labels = pd.Index(Z.index)
        _require_same_labels("gross output", pd.Index(gross_output.index), labels)
        x = _float_values(gross_output.reindex(labels), "gross output")
        flows, inv = _divided_flows(Z, labels, x, copy)
        A = pd.DataFrame(flows, index=labels, columns=labels, copy=False)
        lab = None
        if labour is not None:
            lab = (
                labour.reindex(labels) * inv
                if isinstance(labour, pd.Series)
                else labour.loc[:, labels] * inv
            )
        return cls.from_coefficients(A, labour=lab, copy=False, **kwargs)

    @classmethod
    def from_pymrio(cls, io_system: Any, *, labour_extension: str | None = None) -> Economy:
        """Build an economy from a :class:`pymrio.IOSystem` (see :mod:`gosplan.io.pymrio_io`)."""
        from gosplan.io.pymrio_io import economy_from_pymrio

        return economy_from_pymrio(io_system, labour_extension=labour_extension)

    def to_pymrio(self, final_demand: pd.Series | pd.DataFrame | None = None) -> Any:
        """Convert to a :class:`pymrio.IOSystem` (see :mod:`gosplan.io.pymrio_io`)."""
        from gosplan.io.pymrio_io import economy_to_pymrio

        return economy_to_pymrio(self, final_demand=final_demand)

    # ------------------------------------------------------------------ shape and labels
    @property
    def technology_matrix(self) -> sp.csc_array | np.ndarray:
        """The technology as stored: a dense read-only array for a dense table, else CSC.

        What the solvers use (no sparse copy of a dense table is made for them). An economy
        made with ``copy=False`` (:meth:`from_flows`, :meth:`from_coefficients`) shares this
        array with the caller's table.
        """
        stored: sp.csc_array | np.ndarray = self.__dict__[_STORED]
        return stored

    @property
    def n_coefficients(self) -> int:
        """Number of nonzero technical coefficients."""
        tech = self.technology_matrix
        return int(np.count_nonzero(tech) if isinstance(tech, np.ndarray) else tech.nnz)

    @property
    def n_products(self) -> int:
        """Number of products."""
        return len(self.products)

    @property
    def n_activities(self) -> int:
        """Number of activities."""
        return len(self.activities)

    @property
    def product_labels(self) -> pd.Index:
        """Product labels in internal order."""
        return self.products.index

    @property
    def activity_labels(self) -> pd.Index:
        """Activity labels in internal order."""
        return self.activities.index

    @cached_property
    def activity_product(self) -> np.ndarray:
        """Position of the product each activity makes, shape ``(n_activities,)`` (read-only)."""
        made = self.activities["product"]
        if made.array.equals(self.products.index.array):
            pos = np.arange(self.n_products)  # a plain input–output table: no hashing needed
        else:
            pos = self.products.index.get_indexer(made)
        pos.flags.writeable = False
        return pos

    @property
    def output_matrix(self) -> sp.csc_array:
        """Sparse ``(n_products, n_activities)`` matrix: 1 where an activity makes a product."""
        n_a = self.n_activities
        return sp.csc_array(
            (np.ones(n_a), (self.activity_product, np.arange(n_a))),
            shape=(self.n_products, n_a),
        )

    @cached_property
    def is_square(self) -> bool:
        """True when every product has exactly one activity (a plain input–output table)."""
        if self.n_activities != self.n_products:
            return False
        order = np.arange(self.n_products)
        made = self.activity_product
        return bool(np.array_equal(made, order) or np.array_equal(np.sort(made), order))

    def square(self) -> Economy:
        """Return this economy with activities ordered like products (requires one per product).

        Raises
        ------
        InputError
            If some product has no activity or several; choose with :meth:`select_techniques`.
        """
        if not self.is_square:
            counts = pd.Series(self.activity_product).value_counts()
            multi = [self.product_labels[i] for i in counts.index[counts > 1][:5]]
            missing = sorted(set(range(self.n_products)) - set(counts.index))[:5]
            detail = []
            if multi:
                detail.append(f"several techniques for {', '.join(map(repr, multi))}")
            if missing:
                names = ", ".join(repr(self.product_labels[i]) for i in missing)
                detail.append(f"no technique for {names}")
            raise InputError(
                "input–output computations need one technique per product ("
                + "; ".join(detail)
                + "): choose them with economy.select_techniques({product: activity})",
                check="not_square",
            )
        order = np.argsort(self.activity_product, kind="stable")
        if np.array_equal(order, np.arange(self.n_activities)):
            return self
        return self._take_activities(order)

    def select_techniques(self, choice: Mapping[str, str] | None = None) -> Economy:
        """Keep one activity per product, giving a square (input–output) economy.

        Parameters
        ----------
        choice
            Activity to keep for some products; other products keep their first activity.

        Returns
        -------
        Economy
            A square economy whose activities are ordered like its products.
        """
        choice = dict(choice or {})
        unknown = [p for p in choice if p not in self.products.index]
        if unknown:
            raise UnknownLabelError("unknown product in technique choice", label=str(unknown[0]))
        acts = self.activities
        keep: list[int] = []
        for pos, product in enumerate(self.product_labels):
            if product in choice:
                act = choice[product]
                if act not in acts.index or acts.at[act, "product"] != product:
                    raise UnknownLabelError(
                        f"activity {act!r} does not make product {product!r}", label=str(act)
                    )
                keep.append(acts.index.get_loc(act))
            else:
                hits = np.flatnonzero(self.activity_product == pos)
                if hits.size == 0:
                    raise InputError("product has no technique", label=str(product))
                keep.append(int(hits[0]))
        return self._take_activities(np.asarray(keep))

    def blend_techniques(self, levels: pd.Series) -> Economy:
        """One technique per product: each product's activities blended by their levels.

        A product made by several activities (e.g. thermal and hydro electricity) gets one
        column, the average of its activities' coefficients weighted by their levels (the
        observed technology mix). Capacities add up; service lives are level-weighted.
        Products whose activities all have level zero take their first activity.

        Parameters
        ----------
        levels
            Activity levels by activity label (activities not named count as zero).

        Returns
        -------
        Economy
            A square economy with activities labelled and ordered like the products.
        """
        z = align_to_labels(levels, self.activity_labels, "activity levels").astype(float)
        if (z < 0).any():
            raise InputError("activity levels must not be negative", check="negative_value")
        making = self.activity_product
        made = np.bincount(making, weights=z, minlength=self.n_products)
        first = np.full(self.n_products, -1)
        first[making[::-1]] = np.arange(self.n_activities)[::-1]
        if (first < 0).any():
            missing = self.product_labels[first < 0][0]
            raise InputError("product has no technique to blend", label=str(missing))
        idle = made[making] == 0
        weight = np.where(idle, 0.0, z / np.where(made[making] > 0, made[making], 1.0))
        weight[first[made == 0]] = 1.0
        W = sp.csc_array(
            (weight, (np.arange(self.n_activities), making)),
            shape=(self.n_activities, self.n_products),
        )
        assert self.labour is not None and self.resources is not None
        assert self.capital is not None and self.capacity is not None
        assert self.service_life is not None
        life = self.service_life
        blended_life = np.asarray(W.T @ np.nan_to_num(life)).ravel()
        known = np.asarray(W.T @ (~np.isnan(life)).astype(float)).ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            blended_life = np.where(known > 0, blended_life / known, np.nan)
        labels = self.product_labels
        return replace(
            self,
            activities=pd.DataFrame(
                {"product": labels.to_numpy()}, index=pd.Index(labels, name="activity")
            ),
            technology=self.technology @ W,
            labour=self.labour @ W,
            resources=self.resources @ W,
            capital=self.capital @ W,
            capacity=np.bincount(making, weights=self.capacity, minlength=self.n_products),
            service_life=blended_life,
            enterprises=self._blended_enterprises(),
        )

    def _blended_enterprises(self) -> pd.DataFrame | None:
        """The enterprises of :meth:`blend_techniques`: each runs its product's one activity.

        Activities without an enterprise of their own bring their default one (so that a
        product's enterprises still add up to its blended capacity); unlimited ones bring
        none (an unlimited blended capacity takes any finite shares).
        """
        if self.enterprises is None:
            return None
        from gosplan.core.enterprises import enterprises_of

        every = enterprises_of(self)
        every = every[np.isfinite(every["capacity"].to_numpy(dtype=float))]
        columns = list(dict.fromkeys([*self.enterprises.columns, "enterprise", "activity"]))
        made = self.activities["product"].astype(str)
        made.index = self.activities.index.astype(str)
        out = every[columns].copy()
        out["activity"] = made.reindex(out["activity"].astype(str)).to_numpy(dtype=object)
        return out.reset_index(drop=True)

    def _take_activities(self, positions: np.ndarray) -> Economy:
        assert self.labour is not None and self.resources is not None
        assert self.capital is not None and self.capacity is not None
        assert self.service_life is not None
        activities = self.activities.iloc[positions]
        enterprises = self.enterprises
        if enterprises is not None:  # the enterprises of the activities kept
            kept = activities.index.astype(str)
            enterprises = enterprises[enterprises["activity"].isin(kept)]
        return replace(
            self,
            activities=activities,
            technology=self.technology[:, positions],
            labour=self.labour[:, positions],
            resources=self.resources[:, positions],
            capacity=self.capacity[positions],
            capital=self.capital[:, positions],
            service_life=self.service_life[positions],
            enterprises=enterprises,
        )

    # ------------------------------------------------------------------ labelled views
    def coefficients(self) -> pd.DataFrame:
        """Technical coefficients as a dense labelled DataFrame (products x activities)."""
        tech = self.technology_matrix
        dense = np.array(tech) if isinstance(tech, np.ndarray) else tech.toarray()
        return pd.DataFrame(dense, index=self.product_labels, columns=self.activity_labels)

    def labour_coefficients(self) -> pd.DataFrame:
        """Labour coefficients as a dense DataFrame (labour types x activities)."""
        assert self.labour is not None
        return pd.DataFrame(
            self.labour.toarray(), index=self.labour_types, columns=self.activity_labels
        )

    def capacities(self) -> pd.Series:
        """Capacity per activity (``inf`` where not limited)."""
        return pd.Series(self.capacity, index=self.activity_labels, name="capacity")

    def with_meta(self, **changes: Any) -> Economy:
        """Return a copy with some metadata fields changed (``name``, ``source``, ...)."""
        meta = replace(self.meta, **changes)
        return replace(self, technology=self.technology_matrix, meta=meta)

    def validate(self) -> Economy:
        """Run every named validation check; raise one error listing all problems.

        Returns
        -------
        Economy
            ``self``, for chaining.
        """
        from gosplan.core.economy_checks import validate_economy

        validate_economy(self)
        return self

    # ------------------------------------------------------------------ computations
    def align_products(self, values: pd.Series | pd.DataFrame, what: str) -> np.ndarray:
        """Positions-aligned array of a product-labelled Series/DataFrame (missing = 0).

        A table indexed by pymrio's (region, sector) pairs is relabelled for an economy made
        with :meth:`from_pymrio` (:func:`gosplan.io.pymrio_io.to_economy_labels`), so that
        ``eco.gross_output(io.Y.sum(axis=1))`` works as it reads.

        Raises
        ------
        UnknownLabelError
            If ``values`` names a product this economy does not have.
        """
        if isinstance(values.index, pd.MultiIndex) and {"region", "sector"} <= set(
            self.products.columns
        ):
            from gosplan.io.pymrio_io import to_economy_labels

            values = to_economy_labels(values, self)
        return align_to_labels(values, self.product_labels, what)

    def solve(
        self,
        final_demand: pd.Series | pd.DataFrame,
        *,
        method: str = "auto",
        tol: float = 1e-10,
        allow_negative: bool = False,
    ) -> LinearSolution:
        """Solve ``(I - A) x = y`` for one or many final-demand vectors (unlabelled result).

        Parameters
        ----------
        final_demand
            Series by product (products not named get zero), or a DataFrame of vectors.
        method, tol
            As for :meth:`gross_output`.
        allow_negative
            Accept negative final demand (net exports, a fall in stocks); the gross output
            must then still be non-negative.

        Raises
        ------
        InputError
            If the final demand is negative somewhere and ``allow_negative`` is False
            (``check="negative_value"``), or, with ``allow_negative``, if some product
            would need a negative gross output (``check="negative_output"``).
        """
        y = self.align_products(final_demand, "final demand")
        if not isinstance(allow_negative, bool):
            raise InputError(
                f"allow_negative must be True or False, got {allow_negative!r}",
                check="bad_argument",
            )
        if not allow_negative:
            _refuse_negative(y, self.product_labels)
        sol = self.leontief_solver(method=method, tol=tol).solve(y)
        if allow_negative:
            _refuse_negative_output(sol.x, self.product_labels)
        return sol

    def leontief_solver(self, *, method: str = "auto", tol: float = 1e-10) -> LeontiefSolver:
        """The prepared solver of ``(I - A)`` (factorised or analysed once, then cached).

        Gross output, labour values and multipliers of the same economy share it, so a large
        economy is factorised (or split into core and periphery) once.

        Raises
        ------
        InputError
            If some product has no technique or several (see :meth:`square`).
        """
        from gosplan.balance.solvers import LeontiefSolver

        cache: dict[tuple[str, float], LeontiefSolver] = self.__dict__.setdefault("_solvers", {})
        key = (method, tol)
        if key not in cache:
            tech = self.square().technology_matrix  # a dense table: the solver's view of it
            cache[key] = LeontiefSolver(tech, method=method, tol=tol)  # type: ignore[arg-type]
        return cache[key]

    def gross_output(
        self,
        final_demand: pd.Series | pd.DataFrame,
        *,
        method: str = "auto",
        tol: float = 1e-10,
        allow_negative: bool = False,
    ) -> pd.Series | pd.DataFrame:
        """Gross output ``x`` with ``x = A x + y`` for one or many final demands.

        Parameters
        ----------
        final_demand
            Series by product (products not named get zero), or a DataFrame whose columns are
            alternative final-demand vectors.
        method
            Solver (``"auto"``, ``"dense-lu"``, ``"sparse-lu"``, ``"iterative"``).
        tol
            Residual tolerance of iterative methods.
        allow_negative
            Accept negative final demand (net exports, a fall in stocks); the gross output
            must then still be non-negative.

        Returns
        -------
        pandas.Series or pandas.DataFrame
            Labelled gross output; ``.attrs`` holds ``method`` and ``residual``.

        Raises
        ------
        InputError
            Negative final demand without ``allow_negative`` (``check="negative_value"``,
            naming the products), or with it a negative gross output
            (``check="negative_output"``).
        """
        sol = self.solve(final_demand, method=method, tol=tol, allow_negative=allow_negative)
        out = _labelled(sol.x, self.product_labels, final_demand, "gross_output")
        out.attrs.update(method=sol.method, residual=sol.residual, iterations=sol.iterations)
        return out

    def labour_required(
        self, final_demand: pd.Series | pd.DataFrame, *, method: str = "auto"
    ) -> pd.Series | pd.DataFrame:
        """Direct and indirect labour needed for a final demand, by labour type.

        Returns
        -------
        pandas.Series or pandas.DataFrame
            Indexed by labour type (columns = demand vectors when several are given).
        """
        eco = self.square()
        x = eco.solve(final_demand, method=method).x
        assert eco.labour is not None
        req = eco.labour @ x
        return _labelled(req, self.labour_types, final_demand, "labour_required")

    def labour_values(self, *, method: str = "auto", tol: float = 1e-10) -> pd.DataFrame:
        """Full labour content per unit of each product, ``v = v A + l``, by labour type.

        Returns
        -------
        pandas.DataFrame
            Products as rows, labour types as columns (plus ``total`` when several types);
            ``.attrs`` holds ``method`` and ``residual``.
        """
        eco = self.square()
        assert eco.labour is not None
        rhs = eco.labour.toarray().T if eco.labour.shape[0] else np.zeros((self.n_products, 0))
        if rhs.shape[1] == 0:
            raise InputError("the economy has no labour coefficients", check="no_labour")
        sol = self.leontief_solver(method=method, tol=tol).solve(rhs, transpose=True)
        out = pd.DataFrame(sol.x, index=self.product_labels, columns=self.labour_types)
        if out.shape[1] > 1:
            out["total"] = out.sum(axis=1)
        out.attrs.update(method=sol.method, residual=sol.residual, iterations=sol.iterations)
        return out

    def balance_sheet(
        self, final_demand: pd.Series, *, method: str = "auto", allow_negative: bool = False
    ) -> pd.DataFrame:
        """Material balance of every product for a final demand.

        Columns: ``unit``, ``gross_output``, ``intermediate_use``, ``final_use``, ``capacity``,
        ``surplus`` (capacity minus output; ``inf`` where not limited), ``status`` (``ok`` or
        ``deficit``), and ``closure`` (output minus intermediate and final use; ~0).

        Parameters
        ----------
        final_demand
            Final demand by product (products not named get zero).
        method
            As for :meth:`gross_output`.
        allow_negative
            As for :meth:`gross_output`.

        Returns
        -------
        pandas.DataFrame
            One row per product.

        Raises
        ------
        InputError
            As for :meth:`gross_output`, and if ``final_demand`` is not a Series.
        """
        if not isinstance(final_demand, pd.Series):
            raise InputError(
                "balance_sheet takes a single final-demand vector (a pandas Series indexed by "
                f"product), got {type(final_demand).__name__}",
                check="bad_argument",
            )
        eco = self.square()
        y = eco.align_products(final_demand, "final demand")
        if y.ndim != 1:
            raise InputError("balance_sheet takes a single final-demand vector (a Series)")
        x = eco.solve(final_demand, method=method, allow_negative=allow_negative).x
        inter = eco.technology_matrix @ x
        cap = np.asarray(eco.capacity)
        surplus = cap - x
        sheet = pd.DataFrame(
            {
                "unit": self.products["unit"].to_numpy(),
                "gross_output": x,
                "intermediate_use": inter,
                "final_use": y,
                "capacity": cap,
                "surplus": surplus,
            },
            index=self.product_labels,
        )
        sheet["status"] = np.where(surplus < -1e-9 * np.maximum(1.0, np.abs(x)), "deficit", "ok")
        sheet["closure"] = x - inter - y
        return sheet

    def leontief_inverse(self) -> pd.DataFrame:
        """The Leontief inverse ``L = (I - A)^-1`` as a dense labelled DataFrame.

        Only for when the matrix itself is wanted: every other computation solves systems
        without forming it.
        """
        from gosplan.balance.solvers import solve_leontief

        eco = self.square()
        sol = solve_leontief(eco.technology_matrix, np.eye(self.n_products), method="dense-lu")
        return pd.DataFrame(sol.x, index=self.product_labels, columns=self.product_labels)

    def multipliers(self, kind: str = "output", type: str = "I", **kwargs: Any) -> pd.Series:
        """Output, income or employment multipliers (see :mod:`gosplan.balance.multipliers`)."""
        from gosplan.balance.multipliers import multipliers

        return multipliers(self, kind=kind, type=type, **kwargs)

    def linkages(self, **kwargs: Any) -> pd.DataFrame:
        """Backward and forward linkages and key sectors (see :mod:`gosplan.balance.linkages`)."""
        from gosplan.balance.linkages import linkages

        return linkages(self, **kwargs)

    def __repr__(self) -> str:
        return (
            f"Economy({self.meta.name!r}: {self.n_products} products, {self.n_activities} "
            f"activities, {self.n_coefficients} coefficients, "
            f"{len(self.labour_types)} labour types)"
        )


# ---------------------------------------------------------------------- helpers
def _ordered(frame: pd.DataFrame, labels: pd.Index) -> pd.DataFrame:
    """``frame`` with rows and columns in the order of ``labels`` (no copy when they are)."""
    if frame.index.equals(labels) and frame.columns.equals(labels):
        return frame
    return frame.loc[labels, labels]


def align_to_labels(values: pd.Series | pd.DataFrame, labels: pd.Index, what: str) -> np.ndarray:
    """Align a labelled Series/DataFrame to ``labels`` (rows), missing labels as zero.

    Parameters
    ----------
    values
        Series (returns 1-D) or DataFrame (returns 2-D, one column per DataFrame column).
    labels
        The labels to align to.
    what
        What the values are, for the error message.

    Raises
    ------
    UnknownLabelError
        If ``values`` has labels not in ``labels``, or non-numeric / NaN entries.
    """
    if not isinstance(values, pd.Series | pd.DataFrame):
        raise InputError(f"{what} must be a pandas Series or DataFrame indexed by label")
    index = pd.Index(values.index)
    # ``labels`` themselves, in their order (e.g. a vector the economy made): nothing to look
    # up, and the hashing of 10^7 labels for the checks below takes seconds
    same = index.equals(labels)
    if not same:
        unknown = index.difference(labels)
        if len(unknown):
            names = ", ".join(repr(u) for u in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            raise UnknownLabelError(
                f"{what} names unknown labels: {names}{more}", label=str(unknown[0])
            )
        if index.has_duplicates:
            dup = index[index.duplicated()][0]
            raise InputError(f"{what} lists a label twice", label=str(dup), check="duplicate_label")
    try:
        given = values.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} has non-numeric values ({exc})") from exc
    if not np.all(np.isfinite(given)):
        pos = np.argwhere(~np.isfinite(given))[0][0]
        raise InputError(f"{what} has a missing or infinite value", label=str(values.index[pos]))
    if same:
        return np.array(given, dtype=float)
    # Labels not given are zero; the order follows ``labels``.
    return values.reindex(labels).fillna(0.0).to_numpy(dtype=float)


def _names(labels: pd.Index, where: np.ndarray, limit: int = 5) -> str:
    shown = ", ".join(repr(str(labels[i])) for i in where[:limit])
    return shown + (f" and {len(where) - limit} more" if len(where) > limit else "")


def _refuse_negative(y: np.ndarray, labels: pd.Index) -> None:
    """Raise :class:`InputError` if the aligned final demand ``y`` is negative anywhere."""
    rows = np.flatnonzero((y < 0) if y.ndim == 1 else (y < 0).any(axis=1))
    if not rows.size:
        return
    first = rows[0]
    value = float(y[first] if y.ndim == 1 else y[first].min())
    where = "" if y.ndim == 1 else f" (in {int(np.count_nonzero((y < 0).any(axis=0)))} vectors)"
    raise InputError(
        f"final demand is negative for {_names(labels, rows)}{where} (e.g. {value:g} for "
        f"{str(labels[first])!r}): gross output would be computed for a negative use. If the "
        "negative entries are meant (net exports, a fall in stocks), pass "
        "allow_negative=True",
        label=str(labels[first]),
        check="negative_value",
    )


def _refuse_negative_output(x: np.ndarray, labels: pd.Index) -> None:
    """Raise :class:`InputError` if the gross output ``x`` is negative beyond round-off."""
    scale = max(1.0, float(np.max(np.abs(x), initial=0.0)))
    bad = x < -1e-9 * scale
    rows = np.flatnonzero(bad if x.ndim == 1 else bad.any(axis=1))
    if not rows.size:
        return
    first = rows[0]
    value = float(x[first] if x.ndim == 1 else x[first].min())
    raise InputError(
        f"this final demand (negative in places) would need a negative gross output of "
        f"{_names(labels, rows)} (e.g. {value:g} of {str(labels[first])!r}): no plan can "
        "produce less than nothing; lower the negative entries (exports netted against "
        "use) or raise the demand for these products",
        label=str(labels[first]),
        check="negative_output",
    )


def _labelled(
    arr: np.ndarray, index: pd.Index, like: pd.Series | pd.DataFrame, name: str
) -> pd.Series | pd.DataFrame:
    if arr.ndim == 1:
        return pd.Series(arr, index=index, name=name)
    return pd.DataFrame(arr, index=index, columns=like.columns)


def _require_same_labels(what: str, got: pd.Index, labels: pd.Index) -> None:
    if labels.has_duplicates:
        dup = labels[labels.duplicated()][0]
        raise InputError("product label appears twice", label=str(dup), check="duplicate_label")
    missing = labels.difference(got)
    extra = got.difference(labels)
    if len(missing) or len(extra):
        parts = []
        if len(missing):
            parts.append("missing " + ", ".join(map(repr, missing[:5])))
        if len(extra):
            parts.append("unknown " + ", ".join(map(repr, extra[:5])))
        raise UnknownLabelError(
            f"{what} must carry the same product labels as the rows ({'; '.join(parts)})",
            label=str((missing.append(extra))[0]),
        )


def _product_table(labels: pd.Index, products: pd.DataFrame | None) -> pd.DataFrame:
    table = pd.DataFrame(index=pd.Index(labels, name="product"))
    if products is not None:
        unknown = pd.Index(products.index).difference(labels)
        if len(unknown):
            raise UnknownLabelError("product table names an unknown product", label=str(unknown[0]))
        table = table.join(products)
    return table


def dense_to_csc(values: np.ndarray) -> sp.csc_array:
    """A dense matrix as a CSC array, fast for dense tables.

    Above half full, every entry is laid out column by column without a search for the
    nonzeros, and the zeros are then dropped in one compiled pass: for a 10^4-sector table
    this takes about a second where the general conversion takes about ten.

    Examples
    --------
    >>> dense_to_csc(np.array([[1.0, 0.0], [2.0, 3.0]])).toarray().tolist()
    [[1.0, 0.0], [2.0, 3.0]]
    """
    values = np.asarray(values, dtype=float)
    n_rows, n_cols = values.shape
    if values.size == 0 or np.count_nonzero(values) < 0.5 * values.size:
        return sp.csc_array(values)
    index = np.int32 if values.size < 2**31 else np.int64
    data = values.ravel(order="F")  # a view when the input is column-major: copy it then
    if np.shares_memory(data, values):
        data = data.copy()
    out = sp.csc_array(
        (
            data,
            np.tile(np.arange(n_rows, dtype=index), n_cols),
            np.arange(0, values.size + 1, n_rows, dtype=index),
        ),
        shape=(n_rows, n_cols),
    )
    out.eliminate_zeros()
    out.has_sorted_indices = True
    return out


def _divided_flows(
    Z: pd.DataFrame, labels: pd.Index, x: np.ndarray, copy: bool
) -> tuple[np.ndarray, np.ndarray]:
    """``A = Z diag(1/x)`` of :meth:`Economy.from_flows` (read-only) and ``1/x`` (0 where 0).

    With ``copy=False`` the division overwrites ``Z``'s own array (see :func:`_writable_flows`).

    Raises
    ------
    InputError
        If a product using inputs has no positive gross output (``"non_positive_output"``).
    """
    flows = _writable_flows(Z) if not copy else _float_values(_ordered(Z, labels), "flows (Z)")
    bad = np.flatnonzero(~(x > 0) & (flows.sum(axis=0) != 0))
    if bad.size:
        raise InputError(
            "gross output must be positive where a product uses inputs",
            label=str(labels[bad[0]]),
            check="non_positive_output",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(x > 0, 1.0 / x, 0.0)
    if copy:
        flows = flows * inv  # one dense copy: A = Z diag(1/x)
    else:
        np.multiply(flows, inv, out=flows)  # A = Z diag(1/x) in the caller's array
    flows.setflags(write=False)  # the economy keeps it: read-only through its view
    return flows, inv


def _writable_flows(Z: pd.DataFrame) -> np.ndarray:
    """The caller's own float64 array under ``Z``, writeable, for ``from_flows(copy=False)``.

    Raises
    ------
    InputError
        If ``Z``'s columns are not in the order of its rows, or its values are not one
        writeable float64 array (``check="bad_argument"``): then dividing in place is
        impossible, and a silent copy would defeat what ``copy=False`` asks for.
    """
    why = ""
    if not Z.columns.equals(Z.index):
        why = "its columns are not in the order of its rows"
    elif not all(dtype == np.float64 for dtype in Z.dtypes):
        why = "not all its columns are float64"
    if not why:
        flows = _float_values(Z, "flows (Z)")
        first = Z.iloc[:, 0].to_numpy()
        if not np.may_share_memory(flows, first):
            why = "its values are not one array (build it with pd.DataFrame(array, copy=False))"
        else:
            try:
                flows.setflags(write=True)  # pandas hands out read-only views (copy-on-write)
            except ValueError:
                why = "its array is read-only"
    if why:
        raise InputError(
            f"from_flows(copy=False) divides Z by gross output in place, but {why}; use copy=True",
            check="bad_argument",
        )
    return flows


def _float_values(
    values: pd.DataFrame | pd.Series, what: str, *, allow_nan: bool = False
) -> np.ndarray:
    """The values of a labelled table as floats; a cell that is not a number raises.

    A text cell, or a NaN (unless ``allow_nan``), raises :class:`InputError` naming the
    labels of the cell. The NaN test sums the array (a NaN makes the sum NaN), so a large
    dense table is not copied into a mask unless it has a bad cell.
    """
    try:
        arr = values.to_numpy(dtype=float)
    except (TypeError, ValueError):
        coerced = (
            values.apply(pd.to_numeric, errors="coerce")
            if isinstance(values, pd.DataFrame)
            else pd.to_numeric(values, errors="coerce")
        )
        bad = (coerced.isna() & values.notna()).to_numpy()
        _raise_at(values, bad, what, "is not a number")
        raise  # pragma: no cover - a failed conversion always has a bad cell
    if not allow_nan and arr.size and np.isnan(arr.sum()):
        _raise_at(values, np.isnan(arr), what, "is NaN (missing)")
    return arr


def _raise_at(values: pd.DataFrame | pd.Series, bad: np.ndarray, what: str, problem: str) -> None:
    where = np.argwhere(bad)[0]
    if isinstance(values, pd.DataFrame):
        row, col = values.index[where[0]], values.columns[where[1]]
        cell, place, label = values.iloc[where[0], where[1]], f"row {row!r}, column {col!r}", col
    else:
        label = values.index[where[0]]
        cell, place = values.iloc[where[0]], f"{label!r}"
    shown = f" ({cell!r})" if isinstance(cell, str) else ""
    raise InputError(f"{what}, {place}, {problem}{shown}", label=str(label), check="non_numeric")


_ARGUMENT_SHAPES = {
    "series": "a pandas Series indexed by product (or a 1-D array of {n} numbers in the order "
    "of A's rows)",
    "types": "a pandas Series indexed by product (one type) or a DataFrame with types as rows "
    "and products as columns (or a 1-D array of {n} numbers in the order of A's rows)",
    "square": "a pandas DataFrame with inputs as rows and products as columns (or an {n} x {n} "
    "array in the order of A's rows)",
}


def _argument_table(values: Any, labels: pd.Index, what: str, kind: str) -> Any:
    """Check an optional table argument of :meth:`Economy.from_coefficients`.

    Parameters
    ----------
    values
        The argument: ``None``, a pandas object, or a numpy array in the order of ``labels``.
    labels
        The product labels (A's rows).
    what
        The argument's name, for the message.
    kind
        ``"series"`` (one number per product), ``"types"`` (a Series, or types x products)
        or ``"square"`` (products x products).

    Returns
    -------
    None, pandas.Series or pandas.DataFrame
        A numpy array is labelled with ``labels``; pandas objects and ``None`` pass through
        (their cells are checked for numbers where they are read).

    Raises
    ------
    InputError
        If ``values`` is anything else, or an array of the wrong shape
        (``check="bad_argument"``).
    """
    if values is None:
        return None
    n = len(labels)
    if kind == "square":
        if isinstance(values, pd.DataFrame):
            return values
    elif isinstance(values, pd.Series) or (kind == "types" and isinstance(values, pd.DataFrame)):
        return values
    if isinstance(values, np.ndarray):
        if kind == "square" and values.shape == (n, n):
            return pd.DataFrame(values, index=labels, columns=labels)
        if kind != "square" and values.shape == (n,):
            return pd.Series(values, index=labels)
    shown = repr(values)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    got = (
        f"an array of shape {values.shape}"
        if isinstance(values, np.ndarray)
        else (f"{type(values).__name__} {shown}")
    )
    raise InputError(
        f"{what} must be {_ARGUMENT_SHAPES[kind].format(n=n)}, got {got}", check="bad_argument"
    )


def _type_rows(
    values: pd.DataFrame | pd.Series | None, labels: pd.Index, what: str
) -> tuple[pd.Index, sp.csc_array | None]:
    if values is None:
        return pd.Index([]), None
    frame = values.to_frame(what).T if isinstance(values, pd.Series) else values
    if isinstance(values, pd.Series) and what == "labour":
        frame.index = pd.Index(["labour"])
    unknown = pd.Index(frame.columns).difference(labels)
    if len(unknown):
        raise UnknownLabelError(f"{what} names an unknown product", label=str(unknown[0]))
    _float_values(frame, what)
    dense = frame.reindex(columns=labels).fillna(0.0).to_numpy(dtype=float)
    return pd.Index(frame.index), sp.csc_array(dense)


def _per_label(values: pd.Series | None, labels: pd.Index, what: str, default: float) -> np.ndarray:
    if values is None:
        return np.full(len(labels), default)
    unknown = pd.Index(values.index).difference(labels)
    if len(unknown):
        raise UnknownLabelError(f"{what} names an unknown product", label=str(unknown[0]))
    _float_values(values, what, allow_nan=what == "service_life")
    return values.reindex(labels).fillna(default).to_numpy(dtype=float)


def _square_frame(values: pd.DataFrame | None, labels: pd.Index, what: str) -> sp.csc_array | None:
    if values is None:
        return None
    for axis in (values.index, values.columns):
        unknown = pd.Index(axis).difference(labels)
        if len(unknown):
            raise UnknownLabelError(f"{what} names an unknown product", label=str(unknown[0]))
    _float_values(values, what)
    return sp.csc_array(values.reindex(index=labels, columns=labels).fillna(0.0).to_numpy(float))


def _technology_values(values: np.ndarray, copy: bool) -> np.ndarray | sp.csc_array:
    """A dense table as a read-only float64 array (copied unless ``copy=False``), else CSC."""
    if not _dense_enough(values):
        return dense_to_csc(values)
    if copy:
        values = np.array(values, dtype=np.float64, order="K")
    elif values.dtype != np.float64:
        values = values.astype(np.float64)
    values.setflags(write=False)  # kept by the economy as it is
    return values


def _meta(meta: EconomyMeta | None, name: str | None) -> EconomyMeta:
    meta = meta or EconomyMeta()
    return replace(meta, name=name) if name is not None else meta


def _square_parts(
    A: pd.DataFrame,
    labour: pd.DataFrame | pd.Series | None,
    products: pd.DataFrame | None,
    resources: pd.DataFrame | None,
    capacity: pd.Series | None,
    capital: pd.DataFrame | None,
    service_life: pd.Series | None,
    *,
    copy: bool = True,
) -> dict[str, Any]:
    """Every field but ``meta`` of a square economy, checked and ordered by ``A``'s labels.

    The arguments are those of :meth:`Economy.from_coefficients`. A dense ``A`` comes back
    as a read-only float64 array (the caller's own with ``copy=False``), a sparse one as CSC.

    Raises
    ------
    InputError
        When ``A`` is not a DataFrame, has no products or its columns are not its rows'
        labels, or another table does not fit them.
    """
    if not isinstance(A, pd.DataFrame):
        raise InputError("A must be a pandas DataFrame indexed by product label")
    if A.shape[0] == 0:
        raise InputError("A has no products: an economy needs at least one", check="empty_table")
    labels = pd.Index(A.index)
    _require_same_labels("A's columns", pd.Index(A.columns), labels)
    labour = _argument_table(labour, labels, "labour", "types")
    resources = _argument_table(resources, labels, "resources", "types")
    capacity = _argument_table(capacity, labels, "capacity", "series")
    service_life = _argument_table(service_life, labels, "service_life", "series")
    capital = _argument_table(capital, labels, "capital", "square")
    A = _ordered(A, labels)
    prods = _product_table(labels, products)
    acts = pd.DataFrame({"product": labels}, index=pd.Index(labels, name="activity"))
    lab_types, lab = _type_rows(labour, labels, "labour")
    res_types, res = _type_rows(resources, labels, "resources")
    return {
        "products": prods,
        "activities": acts,
        "technology": _technology_values(_float_values(A, "technical coefficients (A)"), copy),
        "labour_types": lab_types,
        "labour": lab,
        "resource_types": res_types,
        "resources": res,
        "capacity": _per_label(capacity, labels, "capacity", np.inf),
        "capital": _square_frame(capital, labels, "capital"),
        "service_life": _per_label(service_life, labels, "service_life", np.nan),
    }
