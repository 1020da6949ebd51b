"""Findings of a visit: values, masking, and the proxy-declaration payload."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from gridcare.errors import InvalidInput
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

T = datetime(2022, 3, 25, 10, tzinfo=timezone(timedelta(hours=8)))


def arrival(**changes: object) -> ArrivalFound:
    base: dict[str, object] = {
        "person_key": "p:9f2c",
        "household": "H1",
        "found_at": T,
        "masked_name": "刘*娟",
        "masked_id": "430211********0022",
        "masked_phone": "138****5678",
        "from_area": "420100",
        "arrived_at": T - timedelta(days=2),
    }
    base.update(changes)
    return ArrivalFound(**base)  # type: ignore[arg-type]


def test_counts() -> None:
    f = Findings(
        arrivals=[arrival()],
        hazards=[Hazard(HazardKind.FIRE, Severity.LOW), Hazard(HazardKind.GAS, Severity.HIGH)],
        disputes=[Dispute(DisputeResolution.MEDIATED_ON_SPOT)],
        services=[Service(ServiceKind.NAT_AT_HOME), Service(ServiceKind.SUPPLIES_DELIVERED, 3)],
        inspections=[
            PremisesInspection(
                "麻将馆",
                passed=frozenset({PremisesCheck.MASKS}),
                failed=frozenset({PremisesCheck.DISINFECTION_RECORDS}),
                rectification_demanded=True,
            )
        ],
    )
    assert isinstance(f.hazards, tuple)
    assert (f.arrival_count, f.hazard_count, f.dispute_count, f.service_count) == (1, 2, 1, 4)
    assert f.rectifications == 1
    assert not f.empty
    assert Findings().empty


def test_proxy_declaration_payload_is_plain_and_masked() -> None:
    payload = proxy_declaration_payload(arrival(), worker="W7")
    assert payload == {
        "channel": "proxy",
        "declared_by": "W7",
        "declared_at": "2022-03-25T10:00:00+08:00",
        "person_key": "p:9f2c",
        "household": "H1",
        "masked_name": "刘*娟",
        "masked_id": "430211********0022",
        "masked_phone": "138****5678",
        "from_area": "420100",
        "arrived_at": "2022-03-23T10:00:00+08:00",
        "source": "door_knocking",
    }
    with pytest.raises(InvalidInput):
        proxy_declaration_payload(arrival(), worker="")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"person_key": ""}, "missing"),
        ({"household": ""}, "missing"),
        ({"found_at": datetime(2022, 3, 25)}, "naive_datetime"),
        ({"arrived_at": T + timedelta(hours=1)}, "arrived_after_found"),
    ],
)
def test_bad_arrivals(changes: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        arrival(**changes)
    assert info.value.code == code


def test_bad_values() -> None:
    with pytest.raises(InvalidInput):
        Hazard("fire", Severity.LOW)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Dispute("escalated")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Service(ServiceKind.NAT_AT_HOME, 0)
    with pytest.raises(InvalidInput) as info:
        PremisesInspection(
            "店", passed=frozenset({PremisesCheck.MASKS}), failed=frozenset({PremisesCheck.MASKS})
        )
    assert info.value.code == "check_both_ways"
    with pytest.raises(InvalidInput) as info:
        PremisesInspection("店", rectification_demanded=True)
    assert info.value.code == "rectification_without_failure"
    with pytest.raises(InvalidInput):
        Findings(hazards=[Service(ServiceKind.NAT_AT_HOME)])  # type: ignore[list-item]
    with pytest.raises(InvalidInput):
        Findings(hazards="fire")  # type: ignore[arg-type]


def test_free_text_is_masked_in_repr() -> None:
    assert "刘晓娟" not in repr(Hazard(HazardKind.OTHER, Severity.LOW, "刘晓娟家煤气"))
    assert "刘晓娟" not in repr(Dispute(DisputeResolution.ESCALATED, "刘晓娟与邻居"))
    assert "建设南路" not in repr(PremisesInspection("建设南路12号麻将馆"))
