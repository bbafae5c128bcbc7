"""Small textbook and illustrative examples, loaded by name (as pymrio's ``load_test()``).

>>> from gosplan.datasets import load
>>> eco = load("miller-blair-2x2")
>>> eco.gross_output(pd.Series({"a": 350.0, "b": 1700.0})).round(6).tolist()
[1000.0, 2000.0]

:func:`load` returns an :class:`~gosplan.Economy` for an economy and a
:class:`~gosplan.core.spec.PlanSpec` for a plan; keyword options change what the example
leaves free (capacities, labour, periods, ...). :func:`examples` lists every name with a
one-line description and its source. The bundled scenarios load by name too: ``"ussr-1928"``
is its economy, ``"ussr-1928/<variant>"`` one of its plan variants.

Every example is built through the public constructors (:meth:`Economy.from_coefficients`,
:class:`PlanSpec`) from the literals of :mod:`gosplan.datasets.textbook`, where each number
names its source. This module imports neither a solver nor a plotting or command-line library.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION, Economy, EconomyMeta
from gosplan.core.spec import PlanSpec
from gosplan.datasets import textbook as tb
from gosplan.errors import InputError

__all__ = [
    "Example",
    "examples",
    "feldman",
    "feldman_plan",
    "load",
    "miller_blair_2x2",
    "miller_blair_level_plan",
    "one_product",
    "one_product_plan",
    "steel_cloth",
    "steel_cloth_plan",
    "three_sector",
    "three_sector_plan",
]

Kind = Literal["economy", "plan"]


@dataclass(frozen=True)
class Example:
    """One example: its name, what it builds, a one-line description, its source, a builder."""

    name: str
    kind: Kind
    description: str
    source: str
    build: Callable[..., Economy | PlanSpec]

    def options(self) -> list[str]:
        """Names of the keyword options the builder takes."""
        return [
            p.name
            for p in inspect.signature(self.build).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        ]


def _meta(name: str | None, description: str, source: str) -> EconomyMeta:
    return EconomyMeta(name=name or "economy", description=description, source=source)


def _square(labels: Sequence[str], rows: Sequence[Sequence[float]]) -> pd.DataFrame:
    return pd.DataFrame(np.array(rows, dtype=float), index=list(labels), columns=list(labels))


# ---------------------------------------------------------------------------- economies
def miller_blair_2x2(
    *,
    labour: bool | pd.Series | pd.DataFrame = False,
    groups: bool = False,
    labels: tuple[str, str] = tb.MILLER_BLAIR_2X2.sectors,
    name: str | None = "miller-blair-2x2",
    **tables: Any,
) -> Economy:
    """Miller & Blair's two-sector economy (2009, ch. 2, Table 2.3).

    The coefficients are the book's ``A = [[.15, .25], [.20, .05]]`` (``Z diag(x)^-1``).

    Parameters
    ----------
    labour
        ``False`` (the book's table: no labour), ``True`` (gosplan's illustrative labour
        coefficients ``[.3, .2]``, one labour type ``labour``), or coefficients as
        :meth:`Economy.from_coefficients` takes them.
    groups
        Give ``a`` the unit ``t`` and the group *means of production*, ``b`` the unit ``m``
        and the group *consumer goods* (gosplan's choice; the book's sectors have neither).
    labels
        Labels of the book's sectors 1 and 2.
    name
        Name of the economy.
    **tables
        Passed on to :meth:`Economy.from_coefficients` (``capacity``, ``capital``,
        ``service_life``, ``resources``, ``products``).
    """
    data = tb.MILLER_BLAIR_2X2
    labels = tuple(labels)  # type: ignore[assignment]
    if len(labels) != 2:
        raise InputError(f"labels must name the two sectors; got {labels!r}", check="bad_argument")
    A = _square(labels, data.coefficients)
    lab: pd.Series | pd.DataFrame | None
    if labour is True:
        lab = pd.Series(tb.MILLER_BLAIR_LABOUR, index=list(labels))
    elif labour is False or labour is None:
        lab = None
    else:
        lab = labour
    if groups:
        if "products" in tables:
            raise InputError("give groups=True or products, not both", check="bad_argument")
        tables["products"] = pd.DataFrame(
            {"unit": list(tb.MILLER_BLAIR_UNITS), "group": [MEANS_OF_PRODUCTION, CONSUMER_GOODS]},
            index=list(labels),
        )
    description = "Miller & Blair's two-sector hypothetical economy (ch. 2, Table 2.3)"
    source = data.source + (f"; labour coefficients {tb.GOSPLAN}" if labour is True else "")
    return Economy.from_coefficients(
        A, labour=lab, meta=_meta(name, description, source), name=name, **tables
    )


def steel_cloth(
    *,
    capacity: tuple[float, float] = tb.STEEL_CLOTH["capacity"],
    capital: float = tb.STEEL_CLOTH["capital"],
    coal: bool = True,
    name: str | None = "two-sector",
) -> Economy:
    """Steel (means of production, the capital good) and cloth (consumer goods).

    ``A = [[.2, .3], [0, .1]]``, labour ``[.5, .4]`` (workers), capital ``capital`` units of
    steel per unit of capacity of either sector, service lives 30 and 20 years and, with
    ``coal``, one unit of coal per unit of steel.
    """
    d = tb.STEEL_CLOTH
    products = list(d["products"])
    A = _square(products, d["coefficients"])
    labour = pd.DataFrame([list(d["labour"])], index=["workers"], columns=products)
    groups = pd.DataFrame(
        {"unit": list(d["units"]), "group": [MEANS_OF_PRODUCTION, CONSUMER_GOODS]}, index=products
    )
    resources = pd.DataFrame([list(d["coal"])], index=["coal"], columns=products) if coal else None
    B = pd.DataFrame([[capital, capital], [0.0, 0.0]], index=products, columns=products)
    return Economy.from_coefficients(
        A,
        labour=labour,
        products=groups,
        resources=resources,
        capacity=pd.Series(dict(zip(products, capacity, strict=True))),
        capital=B,
        service_life=pd.Series(dict(zip(products, d["service_life"], strict=True))),
        meta=_meta(name, "steel and cloth: a two-sector plan economy", tb.GOSPLAN),
        name=name,
    )


def feldman(
    *,
    v1: float = tb.FELDMAN["v1"],
    k1: float = tb.FELDMAN["k1"],
    k2: float = tb.FELDMAN["k2"],
    name: str | None = None,
) -> Economy:
    """Feldman's two sectors: ``capital`` goods and ``consumer`` goods, no intermediate inputs.

    Capacity of either sector is built from capital goods at ``v1`` units per unit of
    capacity; ``k1`` and ``k2`` are the sectors' capacities; one unit of labour per unit.
    """
    d = tb.FELDMAN
    labels = list(d["sectors"])
    A = pd.DataFrame(0.0, index=labels, columns=labels)
    capital = pd.DataFrame([[v1, v1], [0.0, 0.0]], index=labels, columns=labels)
    products = pd.DataFrame({"group": [MEANS_OF_PRODUCTION, CONSUMER_GOODS]}, index=labels)
    return Economy.from_coefficients(
        A,
        labour=pd.Series(dict(zip(labels, d["labour"], strict=True))),
        products=products,
        capacity=pd.Series({labels[0]: k1, labels[1]: k2}),
        capital=capital,
        meta=_meta(name, "Feldman's two-sector growth model", f"{tb.FELDMAN_1928}; {tb.GOSPLAN}"),
        name=name,
    )


def three_sector(*, name: str | None = None) -> Economy:
    """Steel, machines and grain with inputs, capital, two labour types, land, service lives."""
    d = tb.THREE_SECTOR
    labels = list(d["products"])
    return Economy.from_coefficients(
        _square(labels, d["coefficients"]),
        labour=pd.DataFrame(
            [list(r) for r in d["labour"]], index=list(d["labour_types"]), columns=labels
        ),
        products=pd.DataFrame(
            {"group": [MEANS_OF_PRODUCTION, MEANS_OF_PRODUCTION, CONSUMER_GOODS]}, index=labels
        ),
        capacity=pd.Series(dict(zip(labels, d["capacity"], strict=True))),
        capital=_square(labels, d["capital"]),
        service_life=pd.Series(dict(zip(labels, d["service_life"], strict=True))),
        resources=pd.DataFrame([list(d["land"])], index=["land"], columns=labels),
        meta=_meta(name, "steel, machines and grain: a three-sector plan economy", tb.GOSPLAN),
        name=name,
    )


def one_product(
    *,
    product: str = "a",
    labour: float = tb.ONE_PRODUCT["labour"],
    capacity: float = np.inf,
    name: str | None = None,
) -> Economy:
    """One product, no inputs, ``labour`` person-years per unit, ``capacity`` units at most."""
    A = pd.DataFrame([[0.0]], index=[product], columns=[product])
    return Economy.from_coefficients(
        A,
        labour=pd.Series({product: labour}),
        capacity=pd.Series({product: capacity}),
        meta=_meta(name, "one product made from labour alone", tb.GOSPLAN),
        name=name,
    )


# -------------------------------------------------------------------------------- plans
def _frame(**cols: object) -> pd.DataFrame:
    return pd.DataFrame(cols)


def miller_blair_level_plan(*, periods: tuple[int, ...] = (1928, 1929)) -> PlanSpec:
    """``max_level`` of the bundle (1, 1) on Miller & Blair's economy with labour.

    570 person-years each period and a target of 1000 for ``a`` in the last period. By hand
    (labour values ``[.325, .245] / .7575``) the level is ``570 * .7575 / .57 = 757.5`` and
    the gross output ``[1200, 1050]``.
    """
    d = tb.MB_LEVEL_PLAN
    eco = miller_blair_2x2(
        labour=True, groups=True, capacity=pd.Series(np.inf, ["a", "b"]), name="mb"
    )
    n = len(periods)
    return PlanSpec(
        economy=eco,
        periods=tuple(periods),
        objective="max_level",
        assortment=_frame(product=["a", "b"], weight=list(d["assortment"])),
        labour_available=_frame(
            labour_type=["labour"] * n, period=list(periods), available=[d["labour_available"]] * n
        ),
        targets=_frame(product=["a"], period=[periods[-1]], target=[d["target_a"]]),
        name="level",
    )


def one_product_plan(
    *, labour: float = tb.ONE_PRODUCT["available"], target: float = tb.ONE_PRODUCT["target"]
) -> PlanSpec:
    """One product (``grain``) at 0.5 person-years a unit: ``labour`` available, ``target`` set.

    With 10 person-years at most 20 units can be made: a target of 30 is reached to 2/3, the
    shortfall is 10 and the smallest addition of labour that meets it is 5 person-years.
    """
    eco = one_product(product="grain", name="one")
    return PlanSpec(
        economy=eco,
        periods=(1,),
        objective="min_labour",
        targets=_frame(product=["grain"], period=[1], target=[target]),
        labour_available=_frame(labour_type=["labour"], period=[1], available=[labour]),
        name="one",
    )


def steel_cloth_plan() -> PlanSpec:
    """Steel and cloth (without coal) over four periods, lag 1: the most cloth.

    Consumption is valued as cloth (the spec's consumption weights).
    """
    return PlanSpec(
        economy=steel_cloth(coal=False),
        periods=(1, 2, 3, 4),
        objective="max_level",
        assortment=_frame(product=["cloth"], weight=[1.0]),
        default_lag=1,
        consumption_weights=pd.Series({"cloth": 1.0}),
        name="feldman",
    )


def feldman_plan(
    *,
    v1: float = tb.FELDMAN["v1"],
    gamma: float = tb.FELDMAN["gamma"],
    periods: int = tb.FELDMAN["periods"],
    k1: float = tb.FELDMAN["k1"],
    k2: float = tb.FELDMAN["k2"],
) -> PlanSpec:
    """Feldman's model as a plan: the most consumption with a share ``gamma`` of investment.

    Periods are ``0 .. periods - 1``; a share ``gamma`` of investment goes to the
    capital-goods sector, labour is ample and nothing depreciates.

    The published answer: capital-goods capacity grows by ``1 + gamma / v1`` a period.
    """
    return PlanSpec(
        feldman(v1=v1, k1=k1, k2=k2),
        periods=tuple(range(periods)),
        objective="max_consumption",
        consumption_weights=pd.Series({"capital": 0.0, "consumer": 1.0}),
        investment_share=gamma,
    )


def three_sector_plan(*, objective: str = "max_level", economy: Economy | None = None) -> PlanSpec:
    """A five-year plan using every feature on :func:`three_sector` (or ``economy``).

    Vintages retiring inside the horizon, a lag of 2, depreciation, stocks, trade, floors,
    fixed final demand, labour and land limits; every product can be carried.
    """
    d = tb.THREE_SECTOR_PLAN
    years = list(d["periods"])
    n = len(years)
    targets = list(zip(*d["targets"], strict=True))
    assortment = list(zip(*d["assortment"], strict=True))
    vintages = list(zip(*d["vintages"], strict=True))
    trade = list(zip(*d["trade"], strict=True))
    fixed = d["fixed_final_demand"]
    return PlanSpec(
        economy=economy if economy is not None else three_sector(),
        periods=tuple(years),
        objective=objective,  # type: ignore[arg-type]
        targets=_frame(product=list(targets[0]), period=list(targets[1]), target=list(targets[2])),
        assortment=_frame(product=list(assortment[0]), weight=list(assortment[1])),
        floors=_frame(product=["grain"] * n, period=years, floor=[d["grain_floor"]] * n),
        labour_available=pd.concat(
            [
                _frame(labour_type="workers", period=years, available=[d["workers"]] * n),
                _frame(labour_type="engineers", period=years, available=[d["engineers"]] * n),
            ],
            ignore_index=True,
        ),
        resources_available=_frame(resource="land", period=years, available=[d["land"]] * n),
        vintages=_frame(
            activity=list(vintages[0]), year_built=list(vintages[1]), capacity=list(vintages[2])
        ),
        lags=_frame(activity=["steel"], lag=[d["steel_lag"]]),
        depreciation=_frame(activity=["grain"], rate=[d["grain_depreciation"]]),
        initial_stocks=_frame(product=["grain"], stock=[d["grain_stock"]]),
        trade=_frame(
            product=list(trade[0]), world_price=list(trade[1]), import_limit=list(trade[2])
        ),
        fixed_final_demand=_frame(product=[fixed[0]], period=[fixed[1]], quantity=[fixed[2]]),
        trade_deficit=d["trade_deficit"],
        storable="all",
        name="rich",
    )


# ----------------------------------------------------------------------------- registry
_MB = tb.MILLER_BLAIR_2X2_SOURCE

#: Every example, by name.
EXAMPLES: dict[str, Example] = {
    e.name: e
    for e in (
        Example(
            "miller-blair-2x2",
            "economy",
            "two-sector economy of Miller & Blair ch. 2 (A = [[.15, .25], [.2, .05]])",
            _MB,
            miller_blair_2x2,
        ),
        Example(
            "miller-blair-level-plan",
            "plan",
            "max_level plan on Miller & Blair's economy with 570 person-years (level 757.5)",
            f"{_MB}; labour and plan {tb.GOSPLAN}",
            miller_blair_level_plan,
        ),
        Example(
            "feldman",
            "economy",
            "Feldman's two sectors: capital goods and consumer goods, capital ratio v1",
            f"{tb.FELDMAN_1928}; parameter values {tb.GOSPLAN}",
            feldman,
        ),
        Example(
            "feldman-plan",
            "plan",
            "Feldman's growth model as a plan: capital-goods capacity grows by 1 + gamma/v1",
            f"{tb.FELDMAN_1928}; parameter values {tb.GOSPLAN}",
            feldman_plan,
        ),
        Example(
            "steel-cloth",
            "economy",
            "steel (the capital good) and cloth, with capacities, capital and service lives",
            tb.GOSPLAN,
            steel_cloth,
        ),
        Example(
            "steel-cloth-plan",
            "plan",
            "four-period max_level plan of cloth on the steel-cloth economy, lag 1",
            tb.GOSPLAN,
            steel_cloth_plan,
        ),
        Example(
            "three-sector",
            "economy",
            "steel, machines and grain with two labour types, land, capital and service lives",
            tb.GOSPLAN,
            three_sector,
        ),
        Example(
            "three-sector-plan",
            "plan",
            "five-year plan on the three-sector economy using every plan feature",
            tb.GOSPLAN,
            three_sector_plan,
        ),
        Example(
            "one-product",
            "economy",
            "one product made from labour alone (0.5 person-years a unit)",
            tb.GOSPLAN,
            one_product,
        ),
        Example(
            "one-product-plan",
            "plan",
            "one product, 10 person-years, a target of 30: met to 2/3, short by 10",
            tb.GOSPLAN,
            one_product_plan,
        ),
    )
}


def _scenario_names() -> list[tuple[str, Kind, str]]:
    """``(name, kind, description)`` of every bundled scenario and its plan variants."""
    from gosplan.datasets import list_scenarios, list_specs

    out: list[tuple[str, Kind, str]] = []
    for scenario in list_scenarios():
        out.append((scenario, "economy", f"economy of the bundled scenario {scenario}"))
        for variant in list_specs(scenario):
            out.append((f"{scenario}/{variant}", "plan", f"plan variant {variant!r} of {scenario}"))
    return out


def _known() -> list[str]:
    return [*EXAMPLES, *(name for name, _, _ in _scenario_names())]


def examples() -> pd.DataFrame:
    """Every name :func:`load` knows, with what it builds, a description and its source.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``name``, columns ``kind`` (``economy`` or ``plan``), ``description``,
        ``source`` and ``options`` (the keyword options of :func:`load`, comma-separated).
    """
    rows = [
        {
            "name": e.name,
            "kind": e.kind,
            "description": e.description,
            "source": e.source,
            "options": ", ".join(e.options()),
        }
        for e in EXAMPLES.values()
    ]
    for name, kind, description in _scenario_names():
        rows.append(
            {
                "name": name,
                "kind": kind,
                "description": description,
                "source": f"bundled scenario: see gosplan/datasets/{name.split('/')[0]}/README.md",
                "options": "",
            }
        )
    return pd.DataFrame(rows).set_index("name")


def load(name: str, /, **options: Any) -> Economy | PlanSpec:
    """Build a bundled example by name.

    Parameters
    ----------
    name
        One of the names :func:`examples` lists: a textbook or illustrative example
        (``"miller-blair-2x2"``, ``"feldman-plan"``, ...), a bundled scenario's economy
        (``"ussr-1928"``) or one of its plan variants (``"ussr-1928/basic"``).
    **options
        The example's keyword options (see its builder in :mod:`gosplan.datasets.examples`);
        scenarios take none.

    Returns
    -------
    Economy or PlanSpec
        An economy for an economy, a validated plan specification for a plan.

    Raises
    ------
    InputError
        ``unknown_example`` for a name not known, listing the known names;
        ``bad_argument`` for an option the example does not take, listing its options.
    """
    example = EXAMPLES.get(name) if isinstance(name, str) else None
    if example is not None:
        try:
            inspect.signature(example.build).bind(**options)
        except TypeError:
            bad = sorted(set(options) - set(example.options()))
            taken = ", ".join(example.options()) or "none"
            raise InputError(
                f"example {name!r} takes no option {', '.join(map(repr, bad)) or '?'}; "
                f"its options: {taken}",
                label=name,
                check="bad_argument",
            ) from None
        return example.build(**options)
    scenarios = {n: kind for n, kind, _ in _scenario_names()}
    if isinstance(name, str) and name in scenarios:
        if options:
            raise InputError(
                f"scenario {name!r} takes no options; got {', '.join(sorted(options))}",
                label=name,
                check="bad_argument",
            )
        return _load_scenario(name)
    raise InputError(
        f"unknown example {name!r}; known examples: {', '.join(_known())}",
        label=str(name),
        check="unknown_example",
    )


def _load_scenario(name: str) -> Economy | PlanSpec:
    from gosplan.datasets import scenario_path, spec_path

    scenario, _, variant = name.partition("/")
    if not variant:
        from gosplan.io import read_economy

        return read_economy(scenario_path(scenario))
    from gosplan.plan.reader import read_spec

    return read_spec(spec_path(scenario, variant))
