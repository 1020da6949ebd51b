"""Finding declarations that are the same person's same journey, in one pass.

Rules this module obeys:

* two declarations are candidates when they share a person key (the identity
  document, or the name together with the phone number) and their journeys
  overlap in time (half-open ``[start, arrival)``);
* grouping is by hashing: declarations are bucketed by key in one pass, and
  each bucket (a handful of rows) is swept in order of journey start, so the
  cost grows with the number of declarations, never with its square;
* candidate groups are connected components over both kinds of key, each
  listed with its evidence (the key, masked, and the overlapping period); the
  first received declaration of a group is its ``original``.

>>> from datetime import datetime, timedelta
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> from gridcare.declarations import example_form, parse_form
>>> t = datetime(2022, 3, 20, tzinfo=CST)
>>> a = parse_form(example_form(), declaration_id="D1", received_at=t)
>>> b = parse_form(example_form(), declaration_id="D2", received_at=t + timedelta(hours=2))
>>> [g.declaration_ids for g in find_duplicates([a, b])]
[('D1', 'D2')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import attrs

from gridcare.declarations._checks import checked_ids, trusted
from gridcare.declarations._domain import Declaration
from gridcare.declarations._enums import DuplicateBasis
from gridcare.errors import (
    InvalidInput,
    require_callable,
    require_instance,
    require_items,
)
from gridcare.masking import mask_id_number, mask_name, mask_phone, masked_field_reprs
from gridcare.text import check_text_of
from gridcare.timeutil import require_aware

__all__ = ["DuplicateEvidence", "DuplicateGroup", "find_duplicates"]


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class DuplicateEvidence:
    """Why two declarations were linked: the shared key (masked) and the common period.

    Checked on construction: the key is a text with the rules of a code
    (:mod:`gridcare.text`), the ids two declaration ids, the period's instants
    aware and the end not before the start (``InvalidInput``).

    >>> from datetime import datetime, timezone
    >>> t = datetime(2022, 3, 19, tzinfo=timezone.utc)
    >>> DuplicateEvidence(DuplicateBasis.NAME_AND_PHONE, "刘*娟 138****5678", ("D1", "D2"), t, t
    ...                   ).basis.value
    'name_and_phone'
    """

    basis: DuplicateBasis
    key: str
    declaration_ids: tuple[str, str]
    overlap_start: datetime
    overlap_end: datetime

    def __init__(
        self,
        basis: DuplicateBasis,
        key: str,
        declaration_ids: tuple[str, str],
        overlap_start: datetime,
        overlap_end: datetime,
    ) -> None:
        pair = checked_ids(declaration_ids, "declaration_ids")
        if len(pair) != 2:
            raise InvalidInput(
                "bad_length", "declaration_ids", "expected two declaration ids", value=len(pair)
            )
        start = require_aware(overlap_start, "overlap_start")
        end = require_aware(overlap_end, "overlap_end")
        if end < start:
            raise InvalidInput(
                "ends_before_start", "overlap_end", "the overlap must not end before it starts"
            )
        self.__attrs_init__(
            require_instance(basis, DuplicateBasis, "basis", code="bad_choice"),
            check_text_of(key, "key", "code"),
            pair,
            start,
            end,
        )


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class DuplicateGroup:
    """Declarations that are probably one person's one journey, first received first.

    Checked on construction: at least two declaration ids, and
    :class:`DuplicateEvidence` values (``InvalidInput``).

    >>> DuplicateGroup(("D1", "D2"), ()).original
    'D1'
    """

    declaration_ids: tuple[str, ...]
    evidence: tuple[DuplicateEvidence, ...]

    def __init__(
        self, declaration_ids: tuple[str, ...], evidence: tuple[DuplicateEvidence, ...]
    ) -> None:
        ids = checked_ids(declaration_ids, "declaration_ids")
        if len(ids) < 2:
            raise InvalidInput(
                "too_short", "declaration_ids", "a group has two declarations or more"
            )
        self.__attrs_init__(ids, tuple(require_items(evidence, DuplicateEvidence, "evidence")))

    @property
    def original(self) -> str:
        """The first received declaration of the group."""
        return self.declaration_ids[0]

    @property
    def duplicates(self) -> tuple[str, ...]:
        """The declarations after the original."""
        return self.declaration_ids[1:]


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _name_key(name: str) -> str:
    return "".join(name.split()).casefold()


def find_duplicates(
    declarations: Iterable[Declaration],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[DuplicateGroup, ...]:
    """Candidate duplicate groups among a city's declarations, with evidence, in one pass.

    Groups are ordered by their original's receipt (then id).

    ``declarations`` is a list of :class:`~gridcare.declarations.Declaration`
    values and ``progress`` a function ``(done, total)`` or ``None``; anything
    else is ``InvalidInput``.

    >>> find_duplicates([])
    ()
    """
    items = require_items(declarations, Declaration, "declarations")
    if progress is not None:
        require_callable(progress, "progress")
    return _find_duplicates(list(items), progress)


def _find_duplicates(
    items: list[Declaration], progress: Callable[[int, int], None] | None
) -> tuple[DuplicateGroup, ...]:
    total = len(items)
    buckets: dict[tuple[DuplicateBasis, str, str], list[int]] = {}
    for i, d in enumerate(items):
        buckets.setdefault(
            (DuplicateBasis.DOCUMENT_NUMBER, d.document_kind.value, d.document_number), []
        ).append(i)
        buckets.setdefault(
            (DuplicateBasis.NAME_AND_PHONE, _name_key(d.name), d.phone.number), []
        ).append(i)
    if progress is not None:
        progress(total // 2, total)
    journeys = [d.journey for d in items]
    parent = list(range(total))
    found: list[tuple[int, DuplicateEvidence]] = []
    for (basis, _, second), rows in buckets.items():
        if len(rows) < 2:
            continue
        if basis is DuplicateBasis.DOCUMENT_NUMBER:
            key = mask_id_number(second)
        else:
            key = f"{mask_name(items[rows[0]].name)} {mask_phone(second)}"
        rows.sort(key=lambda i: (journeys[i][0], items[i].id))
        holder = rows[0]  # the row whose journey ends last so far
        for i in rows[1:]:
            start, end = journeys[i]
            reach = journeys[holder][1]
            if start < reach:
                a, b = _find(parent, holder), _find(parent, i)
                if a != b:
                    parent[b] = a
                pair = (items[holder].id, items[i].id)
                overlap = (basis, key, pair, start, min(end, reach))
                found.append((i, trusted(DuplicateEvidence, *overlap)))
            if end > reach:
                holder = i
    members: dict[int, list[int]] = {}
    for i in range(total):
        members.setdefault(_find(parent, i), []).append(i)
    evidence: dict[int, list[DuplicateEvidence]] = {}
    for i, item in found:
        evidence.setdefault(_find(parent, i), []).append(item)
    groups: list[tuple[tuple[datetime, str], DuplicateGroup]] = []
    for root, rows in members.items():
        if len(rows) < 2:
            continue
        rows.sort(key=lambda i: (items[i].received_at, items[i].id))
        first_row = items[rows[0]]
        group = trusted(
            DuplicateGroup, tuple(items[i].id for i in rows), tuple(evidence.get(root, ()))
        )
        groups.append(((first_row.received_at, first_row.id), group))
    groups.sort(key=lambda pair: pair[0])
    if progress is not None:
        progress(total, total)
    return tuple(group for _, group in groups)
