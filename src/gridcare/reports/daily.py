"""The daily report list (日报告清单): one row per node, cut off at a report day's cutoff.

Cumulative figures count records strictly before the cutoff, the day's figures
the report day (the time since the previous cutoff); rates are rebuilt from
the summed numerators and denominators at every node and never averaged.
Rows hold node ids, node names and counts: no personal data.

>>> from datetime import date
>>> from gridcare.hierarchy import Node, NodeKind
>>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
>>> t = Tally.empty().add("G", "hazards", 2, day=date(2022, 3, 27))
>>> daily_report(h, t, cutoff=date(2022, 3, 27)).row("C").figures["hazards"].cumulative
2
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from gridcare.errors import (
    InvalidInput,
    UnknownNode,
    missing_extra,
    read_mapping,
    read_once,
    require_finite,
    require_flag,
    require_instance,
    require_int,
)
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.labels import Lang, display_width, require_lang
from gridcare.masking import masked_field_reprs
from gridcare.rates import UNDEFINED, Rate
from gridcare.reports.metrics import METRICS, Metric, MetricKind, metric
from gridcare.reports.rollups import Rollup
from gridcare.reports.tallies import Count, Countable, Tally, TallyBuilder, clock_or_default
from gridcare.serial import JsonMixin
from gridcare.text import check_text_of
from gridcare.timeutil import ReportClock, require_aware, require_day

__all__ = ["DailyReport", "Figure", "ReportRow", "daily_report", "lagging"]


#: The largest figure: a sum of counts (each at most ``MAX_COUNT``) over more records than
#: any machine holds stays below it, and every figure up to it is a float and a short text.
_MAX_FIGURE = 2**127 - 1


def _require_optional_int(value: object, field: str, *, low: int = -_MAX_FIGURE) -> None:
    if value is not None:
        require_int(value, field, low=low, high=_MAX_FIGURE)


def _require_optional_rate(value: object, field: str) -> None:
    if value is not None and not isinstance(value, Rate):
        raise InvalidInput(
            "wrong_type", field, f"expected a Rate or None, got {type(value).__name__}"
        )


def _require_metric_names(
    value: object, field: str, check: Callable[[str], Metric] = metric
) -> tuple[str, ...]:
    """A list of distinct metric names, each passing ``check``, as a tuple.

    ``check`` is the catalogue's :func:`~gridcare.reports.metrics.metric` or a
    report's :meth:`DailyReport.report_metric`; its error names the place of
    the name (``<field>.<i>``). A name given twice is ``duplicate_metric``.
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidInput(
            "not_list", field, f"expected a list of metric names, got {type(value).__name__}"
        )
    names = tuple(read_once(value, field))
    for i, name in enumerate(names):
        try:
            check(name)
        except InvalidInput as err:
            raise InvalidInput(err.code, f"{field}.{i}", err.message, value=err.value) from None
    if len(set(names)) < len(names):
        raise InvalidInput("duplicate_metric", field, "each metric at most once")
    return names


def _require_threshold(value: object, field: str, low: int) -> int:
    """A whole-number threshold from ``low`` up (``bad_threshold`` otherwise)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidInput("bad_threshold", field, f"must be a whole number >= {low}", value=value)
    return value


@attrs.frozen(field_transformer=masked_field_reprs)
class Figure(JsonMixin):
    """One metric's figures in one report row.

    ``cumulative``: flows summed over every report day up to this one, stocks
    as of the cutoff; ``day``: the report day's increment (flows only);
    ``change``: the difference from the previous report, when given;
    ``rate``: for rate metrics, the cumulative :class:`~gridcare.rates.Rate`.

    >>> Figure(cumulative=5, day=2).change is None
    True
    """

    cumulative: int | None
    day: int | None
    change: int | None = None
    rate: Rate | None = None
    day_rate: Rate | None = None
    suppressed: bool = False

    def __attrs_post_init__(self) -> None:
        # A report makes one Figure per node and metric: the usual shapes pass at once.
        total, today, change = self.cumulative, self.day, self.change
        if (
            (total is None or (type(total) is int and 0 <= total <= _MAX_FIGURE))
            and (today is None or (type(today) is int and 0 <= today <= _MAX_FIGURE))
            and (change is None or (type(change) is int and -_MAX_FIGURE <= change <= _MAX_FIGURE))
            and (self.rate is None or type(self.rate) is Rate)
            and (self.day_rate is None or type(self.day_rate) is Rate)
            and (self.suppressed is True or self.suppressed is False)
        ):
            return
        _require_optional_int(self.cumulative, "cumulative", low=0)
        _require_optional_int(self.day, "day", low=0)
        _require_optional_int(self.change, "change")
        _require_optional_rate(self.rate, "rate")
        _require_optional_rate(self.day_rate, "day_rate")
        require_flag(self.suppressed, "suppressed")

    @property
    def value(self) -> float:
        """The figure as one number: the cumulative count, or the rate as a fraction from
        0 to 1; NaN where it is undefined (a zero denominator) or suppressed.

        >>> Figure(cumulative=5, day=2).value, Figure(None, None, rate=Rate(1, 4)).value
        (5.0, 0.25)
        >>> Figure(None, None, rate=Rate(0, 0)).value
        nan
        """
        if self.suppressed:
            return math.nan
        if self.rate is not None:
            rate = self.rate
            return rate.numerator / rate.denominator if rate.denominator else math.nan
        return math.nan if self.cumulative is None else float(self.cumulative)


@attrs.frozen(field_transformer=masked_field_reprs)
class ReportRow(JsonMixin):
    """One node's line of the daily report list (no personal data).

    >>> row = ReportRow("G1", "一网格", NodeKind.GRID, 1, {"hazards": Figure(5, 2)})
    >>> row.as_dict()["hazards.day"]
    2
    """

    node_id: str
    name: str
    kind: NodeKind
    depth: int
    figures: Mapping[str, Figure]

    def __attrs_post_init__(self) -> None:
        # The text rules of a node's id and name (gridcare.hierarchy), where the row comes from.
        check_text_of(self.node_id, "node_id")
        check_text_of(self.name, "name", "place", allow_empty=True)
        require_instance(self.kind, NodeKind, "kind", code="bad_enum")
        require_int(self.depth, "depth", low=0)
        if not isinstance(self.figures, Mapping):
            raise InvalidInput(
                "not_mapping",
                "figures",
                f"expected metric -> Figure, got {type(self.figures).__name__}",
            )
        figures = read_mapping(self.figures, "figures")
        if figures.keys() <= METRICS.keys() and set(map(type, figures.values())) <= {Figure}:
            return  # the usual row: a report's, checked in two passes at C speed
        for name, fig in figures.items():
            metric(name)
            if not isinstance(fig, Figure):
                raise InvalidInput(
                    "wrong_type", f"figures.{name}", f"expected a Figure, got {type(fig).__name__}"
                )

    def as_dict(self) -> dict[str, object]:
        """A flat row with stable keys: ``<metric>`` and ``<metric>.day`` / ``.change``.

        Rates give ``<metric>`` as the display string and ``<metric>.numerator``
        / ``.denominator`` as integers.
        """
        row: dict[str, object] = {
            "node_id": self.node_id,
            "name": self.name,
            "kind": self.kind.value,
            "depth": self.depth,
        }
        for name, fig in self.figures.items():
            m = METRICS[name]
            if m.kind is MetricKind.RATE:
                row[name] = "<suppressed>" if fig.suppressed else str(fig.rate)
                if not fig.suppressed and fig.rate is not None:
                    row[f"{name}.numerator"] = fig.rate.numerator
                    row[f"{name}.denominator"] = fig.rate.denominator
                continue
            row[name] = fig.cumulative
            if m.kind is MetricKind.FLOW:
                row[f"{name}.day"] = fig.day
            row[f"{name}.change"] = fig.change
        return row


@attrs.frozen(field_transformer=masked_field_reprs)
class DailyReport(JsonMixin):
    """The daily report list: one row per node, cut off at ``cutoff``.

    Build it with :func:`daily_report`; read it as rows (``rows``), plain dicts
    (``as_dicts``), an aligned text table (``to_text``), CSV text (``to_csv``)
    or a pandas DataFrame (``to_dataframe``, with the ``pandas`` extra).

    >>> from gridcare.hierarchy import Node
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "株洲市")])
    >>> report = daily_report(h, Tally.empty(), cutoff=date(2022, 3, 27), metrics=["hazards"])
    >>> report.cutoff.isoformat(), report.as_dicts()[0]["hazards"]
    ('2022-03-27T08:00:00+08:00', 0)
    """

    cutoff: datetime
    day: date
    metrics: tuple[str, ...]
    rows: tuple[ReportRow, ...]
    suppress_below: int | None = None

    _by_node: dict[str, int] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        require_aware(self.cutoff, "cutoff")
        require_day(self.day, "day")
        metrics = _require_metric_names(self.metrics, "metrics")
        if isinstance(self.rows, (str, bytes, Mapping)) or not isinstance(self.rows, Iterable):
            raise InvalidInput(
                "not_list", "rows", f"expected a list of ReportRow, got {type(self.rows).__name__}"
            )
        rows = tuple(read_once(self.rows, "rows"))
        wanted = set(metrics)
        for i, r in enumerate(rows):
            require_instance(r, ReportRow, f"rows.{i}")
            if not r.figures.keys() >= wanted:
                raise InvalidInput(
                    "unknown_metric", f"rows.{i}.figures", "a row lacks a metric of the report"
                )
        if self.suppress_below is not None:
            _require_threshold(self.suppress_below, "suppress_below", 1)
        object.__setattr__(self, "metrics", metrics)
        object.__setattr__(self, "rows", rows)
        # An index, so reading every grid's row of a city report is not quadratic.
        index = {r.node_id: i for i, r in enumerate(rows)}
        object.__setattr__(self, "_by_node", index)

    def row(self, node_id: str) -> ReportRow:
        """The row of one node; raises ``UnknownNode`` if the report lacks it."""
        if not isinstance(node_id, str):
            raise InvalidInput(
                "not_string", "node_id", f"expected a node id, got {type(node_id).__name__}"
            )
        i = self._by_node.get(node_id)
        if i is None:
            raise UnknownNode(node_id)
        return self.rows[i]

    def report_metric(self, metric_name: str) -> Metric:
        """The catalogue entry of one of the report's metrics (``unknown_metric`` otherwise).

        >>> from gridcare.hierarchy import Node
        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c")])
        >>> r = daily_report(h, Tally.empty(), cutoff=date(2022, 3, 27), metrics=["hazards"])
        >>> r.report_metric("hazards").kind.value
        'flow'
        >>> r.report_metric("disputes")
        Traceback (most recent call last):
        ...
        gridcare.errors.InvalidInput: metric: disputes is not in the report [unknown_metric]
        """
        found = metric(metric_name)
        if metric_name not in self.metrics:
            raise InvalidInput(
                "unknown_metric", "metric", f"{metric_name} is not in the report", value=metric_name
            )
        return found

    def as_dicts(self) -> list[dict[str, object]]:
        """Every row as a flat dict with stable keys."""
        return [r.as_dict() for r in self.rows]

    def to_csv(self) -> str:
        """The report as CSV text (header from the stable keys)."""
        rows = self.as_dicts()
        keys: list[str] = []
        for r in rows:
            keys.extend(k for k in r if k not in keys)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    def to_text(self, *, lang: Lang = "zh", metrics: Sequence[str] | None = None) -> str:
        """An aligned text table for terminals and notebooks.

        Flows show ``cumulative (+day)``, stocks the level, rates the percentage.
        ``metrics`` chooses among the report's metrics (``unknown_metric``
        for any other name).

        >>> from gridcare.hierarchy import Node
        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c")])
        >>> r = daily_report(h, Tally.empty(), cutoff=date(2022, 3, 27), metrics=["hazards"])
        >>> print(r.to_text(lang="en"))
        node  hazards
        ----  -------
        c           0
        """
        lang = require_lang(lang)
        if metrics is None:
            chosen = list(self.metrics)
        else:
            chosen = list(_require_metric_names(metrics, "metrics", self.report_metric))
        head = ["节点" if lang == "zh" else "node"] + [METRICS[m].title(lang) for m in chosen]
        table = [head]
        for r in self.rows:
            line = ["  " * r.depth + r.name]
            for name in chosen:
                line.append(_cell(METRICS[name], r.figures[name]))
            table.append(line)
        widths = [max(display_width(row[i]) for row in table) for i in range(len(head))]
        lines = []
        for j, row in enumerate(table):
            cells = [_pad(row[0], widths[0], left=True)]
            cells += [_pad(c, w, left=False) for c, w in zip(row[1:], widths[1:], strict=True)]
            lines.append("  ".join(cells).rstrip())
            if j == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def to_dataframe(self) -> Any:
        """The flat rows of :meth:`as_dicts` as a pandas DataFrame (the ``pandas`` extra).

        Kept for existing code: rates are display strings here. Use ``to_frame``.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise InvalidInput(
                "missing_extra", "pandas", 'install the extra: pip install "gridcare[pandas]"'
            ) from exc
        return pd.DataFrame(self.as_dicts())

    def to_frame(self, *, wide: bool = False) -> Any:
        """The report as a tidy pandas DataFrame: one row per (node, metric).

        Columns: ``node`` (the node id), ``name``, ``node_kind`` (categorical),
        ``depth`` (int64), ``metric`` (categorical, in report order), ``day``
        (datetime64, the report day), ``value`` (float64), ``numerator`` and
        ``denominator`` (nullable Int64, rates only) and ``change`` (float64).
        ``value`` is the cumulative count (the level, for stocks) or, for a
        rate, the fraction from 0 to 1: a percent sign is only a display
        format. It is NaN where the figure is undefined (a zero denominator)
        or suppressed; ``change`` is NaN where the report has none.

        ``wide=True`` pivots to one row per node (indexed by ``node``): the
        columns ``name``, ``node_kind``, ``depth``, ``day``, then one float64
        column of values per metric.

        Needs the ``pandas`` extra; without it, raises ``ImportError`` saying
        what to install.

        >>> from gridcare.hierarchy import Node
        >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G", NodeKind.GRID, "g", "C")])
        >>> d = date(2022, 3, 27)
        >>> t = (Tally.empty().add("G", "declarations_received", 8, day=d)
        ...      .add("G", "declarations_reviewed", 6, day=d))
        >>> r = daily_report(h, t, cutoff=d, metrics=["declarations_received", "review_rate"])
        >>> frame = r.to_frame()
        >>> frame[["node", "metric", "value", "numerator", "denominator"]].tail(2)
          node                 metric  value  numerator  denominator
        2    G  declarations_received   8.00       <NA>         <NA>
        3    G            review_rate   0.75          6            8
        >>> r.to_frame(wide=True).loc["G", "review_rate"]
        np.float64(0.75)
        """
        require_flag(wide, "wide")
        pd = _pandas("DailyReport.to_frame")
        columns = _frame_columns(self)
        long = pd.DataFrame(
            {
                "node": pd.Series(columns["node"], dtype=object),
                "name": pd.Series(columns["name"], dtype=object),
                "node_kind": pd.Categorical(
                    columns["node_kind"], categories=[k.value for k in NodeKind]
                ),
                "depth": pd.Series(columns["depth"], dtype="int64"),
                "metric": pd.Categorical(columns["metric"], categories=list(self.metrics)),
                "day": pd.Series(
                    [pd.Timestamp(self.day)] * len(columns["node"]), dtype="datetime64[ns]"
                ),
                "value": pd.Series(columns["value"], dtype="float64"),
                "numerator": pd.Series(columns["numerator"], dtype="Int64"),
                "denominator": pd.Series(columns["denominator"], dtype="Int64"),
                "change": pd.Series(columns["change"], dtype="float64"),
            }
        )
        if not wide:
            return long
        return _widen(pd, long, self.metrics)


def _pandas(caller: str) -> Any:
    """The pandas module, or an ``ImportError`` that says which extra to install."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise missing_extra(caller, "pandas", "pandas") from exc
    return pd


def _frame_columns(report: DailyReport) -> dict[str, list[Any]]:
    """The long frame's columns as plain lists, one entry per (row, metric)."""
    nan = float("nan")
    columns: dict[str, list[Any]] = {
        key: []
        for key in (
            "node", "name", "node_kind", "depth", "metric",
            "value", "numerator", "denominator", "change",
        )
    }  # fmt: skip
    rates = {name for name in report.metrics if METRICS[name].kind is MetricKind.RATE}
    for row in report.rows:
        for name in report.metrics:
            fig = row.figures[name]
            numerator: int | None = None
            denominator: int | None = None
            if name in rates and fig.rate is not None and not fig.suppressed:
                numerator, denominator = fig.rate.numerator, fig.rate.denominator
            value = fig.value
            columns["node"].append(row.node_id)
            columns["name"].append(row.name)
            columns["node_kind"].append(row.kind.value)
            columns["depth"].append(row.depth)
            columns["metric"].append(name)
            columns["value"].append(value)
            columns["numerator"].append(numerator)
            columns["denominator"].append(denominator)
            columns["change"].append(nan if fig.change is None else float(fig.change))
    return columns


def _widen(pd: Any, long: Any, metrics: Sequence[str]) -> Any:
    """One row per node: its identity columns, then one value column per metric."""
    nodes = long.drop_duplicates("node").set_index("node")[["name", "node_kind", "depth", "day"]]
    values = long.pivot(index="node", columns="metric", values="value")
    values = values.reindex(index=nodes.index, columns=list(metrics))
    values.columns = pd.Index(list(metrics), dtype=object)
    return pd.concat([nodes, values.astype("float64")], axis=1)


def _cell(m: Metric, fig: Figure) -> str:
    if fig.suppressed:
        return "*"
    if m.kind is MetricKind.RATE:
        return str(fig.rate) if fig.rate is not None else UNDEFINED
    if fig.cumulative is None:
        return UNDEFINED
    if m.kind is MetricKind.FLOW and fig.day:
        return f"{fig.cumulative:,} (+{fig.day:,})"
    return f"{fig.cumulative:,}"


def _pad(text: str, width: int, *, left: bool) -> str:
    gap = " " * (width - display_width(text))
    return text + gap if left else gap + text


def daily_report(
    hierarchy: Hierarchy,
    source: Tally | Iterable[Countable | Count],
    *,
    cutoff: date | datetime,
    previous: DailyReport | None = None,
    levels: Iterable[NodeKind] | None = None,
    metrics: Sequence[str] | None = None,
    suppress_below: int | None = None,
    clock: ReportClock | None = None,
) -> DailyReport:
    """The daily report list of every node (or of the chosen ``levels``), cut off at ``cutoff``.

    ``cutoff`` is a report date (cut off at the clock's time, 08:00 by
    default) or an aware instant (the latest cutoff at or before it).
    Cumulative figures count records strictly before the cutoff, the day's
    figures the 24 hours before it; ``previous`` adds the change since that
    report. ``suppress_below=k`` hides counts from 1 to k-1 (and rates built
    on them) for publication. A row shows its node's name as
    :meth:`~gridcare.hierarchy.Node.masked_name` shows it: any phone or ID
    number in it masked (a grid may be named after its worker and their
    mobile number), and a building's, unit's or household's name, an address
    below the community, cut to its first two characters; rows of buildings,
    units and households appear only when ``levels`` names them.

    >>> from gridcare.hierarchy import Node
    >>> from datetime import date
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "株洲市"),
    ...                Node("G1", NodeKind.GRID, "一网格", "C")])
    >>> t = (Tally.empty().add("G1", "declarations_received", 170_437, day=date(2022, 3, 27))
    ...      .add("G1", "declarations_reviewed", 168_255, day=date(2022, 3, 27)))
    >>> r = daily_report(h, t, cutoff=date(2022, 3, 27), metrics=["review_rate"])
    >>> str(r.row("C").figures["review_rate"].rate)
    '98.72%'
    """
    use = clock_or_default(clock)
    require_instance(hierarchy, Hierarchy, "hierarchy", code="not_hierarchy")
    if isinstance(cutoff, datetime):
        day = use.latest_day(require_aware(cutoff, "cutoff"))
    else:
        day = require_day(cutoff, "cutoff")
    cut = use.cutoff_of(day)
    chosen = _require_metric_names(metrics, "metrics") if metrics is not None else tuple(METRICS)
    if suppress_below is not None:
        _require_threshold(suppress_below, "suppress_below", 1)
    if previous is not None:
        require_instance(previous, DailyReport, "previous")
    wanted = _require_levels(levels) if levels is not None else None
    if isinstance(source, Tally):
        counted = source
    else:
        builder = TallyBuilder(use)
        builder.add_records(source, field="source")
        counted = builder.build()
    rolled = Rollup(hierarchy, counted)
    prev_rows = {r.node_id: r for r in previous.rows} if previous is not None else {}
    rows = []
    for node in hierarchy:
        if wanted is not None and node.kind not in wanted:
            continue
        if node.kind is NodeKind.HOUSEHOLD and wanted is None:
            continue  # per-household rows would be personal data; grids are the finest default
        if node.kind in (NodeKind.BUILDING, NodeKind.UNIT) and wanted is None:
            continue
        figures = {}
        before = prev_rows.get(node.id)
        for name in chosen:
            fig = _figure(rolled, node.id, METRICS[name], day, suppress_below)
            if before is not None and name in before.figures:
                old = before.figures[name]
                if fig.cumulative is not None and old.cumulative is not None:
                    fig = attrs.evolve(fig, change=fig.cumulative - old.cumulative)
            figures[name] = fig
        # By content (a worker's mobile in a grid's name); a building's, unit's or household's
        # name is an address below the community: its first two characters only.
        name = node.masked_name()
        rows.append(ReportRow(node.id, name, node.kind, hierarchy.depth(node.id), figures))
    return DailyReport(cut, day, chosen, tuple(rows), suppress_below)


def _require_levels(levels: object) -> set[NodeKind]:
    """The node kinds of ``levels``, a list of :class:`~gridcare.hierarchy.NodeKind`."""
    if isinstance(levels, (str, bytes, Mapping)) or not isinstance(levels, Iterable):
        raise InvalidInput(
            "not_list", "levels", f"expected a list of NodeKind, got {type(levels).__name__}"
        )
    kinds = set()
    for i, kind in enumerate(read_once(levels, "levels")):
        kinds.add(require_instance(kind, NodeKind, f"levels.{i}", code="bad_enum"))
    return kinds


def _figure(rolled: Rollup, node: str, m: Metric, day: date, k: int | None) -> Figure:
    if m.kind is MetricKind.RATE:
        assert m.numerator is not None
        assert m.denominator is not None
        num = _amount(rolled, node, METRICS[m.numerator], day)
        den = _amount(rolled, node, METRICS[m.denominator], day)
        if k is not None and (0 < num < k or 0 < den < k):
            return _HIDDEN  # nothing of a hidden figure is kept: no export can show it
        rate = Rate.ratio(num, den)  # counts fed in need not be consistent: shown as they come
        day_rate = None
        if (
            METRICS[m.numerator].kind is MetricKind.FLOW
            and METRICS[m.denominator].kind is MetricKind.FLOW
        ):
            day_rate = Rate.ratio(  # today's reviews may exceed today's arrivals
                rolled.value(node, m.numerator, day), rolled.value(node, m.denominator, day)
            )
        return Figure(None, None, rate=rate, day_rate=day_rate)
    total = _amount(rolled, node, m, day)
    today = rolled.value(node, m.name, day) if m.kind is MetricKind.FLOW else None
    if k is not None and (0 < total < k or (today is not None and 0 < today < k)):
        return _HIDDEN
    return Figure(total, today)


#: A figure that a report's ``suppress_below`` hides: it holds no count, no rate and no
#: change, so that no export of the report (text, rows, CSV, frames, JSON) can show one.
_HIDDEN = Figure(None, None, suppressed=True)


def _amount(rolled: Rollup, node: str, m: Metric, day: date) -> int:
    if m.kind is MetricKind.FLOW:
        return rolled.cumulative(node, m.name, day)
    return rolled.value(node, m.name, day)


def lagging(
    report: DailyReport,
    metric_name: str,
    *,
    below: float | None = None,
    bottom: int | None = None,
    kind: NodeKind | None = NodeKind.GRID,
) -> list[ReportRow]:
    """Rows behind on a metric: those ``below`` a threshold, or the ``bottom`` k.

    For rates the threshold is a percentage (``below=95`` means under 95%);
    undefined rates are never "lagging". Ties keep report order.

    >>> from gridcare.hierarchy import Node
    >>> from datetime import date
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("G1", NodeKind.GRID, "g1", "C"),
    ...                Node("G2", NodeKind.GRID, "g2", "C")])
    >>> d = date(2022, 3, 27)
    >>> t = (Tally.empty().add("G1", "declarations_received", 10, day=d)
    ...      .add("G1", "declarations_reviewed", 9, day=d)
    ...      .add("G2", "declarations_received", 10, day=d)
    ...      .add("G2", "declarations_reviewed", 10, day=d))
    >>> r = daily_report(h, t, cutoff=d)
    >>> [row.node_id for row in lagging(r, "review_rate", below=95)]
    ['G1']
    """
    require_instance(report, DailyReport, "report", code="bad_report")
    m = report.report_metric(metric_name)
    if (below is None) == (bottom is None):
        raise InvalidInput("bad_arguments", "below", "give exactly one of below= or bottom=")
    if below is not None:
        below = require_finite(below, "below", code="bad_threshold")
    if bottom is not None:
        bottom = _require_threshold(bottom, "bottom", 0)
    if kind is not None:
        require_instance(kind, NodeKind, "kind", code="bad_enum")
    scored: list[tuple[float, int, ReportRow]] = []
    for i, row in enumerate(report.rows):
        if kind is not None and row.kind is not kind:
            continue
        fig = row.figures[metric_name]  # every row has every metric of the report
        if m.kind is MetricKind.RATE:
            if fig.rate is None or fig.rate.value is None:
                continue
            score = float(fig.rate.value) * 100
        else:
            if fig.cumulative is None:
                continue
            score = float(fig.cumulative)
        scored.append((score, i, row))
    scored.sort(key=lambda s: (s[0], s[1]))
    if below is not None:
        return [row for score, _, row in scored if score < below]
    assert bottom is not None
    return [row for _, _, row in scored[:bottom]]
