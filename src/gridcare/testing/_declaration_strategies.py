"""Hypothesis strategies for declaration forms and declarations.

* :func:`declaration_forms` draws JSON-able form payloads that always validate
  against ``received_at``; ``corrupt="<code>"`` breaks exactly one rule so that
  the form fails with exactly that error code (:data:`CORRUPTIONS` lists them);
* :func:`declarations` draws :class:`~gridcare.declarations.Declaration` values.

They share the builder of :mod:`gridcare.testing.payloads` (which needs no
hypothesis), driven here by hypothesis draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from gridcare.declarations import DEFAULT_MAX_ADVANCE_DAYS, Declaration, parse_form
from gridcare.errors import InvalidInput
from gridcare.testing.payloads import (
    CORRUPTIONS,
    FORM_RECEIVED_AT,
    build_form,
    check_form_arguments,
    form_payloads,
)
from gridcare.testing.strategies import checked
from gridcare.text import TEXT_LIMITS, check_text

__all__ = [
    "CORRUPTIONS",
    "FORM_RECEIVED_AT",
    "declaration_forms",
    "declarations",
    "form_payloads",
]


class _DrawPicker:
    __slots__ = ("_draw",)

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self._draw = draw

    def integer(self, lo: int, hi: int) -> int:
        value: int = self._draw(st.integers(lo, hi))
        return value


#: The largest serial number ``declarations()`` appends to ``id_prefix``.
_MAX_SERIAL = 10**9


@checked
def declaration_forms(
    *,
    received_at: datetime = FORM_RECEIVED_AT,
    max_advance_days: int = DEFAULT_MAX_ADVANCE_DAYS,
    corrupt: str | None = None,
    addresses: Sequence[Mapping[str, Any]] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """JSON-able form payloads valid for ``received_at`` (or broken by ``corrupt``).

    ``addresses`` (address dicts) makes the forms use those addresses, e.g. ones
    that route in a given hierarchy. With ``corrupt`` set to a key of
    :data:`CORRUPTIONS`, each form fails with exactly that error code.

    >>> from hypothesis import given, settings
    >>> from gridcare.declarations import parse_form
    >>> @settings(max_examples=5)
    ... @given(declaration_forms())
    ... def check(form):
    ...     parse_form(form, declaration_id="D1", received_at=FORM_RECEIVED_AT)
    >>> check()
    """
    check_form_arguments(received_at, max_advance_days, corrupt, addresses)

    @st.composite
    def forms(draw: st.DrawFn) -> dict[str, Any]:
        return build_form(_DrawPicker(draw), received_at, max_advance_days, corrupt, addresses)

    return forms()


@checked
def declarations(
    *,
    received_at: datetime = FORM_RECEIVED_AT,
    max_advance_days: int = DEFAULT_MAX_ADVANCE_DAYS,
    id_prefix: str = "D",
) -> st.SearchStrategy[Declaration]:
    """:class:`~gridcare.declarations.Declaration` values parsed from :func:`declaration_forms`.

    Their ids are ``id_prefix`` and a serial number: the prefix is text that
    makes ids ``parse_form`` takes (codes as :func:`gridcare.text.check_text`).

    >>> from datetime import timedelta
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=3)
    ... @given(declarations())
    ... def check(d):
    ...     assert d.arrived_at <= FORM_RECEIVED_AT + timedelta(days=3)
    >>> check()
    """
    check_form_arguments(received_at, max_advance_days, None)
    if not isinstance(id_prefix, str):
        raise InvalidInput(
            "not_string", "id_prefix", f"expected text, got {type(id_prefix).__name__}"
        )
    check_text(f"{id_prefix}{_MAX_SERIAL}", "id_prefix", max_length=TEXT_LIMITS["id"])
    return st.builds(
        lambda form, n: parse_form(
            form,
            declaration_id=f"{id_prefix}{n}",
            received_at=received_at,
            max_advance_days=max_advance_days,
        ),
        declaration_forms(received_at=received_at, max_advance_days=max_advance_days),
        st.integers(0, _MAX_SERIAL),
    )
