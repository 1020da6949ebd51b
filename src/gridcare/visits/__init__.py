"""Door-knocking campaigns: the campaign and its attempts, each household's
visit lifecycle, progress and mop-up lists, findings, and campaign planning.

The modules, lowest first: :mod:`~gridcare.visits.campaign` (the campaign),
:mod:`~gridcare.visits.findings`, :mod:`~gridcare.visits.lifecycle` (attempts,
the household visit machine and its replay), :mod:`~gridcare.visits.progress`
and :mod:`~gridcare.visits.planning`.

>>> from gridcare.visits import HouseholdVisitState
>>> HouseholdVisitState.NOT_STARTED.value
'not_started'
"""

from __future__ import annotations

from gridcare.visits.campaign import Campaign, require_text, target_coverage_fraction
from gridcare.visits.findings import (
    ArrivalFound,
    Dispute,
    DisputeResolution,
    Findings,
    Hazard,
    HazardKind,
    PremisesCheck,
    PremisesInspection,
    Service,
    ServiceKind,
    Severity,
    proxy_declaration_payload,
)
from gridcare.visits.lifecycle import (
    HOUSEHOLD_VISIT_MACHINE,
    HouseholdReplay,
    HouseholdVisit,
    HouseholdVisitState,
    VisitAttempt,
    VisitChannel,
    VisitEventKind,
    VisitOutcome,
    VisitReplay,
    apply_visit_event,
    attempt_kind,
    reaches_attempt_limit,
    replay_household,
    replay_visits,
    revisit_due,
    visit_event_kind,
)
from gridcare.visits.planning import (
    CampaignDay,
    CampaignModel,
    CampaignPlan,
    CampaignSimulation,
    Crew,
    GridPlan,
    SimulationRun,
    allocate_teams,
    households_by_grid,
    plan_campaign,
    simulate_campaign,
    simulated_campaign_day,
)
from gridcare.visits.progress import (
    ActorKind,
    MopUp,
    MopUpItem,
    NodeProgress,
    ProgressReport,
    WorkloadRow,
    mop_up,
    progress,
    workload,
)

__all__ = [
    "HOUSEHOLD_VISIT_MACHINE",
    "ActorKind",
    "ArrivalFound",
    "Campaign",
    "CampaignDay",
    "CampaignModel",
    "CampaignPlan",
    "CampaignSimulation",
    "Crew",
    "Dispute",
    "DisputeResolution",
    "Findings",
    "GridPlan",
    "Hazard",
    "HazardKind",
    "HouseholdReplay",
    "HouseholdVisit",
    "HouseholdVisitState",
    "MopUp",
    "MopUpItem",
    "NodeProgress",
    "PremisesCheck",
    "PremisesInspection",
    "ProgressReport",
    "Service",
    "ServiceKind",
    "Severity",
    "SimulationRun",
    "VisitAttempt",
    "VisitChannel",
    "VisitEventKind",
    "VisitOutcome",
    "VisitReplay",
    "WorkloadRow",
    "allocate_teams",
    "apply_visit_event",
    "attempt_kind",
    "households_by_grid",
    "mop_up",
    "plan_campaign",
    "progress",
    "proxy_declaration_payload",
    "reaches_attempt_limit",
    "replay_household",
    "replay_visits",
    "require_text",
    "revisit_due",
    "simulate_campaign",
    "simulated_campaign_day",
    "target_coverage_fraction",
    "visit_event_kind",
    "workload",
]
