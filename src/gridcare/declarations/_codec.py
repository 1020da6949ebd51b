"""Declaration events as plain JSON-ready dicts, and back: what a service stores in its log.

A stored event is ``{"kind": ..., "id": ..., "at": ISO 8601 with offset,
"declaration_id": ..., <the event's own fields>}``. Decoding checks every key
and value and raises :class:`~gridcare.errors.InvalidInput` naming the field,
so a corrupt row of a log is reported, never half-read.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

import attrs

from gridcare.declarations._enums import DeclarationEventKind
from gridcare.declarations._lifecycle import DECLARATION_EVENT_CLASSES, DeclarationEvent
from gridcare.errors import FieldError, InvalidInput, read_mapping

__all__ = ["event_from_dict", "event_to_dict"]

_TYPES: dict[DeclarationEventKind, dict[str, Any]] = {}
#: A stored ``kind`` (the enum's value) -> its event class.
_CLASS_OF_STORED_KIND = {kind.value: cls for kind, cls in DECLARATION_EVENT_CLASSES.items()}


def _types(cls: type[DeclarationEvent]) -> dict[str, Any]:
    """Field name -> resolved type of an event class, computed once per kind."""
    found = _TYPES.get(cls.kind)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = _TYPES[cls.kind] = {f.name: hints[f.name] for f in attrs.fields(cls)}
    return found


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def event_to_dict(event: DeclarationEvent) -> dict[str, object]:
    """A JSON-ready dict of a declaration event (instants in ISO 8601 with their offset).

    >>> from datetime import datetime
    >>> from gridcare.declarations import Assigned
    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> e = Assigned(id="a1", at=datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE),
    ...              declaration_id="D1", grid_id="G1")
    >>> event_to_dict(e)["at"], event_to_dict(e)["kind"]
    ('2022-03-19T09:00:00+08:00', 'assign')
    >>> event_from_dict(event_to_dict(e)) == e
    True
    """
    kind = getattr(type(event), "kind", None)
    if not isinstance(event, DeclarationEvent) or kind not in DECLARATION_EVENT_CLASSES:
        raise InvalidInput("not_event", "event", "expected a declaration event")
    out: dict[str, object] = {"kind": event.kind.value}
    for name in _types(type(event)):
        out[name] = _encode(getattr(event, name))
    return out


def _decode(name: str, hint: Any, value: object) -> object:
    """One field's value from its stored form, per the field's type."""
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, _UnionType) else ()
    if options and type(None) in options:
        if value is None:
            return None
        (hint,) = [o for o in options if o is not type(None)]
    if hint is datetime:
        if not isinstance(value, str):
            raise InvalidInput("bad_instant", name, "expected an ISO 8601 instant", value=value)
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass  # refused below, outside the handler: no chained input
        raise InvalidInput("bad_instant", name, "expected an ISO 8601 instant", value=value)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        if isinstance(value, str):
            try:
                return hint(value)
            except ValueError:
                pass  # refused below, outside the handler: no chained input
        raise InvalidInput("bad_choice", name, f"not one of {[m.value for m in hint]}", value=value)
    if typing.get_origin(hint) is tuple:
        if not isinstance(value, list | tuple):
            raise InvalidInput("bad_list", name, "expected a list", value=value)
        return tuple(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise InvalidInput("bad_bool", name, "expected true or false", value=value)
        return value
    if hint is str and not isinstance(value, str):
        raise InvalidInput("bad_text", name, "expected text", value=value)
    return value


_UnionType = type(int | None)

# The most keys a stored event may have (no event has more than eight fields).
_MAX_KEYS = 32


def event_from_dict(data: Mapping[str, object]) -> DeclarationEvent:
    """The declaration event stored as ``data`` (see :func:`event_to_dict`).

    Every problem (unknown kind, missing or unknown field, bad value, naive
    instant) is reported at once as one ``InvalidInput``; a mapping of more
    than 32 keys is refused whole (``too_long``). Texts
    obey the rules of the event classes (:mod:`gridcare.text`).

    >>> event_from_dict({"kind": "assign", "id": "a1", "declaration_id": "D1"})
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: 2 problems: at: required [missing]; grid_id: required [missing]
    """
    if not isinstance(data, Mapping):
        raise InvalidInput("not_mapping", "event", "expected a mapping")
    data = read_mapping(data, "event")
    if len(data) > _MAX_KEYS:
        raise InvalidInput("too_long", "event", f"at most {_MAX_KEYS} keys", value=len(data))
    kind = data.get("kind")
    cls = _CLASS_OF_STORED_KIND.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = sorted(_CLASS_OF_STORED_KIND)
        raise InvalidInput("unknown_kind", "kind", f"not one of {known}", value=kind)
    types = _types(cls)
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for key in data:
        if key != "kind" and key not in types:
            errors.append(FieldError("unknown_field", str(key), "not a field of this event"))
    required = {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING}
    for name, hint in types.items():
        if name not in data:
            if name in required:
                errors.append(FieldError("missing", name, "required"))
            continue
        try:
            values[name] = _decode(name, hint, data[name])
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if errors:
        raise InvalidInput.collect(errors)
    return cls(**values)
