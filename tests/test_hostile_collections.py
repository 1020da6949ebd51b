"""Collections and settings that broke the boundary from outside (docs/errors.md): a caller's
iterable that fails while it is read, a subject no mapping can key, and settings so extreme
that the arithmetic behind them overflowed. Each is ``InvalidInput`` where it enters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta

import attrs
import pytest

from gridcare.cases import replay_cases
from gridcare.declarations import parse_forms, replay_declarations
from gridcare.errors import InvalidInput
from gridcare.machine import group_by_subject, replay
from gridcare.reports import TallyBuilder
from gridcare.screening import DueList, PoolingRule, ScreeningRound, replay_round
from gridcare.screening.planning import plan_stations
from gridcare.visits.campaign import MAX_REVISIT_INTERVAL, Campaign
from gridcare.visits.lifecycle import replay_visits
from gridcare.visits.planning import CampaignModel

T0 = datetime(2022, 3, 27, 8, tzinfo=UTC)


class _FailsWhileRead:
    """A caller's collection whose iterator raises after one item."""

    def __iter__(self) -> Iterator[object]:
        yield from ()
        raise RuntimeError("the caller's store went away")


@attrs.frozen
class _Tick:
    id: str
    at: datetime


def _campaign() -> Campaign:
    return Campaign(id="K", scope="C", round=1, start=T0, end=T0 + timedelta(days=1))


def _round() -> ScreeningRound:
    return ScreeningRound(
        id="S", scope="C", start=T0, end=T0 + timedelta(hours=5), pooling=PoolingRule(pool_size=10)
    )


def _due() -> DueList:
    return DueList(round_id="S", scope_position=0, household_of={}, place_of={})


ENTRIES: dict[str, Callable[[object], object]] = {
    "replay_declarations": lambda log: replay_declarations(log),  # type: ignore[arg-type]
    "replay_visits": lambda log: replay_visits(log, _campaign()),  # type: ignore[arg-type]
    "replay_cases": lambda log: replay_cases(log),  # type: ignore[arg-type]
    "replay_round": lambda log: replay_round(log, _round(), _due()),  # type: ignore[arg-type]
    "machine.replay": lambda log: replay(
        log,  # type: ignore[arg-type]
        subject=lambda e: e.id,
        apply=lambda record, e: e,
    ),
    "group_by_subject": lambda log: group_by_subject(log, lambda e: e.id),  # type: ignore[arg-type]
    "parse_forms": lambda log: parse_forms(log, received_at=T0),  # type: ignore[arg-type]
    "TallyBuilder.add_records": lambda log: TallyBuilder().add_records(log),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_a_collection_that_fails_while_read_is_invalid_input(entry: str) -> None:
    with pytest.raises(InvalidInput) as err:
        ENTRIES[entry](_FailsWhileRead())
    assert err.value.code == "unreadable"
    assert err.value.__context__ is None  # raised outside the handler: no chained input


def test_a_subject_that_no_mapping_can_key_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        group_by_subject([_Tick("a", T0)], lambda e: (1, []))
    assert err.value.code == "bad_subject"


def test_a_revisit_interval_past_a_year_is_refused_by_a_campaign_and_a_model() -> None:
    """A nobody-home attempt's next due instant overflowed the calendar mid-replay."""
    longest = Campaign(
        id="K", scope="C", round=1, start=T0, end=T0 + timedelta(days=1),
        revisit_interval=MAX_REVISIT_INTERVAL,
    )  # fmt: skip
    assert longest.revisit_interval == MAX_REVISIT_INTERVAL
    for build in (
        lambda: Campaign(
            id="K", scope="C", round=1, start=T0, end=T0 + timedelta(days=1),
            revisit_interval=MAX_REVISIT_INTERVAL + timedelta(microseconds=1),
        ),
        lambda: CampaignModel(
            teams=1, visits_per_team_hour=9, revisit_interval=timedelta(days=999_999_999)
        ),
    ):  # fmt: skip
        with pytest.raises(InvalidInput) as err:
            build()
        assert (err.value.code, err.value.field) == ("bad_interval", "revisit_interval")


@pytest.mark.parametrize("hours", [5e-324, 1e-9, 1 / 61])
def test_a_sampling_plan_is_for_a_minute_or_more(hours: float) -> None:
    with pytest.raises(InvalidInput) as err:
        plan_stations(1, hours)
    assert (err.value.code, err.value.field) == ("bad_number", "hours")
    assert plan_stations(1, 1 / 60).stations == 1


@pytest.mark.parametrize(
    ("field", "settings"),
    [
        ("working_hours", {"working_hours": (time(7), time(7, 0, 0, 500))}),
        ("working_hours", {"working_hours": (time(7), time(7, 0, 59, 999_999))}),
        ("visits_per_team_hour", {"visits_per_team_hour": 5e-324}),
        ("visits_per_team_hour", {"visits_per_team_hour": 1e300}),
    ],
)
def test_a_campaign_model_that_would_divide_by_nothing_is_refused(
    field: str, settings: dict[str, object]
) -> None:
    """Working hours 500 µs long made a working day of 0 hours: a ZeroDivisionError later."""
    given: dict[str, object] = {"teams": 1, "visits_per_team_hour": 9, **settings}
    with pytest.raises(InvalidInput) as err:
        CampaignModel(**given)  # type: ignore[arg-type]
    assert err.value.field == field
    assert CampaignModel(teams=1, visits_per_team_hour=9, working_hours=(time(7), time(7, 1)))
