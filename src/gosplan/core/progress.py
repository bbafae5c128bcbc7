"""The progress callback that long computations take: ``progress(fraction_done, message)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

#: Called with the fraction of the work done (0 to 1) and a short message.
Progress: TypeAlias = Callable[[float, str], None]
