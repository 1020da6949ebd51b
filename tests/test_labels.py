"""Every enum of gridcare has a Chinese and an English label, from one table."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from enum import Enum, StrEnum

import pytest

import gridcare
from gridcare.hierarchy import NodeKind
from gridcare.labels import LABELS, label, labels_of

EXCLUDED = ("gridcare.testing", "gridcare.interop")


def gridcare_modules() -> list[str]:
    names = ["gridcare"]
    for info in pkgutil.walk_packages(gridcare.__path__, prefix="gridcare."):
        if info.name.startswith(EXCLUDED) or info.name == "gridcare.__main__":
            continue
        names.append(info.name)
    return sorted(names)


IMPORT_ERRORS: dict[str, str] = {}


def str_enums() -> list[type[StrEnum]]:
    found: dict[str, type[StrEnum]] = {}
    for name in gridcare_modules():
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # reported by test_every_module_imports, not at collection
            IMPORT_ERRORS[name] = f"{type(exc).__name__}: {exc}"
            continue
        for _, value in inspect.getmembers(module, inspect.isclass):
            module_name = value.__module__
            if (
                issubclass(value, StrEnum)
                and len(value) > 0  # the base of the enumerations (Choice) has no member
                and module_name.startswith("gridcare")
                and not module_name.startswith(EXCLUDED)
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


ENUMS = str_enums()


def test_every_module_imports() -> None:
    assert IMPORT_ERRORS == {}


def test_the_walk_finds_the_known_enums() -> None:
    names = {cls.__name__ for cls in ENUMS}
    assert {"NodeKind", "AreaLevel", "Sex"} <= names


def test_enum_class_names_are_unique() -> None:
    # LABELS is keyed by class name: two enums with one name would share labels.
    by_name: dict[str, list[str]] = {}
    for cls in ENUMS:
        by_name.setdefault(cls.__name__, []).append(cls.__module__)
    assert {name: mods for name, mods in by_name.items() if len(mods) > 1} == {}


@pytest.mark.parametrize("enum_cls", ENUMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_member_has_a_zh_and_an_en_label(enum_cls: type[Enum]) -> None:
    table = LABELS.get(enum_cls.__name__)
    assert table is not None, f"no labels for {enum_cls.__name__}"
    missing = [m.value for m in enum_cls if m.value not in table]
    assert missing == [], f"{enum_cls.__name__} members without labels"
    for member in enum_cls:
        zh, en = table[member.value]
        assert zh.strip()
        assert en.strip()
        assert any("\u4e00" <= c <= "\u9fff" for c in zh), (member, zh)
        assert any(c.isascii() and c.isalpha() for c in en), (member, en)
    extra = set(table) - {m.value for m in enum_cls}
    assert extra == set(), f"{enum_cls.__name__} labels for members that do not exist"


def test_label_lookup() -> None:
    assert label(NodeKind.GRID) == "网格"
    assert label(NodeKind.GRID, "en") == "grid"
    assert labels_of(NodeKind)["household"] == ("户", "household")


@pytest.mark.parametrize("enum_cls", ENUMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_enumeration_refuses_an_unknown_value_with_a_code(enum_cls: type[StrEnum]) -> None:
    from gridcare.errors import Choice, InvalidInput

    assert issubclass(enum_cls, Choice)
    for bad in ("no such value", None, 3, [[]]):
        with pytest.raises(InvalidInput) as err:
            enum_cls(bad)
        assert err.value.code == "unknown_choice"
        assert err.value.field == enum_cls.__name__
