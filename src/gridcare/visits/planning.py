"""Coverage planning for a door-knocking campaign: an analytic plan and a seeded simulation.

The model (the same in both, so they can be checked against each other):

* teams are allocated to grids: with at least one team per grid, every grid
  gets one and each further team goes to the grid with the most expected
  attempts per team; with fewer teams than grids, grids are packed onto teams
  largest first (LPT). A *crew* is one grid with its teams, or one team with
  its grids; a crew works its households as one pooled queue;
* a team makes ``visits_per_team_hour`` attempts per working hour, inside the
  daily working hours (07:00-22:00 in Liling: 15 hours);
* a household is vacant with probability ``vacant_share`` (found on the first
  attempt); an occupied household is not home with probability
  ``nobody_home`` at each attempt, independently; a "nobody home" household
  is revisited once ``revisit_interval`` has passed (revisits due go first),
  at most ``attempt_limit`` attempts (then escalated);
* coverage is reached / occupied households, the occupied reach rate of
  :mod:`gridcare.visits.progress`.

Each attempt on an occupied household reaches it with probability
``1 - nobody_home``, so reaching a share ``q`` of ``n`` occupied households
takes ``n q / (1 - nobody_home)`` attempts in expectation, provided
``q <= 1 - nobody_home ** attempt_limit`` (else the target is infeasible).
A crew's expected days are its expected attempts over its capacity, or the
revisit intervals the passes need, whichever is longer; the campaign's are
those of its slowest crew (every grid must reach the target).

>>> m = CampaignModel(teams=2, visits_per_team_hour=10, nobody_home=0.2,
...                   target_coverage=0.9)
>>> plan = plan_campaign({"G1": 300, "G2": 100}, m)
>>> round(plan.expected_days, 3), plan.bottlenecks[0].grid
(2.25, 'G1')
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from fractions import Fraction

import attrs

from gridcare.errors import (
    InvalidInput,
    read_mapping,
    require_callable,
    require_finite,
    require_int,
    require_items,
)
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.masking import masked_field_reprs
from gridcare.rates import Rate
from gridcare.text import TEXT_LIMITS, check_text_of, plain_texts
from gridcare.timeutil import (
    DEFAULT_ZONE_NAME,
    add_days,
    require_aware,
    require_day,
    start_of_day,
    zone,
)
from gridcare.visits.campaign import (
    Campaign,
    require_revisit_interval,
    target_coverage_fraction,
)
from gridcare.visits.lifecycle import Progress, VisitAttempt, VisitOutcome
from gridcare.visits.progress import progress as campaign_progress

__all__ = [
    "CampaignDay",
    "CampaignModel",
    "CampaignPlan",
    "CampaignSimulation",
    "Crew",
    "GridPlan",
    "SimulationRun",
    "allocate_teams",
    "households_by_grid",
    "plan_campaign",
    "simulate_campaign",
    "simulated_campaign_day",
]


#: The most teams a plan or a simulation takes (Liling sent 300).
_MAX_TEAMS = 100_000
#: The most households a grid may count.
_MAX_HOUSEHOLDS = 10**9
#: The longest campaign simulated, in days.
_MAX_DAYS = 366
#: The most runs one simulation makes.
_MAX_RUNS = 10_000
#: The most characters of an id (a grid, household, scope or campaign id; gridcare.text).
_ID = TEXT_LIMITS["id"]
#: What a simulated attempt's id adds to the campaign's id: ``-`` and eight digits.
_ATTEMPT_SUFFIX = len("-00000000")


def _bad(code: str, field: str, message: str, value: object) -> InvalidInput:
    return InvalidInput(code, field, message, value=value)


def _check_teams(teams: object, field: str = "teams") -> None:
    if isinstance(teams, bool) or not isinstance(teams, int) or not 1 <= teams <= _MAX_TEAMS:
        raise _bad("bad_teams", field, f"from 1 to {_MAX_TEAMS} teams", teams)


def _check_days(value: object, field: str, *, optional: bool = True) -> None:
    """A number of days: finite and not negative (``None`` too when ``optional``)."""
    if value is None and optional:
        return
    if require_finite(value, field, code="bad_days") < 0:
        raise _bad("bad_days", field, "a number of days >= 0", value)


def _check_tuple(value: object, kind: type, field: str) -> None:
    """A tuple of ``kind`` values (what the planner builds its results from)."""
    if type(value) is not tuple:
        raise _bad("not_list", field, f"expected a tuple of {kind.__name__}", None)
    require_items(value, kind, field)


def _seconds_of_day(moment: time) -> float:
    """Seconds from midnight to a local time, its microseconds included."""
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


@attrs.frozen(field_transformer=masked_field_reprs)
class CampaignModel:
    """The planning assumptions of a campaign (see the module doc for the model).

    >>> m = CampaignModel(teams=300, visits_per_team_hour=9)
    >>> m.hours_per_day, m.attempts_per_team_day
    (15.0, 135.0)
    >>> CampaignModel(teams=0, visits_per_team_hour=9)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: teams: from 1 to 100000 teams [bad_teams]
    """

    teams: int
    visits_per_team_hour: float
    working_hours: tuple[time, time] = (time(7, 0), time(22, 0))
    nobody_home: float = 0.25
    vacant_share: float = 0.0
    revisit_interval: timedelta = timedelta(hours=4)
    attempt_limit: int = 3
    target_coverage: Fraction = attrs.field(
        default=Fraction(9, 10), converter=target_coverage_fraction
    )

    def __attrs_post_init__(self) -> None:
        _check_teams(self.teams)
        v = self.visits_per_team_hour
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.01 <= v <= 10_000:
            raise _bad("bad_rate", "visits_per_team_hour", "a number from 0.01 to 10000", v)
        hours = self.working_hours
        if (
            not isinstance(hours, tuple)
            or len(hours) != 2
            or not all(isinstance(h, time) and h.tzinfo is None for h in hours)
            or _seconds_of_day(hours[1]) - _seconds_of_day(hours[0]) < 60
        ):
            raise _bad(
                "bad_hours",
                "working_hours",
                "a (start, end) pair of local times, at least a minute apart",
                hours,
            )
        for field in ("nobody_home", "vacant_share"):
            p = getattr(self, field)
            if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
                raise _bad("bad_probability", field, "a probability in [0, 1)", p)
        require_revisit_interval(self.revisit_interval)
        limit = self.attempt_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise _bad("bad_attempt_limit", "attempt_limit", "attempt limit is >= 1", limit)
        if not 0 < self.target_coverage <= 1:
            raise _bad(
                "bad_target", "target_coverage", "target is in (0, 1]", str(self.target_coverage)
            )

    @property
    def start_hour(self) -> float:
        """Start of the working day in hours after local midnight."""
        s = self.working_hours[0]
        return s.hour + s.minute / 60 + s.second / 3600

    @property
    def hours_per_day(self) -> float:
        """Working hours per day."""
        e = self.working_hours[1]
        return e.hour + e.minute / 60 + e.second / 3600 - self.start_hour

    @property
    def attempts_per_team_day(self) -> float:
        """Attempts one team makes in a working day."""
        return self.visits_per_team_hour * self.hours_per_day

    @property
    def feasible(self) -> bool:
        """Whether the target is attainable within the attempt limit."""
        return float(self.target_coverage) <= 1 - self.nobody_home**self.attempt_limit + 1e-12

    @property
    def passes_needed(self) -> int:
        """Attempt passes needed for the target: the least k with 1 - p^k >= target."""
        q = float(self.target_coverage)
        p = self.nobody_home
        k = 1
        while 1 - p**k < q - 1e-12 and k < 10_000:
            k += 1
        return k

    def expected_attempts(self, households: int) -> float:
        """Expected attempts for ``households`` to reach the target coverage.

        >>> CampaignModel(teams=1, visits_per_team_hour=9, nobody_home=0.5).expected_attempts(10)
        18.0
        """
        require_int(households, "households", low=0, high=_MAX_HOUSEHOLDS)
        occupied = households * (1 - self.vacant_share)
        return households * self.vacant_share + occupied * float(self.target_coverage) / (
            1 - self.nobody_home
        )

    @property
    def interval_days(self) -> float:
        """The revisit interval in working days (whole days, plus the rest in working hours)."""
        whole, rest = divmod(self.revisit_interval, timedelta(days=1))
        return whole + min(rest / timedelta(hours=1) / self.hours_per_day, 1.0)


@attrs.frozen(field_transformer=masked_field_reprs)
class Crew:
    """Teams working a pool of grids together: one grid with its teams, or one team's grids.

    ``grids`` is a non-empty tuple (else ``bad_grid``) of grid ids, each
    keeping the text rules of an id (``grids.<i>``; :func:`gridcare.text.kind_problem`).

    >>> Crew(("G1",), 2, 500).households
    500
    """

    grids: tuple[str, ...]
    teams: int
    households: int

    def __attrs_post_init__(self) -> None:
        grids = self.grids
        if type(grids) is not tuple or not grids:
            raise _bad("bad_grid", "grids", "a non-empty tuple of grid ids", None)
        for i, grid in enumerate(grids):
            check_text_of(grid, f"grids.{i}")
        _check_teams(self.teams)
        require_int(self.households, "households", low=0)


def _check_counts(households_per_grid: Mapping[str, int]) -> dict[str, int]:
    if isinstance(households_per_grid, Mapping):
        households_per_grid = read_mapping(households_per_grid, "households_per_grid")
    if not isinstance(households_per_grid, Mapping) or not households_per_grid:
        raise _bad("no_grids", "households_per_grid", "a non-empty mapping of grid counts", None)
    out = {}
    for grid, n in households_per_grid.items():
        check_text_of(grid, "households_per_grid")  # a grid id: the text rules of an id
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= _MAX_HOUSEHOLDS:
            raise _bad(
                "bad_count",
                f"households_per_grid.{grid}",
                f"a count from 0 to {_MAX_HOUSEHOLDS}",
                n,
            )
        out[grid] = n
    return out


def allocate_teams(households_per_grid: Mapping[str, int], teams: int) -> tuple[Crew, ...]:
    """Allocate ``teams`` to grids (see the module doc); deterministic, sorted by first grid.

    >>> [(c.grids, c.teams) for c in allocate_teams({"A": 300, "B": 100}, 3)]
    [(('A',), 2), (('B',), 1)]
    >>> [(c.grids, c.teams) for c in allocate_teams({"A": 300, "B": 100, "C": 250}, 2)]
    [(('A',), 1), (('C', 'B'), 1)]
    """
    counts = _check_counts(households_per_grid)
    _check_teams(teams)
    grids = sorted(counts, key=lambda g: (-counts[g], g))
    if teams >= len(grids):
        given = dict.fromkeys(grids, 1)
        heap: list[tuple[float, str]] = [(-float(counts[g]), g) for g in grids]
        heapq.heapify(heap)
        for _ in range(teams - len(grids)):
            _, g = heapq.heappop(heap)
            given[g] += 1
            heapq.heappush(heap, (-counts[g] / given[g], g))
        crews = [Crew((g,), given[g], counts[g]) for g in grids]
    else:
        loads = [(0, i) for i in range(teams)]
        members: list[list[str]] = [[] for _ in range(teams)]
        for g in grids:
            load, i = heapq.heappop(loads)
            members[i].append(g)
            heapq.heappush(loads, (load + counts[g], i))
        crews = [Crew(tuple(m), 1, sum(counts[g] for g in m)) for m in members if m]
    crews.sort(key=lambda c: c.grids[0])
    return tuple(crews)


@attrs.frozen(field_transformer=masked_field_reprs)
class GridPlan:
    """One grid's plan: its households, its crew's teams, and the expected days to target.

    ``expected_days`` is ``None`` when the target is infeasible; ``grid`` keeps
    the text rules of an id (:func:`gridcare.text.kind_problem`).

    >>> GridPlan("G1", 300, 1, 2.5).expected_days
    2.5
    """

    grid: str
    households: int
    crew_teams: int
    expected_days: float | None

    def __attrs_post_init__(self) -> None:
        check_text_of(self.grid, "grid")
        require_int(self.households, "households", low=0)
        _check_teams(self.crew_teams, "crew_teams")
        _check_days(self.expected_days, "expected_days")


def _crew_days(crew: Crew, model: CampaignModel) -> float | None:
    if not model.feasible:
        return None
    if crew.households == 0:
        return 0.0
    by_capacity = model.expected_attempts(crew.households) / (
        crew.teams * model.attempts_per_team_day
    )
    by_interval = (model.passes_needed - 1) * model.interval_days
    return max(by_capacity, by_interval)


@attrs.frozen(field_transformer=masked_field_reprs)
class CampaignPlan:
    """The analytic plan: expected days per grid and overall, bottlenecks, teams needed.

    ``teams_needed`` answers "how many teams to finish within
    ``finish_within_days``" (``None`` when not asked or not attainable).

    >>> m = CampaignModel(teams=2, visits_per_team_hour=10, nobody_home=0.0)
    >>> plan = plan_campaign({"G1": 100, "G2": 300}, m)
    >>> [g.grid for g in plan.bottlenecks][:1]
    ['G2']
    """

    model: CampaignModel
    crews: tuple[Crew, ...]
    grids: tuple[GridPlan, ...]
    expected_days: float | None
    bottlenecks: tuple[GridPlan, ...]
    finish_within_days: float | None = None
    teams_needed: int | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.model, CampaignModel):
            raise _bad("bad_model", "model", "expected a CampaignModel", None)
        _check_tuple(self.crews, Crew, "crews")
        _check_tuple(self.grids, GridPlan, "grids")
        _check_days(self.expected_days, "expected_days")
        _check_tuple(self.bottlenecks, GridPlan, "bottlenecks")
        _check_days(self.finish_within_days, "finish_within_days")
        if self.teams_needed is not None:
            _check_teams(self.teams_needed, "teams_needed")


def _overall(crews: Sequence[Crew], model: CampaignModel) -> float | None:
    days = [_crew_days(c, model) for c in crews]
    if any(d is None for d in days):
        return None
    return max((d for d in days if d is not None), default=0.0)


def _teams_needed(counts: dict[str, int], model: CampaignModel, within: float) -> int | None:
    if not model.feasible or (model.passes_needed - 1) * model.interval_days > within:
        return None
    cap = within * model.attempts_per_team_day
    upper = max(1, sum(math.ceil(model.expected_attempts(n) / cap) for n in counts.values()))
    if upper > _MAX_TEAMS:  # more teams than a plan takes: not attainable
        return None

    def ok(t: int) -> bool:
        d = _overall(allocate_teams(counts, t), attrs.evolve(model, teams=t))
        return d is not None and d <= within + 1e-9

    if not ok(upper):  # pragma: no cover - the greedy allocation makes the bound sufficient
        return None
    lo, hi = 1, upper
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def plan_campaign(
    households_per_grid: Mapping[str, int],
    model: CampaignModel,
    *,
    finish_within_days: float | None = None,
    bottleneck_count: int = 10,
) -> CampaignPlan:
    """Expected days to the target per grid and overall, the bottleneck grids, teams needed.

    >>> m = CampaignModel(teams=1, visits_per_team_hour=10, nobody_home=0.5,
    ...                   target_coverage=0.75)
    >>> p = plan_campaign({"G": 150}, m, finish_within_days=1)
    >>> p.expected_days, p.teams_needed
    (1.5, 2)
    """
    counts = _check_counts(households_per_grid)
    if not isinstance(model, CampaignModel):
        raise _bad("bad_model", "model", "expected a CampaignModel", None)
    require_int(bottleneck_count, "bottleneck_count", low=0)
    if finish_within_days is not None and (
        isinstance(finish_within_days, bool)
        or not isinstance(finish_within_days, (int, float))
        or not require_finite(finish_within_days, "finish_within_days", code="bad_days") > 0
    ):
        raise _bad(
            "bad_days", "finish_within_days", "a positive number of days", finish_within_days
        )
    crews = allocate_teams(counts, model.teams)
    plans: list[GridPlan] = []
    for crew in crews:
        d = _crew_days(crew, model)
        plans.extend(GridPlan(g, counts[g], crew.teams, d) for g in crew.grids)
    plans.sort(key=lambda g: g.grid)
    overall = _overall(crews, model)
    ranked = sorted(plans, key=lambda g: (-(g.expected_days or math.inf), -g.households, g.grid))
    needed = (
        None
        if finish_within_days is None
        else _teams_needed(counts, model, float(finish_within_days))
    )
    return CampaignPlan(
        model,
        crews,
        tuple(plans),
        overall,
        tuple(ranked[: max(0, bottleneck_count)]),
        None if finish_within_days is None else float(finish_within_days),
        needed,
    )


# ----------------------------------------------------------------------------- simulation

#: Household sizes drawn for person-visits: mean 3.81 (Liling: 910,000 residents / 240,000).
_SIZES = (1,) * 5 + (2,) * 14 + (3,) * 22 + (4,) * 27 + (5,) * 18 + (6,) * 14


@attrs.frozen(field_transformer=masked_field_reprs)
class SimulationRun:
    """One simulated campaign: days to target (``None`` if not within the horizon) and counts.

    ``coverage_by_day[d]`` is the coverage at the end of working day ``d + 1``.

    >>> m = CampaignModel(teams=1, visits_per_team_hour=10)
    >>> run = simulate_campaign({"G1": [f"H{i}" for i in range(30)]}, m, scope="D",
    ...                         start=date(2022, 3, 20), runs=1).runs[0]
    >>> run.households, run.reached <= run.households, len(run.coverage_by_day) >= 1
    (30, True, True)
    """

    days_to_target: float | None
    attempts: int
    reached: int
    vacant: int
    escalated: int
    households: int
    coverage_by_day: tuple[Rate, ...]

    def __attrs_post_init__(self) -> None:
        _check_days(self.days_to_target, "days_to_target")
        for field in ("attempts", "reached", "vacant", "escalated", "households"):
            require_int(getattr(self, field), field, low=0)
        _check_tuple(self.coverage_by_day, Rate, "coverage_by_day")


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@attrs.frozen(repr=False, field_transformer=masked_field_reprs)
class CampaignSimulation:
    """Seeded Monte Carlo runs of a campaign, their spread, and the first run's attempt log.

    ``attempts`` (when kept) are :class:`~gridcare.visits.lifecycle.VisitAttempt` of
    ``campaign``, ready for :func:`~gridcare.visits.lifecycle.replay_visits` and
    :func:`~gridcare.visits.progress.progress`.

    >>> from datetime import date
    >>> m = CampaignModel(teams=1, visits_per_team_hour=10, nobody_home=0.0)
    >>> sim = simulate_campaign({"G": ["H1", "H2"]}, m, scope="G", start=date(2022, 3, 20),
    ...                         runs=2, seed=1)
    >>> len(sim.runs), len({a.household for a in sim.attempts})
    (2, 2)
    """

    model: CampaignModel
    campaign: Campaign
    runs: tuple[SimulationRun, ...]
    attempts: tuple[VisitAttempt, ...]

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.model, CampaignModel):
            raise _bad("bad_model", "model", "expected a CampaignModel", None)
        if not isinstance(self.campaign, Campaign):
            raise _bad("bad_campaign", "campaign", "expected a Campaign", None)
        _check_tuple(self.runs, SimulationRun, "runs")
        if not self.runs:
            raise _bad("bad_number", "runs", "a simulation has at least one run", 0)
        _check_tuple(self.attempts, VisitAttempt, "attempts")

    def _days(self) -> list[float] | None:
        days = [r.days_to_target for r in self.runs]
        if any(d is None for d in days):
            return None
        return [d for d in days if d is not None]

    @property
    def median_days(self) -> float | None:
        """Median days to target over the runs (``None`` if a run missed it)."""
        days = self._days()
        return None if days is None else statistics.median(days)

    @property
    def p10_days(self) -> float | None:
        """10th percentile of days to target (linear interpolation)."""
        days = self._days()
        return None if days is None else _percentile(days, 0.1)

    @property
    def p90_days(self) -> float | None:
        """90th percentile of days to target (linear interpolation)."""
        days = self._days()
        return None if days is None else _percentile(days, 0.9)

    def coverage_by_day(self) -> list[tuple[int, Rate, Rate, Rate]]:
        """Per working day: (day, p10, median, p90) of the coverage over runs.

        Each figure is one run's own exact :class:`~gridcare.rates.Rate`, never
        an interpolation: of the ``k`` runs sorted by coverage, the one at index
        ``floor(q * (k - 1))`` (the lower one of two for an even median). A run
        that reached its target early keeps its last day's coverage.
        """
        n = max(len(r.coverage_by_day) for r in self.runs)
        out = []
        for d in range(n):
            rates = [
                r.coverage_by_day[min(d, len(r.coverage_by_day) - 1)]
                for r in self.runs
                if r.coverage_by_day
            ]
            ordered = sorted(rates, key=lambda r: r.value or 0)
            k = len(ordered)
            out.append(
                (
                    d + 1,
                    ordered[int(0.1 * (k - 1))],
                    ordered[(k - 1) // 2],
                    ordered[int(0.9 * (k - 1))],
                )
            )
        return out

    def __repr__(self) -> str:
        return (
            f"CampaignSimulation(runs={len(self.runs)}, median_days={self.median_days}, "
            f"attempts_logged={len(self.attempts)})"
        )


class _Clock:
    """Working time (hours of work since the campaign began) <-> wall-clock hours."""

    __slots__ = ("h", "s")

    def __init__(self, model: CampaignModel) -> None:
        self.h = model.hours_per_day
        self.s = model.start_hour

    def wall(self, tau: float) -> float:
        day = int(tau // self.h)
        return day * 24 + self.s + (tau - day * self.h)

    def work(self, wall: float) -> float:
        day = int(wall // 24)
        hod = wall - day * 24
        if hod < self.s:
            return day * self.h
        if hod >= self.s + self.h:
            return (day + 1) * self.h
        return day * self.h + hod - self.s


def _simulate_crew(
    crew_households: list[str],
    teams: list[str],
    model: CampaignModel,
    rng: random.Random,
    horizon: float,
    clock: _Clock,
    daily: list[list[int]],
    log: list[tuple[str, str, float, VisitOutcome, int]] | None,
) -> tuple[float | None, int, int, int, int]:
    """Simulate one crew; add per-day reach/vacant counts into ``daily``. Returns
    (target time in working hours or None, attempts, reached, vacant, escalated)."""
    n = len(crew_households)
    order = list(range(n))
    rng.shuffle(order)
    rand = rng.random
    v = model.vacant_share
    p = model.nobody_home
    limit = model.attempt_limit
    q = float(model.target_coverage)
    interval = model.revisit_interval / timedelta(hours=1)
    vacant = [rand() < v for _ in range(n)] if v > 0 else [False] * n
    tries = [0] * n
    heap: list[tuple[float, int]] = []
    dt = 1.0 / (len(teams) * model.visits_per_team_hour)
    h = clock.h
    start_hour = clock.s
    push = heapq.heappush
    pop = heapq.heappop
    tau = 0.0
    fresh = 0
    reached = found_vacant = escalated = attempts = 0
    target_at: float | None = None if n else 0.0
    while True:
        if heap and heap[0][0] <= tau:
            _, idx = pop(heap)
        elif fresh < n:
            idx = order[fresh]
            fresh += 1
        elif heap:
            tau = heap[0][0]
            continue
        else:
            break
        if tau >= horizon:
            break
        k = tries[idx] = tries[idx] + 1
        day = int(tau // h)
        if vacant[idx] and k == 1:
            outcome = VisitOutcome.VACANT
            found_vacant += 1
            daily[day][1] += 1
        elif rand() < p:
            outcome = VisitOutcome.NOBODY_HOME
            if k >= limit:
                escalated += 1
            else:
                # Due at wall time (now + interval), back in working time (inlined _Clock).
                wall = day * 24 + start_hour + (tau - day * h) + interval
                due_day = int(wall // 24)
                hod = wall - due_day * 24
                if hod < start_hour:
                    due = due_day * h
                elif hod >= start_hour + h:
                    due = (due_day + 1) * h
                else:
                    due = due_day * h + hod - start_hour
                push(heap, (due, idx))
        else:
            outcome = VisitOutcome.REACHED
            reached += 1
            daily[day][0] += 1
        if log is not None:
            persons = _SIZES[int(rand() * 100)] if outcome is VisitOutcome.REACHED else 0
            log.append((crew_households[idx], teams[attempts % len(teams)], tau, outcome, persons))
        attempts += 1
        if target_at is None and reached >= q * (n - found_vacant) - 1e-9:
            target_at = tau
        tau += dt
    return target_at, attempts, reached, found_vacant, escalated


def _check_households(households: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    if isinstance(households, Mapping):
        households = read_mapping(households, "households")
    if not isinstance(households, Mapping) or not households:
        raise _bad("no_grids", "households", "a non-empty mapping grid -> household ids", None)
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for grid, ids in households.items():
        check_text_of(grid, "households")  # a grid id: the text rules of an id
        if isinstance(ids, str) or not isinstance(ids, Sequence):
            raise _bad("bad_households", f"households.{grid}", "a sequence of household ids", None)
        if not plain_texts(ids, _ID):  # the text rules of an id, at C speed when all is plain
            for hid in ids:
                check_text_of(hid, f"households.{grid}")
        for hid in ids:
            if hid in seen:
                raise _bad("bad_household", f"households.{grid}", "distinct household ids", hid)
            seen.add(hid)
        out[grid] = list(ids)
    return out


def simulate_campaign(
    households: Mapping[str, Sequence[str]],
    model: CampaignModel,
    *,
    scope: str,
    start: date,
    runs: int = 20,
    seed: int = 0,
    max_days: int = 30,
    campaign_id: str = "SIM",
    keep_log: bool = True,
    zone_name: str = DEFAULT_ZONE_NAME,
    progress: Progress | None = None,
) -> CampaignSimulation:
    """Seeded Monte Carlo of a campaign over ``households`` (grid -> household ids).

    ``runs`` independent runs, each with ``random.Random`` seeded from
    ``(seed, run)``: the same arguments give the same result. Day 1 is
    ``start`` (a local date in ``zone_name``). The first run's attempts are
    kept as :class:`~gridcare.visits.lifecycle.VisitAttempt` records when ``keep_log``,
    their ids the ``campaign_id``, ``-`` and eight digits. The grid, household,
    ``scope`` and ``campaign_id`` ids keep the text rules of an id
    (:func:`gridcare.text.check_text_of`), the ``campaign_id`` leaving room for
    the attempts' ids (at most 55 characters). ``progress(done, runs)`` is
    called once per run.

    >>> m = CampaignModel(teams=2, visits_per_team_hour=10, nobody_home=0.2)
    >>> hh = {"G1": [f"H{i}" for i in range(100)], "G2": [f"J{i}" for i in range(60)]}
    >>> sim = simulate_campaign(hh, m, scope="D", start=date(2022, 3, 20), runs=5, seed=1)
    >>> sim.median_days == simulate_campaign(hh, m, scope="D", start=date(2022, 3, 20),
    ...                                      runs=5, seed=1).median_days
    True
    >>> len(sim.attempts) == sim.runs[0].attempts
    True
    """
    grid_households = _check_households(households)
    if not isinstance(model, CampaignModel):
        raise _bad("bad_model", "model", "expected a CampaignModel", None)
    check_text_of(scope, "scope")
    check_text_of(campaign_id, "campaign_id")
    if len(campaign_id) > _ID - _ATTEMPT_SUFFIX:
        raise InvalidInput(
            "too_long",
            "campaign_id",
            f"at most {_ID - _ATTEMPT_SUFFIX} characters, the attempts' ids adding "
            f"{_ATTEMPT_SUFFIX}; got {len(campaign_id)}",
        )
    for field, value, high in (("runs", runs, _MAX_RUNS), ("max_days", max_days, _MAX_DAYS)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
            raise _bad("bad_number", field, f"a whole number from 1 to {high}", value)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise _bad("bad_number", "seed", "a whole number", seed)
    require_day(start, "start")
    if type(keep_log) is not bool:
        raise _bad("bad_flag", "keep_log", "expected True or False", keep_log)
    if progress is not None:
        require_callable(progress, "progress")
    tz = zone(zone_name)
    day0 = start_of_day(start, tz)
    campaign = Campaign(
        id=campaign_id,
        scope=scope,
        round=1,
        start=day0,
        end=start_of_day(add_days(start, max_days), tz),
        target_coverage=model.target_coverage,
        revisit_interval=model.revisit_interval,
        attempt_limit=model.attempt_limit,
        zone=zone_name,
    )
    counts = {g: len(ids) for g, ids in grid_households.items()}
    crews = allocate_teams(counts, model.teams)
    clock = _Clock(model)
    horizon = max_days * clock.h
    total_households = sum(counts.values())
    results = []
    log_rows: list[tuple[str, str, float, VisitOutcome, int]] = []
    team_no = 0
    crew_teams = []
    for crew in crews:
        crew_teams.append([f"T{team_no + i + 1:04d}" for i in range(crew.teams)])
        team_no += crew.teams
    for run in range(runs):
        rng = random.Random(seed * 1_000_003 + run)
        daily = [[0, 0] for _ in range(max_days + 1)]
        worst: float | None = 0.0
        att = rea = vac = esc = 0
        for crew, teams in zip(crews, crew_teams, strict=True):
            pool = [hid for g in crew.grids for hid in grid_households[g]]
            t, a, r, v, e = _simulate_crew(
                pool,
                teams,
                model,
                rng,
                horizon,
                clock,
                daily,
                log_rows if (keep_log and run == 0) else None,
            )
            att, rea, vac, esc = att + a, rea + r, vac + v, esc + e
            worst = None if t is None or worst is None else max(worst, t / clock.h)
        coverage = []
        cum_r = cum_v = 0
        last_day = 0
        for d in range(max_days):
            if daily[d][0] or daily[d][1]:
                last_day = d
        for d in range(last_day + 1):
            cum_r += daily[d][0]
            cum_v += daily[d][1]
            coverage.append(Rate(cum_r, total_households - cum_v))
        results.append(SimulationRun(worst, att, rea, vac, esc, total_households, tuple(coverage)))
        if progress is not None:
            progress(run + 1, runs)
    attempts: tuple[VisitAttempt, ...] = ()
    if keep_log:
        attempts = tuple(_to_attempts(log_rows, campaign, clock, day0))
    return CampaignSimulation(model, campaign, tuple(results), attempts)


def _to_attempts(
    rows: list[tuple[str, str, float, VisitOutcome, int]],
    campaign: Campaign,
    clock: _Clock,
    day0: datetime,
) -> list[VisitAttempt]:
    out = []
    cid = campaign.id
    for i, (household, team, tau, outcome, persons) in enumerate(rows):
        # Whole seconds, rounded down so that no attempt slips past the working day's end.
        at = day0 + timedelta(seconds=int(clock.wall(tau) * 3600))
        out.append(
            VisitAttempt(
                id=f"{cid}-{i:08d}",  # _ATTEMPT_SUFFIX characters after the campaign's id
                campaign_id=cid,
                household=household,
                at=at,
                outcome=outcome,
                team=team,
                persons_seen=persons,
            )
        )
    return out


def households_by_grid(hierarchy: Hierarchy, scope: str) -> dict[str, list[str]]:
    """Household ids per grid below ``scope`` (households with no grid fall under ``scope``).

    >>> from gridcare.hierarchy import Node
    >>> h = Hierarchy([Node("D", NodeKind.DISTRICT, "d"), Node("G", NodeKind.GRID, "g", "D"),
    ...                Node("H1", NodeKind.HOUSEHOLD, "1", "G")])
    >>> households_by_grid(h, "D")
    {'G': ['H1']}
    """
    if not isinstance(hierarchy, Hierarchy):
        raise _bad("bad_hierarchy", "hierarchy", "expected a Hierarchy", None)
    scope_pos = hierarchy.position(scope)
    grid_pos = hierarchy.ancestor_positions(NodeKind.GRID)
    out: dict[str, list[str]] = {}
    for house in hierarchy.descendants(scope, NodeKind.HOUSEHOLD):
        g = grid_pos[hierarchy.position(house.id)]
        key = hierarchy.at(g).id if g >= scope_pos else scope
        out.setdefault(key, []).append(house.id)
    return out


@attrs.frozen(field_transformer=masked_field_reprs)
class CampaignDay:
    """A quick view of a simulated campaign day: rows per district and grids behind.

    Every row is a plain dict (id, name, counts, rates as display strings).

    >>> from gridcare.hierarchy import Node
    >>> nodes = [Node("C", NodeKind.CITY, "c"), Node("D", NodeKind.DISTRICT, "d", "C"),
    ...          Node("G", NodeKind.GRID, "g", "D")]
    >>> nodes += [Node(f"H{i}", NodeKind.HOUSEHOLD, str(i), "G") for i in range(20)]
    >>> day = simulated_campaign_day(Hierarchy(nodes), teams=1)
    >>> day.total["households"], [row["id"] for row in day.districts]
    (20, ['D'])
    """

    as_of: datetime
    total: dict[str, object]
    districts: tuple[dict[str, object], ...]
    behind: tuple[dict[str, object], ...]

    def __attrs_post_init__(self) -> None:
        require_aware(self.as_of, "as_of")
        if type(self.total) is not dict:
            raise _bad("bad_report", "total", "expected a row (a dict)", None)
        _check_tuple(self.districts, dict, "districts")
        _check_tuple(self.behind, dict, "behind")


def simulated_campaign_day(
    hierarchy: Hierarchy,
    *,
    scope: str | None = None,
    day: int = 1,
    teams: int | None = None,
    seed: int = 0,
    start: date = date(2022, 3, 20),
    model: CampaignModel | None = None,
) -> CampaignDay:
    """Simulate a campaign over ``hierarchy`` and report progress at the end of day ``day``.

    Pure: returns rows for the scope, each district, and the ten grids
    furthest behind. Teams default to one per 800 households (Liling: 300
    teams for 240,000 households) and the model to 9 attempts per team-hour.

    >>> from gridcare.hierarchy import Node
    >>> nodes = [Node("C", NodeKind.CITY, "c"), Node("D", NodeKind.DISTRICT, "d", "C"),
    ...          Node("G", NodeKind.GRID, "g", "D")]
    >>> nodes += [Node(f"H{i}", NodeKind.HOUSEHOLD, str(i), "G") for i in range(50)]
    >>> out = simulated_campaign_day(Hierarchy(nodes), teams=1)
    >>> out.total["households"], [r["id"] for r in out.districts], len(out.behind)
    (50, ['D'], 1)
    """
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= _MAX_DAYS:
        raise _bad("bad_day", "day", f"a campaign day from 1 to {_MAX_DAYS}", day)
    if not isinstance(hierarchy, Hierarchy):
        raise _bad("bad_hierarchy", "hierarchy", "expected a Hierarchy", None)
    if teams is not None:
        _check_teams(teams)
    if model is not None and not isinstance(model, CampaignModel):
        raise _bad("bad_model", "model", "expected a CampaignModel", None)
    require_day(start, "start")
    root = hierarchy.root.id if scope is None else scope
    households = households_by_grid(hierarchy, root)
    if not households:
        raise _bad("no_households", "scope", "no households below the scope", root)
    n = sum(len(v) for v in households.values())
    chosen = model or CampaignModel(
        teams=teams if teams is not None else max(1, round(n / 800)), visits_per_team_hour=9
    )
    if teams is not None and model is not None:
        chosen = attrs.evolve(model, teams=teams)
    sim = simulate_campaign(
        households, chosen, scope=root, start=start, runs=1, seed=seed, max_days=day
    )
    as_of = start_of_day(add_days(start, day))
    report = campaign_progress(hierarchy, sim.campaign, sim.attempts, as_of)
    districts = tuple(report.rows(NodeKind.DISTRICT))
    total: dict[str, object] = {"id": report.scope.id, "name": report.scope.name}
    total.update(report.total.as_row())
    return CampaignDay(as_of, total, districts, tuple(report.behind(NodeKind.GRID, 10)))
