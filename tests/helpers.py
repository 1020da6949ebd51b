"""Small builders shared by the tests (rather than copied setup)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from gridcare.codes import AreaCode
from gridcare.errors import InvalidInput
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.masking import REVEAL
from gridcare.serial import from_dict, to_dict
from gridcare.text import TEXT_LIMITS, kind_problem
from gridcare.timeutil import DEFAULT_ZONE

#: Valid ID numbers quoted in DOMAIN.md.
VALID_IDS = ("11010519491231002X", "360426199101010071")


#: Characters that reach every branch of the text rules: format characters, spaces other than
#: U+0020, controls and line breaks, bidirectional controls, a lone surrogate, private use, a
#: tag, an unassigned code point, a blank letter, a combining mark, the space.
HARD_CHARACTERS = (
    "\u200b", "\u200d", "\ufeff", "\u3000", "\xa0", "\x00", "\x1b", "\n", "\t", "\u2028",
    "\u202e", "\u2066", "\ud800", "\ue000", "\U000e0001", "\u0378", "\u3164", "\u0301", " ",
)  # fmt: skip


def text_cases(*more: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Texts for the properties of the text rules: any text; hard characters among letters
    (and ``*``, as masked forms hold); texts that mostly pass the quick test; texts at each
    kind's limit and one past it; and ``more``."""
    at_limits = st.builds(
        lambda n, ch: ch * n,
        st.sampled_from(sorted({n + d for n in TEXT_LIMITS.values() for d in (-1, 0, 1)})),
        st.sampled_from(["G", "名", " ", "\n"]),
    )
    return st.one_of(
        st.text(max_size=70),
        st.lists(st.sampled_from((*HARD_CHARACTERS, *"刘G1-_ .x*")), max_size=8).map("".join),
        st.text(st.sampled_from("刘G1-x"), min_size=1, max_size=66),
        at_limits,
        *more,
    )


def refused(build: Callable[[], object]) -> str | None:
    """The code ``build()`` is refused with, ``None`` if it is accepted."""
    try:
        build()
    except InvalidInput as exc:
        return exc.code
    return None


def expected(
    text: object, field: str, kind: str = "id", *, allow_empty: bool = False
) -> str | None:
    """The code the text rules of ``kind`` refuse ``text`` with, ``None`` if they take it."""
    problem = kind_problem(text, field, kind, allow_empty=allow_empty)
    return None if problem is None else problem.code


def at(text: str) -> datetime:
    """An aware instant from ``YYYY-MM-DD HH:MM`` in Asia/Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=DEFAULT_ZONE)


def tiny_rows() -> list[dict[str, Any]]:
    """Rows of a small Zhuzhou slice, in preorder, with a skipped level and a local code.

    ::

        C 株洲市 430200
        ├── D 天元区 430211
        │   └── S 嵩山街道 430211001
        │       └── M 大塘社区 430211001001
        │           ├── G1 第1网格
        │           │   └── B1 3栋 ── U1 2单元 ── H1 301
        │           └── G2 第2网格 ── H2 (household straight under the grid)
        └── Y 云龙示范区 430200-YL ── G3 云龙第1网格
    """
    return [
        {"id": "C", "kind": "city", "name": "株洲市", "parent_id": None, "code": "430200"},
        {"id": "D", "kind": "district", "name": "天元区", "parent_id": "C", "code": "430211"},
        {"id": "S", "kind": "street", "name": "嵩山街道", "parent_id": "D", "code": "430211001"},
        {
            "id": "M",
            "kind": "community",
            "name": "大塘社区",
            "parent_id": "S",
            "code": "430211001001",
        },
        {"id": "G1", "kind": "grid", "name": "第1网格", "parent_id": "M", "code": None},
        {"id": "B1", "kind": "building", "name": "3栋", "parent_id": "G1", "code": None},
        {"id": "U1", "kind": "unit", "name": "2单元", "parent_id": "B1", "code": None},
        {"id": "H1", "kind": "household", "name": "301室", "parent_id": "U1", "code": None},
        {"id": "G2", "kind": "grid", "name": "第2网格", "parent_id": "M", "code": None},
        {"id": "H2", "kind": "household", "name": "刘家", "parent_id": "G2", "code": None},
        {
            "id": "Y",
            "kind": "district",
            "name": "云龙示范区",
            "parent_id": "C",
            "code": "430200-YL",
        },
        {"id": "G3", "kind": "grid", "name": "云龙第1网格", "parent_id": "Y", "code": None},
    ]


def tiny_nodes() -> list[Node]:
    """The nodes of :func:`tiny_rows`."""
    return [
        Node(
            row["id"],
            NodeKind(row["kind"]),
            row["name"],
            row["parent_id"],
            None if row["code"] is None else AreaCode.parse(row["code"]),
        )
        for row in tiny_rows()
    ]


def tiny_hierarchy() -> Hierarchy:
    """The hierarchy of :func:`tiny_rows`."""
    return Hierarchy(tiny_nodes())


def walk_up(h: Hierarchy, node_id: str) -> Iterator[Node]:
    """Ancestors by repeated ``parent`` (the slow oracle for ``ancestors``)."""
    up = h.parent(node_id)
    while up is not None:
        yield up
        up = h.parent(up.id)


def codes_of(errors: Iterable[Any]) -> list[str]:
    """The ``code`` of each error, in order."""
    return [e.code for e in errors]


def places_hierarchy() -> Hierarchy:
    """Two communities; buildings under a grid, a household under a grid, one with no grid."""
    return Hierarchy(
        [
            Node("C", NodeKind.CITY, "c"),
            Node("M", NodeKind.COMMUNITY, "m", "C"),
            Node("G1", NodeKind.GRID, "g1", "M"),
            Node("B1", NodeKind.BUILDING, "b1", "G1"),
            Node("H1", NodeKind.HOUSEHOLD, "1", "B1"),
            Node("H2", NodeKind.HOUSEHOLD, "2", "B1"),
            Node("B2", NodeKind.BUILDING, "b2", "G1"),
            Node("H3", NodeKind.HOUSEHOLD, "3", "B2"),
            Node("G2", NodeKind.GRID, "g2", "M"),
            Node("H4", NodeKind.HOUSEHOLD, "4", "G2"),
            Node("H5", NodeKind.HOUSEHOLD, "5", "M"),
            Node("M2", NodeKind.COMMUNITY, "m2", "C"),
            Node("G3", NodeKind.GRID, "g3", "M2"),
            Node("H6", NodeKind.HOUSEHOLD, "6", "G3"),
        ]
    )


def stored(records: Mapping[str, Any]) -> dict[str, Any]:
    """``records`` as a service gets them back from its store: each written with
    ``to_dict(REVEAL)`` to JSON text, then read again with ``from_dict``."""
    return {
        key: from_dict(type(record), json.loads(json.dumps(to_dict(record, REVEAL))))
        for key, record in records.items()
    }
