"""The package's structure: layers, no import cycle, no private names across modules.

The layer contract itself is import-linter's (``lint-imports``, in CI and in
``pyproject.toml``); these tests hold what it does not check.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "gridcare"


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append((".".join(parts), path))
    return found


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def test_src_has_no_import_cycle() -> None:
    graph = grimp.build_graph("gridcare", include_external_packages=False)
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            # A package importing its own submodules (re-exports) is not a cycle.
            if imported.startswith(importer + ".") or importer == "gridcare":
                continue
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                cycles.append((importer, imported, back))
    assert cycles == []


def _imports(path: Path) -> list[tuple[str, str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                found.append((node.module, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found.append((alias.name, "", node.lineno))
    return found


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_no_private_name_crosses_a_module(module: str, path: Path) -> None:
    """What two modules share is public in the lower one; private modules stay in their package."""
    own_package = _package_of(module, path)
    wrong = []
    for source, name, line in _imports(path):
        if not source.startswith("gridcare"):
            continue
        if name.startswith("_") and name != "__version__":
            wrong.append(f"{path.name}:{line}: {name} from {source}")
        private = [p for p in source.split(".") if p.startswith("_")]
        if private:
            home = source[: source.index("." + private[0])]
            if not (own_package == home or own_package.startswith(home + ".")):
                wrong.append(f"{path.name}:{line}: private module {source}")
    assert wrong == []


def test_no_library_module_switches_the_collector() -> None:
    """Only the caller's opt-in (``gridcare.bulk``) touches the garbage collector."""
    offenders = []
    for module, path in _modules():
        if module == "gridcare.bulk":
            continue
        for source, _name, line in _imports(path):
            if source == "gc":
                offenders.append(f"{module}:{line}")
    assert offenders == []
