"""examples/screening_round.py runs, checks conservation, prints masked lists and ``check ok``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW_ID = re.compile(r"(?<![\dX*])\d{17}[\dX](?![\dX])")
RAW_PHONE = re.compile(r"(?<![\d*])1[3-9]\d{9}(?!\d)")


def test_screening_round_example_ends_with_check_ok() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "screening_round.py"), "--scale", "0.01"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert out.strip().splitlines()[-1] == "check ok"
    assert "coverage per street:" in out
    assert "grids with the most missed residents:" in out
    assert "1,785 stations" in out
    assert not RAW_ID.search(out)
    assert not RAW_PHONE.search(out)
    assert re.search(r"\d{6}\*{8}[\dX]{4}", out)  # ID numbers shown, masked
