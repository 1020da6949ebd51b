"""A synthetic province, built and reported one city at a time: Hunan's 14 cities.

Hunan has about 66 million residents in some 23 million households, about 17
times Zhuzhou, and reports daily through its 14 prefecture-level units
(:func:`hunan_cities`). Each city is a synthetic city of its own
(:func:`hunan_city`), with its real GB/T 2260 code, the county-level units the
current revision lists under it, households in proportion to its population
(the Seventh National Population Census bulletins of Hunan, 2021) and grids in
Zhuzhou's ratio of households per grid.

No process ever holds the province's households. A city's task
(:func:`city_tally`) builds the city, runs its report day, tallies it and
rolls the tally up to the nodes of the province's report
(:func:`~gridcare.reports.rollup_to`): the city and its counties. Those small
tallies are merged (:func:`merge_city_tallies`) and reported over a small
hierarchy holding only the province's top (:func:`hunan_hierarchy`). Each
city's seed derives from the province's seed and the city's code
(:func:`city_seed`), so the result is the same whatever runs the tasks, in
whatever order.

>>> cities = hunan_cities()
>>> len(cities), cities[0].name, cities[0].code, round(sum(c.share for c in cities), 6)
(14, '长沙市', '430100', 1.0)
>>> h = hunan_hierarchy()
>>> h.root.name, len(h.nodes_of(NodeKind.CITY)), len(h.nodes_of(NodeKind.DISTRICT))
('湖南省', 14, 122)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import attrs

from gridcare.codes import AreaCode, normalise_area_code
from gridcare.errors import (
    FieldError,
    InvalidInput,
    read_once,
    require_finite,
    require_instance,
    require_int,
    require_items,
)
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.masking import masked_field_reprs
from gridcare.reports import Tally, TallyBuilder, rollup_to
from gridcare.testing._arguments import require_seed
from gridcare.testing.scenario import CityDay, synthetic_day
from gridcare.testing.synthetic import (
    PROFILES,
    City,
    CityProfile,
    CountyProfile,
    apportion,
    synthetic_city,
)
from gridcare.text import check_text_of
from gridcare.timeutil import require_day

__all__ = [
    "HUNAN_CODE",
    "HUNAN_HOUSEHOLDS",
    "REPORT_DAY",
    "CityTally",
    "ProvinceCity",
    "city_day",
    "city_seed",
    "city_tally",
    "hunan_cities",
    "hunan_city",
    "hunan_hierarchy",
    "merge_city_tallies",
    "record_count",
    "tally_for_province",
    "whole_province",
]

#: Hunan's GB/T 2260 code, the root of its report.
HUNAN_CODE = "430000"
_HUNAN_NAME = "湖南省"

#: Households of the synthetic Hunan at scale 1.0 (about 66 million residents).
HUNAN_HOUSEHOLDS = 23_000_000

#: The report day the cities' days are cut off on (08:00), as :func:`synthetic_day`'s default.
REPORT_DAY = date(2022, 3, 27)

# The 14 prefecture-level units: GB/T 2260 code, name, resident population in
# 10,000s (the Seventh National Population Census bulletins of Hunan, 2021, rounded).
_CITIES = (
    ("430100", "长沙市", 1005),
    ("430200", "株洲市", 390),
    ("430300", "湘潭市", 273),
    ("430400", "衡阳市", 665),
    ("430500", "邵阳市", 656),
    ("430600", "岳阳市", 505),
    ("430700", "常德市", 528),
    ("430800", "张家界市", 152),
    ("430900", "益阳市", 385),
    ("431000", "郴州市", 467),
    ("431100", "永州市", 529),
    ("431200", "怀化市", 459),
    ("431300", "娄底市", 383),
    ("433100", "湘西土家族苗族自治州", 249),
)

# Typical figures of a county-level unit the package has no figures for, by kind:
# relative population (10,000s), then streets (街道), towns (镇) and townships (乡).
_TYPICAL = {
    "district": (40, 7, 2, 0),
    "city": (80, 5, 15, 2),
    "county": (55, 2, 13, 5),
}

_SEED_TAG = "gridcare.province/hunan"


def _area_code(value: object, field: str = "code") -> AreaCode:
    """The division ``value`` codes, by :class:`~gridcare.codes.AreaCode`'s rule and codes
    (``not_string``, ``too_long``, ``bad_length``, ``bad_characters`` ...), reported at
    ``field``: a city's code is a division code, not free text."""
    normalised = normalise_area_code(value)
    if isinstance(normalised, FieldError):
        raise InvalidInput(normalised.code, field, normalised.message, value=normalised.value)
    assert isinstance(value, str)  # normalise_area_code found a str
    return AreaCode(value)


@attrs.frozen(field_transformer=masked_field_reprs)
class ProvinceCity:
    """One prefecture-level unit of the synthetic province, and the profile of its synthetic city.

    ``population`` is the census figure in 10,000s, ``share`` the city's part
    of the province's population. ``profile`` is what
    :func:`~gridcare.testing.synthetic.synthetic_city` builds the city from;
    :attr:`households` and :attr:`grids` are its figures at scale 1.0. Get
    them from :func:`hunan_cities`. ``code`` is a division code (the rule
    and codes of :class:`~gridcare.codes.AreaCode`), ``name`` a place's name
    (the text rules of a ``place``, :func:`gridcare.text.kind_problem`).

    >>> changsha = hunan_cities()[0]
    >>> changsha.households, changsha.grids, changsha.counties[:2]
    (3478032, 6741, ('430102', '430103'))
    """

    code: str
    name: str
    population: int
    share: float
    profile: CityProfile

    def __attrs_post_init__(self) -> None:
        _area_code(self.code)
        check_text_of(self.name, "name", "place")
        require_int(self.population, "population", low=1)
        share = require_finite(self.share, "share")
        if not 0 < share <= 1:
            raise InvalidInput("out_of_range", "share", "expected above 0 and at most 1")
        require_instance(self.profile, CityProfile, "profile")

    @property
    def households(self) -> int:
        """The city's households at scale 1.0."""
        return self.profile.households

    @property
    def grids(self) -> int:
        """The city's grids at scale 1.0."""
        return self.profile.grids

    @property
    def counties(self) -> tuple[str, ...]:
        """The codes of the city's county-level units, in GB/T 2260 order."""
        return tuple(county.code for county in self.profile.counties)


@attrs.frozen(field_transformer=masked_field_reprs)
class CityTally:
    """What a city's task sends back: its day's tally at the province's nodes, and its size.

    ``tally`` holds counts at the city's root and its county-level units only
    (a few hundred keys); ``records`` is :func:`record_count` of the city's day.
    ``code`` is the city's division code, as its root's id spells it (the
    rule and codes of :class:`~gridcare.codes.AreaCode`, reported at ``code``).

    >>> CityTally("430800", Tally.empty(), households=0, residents=0, records=0).code
    '430800'
    >>> CityTally("4308\x1b[2J", Tally.empty(), households=0, residents=0, records=0)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: code: the official part must be digits only [bad_characters]
    """

    code: str
    tally: Tally
    households: int
    residents: int
    records: int

    def __attrs_post_init__(self) -> None:
        _area_code(self.code)
        require_instance(self.tally, Tally, "tally")
        for field in ("households", "residents", "records"):
            require_int(getattr(self, field), field, low=0)


def _kind_of(name: str) -> str:
    """District (区), county-level city (市) or county (县, 自治县), from the unit's name."""
    if name.endswith("区"):
        return "district"
    if name.endswith("市"):
        return "city"
    return "county"


def _counties(city_code: str) -> tuple[CountyProfile, ...]:
    """The county-level units the current GB/T 2260 revision lists under a city, in code order.

    The county digits run from 01 to 99; 市辖区 (a city's urban districts taken
    together) is a statistical heading, not a unit. Zhuzhou's units keep the
    figures of the ``zhuzhou`` profile; the others take typical figures by kind.
    """
    known = {county.code: county for county in PROFILES["zhuzhou"].counties}
    found = []
    for digits in range(1, 100):
        code = f"{city_code[:4]}{digits:02d}"
        division = AreaCode.parse(code).division
        if division is None or division.until is not None or division.name == "市辖区":
            continue
        county = known.get(code)
        if county is None:
            weight, streets, towns, townships = _TYPICAL[_kind_of(division.name)]
            county = CountyProfile(code, division.name, weight, streets, towns, townships, (code,))
        found.append(county)
    return tuple(found)


def hunan_cities() -> tuple[ProvinceCity, ...]:
    """Hunan's 14 prefecture-level units, in GB/T 2260 order, with their synthetic profiles.

    Households are :data:`HUNAN_HOUSEHOLDS` split in proportion to the
    cities' populations (largest remainder); grids and grid workers follow
    the ``zhuzhou`` profile's households per grid and workers per grid.

    >>> cities = hunan_cities()
    >>> sum(c.households for c in cities) == HUNAN_HOUSEHOLDS
    True
    >>> [c.name for c in cities if c.share > 0.1]
    ['长沙市', '衡阳市']
    """
    zhuzhou = PROFILES["zhuzhou"]
    per_grid = zhuzhou.households / zhuzhou.grids
    workers_per_grid = zhuzhou.grid_workers / zhuzhou.grids
    populations = [population for _, _, population in _CITIES]
    total = sum(populations)
    households = apportion(HUNAN_HOUSEHOLDS, populations)
    found = []
    for (code, name, population), n in zip(_CITIES, households, strict=True):
        counties = _counties(code)
        grids = max(len(counties), round(n / per_grid))
        profile = attrs.evolve(
            zhuzhou,
            name=f"hunan-{code}",
            counties=counties,
            households=n,
            grids=grids,
            grid_workers=round(grids * workers_per_grid),
            code=code,
            city_name=name,
        )
        found.append(ProvinceCity(code, name, population, population / total, profile))
    return tuple(found)


def _chosen(city: object, field: str = "city") -> ProvinceCity:
    """A :class:`ProvinceCity`, or the Hunan city with this code; ``InvalidInput`` otherwise."""
    if isinstance(city, ProvinceCity):
        return city
    if isinstance(city, str):
        for found in hunan_cities():
            if found.code == city:
                return found
    raise InvalidInput(
        "unknown_choice",
        field,
        "expected a ProvinceCity or the code of a Hunan city (430100 ... 433100)",
        value=city,
    )


def city_seed(seed: int, code: str) -> int:
    """A city's seed, from the province's ``seed`` and the city's code (0 to 2**63-1).

    The same whatever the other cities, the scheduler or the order of the tasks.
    ``code`` is a division code (the rule and codes of
    :class:`~gridcare.codes.AreaCode`, reported at ``code``); the seed is
    that of the division, whichever way the code spells it.

    >>> city_seed(0, "430100") == city_seed(0, "430100000") != city_seed(0, "430200")
    True
    """
    require_seed(seed)
    division = str(_area_code(code))
    digest = hashlib.sha256(f"{_SEED_TAG}/{seed}/{division}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def hunan_city(city: ProvinceCity | str, *, scale: float, seed: int = 0) -> City:
    """One city of the province (a :class:`ProvinceCity` or its code), at ``scale``.

    ``seed`` is the province's: the city's own is :func:`city_seed`. Its root
    is the city (id and code the city's code), its districts the county-level
    units of :attr:`ProvinceCity.counties`.

    >>> city = hunan_city("430800", scale=0.001)
    >>> city.hierarchy.root.name, [n.name for n in city.hierarchy.nodes_of(NodeKind.DISTRICT)]
    ('张家界市', ['永定区', '武陵源区', '慈利县', '桑植县'])
    """
    chosen = _chosen(city)
    return synthetic_city(chosen.profile, scale, city_seed(seed, chosen.code))


def record_count(day: CityDay) -> int:
    """The records a city's report day holds: what the scaling figures count.

    Forms filed (``submitted``), declaration events before the cutoff,
    assessments, visit attempts, whistle cases and residents due in the
    testing round (each has its outcome; none for a day built without it).

    >>> from gridcare.testing.synthetic import synthetic_city
    >>> day = synthetic_day(synthetic_city(scale=0.001))
    >>> record_count(day) > day.submitted
    True
    """
    require_instance(day, CityDay, "day")
    return (
        day.submitted
        + len(day.declaration_events)
        + len(day.assessments)
        + len(day.attempts)
        + len(day.cases)
        + (0 if day.screening is None else len(day.screening.outcomes))
    )


def city_day(
    city: ProvinceCity | str, *, scale: float, seed: int = 0, report_day: date = REPORT_DAY
) -> CityDay:
    """One city's report day (:func:`~gridcare.testing.scenario.synthetic_day`) at ``scale``.

    The city is :func:`hunan_city`; its day is seeded with :func:`city_seed`
    too. ``seed`` is the province's.

    >>> day = city_day("430800", scale=0.001)
    >>> day.city.hierarchy.root.id, day.cutoff.isoformat()
    ('430800', '2022-03-27T08:00:00+08:00')
    """
    chosen = _chosen(city)
    own_seed = city_seed(seed, chosen.code)
    require_day(report_day, "report_day")
    built = synthetic_city(chosen.profile, scale, own_seed)
    return synthetic_day(built, report_day=report_day, seed=own_seed)


def tally_for_province(day: CityDay) -> CityTally:
    """A city's day as the province's report needs it: its tally at the city and its counties.

    The day's tally (:meth:`~gridcare.testing.scenario.CityDay.tally`) rolled up
    to the city's root and its county-level units
    (:func:`~gridcare.reports.rollup_to`), so that a report over
    :func:`hunan_hierarchy` gives the city's figures exactly as a report over
    the whole city would; with the city's size and :func:`record_count`.

    >>> done = tally_for_province(city_day("430800", scale=0.001))
    >>> sorted(done.tally.nodes()) == ["430800", *hunan_cities()[7].counties]
    True
    """
    require_instance(day, CityDay, "day")
    city = day.city
    h = city.hierarchy
    top = [h.root.id, *(node.id for node in h.nodes_of(NodeKind.DISTRICT))]
    return CityTally(
        h.root.id,
        rollup_to(h, day.tally(), top),
        households=len(city.households),
        residents=len(city.residents),
        records=record_count(day),
    )


def city_tally(
    city: ProvinceCity | str, *, scale: float, seed: int = 0, report_day: date = REPORT_DAY
) -> CityTally:
    """One city's task: its report day (:func:`city_day`) as the province needs it.

    :func:`tally_for_province` of :func:`city_day`: a few hundred counts at the
    city and its county-level units, and the city's size. The city and its day
    are dropped when it returns, so a task holds one city at a time.

    >>> city_tally("430800", scale=0.001).tally.nodes() >= {"430800", "430802"}
    True
    """
    return tally_for_province(city_day(city, scale=scale, seed=seed, report_day=report_day))


def merge_city_tallies(results: Iterable[CityTally | Tally]) -> Tally:
    """The province's tally: the cities' tallies summed (in any order: a tally is a monoid).

    >>> merge_city_tallies([]) == Tally.empty()
    True
    """
    if isinstance(results, (str, bytes, Mapping)) or not isinstance(results, Iterable):
        raise InvalidInput(
            "not_list", "results", f"expected city tallies, got {type(results).__name__}"
        )
    builder = TallyBuilder()
    for i, result in enumerate(read_once(results, "results")):
        if isinstance(result, CityTally):
            builder.add_tally(result.tally)
        elif isinstance(result, Tally):
            builder.add_tally(result)
        else:
            raise InvalidInput(
                "wrong_type",
                f"results.{i}",
                f"expected a CityTally or a Tally, got {type(result).__name__}",
            )
    return builder.build()


def _province_root() -> Node:
    return Node(HUNAN_CODE, NodeKind.PROVINCE, _HUNAN_NAME, None, AreaCode.parse(HUNAN_CODE))


def hunan_hierarchy(cities: Sequence[ProvinceCity] | None = None) -> Hierarchy:
    """The province's report hierarchy: 湖南省, its cities and their county-level units.

    No street, grid or household: the province's report is made over this
    from the cities' tallies (:func:`city_tally`). ``cities`` defaults to all
    14; node ids and codes are the GB/T 2260 codes, as in each city's own
    hierarchy.

    >>> h = hunan_hierarchy(hunan_cities()[1:2])
    >>> [n.name for n in h.children("430200")][:3]
    ['荷塘区', '芦淞区', '石峰区']
    """
    chosen = hunan_cities() if cities is None else require_items(cities, ProvinceCity, "cities")
    nodes = [_province_root()]
    for city in chosen:
        nodes.append(
            Node(city.code, NodeKind.CITY, city.name, HUNAN_CODE, AreaCode.parse(city.code))
        )
        nodes.extend(
            Node(c.code, NodeKind.DISTRICT, c.name, city.code, AreaCode.parse(c.code))
            for c in city.profile.counties
        )
    return Hierarchy(nodes)


def whole_province(hierarchies: Iterable[Hierarchy]) -> Hierarchy:
    """The province's root over whole city hierarchies, down to every household.

    For checking the per-city report at a small scale (it holds every node of
    every city given): a report over it, at the province's, cities' and
    counties' rows, equals the one made over :func:`hunan_hierarchy` from the
    cities' tallies. Each hierarchy given is one city's (its root goes under
    the province's).

    >>> h = whole_province([hunan_city("430800", scale=0.001).hierarchy])
    >>> h.root.name, h.parent("430800").name, h.count_below("430000", NodeKind.HOUSEHOLD) > 500
    ('湖南省', '湖南省', True)
    """
    chosen = require_items(hierarchies, Hierarchy, "hierarchies")
    nodes = [_province_root()]
    for city in chosen:
        root, *rest = city
        nodes.append(attrs.evolve(root, parent_id=HUNAN_CODE))
        nodes.extend(rest)
    return Hierarchy(nodes)
