"""The public surface is honest: what a public function returns can be named by its users."""

from __future__ import annotations

import inspect
import typing
from types import UnionType

import gridcare


def _classes_in(annotation: object) -> set[type]:
    """Every gridcare class an annotation mentions (through unions and generics)."""
    found: set[type] = set()
    origin = typing.get_origin(annotation)
    if origin is not None or isinstance(annotation, UnionType):
        for arg in typing.get_args(annotation):
            found |= _classes_in(arg)
        if isinstance(origin, type) and origin.__module__.startswith("gridcare"):
            found.add(origin)
    elif isinstance(annotation, type) and annotation.__module__.startswith("gridcare"):
        found.add(annotation)
    return found


def _public_callables() -> list[tuple[str, object]]:
    found = []
    for name in gridcare.__all__:
        obj = getattr(gridcare, name)
        if inspect.isfunction(obj):
            found.append((name, obj))
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, (classmethod, staticmethod)):
                    member = member.__func__
                if inspect.isfunction(member):
                    found.append((f"{name}.{attr}", member))
    return found


def test_every_returned_type_is_exported_at_the_top_level() -> None:
    exported = [getattr(gridcare, n) for n in gridcare.__all__]
    missing: dict[str, list[str]] = {}
    for name, func in _public_callables():
        try:
            hints = typing.get_type_hints(func)
        except (NameError, TypeError):  # names for type checking only; mypy checks those
            continue
        for cls in _classes_in(hints.get("return")):
            if not any(cls is obj for obj in exported):
                missing.setdefault(cls.__qualname__, []).append(name)
    assert missing == {}


def test_all_names_exist_and_are_unique() -> None:
    assert len(gridcare.__all__) == len(set(gridcare.__all__))
    for name in gridcare.__all__:
        assert hasattr(gridcare, name), name
