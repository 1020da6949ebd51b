"""Review metrics per grid as of an instant: received, reviewed, review rate, overdue, time to
review (median and 90th percentile), late and proxy declarations.

Rules this module obeys (docs/design.md, "Rates"):

* counts are exact integers and the review rate is a :class:`~gridcare.rates.Rate`
  (reviewed / received), never an average of rates;
* as of ``as_of``: a declaration counts when it was submitted strictly before
  ``as_of``, and as reviewed when its first review decision was; records should
  come from :func:`~gridcare.declarations.replay_declarations` with
  ``until=as_of`` (:func:`review_metrics_from_events` does both);
* overdue: assigned to its current grid at least ``overdue_after`` before
  ``as_of`` and not reviewed before ``as_of``: the review window
  ``[assigned, assigned + overdue_after)`` has passed (withdrawn declarations
  are never overdue);
* time to review: from the first assignment to the first review decision;
  percentiles by the nearest-rank method, so every figure is an observed time.

>>> from datetime import datetime, timedelta
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> from gridcare.declarations import Assigned, Submitted, Verified, VerificationMethod
>>> t = datetime(2022, 3, 26, 9, tzinfo=CST)
>>> m = timedelta(minutes=1)
>>> log = [Submitted(id="s1", at=t, declaration_id="D1"),
...        Assigned(id="a1", at=t + m, declaration_id="D1", grid_id="G1"),
...        Verified(id="v1", at=t + timedelta(hours=3), declaration_id="D1",
...                 method=VerificationMethod.PHONE),
...        Submitted(id="s2", at=t, declaration_id="D2"),
...        Assigned(id="a2", at=t + m, declaration_id="D2", grid_id="G1")]
>>> m = review_metrics_from_events(log, as_of=datetime(2022, 3, 27, 10, tzinfo=CST))
>>> g = m.grids["G1"]
>>> g.received, g.reviewed, str(g.review_rate), g.overdue, g.time_to_review_median
(2, 1, '50.00%', 1, datetime.timedelta(seconds=10740))
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import attrs

from gridcare.declarations._checks import by_id, trusted
from gridcare.declarations._enums import DeclarationState
from gridcare.declarations._lifecycle import (
    DeclarationEvent,
    DeclarationRecord,
    replay_declarations,
)
from gridcare.errors import InvalidInput, require_instance, require_int, require_items
from gridcare.masking import masked_field_reprs
from gridcare.rates import Rate
from gridcare.text import check_text_of
from gridcare.timeutil import require_aware

__all__ = [
    "DEFAULT_OVERDUE_AFTER",
    "GridReviewMetrics",
    "ReviewMetrics",
    "nearest_rank",
    "review_metrics",
    "review_metrics_from_events",
]

#: A declaration not reviewed within this time after assignment is overdue (local practice).
DEFAULT_OVERDUE_AFTER = timedelta(hours=24)


def nearest_rank(ordered: list[timedelta], fraction: float) -> timedelta | None:
    """The nearest-rank percentile of sorted values (``None`` when there are none).

    >>> nearest_rank([timedelta(hours=h) for h in (1, 2, 3, 4)], 0.5)
    datetime.timedelta(seconds=7200)
    """
    if not ordered:
        return None
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _count(value: object, field: str) -> int:
    return require_int(value, field, low=0)


def _duration(value: object, field: str) -> timedelta | None:
    if value is None:
        return None
    found = require_instance(value, timedelta, field)
    if found < _NO_TIME:
        raise InvalidInput("negative", field, "must not be negative", value=found)
    return found


_NO_TIME = timedelta(0)


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class GridReviewMetrics:
    """The review figures of one grid (``grid_id`` ``""`` for the whole city).

    Checked on construction: the counts are whole numbers from 0, the times
    non-negative ``timedelta`` values or ``None`` (``InvalidInput``).

    >>> GridReviewMetrics("G1", 0, 0, 0, 0, 0, 0, None, None).review_rate.defined
    False
    """

    grid_id: str
    received: int
    reviewed: int
    overdue: int
    late: int
    proxy: int
    withdrawn: int
    time_to_review_median: timedelta | None
    time_to_review_p90: timedelta | None

    def __init__(
        self,
        grid_id: str,
        received: int,
        reviewed: int,
        overdue: int,
        late: int,
        proxy: int,
        withdrawn: int,
        time_to_review_median: timedelta | None,
        time_to_review_p90: timedelta | None,
    ) -> None:
        self.__attrs_init__(
            check_text_of(grid_id, "grid_id", allow_empty=True),
            _count(received, "received"),
            _count(reviewed, "reviewed"),
            _count(overdue, "overdue"),
            _count(late, "late"),
            _count(proxy, "proxy"),
            _count(withdrawn, "withdrawn"),
            _duration(time_to_review_median, "time_to_review_median"),
            _duration(time_to_review_p90, "time_to_review_p90"),
        )

    @property
    def review_rate(self) -> Rate:
        """Reviewed over received (undefined with nothing received)."""
        return Rate(self.reviewed, self.received)


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class ReviewMetrics:
    """Review figures per grid, for the whole city, and the declarations with no grid yet.

    ``grids`` maps grid ids to their :class:`GridReviewMetrics`; anything else
    is ``InvalidInput``.

    >>> ReviewMetrics({}, GridReviewMetrics("", 0, 0, 0, 0, 0, 0, None, None), 0).unassigned
    0
    """

    grids: dict[str, GridReviewMetrics]
    city: GridReviewMetrics
    unassigned: int

    def __init__(
        self, grids: Mapping[str, GridReviewMetrics], city: GridReviewMetrics, unassigned: int
    ) -> None:
        self.__attrs_init__(
            by_id(grids, GridReviewMetrics, "grids"),
            require_instance(city, GridReviewMetrics, "city"),
            _count(unassigned, "unassigned"),
        )


class _Acc:
    __slots__ = ("late", "overdue", "proxy", "received", "reviewed", "times", "withdrawn")

    def __init__(self) -> None:
        self.received = 0
        self.reviewed = 0
        self.overdue = 0
        self.late = 0
        self.proxy = 0
        self.withdrawn = 0
        self.times: list[timedelta] = []

    def result(self, grid_id: str) -> GridReviewMetrics:
        self.times.sort()
        return trusted(
            GridReviewMetrics,
            grid_id,
            self.received,
            self.reviewed,
            self.overdue,
            self.late,
            self.proxy,
            self.withdrawn,
            nearest_rank(self.times, 0.5),
            nearest_rank(self.times, 0.9),
        )


def review_metrics(
    records: Iterable[DeclarationRecord],
    *,
    as_of: datetime,
    overdue_after: timedelta = DEFAULT_OVERDUE_AFTER,
) -> ReviewMetrics:
    """Review figures per grid from records replayed up to ``as_of``.

    >>> from datetime import datetime, timezone
    >>> review_metrics([], as_of=datetime(2022, 3, 27, tzinfo=timezone.utc)).city.received
    0
    """
    items = require_items(records, DeclarationRecord, "records")
    require_aware(as_of, "as_of")
    _check_overdue_after(overdue_after)
    return _review_metrics(items, as_of, overdue_after)


def review_overdue(
    record: DeclarationRecord,
    as_of: datetime,
    overdue_after: timedelta = DEFAULT_OVERDUE_AFTER,
) -> bool:
    """Whether the declaration's review is overdue at ``as_of``.

    Overdue: assigned to its current grid before ``as_of`` and at least
    ``overdue_after`` before it, not reviewed before ``as_of``, and not
    withdrawn before it. The review metrics and the daily report's
    ``declarations_overdue`` both count with this rule.

    >>> from datetime import datetime, timedelta
    >>> from gridcare.declarations import DeclarationState
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> t = datetime(2022, 3, 26, 9, tzinfo=CST)
    >>> r = DeclarationRecord(declaration_id="D1", state=DeclarationState.ASSIGNED,
    ...                       submitted_at=t, updated_at=t, grid_id="G1", assigned_at=t)
    >>> review_overdue(r, t + timedelta(hours=24)), review_overdue(r, t + timedelta(hours=23))
    (True, False)
    """
    require_instance(record, DeclarationRecord, "record")
    require_aware(as_of, "as_of")
    _check_overdue_after(overdue_after)
    return trusted_review_overdue(record, as_of, overdue_after)


def trusted_review_overdue(
    record: DeclarationRecord, as_of: datetime, overdue_after: timedelta
) -> bool:
    """The rule of :func:`review_overdue` on arguments already checked: no check repeated.

    For the bulk counts that check their arguments once (a city's
    declarations). Public for them; not part of the documented interface.

    >>> from datetime import datetime, timezone
    >>> from gridcare.declarations import DeclarationState
    >>> t = datetime(2022, 3, 26, 9, tzinfo=timezone.utc)
    >>> r = DeclarationRecord(declaration_id="D1", state=DeclarationState.SUBMITTED,
    ...                       submitted_at=t, updated_at=t)
    >>> trusted_review_overdue(r, t, timedelta(0))  # never assigned
    False
    """
    assigned = record.assigned_at
    if assigned is None or assigned >= as_of or as_of - assigned < overdue_after:
        return False
    return not (_reviewed_before(record, as_of) or _withdrawn_before(record, as_of))


def _reviewed_before(record: DeclarationRecord, as_of: datetime) -> bool:
    """Whether the declaration's first review decision came before ``as_of``."""
    return record.reviewed_at is not None and record.reviewed_at < as_of


def _withdrawn_before(record: DeclarationRecord, as_of: datetime) -> bool:
    """Whether the declaration was withdrawn before ``as_of`` (a withdrawal is final)."""
    return record.state is DeclarationState.WITHDRAWN and record.updated_at < as_of


def _check_overdue_after(overdue_after: object) -> None:
    if not isinstance(overdue_after, timedelta) or overdue_after < _NO_TIME:
        raise InvalidInput(
            "bad_duration",
            "overdue_after",
            "expected a non-negative timedelta",
            value=overdue_after,
        )


def _review_metrics(
    records: Iterable[DeclarationRecord], as_of: datetime, overdue_after: timedelta
) -> ReviewMetrics:
    grids: dict[str, _Acc] = {}
    city = _Acc()
    unassigned = 0
    for record in records:
        if record.submitted_at >= as_of:
            continue
        grid_id = record.grid_id
        if grid_id is None or record.assigned_at is None or record.assigned_at >= as_of:
            unassigned += 1
            targets: tuple[_Acc, ...] = (city,)
        else:
            acc = grids.get(grid_id)
            if acc is None:
                acc = grids[grid_id] = _Acc()
            targets = (acc, city)
        reviewed_at = record.reviewed_at
        reviewed = _reviewed_before(record, as_of)
        withdrawn = _withdrawn_before(record, as_of)
        overdue = trusted_review_overdue(record, as_of, overdue_after)
        first = record.first_assigned_at
        for acc in targets:
            acc.received += 1
            acc.late += record.late
            acc.proxy += record.proxy
            acc.withdrawn += withdrawn
            acc.overdue += overdue
            if reviewed:
                acc.reviewed += 1
                if first is not None and reviewed_at is not None and reviewed_at >= first:
                    acc.times.append(reviewed_at - first)
    return trusted(
        ReviewMetrics,
        {grid_id: acc.result(grid_id) for grid_id, acc in sorted(grids.items())},
        city.result(""),
        unassigned,
    )


def review_metrics_from_events(
    events: Iterable[DeclarationEvent],
    *,
    as_of: datetime,
    overdue_after: timedelta = DEFAULT_OVERDUE_AFTER,
) -> ReviewMetrics:
    """Replay the events before ``as_of`` and compute the review figures from the records.

    >>> from datetime import datetime, timezone
    >>> review_metrics_from_events([], as_of=datetime(2022, 3, 27, tzinfo=timezone.utc)).unassigned
    0
    """
    require_aware(as_of, "as_of")
    _check_overdue_after(overdue_after)
    replayed = replay_declarations(events, until=as_of)
    return _review_metrics(replayed.records.values(), as_of, overdue_after)
