"""Reports: metrics, tallies keyed by report day, roll-ups over the hierarchy,
the feeds that count workflow records, and the daily report.

>>> from gridcare.reports import Tally
>>> Tally.empty() + Tally.empty() == Tally.empty()
True
"""

from __future__ import annotations

from gridcare.reports.feeds import (
    MEASURE_METRICS,
    assessment_counts,
    case_counts,
    declaration_counts,
    stock_counts,
    visit_counts,
)
from gridcare.reports.rollups import (
    METRICS,
    Count,
    Countable,
    DailyReport,
    Figure,
    Metric,
    MetricKind,
    ReportClock,
    ReportRow,
    Rollup,
    Tally,
    daily_report,
    lagging,
    metric,
    rollup,
    tally,
)

__all__ = [
    "MEASURE_METRICS",
    "METRICS",
    "Count",
    "Countable",
    "DailyReport",
    "Figure",
    "Metric",
    "MetricKind",
    "ReportClock",
    "ReportRow",
    "Rollup",
    "Tally",
    "assessment_counts",
    "case_counts",
    "daily_report",
    "declaration_counts",
    "lagging",
    "metric",
    "rollup",
    "stock_counts",
    "tally",
    "visit_counts",
]
