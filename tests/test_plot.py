"""``gridcare.plot``: each picture renders to a PNG of the promised size with the promised marks."""

from __future__ import annotations

import importlib.util
import re
import struct
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gridcare import plot
from gridcare.hierarchy import Hierarchy, Node, NodeKind
from gridcare.reports import DailyReport, TallyBuilder, daily_report, lagging
from gridcare.visits.planning import CampaignModel, CampaignSimulation, simulate_campaign

pytest.importorskip("matplotlib")

DAY = date(2022, 3, 27)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[1]
MAKE_IMAGES = ROOT / "docs_ext" / "make_plot_images.py"
DOCS_IMAGES = ROOT / "docs" / "images"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (the IHDR chunk)."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def render(ax: Any, path: Path) -> tuple[int, int]:
    ax.figure.savefig(path, dpi=100)
    assert path.stat().st_size > 1000  # more than an empty canvas header
    return png_size(path)


def simulation(seed: int) -> CampaignSimulation:
    model = CampaignModel(teams=2, visits_per_team_hour=1.5, nobody_home=0.3)
    households = {f"G{g}": [f"G{g}H{i}" for i in range(40)] for g in range(3)}
    return simulate_campaign(
        households, model, scope="C", start=date(2022, 3, 20), runs=5, seed=seed, keep_log=False
    )


@pytest.fixture(scope="module")
def report() -> DailyReport:
    nodes = [Node("C", NodeKind.CITY, "株洲市")]
    for d in range(4):
        nodes.append(Node(f"D{d}", NodeKind.DISTRICT, f"{d}区", "C"))
        for g in range(4):
            nodes.append(Node(f"D{d}G{g}", NodeKind.GRID, f"{d}区{g}网格", f"D{d}"))
    h = Hierarchy(nodes)
    builder = TallyBuilder()
    for i, grid in enumerate(h.nodes_of(NodeKind.GRID)):
        builder.add(grid.id, "declarations_received", 20, day=DAY)
        builder.add(grid.id, "declarations_reviewed", 20 - i, day=DAY)
        builder.add(grid.id, "hazards", i % 5, day=DAY)
    return daily_report(h, builder.build(), cutoff=DAY)


def test_coverage_over_days_draws_a_band_the_median_and_the_stated_target(tmp_path: Path) -> None:
    sim = simulation(seed=3)
    ax = plot.coverage_over_days(sim, lang="en")
    assert render(ax, tmp_path / "coverage.png") == (700, 400)
    assert len(ax.collections) == 1  # the p10-p90 band
    band = ax.collections[0]
    assert 0 < band.get_alpha() < 1
    labels = [line.get_label() for line in ax.lines]
    assert labels[0] == "median"
    days = [day for day, _, _, _ in sim.coverage_by_day()]
    assert list(ax.lines[0].get_xdata()) == days
    target = [label for label in labels if label.startswith("target")]
    assert target == [
        "target: 90% in every grid (the line is overall coverage, which gets there first)"
    ]
    expected_lines = (
        3 if sim.median_days is not None else 2
    )  # + the median day every grid got there
    assert len(ax.lines) == expected_lines
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any(re.fullmatch(r"p10–p90 \(at most \d+\.\d points wide\)", t) for t in legend)
    assert any("every grid" in text for text in legend)
    assert "5 runs" in ax.get_title()


def test_coverage_over_days_draws_one_band_and_line_per_node(tmp_path: Path) -> None:
    sims = {"D1": simulation(seed=1), "D2": simulation(seed=2)}
    ax = plot.coverage_over_days(sims, lang="en")
    assert render(ax, tmp_path / "nodes.png") == (700, 400)
    assert len(ax.collections) == 2
    medians = [line.get_label() for line in ax.lines if line.get_label().endswith("median")]
    assert medians == ["D1 median", "D2 median"]


def test_daily_report_bars_has_one_bar_per_district(report: DailyReport, tmp_path: Path) -> None:
    ax = plot.daily_report_bars(report, "review_rate", lang="en")
    assert render(ax, tmp_path / "bars.png") == (700, 400)
    districts = [row for row in report.rows if row.kind is NodeKind.DISTRICT]
    assert len(ax.patches) == len(districts)
    heights = [float(bar.get_height()) for bar in ax.patches]
    for row, height in zip(districts, heights, strict=True):
        rate = row.figures["review_rate"].rate
        assert rate is not None
        assert height == pytest.approx(100 * float(rate.value or 0))
    assert [t.get_text() for t in ax.get_xticklabels()] == [row.node_id for row in districts]
    assert "%" in ax.get_ylabel()


def test_daily_report_bars_at_another_level_on_a_given_axes(
    report: DailyReport, tmp_path: Path
) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3))
    given = fig.add_subplot()
    ax = plot.daily_report_bars(report, "hazards", level=NodeKind.GRID, ax=given, lang="en")
    assert ax is given
    assert render(ax, tmp_path / "grids.png") == (800, 300)
    assert len(ax.patches) == 16


def test_lagging_grids_shows_the_bottom_grids_worst_on_top(
    report: DailyReport, tmp_path: Path
) -> None:
    ax = plot.lagging_grids(report, "review_rate", bottom=5, lang="en")
    assert render(ax, tmp_path / "lagging.png") == (700, 400)
    assert len(ax.patches) == 5
    behind = lagging(report, "review_rate", bottom=5)
    assert [t.get_text() for t in ax.get_yticklabels()] == [row.node_id for row in behind]
    widths = [float(bar.get_width()) for bar in ax.patches]
    assert widths == sorted(widths)
    assert ax.yaxis_inverted()  # the first (worst) grid is drawn on top


def test_chinese_labels_use_node_names(report: DailyReport) -> None:
    ax = plot.lagging_grids(report, "review_rate", bottom=3, lang="zh")
    assert "审核率" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        row.name for row in lagging(report, "review_rate", bottom=3)
    ]


def test_without_matplotlib_the_error_says_what_to_install(
    report: DailyReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "gridcare\[plot\]"'):
        plot.daily_report_bars(report, "hazards")


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = "import sys, gridcare.plot; print('matplotlib' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_docs_pictures_are_what_the_page_code_draws(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_plot_images", MAKE_IMAGES)
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    made = script.make_images(tmp_path)
    shipped = sorted(DOCS_IMAGES.glob("*.png"))
    assert [p.name for p in made] == [p.name for p in shipped]
    page = (DOCS_IMAGES.parent / "plots.md").read_text(encoding="utf-8")
    for new, old in zip(made, shipped, strict=True):
        assert new.stat().st_size > 10_000  # a picture, not an empty canvas
        assert png_size(new) == png_size(old)
        assert f"](images/{new.name})" in page  # every picture the code makes is on the page
