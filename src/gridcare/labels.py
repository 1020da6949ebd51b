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
    "Access": {
        "full": ("完整", "full"),
        "masked": ("脱敏", "masked"),
    },
    "IdKind": {
        "citizen_id": ("居民身份证", "citizen ID card"),
        "passport": ("护照", "passport"),
        "travel_permit": ("港澳台通行证", "travel permit"),
    },
    "RiskLevel": {
        "high": ("高风险区", "high-risk area"),
        "medium": ("中风险区", "medium-risk area"),
        "low": ("低风险区", "low-risk area"),
        "affected": ("有本土病例的省市", "province or city with local cases"),
    },
    "MatchKind": {
        "direct": ("直接暴露", "direct exposure"),
        "possible": ("可能暴露（待核验）", "possible exposure (to verify)"),
        "county": ("同县（市、区）", "same county"),
        "province_or_city": ("同省（市）", "same province or city"),
    },
    "ChangeKind": {
        "raised": ("新划定", "raised"),
        "lifted": ("解除", "lifted"),
        "backdated": ("提前划定", "back-dated"),
        "amended": ("修改", "amended"),
        "withdrawn": ("撤销", "withdrawn"),
    },
    "Category": {
        "close_contact": ("密切接触者", "close contact"),
        "secondary_contact": ("密接的密接", "secondary contact"),
        "high_risk_area": ("高风险区旅居史", "high-risk area history"),
        "medium_risk_area": ("中风险区旅居史", "medium-risk area history"),
        "low_risk_area": ("低风险区旅居史", "low-risk area history"),
        "affected_area": ("来自有本土病例的省市", "arrival from a province or city with cases"),
        "none": ("无管控", "no measure"),
    },
    "MeasureKind": {
        "centralized_quarantine": ("集中隔离", "centralized quarantine"),
        "home_isolation": ("居家隔离", "home isolation"),
        "home_health_monitoring": ("居家健康监测", "home health monitoring"),
        "self_health_monitoring": ("自我健康监测", "self health monitoring"),
    },
    "Anchor": {
        "left_area": ("离开风险区", "leaving the area"),
        "last_exposure": ("末次暴露", "last exposure"),
        "arrival": ("抵达", "arrival"),
    },
    "CodeColor": {
        "red": ("红码", "red"),
        "yellow": ("黄码", "yellow"),
        "green": ("绿码", "green"),
    },
    "SourceKind": {
        "national": ("国家文本", "national text"),
        "local": ("地方做法", "local practice"),
    },
    "ContactKind": {
        "close": ("密切接触者", "close contact"),
        "secondary": ("密接的密接", "secondary contact"),
    },
    "TestKind": {
        "scheduled": ("按日核酸检测", "scheduled test"),
        "before_arrival": ("抵达前核酸检测", "test before arrival"),
        "after_arrival": ("抵达后核酸检测", "test after arrival"),
        "within_window": ("限期核酸检测", "tests within a window"),
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
