"""The checks the declarations' values share, and building a value without them.

Every value class of the package checks its fields in its ``__init__`` and then
calls the attrs initializer ``__attrs_init__``; the package builds its own
values from values already checked (a validated form, checked events, the
routing index) with :func:`trusted`, which calls the initializer alone, so hot
loops pay for no check twice.

>>> checked_ids(["D1", "D2"], "declaration_ids")
('D1', 'D2')
>>> check_text_of("D\\x00", "declaration_id")
Traceback (most recent call last):
...
gridcare.errors.InvalidInput: declaration_id: control character U+0000 ... [control_character]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from gridcare.errors import InvalidInput, read_mapping, require_instance, require_items, trusted
from gridcare.text import check_text_of

__all__ = ["by_id", "checked_ids", "optional_text", "trusted"]

_T = TypeVar("_T")


def optional_text(value: object, field: str, kind: str = "id") -> str | None:
    """``None``, or a text as :func:`gridcare.text.check_text_of` takes it.

    >>> optional_text(None, "grid_id") is None
    True
    """
    return None if value is None else check_text_of(value, field, kind)


def checked_ids(values: object, field: str) -> tuple[str, ...]:
    """Ids (of declarations, grids, events): a list or tuple of texts with the rules of an
    id, as a tuple; item ``i`` is reported at ``<field>.<i>``.

    >>> checked_ids(("G1", None), "previous_grids")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: previous_grids.1: expected str, got NoneType [wrong_type]
    """
    items = require_items(values, str, field)
    return tuple([check_text_of(value, f"{field}.{i}") for i, value in enumerate(items)])


def by_id(values: object, kind: type[_T], field: str) -> dict[str, _T]:
    """A mapping of ids (texts with the rules of an id) to ``kind`` values, as a new dict;
    the value under ``key`` is reported at ``<field>.<key>``.

    >>> by_id({"G1": 3}, int, "grids")
    {'G1': 3}
    >>> by_id({"G1": "3"}, int, "grids")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: grids.G1: expected int, got str [wrong_type]
    """
    if not isinstance(values, Mapping):
        raise InvalidInput(
            "not_mapping",
            field,
            f"expected a mapping of id to {kind.__name__}, got {type(values).__name__}",
            value=values,
        )
    found: dict[str, _T] = {}
    for key, value in read_mapping(values, field).items():
        found[check_text_of(key, field)] = require_instance(value, kind, f"{field}.{key}")
    return found
