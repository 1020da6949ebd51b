"""The policy presets: DOMAIN.md's table of risk categories and measures, value for value.

Three presets, each citing its edition and marking local practice:

* ``hunan-2022-03``: the practice in force when Zhuzhou ran the grid
  prevention code (deployed 2022-03-16), 8th-edition era; the whole column is
  recorded as practice (``SourceKind.LOCAL``);
* ``ninth-edition``: the national prevention plan, 9th edition (2022-06-28);
* ``twenty-measures``: the twenty measures (2022-11-11).

Where DOMAIN.md gives no value the preset gives none (Hunan's "local rules"
for low-risk areas, the 9th edition's self health monitoring without a
duration, the twenty measures' unidentified secondary contacts and abolished
medium-risk areas). Readings that the table implies but does not spell out
(an anchor, a code colour) carry a ``note`` saying so.

>>> sorted(PRESETS)
['hunan-2022-03', 'ninth-edition', 'twenty-measures']
>>> PRESETS["ninth-edition"].look_back_days, PRESETS["hunan-2022-03"].look_back_days
(7, 14)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from gridcare.risk.policy import Policy, SourceKind

__all__ = ["PRESETS"]

_TABLE = "DOMAIN.md, 'Risk areas and measures (the policy presets)'"

_HUNAN_DATE = dt.date(2022, 3, 16)
_NINTH_DATE = dt.date(2022, 6, 28)
_TWENTY_DATE = dt.date(2022, 11, 11)

_HUNAN_EDITION = "株洲/湖南 2022年3月做法（第八版方案时期） / Zhuzhou-Hunan practice, March 2022"
_NINTH_EDITION = "新型冠状病毒肺炎防控方案（第九版） / prevention and control plan, 9th edition"
_TWENTY_EDITION = "二十条优化措施 / the twenty measures"


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
        "DOMAIN.md, 'Health codes in practice'",
        SourceKind.LOCAL,
        "red for high-risk-area history and close contacts; yellow for medium-risk-area "
        "history, secondary contacts and pending tests; green otherwise",
    )


_POSSIBLE_NOTE = (
    "a stay known only at a coarser area containing the designated area is a possible "
    "exposure, assessed as the direct one and flagged for door-to-door verification "
    "(DESIGN.md, 'Exposure')"
)
_LAST_EXPOSURE_NOTE = "the table gives no anchor; contacts are counted from their last exposure"


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
    col = f"{_TABLE}, column 'March 2022 practice'"
    possible = _hunan("DESIGN.md, 'Exposure'", _POSSIBLE_NOTE)
    derived = _hunan(
        f"{_TABLE}, row 'arrival from a province with local cases'",
        "a province holding a medium- or high-risk area has local cases; a province with "
        "cases but no such area is designated AFFECTED explicitly",
    )
    rules = [
        _rule("direct", "high", "high_risk_area", _hunan(col)),
        _rule("possible", "high", "high_risk_area", possible),
        _rule("direct", "medium", "medium_risk_area", _hunan(col)),
        _rule("possible", "medium", "medium_risk_area", possible),
        _rule("direct", "affected", "affected_area", _hunan(col)),
        _rule("possible", "affected", "affected_area", possible),
        _rule("county", "high", "affected_area", derived),
        _rule("county", "medium", "affected_area", derived),
        _rule("province_or_city", "high", "affected_area", derived),
        _rule("province_or_city", "medium", "affected_area", derived),
    ]
    categories = [
        {
            "category": "close_contact",
            "anchor": "last_exposure",
            "source": _hunan(f"{col}, row 'close contact'", _LAST_EXPOSURE_NOTE),
            "steps": [
                _step(
                    "centralized_quarantine",
                    14,
                    "red",
                    _hunan(f"{col}, row 'close contact': 14 d centralized"),
                    codes,
                    (1, 4, 7, 14),
                    _hunan(f"{col}, row 'close contact': NAT days 1,4,7,14"),
                ),
                _step(
                    "home_health_monitoring",
                    7,
                    "red",
                    _hunan(f"{col}, row 'close contact': + 7 d home health monitoring"),
                    codes,
                ),
            ],
        },
        {
            "category": "secondary_contact",
            "anchor": "last_exposure",
            "source": _hunan(f"{col}, row 'secondary contact'", _LAST_EXPOSURE_NOTE),
            "steps": [
                _step(
                    "centralized_quarantine",
                    7,
                    "yellow",
                    _hunan(f"{col}, row 'secondary contact': 7 d centralized", "no NAT days given"),
                    codes,
                ),
            ],
        },
        {
            "category": "high_risk_area",
            "anchor": "left_area",
            "source": _hunan(
                f"{col}, row 'high-risk area'",
                "the column gives no anchor; counted from leaving the area as in the 9th edition",
            ),
            "steps": [
                _step(
                    "centralized_quarantine",
                    14,
                    "red",
                    _hunan(f"{col}, row 'high-risk area': 14 d centralized"),
                    codes,
                    (1, 4, 7, 10, 14),
                    _hunan(
                        f"{col}, row 'high-risk area': NAT e.g. 1,4,7,10,14",
                        "given as an example of local practice ('e.g.')",
                    ),
                ),
            ],
        },
        {
            "category": "medium_risk_area",
            "anchor": "left_area",
            "source": _hunan(
                f"{col}, row 'medium-risk area'",
                "the column gives no anchor; counted from leaving the area as in the 9th edition",
            ),
            "steps": [
                _step(
                    "centralized_quarantine",
                    14,
                    "yellow",
                    _hunan(
                        f"{col}, row 'medium-risk area': 14 d, centralized or home (local)",
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
                f"{col}, row 'arrival from a province with local cases (Hunan, Jan-Mar 2022)'"
            ),
            "arrival_test": {
                "before_hours": 48,
                "after_hours": 24,
                "source": _hunan(
                    f"{col}, row 'arrival from a province with local cases': negative NAT "
                    "within 48 h before, NAT within 24 h after arrival"
                ),
            },
            "green_after_tests": True,
            "steps": [
                _step(
                    "self_health_monitoring",
                    14,
                    "yellow",
                    _hunan(
                        f"{col}, row 'arrival from a province with local cases': "
                        "14 d self health monitoring"
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
            "look_back_source": _hunan(f"{_TABLE}, 'Look-back': 14 days before 2022-06-28"),
            "trace_back_days": 14,
            "trace_back_source": _hunan(
                f"{_TABLE}, 'Look-back': tracing goes back from the day the level was raised",
                "read as a trace-back window equal to the look-back",
            ),
            "rules": rules,
            "categories": categories,
            "source": _hunan(
                "DOMAIN.md, 'The story this library serves' and the table's March 2022 column",
                "grid prevention code deployed 2022-03-16; low-risk areas were left to local "
                "rules and are not identified here",
            ),
        }
    )


# ---------------------------------------------------------------------------- ninth-edition


def _low_risk(src: Any, codes: dict[str, Any], where: str, note: str = "") -> dict[str, Any]:
    anchor_note = "the tests are on arrival; the table names no anchor"
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
                    f"{where}: + self health monitoring",
                    "the table gives no duration: the step stays open",
                ),
                codes,
            )
        ],
    }


def _ninth_edition() -> Policy:
    codes = _codes(_NINTH_EDITION, _NINTH_DATE)
    col = f"{_TABLE}, column '9th edition'"
    possible = _ninth("DESIGN.md, 'Exposure'", _POSSIBLE_NOTE, SourceKind.LOCAL)
    areas = f"{_TABLE}, 'Risk areas': 9th edition"
    rules = [
        _rule("direct", "high", "high_risk_area", _ninth(areas)),
        _rule("possible", "high", "high_risk_area", possible),
        _rule("direct", "medium", "medium_risk_area", _ninth(areas)),
        _rule("possible", "medium", "medium_risk_area", possible),
        _rule("direct", "low", "low_risk_area", _ninth(areas)),
        _rule("possible", "low", "low_risk_area", possible),
        _rule(
            "county",
            "high",
            "low_risk_area",
            _ninth(f"{areas}: low = the rest of a county that contains medium or high areas"),
        ),
        _rule(
            "county",
            "medium",
            "low_risk_area",
            _ninth(f"{areas}: low = the rest of a county that contains medium or high areas"),
        ),
    ]
    categories = [
        {
            "category": "close_contact",
            "anchor": "last_exposure",
            "source": _ninth(f"{col}, row 'close contact': from last exposure"),
            "steps": [
                _step(
                    "centralized_quarantine",
                    7,
                    "red",
                    _ninth(f"{col}, row 'close contact': 7 d centralized"),
                    codes,
                    (1, 2, 3, 5, 7),
                    _ninth(f"{col}, row 'close contact': NAT 1,2,3,5,7"),
                ),
                _step(
                    "home_health_monitoring",
                    3,
                    "red",
                    _ninth(f"{col}, row 'close contact': + 3 d home health monitoring"),
                    codes,
                    (3,),
                    _ninth(f"{col}, row 'close contact': + home day 3"),
                ),
            ],
        },
        {
            "category": "secondary_contact",
            "anchor": "last_exposure",
            "source": _ninth(f"{col}, row 'secondary contact'", _LAST_EXPOSURE_NOTE),
            "steps": [
                _step(
                    "home_isolation",
                    7,
                    "yellow",
                    _ninth(f"{col}, row 'secondary contact': 7 d home isolation"),
                    codes,
                    (1, 4, 7),
                    _ninth(f"{col}, row 'secondary contact': NAT 1,4,7"),
                ),
            ],
        },
        {
            "category": "high_risk_area",
            "anchor": "left_area",
            "source": _ninth(f"{col}, row 'high-risk area': from leaving the area"),
            "steps": [
                _step(
                    "centralized_quarantine",
                    7,
                    "red",
                    _ninth(f"{col}, row 'high-risk area': 7 d centralized"),
                    codes,
                    (1, 2, 3, 5, 7),
                    _ninth(f"{col}, row 'high-risk area': NAT 1,2,3,5,7"),
                ),
            ],
        },
        {
            "category": "medium_risk_area",
            "anchor": "left_area",
            "source": _ninth(f"{col}, row 'medium-risk area': from leaving"),
            "steps": [
                _step(
                    "home_isolation",
                    7,
                    "yellow",
                    _ninth(f"{col}, row 'medium-risk area': 7 d home isolation"),
                    codes,
                    (1, 4, 7),
                    _ninth(f"{col}, row 'medium-risk area': NAT 1,4,7"),
                ),
            ],
        },
        _low_risk(_ninth, codes, f"{col}, row 'low-risk area of an affected county'"),
    ]
    return Policy.from_dict(
        {
            "name": "ninth-edition",
            "title_zh": "新型冠状病毒肺炎防控方案（第九版）",
            "title_en": "COVID-19 prevention and control plan, 9th edition",
            "look_back_days": 7,
            "look_back_source": _ninth(f"{_TABLE}, 'Look-back': 7 days after 2022-06-28"),
            "trace_back_days": 7,
            "trace_back_source": _ninth(
                f"{_TABLE}, 'Look-back': tracing goes back from the day the level was raised",
                "read as a trace-back window equal to the look-back",
            ),
            "rules": rules,
            "categories": categories,
            "source": _ninth(_TABLE),
        }
    )


# ---------------------------------------------------------------------------- twenty-measures


def _twenty_measures() -> Policy:
    codes = _codes(_TWENTY_EDITION, _TWENTY_DATE)
    col = f"{_TABLE}, column 'Twenty measures'"
    possible = _twenty("DESIGN.md, 'Exposure'", _POSSIBLE_NOTE, SourceKind.LOCAL)
    areas = f"{_TABLE}, 'Risk areas': twenty measures abolished medium; high by unit or building"

    def local(where: str, note: str = "") -> dict[str, Any]:
        return _twenty(where, note, SourceKind.LOCAL)

    low_note = "continued locally: the 9th edition's low-risk rule as local practice"
    low_rule = local(f"{col}, row 'low-risk area of an affected county'", low_note)
    rules = [
        _rule("direct", "high", "high_risk_area", _twenty(areas)),
        _rule("possible", "high", "high_risk_area", possible),
        _rule("direct", "low", "low_risk_area", low_rule),
        _rule("possible", "low", "low_risk_area", possible),
        _rule("county", "high", "low_risk_area", low_rule),
    ]
    categories = [
        {
            "category": "close_contact",
            "anchor": "last_exposure",
            "source": _twenty(f"{col}, row 'close contact'", _LAST_EXPOSURE_NOTE),
            "steps": [
                _step(
                    "centralized_quarantine",
                    5,
                    "red",
                    _twenty(f"{col}, row 'close contact': 5 d centralized"),
                    codes,
                    (1, 2, 3, 5),
                    _twenty(f"{col}, row 'close contact': NAT 1,2,3,5"),
                ),
                _step(
                    "home_isolation",
                    3,
                    "red",
                    _twenty(f"{col}, row 'close contact': + 3 d home isolation"),
                    codes,
                    (1, 3),
                    _twenty(f"{col}, row 'close contact': + home 1,3"),
                ),
            ],
        },
        {
            "category": "high_risk_area",
            "anchor": "left_area",
            "source": _twenty(f"{col}, row 'high-risk area': from leaving"),
            "steps": [
                _step(
                    "home_isolation",
                    7,
                    "red",
                    _twenty(f"{col}, row 'high-risk area': 7 d home isolation"),
                    codes,
                    (1, 3, 5, 7),
                    _twenty(f"{col}, row 'high-risk area': NAT 1,3,5,7"),
                ),
            ],
        },
        _low_risk(local, codes, f"{col}, row 'low-risk area of an affected county'", low_note),
    ]
    return Policy.from_dict(
        {
            "name": "twenty-measures",
            "title_zh": "进一步优化疫情防控的二十条措施",
            "title_en": "The twenty measures to optimise prevention and control",
            "look_back_days": 7,
            "look_back_source": _twenty(f"{_TABLE}, 'Look-back': 7 days after 2022-06-28"),
            "trace_back_days": 7,
            "trace_back_source": _twenty(
                f"{_TABLE}, 'Look-back': tracing goes back from the day the level was raised",
                "read as a trace-back window equal to the look-back",
            ),
            "rules": rules,
            "categories": categories,
            "source": _twenty(
                _TABLE,
                "secondary contacts are not identified and medium-risk areas are abolished: "
                "neither has a rule or a plan",
            ),
        }
    )


#: Preset name -> policy (read-only).
PRESETS: Mapping[str, Policy] = MappingProxyType(
    {
        "hunan-2022-03": _hunan_2022_03(),
        "ninth-edition": _ninth_edition(),
        "twenty-measures": _twenty_measures(),
    }
)
