"""Labelled vectors of the balance tools: one check that a vector names every label it must."""

from __future__ import annotations

import pandas as pd

from gosplan.errors import InputError


def require_every_label(labels: pd.Index, given: pd.Index, what: str) -> None:
    """Raise unless ``given`` names every one of ``labels``.

    Parameters
    ----------
    labels
        The labels that need a value (e.g. an economy's products).
    given
        The labels a vector has.
    what
        The subject of the message with its verb, e.g. ``"gross output is"`` or ``"row
        totals are"``: the message reads ``"gross output is missing for 'a', 'b'"``.

    Raises
    ------
    InputError
        Some labels are missing (up to five are named; check ``missing_label``).

    Examples
    --------
    >>> require_every_label(pd.Index(["a", "b"]), pd.Index(["b", "a"]), "prices are")
    """
    missing = labels.difference(given)
    if len(missing):
        names = ", ".join(map(repr, missing[:5]))
        raise InputError(
            f"{what} missing for {names}", label=str(missing[0]), check="missing_label"
        )
