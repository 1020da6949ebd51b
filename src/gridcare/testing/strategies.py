"""Hypothesis strategies for gridcare's value types (filled in by the foundations work)."""

from __future__ import annotations


def register_type_strategies() -> None:
    """Register strategies for ``st.from_type``."""
