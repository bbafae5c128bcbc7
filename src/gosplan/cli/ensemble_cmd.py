"""``gosplan ensemble``: Monte Carlo runs of the adopted plan under policy variants, on Dask.

One call into :func:`gosplan.run.ensemble.ensemble` with the plan's spec and its plan (``SPEC``
optimised here, or ``--plan DIR``): every variant (``--variant NAME=rationing:RULE``, or a
table of them with ``--variants FILE``) runs ``--runs`` times, run ``r`` of every variant with
the same seed (from ``--seed``), under the shocks of ``--shocks FILE`` (whose
``share_min``/``share_max`` rows are drawn anew by each run's seed). The runs go to a local
cluster of ``--workers`` processes, or to the scheduler at ``--scheduler ADDRESS``, with a
progress bar on the terminal. The terminal shows the policies compared on final demand not
met; ``--out DIR`` writes the whole ensemble (long-form Parquet by default, ``--format csv``
or ``json``).

Exit status (see :mod:`gosplan.cli.app`): ``0`` success; ``1`` the plan of ``SPEC`` is
infeasible; ``2`` bad input (an unknown rationing rule, a bad shock, a variant named twice:
the message names the file, row and label); ``3`` a solver stopped without an answer.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gosplan.cli.output import (
    OutputFormat,
    ProgressOption,
    emit,
    note,
    progress_bar,
    progress_mode,
)
from gosplan.cli.plan_cmds import QuietOption, check_writable
from gosplan.core.checks import Check
from gosplan.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from gosplan.core.ensemble_result import EnsembleResult

#: The plan run when no ``SPEC`` is given.
DEFAULT_SPEC = "scenario:ussr-1928/optimum"
#: The variants when none is given: the two rationing rules.
DEFAULT_VARIANTS = ("proportional=rationing:proportional", "priority=rationing:priority")


class EnsembleFormat(StrEnum):
    """How ``--out`` is written."""

    parquet = "parquet"
    csv = "csv"
    json = "json"


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    """``NAME=KEY:VALUE[,KEY:VALUE...]`` as ``(NAME, {KEY: VALUE})``.

    Values that read as numbers are numbers (``stock_days:2.5``), others text
    (``rationing:priority``).

    Raises
    ------
    InputError
        Not of that form (check ``bad_option``).
    """
    name, eq, rest = text.partition("=")
    pairs = [p.partition(":") for p in rest.split(",") if p.strip()]
    if not eq or not name.strip() or not pairs or any(not c or not k.strip() for k, c, _ in pairs):
        raise InputError(
            f"a variant is NAME=KEY:VALUE[,KEY:VALUE...] (e.g. prio=rationing:priority), not "
            f"{text!r}",
            source="--variant",
            check=Check.BAD_OPTION,
        )
    return name.strip(), {k.strip(): _value(v.strip()) for k, _, v in pairs}


def _value(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def variations_of(given: list[str] | None, table: Path | None) -> Any:
    """The variants of ``--variant`` (default: both rationing rules) or ``--variants FILE``."""
    from gosplan.cli.run_cmds import read_file_table

    if table is not None:
        if given:
            raise InputError(
                "give the variants with --variant or with --variants FILE, not both",
                source="--variants",
                check=Check.BAD_OPTION,
            )
        return read_file_table(table)
    out: dict[str, dict[str, Any]] = {}
    for text in given or DEFAULT_VARIANTS:
        name, options = parse_variant(text)
        if name in out:
            raise InputError(
                "a variant named twice", source="--variant", label=name, check=Check.DUPLICATE_LABEL
            )
        out[name] = options
    return out


def _tables(shocks: Path | None, classes: Path | None) -> dict[str, pd.DataFrame]:
    """The common tables of the runs: ``--shocks`` and ``--classes``, each named by its file."""
    from gosplan.cli.run_cmds import named, read_file_table

    out: dict[str, pd.DataFrame] = {}
    for key, path in (("shocks", shocks), ("classes", classes)):
        if path is not None:
            with named(path, key):
                out[key] = read_file_table(path)
    return out


def _option(*names: str, help: str, **kw: Any) -> Any:
    """A ``typer.Option`` with no default shown unless asked."""
    kw.setdefault("show_default", False)
    return typer.Option(*names, help=help, **kw)


SpecOption = Annotated[
    str,
    typer.Argument(
        help="Plan specification: a directory or its manifest, or scenario:NAME/VARIANT for "
        "a bundled plan.",
        metavar="SPEC",
    ),
]
PlanOption = Annotated[
    Path | None, _option("--plan", help="The adopted plan (a folder written by `gosplan plan`).")
]
RunsOption = Annotated[int, _option("--runs", help="Runs per variant.", min=1, show_default=True)]
WorkersOption = Annotated[
    int, _option("--workers", help="Worker processes of the local cluster.", min=1,
                 show_default=True)
]  # fmt: skip
SchedulerOption = Annotated[
    str | None,
    _option("--scheduler", metavar="ADDRESS", help="Run on the Dask scheduler at this address "
            "(tcp://host:8786) instead of a local cluster."),
]  # fmt: skip
SeedOption = Annotated[
    int, _option("--seed", help="Root of the runs' seeds.", min=0, show_default=True)
]
ShocksOption = Annotated[
    Path | None,
    _option("--shocks", help="Shocks (CSV): product or enterprise, date or from_step, share "
            "or share_min and share_max (drawn anew by each run's seed), recovery."),
]  # fmt: skip
ClassesOption = Annotated[
    Path | None,
    _option("--classes", help="Priority classes (CSV: product, class) for rationing:priority."),
]
VariantOption = Annotated[
    list[str] | None,
    _option("--variant", help="A policy variant NAME=KEY:VALUE[,KEY:VALUE], e.g. "
            "prio=rationing:priority (repeat it; default: both rationing rules)."),
]  # fmt: skip
VariantsOption = Annotated[
    Path | None,
    _option("--variants", help="A table of variants: a column variant and a column per "
            "option (rationing, accept...)."),
]  # fmt: skip
StepOption = Annotated[
    str, _option("--step", help="Step of the calendar: month or day.", show_default=True)
]
OutOption = Annotated[
    Path | None, _option("--out", help="Write the ensemble to this folder (or .json file).")
]
EnsembleFormatOption = Annotated[
    EnsembleFormat,
    _option("--format", "-f", help="Format of --out.", case_sensitive=False, show_default=True),
]
SerialOption = Annotated[bool, _option("--serial", help="Run in this process, without Dask.")]


def ensemble(
    spec: SpecOption = DEFAULT_SPEC,
    plan: PlanOption = None,
    runs: RunsOption = 20,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
    seed: SeedOption = 0,
    shocks: ShocksOption = None,
    classes: ClassesOption = None,
    variant: VariantOption = None,
    variants: VariantsOption = None,
    step: StepOption = "month",
    out: OutOption = None,
    format: EnsembleFormatOption = EnsembleFormat.parquet,
    serial: SerialOption = False,
    quiet: QuietOption = False,
    progress: ProgressOption = False,
) -> None:
    """Monte Carlo runs of the plan under shocks and policy variants, on Dask.

    The terminal shows the policies compared on final demand not met (total over each run,
    products added up at their labour values: mean, median, 5 and 95 %, and the mean
    difference from the first variant on the same seeds); --out writes every run, step and
    product.
    """
    from gosplan.cli.run_cmds import adopted_plan
    from gosplan.run.ensemble import ensemble as run_ensemble

    check_writable(out, folder=format != EnsembleFormat.json)
    table = variations_of(variant, variants)
    common = _tables(shocks, classes)
    result, plan_spec = adopted_plan(spec, plan, quiet, progress)
    mode = progress_mode(quiet, progress)
    with progress_bar("ensemble", enabled=mode != "off", always=mode == "always") as bar:
        done = run_ensemble(
            plan_spec, table, runs=runs, result=result, seed=seed, step=step,
            client=scheduler, workers=workers, serial=serial,
            progress=lambda d, total, msg: bar(d / total, msg), **common,
        )  # fmt: skip
    from gosplan.run.plan_simulation import labour_values

    _show(done, labour_values(plan_spec, result), out, format)


def _show(result: EnsembleResult, weights: Any, out: Path | None, format: EnsembleFormat) -> None:
    """The comparison of the policies on the terminal, and the ensemble written to ``out``."""
    names = result.variant_names
    compare = result.compare("unmet_final", baseline=names[0], weights=weights)
    compare = compare[["variant", "runs", "mean", "median", "p5", "p95", "mean_difference"]]
    runs = len(result.run_numbers)
    where = result.provenance.get("engine", "dask")
    note(f"{runs} runs of {len(names)} variants over {result.steps} steps ({where})")
    emit(
        {"policies": compare},
        OutputFormat.table,
        None,
        titles={
            "policies": f"Final demand not met over each run, at labour values (vs {names[0]})"
        },
    )
    if out is not None:
        path = result.write(out, format=format.value)
        note(f"wrote the ensemble ({format.value}) to {path}")


#: Commands of this module, registered by :mod:`gosplan.cli.app`.
COMMANDS = {"ensemble": ensemble}
