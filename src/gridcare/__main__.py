"""The command line: ``python -m gridcare <command> [options]``.

This is the only module that prints. Each command is one entry of
:data:`COMMANDS`: a name, a one-line help, a function that adds its options to
an :mod:`argparse` parser and a function that runs it with a :class:`Console`
and returns the exit code. Adding a command (``schema``, the later demo stages)
means writing those two functions and registering them in the table.

Exit codes: 0 success, 2 bad usage (one line on stderr: ``gridcare: error: ...``),
1 when the demo's second process (``--jobs 2``) stops without its result or the
results cannot be written (a full disk, an encoding that cannot write them: one
line on stderr; a reader that closed the pipe, as ``| head`` does: nothing more),
130 when interrupted (Ctrl-C: nothing more).

>>> main(["demo", "--scale", "0.0005", "--seed", "1", "--lang", "en"])  # doctest: +ELLIPSIS
Synthetic city: profile zhuzhou, scale 0.0005, seed 1
...
0
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from importlib import metadata
from typing import TYPE_CHECKING, NoReturn, TextIO

import attrs

from gridcare.bulk import collector_paused
from gridcare.errors import GridcareError
from gridcare.hierarchy import NodeKind
from gridcare.labels import Lang, display_width, label
from gridcare.masking import mask_numbers, masked_field_reprs
from gridcare.people import CareNeed, WorkerRole
from gridcare.risk.policy import MAX_INDENT

if TYPE_CHECKING:
    from datetime import datetime

    from _typeshed import SupportsWrite

    from gridcare._demo_round import RoundProcess
    from gridcare.hierarchy import Hierarchy
    from gridcare.reports import Tally
    from gridcare.testing.scenario import CityDay, RoundSummary
    from gridcare.testing.synthetic import City

__all__ = ["COMMANDS", "DEFAULT_SCALE", "Command", "Console", "main"]

#: The demo's default scale: a tenth of Zhuzhou (139,000 households, about
#: 410,000 residents) builds in a few seconds on two cores; ``--scale 1`` builds
#: the whole city (see docs/performance.md).
DEFAULT_SCALE = 0.1
#: The demo's default reference date: the daily report of 2022-03-27 (docs/glossary.md).
DEFAULT_AS_OF = date(2022, 3, 27)


class UsageError(Exception):
    """A bad command line; ``main`` prints it on one line and returns 2."""


class OutputClosed(Exception):
    """The reader of the results closed the pipe (``| head``); ``main`` stops quietly."""


class OutputFailed(Exception):
    """The results cannot be written; ``main`` says why on one line and returns 1."""


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line and exit code 2, raised not exited."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # argparse drops an error writing the help or the version (a full disk): let it
        # through, so that ``main`` says so and returns 1 rather than 0.
        if message:
            _write(file or sys.stderr, message, flush=True)  # type: ignore[arg-type]


class Console:
    """Where a command writes: results on ``out``, progress on ``err``, in one language.

    Progress is a live line redrawn in place when ``err`` is a terminal, and
    one line per stage otherwise (a log file gets no carriage returns).

    >>> import io
    >>> err = io.StringIO()
    >>> c = Console(io.StringIO(), err, "en", live=True)
    >>> c.progress("building")(50, 100)
    >>> err.getvalue()
    '\\rbuilding:  50%'
    >>> quiet = Console(io.StringIO(), io.StringIO(), "en")
    >>> quiet.progress("building")(50, 100)
    >>> quiet.end_progress("1.0 s")
    >>> quiet.err.getvalue()
    'building: done, 1.0 s\\n'
    """

    def __init__(
        self, out: TextIO, err: TextIO, lang: Lang = "zh", *, live: bool | None = None
    ) -> None:
        self.out = out
        self.err = err
        self.lang: Lang = lang
        self.live = _is_terminal(err) if live is None else live
        self._stage = ""

    def print(self, text: str = "") -> None:
        """Write a line of results."""
        _write(self.out, text + "\n")

    def flush(self) -> None:
        """Hand the results written so far on (a failure shows here, not at exit)."""
        _write(self.out, "", flush=True)

    def t(self, zh: str, en: str) -> str:
        """Pick the text of the console's language."""
        return zh if self.lang == "zh" else en

    def progress(self, what: str) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback for one stage of work."""
        self._stage = what

        def report(done: int, total: int) -> None:
            if not self.live:
                return
            percent = 100 * done // total if total else 100
            _write(self.err, f"\r{what}: {percent:3d}%", flush=True)

        return report

    def end_progress(self, text: str = "") -> None:
        """Finish the stage: end the live line, or write the stage's one line."""
        if self.live:
            line = f" {text}\n" if text else "\n"
        else:
            done = self.t("完成", "done")
            line = f"{self._stage}: {done}, {text}\n" if text else f"{self._stage}: {done}\n"
        _write(self.err, line, flush=True)


def _write(stream: TextIO, text: str, *, flush: bool = False) -> None:
    """Write to one of the console's streams; a failure is :class:`OutputClosed` (the reader
    closed the pipe) or :class:`OutputFailed` (anything else the stream refuses)."""
    try:
        stream.write(text)
        if flush:
            stream.flush()
        return
    except BrokenPipeError:
        problem = None
    except OSError as exc:  # a full disk, a device that refuses the write
        problem = f"cannot write the results: {exc.strerror or type(exc).__name__}"
    except UnicodeEncodeError as exc:
        problem = (
            f"the output's encoding ({exc.encoding}) cannot write the results; "
            "set PYTHONIOENCODING=utf-8"
        )
    # Raised outside the handler: the stream's own exception adds nothing to the one line.
    if problem is None:
        raise OutputClosed
    raise OutputFailed(problem)


def _discard_unwritten(stream: TextIO) -> None:
    """Point ``stream``'s file at the null device, so that what is still buffered is not
    written again when the interpreter flushes it on exit (and fails again, with a
    traceback). Only for the program's own standard streams: a stream without a file
    (a test's capture) is left as it is."""
    try:
        target = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, target)
    finally:
        os.close(null)


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty()) if callable(isatty) else False


@attrs.frozen(field_transformer=masked_field_reprs)
class Command:
    """One subcommand: ``configure`` adds its options, ``run`` does it and returns the exit code."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Console], int]


# ----------------------------------------------------------------------------- demo


def _pad(text: str, width: int) -> str:
    """Pad to a display width, counting wide (CJK) characters as two columns."""
    return text + " " * max(0, width - display_width(text))


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 2:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 2, got {text}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _date(text: str) -> date:
    """A report day: ``YYYY-MM-DD``, within the days the synthetic day can be built for."""
    from gridcare.testing.scenario import REPORT_DAYS

    try:
        day = date.fromisoformat(text) if _ISO_DAY.fullmatch(text) else None
    except ValueError:  # a day that does not exist, such as 2022-02-30
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}")
    first, last = REPORT_DAYS
    if not first <= day <= last:
        raise argparse.ArgumentTypeError(f"expected a day from {first} to {last}, got {text}")
    return day


#: A day as ``--as-of`` takes it: the extended ISO form only (``2022-03-27``, not ``20220327``).
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _jobs(text: str) -> int:
    if text not in ("1", "2"):
        raise argparse.ArgumentTypeError(f"expected 1 or 2, got {text!r}")
    return int(text)


#: Below this scale a second process (its start, its imports, its own city) costs
#: more than the round it takes over saves (docs/performance.md).
_SECOND_PROCESS_SCALE = 0.01


def _default_jobs(scale: float) -> int:
    """Two processes on a machine with two cores or more, from a scale of 0.01 up."""
    return 2 if (os.cpu_count() or 1) >= 2 and scale >= _SECOND_PROCESS_SCALE else 1


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    from gridcare.testing.scenario import REPORT_DAYS
    from gridcare.testing.synthetic import PROFILES

    first, last = REPORT_DAYS

    parser.add_argument(
        "--profile",
        choices=list(PROFILES),
        default="zhuzhou",
        help="which city: zhuzhou (ten county-level units) or liling (醴陵市); default zhuzhou",
    )
    parser.add_argument(
        "--scale",
        type=_scale,
        default=DEFAULT_SCALE,
        help=f"fraction of the real city's size, above 0 and at most 2 (default {DEFAULT_SCALE}; "
        "1 is the whole city: 2,694 grids, 1.39 million households)",
    )
    parser.add_argument(
        "--seed", type=_seed, default=0, help="random seed: same seed, same city (default 0)"
    )
    parser.add_argument(
        "--as-of",
        type=_date,
        default=DEFAULT_AS_OF,
        help="report date, cut off at 08:00 that day; also the date for ages and needs, "
        f"YYYY-MM-DD from {first} to {last} (default {DEFAULT_AS_OF.isoformat()})",
    )
    parser.add_argument(
        "--policy",
        choices=["hunan-2022-03", "ninth-edition", "twenty-measures"],
        default="hunan-2022-03",
        help="preset policy for the assessments (default hunan-2022-03, in force at the time)",
    )
    parser.add_argument(
        "--city-only",
        action="store_true",
        help="print the city's shape only, without the report day",
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        help="processes for the report day: 1 runs it all here; 2 runs the testing round "
        "and the census in a second process at the same time, with the same output "
        "(default: 2 on a machine with two cores or more at a scale of "
        f"{_SECOND_PROCESS_SCALE} or more, else 1)",
    )
    parser.add_argument(
        "--lang", choices=["zh", "en"], default="zh", help="output language (default zh)"
    )


def _run_demo(args: argparse.Namespace, console: Console) -> int:
    # The demo owns its process, so it opts in to pausing the collector for
    # its bulk work (gridcare.bulk); the library's functions never do.
    with collector_paused():
        return _demo(args, console)


def _demo(args: argparse.Namespace, console: Console) -> int:
    jobs = args.jobs if args.jobs is not None else _default_jobs(args.scale)
    if args.city_only or jobs == 1:
        return _demo_in(args, console, None)
    from gridcare._demo_round import RoundProcess, RoundProcessStopped, fork_is_safe

    # A forked round takes this process's city once it is built; a spawned one
    # starts first, so that it builds its own city while this process builds this one.
    started: list[RoundProcess] = []
    if not fork_is_safe():
        started.append(RoundProcess.spawned(args.profile, args.scale, args.seed, args.as_of))

    def round_job(city: City) -> RoundProcess:
        if not started:
            started.append(RoundProcess.forked(city, args.seed, args.as_of))
        return started[0]

    try:
        return _demo_in(args, console, round_job)
    except RoundProcessStopped as exc:
        console.err.write(f"gridcare: error: {exc}; --jobs 1 runs the day in one process\n")
        return 1
    finally:
        for job in started:
            job.stop()


def _demo_in(
    args: argparse.Namespace,
    console: Console,
    round_job: Callable[[City], RoundProcess] | None,
) -> int:
    from gridcare.testing.synthetic import synthetic_city

    t = console.t
    started = time.perf_counter()
    city = synthetic_city(
        args.profile,
        args.scale,
        args.seed,
        progress=console.progress(t("生成模拟城市", "building the synthetic city")),
    )
    console.end_progress(f"{time.perf_counter() - started:.1f} s")
    job = None if round_job is None else round_job(city)  # the round starts at once
    h = city.hierarchy
    lang = console.lang
    console.print(
        t(
            f"模拟城市：{args.profile}，规模 {args.scale}，种子 {args.seed}",
            f"Synthetic city: profile {args.profile}, scale {args.scale}, seed {args.seed}",
        )
    )
    console.print(t("各层级数量", "Counts per level"))
    for kind in NodeKind:
        if kind.rank < h.root.kind.rank:
            continue  # the levels above a city's root (a province) are not the city's
        console.print(f"  {_pad(label(kind, lang), 24)}{len(h.nodes_of(kind)):>12,}")
    per_grid = [h.count_below(g.id, NodeKind.HOUSEHOLD) for g in h.nodes_of(NodeKind.GRID)]
    console.print(
        t(
            f"每网格户数：最少 {min(per_grid):,}，中位数 {statistics.median(per_grid):,.0f}，"
            f"最多 {max(per_grid):,}",
            f"Households per grid: min {min(per_grid):,}, median "
            f"{statistics.median(per_grid):,.0f}, max {max(per_grid):,}",
        )
    )
    n_households = len(city.households)
    n_residents = len(city.residents)
    vacant = city.vacant_count()
    mean = n_residents / n_households if n_households else 0.0
    console.print(
        t(
            f"居民 {n_residents:,} 人，户均 {mean:.2f} 人；空置户 {vacant:,}",
            f"Residents: {n_residents:,} ({mean:.2f} per household); vacant households: {vacant:,}",
        )
    )
    console.print(t("各角色工作人员", "Workers per role"))
    per_role = dict.fromkeys(WorkerRole, 0)
    for worker in city.workers:
        per_role[worker.role] += 1
    for role, count in per_role.items():
        console.print(f"  {_pad(label(role, lang), 24)}{count:>12,}")
    counts = city.help_counts(args.as_of)
    needs = "，" if lang == "zh" else ", "
    detail = needs.join(
        f"{label(need, lang)} {counts[need.value]:,}"
        for need in (CareNeed.ELDERLY, CareNeed.NO_SMARTPHONE, CareNeed.LIVING_ALONE)
    )
    console.print(
        t(
            f"需上门服务的居民（截至 {args.as_of.isoformat()}）：{counts['any']:,}（{detail}）",
            f"Residents needing help in person as of {args.as_of.isoformat()}: "
            f"{counts['any']:,} ({detail})",
        )
    )
    if args.city_only:
        return 0
    return _run_day(args, console, city, job)


_DECLARATION_METRICS = (
    "declarations_received",
    "declarations_reviewed",
    "review_rate",
    "declarations_overdue",
    "declarations_late",
    "declarations_proxy",
)
_MEASURE_METRICS = (
    "under_centralized_quarantine",
    "under_home_isolation",
    "under_home_health_monitoring",
    "under_self_health_monitoring",
)
_CAMPAIGN_METRICS = (
    "households_in_scope",
    "households_knocked",
    "households_reached",
    "households_vacant",
    "reach_rate",
    "person_visits",
)
_REPORT_METRICS = (
    "declarations_received",
    "review_rate",
    "households_knocked",
    "reach_rate",
    "person_visits",
    "under_centralized_quarantine",
    "under_self_health_monitoring",
    "cases_open",
    "cases_overdue",
)


#: The testing round's and the census's figures per district.
_SCREENING_METRICS = (
    "screening_due",
    "screening_sampled",
    "screening_coverage_rate",
    "screening_missed",
    "screening_away",
    "screening_exempt",
    "census_unvaccinated_60_plus",
    "census_door_sampling_needed",
)


def _run_day(
    args: argparse.Namespace, console: Console, city: City, job: RoundProcess | None
) -> int:
    """The report day: declarations, assessments, the campaign, the testing round, the report.

    The day is built without its testing round and census; their summary
    comes from ``job`` (``--jobs 2``: another process ran them meanwhile) or
    is made here, and is the same either way (``round_summary`` equals the
    day's own). Everything the summary is not needed for is written out
    first, and the day's records are freed, before the summary is waited for.
    """
    from gridcare.reports import Tally
    from gridcare.testing.scenario import round_summary, synthetic_day

    t = console.t
    started = time.perf_counter()
    day = synthetic_day(
        city,
        report_day=args.as_of,
        seed=args.seed,
        policy=args.policy,
        progress=console.progress(t("模拟申报、研判与敲门", "simulating the report day")),
        testing_round=False,
    )
    h = city.hierarchy
    cutoff = day.cutoff
    day_text, report_list = _day_sections(args, console, h, day)
    del day  # freed here, while the round may still be running elsewhere
    if job is None:
        summary = round_summary(city, report_day=args.as_of, seed=args.seed)
    else:
        summary = job.result()
    console.end_progress(f"{time.perf_counter() - started:.1f} s")
    for line in day_text:
        console.print(line)
    for line in _round_section(console, h, Tally.from_counts(summary.counts), summary, cutoff):
        console.print(line)
    for line in report_list:
        console.print(line)
    return 0


def _day_sections(
    args: argparse.Namespace, console: Console, h: Hierarchy, day: CityDay
) -> tuple[list[str], list[str]]:
    """The demo's lines from the day alone: its sections, and the daily report list that ends
    the output (the report list's metrics are the day's, not the round's)."""
    from collections import Counter

    from gridcare.reports import METRICS, Tally, daily_report, lagging

    t = console.t
    lang = console.lang
    cutoff = day.cutoff
    tally = Tally.from_counts(day.counts())
    districts = [NodeKind.CITY, NodeKind.DISTRICT]

    def report(metrics: Sequence[str]) -> str:
        chosen = daily_report(h, tally, cutoff=cutoff.date(), levels=districts, metrics=metrics)
        return chosen.to_text(lang=lang)

    stamp = cutoff.strftime("%Y-%m-%d %H:%M")
    lines = [
        "",
        t(
            f"【申报】截至 {stamp}：提交 {day.submitted:,} 份，通过校验 {day.accepted:,} 份，"
            f"退回 {len(day.rejected):,} 份",
            f"[Declarations] as of {stamp}: {day.submitted:,} submitted, {day.accepted:,} "
            f"accepted, {len(day.rejected):,} returned",
        ),
        report(_DECLARATION_METRICS),
        "",
    ]
    categories = Counter(a.category for a in day.assessments.values())
    lines.append(
        t(
            f"【研判】政策 {args.policy}，按类别人数：",
            f"[Assessments] policy {args.policy}, people per category:",
        )
    )
    names = {category: label(category, lang) for category in categories}
    width = max((display_width(name) for name in names.values()), default=0) + 2
    for category, n in categories.most_common():
        lines.append(f"  {_pad(names[category], width)}{n:>10,}")
    lines += [
        t("截止时各项措施下的人数：", "People under each measure at the cutoff:"),
        report(_MEASURE_METRICS),
        "",
        t("【敲门行动】各县市区进度：", "[Door-knocking campaign] progress per district:"),
        report(_CAMPAIGN_METRICS),
    ]
    full = daily_report(h, tally, cutoff=cutoff.date(), metrics=_REPORT_METRICS)
    behind = lagging(full, "reach_rate", bottom=10)
    lines.append(t("走访率最低的十个网格：", "The ten grids furthest behind (visit ratio):"))
    for row in behind:
        lines.append(f"  {_pad(row.name, 32)}{row.figures['reach_rate'].rate!s:>10}")
    lines.append("")
    report_list = [
        t(f"【日报告清单】截至 {stamp}", f"[Daily report list] cut off at {stamp}"),
        report(_REPORT_METRICS),
        t("指标说明：", "What the figures mean:"),
    ]
    for name in _REPORT_METRICS:
        m = METRICS[name]
        report_list.append(f"  {m.title(lang)}: {m.describe(lang)}")
    report_list.append(
        t(
            "累计数统计截止时间之前的记录，括号内为截止前24小时的新增；比率由合计分子分母重新计算。",
            "Cumulative figures count records before the cutoff; (+n) is the 24 hours before "
            "it; rates are recomputed from summed counts.",
        )
    )
    return lines, report_list


def _round_section(
    console: Console, h: Hierarchy, tally: Tally, summary: RoundSummary, cutoff: datetime
) -> list[str]:
    """The demo's lines on the testing round and the census, from the round's summary."""
    from gridcare.reports import daily_report

    t = console.t
    whole = summary.total
    window = f"{summary.screening.start:%m-%d %H:%M}-{summary.screening.end:%H:%M}"
    chosen = daily_report(
        h,
        tally,
        cutoff=cutoff.date(),
        levels=[NodeKind.CITY, NodeKind.DISTRICT],
        metrics=_SCREENING_METRICS,
    )
    lines = [
        t(
            f"【全员核酸检测】{window}："
            f"应检 {whole.due:,} 人，采样率 {whole.coverage_rate}，漏检 {whole.missed:,} 人，"
            f"混采阳性 {whole.pooled_positive_tubes} 管，复核中 {whole.under_retest} 人",
            f"[Whole-population testing] {window}: {whole.due:,} due, "
            f"coverage {whole.coverage_rate}, "
            f"{whole.missed:,} missed, {whole.pooled_positive_tubes} pooled tubes positive, "
            f"{whole.under_retest} under re-test",
        ),
        chosen.to_text(lang=console.lang),
        t("漏检最多的十个网格：", "The ten grids with the most missed residents:"),
    ]
    for grid_id, missed in summary.most_missed(10):
        lines.append(f"  {_pad(h.node(grid_id).name, 32)}{missed:>10,}")
    lines.append("")
    return lines


# ----------------------------------------------------------------------------- schema

#: The JSON Schemas the ``schema`` command can print: name -> what it describes.
_SCHEMAS: dict[str, str] = {
    "declaration": "the arrival's declaration form (JSON Schema 2020-12, zh and en titles)",
    "policy": "a risk policy file (categories, rules, measures, tests, provenance)",
}


def _configure_schema(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name",
        choices=list(_SCHEMAS),
        help="which schema: " + "; ".join(f"{k}: {v}" for k, v in _SCHEMAS.items()),
    )
    parser.add_argument(
        "--indent",
        type=_indent,
        default=2,
        help=f"indentation of the JSON output, 0 to {MAX_INDENT} spaces (default 2)",
    )


def _indent(text: str) -> int:
    """Spaces of indentation, as a policy's ``to_json`` takes them (0 to ``MAX_INDENT``)."""
    if not _WHOLE.fullmatch(text) or int(text) > MAX_INDENT:
        raise argparse.ArgumentTypeError(f"expected 0 to {MAX_INDENT}, got {text!r}")
    return int(text)


#: A whole number as an option takes it: ASCII digits, at most a few of them.
_WHOLE = re.compile(r"[0-9]{1,4}")


def _run_schema(args: argparse.Namespace, console: Console) -> int:
    import json

    if args.name == "declaration":
        from gridcare.declarations import declaration_json_schema

        schema = declaration_json_schema()
    else:
        from gridcare.risk import Policy

        schema = Policy.json_schema()
    console.print(json.dumps(schema, ensure_ascii=False, indent=args.indent, sort_keys=True))
    return 0


# ----------------------------------------------------------------------------- table

#: The subcommands, by name: the parser and the dispatcher are built from this table.
COMMANDS: dict[str, Command] = {
    "demo": Command(
        "demo",
        "build a synthetic city, print its shape, then simulate a report day: declarations "
        "filed and reviewed per district, people per measure, the door-knocking campaign's "
        "progress and the grids furthest behind, and the daily report list cut off at 08:00",
        _configure_demo,
        _run_demo,
    ),
    "schema": Command(
        "schema",
        "print the JSON Schema of an input the library accepts (declaration form, policy file)",
        _configure_schema,
        _run_schema,
    ),
}


def _version() -> str:
    try:
        return metadata.version("gridcare")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown"


def build_parser(prog: str = "gridcare") -> argparse.ArgumentParser:
    """The parser of every registered command."""
    parser = _Parser(
        prog=prog,
        description="gridcare: grid-based community epidemic prevention and care (demo shell).",
        epilog="Exit codes: 0 success, 2 bad usage, 1 the demo's second process stopped early "
        "or the output could not be written, 130 interrupted (Ctrl-C). "
        "Progress goes to stderr, results to stdout.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS.values():
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        command.configure(child)
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = "gridcare") -> int:
    """Run the command line; returns the exit code (``--help`` and ``--version`` return 0).

    A bare call prints the help; an unknown option is named. ``prog`` is the
    name the messages use: ``gridcare`` for the installed script, ``python -m
    gridcare`` when run as a module.

    >>> main(["demo", "--scale", "zero"])
    2
    """
    name = prog
    parser = build_parser(name)
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        args, unknown = parser.parse_known_args(words)
        if unknown:
            raise UsageError(f"unrecognized arguments: {' '.join(unknown)}")
    except UsageError as exc:
        # argparse quotes what it was given: a number typed there is masked like any error's.
        sys.stderr.write(f"{name}: error: {mask_numbers(str(exc))}\n")
        return 2
    except SystemExit as exc:  # --help or --version: argparse printed it and exits 0
        return exc.code if isinstance(exc.code, int) else 0
    except (OutputClosed, OutputFailed) as exc:  # the help or the version not written
        return _unwritten(name, exc)
    if args.command is None:
        try:
            parser.print_help(sys.stdout)
        except (OutputClosed, OutputFailed) as exc:
            return _unwritten(name, exc)
        return 0
    console = Console(sys.stdout, sys.stderr, getattr(args, "lang", "zh"))
    try:
        code = COMMANDS[args.command].run(args, console)
        console.flush()
        return code
    except GridcareError as exc:
        sys.stderr.write(f"{name}: error: {str(exc).splitlines()[0]}\n")
        return 2
    except KeyboardInterrupt:  # Ctrl-C: stop at once and quietly, as command-line tools do
        return 130
    except OutputClosed:  # nobody reads the rest: stop quietly, as command-line tools do
        _discard_unwritten(console.out)
        return 1
    except OutputFailed as exc:
        _discard_unwritten(console.out)
        _say(f"{name}: error: {exc}\n")
        return 1


def _unwritten(name: str, exc: OutputClosed | OutputFailed) -> int:
    """1 for a help or version that could not be written: nothing more if the reader closed
    the pipe, one line otherwise (a full disk, an encoding that cannot write it)."""
    _discard_unwritten(sys.stdout)
    if isinstance(exc, OutputFailed):
        _say(f"{name}: error: {exc}\n")
    return 1


def _say(line: str) -> None:
    """One line on stderr, if stderr takes it (it may be the stream that failed)."""
    try:
        sys.stderr.write(line)
        sys.stderr.flush()
    except (OSError, UnicodeEncodeError):
        pass


if __name__ == "__main__":
    sys.exit(main(prog="python -m gridcare"))
