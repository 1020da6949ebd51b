"""Make the pictures of docs/plots.md by running the page's own code.

Every ``python`` block of docs/plots.md runs in order, in one namespace, with
the output directory as the working directory, so the PNG files the page
saves are the pictures it shows. Run it again after changing the page or
``gridcare.plot``::

    python docs_ext/make_plot_images.py            # writes docs/images/*.png

The test suite runs the same blocks into a temporary directory and compares
the files and their sizes with docs/images.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "plots.md"
IMAGES = ROOT / "docs" / "images"
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)


def python_blocks(page: Path = PAGE) -> list[str]:
    """The page's ``python`` blocks, in order."""
    return [match.group(1) for match in FENCE.finditer(page.read_text(encoding="utf-8"))]


def make_images(out_dir: Path, page: Path = PAGE) -> list[Path]:
    """Run the page's code with ``out_dir`` as the working directory; the PNG files it wrote."""
    out_dir.mkdir(parents=True, exist_ok=True)
    namespace: dict[str, object] = {"__name__": "docs_plots"}
    before = Path.cwd()
    os.chdir(out_dir)
    try:
        for i, code in enumerate(python_blocks(page)):
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, f"{page.name}:block {i + 1}", "exec"), namespace)
    finally:
        os.chdir(before)
    return sorted(out_dir.glob("*.png"))


def main() -> int:
    written = make_images(IMAGES)
    for path in written:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
