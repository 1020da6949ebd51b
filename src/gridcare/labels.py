"""Chinese and English labels for every enum, from one table.

One concept, one name (DOMAIN.md glossary). Each enum's members are labelled
here, keyed by the enum's class name and the member's value, so that reports,
error messages and the CLI speak the same words. A test checks that every
public enum has a label for every member in both languages.

>>> from gridcare.hierarchy import NodeKind
>>> label(NodeKind.GRID), label(NodeKind.GRID, "en")
('网格', 'grid')
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

__all__ = ["LABELS", "Lang", "label", "labels_of"]

Lang = Literal["zh", "en"]

#: enum class name -> member value -> (Chinese, English)
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "NodeKind": {
        "city": ("市", "city"),
        "district": ("县市区", "district/county"),
        "street": ("街道/镇", "street/town"),
        "community": ("社区/村", "community/village"),
        "grid": ("网格", "grid"),
        "building": ("楼栋", "building"),
        "unit": ("单元", "unit"),
        "household": ("户", "household"),
    },
    "AreaLevel": {
        "province": ("省级", "province"),
        "prefecture": ("地级", "prefecture"),
        "county": ("县级", "county"),
        "town": ("乡级", "town"),
        "village": ("村级", "village"),
        "place": ("村级以下地点", "place below village"),
    },
    "Sex": {
        "male": ("男", "male"),
        "female": ("女", "female"),
    },
    "WorkerRole": {
        "grid_worker_full_time": ("专职网格员", "full-time grid worker"),
        "grid_worker_part_time": ("兼职网格员", "part-time grid worker"),
        "grid_leader": ("网格长", "grid leader"),
        "building_head": ("楼栋长", "building head"),
        "volunteer": ("志愿者", "volunteer"),
        "community_staff": ("社区工作人员", "community staff"),
        "auxiliary_police": ("辅警", "auxiliary police"),
        "village_doctor": ("村医", "village doctor"),
    },
    "CareNeed": {
        "elderly": ("高龄老人", "elderly"),
        "no_smartphone": ("无智能手机", "no smartphone"),
        "living_alone": ("独居", "living alone"),
        "disabled": ("残疾", "disabled"),
        "chronic_illness": ("慢性病", "chronic illness"),
    },
    "MetricKind": {
        "flow": ("流量", "flow"),
        "stock": ("存量", "stock"),
        "rate": ("比率", "rate"),
    },
    "IdKind": {
        "citizen_id": ("居民身份证", "citizen ID card"),
        "passport": ("护照", "passport"),
        "travel_permit": ("港澳台通行证", "travel permit"),
    },
}


def labels_of(enum_cls: type[Enum]) -> dict[str, tuple[str, str]]:
    """The label table of one enum class (empty if it has none).

    >>> from gridcare.hierarchy import NodeKind
    >>> labels_of(NodeKind)["household"]
    ('户', 'household')
    """
    return LABELS.get(enum_cls.__name__, {})


def label(member: Enum, lang: Lang = "zh") -> str:
    """The Chinese (``"zh"``) or English (``"en"``) label of an enum member.

    Falls back to the member's value when the table lacks it (a test forbids
    that for public enums).

    >>> from gridcare.hierarchy import NodeKind
    >>> label(NodeKind.COMMUNITY, "en")
    'community/village'
    """
    pair = LABELS.get(type(member).__name__, {}).get(str(member.value))
    if pair is None:
        return str(member.value)
    return pair[0] if lang == "zh" else pair[1]
