"""The values of gosplan: the economy, the plan spec and every result, apart from machinery.

Nothing here imports a solver (highspy), a plotting library (matplotlib) or the command line
(typer, rich): a report, a service or a Dask worker can hold, send, store and read these
types without them. Every result type has ``to_dict``/``from_dict`` and ``write``/``read``
(a folder of CSV or Parquet tables, or strict JSON).
"""

from __future__ import annotations
