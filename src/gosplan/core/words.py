"""Numbers in words: significant figures, amounts rounded up, labour in millions."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, Decimal

import numpy as np

#: Amounts within this relative distance above a 3-figure number are not rounded up past it
#: (solver noise, far inside the LP's feasibility tolerance).
ROUND_UP_SLACK = 1e-9


def sig(value: float, digits: int = 3) -> str:
    """A number rounded to ``digits`` significant figures, without an exponent above 1.

    Examples
    --------
    >>> sig(0.0012345), sig(999.7), sig(1234567.0), sig(-45.678)
    ('0.00123', '1,000', '1,230,000', '-45.7')
    """
    x = float(value)
    if not math.isfinite(x):
        return "unlimited" if x > 0 else ("-unlimited" if x < 0 else "n/a")
    if x == 0:
        return "0"
    short = f"{x:.{digits}g}"
    if "e+" not in short:
        return short
    exponent = math.floor(math.log10(abs(float(short))))  # of the rounded number
    return f"{round(x, digits - 1 - exponent):,.0f}"


def sig_up(value: float, digits: int = 3) -> str:
    """A positive amount rounded **up** to ``digits`` significant figures (never less).

    What the message says is needed must be enough: ``0.991111`` is shown as ``0.992``, not
    ``0.991``. Amounts within :data:`ROUND_UP_SLACK` above a number of ``digits`` figures are
    shown as that number (``20.0000000001`` as ``20``). Zero, negative and non-finite values are
    written as :func:`sig` writes them.

    Examples
    --------
    >>> sig_up(0.991111), sig_up(1234.01), sig_up(0.0002421), sig_up(20.0)
    ('0.992', '1,240', '0.000243', '20')
    """
    x = float(value)
    if not math.isfinite(x) or x <= 0:
        return sig(x, digits)
    x *= 1.0 - ROUND_UP_SLACK
    exponent = math.floor(math.log10(x))
    step = Decimal(1).scaleb(exponent - digits + 1)
    up = Decimal(repr(x)).quantize(step, rounding=ROUND_CEILING)
    if up >= 10**digits:  # an integer: thousands separated as in _sig
        return f"{int(up):,}"
    text = f"{up:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def labour_amount(value: float, unit: str) -> str:
    """An amount of labour in plain words: 154,000 thousand person-years reads 154 million."""
    if unit.startswith("thousand ") and np.isfinite(value) and abs(value) >= 1000:
        return f"{sig(value / 1000)} million {unit.removeprefix('thousand ')}"
    return f"{sig(value)} {unit}"
