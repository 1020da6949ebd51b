"""Every public name carries a docstring with a runnable example (run by --doctest-modules)."""

from __future__ import annotations

import inspect

import pytest

import gridcare
import gridcare.testing

PUBLIC = [
    (module.__name__, name, getattr(module, name))
    for module in (gridcare, gridcare.testing)
    for name in module.__all__
    if inspect.isclass(getattr(module, name)) or inspect.isfunction(getattr(module, name))
]


@pytest.mark.parametrize(("module", "name", "obj"), PUBLIC, ids=[f"{m}.{n}" for m, n, _ in PUBLIC])
def test_public_name_has_an_example(module: str, name: str, obj: object) -> None:
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{module}.{name} has no docstring"
    assert ">>>" in doc, f"{module}.{name} has no example"
