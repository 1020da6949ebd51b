"""Run every benchmark in this folder and print its figures.

    python benchmarks/run.py            # full size, as recorded in docs/performance.md
    python benchmarks/run.py --smoke    # a quick run of each, to check they still work (CI)
    python benchmarks/run.py risk       # only the benchmarks whose name contains "risk"

Each ``bench_*.py`` is a standalone script that accepts ``--smoke`` and prints
its own table, with ratios against the baseline its issue names, measured in
the same run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, to check they run")
    parser.add_argument("only", nargs="*", help="run only benchmarks whose name contains these")
    args = parser.parse_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if any(word in s.stem for word in args.only)]
    if not scripts:
        print("no benchmark matched", file=sys.stderr)
        return 2
    failed = []
    for script in scripts:
        print(f"\n## {script.stem}", flush=True)
        command = [sys.executable, str(script)] + (["--smoke"] if args.smoke else [])
        started = time.perf_counter()
        done = subprocess.run(command, check=False)
        print(f"({time.perf_counter() - started:.1f} s wall)", flush=True)
        if done.returncode != 0:
            failed.append(script.stem)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
