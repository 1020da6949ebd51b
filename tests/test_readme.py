"""The README's promises hold: its quickstart code runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_quickstart_code_prints_what_its_comments_say() -> None:
    (code,) = _blocks("python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue().splitlines()
    expected = [
        line.split("#", 1)[1].strip() for line in code.splitlines() if line.startswith("print(")
    ]
    assert printed == expected


def test_quickstart_commands_are_the_three_the_project_runs() -> None:
    (shell,) = [b for b in _blocks("bash") if "pip install" in b]
    commands = [line.split("#", 1)[0].strip() for line in shell.splitlines() if line.strip()]
    assert commands == [
        'python -m pip install -e ".[dev]"',
        "python -m gridcare demo",
        "python -m pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'python -m pip install -q -e ".[dev]"' in ci
    assert "python -m pytest" in ci
    assert "python -m gridcare demo" in ci


def test_runtime_dependencies_are_only_those_named() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = sorted(re.split(r"[<>=!~\[ ]", d, maxsplit=1)[0] for d in project["dependencies"])
    assert names == ["attrs", "cattrs", "pydantic", "tzdata"]
