"""A Griffe extension for the docs build: turn our docstrings into Markdown.

The docstrings are written for ``help()``, the doctest runner and Sphinx-style
readers; the API reference is rendered by mkdocstrings as Markdown. Before
rendering, every docstring of the package gets these rewrites, in one place:

* An attribute documented by a Sphinx doc-comment (``#:`` lines just above
  the assignment, or after it on the same line) gets that text as its
  docstring: Griffe reads only string docstrings.
* Sphinx roles (``:class:`~gridcare.codes.AreaCode```, ``:func:`replay```,
  ``:meth:`Machine.transitions```) become autorefs cross-references
  (``[`AreaCode`][gridcare.codes.AreaCode]``). A short name is looked up the
  way a reader would: in the object itself, then its class, its module and
  the enclosing packages. A name that does not lead to an object rendered
  somewhere in the reference (a private helper, another library) becomes
  inline code, so the strict build never meets a broken link.
* Doctest examples (``>>>`` lines and their output) are wrapped in ``pycon``
  fences: Markdown would read them as nested block quotes.
* Doctest directives (``# doctest: +ELLIPSIS``) are dropped from the rendered
  examples; the test suite reads the source, where they stay.

This file lives outside ``docs/`` so that MkDocs does not copy it into the site.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import griffe
import yaml  # type: ignore[import-untyped]

ROLE = re.compile(
    r":(?:py:)?(?P<role>class|func|meth|data|mod|attr|exc|obj|const|type):`(?P<target>[^`]+)`"
)
"""A Sphinx cross-reference role: ``:class:`target```."""

EXPLICIT_TITLE = re.compile(r"^(?P<title>.+?)\s*<(?P<path>[^<>]+)>$")
"""The ``title <path>`` form of a role's target."""

DOCTEST_FLAGS = re.compile(r"\s*#\s*doctest:\s*[-+\w, ]*$")
"""A doctest directive comment at the end of an example line."""

PRIVATE = re.compile(r"^_[^_]")
"""mkdocstrings-python's default filter: names like ``_x`` are not rendered."""

DIRECTIVE = re.compile(r"^::: *(?P<identifier>\S+)[ \t]*$")
"""A mkdocstrings directive line in a Markdown page."""

DOC_COMMENT = re.compile(r"^\s*#:\s?(?P<text>.*)$")
"""A line of a Sphinx doc-comment."""

TRAILING_DOC_COMMENT = re.compile(r"#:\s?(?P<text>[^'\"]*)$")
"""A doc-comment after the assignment, on the same line."""

DEFAULT_DOCS_DIR = Path(__file__).resolve().parents[1] / "docs"


# --- Doc-comments -------------------------------------------------------------


def doc_comment(attr: griffe.Attribute) -> str | None:
    """The ``#:`` doc-comment of an attribute, or None when it has none."""
    if attr.lineno is None:
        return None
    try:
        lines = attr.lines_collection[attr.filepath]  # type: ignore[index]
    except (KeyError, ValueError):
        return None
    comment: list[str] = []
    number = attr.lineno - 2  # the line above the assignment (lines are 0-based)
    while number >= 0 and (match := DOC_COMMENT.match(lines[number])) is not None:
        comment.insert(0, match["text"])
        number -= 1
    if (
        not comment
        and (trailing := TRAILING_DOC_COMMENT.search(lines[attr.lineno - 1])) is not None
    ):
        comment.append(trailing["text"])
    text = "\n".join(comment).strip()
    return text or None


def attach_doc_comments(pkg: griffe.Module) -> None:
    """Give each attribute without a docstring the text of its ``#:`` doc-comment."""
    template = pkg.docstring
    for obj in own_objects(pkg):
        if not obj.is_attribute or obj.docstring is not None:
            continue
        text = doc_comment(obj)  # type: ignore[arg-type]
        if text is not None:
            obj.docstring = griffe.Docstring(
                text,
                lineno=obj.lineno,
                parent=obj,
                parser=template.parser if template is not None else None,
                parser_options=template.parser_options if template is not None else None,
            )


# --- What the reference renders ----------------------------------------------


def directives(docs_dir: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield each ``::: identifier`` of the pages with its ``options`` mapping."""
    for page in sorted(docs_dir.rglob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            match = DIRECTIVE.match(line)
            if match is None:
                continue
            block: list[str] = []
            for following in lines[number + 1 :]:
                if not following.strip() or not following[0].isspace():
                    break
                block.append(following)
            loaded = yaml.safe_load(textwrap.dedent("\n".join(block))) if block else None
            options = loaded.get("options", {}) if isinstance(loaded, dict) else {}
            yield match["identifier"], options or {}


def final_target(obj: griffe.Object | griffe.Alias) -> griffe.Object | None:
    """The object an alias finally points to (the object itself if not an alias)."""
    if not obj.is_alias:
        return obj  # type: ignore[return-value]
    try:
        return obj.final_target  # type: ignore[union-attr]
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def rendered_member(
    name: str, child: griffe.Object | griffe.Alias, members: Any, show_submodules: bool
) -> bool:
    """Whether mkdocstrings-python renders ``child`` among its parent's members.

    Mirrors the options this project uses (default filters, no inherited
    members, no undocumented objects, submodules only when asked for).
    """
    if final_target(child) is None:
        return False
    if child.is_module and not show_submodules:
        return False
    if members is True:
        return True
    if members is False:
        return False
    if isinstance(members, list):
        return name in members
    if PRIVATE.match(name) or not child.has_docstrings:
        return False
    return not child.is_imported or child.is_public


def collect_rendered(
    obj: griffe.Object | griffe.Alias,
    identifier: str,
    options: Mapping[str, Any],
    rendered: dict[str, str],
    *,
    root: bool,
) -> None:
    """Record, canonical path -> anchor, every object rendered for a directive."""
    target = final_target(obj)
    if target is None:
        return
    rendered.setdefault(target.path, identifier)
    members = options.get("members") if root else None
    show_submodules = bool(options.get("show_submodules", False))
    for name, child in target.members.items():
        if rendered_member(name, child, members, show_submodules):
            collect_rendered(child, f"{identifier}.{name}", options, rendered, root=False)


def rendered_objects(collection: griffe.ModulesCollection, docs_dir: Path) -> dict[str, str]:
    """Map the canonical path of every object the reference renders to its anchor."""
    rendered: dict[str, str] = {}
    for identifier, options in directives(docs_dir):
        try:
            obj = collection[identifier]
        except KeyError:
            continue
        collect_rendered(obj, identifier, options, rendered, root=True)
    return rendered


# --- Resolving a role's target -----------------------------------------------


def descend(scope: griffe.Object | griffe.Alias, parts: list[str]) -> griffe.Object | None:
    """Follow ``parts`` through members from ``scope``; None when a part is missing."""
    current: griffe.Object | None = final_target(scope)
    for part in parts:
        if current is None or part not in current.members:
            return None
        current = final_target(current.members[part])
    return current


def resolve(
    name: str, obj: griffe.Object, collection: griffe.ModulesCollection
) -> griffe.Object | None:
    """The object a role's target names, seen from the docstring of ``obj``."""
    name = name.lstrip(".").removesuffix("()")
    try:
        found = collection[name]
    except KeyError:
        found = None
    if found is not None:
        return final_target(found)
    parts = name.split(".")
    scope: griffe.Object | None = obj if (obj.is_class or obj.is_module) else obj.parent
    while scope is not None:
        found = descend(scope, parts)
        if found is not None:
            return found
        scope = scope.parent
    return None


def role_title(target: str) -> tuple[str, str]:
    """Split a role's target into (title, name): ``~a.b.C`` -> (``C``, ``a.b.C``)."""
    explicit = EXPLICIT_TITLE.match(target)
    if explicit is not None:
        return explicit["title"], explicit["path"].lstrip("~")
    if target.startswith("~"):
        name = target[1:]
        return name.rsplit(".", 1)[-1], name
    return target, target


def rewrite_roles(
    line: str, obj: griffe.Object, collection: griffe.ModulesCollection, rendered: Mapping[str, str]
) -> str:
    """Replace each Sphinx role of a prose line by a cross-reference or inline code."""

    def replace(match: re.Match[str]) -> str:
        title, name = role_title(match["target"].strip())
        found = resolve(name, obj, collection)
        anchor = rendered.get(found.path) if found is not None else None
        if anchor is None:
            return f"`{title}`"
        return f"[`{title}`][{anchor}]"

    return ROLE.sub(replace, line)


# --- Examples ---------------------------------------------------------------


def markdown_docstring(
    text: str, obj: griffe.Object, collection: griffe.ModulesCollection, rendered: Mapping[str, str]
) -> str:
    """The docstring as mkdocstrings should see it: roles linked, examples fenced."""
    out: list[str] = []
    in_doctest = False
    in_fence = False
    indent = ""
    for line in text.splitlines():
        stripped = line.lstrip()
        if in_fence:
            if stripped.startswith("```"):
                in_fence = False
            out.append(DOCTEST_FLAGS.sub("", line))
            continue
        if not in_doctest and stripped.startswith("```"):
            in_fence = True
            out.append(line)
            continue
        if not in_doctest and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
            in_doctest = True
        elif in_doctest and not stripped:
            out.append(f"{indent}```")
            in_doctest = False
        if in_doctest:
            if stripped.startswith((">>>", "...")):
                line = DOCTEST_FLAGS.sub("", line)
            out.append(line)
        else:
            out.append(rewrite_roles(line, obj, collection, rendered))
    if in_doctest:
        out.append(f"{indent}```")
    return "\n".join(out)


def own_objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    """``obj`` and every object defined under it (aliases are not followed)."""
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from own_objects(member)  # type: ignore[arg-type]


class MarkdownDocstrings(griffe.Extension):
    """Rewrite every docstring of a loaded package for the Markdown reference."""

    def __init__(self, docs_dir: str | None = None) -> None:
        super().__init__()
        self.docs_dir = Path(docs_dir) if docs_dir else DEFAULT_DOCS_DIR

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        collection = loader.modules_collection
        attach_doc_comments(pkg)
        rendered = rendered_objects(collection, self.docs_dir)
        for obj in own_objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = markdown_docstring(
                    obj.docstring.value, obj, collection, rendered
                )
