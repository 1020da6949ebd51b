"""Scaling figures for the province on Dask: wall time against records, and a projection.

Run from the repository root, on a quiet machine (it takes a while at 0.1)::

    python benchmarks/scaling_province.py                         # scales 0.01 0.02 0.05 0.1
    python benchmarks/scaling_province.py --scales 0.01 0.02      # a quick look
    python benchmarks/scaling_province.py --scheduler processes --workers 4

Each scale runs the core of ``examples/province_dask.py`` (14 city tasks,
merged, the province's report rendered) on a fresh cluster, and records the
wall time, the records (``gridcare.testing.province.record_count`` summed over
the cities), each task's time and each worker process's peak resident memory
(``resource.getrusage`` in the task). It then fits the wall time and the
summed task time against records (least squares, with R²), gives the cost per
record, projects to scale 1.0 on a 16-core machine and draws the wall time
against records (``--plot``). The projection assumes 16 workers and perfect
parallelism over the 14 city tasks, which is limited by the largest city
(长沙市, about 15% of the province): max(the largest task, all tasks / 16).
It prints a markdown table for docs/scaling-province.md.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "province_dask.py"
PLOT = ROOT / "docs" / "img" / "scaling_province.png"
#: The machine the projection is for.
CORES = 16


def load_example() -> ModuleType:
    """The example, imported by name so that worker processes import it too."""
    folder = str(EXAMPLE.parent)
    sys.path.insert(0, folder)
    # Worker processes start afresh: they find the module through PYTHONPATH.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (folder, os.environ.get("PYTHONPATH", "")) if p
    )
    return importlib.import_module(EXAMPLE.stem)


def fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float]:
    """Least squares ``y = a + b x``: (a, b, R²). With one point, the line through the origin."""
    n = len(xs)
    if n == 1:
        return 0.0, ys[0] / xs[0], float("nan")
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    b = sxy / sxx
    a = my - b * mx
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True))
    ss_tot = sum((y - my) ** 2 for y in ys)
    r2 = 1 - ss_res / ss_tot if ss_tot else float("nan")
    return a, b, r2


def measure(example: ModuleType, scale: float, args: argparse.Namespace) -> dict[str, Any]:
    run = example.run_province(
        scale, workers=args.workers, scheduler=args.scheduler, seed=args.seed
    )
    if args.check and scale <= example.CHECK_UP_TO:
        checks = example.check(run)
        if not all(passed for _, passed in checks):
            raise SystemExit(f"scale {scale}: a single-process check failed: {checks}")
    largest = max(run.results, key=lambda r: r.households)
    task_s = {s.code: s.seconds for s in run.stats}
    peaks = run.peak_rss_per_worker()
    row = {
        "scale": scale,
        "households": run.households,
        "residents": run.residents,
        "records": run.records,
        "wall_s": run.wall_s,
        "startup_s": run.startup_s,
        "tasks_s": sum(task_s.values()),
        "longest_s": max(task_s.values()),
        "largest_code": largest.code,
        "largest_records": largest.records,
        "largest_s": task_s[largest.code],
        "peak_mib": max(peaks.values()),
        "peaks_mib": sorted(peaks.values(), reverse=True),
    }
    print(
        f"scale {scale:g}: {row['households']:,} households, {row['records']:,} records, "
        f"wall {row['wall_s']:.1f} s (tasks {row['tasks_s']:.1f} s, longest "
        f"{row['longest_s']:.1f} s), peak per worker "
        + ", ".join(f"{p:.0f}" for p in row["peaks_mib"])
        + " MiB",
        flush=True,
    )
    return row


def project(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Figures at scale 1.0 on :data:`CORES` workers, from the fits over the scales measured."""
    records = [r["records"] for r in rows]
    scales = [r["scale"] for r in rows]
    a_rec, b_rec, _ = fit(scales, records)  # records grow in proportion to the scale
    a_wall, b_wall, r2_wall = fit(records, [r["wall_s"] for r in rows])
    a_task, b_task, r2_task = fit(records, [r["tasks_s"] for r in rows])
    biggest = rows[-1]
    largest_share = biggest["largest_records"] / biggest["records"]
    records_1 = a_rec + b_rec * 1.0
    tasks_1 = a_task + b_task * records_1
    largest_1 = tasks_1 * largest_share
    a_mem, b_mem, _ = fit(scales, [r["peak_mib"] for r in rows])
    return {
        "records_1": records_1,
        "wall_intercept_s": a_wall,
        "wall_per_record_us": b_wall * 1e6,
        "wall_r2": r2_wall,
        "task_intercept_s": a_task,
        "task_per_record_us": b_task * 1e6,
        "task_r2": r2_task,
        "largest_share": largest_share,
        "tasks_1_s": tasks_1,
        "largest_1_s": largest_1,
        "projected_1_s": max(largest_1, tasks_1 / CORES),
        "peak_1_mib": a_mem + b_mem * 1.0,
    }


def table(rows: list[dict[str, Any]], workers: int, scheduler: str) -> str:
    head = (
        "| scale | households | records | wall s | tasks s (sum) | longest task s "
        "| peak MiB per worker | wall µs per record |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [f"{workers} workers, scheduler {scheduler}:", "", head]
    for r in rows:
        lines.append(
            f"| {r['scale']:g} | {r['households']:,} | {r['records']:,} | {r['wall_s']:.1f} "
            f"| {r['tasks_s']:.1f} | {r['longest_s']:.1f} "
            f"| {' / '.join(f'{p:.0f}' for p in r['peaks_mib'])} "
            f"| {r['wall_s'] / r['records'] * 1e6:.0f} |"
        )
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], fitted: dict[str, float], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [r["records"] / 1e6 for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    ax.plot(xs, [r["wall_s"] for r in rows], "o", label="wall time")
    ax.plot(xs, [r["tasks_s"] for r in rows], "s", label="city tasks, summed")
    line = [0.0, max(xs) * 1.05]
    a, b = fitted["wall_intercept_s"], fitted["wall_per_record_us"] / 1e6
    ax.plot(
        line, [a + b * x * 1e6 for x in line], "-", lw=1, label=f"fit (R² {fitted['wall_r2']:.3f})"
    )
    for r, x in zip(rows, xs, strict=True):
        ax.annotate(
            f"{r['scale']:g}", (x, r["wall_s"]), textcoords="offset points", xytext=(4, -10)
        )
    ax.set_xlabel("records (millions)")
    ax.set_ylabel("seconds")
    ax.set_title(title)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.02, 0.05, 0.1])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--scheduler", default="distributed", choices=["threads", "processes", "distributed"]
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", type=Path, default=PLOT, help="where to write the PNG")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--check", action="store_true", help="run the example's checks too")
    args = parser.parse_args(argv)
    example = load_example()
    rows = [measure(example, scale, args) for scale in sorted(args.scales)]
    fitted = project(rows)
    print()
    print(table(rows, args.workers, args.scheduler))
    print()
    print(
        f"wall time = {fitted['wall_intercept_s']:.1f} s + "
        f"{fitted['wall_per_record_us']:.1f} µs × records (R² {fitted['wall_r2']:.4f})"
    )
    print(
        f"city tasks, summed = {fitted['task_intercept_s']:.1f} s + "
        f"{fitted['task_per_record_us']:.1f} µs × records (R² {fitted['task_r2']:.4f})"
    )
    print(
        f"scale 1.0: about {fitted['records_1'] / 1e6:.0f} million records, "
        f"{fitted['tasks_1_s']:,.0f} s of city tasks; the largest city "
        f"({fitted['largest_share']:.1%} of the records) {fitted['largest_1_s']:,.0f} s"
    )
    print(
        f"projection on {CORES} cores (16 workers; 14 city tasks, so the largest city "
        f"bounds it): max(largest task, tasks / {CORES}) = {fitted['projected_1_s']:,.0f} s "
        f"(~{fitted['projected_1_s'] / 60:.0f} min); peak memory of a worker "
        f"~{fitted['peak_1_mib'] / 1024:.1f} GiB (linear in the scale)"
    )
    if not args.no_plot:
        title = f"Hunan on Dask: {args.workers} workers ({args.scheduler})"
        plot(rows, fitted, args.plot, title)
        print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
