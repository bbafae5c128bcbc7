"""Reports: tables, figures and one self-contained HTML page from gosplan's results.

:class:`Report` assembles sections (text, tables, figures, a material balance, a plan, a plan
check, a frontier, a comparison, provenance) and writes them as one HTML file;
:func:`~gosplan.report.load.report_from_path` does the same for a result written to disk.
The report reads results only: it never calls a solver.
"""

from __future__ import annotations

from gosplan.report.build import Report

__all__ = ["Report", "report_from_path"]


def __getattr__(name: str) -> object:  # lazy: reading results needs pyarrow and friends
    if name == "report_from_path":
        from gosplan.report import load

        return getattr(load, name)
    raise AttributeError(f"module 'gosplan.report' has no attribute {name!r}")
