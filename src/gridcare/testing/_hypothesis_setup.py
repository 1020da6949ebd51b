"""Registers gridcare's strategies with hypothesis (``hypothesis`` entry point).

Loaded by hypothesis at import time, so ``st.from_type(CitizenId)`` works in
users' suites without importing anything from gridcare.testing.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register a strategy for each public value type with ``st.register_type_strategy``."""
    from gridcare.testing.strategies import register_type_strategies

    register_type_strategies()
