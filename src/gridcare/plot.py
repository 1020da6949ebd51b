"""Pictures of campaigns and daily reports, drawn with matplotlib (the ``plot`` extra).

Each function draws on the ``ax`` it is given, or on a new figure of its own
(made without pyplot, so nothing is left open behind the caller's back), and
returns the matplotlib ``Axes``: show it in a notebook with ``ax.figure``,
save it with ``ax.figure.savefig("coverage.png")``.

Titles and labels are in Chinese (``lang="zh"``) or English (``lang="en"``).
Chinese text is set in a CJK font when one is installed (Noto Sans CJK, Source
Han Sans, WenQuanYi, SimHei, Microsoft YaHei, PingFang); otherwise matplotlib's
default font is used. Bars are labelled with node names in Chinese and node
ids in English, so an English chart needs no CJK font.

Matplotlib is imported only when a function is called: a plain install
imports ``gridcare.plot`` and the rest of gridcare without it.

>>> from datetime import date
>>> from gridcare.hierarchy import Hierarchy, Node, NodeKind
>>> from gridcare.reports import Tally, daily_report
>>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("D1", NodeKind.DISTRICT, "d1", "C"),
...                Node("D2", NodeKind.DISTRICT, "d2", "C")])
>>> t = Tally.empty().add("D1", "hazards", 3, day=date(2022, 3, 27))
>>> report = daily_report(h, t, cutoff=date(2022, 3, 27), metrics=["hazards"])
>>> ax = daily_report_bars(report, "hazards", lang="en")
>>> [float(bar.get_height()) for bar in ax.patches]
[3.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gridcare.errors import InvalidInput, missing_extra, read_mapping, require_instance
from gridcare.hierarchy import NodeKind
from gridcare.labels import Lang, require_lang
from gridcare.reports.daily import DailyReport, Figure, ReportRow, lagging
from gridcare.reports.metrics import Metric, MetricKind
from gridcare.visits.planning import CampaignSimulation

__all__ = ["CJK_FONTS", "coverage_over_days", "daily_report_bars", "lagging_grids"]

#: Font families tried, in order, for Chinese text.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)

#: The size of a figure a function makes for itself, in inches (at 100 dpi: 700 x 400 pixels).
FIGSIZE = (7.0, 4.0)

_TEXT = {
    "coverage_title": (
        "走访覆盖率（每日：中位数与 P10–P90，{runs} 次模拟）",
        "Coverage per campaign day: median and p10–p90 over {runs} runs",
    ),
    "coverage_y": ("已访户 / 在住户（%）", "households reached / occupied (%)"),
    "coverage_x": ("行动日（日末）", "campaign day (end of day)"),
    "median": ("{node}中位数", "{node}median"),
    "band": (
        "{node}P10–P90（最宽 {width:.1f} 个百分点）",
        "{node}p10–p90 (at most {width:.1f} points wide)",
    ),
    "target": (
        "目标：每个网格 {target}（此线为全域覆盖率，先于各网格达标）",
        "target: {target} in every grid (the line is overall coverage, which gets there first)",
    ),
    "target_day": (
        "{node}每个网格达标的中位日：{days:.1f}",
        "{node}median day every grid reached the target: {days:.1f}",
    ),
    "bars_title": ("{metric}（{level}，{day}）", "{metric} by {level}, {day}"),
    "lagging_title": (
        "{metric}最落后的 {n} 个网格（{day}）",
        "{n} grids furthest behind on {metric}, {day}",
    ),
    "percent": ("{metric}（%）", "{metric} (%)"),
}

_LEVEL = {
    NodeKind.PROVINCE: ("省", "province"),
    NodeKind.CITY: ("市", "city"),
    NodeKind.DISTRICT: ("区县", "district"),
    NodeKind.STREET: ("街道", "street"),
    NodeKind.COMMUNITY: ("社区", "community"),
    NodeKind.GRID: ("网格", "grid"),
    NodeKind.BUILDING: ("楼栋", "building"),
    NodeKind.UNIT: ("单元", "unit"),
    NodeKind.HOUSEHOLD: ("户", "household"),
}


def _text(key: str, lang: Lang, **values: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def _matplotlib(caller: str) -> Any:
    """The ``matplotlib.figure`` module, or an ``ImportError`` saying which extra to install."""
    try:
        import matplotlib.figure
    except ImportError as exc:
        raise missing_extra(caller, "matplotlib", "plot") from exc
    return matplotlib.figure


def _axes(ax: Any, caller: str) -> Any:
    """The caller's Axes (``InvalidInput`` if it is not one), or one on a new figure."""
    figure = _matplotlib(caller)
    if ax is not None:
        from matplotlib.axes import Axes

        return require_instance(ax, Axes, "ax")
    return figure.Figure(figsize=FIGSIZE, layout="constrained").add_subplot()


def _font(lang: Lang) -> Any:
    """Font properties for Chinese text, or ``None`` (the default font) if none is installed."""
    if lang != "zh":
        return None
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FONTS:
        if family in installed:
            return font_manager.FontProperties(family=family)
    return None


def _label(ax: Any, font: Any, *, title: str, x: str, y: str) -> None:
    ax.set_title(title, fontproperties=font)
    ax.set_xlabel(x, fontproperties=font)
    ax.set_ylabel(y, fontproperties=font)


def _figure_value(m: Metric, fig: Figure) -> float:
    """The plotted value: a count, or a rate in percent (:attr:`Figure.value`)."""
    return 100 * fig.value if m.kind is MetricKind.RATE else fig.value


def _bar_label(row: ReportRow, lang: Lang) -> str:
    return row.name if lang == "zh" else row.node_id


def _widest(low: list[float], high: list[float]) -> float:
    """The band's greatest width in percentage points: a thin band is named, not hidden."""
    return max((h - lo for lo, h in zip(low, high, strict=True)), default=0.0)


def _value_axis(m: Metric, lang: Lang) -> str:
    if m.kind is MetricKind.RATE:
        return _text("percent", lang, metric=m.title(lang))
    return f"{m.title(lang)} ({m.unit})" if lang == "zh" else m.title(lang)


def coverage_over_days(
    simulations: CampaignSimulation | Mapping[str, CampaignSimulation],
    *,
    ax: Any = None,
    lang: Lang = "en",
) -> Any:
    """Coverage per campaign day: the median line and a shaded p10–p90 band per node.

    ``simulations`` is one ``CampaignSimulation`` (from ``simulate_campaign``)
    or a mapping of a label (a node's name or id) to one simulation per node.
    Coverage is households reached over occupied households in the
    simulation's scope at the end of each working day, from
    ``coverage_by_day()``. The legend gives the band's greatest width, so a
    band too thin to see still says how wide it is. The dashed horizontal
    line is the model's target, which the campaign reaches when *every grid*
    reaches it, so the overall coverage crosses it earlier; the dotted
    vertical line (when every run reached the target) is the median day that
    happened, ``median_days``. The legend says both.

    >>> from datetime import date
    >>> from gridcare.visits.planning import CampaignModel, simulate_campaign
    >>> m = CampaignModel(teams=1, visits_per_team_hour=2, nobody_home=0.2)
    >>> sim = simulate_campaign({"G": [f"H{i}" for i in range(60)]}, m, scope="G",
    ...                         start=date(2022, 3, 20), runs=3, seed=1)
    >>> ax = coverage_over_days(sim, lang="en")
    >>> len(ax.collections), [line.get_label() for line in ax.lines][:1]
    (1, ['median'])
    """
    if isinstance(simulations, Mapping):
        simulations = read_mapping(simulations, "simulations")
    if not isinstance(simulations, (CampaignSimulation, Mapping)) or (
        isinstance(simulations, Mapping)
        and (
            not simulations
            or not all(isinstance(s, CampaignSimulation) for s in simulations.values())
        )
    ):
        raise InvalidInput(
            "bad_simulation",
            "simulations",
            "expected a CampaignSimulation or a non-empty mapping of them",
        )
    if isinstance(simulations, Mapping) and not all(isinstance(k, str) for k in simulations):
        raise InvalidInput("not_string", "simulations", "expected labels (text) as keys")
    lang = require_lang(lang)
    ax = _axes(ax, "coverage_over_days")
    font = _font(lang)
    named = {"": simulations} if isinstance(simulations, CampaignSimulation) else simulations
    runs = 0
    target = None
    for i, (node, simulation) in enumerate(named.items()):
        prefix = f"{node} " if node else ""
        color = f"C{i}"
        rows = simulation.coverage_by_day()
        days = [day for day, _, _, _ in rows]
        low = [100 * float(rate.value or 0) for _, rate, _, _ in rows]
        mid = [100 * float(rate.value or 0) for _, _, rate, _ in rows]
        high = [100 * float(rate.value or 0) for _, _, _, rate in rows]
        ax.fill_between(
            days,
            low,
            high,
            color=color,
            alpha=0.3,
            edgecolor=color,
            linewidth=1.0,
            label=_text("band", lang, node=prefix, width=_widest(low, high)),
        )
        ax.plot(
            days,
            mid,
            color=color,
            marker="o",
            markersize=3,
            linewidth=1.2,
            label=_text("median", lang, node=prefix),
        )
        if simulation.median_days is not None:
            ax.axvline(
                simulation.median_days,
                color=color,
                linestyle=":",
                label=_text("target_day", lang, node=prefix, days=simulation.median_days),
            )
        runs = max(runs, len(simulation.runs))
        target = simulation.model.target_coverage
    if target is not None:
        ax.axhline(
            100 * float(target),
            color="grey",
            linestyle="--",
            label=_text("target", lang, target=f"{float(target):.0%}"),
        )
    ax.set_ylim(0, 100)
    _label(
        ax,
        font,
        title=_text("coverage_title", lang, runs=runs),
        x=_text("coverage_x", lang),
        y=_text("coverage_y", lang),
    )
    ax.legend(loc="lower right", fontsize="small", prop=font)
    return ax


def daily_report_bars(
    report: DailyReport,
    metric_name: str,
    *,
    level: NodeKind = NodeKind.DISTRICT,
    ax: Any = None,
    lang: Lang = "en",
) -> Any:
    """One bar per node of ``level`` (districts by default) for one metric of a daily report.

    Counts are drawn as they are (cumulative counts, stock levels); rates in
    percent. An undefined or suppressed figure leaves its bar empty (NaN).

    >>> from datetime import date
    >>> from gridcare.hierarchy import Hierarchy, Node
    >>> from gridcare.reports import Tally, daily_report
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c"), Node("D", NodeKind.DISTRICT, "d", "C")])
    >>> t = (Tally.empty().add("D", "declarations_received", 4, day=date(2022, 3, 27))
    ...      .add("D", "declarations_reviewed", 3, day=date(2022, 3, 27)))
    >>> r = daily_report(h, t, cutoff=date(2022, 3, 27))
    >>> [float(bar.get_height()) for bar in daily_report_bars(r, "review_rate").patches]
    [75.0]
    """
    require_instance(report, DailyReport, "report", code="bad_report")
    m = report.report_metric(metric_name)
    require_instance(level, NodeKind, "level", code="bad_enum")
    lang = require_lang(lang)
    ax = _axes(ax, "daily_report_bars")
    font = _font(lang)
    rows = [row for row in report.rows if row.kind is level]
    heights = [_figure_value(m, row.figures[metric_name]) for row in rows]
    positions = list(range(len(rows)))
    ax.bar(positions, heights, color="C0")
    ax.set_xticks(
        positions,
        [_bar_label(row, lang) for row in rows],
        rotation=30 if len(rows) > 6 else 0,
        ha="right" if len(rows) > 6 else "center",
        fontproperties=font,
    )
    names = _LEVEL[level]
    _label(
        ax,
        font,
        title=_text(
            "bars_title",
            lang,
            metric=m.title(lang),
            level=names[0] if lang == "zh" else names[1],
            day=report.day.isoformat(),
        ),
        x=names[0] if lang == "zh" else names[1],
        y=_value_axis(m, lang),
    )
    return ax


def lagging_grids(
    report: DailyReport,
    metric_name: str,
    *,
    bottom: int = 10,
    ax: Any = None,
    lang: Lang = "en",
) -> Any:
    """Horizontal bars of the ``bottom`` grids furthest behind on a metric, the worst on top.

    The grids are those of ``lagging(report, metric_name, bottom=bottom)``:
    the lowest values, grids with an undefined rate left out.

    >>> from datetime import date
    >>> from gridcare.hierarchy import Hierarchy, Node
    >>> from gridcare.reports import Tally, daily_report
    >>> h = Hierarchy([Node("C", NodeKind.CITY, "c")]
    ...               + [Node(f"G{i}", NodeKind.GRID, f"g{i}", "C") for i in range(4)])
    >>> t = Tally.empty()
    >>> for i in range(4):
    ...     t = t.add(f"G{i}", "hazards", i + 1, day=date(2022, 3, 27))
    >>> ax = lagging_grids(daily_report(h, t, cutoff=date(2022, 3, 27)), "hazards", bottom=2)
    >>> [float(bar.get_width()) for bar in ax.patches], [t.get_text() for t in ax.get_yticklabels()]
    ([1.0, 2.0], ['G0', 'G1'])
    """
    require_instance(report, DailyReport, "report", code="bad_report")
    m = report.report_metric(metric_name)
    lang = require_lang(lang)
    rows = lagging(report, metric_name, bottom=bottom)
    ax = _axes(ax, "lagging_grids")
    font = _font(lang)
    widths = [_figure_value(m, row.figures[metric_name]) for row in rows]
    positions = list(range(len(rows)))
    ax.barh(positions, widths, color="C3")
    ax.set_yticks(positions, [_bar_label(row, lang) for row in rows], fontproperties=font)
    ax.invert_yaxis()  # the worst grid on top
    _label(
        ax,
        font,
        title=_text(
            "lagging_title", lang, metric=m.title(lang), n=len(rows), day=report.day.isoformat()
        ),
        x=_value_axis(m, lang),
        y=_LEVEL[NodeKind.GRID][0] if lang == "zh" else _LEVEL[NodeKind.GRID][1],
    )
    if m.kind is MetricKind.RATE:
        ax.set_xlim(0, 100)
    return ax
