"""Every example in examples/ runs, and prints what it promises (issue 7).

Scripts run as subprocesses with this interpreter and small arguments; the
notebook's code cells run in order in one namespace (no jupyter needed), with
its parameters scaled down. Each test checks the output, not only the exit
status.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

#: Every example and the test that runs it: a new example needs a test here.
TESTED = {
    "service_sqlite.py",
    "policy_comparison.py",
    "liling_campaign.py",
    "dask_rollup.py",
    "province_dask.py",
    "coverage.ipynb",
    "screening_round.py",  # tested in tests/test_screening_example.py
}

#: Unmasked personal data: an 18-character ID number or an 11-digit mobile number.
RAW_ID = re.compile(r"(?<![\dX*])\d{17}[\dX](?![\dX])")
RAW_PHONE = re.compile(r"(?<![\d*])1[3-9]\d{9}(?!\d)")


def run(
    *args: str, code: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run an example (or ``-c code``) with this interpreter from the repository root."""
    argv = [sys.executable, "-c", code, *args] if code is not None else [sys.executable, *args]
    return subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


def assert_masked(text: str) -> None:
    assert not RAW_ID.search(text), RAW_ID.search(text)
    assert not RAW_PHONE.search(text), RAW_PHONE.search(text)


def test_every_example_has_a_test() -> None:
    found = {p.name for p in EXAMPLES.iterdir() if p.suffix in {".py", ".ipynb"}}
    assert found <= TESTED, f"examples without a test: {sorted(found - TESTED)}"


# ----------------------------------------------------------------------------- service_sqlite


@pytest.fixture(scope="module")
def service_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    db = tmp_path_factory.mktemp("service") / "events.sqlite3"
    done = run(str(EXAMPLES / "service_sqlite.py"), "--db", str(db), "--declarations", "11")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, db


def test_service_rebuilds_the_same_states_after_a_restart(service_run: tuple[str, Path]) -> None:
    out, _ = service_run
    assert "MISMATCH" not in out
    assert (
        "check: the rebuilt states equal the states before the restart (10 declarations): OK" in out
    )
    before = re.search(r"^states before the restart: (.+)$", out, re.M)
    after = re.search(r"^states after the restart: +(.+)$", out, re.M)
    assert before
    assert after
    assert before.group(1) == after.group(1)
    assert out.rstrip().endswith("all checks passed")


def test_service_crash_between_two_writes_loses_nothing(service_run: tuple[str, Path]) -> None:
    out, _ = service_run
    crash = re.search(r"wrote events 1\.\.(\d+) of (\d+) and died while writing event (\d+)", out)
    assert crash, out
    k, n, next_event = (int(g) for g in crash.groups())
    assert next_event == k + 1
    assert 0 < k < n
    assert f"check: the log after the crash holds exactly events 1..{k}: OK" in out
    assert f"check: the state rebuilt after the crash equals the replay of events 1..{k}: OK" in out
    assert f"resend: events {k}..{n} sent again: {n - k} stored, 1 already in the log" in out
    assert re.search(rf"check: event {k + 1} \(\S+\) sent once more is applied once .*: OK", out)
    assert "same states as a run without a crash: OK" in out


def test_service_log_is_in_the_database_one_row_per_event(service_run: tuple[str, Path]) -> None:
    out, db = service_run
    written = re.search(r"^events: (\d+) written, one INSERT per event", out, re.M)
    assert written
    with sqlite3.connect(db) as conn:
        (rows,) = conn.execute("SELECT count(*) FROM declaration_events").fetchone()
        (ids,) = conn.execute("SELECT count(DISTINCT event_id) FROM declaration_events").fetchone()
        (forms,) = conn.execute("SELECT count(*) FROM declaration_forms").fetchone()
    assert rows == ids == int(written.group(1))
    assert forms == 10  # the accepted declarations


def test_service_routes_assesses_and_masks(service_run: tuple[str, Path]) -> None:
    out, _ = service_run
    assert "forms: 11 received, 10 accepted, 1 rejected" in out
    assert "[bad_length]" in out
    assert "1 unrouted (unknown_door_code)" in out
    assert "is refused and never written: OK" in out
    assessed = re.findall(
        r"^  D\d{4} .*(?:high_risk_area|medium_risk_area|affected_area|none)", out, re.M
    )
    assert len(assessed) == 10
    summary = re.search(r"^summary: (.+);", out, re.M)
    assert summary
    assert sum(int(n) for n in re.findall(r" (\d+)", summary.group(1))) == 10
    assert_masked(out)


def test_service_rerun_on_the_same_database_is_a_no_op(service_run: tuple[str, Path]) -> None:
    first, db = service_run
    again = run(str(EXAMPLES / "service_sqlite.py"), "--db", str(db), "--declarations", "11")
    assert again.returncode == 0, again.stdout + again.stderr
    (written,) = re.findall(r"^events: (\d+) written", first, re.M)
    assert f"start: {written} events already in the log" in again.stdout
    assert f"events: 0 written, one INSERT per event in its own transaction ({written} dup" in (
        again.stdout
    )


# ----------------------------------------------------------------------------- policy_comparison


def parse_table(lines: list[str], title: str) -> tuple[list[str], dict[str, list[int]]]:
    """The columns and rows (name -> counts, total last) of a transition table in the output."""
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    columns = lines[start + 1].split()[3:]  # after "old \ new"
    rows: dict[str, list[int]] = {}
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        name, *counts = line.split()
        rows[name] = [int(c) for c in counts]
    return columns, rows


def test_policy_comparison_prints_tables_that_add_up() -> None:
    done = run(str(EXAMPLES / "policy_comparison.py"), "--scale", "0.002", "--examples", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    compared = re.search(r"^compared ([\d,]+): ([\d,]+) unchanged, ([\d,]+) move", out, re.M)
    assert compared
    total, unchanged, moved = (int(g.replace(",", "")) for g in compared.groups())
    assert total == unchanged + moved > 0
    lines = out.splitlines()
    for title in ("Category transitions", "First measure transitions"):
        columns, rows = parse_table(lines, title)
        footer = rows.pop("total")
        assert columns[-1] == "total"
        for counts in rows.values():
            assert len(counts) == len(columns)
            assert sum(counts[:-1]) == counts[-1]  # each row sums to its total
        assert sum(counts[-1] for counts in rows.values()) == total  # the row sums: everyone
        assert footer[-1] == total
        for j in range(len(columns) - 1):
            assert sum(counts[j] for counts in rows.values()) == footer[j]
    _, categories = parse_table(lines, "Category transitions")
    categories.pop("total")
    diagonal = sum(categories[r][columns.index(r)] for r in categories if r in columns)
    assert diagonal <= total
    examples = [line for line in lines if re.match(r"^  D\d{6} ", line)]
    assert examples
    assert all("->" in line and "*" in line for line in examples)
    assert out.count(": OK") == 4
    assert "MISMATCH" not in out
    assert_masked(out)


# ----------------------------------------------------------------------------- liling_campaign

#: Runs the Liling script on a scaled-down city when the script has no --scale option.
SCALED_RUN = """
import runpy, sys
import gridcare.testing, gridcare.testing.synthetic as synthetic
full = synthetic.synthetic_city
def small(profile="zhuzhou", scale=1.0, seed=0, **kw):
    return full(profile, {scale!r}, seed, **kw)
synthetic.synthetic_city = gridcare.testing.synthetic_city = small
sys.argv = [{path!r}, *sys.argv[1:]]
runpy.run_path({path!r}, run_name="__main__")
"""


def test_liling_campaign_plan_agrees_with_the_simulation() -> None:
    script = EXAMPLES / "liling_campaign.py"
    args = ["--teams", "15", "--runs", "2"]
    if "--scale" in script.read_text(encoding="utf-8"):
        done = run(str(script), "--scale", "0.05", *args)
    else:
        done = run(*args, code=SCALED_RUN.format(scale=0.05, path=str(script)))
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(r"^Liling: [\d,]+ households in \d+ grids, 15 teams", out, re.M)
    plan = re.search(r"^Plan: ([\d.]+) working days", out, re.M)
    gap = re.search(r"plan vs median ([+-][\d.]+)%", out)
    assert plan
    assert gap
    assert abs(float(gap.group(1))) <= 10
    days = re.findall(r"^ +(\d+) +([\d.]+)% +([\d.]+)% +([\d.]+)%$", out, re.M)
    assert days
    assert [int(d[0]) for d in days] == list(range(1, len(days) + 1))
    medians = [float(d[2]) for d in days]
    assert medians == sorted(medians)
    assert medians[-1] >= 90.0
    assert "Progress from the attempt log, end of day 8" in out


# ----------------------------------------------------------------------------- dask_rollup


def test_dask_rollup_runs_if_present() -> None:
    script = EXAMPLES / "dask_rollup.py"
    if not script.exists():
        pytest.skip("examples/dask_rollup.py is not there yet")
    if importlib.util.find_spec("dask") is None:
        pytest.skip("dask is not installed")
    source = script.read_text(encoding="utf-8")
    args = ["--scale", "0.002"] if "--scale" in source else []
    done = run(str(script), *args)
    assert done.returncode == 0, done.stdout + done.stderr
    claims = [line for line in done.stdout.splitlines() if "==" in line or "equal" in line]
    assert claims, done.stdout  # it states that the Dask result equals the single-process one
    assert all(line.rstrip().endswith("True") for line in claims), done.stdout
    assert "MISMATCH" not in done.stdout
    assert "Traceback" not in done.stderr
    assert_masked(done.stdout)


# ----------------------------------------------------------------------------- province_dask

PROVINCE_LAST = re.compile(
    r"^province scale ([\d.]+): (\d+) households, (\d+) records, ([\d.]+) s, check ok$"
)
#: A small scale (about 4,600 households, every county of every city still in the report): the
#: script runs the same checks at any scale up to 0.01, and CI also runs it at 0.01 on a
#: LocalCluster.
PROVINCE_SCALE = 0.0002


def test_province_dask_merges_the_cities_and_checks_itself() -> None:
    if importlib.util.find_spec("dask") is None:
        pytest.skip("dask is not installed")
    script = EXAMPLES / "province_dask.py"
    done = run(str(script), "--scale", f"{PROVINCE_SCALE:g}", "--scheduler", "threads", timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.rstrip().splitlines()
    last = PROVINCE_LAST.match(lines[-1])
    assert last, lines[-1]
    assert last.group(1) == f"{PROVINCE_SCALE:g}"
    households, records = int(last.group(2)), int(last.group(3))
    # 23 million at scale 1.0, and each county's minimum (20,000 to 30,000 at scale 0.001).
    expected = 23_000_000 * PROVINCE_SCALE
    assert 0.87 * expected < households < 1.3 * expected
    assert records > households
    checks = [line for line in lines if line.startswith("check: ")]
    assert len(checks) == 4, done.stdout  # the single-process tally and rows, the whole province
    assert all(line.endswith(": True") for line in checks), done.stdout
    # The province's row and its 14 cities' rows, nothing below.
    start = next(i for i, line in enumerate(lines) if line.startswith("node "))
    rows = lines[start + 2 : start + 17]
    assert rows[0].startswith("湖南省")
    assert all(row.startswith("  ") and not row.startswith("    ") for row in rows[1:])
    assert lines[start + 17] == ""
    province_row = rows[0].split()
    assert int(province_row[1].replace(",", "")) == households  # households in scope
    assert "MISMATCH" not in done.stdout
    assert "Traceback" not in done.stderr
    assert_masked(done.stdout)


# ----------------------------------------------------------------------------- the notebook


def run_notebook(path: Path, **overrides: Any) -> dict[str, Any]:
    """Execute a notebook's code cells in order in one namespace; return the namespace.

    ``overrides`` replace the values the parameters cell (the first cell that
    assigns them) sets, as papermill would. Matplotlib, if present, draws with
    the Agg backend (no display).
    """
    if importlib.util.find_spec("matplotlib") is not None:
        import matplotlib

        matplotlib.use("Agg")
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    namespace: dict[str, Any] = {"__name__": "__main__"}
    pending = dict(overrides)
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        exec(compile(source, f"{path.name}:cell {i}", "exec"), namespace)
        for name in [n for n in pending if n in namespace]:
            namespace[name] = pending.pop(name)
    assert not pending, f"the notebook never sets {sorted(pending)}"
    return namespace


def test_coverage_notebook_models_coverage_per_day(tmp_path: Path) -> None:
    figure = tmp_path / "coverage.png"
    ns = run_notebook(EXAMPLES / "coverage.ipynb", SCALE=0.05, RUNS=2, FIGURE_PATH=str(figure))
    target = float(ns["model"].target_coverage)
    coverage = ns["coverage"]
    if hasattr(coverage, "iloc"):  # a pandas DataFrame indexed by day
        days, medians = list(coverage.index), list(coverage["median"])
    else:
        days, medians = [r["day"] for r in coverage], [r["median"] for r in coverage]
    assert days == list(range(1, len(days) + 1))
    assert medians == sorted(medians)
    assert medians[-1] >= target
    assert ns["plan"].expected_days is not None
    assert ns["simulation"].median_days is not None
    if importlib.util.find_spec("matplotlib") is not None:
        assert ns["fig"] is not None
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert ns["fig"] is None


def test_coverage_notebook_is_small_and_stored_without_outputs() -> None:
    notebook = json.loads((EXAMPLES / "coverage.ipynb").read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert 3 <= len(code) <= 10
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    first = "".join(code[0]["source"])
    assert "SCALE = 1.0" in first
    assert "FIGURE_PATH = None" in first
