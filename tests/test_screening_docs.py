"""docs/screening.md stays true: its tables are the machines' and its examples run."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from gridcare.machine import Machine
from gridcare.screening import CENSUS_METRICS, RESIDENT_MACHINE, SCREENING_METRICS, TUBE_MACHINE

PAGE = Path(__file__).resolve().parents[1] / "docs" / "screening.md"


def drawn(machine: Machine) -> str:  # type: ignore[type-arg]
    """The table of ``machine`` as the page draws it: kinds in table order, states as met."""
    kinds: list = []  # type: ignore[type-arg]
    states: list = []  # type: ignore[type-arg]
    for source, kind, target in machine.transitions():
        if kind not in kinds:
            kinds.append(kind)
        for state in (source, target):
            if state is not None and state not in states:
                states.append(state)
    rows = [
        "| state \\ kind | " + " | ".join(k.value for k in kinds) + " |",
        "|---|" + "---|" * len(kinds),
    ]
    for state in [None, *states]:
        cells = [machine.next(state, k).value if machine.is_legal(state, k) else "" for k in kinds]
        name = "*new*" if state is None else state.value
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


@pytest.mark.parametrize(
    ("marker", "machine"), [("tube", TUBE_MACHINE), ("resident", RESIDENT_MACHINE)]
)
def test_tables_are_drawn_from_the_machines(marker: str, machine: Machine) -> None:  # type: ignore[type-arg]
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker}-table -->\n(.*?)\n<!-- /{marker}-table -->", text, re.S)
    assert found
    assert found.group(1) == drawn(machine)


def test_metric_labels_are_on_the_page() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for metric, (chinese, english) in {**SCREENING_METRICS, **CENSUS_METRICS}.items():
        assert f"| `{metric}` | {chinese} | {english} |" in text


def test_examples_on_the_page_run() -> None:
    text = PAGE.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs: dict[str, object] = {}
    for i, block in enumerate(re.findall(r"```python\n(.*?)```", text, re.S)):
        runner.run(parser.get_doctest(block, globs, f"screening.md block {i}", str(PAGE), 0))
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


ERRORS_PAGE = PAGE.parent / "errors.md"
SOURCES = sorted(
    (Path(__file__).resolve().parents[1] / "src" / "gridcare" / "screening").glob("*.py")
)


def documented_codes() -> set[str]:
    """The codes the errors page lists for gridcare.screening (its row of the table), with
    the codes of free text, which the row names as a group."""
    from gridcare.text import TEXT_CODES

    (row,) = [
        line
        for line in ERRORS_PAGE.read_text().splitlines()
        if line.startswith("| `gridcare.screening`")
    ]
    codes = row.split("|")[2]
    assert "the codes of free text" in codes
    return set(re.findall(r"`([a-z_]+)`", codes)) | set(TEXT_CODES)


def test_every_code_the_screening_modules_raise_is_documented() -> None:
    raised: set[str] = set()
    for source in SOURCES:
        text = source.read_text()
        raised |= set(re.findall(r'(?:InvalidInput|FieldError)\(\s*"([a-z_]+)"', text))
    assert len(raised) > 40
    assert sorted(raised - documented_codes()) == []


def test_every_code_garbage_meets_is_documented() -> None:
    from tests.test_screening_hostile import CASES, ENTRIES, GARBAGE

    from gridcare.errors import GridcareError, InvalidInput

    met: set[str] = set()
    for name, arg in CASES:
        func, kwargs = ENTRIES[name]
        for garbage in (*GARBAGE, object()):
            try:
                func(**{**kwargs, arg: garbage})
            except InvalidInput as exc:
                met.update(error.code for error in exc.errors)
            except GridcareError:  # an unknown node: UnknownNode, whose code is its type
                pass
    assert len(met) > 20
    assert sorted(met - documented_codes()) == []
