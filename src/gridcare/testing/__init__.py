"""Test helpers for gridcare's users: hypothesis strategies and synthetic cities.

Install with the ``testing`` extra (``pip install "gridcare[testing]"``); the
core package never imports this one. The pytest fixtures live in
:mod:`gridcare.testing.plugin` and load through the ``pytest11`` entry point.

>>> from gridcare.testing import synthetic_city
>>> synthetic_city(scale=0.001).hierarchy.root.name
'株洲市'
"""

from gridcare.testing._declaration_strategies import (
    CORRUPTIONS,
    declaration_forms,
    declarations,
    form_payloads,
)
from gridcare.testing._risk_strategies import (
    contacts,
    histories,
    risk_designations,
    risk_policies,
    risk_registers,
    stays,
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
from gridcare.testing.synthetic import PROFILES, City, synthetic_city

__all__ = [
    "CORRUPTIONS",
    "INVALID_CITIZEN_ID_KINDS",
    "PROFILES",
    "City",
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
    "risk_policies",
    "risk_registers",
    "stays",
    "synthetic_city",
    "visit_attempts",
    "whistle_case_events",
]
