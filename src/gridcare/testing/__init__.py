"""Test helpers for gridcare's users: hypothesis strategies and synthetic cities.

The synthetic city needs only gridcare itself. The hypothesis strategies need
the ``testing`` extra (``pip install "gridcare[testing]"``): they are imported
when first used, so a plain install can still build cities and run the pytest
plugin. (``from gridcare.testing import *`` asks for every name, strategies
included, so on a plain install it stops with the error that names the extra:
import the names you use.) The core package never imports this one. The pytest fixtures live in
:mod:`gridcare.testing.plugin` and load through the ``pytest11`` entry point.

>>> from gridcare.testing import synthetic_city
>>> synthetic_city(scale=0.001).hierarchy.root.name
'株洲市'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gridcare.errors import missing_extra
from gridcare.testing.payloads import CORRUPTIONS, FORM_RECEIVED_AT, form_payloads
from gridcare.testing.synthetic import PROFILES, City, synthetic_city

if TYPE_CHECKING:
    from gridcare.testing._declaration_strategies import declaration_forms, declarations
    from gridcare.testing._risk_strategies import (
        RISK_PLACES,
        contacts,
        histories,
        risk_designations,
        risk_instants,
        risk_policies,
        risk_registers,
        stays,
        stays_or_contacts,
    )
    from gridcare.testing._screening_strategies import (
        RoundCase,
        round_cases,
        screening_events,
        screening_rounds,
        tube_logs,
    )
    from gridcare.testing._visit_strategies import (
        attempt_logs,
        campaigns,
        visit_attempts,
        whistle_case_events,
    )
    from gridcare.testing.strategies import (
        INVALID_CITIZEN_ID_KINDS,
        area_codes,
        aware_datetimes,
        citizen_id_strings,
        citizen_ids,
        hierarchies,
        hierarchy_rows,
        node_kinds,
        phone_number_strings,
        phone_numbers,
        rates,
        register_type_strategies,
    )

# Where each strategy lives; its module imports hypothesis, so it loads on first use.
_LAZY: dict[str, str] = {
    "RoundCase": "gridcare.testing._screening_strategies",
    "round_cases": "gridcare.testing._screening_strategies",
    "screening_events": "gridcare.testing._screening_strategies",
    "screening_rounds": "gridcare.testing._screening_strategies",
    "tube_logs": "gridcare.testing._screening_strategies",
    "INVALID_CITIZEN_ID_KINDS": "gridcare.testing.strategies",
    "area_codes": "gridcare.testing.strategies",
    "attempt_logs": "gridcare.testing._visit_strategies",
    "aware_datetimes": "gridcare.testing.strategies",
    "campaigns": "gridcare.testing._visit_strategies",
    "citizen_id_strings": "gridcare.testing.strategies",
    "citizen_ids": "gridcare.testing.strategies",
    "contacts": "gridcare.testing._risk_strategies",
    "declaration_forms": "gridcare.testing._declaration_strategies",
    "declarations": "gridcare.testing._declaration_strategies",
    "hierarchies": "gridcare.testing.strategies",
    "hierarchy_rows": "gridcare.testing.strategies",
    "histories": "gridcare.testing._risk_strategies",
    "node_kinds": "gridcare.testing.strategies",
    "phone_number_strings": "gridcare.testing.strategies",
    "phone_numbers": "gridcare.testing.strategies",
    "rates": "gridcare.testing.strategies",
    "register_type_strategies": "gridcare.testing.strategies",
    "risk_designations": "gridcare.testing._risk_strategies",
    "risk_policies": "gridcare.testing._risk_strategies",
    "risk_registers": "gridcare.testing._risk_strategies",
    "stays": "gridcare.testing._risk_strategies",
    "stays_or_contacts": "gridcare.testing._risk_strategies",
    "RISK_PLACES": "gridcare.testing._risk_strategies",
    "risk_instants": "gridcare.testing._risk_strategies",
    "visit_attempts": "gridcare.testing._visit_strategies",
    "whistle_case_events": "gridcare.testing._visit_strategies",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gridcare.testing' has no attribute {name!r}")
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != "hypothesis":
            raise
        raise missing_extra(f"gridcare.testing.{name}", "hypothesis", "testing") from exc
    return getattr(loaded, name)


__all__ = [
    "CORRUPTIONS",
    "FORM_RECEIVED_AT",
    "INVALID_CITIZEN_ID_KINDS",
    "PROFILES",
    "RISK_PLACES",
    "City",
    "RoundCase",
    "area_codes",
    "attempt_logs",
    "aware_datetimes",
    "campaigns",
    "citizen_id_strings",
    "citizen_ids",
    "contacts",
    "declaration_forms",
    "declarations",
    "form_payloads",
    "hierarchies",
    "hierarchy_rows",
    "histories",
    "node_kinds",
    "phone_number_strings",
    "phone_numbers",
    "rates",
    "register_type_strategies",
    "risk_designations",
    "risk_instants",
    "risk_policies",
    "risk_registers",
    "round_cases",
    "screening_events",
    "screening_rounds",
    "stays",
    "stays_or_contacts",
    "synthetic_city",
    "tube_logs",
    "visit_attempts",
    "whistle_case_events",
]
