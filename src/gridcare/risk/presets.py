"""The policy presets: the risk categories and measures of three periods, value for value.

Three presets, each citing the policy documents its values come from and
marking local practice:

* ``hunan-2022-03``: the practice in force when Zhuzhou ran the grid
  prevention code (deployed 2022-03-16), in the era of the national plan's
  8th edition; the whole column is recorded as practice (``SourceKind.LOCAL``);
* ``ninth-edition``: the national prevention and control plan, 9th edition
  (2022-06-28);
* ``twenty-measures``: the twenty measures (2022-11-11).

Every ``source`` names the document (title, issuer, date) and the measure it
states; a value that is this library's own reading (the possible-exposure
rule, provinces with local cases under Hunan's practice) cites the section of
docs/risk.md that decides it. Where the documents give no value the preset
gives none (Hunan's "local rules" for low-risk areas, the 9th edition's self
health monitoring without a duration, the twenty measures' unidentified
secondary contacts and abolished medium-risk areas). Readings that a document
implies but does not spell out (an anchor, a code colour) carry a ``note``
saying so, and so do the two assumptions every preset or Hunan's rests on:
the trace-back window equals the look-back (every preset's
``trace_back_source`` and ``look_back_source``), and under ``hunan-2022-03``
county- and province-level matches map to "affected area" (its ``county`` and
``province_or_city`` rules and the affected-area plan). docs/risk.md,
"Presets and their provenance", has the table.

>>> sorted(PRESETS)
['hunan-2022-03', 'ninth-edition', 'twenty-measures']
>>> PRESETS["ninth-edition"].look_back_days, PRESETS["hunan-2022-03"].look_back_days
(7, 14)
>>> source = PRESETS["ninth-edition"].rules[0].source.source
>>> print(source.split("，")[0])
《新型冠状病毒肺炎防控方案（第九版）》
>>> source.endswith("risk areas: high, by compound or village")
True
>>> PRESETS["ninth-edition"].trace_back_source.note.startswith("assumption: no document")
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from gridcare.errors import InvalidInput, PolicyError, read_mapping, require_instance
from gridcare.masking import mask_numbers
from gridcare.risk.policy import Policy, SourceKind
from gridcare.text import check_text_of

__all__ = ["PRESETS", "Presets"]

# ---------------------------------------------------------------------------- the documents

_HUNAN_DATE = dt.date(2022, 3, 16)
_NINTH_DATE = dt.date(2022, 6, 28)
_TWENTY_DATE = dt.date(2022, 11, 11)

_HUNAN_EDITION = "株洲/湖南 2022年3月做法（第八版方案时期） / Zhuzhou-Hunan practice, March 2022"
_NINTH_EDITION = "新型冠状病毒肺炎防控方案（第九版） / prevention and control plan, 9th edition"
_TWENTY_EDITION = "二十条优化措施 / the twenty measures"

#: The national plan, 8th edition: the measures for contacts in force in March 2022.
_EIGHTH_PLAN = (
    "《新型冠状病毒肺炎防控方案（第八版）》，国务院应对新型冠状病毒肺炎疫情联防联控机制综合组，"
    "2021-05 / COVID-19 prevention and control plan, 8th edition, Comprehensive Group of the "
    "State Council's Joint Prevention and Control Mechanism, May 2021, as applied in Hunan in "
    "March 2022"
)
#: Hunan's rules for arrivals in early 2022, as applied in Zhuzhou.
_HUNAN_RULES = (
    "湖南省应对新型冠状病毒肺炎疫情防控指挥部 2022年1-3月入湘返湘人员防控要求（株洲市自"
    "2022-03-16 起经“格防码”落实） / Hunan provincial COVID-19 prevention and control "
    "headquarters, rules for arrivals in Hunan, January-March 2022 (applied in Zhuzhou through "
    "the grid prevention code from 2022-03-16)"
)
#: The report of the grid prevention code's deployment.
_ZHUZHOU_REPORT = (
    "株洲日报《小网格激发疫情防控大能量》，2022年3月 / Zhuzhou Daily, 'Small grids release "
    "great energy in epidemic prevention', March 2022"
)
_NINTH_PLAN = (
    "《新型冠状病毒肺炎防控方案（第九版）》，国务院应对新型冠状病毒肺炎疫情联防联控机制综合组，"
    "2022-06-28 / COVID-19 prevention and control plan, 9th edition, Comprehensive Group of the "
    "State Council's Joint Prevention and Control Mechanism, 2022-06-28"
)
_TWENTY_NOTICE = (
    "《关于进一步优化新冠肺炎疫情防控措施 科学精准做好防控工作的通知》（二十条），"
    "国务院应对新型冠状病毒肺炎疫情联防联控机制综合组，2022-11-11 / Notice on further "
    "optimising COVID-19 prevention and control measures (the twenty measures), Comprehensive "
    "Group of the State Council's Joint Prevention and Control Mechanism, 2022-11-11"
)
#: Health-code colours were set by each province's code rules, not by the national texts.
_HEALTH_CODES = (
    "各省健康码赋码规则（2022年实践），归纳见 docs/risk.md “Presets and their provenance” / "
    "provincial health-code colour rules as practised in 2022, summarised in docs/risk.md, "
    "'Presets and their provenance'"
)
#: The library's own decisions.
_DECISIONS = "docs/risk.md, 'Decisions'"


def _cite(document: str, what: str) -> str:
    """A ``source``: the document, then the measure it states."""
    return f"{document}: {what}"


def _src(
    edition: str, date: dt.date, where: str, kind: SourceKind, note: str = ""
) -> dict[str, Any]:
    return {
        "edition": edition,
        "date": date.isoformat(),
        "source": where,
        "kind": kind.value,
        "note": note,
    }


def _hunan(where: str, note: str = "") -> dict[str, Any]:
    return _src(_HUNAN_EDITION, _HUNAN_DATE, where, SourceKind.LOCAL, note)


def _ninth(where: str, note: str = "", kind: SourceKind = SourceKind.NATIONAL) -> dict[str, Any]:
    return _src(_NINTH_EDITION, _NINTH_DATE, where, kind, note)


def _twenty(where: str, note: str = "", kind: SourceKind = SourceKind.NATIONAL) -> dict[str, Any]:
    return _src(_TWENTY_EDITION, _TWENTY_DATE, where, kind, note)


def _codes(edition: str, date: dt.date) -> dict[str, Any]:
    return _src(
        edition,
        date,
        _HEALTH_CODES,
        SourceKind.LOCAL,
        "red for high-risk-area history and close contacts; yellow for medium-risk-area "
        "history, secondary contacts and pending tests; green otherwise",
    )


_POSSIBLE_NOTE = (
    "a stay known only at a coarser area containing the designated area is a possible "
    "exposure, assessed as the direct one and flagged for door-to-door verification"
)
_LAST_EXPOSURE_NOTE = "the text gives no anchor; contacts are counted from their last exposure"


def _trace_back_note(days: int) -> str:
    """The note of a trace-back value: no document gives one; it is assumed equal to look-back."""
    return (
        "assumption: no document gives a trace-back window of its own; tracing goes back "
        "from the day the area's level was raised, read as a trace-back window equal to the "
        f"look-back ({days} days)"
    )


def _look_back_note(days: int) -> str:
    """The note of a look-back value: the trace-back window is assumed to equal it."""
    return (
        f"travel history within {days} days; the trace-back window is assumed equal to it "
        "(docs/risk.md, 'Presets and their provenance')"
    )


#: County- and province-level matches under Hunan's practice: the library's mapping.
_HUNAN_WIDE_NOTE = (
    "assumption: a stay elsewhere in a county or a province holding a medium- or high-risk "
    "area is mapped to 'affected area' (an arrival from a province with local cases), at "
    "county and at province level alike: the rules name provinces with local cases, not "
    "counties, and the county level is this library's reading; a province with cases but "
    "no such area is designated AFFECTED explicitly"
)


def _step(
    kind: str,
    days: int | None,
    color: str,
    source: dict[str, Any],
    codes: dict[str, Any],
    tests: tuple[int, ...] = (),
    tests_source: dict[str, Any] | None = None,
    alternatives: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "kind": kind,
        "days": days,
        "test_days": list(tests),
        "code_color": color,
        "alternatives": list(alternatives),
        "source": source,
        "tests_source": tests_source,
        "color_source": codes,
    }


def _rule(match: str, level: str, category: str, source: dict[str, Any]) -> dict[str, Any]:
    return {"match": match, "level": level, "category": category, "source": source}


# ---------------------------------------------------------------------------- hunan-2022-03


def _hunan_2022_03() -> Policy:
    codes = _codes(_HUNAN_EDITION, _HUNAN_DATE)
    possible = _hunan(_cite(_DECISIONS, "possible exposures"), _POSSIBLE_NOTE)
    derived = _hunan(
        _cite(_DECISIONS, "hunan-2022-03 derives provinces with local cases"), _HUNAN_WIDE_NOTE
    )
    areas = _hunan(_cite(_HUNAN_RULES, "arrivals from medium- and high-risk areas and provinces"))
    rules = [
        _rule("direct", "high", "high_risk_area", areas),
        _rule("possible", "high", "high_risk_area", possible),
        _rule("direct", "medium", "medium_risk_area", areas),
        _rule("possible", "medium", "medium_risk_area", possible),
        _rule("direct", "affected", "affected_area", areas),
        _rule("possible", "affected", "affected_area", possible),
        _rule("county", "high", "affected_area", derived),
        _rule("county", "medium", "affected_area", derived),
        _rule("province_or_city", "high", "affected_area", derived),
        _rule("province_or_city", "medium", "affected_area", derived),
    ]
    from_leaving = "the rules give no anchor; counted from leaving the area as in the 9th edition"
    categories = [
        {
            "category": "close_contact",
            "anchor": "last_exposure",
            "source": _hunan(_cite(_EIGHTH_PLAN, "close contacts"), _LAST_EXPOSURE_NOTE),
            "steps": [
                _step(
                    "centralized_quarantine",
                    14,
                    "red",
                    _hunan(_cite(_EIGHTH_PLAN, "close contacts: 14 d centralized quarantine")),
                    codes,
                    (1, 4, 7, 14),
                    _hunan(_cite(_EIGHTH_PLAN, "close contacts: NAT on days 1, 4, 7 and 14")),
                ),
                _step(
                    "home_health_monitoring",
                    7,
                    "red",
                    _hunan(_cite(_EIGHTH_PLAN, "close contacts: then 7 d home health monitoring")),
                    codes,
                ),
            ],
        },
        {
            "category": "secondary_contact",
            "anchor": "last_exposure",
            "source": _hunan(_cite(_EIGHTH_PLAN, "secondary contacts"), _LAST_EXPOSURE_NOTE),
            "steps": [
                _step(
                    "centralized_quarantine",
                    7,
                    "yellow",
                    _hunan(
                        _cite(_EIGHTH_PLAN, "secondary contacts: 7 d centralized quarantine"),
                        "no NAT days given",
                    ),
                    codes,
                ),
            ],
        },
        {
            "category": "high_risk_area",
            "anchor": "left_area",
            "source": _hunan(_cite(_HUNAN_RULES, "arrivals from high-risk areas"), from_leaving),
            "steps": [
                _step(
                    "centralized_quarantine",
                    14,
                    "red",
                    _hunan(_cite(_HUNAN_RULES, "high-risk areas: 14 d centralized quarantine")),
                    codes,
                    (1, 4, 7, 10, 14),
                    _hunan(
                        _cite(_HUNAN_RULES, "high-risk areas: NAT e.g. on days 1, 4, 7, 10, 14"),
                        "given as an example of local practice ('e.g.')",
                    ),
                ),
            ],
        },
        {
            "category": "medium_risk_area",
            "anchor": "left_area",
            "source": _hunan(_cite(_HUNAN_RULES, "arrivals from medium-risk areas"), from_leaving),
            "steps": [
                _step(
                    "centralized_quarantine",
                    14,
                    "yellow",
                    _hunan(
                        _cite(_HUNAN_RULES, "medium-risk areas: 14 d, centralized or at home"),
                        "local authorities chose centralized quarantine or home isolation",
                    ),
                    codes,
                    alternatives=("home_isolation",),
                ),
            ],
        },
        {
            "category": "affected_area",
            "anchor": "arrival",
            "source": _hunan(
                _cite(_HUNAN_RULES, "arrivals from provinces with local cases"),
                "reached by AFFECTED designations and, by this preset's assumption, by "
                "county- and province-level matches of medium and high designations",
            ),
            "arrival_test": {
                "before_hours": 48,
                "after_hours": 24,
                "source": _hunan(
                    _cite(
                        _HUNAN_RULES,
                        "provinces with local cases: a negative NAT within 48 h before "
                        "arrival, a NAT within 24 h after",
                    )
                ),
            },
            "green_after_tests": True,
            "steps": [
                _step(
                    "self_health_monitoring",
                    14,
                    "yellow",
                    _hunan(
                        _cite(
                            _HUNAN_RULES,
                            "provinces with local cases: 14 d self health monitoring",
                        )
                    ),
                    codes,
                ),
            ],
        },
    ]
    return Policy.from_dict(
        {
            "name": "hunan-2022-03",
            "title_zh": "株洲格防码时期（2022年3月）湖南做法",
            "title_en": "Hunan practice when Zhuzhou ran the grid prevention code (March 2022)",
            "look_back_days": 14,
            "look_back_source": _hunan(
                _cite(_EIGHTH_PLAN, "travel history within 14 days"), _look_back_note(14)
            ),
            "trace_back_days": 14,
            "trace_back_source": _hunan(
                _cite(_EIGHTH_PLAN, "travel history within 14 days"), _trace_back_note(14)
            ),
            "rules": rules,
            "categories": categories,
            "source": _hunan(
                _cite(_ZHUZHOU_REPORT, "the grid prevention code, deployed 2022-03-16"),
                "the measures are those of the 8th-edition plan and Hunan's rules for "
                "arrivals; low-risk areas were left to local rules and are not identified here",
            ),
        }
    )


# ---------------------------------------------------------------------------- ninth-edition


def _low_risk(src: Any, codes: dict[str, Any], document: str, note: str = "") -> dict[str, Any]:
    anchor_note = "the tests are on arrival; the text names no anchor"
    where = _cite(document, "low-risk areas of an affected county")
    return {
        "category": "low_risk_area",
        "anchor": "arrival",
        "source": src(where, f"{note}; {anchor_note}" if note else anchor_note),
        "requirements": [
            {
                "count": 2,
                "within_days": 3,
                "min_gap_hours": 24,
                "source": src(f"{where}: 2 NATs within 3 days, 24 h apart", note),
            }
        ],
        "green_after_tests": True,
        "steps": [
            _step(
                "self_health_monitoring",
                None,
                "yellow",
                src(
                    f"{where}: then self health monitoring",
                    "the text gives no duration: the step stays open",
                ),
                codes,
            )
        ],
    }


def _ninth_edition() -> Policy:
    codes = _codes(_NINTH_EDITION, _NINTH_DATE)
    possible = _ninth(_cite(_DECISIONS, "possible exposures"), _POSSIBLE_NOTE, SourceKind.LOCAL)

    def areas(what: str) -> dict[str, Any]:
        return _ninth(_cite(_NINTH_PLAN, f"risk areas: {what}"))

    low = "low = the rest of a county that contains medium or high areas"
    rules = [
        _rule("direct", "high", "high_risk_area", areas("high, by compound or village")),
        _rule("possible", "high", "high_risk_area", possible),
        _rule("direct", "medium", "medium_risk_area", areas("medium")),
        _rule("possible", "medium", "medium_risk_area", possible),
        _rule("direct", "low", "low_risk_area", areas("low")),
        _rule("possible", "low", "low_risk_area", possible),
        _rule("county", "high", "low_risk_area", areas(low)),
        _rule("county", "medium", "low_risk_area", areas(low)),
    ]
    categories = [
        {
            "category": "close_contact",
            "anchor": "last_exposure",
            "source": _ninth(_cite(_NINTH_PLAN, "close contacts, from the last exposure")),
            "steps": [
                _step(
                    "centralized_quarantine",
                    7,
                    "red",
                    _ninth(_cite(_NINTH_PLAN, "close contacts: 7 d centralized quarantine")),
                    codes,
                    (1, 2, 3, 5, 7),
                    _ninth(_cite(_NINTH_PLAN, "close contacts: NAT on days 1, 2, 3, 5 and 7")),
                ),
                _step(
                    "home_health_monitoring",
                    3,
                    "red",
                    _ninth(_cite(_NINTH_PLAN, "close contacts: then 3 d home health monitoring")),
                    codes,
                    (3,),
                    _ninth(_cite(_NINTH_PLAN, "close contacts: NAT on day 3 at home")),
                ),
            ],
        },
        {
            "category": "secondary_contact",
            "anchor": "last_exposure",
            "source": _ninth(_cite(_NINTH_PLAN, "secondary contacts"), _LAST_EXPOSURE_NOTE),
            "steps": [
                _step(
                    "home_isolation",
                    7,
                    "yellow",
                    _ninth(_cite(_NINTH_PLAN, "secondary contacts: 7 d home isolation")),
                    codes,
                    (1, 4, 7),
                    _ninth(_cite(_NINTH_PLAN, "secondary contacts: NAT on days 1, 4 and 7")),
                ),
            ],
        },
        {
            "category": "high_risk_area",
            "anchor": "left_area",
            "source": _ninth(_cite(_NINTH_PLAN, "high-risk areas, from leaving the area")),
            "steps": [
                _step(
                    "centralized_quarantine",
                    7,
                    "red",
                    _ninth(_cite(_NINTH_PLAN, "high-risk areas: 7 d centralized quarantine")),
                    codes,
                    (1, 2, 3, 5, 7),
                    _ninth(_cite(_NINTH_PLAN, "high-risk areas: NAT on days 1, 2, 3, 5 and 7")),
                ),
            ],
        },
        {
            "category": "medium_risk_area",
            "anchor": "left_area",
            "source": _ninth(_cite(_NINTH_PLAN, "medium-risk areas, from leaving the area")),
            "steps": [
                _step(
                    "home_isolation",
                    7,
                    "yellow",
                    _ninth(_cite(_NINTH_PLAN, "medium-risk areas: 7 d home isolation")),
                    codes,
                    (1, 4, 7),
                    _ninth(_cite(_NINTH_PLAN, "medium-risk areas: NAT on days 1, 4 and 7")),
                ),
            ],
        },
        _low_risk(_ninth, codes, _NINTH_PLAN),
    ]
    return Policy.from_dict(
        {
            "name": "ninth-edition",
            "title_zh": "新型冠状病毒肺炎防控方案（第九版）",
            "title_en": "COVID-19 prevention and control plan, 9th edition",
            "look_back_days": 7,
            "look_back_source": _ninth(
                _cite(_NINTH_PLAN, "travel history within 7 days"), _look_back_note(7)
            ),
            "trace_back_days": 7,
            "trace_back_source": _ninth(
                _cite(_NINTH_PLAN, "travel history within 7 days"), _trace_back_note(7)
            ),
            "rules": rules,
            "categories": categories,
            "source": _ninth(_cite(_NINTH_PLAN, "the plan as a whole")),
        }
    )


# ---------------------------------------------------------------------------- twenty-measures


def _twenty_measures() -> Policy:
    codes = _codes(_TWENTY_EDITION, _TWENTY_DATE)
    possible = _twenty(_cite(_DECISIONS, "possible exposures"), _POSSIBLE_NOTE, SourceKind.LOCAL)
    areas = _twenty(
        _cite(_TWENTY_NOTICE, "risk areas: high and low only, high drawn by unit or building")
    )

    def local(where: str, note: str = "") -> dict[str, Any]:
        return _twenty(where, note, SourceKind.LOCAL)

    low_note = "continued locally: the 9th edition's low-risk rule as local practice"
    low_rule = local(_cite(_TWENTY_NOTICE, "low-risk areas of an affected county"), low_note)
    rules = [
        _rule("direct", "high", "high_risk_area", areas),
        _rule("possible", "high", "high_risk_area", possible),
        _rule("direct", "low", "low_risk_area", low_rule),
        _rule("possible", "low", "low_risk_area", possible),
        _rule("county", "high", "low_risk_area", low_rule),
    ]
    categories = [
        {
            "category": "close_contact",
            "anchor": "last_exposure",
            "source": _twenty(_cite(_TWENTY_NOTICE, "close contacts"), _LAST_EXPOSURE_NOTE),
            "steps": [
                _step(
                    "centralized_quarantine",
                    5,
                    "red",
                    _twenty(_cite(_TWENTY_NOTICE, "close contacts: 5 d centralized quarantine")),
                    codes,
                    (1, 2, 3, 5),
                    _twenty(_cite(_TWENTY_NOTICE, "close contacts: NAT on days 1, 2, 3 and 5")),
                ),
                _step(
                    "home_isolation",
                    3,
                    "red",
                    _twenty(_cite(_TWENTY_NOTICE, "close contacts: then 3 d home isolation")),
                    codes,
                    (1, 3),
                    _twenty(_cite(_TWENTY_NOTICE, "close contacts: NAT on home days 1 and 3")),
                ),
            ],
        },
        {
            "category": "high_risk_area",
            "anchor": "left_area",
            "source": _twenty(_cite(_TWENTY_NOTICE, "high-risk areas, from leaving the area")),
            "steps": [
                _step(
                    "home_isolation",
                    7,
                    "red",
                    _twenty(_cite(_TWENTY_NOTICE, "high-risk areas: 7 d home isolation")),
                    codes,
                    (1, 3, 5, 7),
                    _twenty(_cite(_TWENTY_NOTICE, "high-risk areas: NAT on days 1, 3, 5 and 7")),
                ),
            ],
        },
        _low_risk(local, codes, _TWENTY_NOTICE, low_note),
    ]
    return Policy.from_dict(
        {
            "name": "twenty-measures",
            "title_zh": "进一步优化疫情防控的二十条措施",
            "title_en": "The twenty measures to optimise prevention and control",
            "look_back_days": 7,
            "look_back_source": _twenty(
                _cite(_NINTH_PLAN, "travel history within 7 days, unchanged by the notice"),
                _look_back_note(7),
            ),
            "trace_back_days": 7,
            "trace_back_source": _twenty(
                _cite(_NINTH_PLAN, "travel history within 7 days, unchanged by the notice"),
                _trace_back_note(7),
            ),
            "rules": rules,
            "categories": categories,
            "source": _twenty(
                _cite(_TWENTY_NOTICE, "the twenty measures"),
                "secondary contacts are not identified and medium-risk areas are abolished: "
                "neither has a rule or a plan",
            ),
        }
    )


#: Preset name -> policy (read-only).
class Presets(Mapping[str, Policy]):
    """The preset policies by name; an unknown name is a ``PolicyError`` naming the presets.

    A read-only mapping: ``PRESETS["ninth-edition"]``, ``"x" in PRESETS``,
    ``PRESETS.get("x")`` and iteration work as for a dict. Built from a
    mapping of names to policies; anything else is ``InvalidInput``
    (``not_mapping``, ``not_string``, ``not_policy``), and so is a name that
    breaks the text rules of a code (up to 128 printable characters, the
    first a letter or digit: the rule's code).

    >>> sorted(PRESETS)
    ['hunan-2022-03', 'ninth-edition', 'twenty-measures']
    >>> PRESETS["ninth"]  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gridcare.errors.PolicyError: policy preset 'ninth': no such preset; the presets are hunan-...
    """

    __slots__ = ("_policies",)

    def __init__(self, policies: Mapping[str, Policy]) -> None:
        if not isinstance(policies, Mapping):
            raise InvalidInput(
                "not_mapping", "policies", f"expected a mapping, got {type(policies).__name__}"
            )
        found: dict[str, Policy] = {}
        for i, (name, policy) in enumerate(read_mapping(policies, "policies").items()):
            where = f"policies.{i}"
            require_instance(name, str, where, code="not_string")
            found[check_text_of(name, where, "code")] = require_instance(
                policy, Policy, where, code="not_policy"
            )
        self._policies = found

    def __getitem__(self, name: str) -> Policy:
        found = self._policies.get(name) if isinstance(name, str) else None
        if found is None:
            shown = name if isinstance(name, str) and len(name) <= 40 else "(not a preset name)"
            raise PolicyError(
                f"preset {shown!r}", "no such preset; the presets are " + ", ".join(self._policies)
            )
        return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._policies

    def get(self, name: str, default: Policy | None = None) -> Policy | None:  # type: ignore[override]
        """The preset called ``name``, or ``default``."""
        return self._policies.get(name, default) if isinstance(name, str) else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._policies)

    def __len__(self) -> int:
        return len(self._policies)

    def __repr__(self) -> str:
        return f"Presets({mask_numbers(', '.join(self._policies))})"


#: The preset policies by name (see :class:`Presets`).
PRESETS: Presets = Presets(
    {
        "hunan-2022-03": _hunan_2022_03(),
        "ninth-edition": _ninth_edition(),
        "twenty-measures": _twenty_measures(),
    }
)
