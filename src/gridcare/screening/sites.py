"""Sampling sites (采样点) with their stations (采样台), and door sampling teams (上门采样).

A site is attached to a node of the hierarchy (usually a community or a
grid) and has stations; each station samples ``swabs_per_hour`` residents an
hour (a planning parameter, see :mod:`gridcare.screening.planning` for the
default and where it comes from). A door team samples residents flagged for
door sampling at home, ``visits_per_hour`` of them an hour.

>>> site = SamplingSite(id="P1", node_id="M1", stations=(Station(id="P1-1"),
...                                                      Station(id="P1-2", swabs_per_hour=90)))
>>> site.swabs_per_hour, site.capacity(5.0)
(210, 1050)
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from gridcare.errors import InvalidInput, read_once
from gridcare.masking import mask_text, masked_field_reprs
from gridcare.screening.round import require_count, require_id
from gridcare.serial import personal
from gridcare.text import check_text_of

__all__ = ["DEFAULT_SWABS_PER_HOUR", "DoorTeam", "SamplingSite", "Station"]

#: Residents one station samples per hour by default: 30 s each for the code
#: scan, the tube barcode, the swab and the queue moving up (see the docs).
DEFAULT_SWABS_PER_HOUR = 120


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class Station:
    """One sampling station (a table with one sampler and a registrar).

    >>> Station(id="P1-1").swabs_per_hour
    120
    """

    id: str
    swabs_per_hour: int = DEFAULT_SWABS_PER_HOUR

    def __attrs_post_init__(self) -> None:
        require_id(self.id, "id")
        require_count(self.swabs_per_hour, "swabs_per_hour", low=1, high=10_000)


def _stations(value: object) -> tuple[Station, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidInput("bad_stations", "stations", "expected Station values")
    found = tuple(read_once(value, "stations"))
    if len(found) > 10_000:
        raise InvalidInput("bad_stations", "stations", "at most 10,000 stations per site")
    for i, item in enumerate(found):
        if not isinstance(item, Station):
            raise InvalidInput("bad_stations", f"stations.{i}", "expected a Station")
    return found


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class SamplingSite:
    """A sampling site attached to a node, with at least one station.

    ``name`` is shown masked in ``repr`` and in masked exports (it may be an address).

    >>> SamplingSite(id="P1", node_id="M1", stations=())
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: stations: a site has at least one station [no_stations]
    """

    id: str
    node_id: str
    stations: tuple[Station, ...] = attrs.field(converter=_stations)
    name: str = attrs.field(
        default="", repr=lambda v: repr(mask_text(v)) if v else "''", metadata=personal(mask_text)
    )

    def __attrs_post_init__(self) -> None:
        require_id(self.id, "id")
        require_id(self.node_id, "node_id")
        check_text_of(self.name, "name", "place", allow_empty=True)
        if not self.stations:
            raise InvalidInput("no_stations", "stations", "a site has at least one station")

    @property
    def swabs_per_hour(self) -> int:
        """Residents the whole site samples per hour."""
        return sum(s.swabs_per_hour for s in self.stations)

    def capacity(self, hours: float) -> int:
        """Residents the site can sample in ``hours`` (rounded down)."""
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 <= hours < 1e6:
            raise InvalidInput("bad_hours", "hours", "expected a number of hours")
        return int(self.swabs_per_hour * hours)


@attrs.frozen(kw_only=True, field_transformer=masked_field_reprs)
class DoorTeam:
    """A door sampling team of ``members`` people serving a node's flagged residents at home.

    >>> DoorTeam(id="D1", node_id="G1", members=2, visits_per_hour=6).capacity(5.0)
    30
    """

    id: str
    node_id: str
    members: int = 2
    visits_per_hour: int = 6

    def __attrs_post_init__(self) -> None:
        require_id(self.id, "id")
        require_id(self.node_id, "node_id")
        require_count(self.members, "members", low=1, high=100)
        require_count(self.visits_per_hour, "visits_per_hour", low=1, high=1_000)

    def capacity(self, hours: float) -> int:
        """Residents the team can sample at home in ``hours`` (rounded down)."""
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 <= hours < 1e6:
            raise InvalidInput("bad_hours", "hours", "expected a number of hours")
        return int(self.visits_per_hour * hours)
