"""The built documentation site renders: what a reader sees, not the docstrings' source.

The site is built once (as ``mkdocs build --strict`` does, into a temporary
directory, with this interpreter's MkDocs, only without the search index) and
its HTML is searched for what must never reach a reader: raw Sphinx roles,
doctest directives, files that are not docs.
The API reference documents every public name of ``gridcare.testing``.

The Griffe extension that rewrites docstrings for the build
(``docs_ext/docstrings.py``) is also tested on its own, without a build.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings_handlers.python")
griffe = pytest.importorskip("griffe")

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "docs_ext" / "docstrings.py"
TESTING = ROOT / "src" / "gridcare" / "testing"
STRATEGY_MODULES = (
    "_declaration_strategies",
    "_risk_strategies",
    "_visit_strategies",
    "_screening_strategies",
)

RAW_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|data|mod|attr|exc|obj|const):")
DOCTEST_FLAG = re.compile(r"doctest:\s*[+-]")
ANCHOR = re.compile(r'id="(gridcare\.[^"]+)"')


#: ``mkdocs build --strict --site-dir SITE`` with the search plugin switched off: the search
#: index is a quarter of the build's time, and no test here reads it (CI builds the whole site,
#: search index and all, with ``mkdocs build --strict``). Any warning aborts the build.
BUILD = """
import logging, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

logging.basicConfig(level=logging.WARNING)
config = load_config("mkdocs.yml", strict=True, site_dir=sys.argv[1])
config.plugins["material/search"].config.enabled = False
build(config)
"""


def build_site(site_dir: Path) -> subprocess.CompletedProcess[str]:
    """Build the docs strictly into ``site_dir`` with this interpreter's MkDocs (no search)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-c", BUILD, str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def raw_roles(site_dir: Path) -> list[str]:
    """Every raw Sphinx role in the site's pages, as ``page: context``."""
    found = []
    for page in sorted(site_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for match in RAW_ROLE.finditer(text):
            context = text[max(0, match.start() - 40) : match.end() + 60]
            found.append(f"{page.relative_to(site_dir)}: {context}")
    return found


def doctest_flags(site_dir: Path) -> list[str]:
    """Every doctest directive in the site's pages, as ``page: context``."""
    found = []
    for page in sorted(site_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for match in DOCTEST_FLAG.finditer(text):
            context = text[max(0, match.start() - 60) : match.end() + 20]
            found.append(f"{page.relative_to(site_dir)}: {context}")
    return found


def python_files(site_dir: Path) -> list[str]:
    """Every Python source file shipped in the site."""
    return sorted(str(path.relative_to(site_dir)) for path in site_dir.rglob("*.py"))


def public_testing_names() -> set[str]:
    """``gridcare.testing.__all__`` and its strategy modules' ``__all__``, read from source."""
    names: set[str] = set()
    for module in ("__init__", *STRATEGY_MODULES):
        tree = ast.parse((TESTING / f"{module}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
            ):
                names.update(ast.literal_eval(node.value))
    return names


def undocumented(names: set[str], page: str) -> list[str]:
    """The names with no anchor ``gridcare.testing[.module].NAME`` in ``page``."""
    anchors = {
        anchor.rsplit(".", 1)[-1]
        for anchor in ANCHOR.findall(page)
        if anchor.startswith("gridcare.testing.")
    }
    return sorted(names - anchors)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site")
    result = build_site(site_dir)
    assert result.returncode == 0, result.stderr[-4000:]
    return site_dir


def test_the_site_builds_strict(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "reference" / "testing" / "index.html").is_file()


def test_no_raw_sphinx_role_is_rendered(site: Path) -> None:
    assert raw_roles(site) == []


def test_no_doctest_directive_is_rendered(site: Path) -> None:
    assert doctest_flags(site) == []


def test_nothing_but_docs_in_the_site(site: Path) -> None:
    assert python_files(site) == []
    assert not (site / "_ext").exists()


def test_roles_become_links(site: Path) -> None:
    page = (site / "reference" / "hierarchy" / "index.html").read_text(encoding="utf-8")
    # ``:class:`~gridcare.errors.UnknownNode``` in gridcare.hierarchy, rendered on the values page.
    assert re.search(
        r'<a class="autorefs autorefs-internal"[^>]*href="[^"]*#gridcare\.errors\.UnknownNode"',
        page,
    )


def test_doc_comments_are_rendered(site: Path) -> None:
    page = (site / "reference" / "hierarchy" / "index.html").read_text(encoding="utf-8")
    assert 'id="gridcare.machine.NEW"' in page


def test_every_public_testing_name_is_documented(site: Path) -> None:
    page = (site / "reference" / "testing" / "index.html").read_text(encoding="utf-8")
    names = public_testing_names()
    assert {"declarations", "stays", "campaigns", "round_cases", "citizen_ids"} <= names
    assert undocumented(names, page) == []


# --- The extension on its own -----------------------------------------------


@pytest.fixture(scope="module")
def extension() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gridcare_docs_docstrings", EXTENSION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def loaded() -> Any:
    loader = griffe.GriffeLoader(search_paths=[str(ROOT / "src")])
    loader.load("gridcare")
    return loader


def test_role_titles(extension: ModuleType) -> None:
    assert extension.role_title("~gridcare.codes.AreaCode") == (
        "AreaCode",
        "gridcare.codes.AreaCode",
    )
    assert extension.role_title("gridcare.codes.AreaCode") == (
        "gridcare.codes.AreaCode",
        "gridcare.codes.AreaCode",
    )
    assert extension.role_title("Machine.transitions") == (
        "Machine.transitions",
        "Machine.transitions",
    )
    assert extension.role_title("the table <gridcare.machine.Machine>") == (
        "the table",
        "gridcare.machine.Machine",
    )


def test_short_names_resolve_from_the_docstring_owner(extension: ModuleType, loaded: Any) -> None:
    collection = loaded.modules_collection
    machine = collection["gridcare.machine.Machine"]
    method = collection["gridcare.machine.Machine.transitions"]
    assert (
        extension.resolve("transitions", machine, collection).path
        == "gridcare.machine.Machine.transitions"
    )
    assert (
        extension.resolve("Machine.next", method, collection).path
        == "gridcare.machine.Machine.next"
    )
    assert extension.resolve("replay", method, collection).path == "gridcare.machine.replay"
    assert extension.resolve("random.Random", method, collection) is None


def test_docstrings_become_markdown(extension: ModuleType, loaded: Any) -> None:
    collection = loaded.modules_collection
    owner = collection["gridcare.machine.Machine"]
    rendered = {"gridcare.machine.Machine.transitions": "gridcare.machine.Machine.transitions"}
    text = (
        "See :meth:`transitions` and :func:`~gridcare.machine.replay`.\n"
        "\n"
        ">>> print('a b')  # doctest: +NORMALIZE_WHITESPACE\n"
        "a b\n"
        "\n"
        "After."
    )
    assert extension.markdown_docstring(text, owner, collection, rendered) == (
        "See [`transitions`][gridcare.machine.Machine.transitions] and `replay`.\n"
        "\n"
        "```pycon\n"
        ">>> print('a b')\n"
        "a b\n"
        "```\n"
        "\n"
        "After."
    )


def test_doc_comments_become_docstrings(extension: ModuleType) -> None:
    loader = griffe.GriffeLoader(search_paths=[str(ROOT / "src")])
    package = loader.load("gridcare")
    new = package["machine.NEW"]
    assert new.docstring is None
    extension.attach_doc_comments(package)
    assert new.docstring is not None
    assert new.docstring.value
