"""What produced a result: one builder for the provenance every result carries."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gosplan.core.spec import PlanSpec


def version() -> str:
    """The installed gosplan version (the one source: ``gosplan.__version__``)."""
    from gosplan import __version__

    return __version__


def timestamp() -> str:
    """The time now, to the minute, in UTC (``2026-12-03 10:55 UTC``)."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def provenance(spec: PlanSpec | None = None, **fields: Any) -> dict[str, Any]:
    """The provenance of a result: the version, the inputs' names and ``fields``.

    Parameters
    ----------
    spec
        The plan spec the result was made from: its name, its economy's name, source file and
        labour unit are recorded.
    **fields
        Anything else (solver, method, tolerance, times...); a field given here wins over
        the defaults.

    Returns
    -------
    dict
        Plain values only (it is written to JSON as it is).

    Examples
    --------
    >>> sorted(provenance(solver="highs"))
    ['gosplan', 'solver']
    """
    out: dict[str, Any] = {"gosplan": version()}
    if spec is not None:
        meta = spec.economy.meta
        out.update(
            {
                "economy": meta.name,
                "economy_source": meta.source,
                "labour_unit": meta.labour_unit,
                "spec": spec.name,
            }
        )
    out.update(fields)
    return out
