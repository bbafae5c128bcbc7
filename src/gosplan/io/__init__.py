"""Reading, writing and validating economies on disk (format: ``docs/format.md``).

* :func:`read_economy` / :func:`write_economy`: the directory format (TOML manifest plus CSV,
  Parquet or Excel tables), round-trip exact;
* :mod:`gosplan.io.checks`: the named validation checks and ``gosplan check``'s report;
* :mod:`gosplan.io.pymrio_io`: conversion from and to :class:`pymrio.IOSystem`.
"""

from __future__ import annotations

from gosplan.io.checks import CHECKS, check_report, validate_economy
from gosplan.io.reader import read_economy
from gosplan.io.writer import write_economy

__all__ = ["CHECKS", "check_report", "read_economy", "validate_economy", "write_economy"]
