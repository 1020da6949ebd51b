"""Chinese and English labels for every enum, from one table.

One concept, one name (docs/glossary.md). Each enum's members are labelled
here, keyed by the enum's class name and the member's value, so that reports,
error messages and the CLI speak the same words. A test checks that every
public enum has a label for every member in both languages.

>>> from gridcare.hierarchy import NodeKind
>>> label(NodeKind.GRID), label(NodeKind.GRID, "en")
('网格', 'grid')
"""

from __future__ import annotations

import unicodedata
from enum import Enum
from typing import Literal

from gridcare.errors import InvalidInput

__all__ = ["LABELS", "Lang", "display_width", "label", "labels_of", "require_lang"]

Lang = Literal["zh", "en"]


def require_lang(value: object, field: str = "lang") -> Lang:
    """``value`` if it names a language of the labels (``"zh"`` or ``"en"``).

    Anything else is ``InvalidInput`` code ``unknown_choice``: a table is never
    silently given in a language that was not asked for.

    >>> require_lang("en")
    'en'
    >>> require_lang("fr")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: lang: not one of: zh, en [unknown_choice]
    """
    if value == "zh" and type(value) is str:
        return "zh"
    if value == "en" and type(value) is str:
        return "en"
    raise InvalidInput("unknown_choice", field, "not one of: zh, en", value=value)


#: enum class name -> member value -> (Chinese, English)
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "NodeKind": {
        "province": ("省", "province"),
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
    # --- declarations (gridcare.declarations) ---
    "TravelMode": {
        "train": ("火车", "train"),
        "flight": ("飞机", "flight"),
        "coach": ("客车", "coach"),
        "car": ("自驾", "car"),
        "ship": ("轮船", "ship"),
        "other": ("其他", "other"),
    },
    "Symptom": {
        "fever": ("发热", "fever"),
        "cough": ("咳嗽", "cough"),
        "sore_throat": ("咽痛", "sore throat"),
        "fatigue": ("乏力", "fatigue"),
        "loss_of_smell_or_taste": ("嗅觉味觉减退", "loss of smell or taste"),
        "diarrhoea": ("腹泻", "diarrhoea"),
        "other": ("其他症状", "other symptom"),
    },
    "NatOutcome": {
        "negative": ("阴性", "negative"),
        "positive": ("阳性", "positive"),
        "pending": ("结果待出", "pending"),
    },
    "FilledBy": {
        "self": ("本人申报", "self"),
        "proxy": ("网格员代报", "proxy declaration"),
    },
    "DeclarationState": {
        "submitted": ("已提交", "submitted"),
        "assigned": ("已分派", "assigned"),
        "unrouted": ("待人工分派", "unrouted"),
        "in_review": ("审核中", "in review"),
        "verified": ("已核验", "verified"),
        "correction_requested": ("退回修改", "correction requested"),
        "resubmitted": ("已重新提交", "resubmitted"),
        "rejected": ("审核不通过", "rejected"),
        "duplicate": ("重复申报", "duplicate"),
        "withdrawn": ("已撤回", "withdrawn"),
        "released": ("已解除管控", "released"),
    },
    "DeclarationEventKind": {
        "submit": ("提交申报", "submit"),
        "assign": ("分派", "assign"),
        "mark_unrouted": ("转人工分派", "mark unrouted"),
        "start_review": ("开始审核", "start review"),
        "verify": ("核验", "verify"),
        "request_correction": ("退回修改", "request correction"),
        "resubmit": ("重新提交", "resubmit"),
        "reject": ("审核不通过", "reject"),
        "mark_duplicate": ("标记重复", "mark duplicate"),
        "transfer": ("转交其他网格", "transfer"),
        "withdraw": ("撤回", "withdraw"),
        "release": ("解除管控", "release"),
    },
    "VerificationMethod": {
        "door_visit": ("上门核验", "door visit"),
        "phone": ("电话核验", "phone"),
        "video": ("视频核验", "video"),
    },
    "RouteMethod": {
        "household_id": ("户编号", "household id"),
        "unit_id": ("单元编号", "unit id"),
        "building_id": ("楼栋编号", "building id"),
        "door_code": ("门牌二维码", "door QR code"),
        "community_building": ("社区与楼栋号", "community and building number"),
        "community_only": ("社区（仅一个网格）", "community with a single grid"),
        "manual": ("人工分派", "routed by hand"),
    },
    "UnroutedReason": {
        "no_address_keys": ("地址无可识别信息", "no address parts"),
        "unknown_node": ("编号不存在", "unknown id"),
        "not_under_a_grid": ("编号不在网格之下", "id above grid level"),
        "unknown_door_code": ("门牌二维码未登记", "unknown door QR code"),
        "unknown_community": ("社区不存在", "unknown community"),
        "ambiguous_community": ("社区名称不唯一", "ambiguous community"),
        "building_missing": ("缺少楼栋号", "building number missing"),
        "unknown_building": ("楼栋不存在", "unknown building"),
        "ambiguous_building": ("楼栋号不唯一", "ambiguous building number"),
        "free_text_only": ("仅有文字地址", "free text only"),
    },
    "DuplicateBasis": {
        "document_number": ("证件号码相同", "same document number"),
        "name_and_phone": ("姓名与手机号相同", "same name and phone"),
    },
    "VisitChannel": {
        "door": ("上门", "at the door"),
        "phone": ("电话", "phone"),
        "wechat_group": ("微信群接龙", "WeChat group check-in"),
        "door_code_scan": ("扫门贴码", "resident scanned the door code"),
    },
    "VisitOutcome": {
        "reached": ("已走访", "reached"),
        "nobody_home": ("无人在家(已留码留言)", "nobody home (code and message left)"),
        "refused": ("拒绝", "refused"),
        "vacant": ("空置", "vacant"),
        "appointment": ("已预约", "appointment made"),
    },
    "HouseholdVisitState": {
        "not_started": ("未走访", "not started"),
        "reached": ("已入户", "reached"),
        "reached_remotely": ("远程联系", "reached remotely"),
        "nobody_home": ("无人在家", "nobody home"),
        "revisit_due": ("待回访", "revisit due"),
        "appointment": ("已预约", "appointment"),
        "refused": ("拒绝", "refused"),
        "vacant": ("空置", "vacant"),
        "escalated": ("已上报", "escalated"),
    },
    "VisitEventKind": {
        "reach": ("入户", "reach at the door"),
        "reach_remotely": ("远程联系上", "reach remotely"),
        "scan_door_code": ("扫门贴码", "scan the door code"),
        "nobody_home": ("无人在家", "nobody home"),
        "nobody_home_at_limit": ("达到走访次数上限", "nobody home at the attempt limit"),
        "refuse": ("拒绝", "refuse"),
        "find_vacant": ("发现空置", "find vacant"),
        "make_appointment": ("预约", "make an appointment"),
    },
    "ActorKind": {
        "worker": ("网格员", "worker"),
        "team": ("小分队", "team"),
    },
    "HazardKind": {
        "fire": ("消防", "fire"),
        "gas": ("燃气", "gas"),
        "electrical": ("用电", "electrical"),
        "structural": ("房屋结构", "structural"),
        "sanitation": ("环境卫生", "sanitation"),
        "gathering": ("聚集", "gathering"),
        "other": ("其他", "other"),
    },
    "Severity": {
        "low": ("一般", "low"),
        "medium": ("较大", "medium"),
        "high": ("重大", "high"),
    },
    "DisputeResolution": {
        "mediated_on_spot": ("现场调解", "mediated on the spot"),
        "escalated": ("上报", "escalated"),
    },
    "ServiceKind": {
        "supplies_delivered": ("代购送物资", "supplies delivered"),
        "health_code_help": ("协助健康码", "help with the health code"),
        "nat_at_home": ("上门核酸", "NAT at home"),
        "proxy_declaration": ("代报", "proxy declaration"),
    },
    "PremisesCheck": {
        "temperature_checks": ("测温", "temperature checks"),
        "code_scanning": ("扫码", "code scanning"),
        "masks": ("佩戴口罩", "masks"),
        "disinfection_records": ("消毒记录", "disinfection records"),
    },
    "CaseTopic": {
        "hazard": ("安全隐患", "hazard"),
        "dispute": ("矛盾纠纷", "dispute"),
        "epidemic_clue": ("疫情线索", "epidemic clue"),
        "resident_need": ("群众诉求", "resident need"),
    },
    "CaseUrgency": {
        "daily": ("日常", "daily"),
        "tough_problem": ("疑难", "tough problem"),
        "emergency": ("紧急", "emergency"),
    },
    "CaseState": {
        "raised": ("已吹哨", "raised"),
        "accepted": ("已受理", "accepted"),
        "rejected": ("不予受理", "rejected"),
        "dispatched": ("已派单", "dispatched"),
        "checked_in": ("部门已报到", "departments checked in"),
        "handled": ("已处置", "handled"),
        "closed": ("已核验办结", "verified and closed"),
        "reopened": ("已重启", "reopened"),
    },
    "CaseEventKind": {
        "raise": ("吹哨", "raise"),
        "accept": ("受理", "accept"),
        "reject": ("不予受理", "reject"),
        "dispatch": ("派单", "dispatch"),
        "check_in": ("部门报到", "department check-in"),
        "check_in_last": ("最后一个部门报到", "last department check-in"),
        "handle": ("处置", "handle"),
        "verify": ("核验办结", "verify and close"),
        "reopen": ("重启", "reopen"),
    },
    "ScreeningEventKind": {
        "register": ("登记", "register"),
        "swab": ("采样入管", "swab into a tube"),
        "reswab": ("单管复采", "re-sample in a single tube"),
        "seal": ("封管", "seal the tube"),
        "report_negative": ("报告阴性", "report negative"),
        "report_positive": ("报告阳性", "report positive"),
        "report_invalid": ("报告无效", "report invalid"),
        "mark_away": ("登记外出", "mark away"),
        "mark_exempt": ("登记免检", "mark exempt"),
    },
    "TubeState": {
        "open": ("采样中", "open"),
        "sealed": ("已封管", "sealed"),
        "negative": ("阴性", "negative"),
        "positive": ("阳性", "positive"),
        "invalid": ("无效", "invalid"),
    },
    "ResidentState": {
        "registered": ("已登记", "registered"),
        "sampled": ("已采样", "sampled"),
        "retest_due": ("待复核", "re-test due"),
        "resampled": ("已复采", "re-sampled"),
        "away": ("外出", "away"),
        "exempt": ("免检", "exempt"),
    },
    "LabResult": {
        "negative": ("阴性", "negative"),
        "positive": ("阳性", "positive"),
        "invalid": ("无效", "invalid"),
    },
    "Outcome": {
        "sampled_negative": ("已采样阴性", "sampled, negative"),
        "under_retest": ("复核中", "under re-test"),
        "positive": ("阳性", "positive"),
        "awaiting_result": ("待出结果", "awaiting the result"),
        "away": ("外出", "away"),
        "exempt": ("免检", "exempt"),
        "missed": ("漏检", "missed"),
    },
    "TubeKind": {
        "pooled": ("混采管", "pooled tube"),
        "single": ("单管", "single tube"),
    },
    "ExemptionReason": {
        "in_hospital": ("住院", "in hospital"),
        "in_quarantine_facility": ("集中隔离中", "in a quarantine facility"),
        "medical_contraindication": ("医学禁忌", "medical contraindication"),
        "infant": ("婴幼儿", "infant"),
        "deceased": ("已故", "deceased"),
        "other": ("其他", "other"),
    },
    "AwayReason": {
        "out_of_area": ("不在本地", "out of the area"),
        "sampled_elsewhere": ("已在外地采样", "sampled elsewhere"),
        "workplace_sampling": ("单位集中采样", "sampled at the workplace"),
        "other": ("其他", "other"),
    },
}


def labels_of(enum_cls: type[Enum]) -> dict[str, tuple[str, str]]:
    """The label table of one enum class (empty if it has none).

    Anything but an enum class is ``InvalidInput`` code ``wrong_type``.

    >>> from gridcare.hierarchy import NodeKind
    >>> labels_of(NodeKind)["household"]
    ('户', 'household')
    """
    if not (isinstance(enum_cls, type) and issubclass(enum_cls, Enum)):
        raise InvalidInput(
            "wrong_type", "enum_cls", f"expected an enum class, got {type(enum_cls).__name__}"
        )
    return dict(LABELS.get(enum_cls.__name__, {}))


def label(member: Enum, lang: Lang = "zh") -> str:
    """The Chinese (``"zh"``) or English (``"en"``) label of an enum member.

    Falls back to the member's value when the table lacks it (a test forbids
    that for public enums). Anything but an enum member, or another language,
    is ``InvalidInput``.

    >>> from gridcare.hierarchy import NodeKind
    >>> label(NodeKind.COMMUNITY, "en")
    'community/village'
    """
    if not isinstance(member, Enum):
        raise InvalidInput(
            "wrong_type", "member", f"expected an enum member, got {type(member).__name__}"
        )
    chosen = require_lang(lang)
    pair = LABELS.get(type(member).__name__, {}).get(str(member.value))
    if pair is None:
        return str(member.value)
    return pair[0] if chosen == "zh" else pair[1]


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide (CJK) characters count two.

    Every aligned table (the daily report, the CLI) pads with this one rule.
    Anything but text is ``InvalidInput`` code ``not_string``.

    >>> display_width("株洲市"), display_width("grid"), display_width("（+1）")
    (6, 4, 6)
    """
    if not isinstance(text, str):
        raise InvalidInput("not_string", "text", f"expected text, got {type(text).__name__}")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
