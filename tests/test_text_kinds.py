"""The text rules of a kind, stated once in gridcare.text, and every place that keeps them.

An id holds printable characters only; the quick test (``is_plain``, and
``plain_texts`` over many texts) never accepts a text the full rules refuse;
the hierarchy's nodes, the principals and the testing round's ids and notes
answer exactly as the rules of their kind do.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.errors import InvalidInput
from gridcare.hierarchy import MAX_ID_LENGTH, MAX_NAME_LENGTH, Node, NodeKind
from gridcare.scope import Principal
from gridcare.screening import AwayReason, DueList, MarkedAway, SamplingSite, ScreeningRound
from gridcare.screening.round import require_id, require_note
from gridcare.text import (
    TEXT_CODES,
    TEXT_LIMITS,
    check_text,
    check_text_of,
    is_plain,
    kind_problem,
    plain_texts,
    text_problem,
)
from helpers import expected, refused, text_cases

TEXTS = text_cases()
KINDS = st.sampled_from(sorted(TEXT_LIMITS))


@given(TEXTS, st.integers(0, 80), st.booleans(), st.booleans(), st.booleans())
def test_the_quick_test_accepts_nothing_the_rules_refuse(
    text: str, limit: int, allow_empty: bool, multiline: bool, printable: bool
) -> None:
    if is_plain(text, limit):
        assert (
            text_problem(
                text,
                "f",
                max_length=limit,
                allow_empty=allow_empty,
                multiline=multiline,
                printable=printable,
            )
            is None
        )


@given(st.lists(TEXTS, max_size=6), st.integers(0, 80))
def test_the_quick_test_over_many_texts_is_the_quick_test_of_each(
    texts: list[str], limit: int
) -> None:
    assert plain_texts(texts, limit) == all(is_plain(text, limit) for text in texts)
    assert plain_texts(tuple(texts), limit) == plain_texts(set(texts), limit) or not texts


@given(TEXTS)
def test_an_id_is_text_with_printable_characters_only(text: str) -> None:
    as_text = text_problem(text, "id", max_length=TEXT_LIMITS["id"])
    as_id = kind_problem(text, "id")
    assert (as_id is None) == (as_text is None and text.isprintable())
    if as_id is not None and as_text is None:
        assert as_id.code == "not_printable"
        assert "U+" in as_id.message  # the code point, never the text
    if as_text is not None:
        assert as_id is not None
        assert as_id.code == as_text.code or as_id.code == "not_printable"


@given(TEXTS, KINDS, st.booleans())
def test_a_kind_states_its_limit_and_line_rule(text: str, kind: str, allow_empty: bool) -> None:
    problem = kind_problem(text, "f", kind, allow_empty=allow_empty)
    assert problem == text_problem(
        text,
        "f",
        max_length=TEXT_LIMITS[kind],
        allow_empty=allow_empty,
        multiline=kind == "note",
        printable=kind == "id",
    )
    assert problem is None or problem.code in TEXT_CODES


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("G\u200b1", "not_printable"),  # a zero-width space inside
        ("G\xa01", "not_printable"),  # a no-break space
        ("\u3000G1", "not_printable"),  # an ideographic space
        ("G\ue000", "not_printable"),  # private use
        ("G\u0378", "not_printable"),  # unassigned
        ("G\u202e1", "bidi_control"),  # before not_printable: the rules' order
        ("G\n1", "control_character"),
        ("\u200b", "not_printable"),  # before invisible
        ("\u3164", "invisible"),  # printable but draws nothing
        ("   ", "missing"),
    ],
)
def test_what_an_id_refuses_and_a_name_keeps(text: str, code: str) -> None:
    problem = kind_problem(text, "grid_id")
    assert problem is not None
    assert (problem.code, problem.field) == (code, "grid_id")
    assert text not in problem.message or not text.strip()
    if code == "not_printable" and text != "\u200b":
        assert kind_problem(text, "name", "place") is None  # a name may hold them


def test_a_text_of_a_str_subclass_comes_back_plain() -> None:
    class Sly(str):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = str.__hash__

    for checked in (
        check_text_of(Sly("G1"), "grid_id"),
        require_id(Sly("G1"), "tube_id"),
        require_note(Sly("note"), "note"),
    ):
        assert type(checked) is str


def test_the_quick_tests_never_raise() -> None:
    for value in (None, 3, b"G1", object(), "G1"):
        for limit in (None, "64", 2.5, True, -1, 64):
            assert is_plain(value, limit) in (True, False)  # type: ignore[arg-type]
            assert plain_texts(value, limit) in (True, False)  # type: ignore[arg-type]
    assert plain_texts("G1", 64) is False  # one text is not a collection of texts
    assert plain_texts(["G1", 3], 64) is False  # type: ignore[list-item]


@given(TEXTS)
def test_a_node_keeps_the_rules_of_an_id_and_of_a_place_name(text: str) -> None:
    as_id = expected(text, "id")
    assert refused(lambda: Node(text, NodeKind.GRID, "g", "C")) == as_id
    assert refused(lambda: Node("G", NodeKind.GRID, "g", text)) == as_id
    as_name = expected(text, "name", "place", allow_empty=True)
    assert refused(lambda: Node("G", NodeKind.GRID, text, "C")) == as_name
    assert refused(lambda: Principal("W1", text)) == as_id


def test_the_limits_of_a_node_are_those_of_its_kinds() -> None:
    assert (TEXT_LIMITS["id"], TEXT_LIMITS["place"]) == (MAX_ID_LENGTH, MAX_NAME_LENGTH)
    Node("G" * MAX_ID_LENGTH, NodeKind.GRID, "名" * MAX_NAME_LENGTH)
    with pytest.raises(InvalidInput) as info:
        Node("G", NodeKind.GRID, "名" * (MAX_NAME_LENGTH + 1))
    assert (info.value.code, info.value.field) == ("too_long", "name")


def test_a_node_refuses_a_terminal_escape_in_its_name_without_quoting_it() -> None:
    with pytest.raises(InvalidInput) as info:
        Node("G", NodeKind.GRID, "第1网格\x1b[2J430202193903070024")
    assert (info.value.code, info.value.field) == ("control_character", "name")
    assert "\x1b" not in str(info.value)
    assert "4302021939" not in str(info.value)


T0 = datetime(2022, 3, 26, 7, 30, tzinfo=UTC)
AWAY = AwayReason.OUT_OF_AREA
ROUND = ScreeningRound(id="S1", scope="C", start=T0, end=T0 + timedelta(hours=5))


@given(TEXTS)
def test_the_rounds_ids_and_notes_keep_the_rules_of_their_kinds(text: str) -> None:
    away: dict[str, Any] = {"id": "E1", "at": T0, "round_id": "S1", "reason": AWAY}
    assert refused(lambda: MarkedAway(**away, resident_id=text)) == expected(text, "id")
    assert refused(lambda: MarkedAway(**away, resident_id="R1", note=text)) == expected(
        text, "note", "note", allow_empty=True
    )
    as_place = expected(text, "name", "place", allow_empty=True)
    site = refused(lambda: SamplingSite(id="P1", node_id="G1", stations=(), name=text))
    assert site == ("no_stations" if as_place is None else as_place)


def test_a_due_list_takes_every_id_the_rule_takes_and_no_other() -> None:
    odd_but_ids = {"-R1": "_H1", "R2": "H1"}  # not first a letter or digit: still ids
    due = DueList(round_id="S1", scope_position=0, household_of=odd_but_ids,
                  place_of=dict.fromkeys(odd_but_ids, 0))  # fmt: skip
    assert len(due) == 2
    for bad in (" ", "R\u200b3", "\u3164"):
        ids = {"R1": "H1", bad: "H1"}
        with pytest.raises(InvalidInput) as info:
            DueList(round_id="S1", scope_position=0, household_of=ids,
                    place_of=dict.fromkeys(ids, 0))  # fmt: skip
        assert info.value.code == "bad_due"


def test_a_note_holds_up_to_a_thousand_characters_and_its_line_breaks() -> None:
    assert require_note("第一行\n第二行", "note") == "第一行\n第二行"
    assert require_note("", "note") == ""
    require_note("x" * TEXT_LIMITS["note"], "note")
    with pytest.raises(InvalidInput) as info:
        require_note("x" * (TEXT_LIMITS["note"] + 1), "note")
    assert info.value.code == "too_long"
    assert unicodedata.category("\x0b") == "Cc"
    with pytest.raises(InvalidInput) as info:
        require_note("a\x0bb", "note")  # a vertical tab is not a line break here
    assert info.value.code == "control_character"


@given(TEXTS)
def test_a_report_row_keeps_the_rules_of_a_nodes_id_and_name(text: str) -> None:
    from gridcare.reports import ReportRow

    grid = NodeKind.GRID
    assert refused(lambda: ReportRow(text, "一网格", grid, 1, {})) == expected(text, "node_id")
    as_name = expected(text, "name", "place", allow_empty=True)
    assert refused(lambda: ReportRow("G1", text, grid, 1, {})) == as_name


def test_the_edges_of_the_rules() -> None:
    """Edges a mutation run found untested: each line fails if its rule's bound or
    branch is changed."""
    # The quick test: the limit itself is within it; only the first character must be
    # a letter or digit; a text of one character is a text.
    assert is_plain("G" * 64, 64)
    assert is_plain("G-1", 64)
    assert plain_texts(["G"], 64)
    assert plain_texts(["GG"], 2)
    assert not plain_texts(["GGG"], 2)
    # The full rules at the limit, off the quick path (a leading blank, a format character).
    assert text_problem(" x", "f", max_length=2) is None
    assert text_problem("x\u200b", "f", max_length=2) is None
    assert text_problem(" X", "f", max_length=5) is None
    assert text_problem(" x", "f", max_length=1_000_000) is None  # the largest limit
    # Blanks that are not printable, allowed where empty is.
    assert text_problem("\u3000", "f", max_length=5, allow_empty=True) is None
    assert text_problem("\u3000", "f", max_length=5).code == "missing"  # type: ignore[union-attr]
    # A paragraph separator is a control; an unassigned code point draws something.
    assert text_problem("a\u2029b", "f", max_length=5).code == "control_character"  # type: ignore[union-attr]
    assert text_problem("\u0378", "f", max_length=5) is None
    # A blank letter beside a format character shows nothing.
    assert text_problem("\u3164\u200b", "f", max_length=5).code == "invisible"  # type: ignore[union-attr]
    # Line breaks in a multi-line text that must be printable otherwise.
    assert text_problem("a\nb", "f", max_length=5, multiline=True, printable=True) is None
    hidden = text_problem("a\u200bb", "f", max_length=5, multiline=True, printable=True)
    assert hidden is not None
    assert hidden.code == "not_printable"


def test_check_text_keeps_its_field_its_blanks_and_plain_strings() -> None:
    class Sly(str):
        pass

    assert type(check_text(Sly("G1"), "f", max_length=5)) is str
    assert check_text(Sly("G1"), "f", max_length=5) == "G1"
    assert check_text_of(Sly("G1"), "f") == "G1"
    assert check_text("", "f", max_length=5, allow_empty=True) == ""
    with pytest.raises(InvalidInput) as info:
        check_text("\x00", "grid_id", max_length=5)
    assert info.value.field == "grid_id"


@pytest.mark.parametrize("kind", ["nonsense", 3, None, []])
def test_a_kind_not_in_the_table_is_refused(kind: object) -> None:
    with pytest.raises(InvalidInput) as info:
        kind_problem("x", "f", kind)  # type: ignore[arg-type]
    assert (info.value.code, info.value.field) == ("unknown_choice", "kind")
