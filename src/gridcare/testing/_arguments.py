"""Argument checks shared by the builders of gridcare.testing; no hypothesis needed.

The hypothesis strategies, the synthetic city and day and the form payload
generator check their arguments with these when they are called, so a bad
argument is an :class:`~gridcare.errors.InvalidInput` (a code and the
argument's name as field) at the call, never an error at the first draw.
The general checks (``require_int``, ``require_items`` ...) live in
:mod:`gridcare.errors`; the rules here are the test helpers' own.

>>> require_size(5, "max_size")
5
>>> require_seed(-1)
Traceback (most recent call last):
...
gridcare.errors.InvalidInput: seed: expected an integer from 0 to 2**63-1 [bad_seed]
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from gridcare.errors import InvalidInput, missing_extra, require_int, require_items
from gridcare.timeutil import require_aware

__all__ = [
    "MAX_DRAWN",
    "MAX_SEED",
    "require_ordered",
    "require_progress",
    "require_seed",
    "require_size",
    "require_some",
    "require_window",
]

#: The most items a strategy draws into one value (nodes, stays, events, designations ...).
MAX_DRAWN = 1_000

#: The largest seed a seeded generator takes (seeds are 64-bit, as in ``synthetic_city``).
MAX_SEED = 2**63 - 1

T = TypeVar("T")


def require_seed(value: object, field: str = "seed") -> int:
    """``value`` if it is a seed: a whole number from 0 to :data:`MAX_SEED` (code ``bad_seed``).

    >>> require_seed(7)
    7
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise InvalidInput("bad_seed", field, "expected an integer from 0 to 2**63-1", value=value)
    return value


def require_progress(value: object, field: str = "progress") -> Callable[[int, int], Any] | None:
    """``value`` if it is ``None`` or a callable ``progress(done, total)`` (code ``bad_progress``).

    >>> require_progress(None) is None
    True
    >>> require_progress(3)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: progress: expected a callable or None [bad_progress]
    """
    if value is not None and not callable(value):
        raise InvalidInput("bad_progress", field, "expected a callable or None", value=value)
    return value


def require_size(value: object, field: str, *, low: int = 0) -> int:
    """``value`` if it is a whole number from ``low`` to :data:`MAX_DRAWN` items.

    Codes as :func:`gridcare.errors.require_int`: ``not_integer``, ``negative``,
    ``out_of_range``.

    >>> require_size(10**6, "max_nodes")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: max_nodes: must be at most 1000 [out_of_range]
    """
    return require_int(value, field, low=low, high=MAX_DRAWN)


def require_ordered(low: Any, high: Any, field: str, *, strict: bool = False) -> None:
    """Raise ``InvalidInput`` (code ``bad_range``, at ``field``) unless ``low <= high``.

    With ``strict``, ``low`` must be below ``high``. Both are values already
    checked to be comparable (whole numbers, aware instants, ranks).

    >>> require_ordered(5, 3, "min_nodes")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: min_nodes: the lower bound is above the upper bound [bad_range]
    """
    if low > high or (strict and low == high):
        what = "not below" if strict else "above"
        raise InvalidInput("bad_range", field, f"the lower bound is {what} the upper bound")


def require_window(
    min_value: object, max_value: object, *, strict: bool = False
) -> tuple[datetime, datetime]:
    """Two aware instants in 1900-2100 (:func:`~gridcare.timeutil.require_aware`), in order.

    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> t = datetime(2022, 3, 27, tzinfo=DEFAULT_ZONE)
    >>> require_window(t, t, strict=True)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: min_value: the lower bound is not below the upper bound [...]
    """
    low = require_aware(min_value, "min_value")
    high = require_aware(max_value, "max_value")
    require_ordered(low, high, "min_value", strict=strict)
    return low, high


def require_some(
    values: object, kind: type[T], field: str, check: Callable[[object, str], object] | None = None
) -> tuple[T, ...]:
    """At least one item, each a ``kind`` (and passing ``check(item, "<field>.<i>")``).

    Codes: those of :func:`gridcare.errors.require_items`, ``missing`` when
    there is no item, and those of ``check``.

    >>> require_some(["H1", "H2"], str, "households")
    ('H1', 'H2')
    >>> require_some([], str, "households")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: households: expected at least one item [missing]
    """
    found = tuple(require_items(values, kind, field))
    if not found:
        raise InvalidInput("missing", field, "expected at least one item")
    if check is not None:
        for i, item in enumerate(found):
            check(item, f"{field}.{i}")
    return found


def require_extra(package: str, module: str) -> None:
    """Raise :func:`gridcare.errors.missing_extra` (the ``testing`` extra) where ``package``
    is not installed: a module that needs it calls this before importing it, so that a
    plain install says what to add."""
    if importlib.util.find_spec(package) is None:
        raise missing_extra(module, package, "testing")
