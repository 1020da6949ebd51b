"""The bridge from a declaration to the risk engine: the person's history."""

from __future__ import annotations

from gridcare.declarations._domain import Declaration
from gridcare.errors import require_instance
from gridcare.risk import RiskHistory, Stay

__all__ = ["history_of"]


def history_of(declaration: Declaration) -> RiskHistory:
    """The risk engine's view of a declaration: its declared stays and its arrival.

    The engine never sees the form; this is the one place a declaration is
    turned into what :func:`gridcare.risk.assess` reads. Anything but a
    :class:`~gridcare.declarations.Declaration` is ``InvalidInput``.

    >>> from datetime import datetime
    >>> from gridcare.declarations import example_form, parse_form
    >>> from gridcare.timeutil import DEFAULT_ZONE
    >>> d = parse_form(example_form(), declaration_id="D1",
    ...                received_at=datetime(2022, 3, 19, 9, tzinfo=DEFAULT_ZONE))
    >>> h = history_of(d)
    >>> h.arrived_at == d.arrived_at, len(h.stays) == len(d.stays)
    (True, True)
    """
    require_instance(declaration, Declaration, "declaration")
    stays = tuple(Stay(s.place, s.start, s.end) for s in declaration.stays)
    return RiskHistory(stays, arrived_at=declaration.arrived_at)
