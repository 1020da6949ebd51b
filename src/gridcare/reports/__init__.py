"""Reports: metrics, tallies keyed by report day, roll-ups over the hierarchy,
the feeds that count workflow records, and the daily report.

* :mod:`gridcare.reports.metrics`: the metric catalogue (:data:`METRICS`);
* :mod:`gridcare.reports.tallies`: :class:`Count`, :class:`Countable`,
  :class:`Tally` (a mergeable monoid) and :class:`TallyBuilder`;
* :mod:`gridcare.reports.rollups`: :class:`Rollup`, sums up the hierarchy, and
  :func:`rollup_to`, a tally moved up to the nodes a smaller hierarchy holds;
* :mod:`gridcare.reports.daily`: the daily report list and :func:`lagging`;
* :mod:`gridcare.reports.feeds`: what the workflows' records count.

The report-day rule itself is :class:`gridcare.timeutil.ReportClock`, re-exported here.

>>> from gridcare.reports import Tally
>>> Tally.empty() + Tally.empty() == Tally.empty()
True
"""

from __future__ import annotations

from gridcare.reports.daily import DailyReport, Figure, ReportRow, daily_report, lagging
from gridcare.reports.feeds import (
    MEASURE_METRICS,
    assessment_counts,
    case_counts,
    declaration_counts,
    screening_round_counts,
    stock_counts,
    visit_counts,
)
from gridcare.reports.metrics import (
    COUNTED_METRICS,
    METRICS,
    Metric,
    MetricKind,
    counted_metric,
    metric,
)
from gridcare.reports.rollups import Rollup, rollup, rollup_to
from gridcare.reports.tallies import MAX_COUNT, Count, Countable, Tally, TallyBuilder, tally
from gridcare.timeutil import ReportClock

__all__ = [
    "COUNTED_METRICS",
    "MAX_COUNT",
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
    "TallyBuilder",
    "assessment_counts",
    "case_counts",
    "counted_metric",
    "daily_report",
    "declaration_counts",
    "lagging",
    "metric",
    "rollup",
    "rollup_to",
    "screening_round_counts",
    "stock_counts",
    "tally",
    "visit_counts",
]
