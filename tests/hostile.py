"""Garbage into every public name: the machinery of ``test_hostile_public.py``.

Every public name is enumerated from the top level and from the ``__all__`` of
every public submodule. Each callable (function, class, and every public
method of a class this module has an instance of) is called once per argument
and per hostile value, with that argument hostile and the others valid. Valid
arguments come from the parameter's default, else from its annotation: an
instance of the annotated class found in a small synthetic report day, or a
plain value for the built-in types. A call may return or raise a
``GridcareError``; anything else, or a call running past its deadline, is a
finding.

``python tests/hostile.py`` prints the figures quoted in docs/reliability.md.
"""

from __future__ import annotations

import collections
import enum
import importlib
import inspect
import math
import pkgutil
import random
import signal
import sys
import time as clock
import types
import typing
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import attrs
from hypothesis.errors import HypothesisWarning

import gridcare
from gridcare.errors import GridcareError

# ----------------------------------------------------------------------------- hostile values


def _deep(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


class _Hostile:
    """An object whose every protocol method raises: a caller must not need any of them."""

    def __repr__(self) -> str:
        raise RuntimeError("repr of a hostile object")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq of a hostile object")

    __hash__ = object.__hash__


class _FailingCollection:
    """A caller's collection (a store's cursor) that fails while it is read, its message
    holding a phone number: neither the exception nor the number may come out."""

    def __iter__(self) -> Iterator[object]:
        yield from ()
        raise RuntimeError("the store went away, call 13812345678")

    def __len__(self) -> int:
        raise RuntimeError("the store went away, call 13812345678")


class _FailingMapping(Mapping[object, object]):
    """A caller's mapping whose every read fails, its message holding a phone number."""

    def __getitem__(self, key: object) -> object:
        raise RuntimeError("the store went away, call 13812345678")

    def __iter__(self) -> Iterator[object]:
        raise RuntimeError("the store went away, call 13812345678")

    def __len__(self) -> int:
        raise RuntimeError("the store went away, call 13812345678")


#: The hostile values every argument gets, each of them.
HOSTILE: dict[str, object] = {
    "None": None,
    "True": True,
    "-1": -1,
    "2**63": 2**63,
    "10**100": 10**100,
    "nan": math.nan,
    "inf": math.inf,
    "Decimal(NaN)": Decimal("NaN"),
    "empty text": "",
    "lone surrogate": "\ud800",
    "control characters": "\x00\x1b[31m\u200b",
    "huge text": "x" * 100_000,
    "bytes": b"\xff\x00",
    "deep list": _deep(50_000),
    "list of None": [None],
    "mapping": {"a": 1},
    "naive instant": datetime(2022, 3, 27, 8),
    "year 9999": datetime(9999, 12, 31, 23, tzinfo=UTC),
    "year 1": date(1, 1, 1),
    "time": time(1),
    "timedelta.max": timedelta.max,
    "object": object(),
    "failing collection": _FailingCollection(),
    "failing mapping": _FailingMapping(),
}

# ----------------------------------------------------------------------------- the public names

#: Names that are not entry points for data: the pytest hooks are called by pytest, and
#: the bulk helper pauses the collector (a process-wide switch the caller opts into).
NOT_ENTRY_POINTS = frozenset(
    {
        "gridcare.testing.plugin.pytest_addoption",
        "gridcare.testing.plugin.pytest_configure",
        "gridcare.bulk.collector_paused",
    }
)


class _Picker:
    """A seeded picker for the form builder (any object with ``integer(lo, hi)``)."""

    def __init__(self) -> None:
        self._rng = random.Random(0)

    def integer(self, lo: int, hi: int) -> int:
        return self._rng.randint(lo, hi)


#: Arguments that must not take their annotation's plain value (a full-size city is slow).
VALID_OVERRIDES: dict[str, dict[str, object]] = {
    "pick": {"pick": _Picker()},
    "scale": {"scale": 0.001},
    "count": {"count": 3},
    "n": {"n": 3},
    "declarations": {"declarations": 5},
    # A metric's name (a node id is no metric: every call would stop at the metric).
    "metric_name": {"metric_name": "hazards"},
    "metric": {"metric": "hazards"},
    # No campaign is in the sample day: every function of a campaign would stop at it.
    "campaign": {
        "campaign": gridcare.Campaign(
            id="K1",
            scope="G",
            round=1,
            start=datetime(2022, 3, 20, tzinfo=UTC),
            end=datetime(2022, 3, 28, tzinfo=UTC),
        )
    },
}


def public_modules() -> list[str]:
    """The top level and every submodule with no private part in its name."""
    names = ["gridcare"]
    for info in pkgutil.walk_packages(gridcare.__path__, "gridcare."):
        parts = info.name.split(".")[1:]
        if any(part.startswith("_") for part in parts):
            continue
        names.append(info.name)
    return names


def public_names() -> dict[str, object]:
    """Every public name, once per object: ``module.name`` → object."""
    found: dict[str, object] = {}
    seen: set[int] = set()
    for module_name in public_modules():
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # an optional extra that is not installed
            continue
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            qualified = _defined_name(obj) or f"{module_name}.{name}"
            if id(obj) in seen or qualified in NOT_ENTRY_POINTS:
                continue
            seen.add(id(obj))
            found[qualified] = obj
    return found


def _defined_name(obj: object) -> str | None:
    """``module.qualname`` where ``obj`` is defined, if it says (functions and classes do)."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and module.startswith("gridcare"):
        return f"{module}.{qualname}"
    return None


# ----------------------------------------------------------------------------- valid arguments


def _walk(root: object, limit: int = 200_000) -> Iterator[object]:
    """Every value reachable from ``root`` through attrs fields and containers."""
    stack = [root]
    seen: set[int] = set()
    while stack and len(seen) < limit:
        value = stack.pop()
        if id(value) in seen or isinstance(value, (str, bytes, int, float, enum.Enum)):
            continue
        seen.add(id(value))
        yield value
        if attrs.has(type(value)):
            stack.extend(getattr(value, a.name) for a in attrs.fields(type(value)))
        elif isinstance(value, Mapping):
            stack.extend(list(value.values())[:50])
            stack.extend(list(value.keys())[:5])
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend(list(value)[:50])


@dataclass
class Samples:
    """One valid instance per type, taken from a small synthetic report day."""

    by_type: dict[type, object] = field(default_factory=dict)
    grid: str = "G"
    day: date = date(2022, 3, 27)
    cutoff: datetime = datetime(2022, 3, 27, 8, tzinfo=UTC)

    def add(self, value: object) -> None:
        self.by_type.setdefault(type(value), value)

    def of(self, kind: type) -> object:
        if kind in self.by_type:
            return self.by_type[kind]
        if getattr(kind, "_is_protocol", False):
            raise LookupError(kind)
        for have, value in self.by_type.items():
            if isinstance(kind, type) and issubclass(have, kind):
                return value
        raise LookupError(kind)


def build_samples() -> Samples:
    """A tiny city's report day, its daily report and the objects the workflows take."""
    from gridcare import (
        AddressIndex,
        Principal,
        Roster,
        TallyBuilder,
        View,
        daily_report,
    )
    from gridcare.testing import synthetic_city
    from gridcare.testing.scenario import synthetic_day

    city = synthetic_city(scale=0.001, seed=3)
    day = synthetic_day(city, seed=3)
    h = city.hierarchy
    samples = Samples(cutoff=day.cutoff, day=day.cutoff.date())
    samples.grid = h.nodes_of(gridcare.NodeKind.GRID)[0].id
    tally = day.tally()
    report = daily_report(h, tally, cutoff=day.cutoff)
    extra: list[object] = [
        city,
        day,
        h,
        tally,
        report,
        TallyBuilder(),
        View(h, Principal("P", h.root.id)),
        Principal("P", h.root.id),
        AddressIndex.from_hierarchy(h),
        Roster(h, [], []),
        day.counts()[0],
        day.round_summary(),
        h.root,  # a Node: its methods
        city.households[0],  # a Household: Household.trusted among its methods
        city.residents[0],  # a Resident: Resident.trusted among its methods
        city.residents[0].document,  # a CitizenId: CitizenId.trusted among its methods
    ]
    for value in [*extra, *_walk(day)]:
        samples.add(value)
    return samples


def _plain(kind: object, name: str, samples: Samples) -> object:
    """A valid value of a built-in or domain type; ``LookupError`` if none is known."""
    if name in VALID_OVERRIDES:
        return VALID_OVERRIDES[name][name]
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(kind):
            if arg is type(None):
                continue
            try:
                return _plain(arg, name, samples)
            except LookupError:
                continue
        return None
    if origin is typing.Literal:
        return typing.get_args(kind)[0]
    if origin in (list, tuple, set, frozenset) or origin in _SEQUENCE_ORIGINS:
        args = [a for a in typing.get_args(kind) if a is not Ellipsis]
        if not args:
            return []
        item = _plain(args[0], name, samples)
        return (item,) if origin is tuple else [item]
    if origin in (dict, Mapping) or origin is collections.abc.Mapping:
        return {}
    if origin is not None:
        kind = origin
    if kind is str:
        return samples.grid
    if kind is bool:
        return False
    if kind is int:
        return 1
    if kind is float:
        return 0.5
    if kind is Decimal:
        return Decimal(1)
    if kind is datetime:
        return samples.cutoff
    if kind is date:
        return samples.day
    if kind is time:
        return time(8)
    if kind is timedelta:
        return timedelta(days=1)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        for member in kind:
            return member
        raise LookupError(kind)
    if isinstance(kind, type):
        return samples.of(kind)
    raise LookupError(kind)


_SEQUENCE_ORIGINS = (
    collections.abc.Sequence,
    collections.abc.Iterable,
    collections.abc.Collection,
    collections.abc.Set,
)


@dataclass
class Entry:
    """One callable with the valid value of each of its arguments."""

    name: str
    call: Callable[..., object]
    parameters: list[inspect.Parameter]
    valid: dict[str, object]


def _hints(call: Callable[..., object]) -> dict[str, object]:
    target = call.__init__ if isinstance(call, type) else call  # type: ignore[misc]
    try:
        return typing.get_type_hints(target)
    except Exception:  # a forward reference only the type checker resolves
        return {}


def entry_for(name: str, call: Callable[..., object], samples: Samples) -> Entry | None:
    """The entry for ``call``, or ``None`` if it takes no argument to be hostile in."""
    try:
        signature = inspect.signature(call)
    except (TypeError, ValueError):
        return None
    hints = _hints(call)
    if isinstance(call, enum.EnumType):  # the lookup; the other arguments build new enums
        signature = signature.replace(parameters=[signature.parameters["value"]])
    parameters = [
        p
        for p in signature.parameters.values()
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        and p.name != "self"
    ]
    valid: dict[str, object] = {}
    # A class sampled from the synthetic day is built again from its sample's own values,
    # which agree with each other; an enumeration is looked up by its first member's value.
    like = _sample_of(call, samples)
    for p in parameters:
        members = list(call) if isinstance(call, enum.EnumType) else []  # type: ignore[var-annotated]
        if members and p.name == "value":
            valid[p.name] = members[0].value
            continue
        if like is not None and p.name not in VALID_OVERRIDES and hasattr(like, p.name):
            valid[p.name] = getattr(like, p.name)
            continue
        if p.default is not inspect.Parameter.empty and p.name not in VALID_OVERRIDES:
            valid[p.name] = p.default
            continue
        try:
            valid[p.name] = _plain(hints.get(p.name, p.annotation), p.name, samples)
        except LookupError:
            valid[p.name] = None
    return Entry(name, call, parameters, valid)


def _sample_of(call: Callable[..., object], samples: Samples) -> object | None:
    """The synthetic day's instance of the class ``call``, if it holds one."""
    if not isinstance(call, type) or isinstance(call, enum.EnumType):
        return None
    try:
        return samples.of(call)
    except LookupError:
        return None


def entries(samples: Samples) -> list[Entry]:
    """Every public callable, and every public method of each class sampled."""
    found: list[Entry] = []
    for name, obj in public_names().items():
        if not callable(obj):
            continue
        entry = entry_for(name, obj, samples)
        if entry is not None and entry.parameters:
            found.append(entry)
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            found.extend(_method_entries(name, obj, samples))
    return found


def _method_entries(name: str, cls: type, samples: Samples) -> list[Entry]:
    try:
        instance = samples.of(cls)
    except LookupError:
        return []
    found: list[Entry] = []
    for attr, raw in sorted(vars(cls).items()):
        if attr.startswith("_") or not (inspect.isfunction(raw) or isinstance(raw, classmethod)):
            continue
        bound = getattr(instance, attr)
        entry = entry_for(f"{name}.{attr}", bound, samples)
        if entry is not None and entry.parameters:
            found.append(entry)
    return found


# ----------------------------------------------------------------------------- calling


class Deadline(BaseException):
    """A call ran past its deadline (a ``BaseException``, so no ``except Exception`` eats it)."""


@dataclass
class Finding:
    """What escaped: the entry, the argument, the hostile value's name and the exception."""

    entry: str
    argument: str
    value: str
    error: str
    message: str

    def __str__(self) -> str:
        return f"{self.entry}({self.argument}={self.value}): {self.error}: {self.message[:200]}"


@dataclass
class Figures:
    """The run's figures: entry points, calls, outcomes by kind, findings."""

    entry_points: int = 0
    calls: int = 0
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    #: ``entry(argument)`` for each argument that took a bare ``object()`` without complaint.
    took_anything: list[str] = field(default_factory=list)


#: Entry points that run a whole synthetic report day (a city's declarations, campaign and
#: testing round): under a second each alone, but past the default deadline when
#: hypothesis replayed one in a loaded full run, which the deadline took for a hang.
WHOLE_DAY_DEADLINE = 60.0
WHOLE_DAY = frozenset(
    {
        "gridcare.testing.scenario.synthetic_day",
        "gridcare.testing.scenario.round_summary",
        "gridcare.testing.scenario.summed_round",
    }
)


def _raise_deadline(signum: int, frame: object) -> None:
    raise Deadline


def _consume(value: object) -> None:
    """Force a lazy result and render it, as a caller would."""
    if isinstance(value, Iterator):
        value = list(value)
    with warnings.catch_warnings():
        # A strategy's repr quotes the arguments it was built from, the 100 kB text too.
        warnings.simplefilter("ignore", HypothesisWarning)
        repr(value)
        str(value)


def call_hostile(entry: Entry, figures: Figures, *, deadline: float = 5.0) -> None:
    """Call ``entry`` once per argument and per hostile value; record what escapes."""
    figures.entry_points += 1
    for p in entry.parameters:
        for label, value in HOSTILE.items():
            call_one(entry, p, label, value, figures, deadline=deadline)


def call_one(
    entry: Entry,
    p: inspect.Parameter,
    label: str,
    value: object,
    figures: Figures,
    *,
    deadline: float = 5.0,
) -> None:
    """Call ``entry`` with ``value`` in argument ``p`` and the others valid; record the outcome."""
    arguments = dict(entry.valid)
    arguments[p.name] = value
    args = [arguments.pop(q.name) for q in entry.parameters if _positional_only(q)]
    figures.calls += 1
    if entry.name in WHOLE_DAY:
        deadline = max(deadline, WHOLE_DAY_DEADLINE)
    previous = signal.signal(signal.SIGALRM, _raise_deadline)
    signal.setitimer(signal.ITIMER_REAL, deadline)
    try:
        result = entry.call(*args, **arguments)
        if result is not value:  # a value handed back as it came (redact) is the caller's own
            _consume(result)
        figures.outcomes["returned"] += 1
        if label == "object":
            figures.took_anything.append(f"{entry.name}({p.name})")
    except GridcareError as err:
        figures.outcomes[type(err).__name__] += 1
        str(err).encode("utf-8")
        repr(err).encode("utf-8")
        foreign = foreign_chain(err)
        if foreign is not None:  # it may hold the raw input the error itself masks
            figures.findings.append(
                Finding(entry.name, p.name, label, f"chained {type(foreign).__name__}", "")
            )
    except Deadline:
        figures.outcomes["deadline"] += 1
        figures.findings.append(Finding(entry.name, p.name, label, "Deadline", ""))
    except KeyboardInterrupt:
        raise
    except BaseException as err:
        figures.outcomes[type(err).__name__] += 1
        figures.findings.append(Finding(entry.name, p.name, label, type(err).__name__, _safe(err)))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def foreign_chain(err: BaseException) -> BaseException | None:
    """The first exception chained to ``err`` (as its cause or context) that is not a
    ``GridcareError``: one that a caller, a logger or an error tracker can read, holding
    the raw input (a pydantic error's input, a parser's message) that ``err`` masks."""
    seen: set[int] = set()
    link: BaseException | None = err
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if not isinstance(link, GridcareError):
            return link
        link = link.__cause__ if link.__cause__ is not None else link.__context__
    return None


def _positional_only(p: inspect.Parameter) -> bool:
    return p.kind is inspect.Parameter.POSITIONAL_ONLY


def _safe(err: BaseException) -> str:
    try:
        return str(err)[:300]
    except Exception:
        return "<unprintable>"


def run(only: Iterable[str] | None = None) -> Figures:
    """Throw every hostile value at every entry (or at those whose name starts with ``only``)."""
    started = clock.perf_counter()
    samples = build_samples()
    figures = Figures()
    prefixes = tuple(only or ())
    for entry in entries(samples):
        if prefixes and not entry.name.startswith(prefixes):
            continue
        call_hostile(entry, figures)
    figures.seconds = clock.perf_counter() - started
    return figures


if __name__ == "__main__":  # pragma: no cover - prints the figures for the docs
    result = run(sys.argv[1:])
    print(f"entry points {result.entry_points}, calls {result.calls}, {result.seconds:.1f} s")
    for outcome, n in result.outcomes.most_common():
        print(f"  {outcome}: {n}")
    by_entry = collections.Counter(f.entry for f in result.findings)
    for finding in result.findings:
        print(finding)
    print(f"{len(result.findings)} findings in {len(by_entry)} entry points")
