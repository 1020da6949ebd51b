"""The metric catalogue of the daily report list (日报告清单): names, kinds, labels.

Every figure of a report is a metric of :data:`METRICS`. A metric is a *flow*
(events counted on the report day they happened, summed over days), a *stock*
(a level as of a cutoff, never summed over days) or a *rate* (a numerator over
a denominator, both metrics of the catalogue, rebuilt from summed counts at
every node and never averaged). Tallies count flows and stocks; rates are
computed when a report is read.

>>> metric("review_rate").describe("en")
'reviewed / declarations received'
>>> "review_rate" in COUNTED_METRICS, "declarations_received" in COUNTED_METRICS
(False, True)
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from gridcare.errors import Choice, InvalidInput, require_instance
from gridcare.labels import Lang, require_lang
from gridcare.masking import masked_field_reprs
from gridcare.screening import CENSUS_METRICS, SCREENING_METRICS
from gridcare.text import TEXT_LIMITS, check_text_of, is_plain

__all__ = ["COUNTED_METRICS", "METRICS", "Metric", "MetricKind", "counted_metric", "metric"]


class MetricKind(Choice):
    """How a metric accumulates.

    ``flow``: events counted on the report day they happened (cumulative sums
    the days); ``stock``: a level as of a cutoff (people under a measure, open
    cases), never summed over days; ``rate``: numerator over denominator.

    >>> METRICS["cases_open"].kind is MetricKind.STOCK
    True
    """

    FLOW = "flow"
    STOCK = "stock"
    RATE = "rate"


@attrs.frozen(field_transformer=masked_field_reprs)
class Metric:
    """One entry of the metric catalogue.

    Every text keeps the rules of its kind (:func:`gridcare.text.check_text_of`):
    the ``name``, and a rate's ``numerator`` and ``denominator`` (metric
    names), those of an id; the labels ``zh`` and ``en``, and ``meaning`` (one
    line, may be empty), those of a place; the ``unit`` those of a short
    text. A rate names its numerator and its denominator, other metrics
    neither (``InvalidInput`` otherwise).

    >>> m = METRICS["review_rate"]
    >>> m.kind.value, m.numerator, m.denominator
    ('rate', 'declarations_reviewed', 'declarations_received')
    """

    name: str
    zh: str
    en: str
    unit: str
    kind: MetricKind
    numerator: str | None = None
    denominator: str | None = None
    meaning: str = ""

    def __attrs_post_init__(self) -> None:
        for field, kind, empty_ok in _TEXTS:
            check_text_of(getattr(self, field), field, kind, allow_empty=empty_ok)
        require_instance(self.kind, MetricKind, "kind", code="bad_enum")
        rate = self.kind is MetricKind.RATE
        for field in ("numerator", "denominator"):
            value = getattr(self, field)
            if rate and value is None:
                raise InvalidInput("missing", field, "a rate names its numerator and denominator")
            if rate:
                check_text_of(value, field)  # a metric's name: the text rules of an id
            if not rate and value is not None:
                raise InvalidInput(
                    "not_a_rate", field, "only a rate has a numerator and denominator"
                )

    def title(self, lang: Lang = "zh") -> str:
        """The metric's name in Chinese or English.

        >>> METRICS["hazards"].title("en")
        'hazards'
        """
        return self.zh if require_lang(lang) == "zh" else self.en

    def describe(self, lang: Lang = "zh") -> str:
        """What the figure means, in one line.

        >>> METRICS["review_rate"].describe("en")
        'reviewed / declarations received'
        >>> METRICS["review_rate"].describe("zh")
        '已审核数 / 申报数'
        """
        return _MEANINGS_ZH.get(self.name, self.zh) if require_lang(lang) == "zh" else self.meaning


#: The texts of a metric: (field, kind of text, may be empty).
_TEXTS = (
    ("name", "id", False),
    ("zh", "place", False),
    ("en", "place", False),
    ("unit", "short", False),
    ("meaning", "place", True),
)


def _catalogue(*metrics: Metric) -> dict[str, Metric]:
    return {m.name: m for m in metrics}


_F, _S, _R = MetricKind.FLOW, MetricKind.STOCK, MetricKind.RATE

#: The catalogue of metrics: name -> :class:`Metric`. Rates name their numerator
#: and denominator, which are themselves metrics in the catalogue.
METRICS: Mapping[str, Metric] = _catalogue(
    Metric("declarations_received", "申报数", "declarations", "条", _F,
           meaning="declarations received before the cutoff"),
    Metric("declarations_reviewed", "已审核", "reviewed", "条", _F,
           meaning="declarations whose review was completed"),
    Metric("review_rate", "审核率", "review rate", "%", _R,
           "declarations_reviewed", "declarations_received",
           "reviewed / declarations received"),
    Metric("declarations_overdue", "超时未审", "overdue reviews", "条", _S,
           meaning="declarations still unreviewed past the review deadline"),
    Metric("declarations_late", "事后申报", "late declarations", "条", _F,
           meaning="declarations filed after arrival"),
    Metric("declarations_proxy", "代报", "proxy declarations", "条", _F,
           meaning="declarations filed by a worker for a resident"),
    Metric("households_in_scope", "应访户数", "households in scope", "户", _S,
           meaning="households a campaign must reach"),
    Metric("households_knocked", "敲门户数", "households knocked", "户", _F,
           meaning="households with at least one visit attempt"),
    Metric("households_reached", "已访户数", "households reached", "户", _F,
           meaning="households where someone was reached"),
    Metric("households_vacant", "空置户", "vacant households", "户", _F,
           meaning="households found vacant (not the same as not visited)"),
    Metric("knock_rate", "敲门率", "knock rate", "%", _R,
           "households_knocked", "households_in_scope", "knocked / households in scope"),
    Metric("reach_rate", "走访率", "visit ratio", "%", _R,
           "households_reached", "households_in_scope",
           "households reached / households in scope (vacant ones included)"),
    Metric("person_visits", "走访人次", "person-visits", "人次", _F,
           meaning="persons seen on visits"),
    Metric("arrivals_found", "排查来返人员", "arrivals found", "人", _F,
           meaning="arrivals found on visits"),
    Metric("hazards", "安全隐患", "hazards", "处", _F, meaning="safety hazards found"),
    Metric("disputes", "矛盾纠纷", "disputes", "起", _F, meaning="disputes mediated or escalated"),
    Metric("services", "服务群众", "services", "次", _F, meaning="services given to residents"),
    Metric("under_centralized_quarantine", "集中隔离", "in centralized quarantine", "人", _S,
           meaning="people under centralized quarantine at the cutoff"),
    Metric("under_home_isolation", "居家隔离", "in home isolation", "人", _S,
           meaning="people under home isolation at the cutoff"),
    Metric("under_home_health_monitoring", "居家健康监测", "in home health monitoring", "人", _S,
           meaning="people under home health monitoring at the cutoff"),
    Metric("under_self_health_monitoring", "自我健康监测", "in self health monitoring", "人", _S,
           meaning="people under self health monitoring at the cutoff"),
    Metric("tests_overdue", "核酸逾期", "tests overdue", "人次", _S,
           meaning="required tests not taken by their date"),
    Metric("cases_raised", "吹哨", "whistle cases raised", "件", _F,
           meaning="whistle cases raised by grids"),
    Metric("cases_open", "未办结", "cases open", "件", _S,
           meaning="whistle cases neither closed nor rejected"),
    Metric("cases_overdue", "超期", "cases overdue", "件", _S,
           meaning="open whistle cases past their deadline"),
    # A testing round's and the census's levels as of the cutoff; their labels
    # live with the workflow that counts them.
    *(Metric(name, zh, en, "管" if name.endswith("tubes") else "人", _S, meaning=en)
      for name, (zh, en) in {**SCREENING_METRICS, **CENSUS_METRICS}.items()),
    Metric("screening_coverage_rate", "核酸采样率", "testing coverage", "%", _R,
           "screening_sampled", "screening_to_sample",
           "residents sampled / residents due less away and exempt"),
)  # fmt: skip


_MEANINGS_ZH: dict[str, str] = {
    "declarations_received": "截止时间前收到的申报",
    "declarations_reviewed": "已完成审核的申报",
    "review_rate": "已审核数 / 申报数",
    "declarations_overdue": "超过审核时限仍未审核的申报",
    "declarations_late": "抵达后才申报的（事后申报）",
    "declarations_proxy": "网格员代为填报的申报",
    "households_in_scope": "敲门行动应覆盖的户数",
    "households_knocked": "至少敲过一次门的户数",
    "households_reached": "已见到人的户数",
    "households_vacant": "确认空置的户数（不等于未走访）",
    "knock_rate": "敲门户数 / 应访户数",
    "reach_rate": "已访户数 / 应访户数（含空置户）",
    "person_visits": "走访中见到的人次",
    "arrivals_found": "走访中发现的来返人员",
    "hazards": "发现的安全隐患",
    "disputes": "调解或上报的矛盾纠纷",
    "services": "为群众提供的服务",
    "under_centralized_quarantine": "截止时正在集中隔离的人数",
    "under_home_isolation": "截止时正在居家隔离的人数",
    "under_home_health_monitoring": "截止时正在居家健康监测的人数",
    "under_self_health_monitoring": "截止时正在自我健康监测的人数",
    "tests_overdue": "应检未检的核酸检测",
    "cases_raised": "网格吹哨的案件",
    "cases_open": "尚未办结的吹哨案件",
    "cases_overdue": "超过时限的未办结案件",
    "screening_coverage_rate": "已采样人数 / （应检人数 - 外出 - 免检）",
}


def metric(name: str) -> Metric:
    """The catalogue entry for ``name``; an unknown name is ``InvalidInput``.

    >>> metric("person_visits").zh
    '走访人次'
    """
    found = METRICS.get(name) if isinstance(name, str) else None
    if found is None:
        # Only a text passing the quick test of an id's rules is shown, never an escape.
        shown = repr(name) if is_plain(name, TEXT_LIMITS["id"]) else "given"
        raise InvalidInput("unknown_metric", "metric", f"no metric named {shown}", value=name)
    return found


#: The metrics a tally counts: every one but the rates.
COUNTED_METRICS: frozenset[str] = frozenset(
    name for name, m in METRICS.items() if m.kind is not MetricKind.RATE
)


def counted_metric(name: str) -> Metric:
    """The catalogue entry of a metric a tally can count; a rate or an unknown name is refused.

    >>> counted_metric("hazards").kind.value
    'flow'
    >>> counted_metric("review_rate")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: metric: review_rate is a rate: ... [rate_not_counted]
    """
    found = metric(name)
    if found.kind is MetricKind.RATE:
        raise InvalidInput(
            "rate_not_counted", "metric", f"{name} is a rate: count its numerator and denominator"
        )
    return found
