"""Embed gridcare in a service: the declaration event log in SQLite, rebuilt by replay.

Run from the repository root::

    python examples/service_sqlite.py                   # a temporary database
    python examples/service_sqlite.py --db events.db    # keep the database in a file

gridcare does no I/O, so the service owns storage. This example keeps the
lifecycle events of declarations in an append-only SQLite table (standard
library ``sqlite3``) and shows the three properties a service needs:

1. raw form dicts are validated (``parse_form``), routed to a grid
   (``AddressIndex`` over a small synthetic city) and taken through their
   review (submitted, assigned, review started, verified ...), each event
   written by one INSERT in its own transaction *before* the in-memory state
   changes; an illegal event is refused and never written;
2. after a restart, a NEW connection rebuilds every declaration's state by
   replaying the stored log (``replay_declarations``): it equals the state the
   service held before;
3. a crash between two writes loses nothing: a child process is killed
   (``os._exit``) halfway through writing event k+1; the log then holds
   exactly events 1..k, and re-sending events k..n after the restart stores
   each missing one once (event ids are unique: a re-sent event is a no-op).

It also assesses every declarant (``assess`` over ``history_of``) and prints a
summary. Personal data is printed masked. Exit status 0 when every check
passes, 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from gridcare import (
    PRESETS,
    AreaCode,
    Assessment,
    CitizenId,
    IllegalTransition,
    InvalidInput,
    RiskDesignation,
    RiskLevel,
    RiskRegister,
    assess,
)
from gridcare.declarations import (
    DECLARATION_EVENT_CLASSES,
    AddressIndex,
    CorrectionRequested,
    Declaration,
    DeclarationEvent,
    DeclarationEventKind,
    DeclarationRecord,
    MarkedUnrouted,
    Resubmitted,
    ReviewStarted,
    Submitted,
    UnroutedReason,
    VerificationMethod,
    Verified,
    apply_declaration_event,
    example_form,
    history_of,
    parse_form,
    replay_declarations,
    routing_event,
)
from gridcare.masking import mask_name
from gridcare.testing import synthetic_city
from gridcare.timeutil import DEFAULT_ZONE as CST

#: Forms arrive from this instant on (the example form's train reaches Zhuzhou at 18:30).
FIRST_RECEIPT = datetime(2022, 3, 19, 9, 0, tzinfo=CST)
#: The instant the declarants are assessed.
AS_OF = datetime(2022, 3, 21, 8, 0, tzinfo=CST)
POLICY = "hunan-2022-03"
#: The exit status of the child process that "crashes".
CRASH_EXIT = 3

#: Where the declarants come from: (division code, free-text detail).
ORIGINS = (
    ("420106", "武昌区"),
    ("310115", "浦东新区"),
    ("440305", "南山区"),
    ("430102", "芙蓉区"),
)

# ----------------------------------------------------------------------------- the event log

SCHEMA = """
CREATE TABLE IF NOT EXISTS declaration_forms (
    declaration_id TEXT PRIMARY KEY,
    received_at    TEXT NOT NULL,
    payload        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS declaration_events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       TEXT NOT NULL UNIQUE,
    declaration_id TEXT NOT NULL,
    kind           TEXT NOT NULL,
    at             TEXT NOT NULL,
    body           TEXT NOT NULL
);
"""

#: How stored JSON values become event fields again (the others are stored as they are).
DECODERS: dict[str, Callable[[Any], Any]] = {
    "method": VerificationMethod,
    "fields": tuple,
    "measures_ended_at": datetime.fromisoformat,
}
_COMMON = ("id", "at", "declaration_id")


def encode(event: DeclarationEvent) -> tuple[str, str, str, str, str]:
    """An event as a row: id, declaration id, kind, ISO instant, JSON of its other fields."""
    body: dict[str, Any] = {}
    for field in attrs.fields(type(event)):
        if field.name in _COMMON:
            continue
        value = getattr(event, field.name)
        body[field.name] = value.isoformat() if isinstance(value, datetime) else value
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return event.id, event.declaration_id, event.kind.value, event.at.isoformat(), text


def decode(event_id: str, declaration_id: str, kind: str, at: str, body: str) -> DeclarationEvent:
    """The event a row holds (the inverse of :func:`encode`)."""
    cls = DECLARATION_EVENT_CLASSES[DeclarationEventKind(kind)]
    fields: dict[str, Any] = json.loads(body)
    for name, value in fields.items():
        if name == "reason" and cls is MarkedUnrouted:
            fields[name] = UnroutedReason(value)
        elif name in DECODERS and value is not None:
            fields[name] = DECODERS[name](value)
    return cls(id=event_id, at=datetime.fromisoformat(at), declaration_id=declaration_id, **fields)


class EventStore:
    """The append-only log: one INSERT per event, each in its own transaction."""

    def __init__(self, path: Path) -> None:
        # isolation_level=None: no implicit transactions; we say BEGIN and COMMIT ourselves.
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.executescript(SCHEMA)

    def append(self, event: DeclarationEvent, *, form: tuple[str, str] | None = None) -> bool:
        """Store ``event`` (and, for a submit, its form); False when its id is already stored."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO declaration_events"
                " (event_id, declaration_id, kind, at, body) VALUES (?, ?, ?, ?, ?)",
                encode(event),
            )
            stored = cursor.rowcount == 1
            if stored and form is not None:
                self.conn.execute(
                    "INSERT INTO declaration_forms (declaration_id, received_at, payload)"
                    " VALUES (?, ?, ?)",
                    (event.declaration_id, *form),
                )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return stored

    def has(self, event_id: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM declaration_events WHERE event_id = ?", (event_id,)
        ).fetchone()
        return row is not None

    def events(self) -> list[DeclarationEvent]:
        rows = self.conn.execute(
            "SELECT event_id, declaration_id, kind, at, body FROM declaration_events ORDER BY seq"
        )
        return [decode(*row) for row in rows]

    def count(self, event_id: str | None = None) -> int:
        if event_id is None:
            (n,) = self.conn.execute("SELECT count(*) FROM declaration_events").fetchone()
        else:
            (n,) = self.conn.execute(
                "SELECT count(*) FROM declaration_events WHERE event_id = ?", (event_id,)
            ).fetchone()
        return int(n)

    def forms(self) -> list[tuple[str, datetime, dict[str, Any]]]:
        rows = self.conn.execute(
            "SELECT declaration_id, received_at, payload FROM declaration_forms"
            " ORDER BY declaration_id"
        )
        return [(i, datetime.fromisoformat(t), json.loads(p)) for i, t, p in rows]

    def close(self) -> None:
        self.conn.close()


class DeclarationService:
    """The service's state: records by declaration id, changed only after the log is written."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.records: dict[str, DeclarationRecord] = {}

    @classmethod
    def restore(cls, store: EventStore) -> tuple[DeclarationService, int]:
        """Rebuild the state from the stored log; returns the service and the events replayed."""
        service = cls(store)
        replayed = replay_declarations(store.events())
        if replayed.rejected or replayed.duplicates:
            raise RuntimeError(f"the stored log does not replay cleanly: {replayed.rejected!r}")
        service.records = dict(replayed.records)
        return service, len(replayed.applied)

    def handle(self, event: DeclarationEvent, *, form: tuple[str, str] | None = None) -> str:
        """Apply one event: ``"stored"``, ``"duplicate"`` (already in the log) or ``"refused"``."""
        if self.store.has(event.id):
            return "duplicate"
        try:
            record = apply_declaration_event(self.records.get(event.declaration_id), event)
        except IllegalTransition:
            return "refused"
        if not self.store.append(event, form=form):  # written concurrently: still a no-op
            return "duplicate"
        self.records[event.declaration_id] = record  # only after the commit
        return "stored"


# ----------------------------------------------------------------------------- the inputs


def raw_forms(n: int, seed: int) -> tuple[list[tuple[str, datetime, dict[str, Any]]], Any]:
    """``n`` raw form dicts (with ids and receipt instants) from residents of a small city.

    Row 3 carries an unknown door QR code (it cannot be routed); the last row
    has a wrong phone number (it is rejected).
    """
    city = synthetic_city("zhuzhou", scale=0.002, seed=seed)
    rng = random.Random(seed)
    people = [
        r for r in city.residents if isinstance(r.document, CitizenId) and r.phone is not None
    ]
    forms: list[tuple[str, datetime, dict[str, Any]]] = []
    for i, person in enumerate(rng.sample(people, n)):
        form = example_form()
        form["identity"] = {
            "name": person.name,
            "id_kind": "citizen_id",
            "id_number": person.document.number,
        }
        form["phone"] = person.phone.number if person.phone is not None else ""
        form["address"] = {"household_id": person.household_id}
        area, detail = ORIGINS[i % len(ORIGINS)]
        form["origin"] = {"area": area, "detail": detail}
        form["stays"] = [
            {
                "place": area,
                "start": f"2022-03-{5 + i % 7:02d}T00:00:00",
                "end": "2022-03-19T15:00:00",
            }
        ]
        if i == 3:
            form["address"] = {"door_code": "QR-NOT-HANDED-OUT"}
        if i == n - 1:
            form["phone"] = "12345"
        forms.append((f"D{i:04d}", FIRST_RECEIPT + timedelta(minutes=7 * i), form))
    return forms, city


def lifecycle(declaration: Declaration, index: AddressIndex, row: int) -> list[DeclarationEvent]:
    """The events of one declaration: submitted, routed, then one of four review paths."""
    d = declaration
    at = d.received_at

    def later(hours: float) -> datetime:
        return at + timedelta(hours=hours)

    events: list[DeclarationEvent] = [Submitted.of(d, event_id=f"{d.id}-1")]
    route = index.route(d.address)
    events.append(routing_event(route, declaration_id=d.id, event_id=f"{d.id}-2", at=later(0.05)))
    if not route.routed:
        return events
    events.append(ReviewStarted(id=f"{d.id}-3", at=later(3), declaration_id=d.id, worker_id="W1"))
    path = row % 4
    if path in (0, 1):
        events.append(
            Verified(
                id=f"{d.id}-4",
                at=later(5),
                declaration_id=d.id,
                method=VerificationMethod.DOOR_VISIT,
            )
        )
    elif path == 2:
        events += [
            CorrectionRequested(
                id=f"{d.id}-4", at=later(4), declaration_id=d.id, fields=("stays",)
            ),
            Resubmitted(id=f"{d.id}-5", at=later(8), declaration_id=d.id),
            Verified(
                id=f"{d.id}-6", at=later(9), declaration_id=d.id, method=VerificationMethod.PHONE
            ),
        ]
    return events  # path 3: still in review


def build(n: int, seed: int) -> tuple[list[Declaration], list[str], list[DeclarationEvent]]:
    """The accepted declarations, the rejected rows (masked), and every event in sending order."""
    rows, city = raw_forms(n, seed)
    index = AddressIndex.from_hierarchy(city.hierarchy)
    accepted: list[Declaration] = []
    rejected: list[str] = []
    events: list[DeclarationEvent] = []
    for row, (declaration_id, received_at, form) in enumerate(rows):
        try:
            d = parse_form(form, declaration_id=declaration_id, received_at=received_at)
        except InvalidInput as exc:
            rejected += [f"{declaration_id}: {error}" for error in exc.errors]
            continue
        accepted.append(d)
        events += lifecycle(d, index, row)
    return accepted, rejected, events


def forms_by_id(n: int, seed: int) -> dict[str, tuple[str, str]]:
    """What is stored with each submit event: receipt instant and the form as JSON."""
    rows, _ = raw_forms(n, seed)
    return {i: (t.isoformat(), json.dumps(f, ensure_ascii=False)) for i, t, f in rows}


def send(
    service: DeclarationService,
    events: Iterable[DeclarationEvent],
    forms: dict[str, tuple[str, str]],
) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    for event in events:
        form = forms.get(event.declaration_id) if isinstance(event, Submitted) else None
        outcomes[service.handle(event, form=form)] += 1
    return outcomes


# ----------------------------------------------------------------------------- the checks


class Checks:
    def __init__(self) -> None:
        self.failed = 0

    def __call__(self, ok: bool, text: str) -> None:
        print(f"check: {text}: {'OK' if ok else 'MISMATCH'}")
        if not ok:
            self.failed += 1


def states(records: dict[str, DeclarationRecord]) -> str:
    counts = Counter(r.state.value for r in records.values())
    return ", ".join(f"{state} {n}" for state, n in sorted(counts.items()))


def crash_child(db: Path, n: int, seed: int, k: int) -> int:
    """Send events 1..k, then die while writing event k+1 (INSERT done, no COMMIT)."""
    _, _, events = build(n, seed)
    store = EventStore(db)
    service = DeclarationService(store)
    send(service, events[:k], forms_by_id(n, seed))
    store.conn.execute("BEGIN IMMEDIATE")
    store.conn.execute(
        "INSERT INTO declaration_events (event_id, declaration_id, kind, at, body)"
        " VALUES (?, ?, ?, ?, ?)",
        encode(events[k]),
    )
    sys.stdout.flush()
    os._exit(CRASH_EXIT)  # no COMMIT, no cleanup: as if the process were killed


def crash_check(check: Checks, n: int, seed: int, events: Sequence[DeclarationEvent]) -> None:
    forms = forms_by_id(n, seed)
    k = len(events) // 2
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "crash.sqlite3"
        argv = [sys.executable, __file__, "--db", str(db), "--declarations", str(n)]
        argv += ["--seed", str(seed), "--crash-after", str(k)]
        child = subprocess.run(argv, capture_output=True, text=True, check=False)
        print(
            f"crash: a child process wrote events 1..{k} of {len(events)} and died while "
            f"writing event {k + 1} (exit status {child.returncode})"
        )
        check(child.returncode == CRASH_EXIT, "the child process died where it was told to")
        store = EventStore(db)  # a new connection: SQLite rolls the unfinished write back
        stored = store.events()
        check(
            [e.id for e in stored] == [e.id for e in events[:k]],
            f"the log after the crash holds exactly events 1..{k}",
        )
        service, replayed = DeclarationService.restore(store)
        expected = replay_declarations(events[:k]).records
        check(
            service.records == expected and replayed == k,
            f"the state rebuilt after the crash equals the replay of events 1..{k}",
        )
        again = send(service, events[k - 1 :], forms)
        print(
            f"resend: events {k}..{len(events)} sent again: {again['stored']} stored, "
            f"{again['duplicate']} already in the log, {again['refused']} refused"
        )
        check(
            again["stored"] == len(events) - k and again["duplicate"] == 1,
            "every missing event was stored once, the one already stored was ignored",
        )
        twice = send(service, [events[k]], forms)
        check(
            twice["duplicate"] == 1 and store.count(events[k].id) == 1,
            f"event {k + 1} ({events[k].id}) sent once more is applied once (idempotent)",
        )
        store.close()
        fresh = EventStore(db)
        final = replay_declarations(fresh.events())
        fresh.close()
        full = replay_declarations(events).records
        check(
            final.records == full and not final.rejected and not final.duplicates,
            "after recovery the log replays to the same states as a run without a crash",
        )


# ----------------------------------------------------------------------------- the run


def march(day: int) -> datetime:
    return datetime(2022, 3, day, tzinfo=CST)


def assessment_line(d: Declaration, record: DeclarationRecord | None, a: Assessment) -> str:
    end = a.plan.end if a.plan is not None else None
    until = "—" if end is None else end.astimezone(CST).strftime("%m-%d %H:%M")
    state = record.state.value if record is not None else "—"
    measure = a.measure.value if a.measure is not None else "—"
    return (
        f"  {d.id}  {mask_name(d.name):<4} {d.phone.masked()}  {state:<13} "
        f"{a.category.value:<17} {measure:<23} {a.code_color.value:<6} until {until}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="the SQLite file (default: a temporary file)")
    parser.add_argument("--declarations", type=int, default=12, help="forms to receive (>= 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--crash-after", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.declarations < 5:
        parser.error("--declarations must be at least 5")
    if args.crash_after is not None:
        if args.db is None or args.crash_after <= 0:
            parser.error("--crash-after needs --db and a positive event number")
        return crash_child(args.db, args.declarations, args.seed, args.crash_after)
    with tempfile.TemporaryDirectory() as tmp:
        return run(args.db or Path(tmp) / "gridcare-events.sqlite3", args.declarations, args.seed)


def run(db: Path, n: int, seed: int) -> int:
    check = Checks()
    print(f"gridcare service example: declaration event log in SQLite at {db}")
    declarations, rejected, events = build(n, seed)
    forms = forms_by_id(n, seed)
    print(f"forms: {n} received, {len(declarations)} accepted, {len(rejected)} rejected")
    for line in rejected:
        print(f"  rejected {line}")

    # 1. The live service: every event written (one transaction each) before the state changes.
    store = EventStore(db)
    service, already = DeclarationService.restore(store)
    print(f"start: {already} events already in the log (a re-run re-sends them: no-ops)")
    outcomes = send(service, events, forms)
    unrouted = [r for r in service.records.values() if r.unrouted_reason is not None]
    print(
        f"routing: {len(declarations) - len(unrouted)} routed to grids, {len(unrouted)} unrouted"
        f" ({', '.join(sorted({str(r.unrouted_reason) for r in unrouted})) or '—'})"
    )
    print(
        f"events: {outcomes['stored']} written, one INSERT per event in its own transaction "
        f"({outcomes['duplicate']} duplicates, {outcomes['refused']} refused)"
    )
    if unrouted:
        target = unrouted[0].declaration_id
        wrong = Verified(
            id=f"{target}-x",
            at=AS_OF,
            declaration_id=target,
            method=VerificationMethod.DOOR_VISIT,
        )
        refused = service.handle(wrong)
        check(
            refused == "refused" and not store.has(wrong.id),
            f"verifying the unrouted {target} is refused and never written",
        )
    before = dict(service.records)
    print(f"states before the restart: {states(before)}")
    check(store.count() == len(events), f"the log holds the {len(events)} events sent")
    store.close()

    # 2. Restart: a new connection, the state rebuilt from the log alone.
    store = EventStore(db)
    restored, replayed = DeclarationService.restore(store)
    print(f"restart: new connection, {store.count()} events read, {replayed} replayed")
    print(f"states after the restart:  {states(restored.records)}")
    check(
        restored.records == before,
        f"the rebuilt states equal the states before the restart ({len(before)} declarations)",
    )

    # 3. A crash between two writes loses nothing.
    crash_check(check, n, seed, events)

    # 4. Assess every declarant from the stored forms.
    policy = PRESETS[POLICY]
    register = RiskRegister(
        [
            RiskDesignation(AreaCode.parse("420106"), RiskLevel.HIGH, march(12)),
            RiskDesignation(AreaCode.parse("310115"), RiskLevel.MEDIUM, march(10)),
            RiskDesignation(AreaCode.parse("440000"), RiskLevel.AFFECTED, march(1)),
        ]
    )
    print(f"assessments ({POLICY}, as of {AS_OF:%Y-%m-%d %H:%M}):")
    categories: Counter[str] = Counter()
    colors: Counter[str] = Counter()
    for declaration_id, received_at, form in store.forms():
        d = parse_form(form, declaration_id=declaration_id, received_at=received_at)
        history = history_of(d)
        a = assess(
            history.stays,
            register=register,
            policy=policy,
            as_of=AS_OF,
            arrived_at=history.arrived_at,
        )
        categories[a.category.value] += 1
        colors[a.code_color.value] += 1
        print(assessment_line(d, restored.records.get(d.id), a))
    store.close()
    print(
        "summary: "
        + ", ".join(f"{c} {n}" for c, n in categories.most_common())
        + "; codes "
        + ", ".join(f"{c} {n}" for c, n in colors.most_common())
    )
    check(sum(categories.values()) == len(declarations), "every accepted declarant was assessed")

    if check.failed:
        print(f"FAILED: {check.failed} check(s) did not hold")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
