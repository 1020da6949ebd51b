"""Every page's code runs, and prints what the page shows.

For each page of ``docs/`` (the changelog aside), every fenced ``python``
block runs in order in one namespace (one namespace per page), in a temporary
working directory, so the docs' code cannot rot. A block written as an
interactive session (``>>>`` prompts, or a ``pycon`` fence) runs as a doctest
in that namespace. When a ``text`` block follows a ``python`` block, it is the
output that block prints, and it must match exactly. A block whose first line
is ``# sketch: <why>`` says on the page that it is not run, and why (a Spark
cluster, say); it is still compiled, so its syntax cannot rot.

A block whose first line is ``# file: NAME`` is a file of the reader's own
project (a test module, ``pytest.ini``): such blocks are written into a fresh
directory, and when they include test modules, pytest runs there in a
subprocess (so the gridcare plugin is loaded through its entry point, as in a
user's suite) and every test must pass.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if p.name != "changelog.md")

FENCE = re.compile(r"^```([\w+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
FILE_MARK = re.compile(r"^(?:#|;) file: (\S+)\n")


@dataclass
class Block:
    language: str
    code: str
    line: int
    output: str | None = None  # the text block shown right after a python block

    @property
    def file_name(self) -> str | None:
        found = FILE_MARK.match(self.code)
        return found.group(1) if found else None


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found: list[Block] = []
    previous_end = None
    for match in FENCE.finditer(text):
        language, code = match.group(1), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        between = text[previous_end : match.start()] if previous_end is not None else "x"
        if (
            language == "text"
            and found
            and found[-1].language == "python"
            and found[-1].output is None
            and not between.strip()
        ):
            found[-1].output = code
        else:
            found.append(Block(language, code, line))
        previous_end = match.end()
    return found


def test_there_are_tutorials_and_howtos() -> None:
    names = {p.name for p in PAGES}
    assert {
        "tutorial-service.md",
        "tutorial-notebook.md",
        "tutorial-testing.md",
        "howto-policy-file.md",
        "howto-local-rule.md",
    } <= names
    for page in PAGES:
        if page.name.startswith(("tutorial-", "howto-")):
            assert any(b.language == "python" for b in blocks(page)), page.name


def test_pages_are_in_the_site_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in PAGES:
        assert f" {page.name}" in nav, f"{page.name} is not in mkdocs.yml's nav"


def run_session(block: Block, page: Path, namespace: dict[str, object]) -> None:
    """Run a ``>>>`` session as a doctest in the page's namespace; every example must pass."""
    import doctest

    parser = doctest.DocTestParser()
    name = f"{page.name}:{block.line}"
    test = parser.get_doctest(block.code, namespace, name, page.name, block.line)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runner = doctest.DocTestRunner(optionflags=flags)
    report = io.StringIO()
    runner.run(test, out=report.write, clear_globs=False)
    namespace.update(test.globs)  # a doctest runs on a copy: later blocks see its names
    assert runner.failures == 0, report.getvalue()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_code_runs_and_prints_what_is_shown(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        import matplotlib
    except ImportError:
        pass
    else:
        matplotlib.use("Agg")  # the notebook tutorial plots; no display here
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    project = tmp_path / "project"
    files: list[str] = []
    for block in blocks(page):
        if block.file_name is not None:
            project.mkdir(exist_ok=True)
            (project / block.file_name).write_text(block.code, encoding="utf-8")
            files.append(block.file_name)
        if block.language == "pycon" or (
            block.language == "python" and block.code.lstrip().startswith(">>>")
        ):
            run_session(block, page, namespace)
            continue
        if block.language != "python":
            continue
        if block.code.startswith("# sketch:"):
            compile(block.code, f"{page.name}:{block.line}", "exec")
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block.code, f"{page.name}:{block.line}", "exec"), namespace)
        if block.output is not None:
            assert out.getvalue() == block.output, f"{page.name}:{block.line} prints otherwise"
    tests = [f for f in files if re.fullmatch(r"test_\w*\.py|\w*_test\.py", f)]
    if tests:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(r"\d+ passed", done.stdout)
        assert " failed" not in done.stdout
