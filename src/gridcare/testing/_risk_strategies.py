"""Hypothesis strategies for the risk engine: stays, designations, registers, contacts, policies.

Sound by construction: every value is built through the library's own
constructors. Places are drawn from a small fixed tree of real codes (two
Guangdong districts, a Zhuzhou district, Shanghai Pudong, at county, town,
village and local-place level) so that drawn stays and designations actually
meet: direct, possible, county and province matches all occur. Instants fall
on whole minutes in 2022, in Asia/Shanghai or UTC.

>>> from hypothesis import given, settings
>>> @settings(max_examples=5)
... @given(stays(), risk_registers())
... def test_matches_are_designations(stay, register):
...     assert all(d in register for d, _ in register.matches(stay))
>>> test_matches_are_designations()
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from gridcare.codes import AreaCode
from gridcare.errors import require_instance, require_int
from gridcare.risk.engine import Contact, ContactKind, RiskHistory
from gridcare.risk.policy import Policy
from gridcare.risk.presets import PRESETS
from gridcare.risk.register import RiskDesignation, RiskLevel, RiskRegister, Stay
from gridcare.testing._arguments import require_size, require_some, require_window
from gridcare.testing.strategies import checked
from gridcare.timeutil import DEFAULT_ZONE

__all__ = [
    "RISK_PLACES",
    "contacts",
    "histories",
    "risk_designations",
    "risk_instants",
    "risk_policies",
    "risk_registers",
    "stays",
    "stays_or_contacts",
]

#: The places strategies draw from: nested codes in three provinces.
RISK_PLACES: tuple[AreaCode, ...] = tuple(
    AreaCode.parse(text)
    for text in (
        "440000",
        "440300",
        "440304",
        "440304001",
        "440304001001",
        "440304001001-B3",
        "440304001002",
        "440304002",
        "440305",
        "430200",
        "430211",
        "430211001",
        "430211001001",
        "430211002",
        "310115",
        "310115001",
    )
)

_EARLIEST = datetime(2022, 1, 1, tzinfo=DEFAULT_ZONE)
_LATEST = datetime(2022, 12, 31, tzinfo=DEFAULT_ZONE)

#: The longest stay ``stays(max_hours=...)`` draws: a year.
_MAX_STAY_HOURS = 366 * 24


def _check_places(places: object) -> tuple[AreaCode, ...]:
    return require_some(places, AreaCode, "places")


@checked
def risk_instants(
    min_value: datetime = _EARLIEST, max_value: datetime = _LATEST
) -> st.SearchStrategy[datetime]:
    """Aware instants on whole minutes in ``[min_value, max_value]``, in Shanghai time or UTC.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(risk_instants())
    ... def check(x):
    ...     assert x.tzinfo is not None
    >>> check()
    """
    require_window(min_value, max_value, strict=True)
    minutes = int((max_value - min_value) / timedelta(minutes=1))
    return st.builds(
        lambda m, tz: (min_value + timedelta(minutes=m)).astimezone(tz),
        st.integers(0, minutes),
        st.sampled_from((DEFAULT_ZONE, UTC)),
    )


@checked
def stays(
    places: Sequence[AreaCode] = RISK_PLACES,
    *,
    min_value: datetime = _EARLIEST,
    max_value: datetime = _LATEST,
    max_hours: int = 24 * 6,
) -> st.SearchStrategy[Stay]:
    """Stays of one minute to ``max_hours`` hours (at most a year) in one of ``places``.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(stays())
    ... def check(x):
    ...     assert x.end > x.start
    >>> check()
    """
    chosen = _check_places(places)
    hours = require_int(max_hours, "max_hours", low=1, high=_MAX_STAY_HOURS)
    instants = risk_instants(min_value, max_value)
    return st.builds(
        lambda place, start, minutes: Stay(place, start, start + timedelta(minutes=minutes)),
        st.sampled_from(chosen),
        instants,
        st.integers(1, hours * 60),
    )


@checked
def risk_designations(
    places: Sequence[AreaCode] = RISK_PLACES,
    *,
    levels: Sequence[RiskLevel] = tuple(RiskLevel),
    min_value: datetime = _EARLIEST,
    max_value: datetime = _LATEST,
) -> st.SearchStrategy[RiskDesignation]:
    """Designations of an area in ``places`` at one of ``levels``, lifted after 1-30 days or never.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(risk_designations())
    ... def check(x):
    ...     assert x.lifted_at is None or x.lifted_at > x.raised_at
    >>> check()
    """
    chosen = _check_places(places)
    chosen_levels = require_some(levels, RiskLevel, "levels")
    instants = risk_instants(min_value, max_value)
    return st.builds(
        lambda area, level, raised, days: RiskDesignation(
            area, level, raised, None if days is None else raised + timedelta(days=days)
        ),
        st.sampled_from(chosen),
        st.sampled_from(chosen_levels),
        instants,
        st.none() | st.integers(1, 30),
    )


@checked
def risk_registers(
    designations: st.SearchStrategy[RiskDesignation] | None = None,
    *,
    max_size: int = 6,
) -> st.SearchStrategy[RiskRegister]:
    """Registers of up to ``max_size`` (at most 1,000) designations drawn from ``designations``.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(risk_registers(max_size=2))
    ... def check(x):
    ...     assert len(x) <= 2
    >>> check()
    """
    size = require_size(max_size, "max_size")
    if designations is None:
        inner: st.SearchStrategy[RiskDesignation] = risk_designations()
    else:
        inner = require_instance(designations, st.SearchStrategy, "designations")
    return st.lists(inner, max_size=size).map(RiskRegister)


@checked
def contacts(
    *, min_value: datetime = _EARLIEST, max_value: datetime = _LATEST
) -> st.SearchStrategy[Contact]:
    """Close or secondary contacts with a last exposure in the range.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(contacts())
    ... def check(x):
    ...     assert x.kind in tuple(ContactKind)
    >>> check()
    """
    return st.builds(
        lambda kind, last: Contact(kind=kind, last_exposure=last),
        st.sampled_from(tuple(ContactKind)),
        risk_instants(min_value, max_value),
    )


@checked
def stays_or_contacts(
    places: Sequence[AreaCode] = RISK_PLACES,
    *,
    min_value: datetime = _EARLIEST,
    max_value: datetime = _LATEST,
) -> st.SearchStrategy[Stay | Contact]:
    """One more piece of evidence for a history: a stay or a contact.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(stays_or_contacts())
    ... def check(x):
    ...     assert isinstance(x, Stay | Contact)
    >>> check()
    """
    return st.one_of(
        stays(places, min_value=min_value, max_value=max_value),
        contacts(min_value=min_value, max_value=max_value),
    )


@checked
def histories(
    places: Sequence[AreaCode] = RISK_PLACES,
    *,
    min_value: datetime = _EARLIEST,
    max_value: datetime = _LATEST,
    max_stays: int = 3,
    max_contacts: int = 1,
) -> st.SearchStrategy[RiskHistory]:
    """One person's stays (up to ``max_stays``), arrival (or none) and contacts (up to
    ``max_contacts``; each at most 1,000).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(histories(max_stays=2))
    ... def check(x):
    ...     assert len(x.stays) <= 2
    >>> check()
    """
    stays_drawn = stays(places, min_value=min_value, max_value=max_value)
    stay_count = require_size(max_stays, "max_stays")
    contact_count = require_size(max_contacts, "max_contacts")
    return st.builds(
        RiskHistory,
        st.lists(stays_drawn, max_size=stay_count).map(tuple),
        st.none() | risk_instants(min_value, max_value),
        st.lists(contacts(min_value=min_value, max_value=max_value), max_size=contact_count).map(
            tuple
        ),
    )


def risk_policies() -> st.SearchStrategy[Policy]:
    """One of the presets.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(risk_policies())
    ... def check(x):
    ...     assert x.name in PRESETS
    >>> check()
    """
    return st.sampled_from(tuple(PRESETS.values()))
