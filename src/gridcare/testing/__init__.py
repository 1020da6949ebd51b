"""Test helpers for gridcare's users: hypothesis strategies and synthetic cities.

Install with the ``testing`` extra (``pip install "gridcare[testing]"``); the
core package never imports this one.
"""

# --- strategies (hypothesis): maintained with gridcare/testing/strategies.py ---
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

__all__ = [
    "INVALID_CITIZEN_ID_KINDS",
    "area_codes",
    "aware_datetimes",
    "citizen_id_strings",
    "citizen_ids",
    "hierarchies",
    "hierarchy_rows",
    "node_kinds",
    "phone_number_strings",
    "phone_numbers",
    "rates",
    "register_type_strategies",
]
# --- end strategies ---

# --- synthetic cities: maintained with gridcare/testing/synthetic.py ---
from gridcare.testing.synthetic import PROFILES, City, synthetic_city

__all__ += ["PROFILES", "City", "synthetic_city"]
# --- end synthetic cities ---
