"""Ensembles: Monte Carlo runs of the simulation under policy variants, on Dask.

:func:`ensemble` runs :func:`gosplan.run.simulate.simulate` ``runs`` times for every variant
(a rationing rule, a re-planning policy, a counter-plan acceptance...: any keyword arguments
of ``simulate``). One run is::

    simulate(model, *args, seed=run_seed, **{**common, **variation})

with ``args`` empty for an :class:`~gosplan.core.economy.Economy` and ``(result,)`` for a
:class:`~gosplan.core.spec.PlanSpec` and its plan. Run ``r`` of every variant gets the same
seed (child ``r`` of ``numpy.random.SeedSequence(seed)``), so the variants are compared on
the same draws. A variation's keys win over the common ones.

The engine (:func:`gosplan.engine.map_tasks`, also used by
:func:`gosplan.plan.frontier.frontier`) runs one task per item on a ``distributed`` cluster
(a :class:`distributed.LocalCluster` of worker processes started for the call by default, an
existing scheduler by its address, or a :class:`distributed.Client` the caller holds). What
every task shares (the economy or spec, its plan, the common arguments) is scattered once to
every worker; only the variation and the seed travel with a task, and each task sends back
only what the ensemble keeps: per product and step, the numeric columns of the simulation's
``products`` table as numpy arrays. ``serial=True`` runs the same tasks in this process, in
order: the reference that the Dask runs equal number for number.

An error in a task (an :class:`~gosplan.errors.InputError` from ``simulate``: an unknown
rationing rule, a bad shock) is raised here as it was raised there, with its message.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gosplan.core.checks import Check
from gosplan.core.economy import Economy
from gosplan.core.ensemble_result import KEY_COLUMNS, EnsembleResult
from gosplan.core.provenance import provenance
from gosplan.core.serial import finite
from gosplan.core.spec import PlanSpec
from gosplan.core.status import Status
from gosplan.engine import Progress, map_tasks
from gosplan.errors import InputError
from gosplan.run.simulate import simulate

if TYPE_CHECKING:
    from distributed import Client

    from gosplan.core.plan_result import PlanResult
    from gosplan.core.simulation_result import SimulationResult

#: Keys a variation may not set: the ensemble draws the seed, and the model is shared.
RESERVED = ("seed", "economy", "spec", "result")
_SOURCE = "variations"


# ---------------------------------------------------------------------------- ensemble
@dataclass(frozen=True)
class _Task:
    """One run: its variant, run number, seed and the variation's keyword arguments."""

    variant: str
    run: int
    seed: int
    variation: dict[str, Any]


@dataclass(frozen=True)
class _Run:
    """What one run sends back: the product labels and a (steps, products) array per quantity."""

    products: tuple[str, ...]
    values: dict[str, np.ndarray]


def ensemble(
    model: Economy | PlanSpec,
    variations: Mapping[str, Mapping[str, Any]] | pd.DataFrame,
    *,
    runs: int,
    result: PlanResult | None = None,
    client: Client | str | None = None,
    workers: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    serial: bool = False,
    quantities: Sequence[str] | None = None,
    **common: Any,
) -> EnsembleResult:
    """Run the simulation ``runs`` times under every variant (see the module).

    Parameters
    ----------
    model
        An economy (``final_demand``, ``steps``... then go in ``common``) or a plan spec.
    variations
        The policy variants: name -> keyword arguments of ``simulate`` (e.g.
        ``{"proportional": {"rationing": "proportional"}, "priority": {"rationing":
        "priority", "classes": table}}``), or a table with a column ``variant`` (or the
        names as its index) and a column per argument (empty cells: not set).
    runs
        Monte Carlo runs per variant; run ``r`` of every variant gets the same seed.
    result
        The plan of a spec (default: the spec optimised here, once). Not for an economy.
    client, workers
        A :class:`distributed.Client`, a scheduler address, or ``None``: a local cluster of
        ``workers`` processes (default 2) for this call (see :func:`dask_client`).
    seed
        The root of the runs' seeds (:class:`numpy.random.SeedSequence`).
    progress
        Called as ``progress(done, total, message)`` after each run.
    serial
        Run in this process without Dask (the reference of the Dask runs).
    quantities
        The numeric columns of the simulation's ``products`` table to keep (default: all).
    **common
        Keyword arguments of ``simulate`` shared by every run (scattered once).

    Returns
    -------
    EnsembleResult
        The runs in long form, the variants, the provenance.

    Raises
    ------
    InputError
        Bad ``runs``, ``workers`` or variations (no variant, an unknown or reserved
        argument), a spec whose plan is not optimal, or any error of ``simulate`` in a run
        (as it was raised, with its message).
    """
    start = time.perf_counter()
    table = variation_table(variations)
    n_runs = _runs(runs)
    args = _model_args(model, result)
    _check_keys(model, table, common)
    seeds = run_seeds(seed, n_runs)
    tasks = [_Task(name, r, seeds[r], dict(v)) for name, v in table.items() for r in range(n_runs)]
    seeded = takes_seed(model)
    shared: dict[str, Any] = {"model": model, "args": args, "common": dict(common)}
    shared.update(keep=quantities, seeded=seeded)
    done = map_tasks(
        _simulate_run,
        tasks,
        shared,
        client=client,
        workers=workers,
        serial=serial,
        progress=progress,
        describe=lambda t: f"{t.variant} run {t.run + 1}/{n_runs}",
    )
    frame, kept = _long_table(tasks, done)
    prov = _provenance(model, table, common, n_runs, seed, seeded=seeded, serial=serial)
    prov["seconds"] = round(time.perf_counter() - start, 3)
    return EnsembleResult(frame, variants_frame(table), kept, prov)


def _provenance(
    model: Economy | PlanSpec,
    table: Mapping[str, Any],
    common: Mapping[str, Any],
    runs: int,
    seed: int,
    *,
    seeded: bool,
    serial: bool,
) -> dict[str, Any]:
    """What produced an ensemble: the model, the runs and their seeds, the engine."""
    eco = model.economy if isinstance(model, PlanSpec) else model
    return provenance(
        model if isinstance(model, PlanSpec) else None,
        economy=eco.meta.name,
        economy_source=eco.meta.source,
        model="input-output simulation ensemble",
        runs=runs,
        variants=list(table),
        seed=int(seed),
        seeds_from="numpy.random.SeedSequence(seed).spawn(runs)",
        seeded=seeded,
        engine="serial" if serial else "dask",
        common=plain_options(common),
    )


def _simulate_run(
    task: _Task,
    *,
    model: Any,
    args: tuple[Any, ...],
    common: dict[str, Any],
    keep: Sequence[str] | None,
    seeded: bool,
) -> _Run:
    """One run (a task): simulate, then keep the numeric columns of ``products`` as arrays."""
    options: dict[str, Any] = {"seed": task.seed} if seeded else {}
    options.update(common)
    options.update(task.variation)
    result = simulate(model, *args, **options)
    return reduce_run(result, keep)


def reduce_run(result: SimulationResult, keep: Sequence[str] | None = None) -> _Run:
    """A simulation's ``products`` table as a (steps, products) array per numeric column.

    Raises
    ------
    InputError
        A column of ``keep`` the table does not have, or that is not numeric.
    """
    table = result.products
    numeric = [
        str(c)
        for c in table.columns
        if c not in KEY_COLUMNS and pd.api.types.is_numeric_dtype(table[c])
    ]
    names = numeric if keep is None else [str(c) for c in keep]
    for name in names:
        if name not in numeric:
            raise InputError(
                f"the simulation has no numeric column {name!r} to keep; it has "
                f"{', '.join(numeric)}",
                source="quantities",
                label=name,
                check=Check.UNKNOWN_LABEL,
            )
    product = table["product"]
    cats = product.cat.categories if isinstance(product.dtype, pd.CategoricalDtype) else None
    labels = pd.Index(cats if cats is not None else pd.unique(product)).astype(str)
    p = labels.get_indexer(product.astype(str))
    s = table["step"].to_numpy(dtype=np.int64)
    steps = int(s.max()) + 1 if len(s) else 0
    values = {}
    for name in names:
        grid = np.full((steps, len(labels)), np.nan)
        grid[s, p] = table[name].to_numpy(dtype=float)
        values[name] = grid
    return _Run(tuple(labels), values)


def _long_table(tasks: Sequence[_Task], done: Sequence[_Run]) -> tuple[pd.DataFrame, tuple]:
    """The runs as one long table (variant, run, seed, product, step, quantities)."""
    first = done[0]
    products, kept = first.products, tuple(first.values)
    for task, one in zip(tasks, done, strict=True):
        if one.products != products or tuple(one.values) != kept:
            raise InputError(
                "the runs of an ensemble must simulate the same products and keep the same "
                "quantities; this variant's differ from the first",
                source=_SOURCE,
                label=task.variant,
                check=Check.BAD_SETTING,
            )
    n = len(products)
    variants = list(dict.fromkeys(t.variant for t in tasks))
    sizes = [next(iter(one.values.values())).shape[0] * n if kept else 0 for one in done]
    code = pd.Index(variants).get_indexer([t.variant for t in tasks])
    steps = [np.repeat(np.arange(size // max(n, 1), dtype=np.int64), n) for size in sizes]
    frame = pd.DataFrame(
        {
            "variant": pd.Categorical.from_codes(np.repeat(code, sizes), variants),
            "run": np.repeat([t.run for t in tasks], sizes).astype(np.int64),
            "seed": np.repeat([t.seed for t in tasks], sizes).astype(np.int64),
            "product": pd.Categorical.from_codes(
                np.concatenate([np.tile(np.arange(n), size // max(n, 1)) for size in sizes]),
                list(products),
            ),
            "step": np.concatenate(steps) if steps else np.zeros(0, np.int64),
            **{k: np.concatenate([one.values[k].ravel() for one in done]) for k in kept},
        }
    )
    return frame, kept


# ---------------------------------------------------------------------------- arguments
def run_seeds(seed: int, runs: int) -> list[int]:
    """The seed of each run: child ``r`` of ``SeedSequence(seed)``, as a 63-bit integer.

    Child ``r`` does not depend on ``runs``, so more runs add seeds and keep the others.
    """
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or seed < 0:
        raise InputError(
            f"the seed must be a whole number of at least 0, not {seed!r}",
            source="seed",
            check=Check.OUT_OF_RANGE,
        )
    children = np.random.SeedSequence(int(seed)).spawn(runs)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def simulate_parameters(model: Any) -> Mapping[str, inspect.Parameter] | None:
    """The keyword arguments one run of ``model`` takes (``None``: not known, any).

    :func:`~gosplan.run.simulate.simulate` hands an economy to
    :func:`~gosplan.run.simulate.prepare` and a spec to ``simulate_plan``, which hands its
    options on to ``prepare_plan``; their signatures say what a variation may set (a
    ``seed`` among them: each run then draws its shock shares from its own seed).
    """
    target: Callable[..., Any] = simulate
    if _open_ended(simulate):
        if isinstance(model, Economy):
            from gosplan.run.simulate import prepare

            target = prepare
        else:
            import importlib

            try:
                module = importlib.import_module("gosplan.run.plan_simulation")
            except ImportError:
                return None
            target = getattr(module, "simulate_plan", simulate)
            if _open_ended(target):  # its options are prepare_plan's, and ``replan``
                replan = inspect.Parameter("replan", inspect.Parameter.KEYWORD_ONLY)
                params = dict(inspect.signature(module.prepare_plan).parameters)
                return {**params, "replan": replan}
    if _open_ended(target):
        return None
    return inspect.signature(target).parameters


def _open_ended(func: Callable[..., Any]) -> bool:
    params = inspect.signature(func).parameters.values()
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def takes_seed(model: Any) -> bool:
    """Whether a run of ``model`` takes a ``seed`` (random shock shares)."""
    params = simulate_parameters(model)
    return params is not None and "seed" in params


def _runs(runs: Any) -> int:
    if not isinstance(runs, int | np.integer) or isinstance(runs, bool) or runs < 1:
        raise InputError(
            f"runs must be a whole number of at least 1, not {runs!r}",
            source="runs",
            check=Check.OUT_OF_RANGE,
        )
    return int(runs)


def variation_table(
    variations: Mapping[str, Mapping[str, Any]] | pd.DataFrame,
) -> dict[str, dict[str, Any]]:
    """The variants as name -> keyword arguments, from a mapping or a table.

    A table has a column ``variant`` (else its index names the variants) and a column per
    argument; an empty cell leaves the argument unset.

    Raises
    ------
    InputError
        No variant (check ``empty_table``), a name given twice (``duplicate_label``), or a
        variation that is not a mapping of argument names (``bad_argument``).
    """
    if isinstance(variations, pd.DataFrame):
        return _from_frame(variations)
    if not isinstance(variations, Mapping):
        raise InputError(
            "variations must be a mapping of names to keyword arguments, or a table, not "
            f"{type(variations).__name__}",
            source=_SOURCE,
            check=Check.BAD_ARGUMENT,
        )
    out: dict[str, dict[str, Any]] = {}
    for name, variation in variations.items():
        if not isinstance(variation, Mapping) or not all(isinstance(k, str) for k in variation):
            raise InputError(
                "a variation must be a mapping of simulate's argument names to values",
                source=_SOURCE,
                label=str(name),
                check=Check.BAD_ARGUMENT,
            )
        if str(name) in out:
            raise InputError(
                "a variant named twice",
                source=_SOURCE,
                label=str(name),
                check=Check.DUPLICATE_LABEL,
            )
        out[str(name)] = dict(variation)
    if not out:
        raise InputError(
            "an ensemble needs at least one variant", source=_SOURCE, check=Check.EMPTY_TABLE
        )
    return out


def _from_frame(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    if "variant" in frame.columns:
        names = [str(v) for v in frame["variant"]]
        options = frame.drop(columns="variant")
    else:
        names = [str(v) for v in frame.index]
        options = frame
    rows = []
    for name, (_, row) in zip(names, options.iterrows(), strict=True):
        cells = {str(k): _cell(v) for k, v in row.items() if not _blank(v)}
        rows.append((name, cells))
    duplicated = pd.Index(names).duplicated()
    if duplicated.any():
        raise InputError(
            "a variant named twice",
            source=_SOURCE,
            label=names[int(np.flatnonzero(duplicated)[0])],
            check=Check.DUPLICATE_LABEL,
        )
    return variation_table(dict(rows))


def _blank(value: Any) -> bool:
    """An empty cell: ``None``, NaN or empty text."""
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return isinstance(value, str) and not value


def _cell(value: Any) -> Any:
    """A table cell as a Python value (numpy scalars to int, float, bool)."""
    return value.item() if isinstance(value, np.generic) else value


def _check_keys(
    model: Any, table: Mapping[str, Mapping[str, Any]], common: Mapping[str, Any]
) -> None:
    """Every variation's keys are arguments of a run (:func:`simulate_parameters`), not reserved."""
    params = simulate_parameters(model)
    for key in common:
        if key in RESERVED:
            raise TypeError(f"ensemble() sets {key!r} itself; it is not a common argument")
    for name, variation in table.items():
        for key in variation:
            if key in RESERVED:
                raise InputError(
                    f"a variation cannot set {key!r} (the ensemble sets it)",
                    source=_SOURCE,
                    label=name,
                    check=Check.BAD_OPTION,
                )
            if params is not None and key not in params:
                raise InputError(
                    f"{key!r} is no argument of simulate",
                    source=_SOURCE,
                    label=name,
                    check=Check.UNKNOWN_KEY,
                )


def _model_args(model: Any, result: PlanResult | None) -> tuple[Any, ...]:
    """``()`` for an economy, ``(plan,)`` for a spec (optimised here without a plan)."""
    if isinstance(model, Economy):
        if result is not None:
            raise InputError(
                "a plan result goes with a plan spec, not an economy",
                source="result",
                check=Check.BAD_ARGUMENT,
            )
        return ()
    if not isinstance(model, PlanSpec):
        raise InputError(
            f"an ensemble runs an Economy or a PlanSpec, not {type(model).__name__}",
            source="model",
            check=Check.BAD_ARGUMENT,
        )
    if result is None:
        from gosplan.plan.optimise import optimise

        result = optimise(model)
    if result.status != Status.OPTIMAL:
        raise InputError(
            f"an ensemble runs an optimal plan; the plan of {model.name!r} is {result.status}",
            source="result",
            check=Check.BAD_ARGUMENT,
        )
    return (result,)


def plain_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments as JSON-able values: tables and series as JSON text, numbers as is."""
    return {str(k): _plain(v) for k, v in options.items()}


def compact_json(value: Any) -> str:
    """Strict JSON on one line (NaN as null, infinities as text)."""
    return json.dumps(finite(value), separators=(",", ":"), allow_nan=False, default=str)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.DataFrame):
        from gosplan.core.serial import records

        return compact_json(records(value)["records"])
    if isinstance(value, pd.Series):
        return compact_json({str(k): v for k, v in value.items()})
    try:
        return compact_json(value)
    except (TypeError, ValueError):
        return repr(value)


def variants_frame(table: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """The variants as a table: ``variant`` and a column per argument (JSON-able cells).

    A column whose cells are not all numbers, or all text, holds JSON text throughout, so
    that it writes to Parquet.
    """
    rows = [{"variant": name, **plain_options(v)} for name, v in table.items()]
    frame = pd.DataFrame(rows, columns=list(dict.fromkeys(k for row in rows for k in row)))
    for col in frame.columns[1:]:
        kinds = {type(v) for v in frame[col] if v is not None and not _blank(v)}
        if len(kinds) > 1 and not kinds <= {int, float}:
            frame[col] = [None if _blank(v) else compact_json(v) for v in frame[col]]
    return frame
