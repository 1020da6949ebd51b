"""The declaration lifecycle: the one transition table, apply, replay."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.helpers import stored

from gridcare.declarations import (
    DECLARATION_EVENT_CLASSES,
    DECLARATION_MACHINE,
    Assigned,
    CorrectionRequested,
    DeclarationEvent,
    DeclarationEventKind,
    DeclarationRecord,
    DeclarationState,
    MarkedDuplicate,
    MarkedUnrouted,
    Rejected,
    Released,
    Resubmitted,
    ReviewStarted,
    Route,
    RouteMethod,
    Submitted,
    Transferred,
    UnroutedReason,
    VerificationMethod,
    Verified,
    Withdrawn,
    apply_declaration_event,
    replay_declarations,
    routing_event,
)
from gridcare.errors import IllegalTransition, InvalidInput
from gridcare.machine import NEW, group_by_subject, replay_order
from gridcare.timeutil import DEFAULT_ZONE

T0 = datetime(2022, 3, 19, 9, 0, tzinfo=DEFAULT_ZONE)
_counter = itertools.count()


def event(kind: str, at: datetime = T0, declaration_id: str = "D1", **extra: Any) -> Any:
    """An event of ``kind`` with plausible fields and a fresh id."""
    common: dict[str, Any] = {"id": f"e{next(_counter):06d}", "at": at}
    common["declaration_id"] = declaration_id
    builders: dict[str, Any] = {
        "submit": lambda: Submitted(**common, **extra),
        "assign": lambda: Assigned(**common, grid_id=extra.get("grid_id", "G1")),
        "mark_unrouted": lambda: MarkedUnrouted(**common, reason=UnroutedReason.UNKNOWN_BUILDING),
        "start_review": lambda: ReviewStarted(**common, worker_id="W1"),
        "verify": lambda: Verified(**common, method=VerificationMethod.DOOR_VISIT),
        "request_correction": lambda: CorrectionRequested(**common, fields=["phone"]),
        "resubmit": lambda: Resubmitted(**common),
        "reject": lambda: Rejected(**common, reason="虚假申报"),
        "mark_duplicate": lambda: MarkedDuplicate(**common, of="D-original"),
        "transfer": lambda: Transferred(**common, to_grid=extra.get("to_grid", "G9")),
        "withdraw": lambda: Withdrawn(**common),
        "release": lambda: Released(**common, measures_ended_at=at),
    }
    return builders[kind]()


K = DeclarationEventKind
KINDS = (K.SUBMIT, *sorted(DECLARATION_MACHINE.kinds - {K.SUBMIT}))


def record_in(state: DeclarationState) -> DeclarationRecord:
    return DeclarationRecord(
        declaration_id="D1",
        state=state,
        submitted_at=T0,
        updated_at=T0,
        grid_id="G1",
        assigned_at=T0,
        first_assigned_at=T0,
    )


def test_table_covers_every_state_and_event_kind() -> None:
    assert DECLARATION_MACHINE.states == set(DeclarationState)
    assert set(KINDS) == {*DECLARATION_MACHINE.kinds, K.SUBMIT} == set(DeclarationEventKind)
    assert DECLARATION_MACHINE.entry_kinds == {K.SUBMIT}
    assert DECLARATION_MACHINE.next(NEW, K.SUBMIT) is DeclarationState.SUBMITTED


def test_every_event_class_says_its_kind() -> None:
    assert set(DECLARATION_EVENT_CLASSES) == set(DeclarationEventKind)
    for kind, cls in DECLARATION_EVENT_CLASSES.items():
        assert cls.kind is kind
        assert event(kind).kind is kind


@pytest.mark.parametrize("state", list(DeclarationState))
@pytest.mark.parametrize("kind", KINDS)
def test_every_pair_follows_the_table(state: DeclarationState, kind: str) -> None:
    e = event(kind, at=T0 + timedelta(hours=1))
    if DECLARATION_MACHINE.is_legal(state, kind):
        after = apply_declaration_event(record_in(state), e)
        assert after.state is DECLARATION_MACHINE.next(state, kind)
        assert after.updated_at == e.at
        assert after.events == 2
    else:
        with pytest.raises(IllegalTransition) as caught:
            apply_declaration_event(record_in(state), e)
        assert caught.value.state == state.value
        assert caught.value.event == kind


@pytest.mark.parametrize("kind", KINDS[1:])
def test_only_submit_creates_a_record(kind: str) -> None:
    with pytest.raises(IllegalTransition, match="in state 'new'"):
        apply_declaration_event(None, event(kind))


def test_what_events_record() -> None:
    r = apply_declaration_event(None, event("submit", late=True, proxy=True))
    assert (r.state, r.late, r.proxy) == (DeclarationState.SUBMITTED, True, True)
    r = apply_declaration_event(r, event("mark_unrouted"))
    assert r.unrouted_reason is UnroutedReason.UNKNOWN_BUILDING
    r = apply_declaration_event(r, event("assign", at=T0 + timedelta(hours=1), grid_id="G1"))
    assert (r.grid_id, r.unrouted_reason, r.first_assigned_at) == ("G1", None, r.assigned_at)
    r = apply_declaration_event(r, event("transfer", at=T0 + timedelta(hours=2), to_grid="G2"))
    assert (r.state, r.grid_id, r.previous_grids) == (DeclarationState.ASSIGNED, "G2", ("G1",))
    assert r.assigned_at == T0 + timedelta(hours=2)
    assert r.first_assigned_at == T0 + timedelta(hours=1)
    with pytest.raises(InvalidInput, match="same_grid"):
        apply_declaration_event(r, event("transfer", to_grid="G2"))
    r = apply_declaration_event(r, event("request_correction", at=T0 + timedelta(hours=3)))
    assert r.correction_fields == ("phone",)
    assert r.reviewed_at == T0 + timedelta(hours=3)
    r = apply_declaration_event(
        apply_declaration_event(r, event("resubmit")), event("verify", at=T0 + timedelta(hours=5))
    )
    assert r.verified_by is VerificationMethod.DOOR_VISIT
    assert r.reviewed_at == T0 + timedelta(hours=3)  # the first decision counts
    ended = T0 + timedelta(days=14)
    r = apply_declaration_event(
        r, Released(id="x1", at=ended, declaration_id="D1", measures_ended_at=ended)
    )
    assert (r.state, r.measures_ended_at) == (DeclarationState.RELEASED, ended)
    with pytest.raises(InvalidInput, match="wrong_declaration"):
        apply_declaration_event(r, event("withdraw", declaration_id="D2"))


def test_events_check_their_fields() -> None:
    with pytest.raises(InvalidInput, match="naive_datetime"):
        Withdrawn(id="e", at=datetime(2022, 3, 19), declaration_id="D1")
    with pytest.raises(InvalidInput, match="missing"):
        CorrectionRequested(id="e", at=T0, declaration_id="D1", fields=[])
    with pytest.raises(InvalidInput, match="self_duplicate"):
        MarkedDuplicate(id="e", at=T0, declaration_id="D1", of="D1")
    with pytest.raises(InvalidInput, match="missing"):
        Assigned(id="", at=T0, declaration_id="D1", grid_id="G1")


def test_routing_event() -> None:
    routed = routing_event(
        Route("G1", "H1", RouteMethod.HOUSEHOLD_ID), declaration_id="D1", event_id="r", at=T0
    )
    assert isinstance(routed, Assigned)
    assert routed.grid_id == "G1"
    unrouted = routing_event(
        Route(None, None, None, UnroutedReason.UNKNOWN_COMMUNITY),
        declaration_id="D1",
        event_id="r",
        at=T0,
    )
    assert isinstance(unrouted, MarkedUnrouted)
    assert unrouted.reason is UnroutedReason.UNKNOWN_COMMUNITY


# --------------------------------------------------------------------------- replay


@st.composite
def event_logs(draw: st.DrawFn) -> list[DeclarationEvent]:
    """Valid logs for a few declarations: random walks over the table, strictly timed."""
    log: list[DeclarationEvent] = []
    for n in range(draw(st.integers(1, 4))):
        declaration_id = f"D{n}"
        at = T0 + timedelta(minutes=draw(st.integers(0, 600)))
        log.append(event("submit", at=at, declaration_id=declaration_id))
        state = DeclarationState.SUBMITTED
        grid = "G1"
        for _ in range(draw(st.integers(0, 8))):
            legal = sorted(
                k for k in DECLARATION_MACHINE.kinds if DECLARATION_MACHINE.is_legal(state, k)
            )
            if not legal:
                break
            kind = draw(st.sampled_from(legal))
            at += timedelta(minutes=draw(st.integers(1, 600)))
            if kind == "transfer":
                grid = "G2" if grid != "G2" else "G3"
            log.append(
                event(kind, at=at, declaration_id=declaration_id, grid_id=grid, to_grid=grid)
            )
            if kind == "assign":
                grid = "G1"
            state = DECLARATION_MACHINE.next(state, kind)
    return log


@given(event_logs(), st.randoms(use_true_random=False))
def test_any_permutation_gives_the_same_states(log: list[DeclarationEvent], rnd: Any) -> None:
    expected = replay_declarations(log)
    assert not expected.rejected
    assert len(expected.applied) == len(log)
    shuffled = list(log)
    rnd.shuffle(shuffled)
    assert replay_declarations(shuffled).records == expected.records


@given(event_logs(), st.data())
def test_duplicated_events_change_nothing(log: list[DeclarationEvent], data: st.DataObject) -> None:
    repeats = data.draw(st.lists(st.sampled_from(log), max_size=10))
    out = replay_declarations(log + repeats)
    assert out.records == replay_declarations(log).records
    assert len(out.duplicates) == len(repeats)
    assert out.total == len(log) + len(repeats)


@given(event_logs(), st.randoms(use_true_random=False))
def test_replay_is_one_fold_of_the_whole_log_in_order(
    log: list[DeclarationEvent], rnd: Any
) -> None:
    """The grouped replay (per declaration) agrees with the plain fold of the sorted log."""
    shuffled = list(log)
    rnd.shuffle(shuffled)
    out = replay_declarations(shuffled)
    records: dict[str, DeclarationRecord] = {}
    for e in sorted(log, key=replay_order):
        records[e.declaration_id] = apply_declaration_event(records.get(e.declaration_id), e)
    assert out.records == records
    by_declaration = group_by_subject(log, lambda e: e.declaration_id)
    assert list(out.applied) == [e for group in by_declaration.values() for e in group]


def test_rejected_events_are_reported_not_dropped() -> None:
    log = [
        event("submit", at=T0),
        event("verify", at=T0 + timedelta(hours=1)),  # not assigned yet
        event("assign", at=T0 + timedelta(hours=2)),
        event("release", at=T0 + timedelta(hours=3), declaration_id="D7"),  # no record
    ]
    out = replay_declarations(log)
    assert len(out.applied) == 2
    assert len(out.rejected) == 2
    assert out.total == 4
    assert {r.event.kind for r in out.rejected} == {"verify", "release"}
    assert out.records["D1"].state is DeclarationState.ASSIGNED


def test_replay_until_is_strict() -> None:
    log = [event("submit", at=T0), event("assign", at=T0 + timedelta(hours=1))]
    out = replay_declarations(log, until=T0 + timedelta(hours=1))
    assert out.records["D1"].state is DeclarationState.SUBMITTED
    assert out.total == 1


def _drawn(marker: str) -> str:
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs" / "declarations.md"
    text = docs.read_text(encoding="utf-8")
    return text.split(f"<!-- {marker} -->\n")[1].split(f"<!-- /{marker} -->")[0].strip()


def test_the_docs_draw_the_table_from_the_table_data() -> None:
    from gridcare.labels import label

    kinds = [
        "submit", "assign", "mark_unrouted", "start_review", "verify", "request_correction",
        "resubmit", "reject", "mark_duplicate", "transfer", "withdraw", "release",
    ]  # fmt: skip
    assert kinds == [k.value for k in DeclarationEventKind]
    assert set(kinds) == DECLARATION_MACHINE.kinds
    lines = ["| state \\ kind | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    rows: list[tuple[DeclarationState | None, str]] = [(NEW, "*new* (尚无记录)")]
    rows += [(state, f"{state.value} ({label(state)})") for state in DeclarationState]
    for state, name in rows:
        cells = [
            DECLARATION_MACHINE.next(state, K(k)).value
            if DECLARATION_MACHINE.is_legal(state, K(k))
            else ""
            for k in kinds
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    assert _drawn("lifecycle-table") == "\n".join(lines)


def test_the_docs_list_every_event_kind_with_its_class() -> None:
    from gridcare.labels import label

    lines = ["| kind | value | event class | 中文 |", "|---|---|---|---|"]
    for kind, cls in DECLARATION_EVENT_CLASSES.items():
        lines.append(f"| `{kind.name}` | `{kind.value}` | `{cls.__name__}` | {label(kind)} |")
    assert _drawn("event-kinds-table") == "\n".join(lines)


# --------------------------------------------------------------------------- stored form


def test_every_kind_of_event_round_trips_through_its_stored_form() -> None:
    import json

    from gridcare.declarations import (
        DECLARATION_EVENT_CLASSES,
        DECLARATION_MACHINE,
        event_from_dict,
        event_to_dict,
    )

    assert set(DECLARATION_EVENT_CLASSES) >= DECLARATION_MACHINE.kinds
    for kind, cls in DECLARATION_EVENT_CLASSES.items():
        event = _sample_event(cls)
        stored = json.loads(json.dumps(event_to_dict(event)))
        assert stored["kind"] == kind
        assert event_from_dict(stored) == event


def _sample_event(cls: type) -> object:
    from datetime import datetime

    import attrs

    from gridcare.declarations import UnroutedReason, VerificationMethod
    from gridcare.timeutil import DEFAULT_ZONE

    at = datetime(2022, 3, 19, 9, 30, tzinfo=DEFAULT_ZONE)
    samples = {
        "id": "e1",
        "at": at,
        "declaration_id": "D1",
        "grid_id": "G1",
        "reason": UnroutedReason.NO_ADDRESS_KEYS if cls.kind == "mark_unrouted" else "假申报",
        "method": VerificationMethod.PHONE,
        "fields": ("stays", "legs"),
        "of": "D0",
        "to_grid": "G2",
        "worker_id": "W1",
        "measures_ended_at": at,
        "late": True,
        "proxy": True,
    }
    names = {f.name for f in attrs.fields(cls)}
    return cls(**{k: v for k, v in samples.items() if k in names})


def test_a_corrupt_stored_event_reports_every_problem() -> None:
    from gridcare.declarations import event_from_dict
    from gridcare.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        event_from_dict(
            {"kind": "verify", "id": "e1", "at": "yesterday", "method": "telepathy", "x": 1}
        )
    codes = {e.code for e in err.value.errors}
    assert codes == {"bad_instant", "bad_choice", "unknown_field", "missing"}
    with pytest.raises(InvalidInput) as naive:
        event_from_dict(
            {"kind": "withdraw", "id": "e1", "at": "2022-03-19T09:00:00", "declaration_id": "D"}
        )
    assert naive.value.code == "naive_datetime"


# --------------------------------------------------------------------------- resuming from records


def test_resuming_treats_an_applied_event_as_a_duplicate() -> None:
    """Regression: replaying a transfer already applied moved the declaration back."""
    h = timedelta(hours=1)
    submit = event("submit", at=T0)
    assign = event("assign", at=T0 + h, grid_id="G1")
    to_g2 = Transferred(id="e3", at=T0 + 2 * h, declaration_id="D1", to_grid="G2")
    to_g3 = Transferred(id="e4", at=T0 + 3 * h, declaration_id="D1", to_grid="G3")
    first = replay_declarations([submit, assign, to_g2, to_g3])
    assert first.records["D1"].grid_id == "G3"
    assert first.records["D1"].event_ids == (submit.id, assign.id, "e3", "e4")
    again = replay_declarations([to_g2], records=first.records)
    assert again.duplicates == (to_g2,)
    assert (again.applied, again.rejected) == ((), ())
    assert again.records == first.records
    assert again.records["D1"].grid_id == "G3"


def test_an_earlier_new_event_on_resume_is_out_of_order() -> None:
    h = timedelta(hours=1)
    first = replay_declarations([event("submit", at=T0), event("assign", at=T0 + 2 * h)])
    late = event("start_review", at=T0 + h)
    out = replay_declarations([late], records=first.records)
    assert [(r.event, r.error.code) for r in out.rejected] == [(late, "out_of_order")]  # type: ignore[attr-defined]
    assert out.records == first.records
    # The same event in one replay of the whole log is applied in its place.
    whole = replay_declarations([event("submit", at=T0), late])
    assert whole.records["D1"].state is DeclarationState.SUBMITTED  # start_review needs assigned
    later = event("start_review", at=T0 + 3 * h)
    assert replay_declarations([later], records=first.records).records["D1"].state is (
        DeclarationState.IN_REVIEW
    )


def test_an_id_naming_two_events_is_rejected_in_a_batch_and_on_resume() -> None:
    h = timedelta(hours=1)
    submit = event("submit", at=T0)
    to_g2 = Transferred(id="t", at=T0 + 2 * h, declaration_id="D1", to_grid="G2")
    to_g3 = Transferred(id="t", at=T0 + 2 * h, declaration_id="D1", to_grid="G3")
    assign = event("assign", at=T0 + h, grid_id="G1")
    for log in ([submit, assign, to_g2, to_g3], [to_g3, assign, submit, to_g2]):
        out = replay_declarations(log)
        assert out.records["D1"].grid_id == "G1"
        assert [(r.event, r.error.code) for r in out.rejected] == [  # type: ignore[attr-defined]
            (to_g2, "conflicting_id"),
            (to_g3, "conflicting_id"),
        ]
    stored = replay_declarations([submit, assign, to_g2]).records
    # On resume the stored event stays; a different event with its id is rejected.
    moved_later = attrs.evolve(to_g3, at=T0 + 4 * h)
    other_declaration = Submitted(id=submit.id, at=T0 + 5 * h, declaration_id="D2")
    out = replay_declarations([moved_later, other_declaration], records=stored)
    assert sorted((r.event.id, r.error.code) for r in out.rejected) == [  # type: ignore[attr-defined]
        (submit.id, "conflicting_id"),
        ("t", "conflicting_id"),
    ]
    assert out.records == stored
    assert replay_declarations([to_g2], records=stored).duplicates == (to_g2,)


@pytest.mark.parametrize(
    ("records", "code"),
    [
        ("x", "wrong_type"),
        (["D1"], "wrong_type"),
        ({"D1": "x"}, "wrong_type"),
        ({1: None}, "wrong_type"),
        ({"D2": record_in(DeclarationState.ASSIGNED)}, "wrong_key"),
    ],
)
def test_wrong_records_are_invalid_input(records: object, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        replay_declarations([], records=records)  # type: ignore[arg-type]
    assert info.value.code == code
    assert info.value.field.startswith("records")


def test_a_record_whose_event_ids_are_one_text_cannot_be_built() -> None:
    with pytest.raises(InvalidInput) as info:
        attrs.evolve(record_in(DeclarationState.ASSIGNED), event_ids="e1")
    assert (info.value.code, info.value.field) == ("not_list", "event_ids")


def test_wrong_events_are_invalid_input() -> None:
    for events in ("abc", None, [object()], [event("submit"), 3]):
        with pytest.raises(InvalidInput):
            replay_declarations(events, until=T0 + timedelta(days=1))  # type: ignore[arg-type]


@given(event_logs(), st.data())
def test_resuming_from_records_gives_one_replay_of_the_whole_log(
    log: list[DeclarationEvent], data: st.DataObject
) -> None:
    ordered = sorted(log, key=replay_order)
    cut = data.draw(st.integers(0, len(ordered)))
    head, tail = ordered[:cut], ordered[cut:]
    again = data.draw(st.lists(st.sampled_from(head), max_size=6)) if head else []
    later = data.draw(st.permutations(tail + again))
    whole = replay_declarations(log)
    first = replay_declarations(data.draw(st.permutations(head)))
    resumed = replay_declarations(later, records=first.records)
    assert resumed.records == whole.records
    assert replay_declarations(later, records=stored(first.records)).records == whole.records
    assert len(resumed.duplicates) == len(again)
    assert resumed.total == len(later)
    # Re-delivered events change nothing on a clean replay either.
    assert replay_declarations(log + again).records == whole.records


@given(event_logs(), st.data())
def test_conflicts_give_the_same_outcome_in_any_order(
    log: list[DeclarationEvent], data: st.DataObject
) -> None:
    # Re-use some ids for other events (same kind, another instant or declaration).
    reused = data.draw(st.lists(st.sampled_from(log), max_size=3))
    clashing = [
        attrs.evolve(e, at=e.at + timedelta(minutes=data.draw(st.integers(0, 30)))) for e in reused
    ]
    full = log + clashing + data.draw(st.lists(st.sampled_from(log), max_size=3))
    shuffled = data.draw(st.permutations(full))

    def view(out: Any) -> tuple[Any, ...]:
        return (
            out.records,
            out.applied,
            out.duplicates,
            [(r.event, getattr(r.error, "code", type(r.error).__name__)) for r in out.rejected],
        )

    a, b = replay_declarations(full), replay_declarations(shuffled)
    assert view(a) == view(b)
    different = {e.id for e in clashing if e not in log}
    assert not different & {e.id for e in (*a.applied, *a.duplicates)}
    assert a.total == len(full)


def test_apply_and_replay_agree_on_the_ids() -> None:
    log = [event("submit", at=T0), event("assign", at=T0 + timedelta(hours=1))]
    folded = apply_declaration_event(apply_declaration_event(None, log[0]), log[1])
    assert folded.event_ids == (log[0].id, log[1].id)
    assert folded.last_event_at == log[1].at
    assert replay_declarations(log).records["D1"] == folded


@pytest.mark.parametrize("days", [-1, 367, 400])
def test_a_release_long_after_or_before_the_measures_ended_is_refused(days: int) -> None:
    from gridcare.declarations import Released

    at = datetime(2022, 3, 27, 10, tzinfo=DEFAULT_ZONE)
    with pytest.raises(InvalidInput) as err:
        Released(id="r", at=at, declaration_id="D1", measures_ended_at=at - timedelta(days=days))
    assert (err.value.code, err.value.field) == ("out_of_range", "measures_ended_at")
    # The edges are accepted: the event's own instant, and 366 days before it.
    for edge in (0, 366):
        Released(id="r", at=at, declaration_id="D1", measures_ended_at=at - timedelta(days=edge))


@attrs.frozen(kw_only=True)
class _LaxWithdrawn(Withdrawn):
    """A subclass whose constructor skips the checks of the declaration events."""

    def __attrs_post_init__(self) -> None:
        pass


def test_events_of_a_subclass_are_checked_where_the_log_enters() -> None:
    # Events of the module's own classes checked their id and instant when built, and the
    # replay takes them on trust; a subclass's constructor might not, so its events are
    # checked as any event is.
    lax = _LaxWithdrawn(id="w", at=datetime(2022, 3, 19, 10), declaration_id="D1")
    with pytest.raises(InvalidInput) as err:
        replay_declarations([event("submit"), lax])
    assert (err.value.code, err.value.field) == ("bad_event", "events.1.at")


@given(event_logs(), st.data())
def test_a_log_with_a_subclass_replays_as_the_same_events(
    log: list[DeclarationEvent], data: st.DataObject
) -> None:
    # One event of a subclass sends the whole log down the checked path.
    repeats = data.draw(st.lists(st.sampled_from(log), max_size=4)) if log else []
    late = T0 + timedelta(minutes=data.draw(st.integers(0, 6000)))
    fields = {"id": "w-lax", "at": late, "declaration_id": data.draw(st.sampled_from(["D0", "DX"]))}
    trusted = replay_declarations([*log, *repeats, Withdrawn(**fields)])
    checked = replay_declarations([*log, *repeats, _LaxWithdrawn(**fields)])
    assert checked.records == trusted.records
    assert [e.id for e in checked.applied] == [e.id for e in trusted.applied]
    assert [e.id for e in checked.duplicates] == [e.id for e in trusted.duplicates]
    assert [(r.event.id, r.message) for r in checked.rejected] == [
        (r.event.id, r.message) for r in trusted.rejected
    ]
