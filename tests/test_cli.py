"""The command line (gridcare.__main__), run in-process."""

from __future__ import annotations

from typing import Any

import pytest

from gridcare.__main__ import COMMANDS, DEFAULT_SCALE, main

TINY = ["--scale", "0.001"]


def test_demo_prints_the_shape_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", *TINY, "--seed", "3", "--lang", "en", "--city-only"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Synthetic city: profile zhuzhou, scale 0.001, seed 3\n")
    for text in (
        "Counts per level",
        "district/county",
        "household",
        "Households per grid: min ",
        "median ",
        "Workers per role",
        "full-time grid worker",
        "volunteer",
        "Residents needing help in person as of 2022-03-27:",
    ):
        assert text in out
    # Progress goes to stderr only: one line per stage, since stderr is no terminal here.
    assert "building the synthetic city: done, " in err
    assert "\r" not in err
    assert "%" not in out


def test_demo_runs_the_report_day(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", *TINY, "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    for text in (
        "[Declarations] as of 2022-03-27 08:00:",
        "review rate",
        "[Assessments] policy hunan-2022-03",
        "in centralized quarantine",
        "[Door-knocking campaign] progress per district:",
        "The ten grids furthest behind (visit ratio):",
        "[Daily report list] cut off at 2022-03-27 08:00",
        "What the figures mean:",
        "review rate: reviewed / declarations received",
    ):
        assert text in out
    report = out.split("[Daily report list]", 1)[1]
    city_row = next(line for line in report.splitlines() if line.startswith("株洲市"))
    assert "%" in city_row
    assert "simulating the report day" in err


def test_demo_policy_option_changes_the_assessments(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo", *TINY, "--lang", "en", "--policy", "ninth-edition"])
    ninth, _ = capsys.readouterr()
    assert "[Assessments] policy ninth-edition" in ninth


def test_demo_speaks_chinese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", *TINY, "--profile", "liling"]) == 0
    out, _ = capsys.readouterr()
    assert "各层级数量" in out
    assert "网格" in out
    assert "liling" in out
    assert "需上门服务的居民" in out


def test_demo_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo", *TINY, "--as-of", "2022-04-01"])
    first, _ = capsys.readouterr()
    main(["demo", *TINY, "--as-of", "2022-04-01"])
    second, _ = capsys.readouterr()
    assert first == second
    assert "2022-04-01" in first


@pytest.mark.parametrize("forks", [True, False])
def test_demo_prints_the_same_with_the_round_in_a_second_process(
    forks: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--jobs 2`` runs the round in a second process, forked after the city (where that is
    safe) or spawned before it; the output is byte for byte ``--jobs 1``'s either way.

    A seed, profile and day of their own, so that a second process given the wrong
    ones prints another round.
    """
    import warnings

    from gridcare import _demo_round
    from gridcare.testing import scenario

    here: list[object] = []
    real = scenario.round_summary
    started: list[str] = []
    real_init = _demo_round.RoundProcess.__init__

    def spy(*args: object, **kwargs: object) -> object:
        here.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    def watched(self: object, method: str, *rest: Any) -> None:
        started.append(method)
        real_init(self, method, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(scenario, "round_summary", spy)
    monkeypatch.setattr(_demo_round, "fork_is_safe", lambda: forks)
    monkeypatch.setattr(_demo_round.RoundProcess, "__init__", watched)
    argv = ["demo", *TINY, "--lang", "en", "--seed", "5", "--profile", "liling"]
    argv += ["--as-of", "2022-04-02"]
    assert main([*argv, "--jobs", "1"]) == 0
    one, _ = capsys.readouterr()
    assert len(here) == 1  # --jobs 1 ran the round in this process
    with warnings.catch_warnings():  # this test process may run other threads; the demo's does not
        warnings.simplefilter("ignore", DeprecationWarning)
        assert main([*argv, "--jobs", "2"]) == 0
    two, err = capsys.readouterr()
    assert len(here) == 1  # --jobs 2 did not
    assert started == ["fork" if forks else "spawn"]
    assert two == one
    assert "The ten grids with the most missed residents:" in two
    assert "2022-04-02" in two
    assert "simulating the report day: done, " in err
    assert "Traceback" not in err


def test_demo_frees_the_day_and_writes_nothing_before_the_round_is_in(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the round elsewhere, the day's records are freed while the round runs: the
    process that waits holds none of them (freed as the last reference goes, not left to
    the collector, which the demo pauses), and has written none of the day's lines yet
    (its lines come out in order, after the round's progress line)."""
    import weakref

    from gridcare import _demo_round
    from gridcare.testing import scenario

    days: list[weakref.ref[object]] = []
    real_day = scenario.synthetic_day
    seen: list[tuple[bool, str]] = []

    def watched_day(*args: Any, **kwargs: Any) -> scenario.CityDay:
        day = real_day(*args, **kwargs)
        days.append(weakref.ref(day))
        return day

    def result(self: _demo_round.RoundProcess) -> scenario.RoundSummary:
        out, _ = capsys.readouterr()
        seen.append((days[0]() is None, out))
        return real_result(self)

    real_result = _demo_round.RoundProcess.result
    monkeypatch.setattr(scenario, "synthetic_day", watched_day)
    monkeypatch.setattr(_demo_round, "fork_is_safe", lambda: False)
    monkeypatch.setattr(_demo_round.RoundProcess, "result", result)
    assert main(["demo", *TINY, "--lang", "en", "--jobs", "2"]) == 0
    after, _ = capsys.readouterr()
    [(freed, before)] = seen
    assert freed
    assert "[Declarations]" not in before
    assert "[Declarations]" in after
    assert after.index("[Declarations]") < after.index("[Whole-population testing]")


@pytest.mark.parametrize(
    ("cores", "scale", "jobs"),
    [(None, 0.1, 1), (1, 0.1, 1), (2, 0.1, 2), (64, 1.0, 2), (2, 0.01, 2), (2, 0.0099, 1)],
)
def test_jobs_defaults_to_two_on_two_cores_or_more_from_a_scale_of_a_hundredth(
    cores: int | None, scale: float, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from gridcare.__main__ import _default_jobs, build_parser

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert _default_jobs(scale) == jobs
    args, _ = build_parser("gridcare").parse_known_args(["demo"])
    assert args.jobs is None  # chosen when the demo runs, from the scale
    for chosen in (1, 2):
        args, _ = build_parser("gridcare").parse_known_args(["demo", "--jobs", str(chosen)])
        assert args.jobs == chosen


def test_a_round_process_that_stops_early_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gridcare import _demo_round

    def stopped(self: object) -> None:
        raise _demo_round.RoundProcessStopped("the testing round's process stopped early")

    monkeypatch.setattr(_demo_round.RoundProcess, "result", stopped)
    assert main(["demo", *TINY, "--jobs", "2"]) == 1
    _, err = capsys.readouterr()
    assert err.endswith(
        "gridcare: error: the testing round's process stopped early; "
        "--jobs 1 runs the day in one process\n"
    )
    assert "Traceback" not in err


def test_a_bad_jobs_value_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--jobs", "4"]) == 2
    _, err = capsys.readouterr()
    assert err == "gridcare: error: argument --jobs: expected 1 or 2, got '4'\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["--bogus"],
        ["bogus"],
        ["demo", "--scale", "0"],
        ["demo", "--scale", "3"],
        ["demo", "--scale", "lots"],
        ["demo", "--seed", "-1"],
        ["demo", "--seed", "x"],
        ["demo", "--profile", "changsha"],
        ["demo", "--lang", "fr"],
        ["demo", "--as-of", "27/03/2022"],
        ["demo", "--unknown"],
        ["demo", "--jobs", "0"],
        ["demo", "--jobs", "3"],
        ["demo", "--jobs", "x"],
        ["demo", "--jobs", "-1"],
        ["demo", "--jobs", "2.0"],
        ["demo", "--jobs", ""],
        ["demo", "--jobs"],
    ],
)
def test_bad_options_exit_2_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("gridcare: error: ")
    assert err.count("\n") == 1


def test_help_is_complete(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out, _ = capsys.readouterr()
    for name in COMMANDS:
        assert name in out
    assert main(["demo", "--help"]) == 0
    out, _ = capsys.readouterr()
    for option in ("--scale", "--seed", "--profile", "--lang", "--as-of", "--jobs"):
        assert option in out
    assert f"default {DEFAULT_SCALE}" in out


def test_every_command_is_in_the_table() -> None:
    for name, command in COMMANDS.items():
        assert command.name == name
        assert command.help


@pytest.mark.parametrize("name", ["declaration", "policy"])
def test_schema_prints_a_valid_2020_12_schema(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from jsonschema import Draft202012Validator

    assert main(["schema", name]) == 0
    out, _ = capsys.readouterr()
    schema = json.loads(out)
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"


def test_schema_of_the_declaration_accepts_the_example_form(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from jsonschema import Draft202012Validator

    from gridcare.declarations import example_form

    main(["schema", "declaration"])
    schema = json.loads(capsys.readouterr().out)
    payload = json.loads(json.dumps(example_form(), default=str))
    assert not list(Draft202012Validator(schema).iter_errors(payload))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import metadata

    assert main(["--version"], prog="gridcare") == 0
    out, _ = capsys.readouterr()
    assert out.strip() == f"gridcare {metadata.version('gridcare')}"


def test_a_bare_call_shows_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], prog="gridcare") == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: gridcare ")
    for name in COMMANDS:
        assert name in out
    assert err == ""


@pytest.mark.parametrize(
    "words", [["--bogus"], ["demo", "--bogus"], ["schema", "declaration", "-z"]]
)
def test_unknown_options_are_named(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(words, prog="gridcare") == 2
    _, err = capsys.readouterr()
    unknown = words[-1]
    assert err == f"gridcare: error: unrecognized arguments: {unknown}\n"


def test_the_program_calls_itself_what_the_user_typed() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "gridcare", "--bogus"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr == "python -m gridcare: error: unrecognized arguments: --bogus\n"


def test_progress_is_a_live_line_on_a_terminal() -> None:
    import io

    from gridcare.__main__ import Console

    err = io.StringIO()
    console = Console(io.StringIO(), err, "en", live=True)
    report = console.progress("stage")
    report(1, 4)
    report(4, 4)
    console.end_progress("2.0 s")
    assert err.getvalue() == "\rstage:  25%\rstage: 100% 2.0 s\n"


#: The demo's output for a given seed, pinned. A change that alters what the demo prints
#: (a generator, a rule, a label) changes it: check the new output, then pin its hash here.
DEMO_FINGERPRINTS = {
    "zh": "4db8ccacb6813fdcfdb132e80396b67fcc0be0c855aa8927400638df281db115",
    "en": "2e1ad6d560447d476752d954b81aa0d1d6c2113d77c49c26259979f04584d55a",
}


@pytest.mark.parametrize("lang", sorted(DEMO_FINGERPRINTS))
def test_demo_output_is_pinned_for_its_seed(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    import hashlib

    main(["demo", *TINY, "--lang", lang])
    out, _ = capsys.readouterr()
    assert len(out.splitlines()) > 100
    assert hashlib.sha256(out.encode("utf-8")).hexdigest() == DEMO_FINGERPRINTS[lang]


# ----------------------------------------------------------------------------- output that fails


class _Refusing:
    """A results stream that takes ``good`` writes, then raises ``error`` on every write."""

    def __init__(self, error: BaseException, good: int = 3) -> None:
        self.error = error
        self.good = good
        self.written: list[str] = []

    def write(self, text: str) -> int:
        if len(self.written) >= self.good:
            raise self.error
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        if len(self.written) >= self.good:
            raise self.error

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("command", [["demo", *TINY, "--jobs", "1"], ["schema", "declaration"]])
def test_a_reader_that_closes_the_pipe_stops_the_command_quietly(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``gridcare demo | head -1``: the rest is not wanted; no traceback, exit 1."""
    import sys

    out = _Refusing(BrokenPipeError(32, "Broken pipe"), good=1)
    monkeypatch.setattr(sys, "stdout", out)
    assert main(command) == 1
    _, err = capsys.readouterr()
    assert "error" not in err
    assert "Traceback" not in err
    assert len(out.written) == 1


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            OSError(28, "No space left on device"),
            "cannot write the results: No space left on device",
        ),
        (OSError(5, "Input/output error"), "cannot write the results: Input/output error"),
        (
            UnicodeEncodeError("ascii", "株洲", 0, 1, "ordinal not in range(128)"),
            "the output's encoding (ascii) cannot write the results; set PYTHONIOENCODING=utf-8",
        ),
    ],
)
def test_results_that_cannot_be_written_are_one_line_and_exit_1(
    error: BaseException,
    said: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import sys

    monkeypatch.setattr(sys, "stdout", _Refusing(error))
    assert main(["demo", *TINY, "--jobs", "1"]) == 1
    _, err = capsys.readouterr()
    assert err.endswith(f"gridcare: error: {said}\n")
    assert "Traceback" not in err


def _to_a_full_disk(words: list[str], cwd: Any) -> Any:
    """``python -m gridcare <words>`` in a real process whose output goes to a full disk."""
    import os
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this platform")
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "gridcare", *words],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            check=False,
        )


def test_a_full_disk_is_one_line_in_a_real_process(tmp_path: Any) -> None:
    """What a user sees, buffered output and the interpreter's exit included."""
    run = _to_a_full_disk(["demo", *TINY, "--jobs", "1"], tmp_path)
    assert run.returncode == 1
    assert run.stderr.endswith(
        "python -m gridcare: error: cannot write the results: No space left on device\n"
    )
    assert "Traceback" not in run.stderr
    assert "Exception ignored" not in run.stderr


@pytest.mark.parametrize(
    ("as_of", "said"),
    [
        ("1900-01-28", "expected a day from 1900-01-29 to 2100-12-08, got 1900-01-28"),
        ("2100-12-09", "expected a day from 1900-01-29 to 2100-12-08, got 2100-12-09"),
        ("9999-12-31", "expected a day from 1900-01-29 to 2100-12-08, got 9999-12-31"),
        ("20220327", "not a date (YYYY-MM-DD): '20220327'"),
        ("2022-02-30", "not a date (YYYY-MM-DD): '2022-02-30'"),
        ("2022-3-27", "not a date (YYYY-MM-DD): '2022-3-27'"),
    ],
)
def test_an_as_of_outside_the_report_days_is_refused_before_any_output(
    as_of: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", *TINY, "--as-of", as_of]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"gridcare: error: argument --as-of: {said}\n"


@pytest.mark.parametrize("as_of", ["1900-01-29", "2100-12-08"])
def test_the_first_and_last_report_days_run(as_of: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", *TINY, "--jobs", "1", "--as-of", as_of]) == 0
    out, _ = capsys.readouterr()
    assert as_of in out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_the_demo_quietly_with_130(jobs: str, tmp_path: Any) -> None:
    """A terminal's Ctrl-C reaches the whole process group: both processes of ``--jobs 2``
    stop, no traceback, exit 130 (the second process leaves it to the first)."""
    import os
    import signal
    import subprocess
    import sys

    if not hasattr(os, "killpg"):
        pytest.skip("no process groups on this platform")

    def as_from_a_terminal() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a shell's background job ignores it

    demo = subprocess.Popen(
        [sys.executable, "-m", "gridcare", "demo", "--scale", "0.05", "--jobs", jobs],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        preexec_fn=as_from_a_terminal,
        start_new_session=True,
    )
    assert demo.stderr is not None
    first = demo.stderr.readline()  # the city is built: the day (and the round) are running
    os.killpg(demo.pid, signal.SIGINT)
    rest = demo.stderr.read()
    assert demo.wait(timeout=60) == 130
    assert first.startswith("生成模拟城市: 完成")
    assert "Traceback" not in rest
    assert "KeyboardInterrupt" not in rest


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--profile", "13812345678"],
        ["demo", "--as-of", "13812345678"],
        ["demo", "--seed", "x13812345678"],
        ["13812345678"],
        ["schema", "110105194912310021"],
    ],
)
def test_a_number_typed_into_an_option_is_masked_in_the_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse quotes what it was given; the line is masked like every error of the library."""
    assert main(argv) == 2
    _, err = capsys.readouterr()
    assert err.startswith("gridcare: error: ")
    assert "13812345678" not in err
    assert "110105194912310021" not in err
    assert "138****5678" in err or "110105********0021" in err


@pytest.mark.parametrize("indent", ["17", "13812345678", "-1", "2.0", "x", ""])
def test_the_schemas_indent_is_bounded_as_a_policys_is(
    indent: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unbounded indent once made the command build gigabytes of spaces and be killed."""
    assert main(["schema", "policy", "--indent", indent]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("gridcare: error: argument --indent: expected 0 to 16, got ")


@pytest.mark.parametrize("indent", ["0", "16"])
def test_the_schemas_indent_takes_0_to_16(indent: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "policy", "--indent", indent]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("{\n" + " " * int(indent) + '"')


def test_the_command_line_s_own_examples_run() -> None:
    """pytest collects no doctests from a ``__main__.py``: run them here (an example showed
    English output for a command whose default language is Chinese)."""
    import doctest

    import gridcare.__main__ as cli

    result = doctest.testmod(cli, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 1
    assert result.failed == 0


@pytest.mark.parametrize("words", [["--help"], ["--version"], []])
def test_help_sent_to_a_full_disk_is_exit_1_and_one_line(tmp_path: Any, words: list[str]) -> None:
    """argparse drops an error writing its help: the help to a full disk exited 0."""
    run = _to_a_full_disk(words, tmp_path)
    assert run.returncode == 1
    assert run.stderr == (
        "python -m gridcare: error: cannot write the results: No space left on device\n"
    )
