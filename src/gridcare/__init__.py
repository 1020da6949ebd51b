"""gridcare: a sans-I/O domain SDK for grid-based community epidemic prevention and care.

The public names are re-exported here; everything else is internal.

>>> from gridcare import CitizenId, Rate
>>> CitizenId.is_valid("11010519491231002X"), str(Rate(168_255, 170_437))
(True, '98.72%')
"""

from gridcare.codes import (
    YUNLONG,
    ZHUZHOU,
    ZHUZHOU_COUNTIES,
    AreaCode,
    AreaLevel,
    CitizenId,
    PhoneNumber,
    Sex,
)
from gridcare.errors import (
    FieldError,
    GridcareError,
    IllegalTransition,
    InvalidInput,
    OutOfScope,
    PolicyError,
    UnknownNode,
)
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.labels import label
from gridcare.machine import Machine, Rejection, Replay
from gridcare.masking import REVEAL
from gridcare.people import (
    Assignment,
    CareNeed,
    Household,
    IdDocument,
    IdKind,
    Resident,
    ResponsibilityChain,
    Roster,
    Worker,
    WorkerRole,
    needs_help,
)
from gridcare.rates import Rate
from gridcare.rollups import (
    METRICS,
    Count,
    Countable,
    DailyReport,
    Metric,
    MetricKind,
    ReportClock,
    Tally,
    daily_report,
    lagging,
    rollup,
    tally,
)
from gridcare.scope import Access, Principal, View, redact
from gridcare.timeutil import DEFAULT_ZONE, ReportWindow, report_window

__version__ = "0.1.0.dev0"

__all__ = [
    "DEFAULT_ZONE",
    "METRICS",
    "REVEAL",
    "YUNLONG",
    "ZHUZHOU",
    "ZHUZHOU_COUNTIES",
    "Access",
    "AreaCode",
    "AreaLevel",
    "Assignment",
    "CareNeed",
    "CitizenId",
    "Count",
    "Countable",
    "DailyReport",
    "FieldError",
    "GridcareError",
    "Hierarchy",
    "Household",
    "IdDocument",
    "IdKind",
    "IllegalTransition",
    "InvalidInput",
    "Machine",
    "Metric",
    "MetricKind",
    "Node",
    "NodeKind",
    "OutOfScope",
    "PhoneNumber",
    "PolicyError",
    "Principal",
    "Rate",
    "Rejection",
    "Replay",
    "ReportClock",
    "ReportWindow",
    "Resident",
    "ResponsibilityChain",
    "Roster",
    "Sex",
    "Tally",
    "UnknownNode",
    "View",
    "Worker",
    "WorkerRole",
    "__version__",
    "daily_report",
    "label",
    "lagging",
    "needs_help",
    "redact",
    "report_window",
    "rollup",
    "tally",
]
