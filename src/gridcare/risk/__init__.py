"""Risk-history rules: a dated risk-area register, policies as data, explainable assessments.

* :mod:`~gridcare.risk.register`: :class:`RiskLevel`, :class:`RiskDesignation`,
  :class:`Stay`, :class:`RiskRegister` (prefix-indexed), :func:`diff` and the
  matching rules :func:`match_kind` and :func:`exposure_end`;
* :mod:`~gridcare.risk.policy`: the pydantic :class:`Policy` with its parts
  and enums (:class:`Category`, :class:`MeasureKind`, :class:`CodeColor`, ...);
* :mod:`~gridcare.risk.presets`: :data:`PRESETS`, the table of docs/risk.md;
* :mod:`~gridcare.risk.engine`: :func:`assess`, :func:`assess_many`,
  :func:`code_color`, :func:`missed_tests`, :func:`compare_policies`,
  :func:`needs_reassessment`.

See docs/risk.md for the rules and the decisions behind them.

>>> from datetime import datetime
>>> from gridcare.risk import PRESETS, RiskRegister, assess
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> assess([], register=RiskRegister(), policy=PRESETS["hunan-2022-03"],
...        as_of=datetime(2022, 3, 27, 8, tzinfo=CST)).category.value
'none'
"""

from gridcare.risk.engine import (
    Assessment,
    Contact,
    ContactKind,
    MissedTest,
    NatResult,
    PolicyComparison,
    RiskHistory,
    RiskPlan,
    RiskReason,
    RiskStep,
    TestKind,
    TestWindow,
    assess,
    assess_many,
    code_color,
    compare_policies,
    missed_tests,
    needs_reassessment,
)
from gridcare.risk.policy import (
    SEVERITY,
    Anchor,
    ArrivalTest,
    Category,
    CategoryPlan,
    CodeColor,
    MatchRule,
    MeasureKind,
    Policy,
    Provenance,
    SourceKind,
    StepSpec,
    TestRequirement,
)
from gridcare.risk.presets import PRESETS, Presets
from gridcare.risk.register import (
    ChangeKind,
    DesignationChange,
    MatchKind,
    RegisterDiff,
    RiskDesignation,
    RiskLevel,
    RiskReach,
    RiskRegister,
    Stay,
    diff,
    exposure_end,
    match_kind,
    opens_after,
)

__all__ = [
    "PRESETS",
    "SEVERITY",
    "Anchor",
    "ArrivalTest",
    "Assessment",
    "Category",
    "CategoryPlan",
    "ChangeKind",
    "CodeColor",
    "Contact",
    "ContactKind",
    "DesignationChange",
    "MatchKind",
    "MatchRule",
    "MeasureKind",
    "MissedTest",
    "NatResult",
    "Policy",
    "PolicyComparison",
    "Presets",
    "Provenance",
    "RegisterDiff",
    "RiskDesignation",
    "RiskHistory",
    "RiskLevel",
    "RiskPlan",
    "RiskReach",
    "RiskReason",
    "RiskRegister",
    "RiskStep",
    "SourceKind",
    "Stay",
    "StepSpec",
    "TestKind",
    "TestRequirement",
    "TestWindow",
    "assess",
    "assess_many",
    "code_color",
    "compare_policies",
    "diff",
    "exposure_end",
    "match_kind",
    "missed_tests",
    "needs_reassessment",
    "opens_after",
]
