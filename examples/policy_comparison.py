"""What changes for the city's arrivals if we move from one policy preset to another?

Run from the repository root::

    python examples/policy_comparison.py                          # hunan-2022-03 -> ninth-edition
    python examples/policy_comparison.py --scale 0.05 --examples 5
    python examples/policy_comparison.py --old ninth-edition --new twenty-measures

The arrivals are a synthetic day of the grid prevention code
(``gridcare.testing.scenario.synthetic_day``): forms filed over the eight days
before the 2022-03-27 08:00 report, assessed under ``--old`` against the
scenario's risk register. ``compare_policies`` assesses everyone again under
``--new`` and reports who moves; this script prints the full transition tables
(old category by new category, old measure by new measure, unchanged people on
the diagonal: every row sums to the people with that old value, the table to
everyone compared) and a few examples, masked. Exit status 1 if the tables do
not add up.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence

from gridcare import PRESETS, Assessment, Category, MeasureKind, compare_policies
from gridcare.declarations import history_of
from gridcare.masking import mask_id_number, mask_name
from gridcare.testing import synthetic_city
from gridcare.testing.scenario import synthetic_day
from gridcare.timeutil import DEFAULT_ZONE as CST

NONE_SHOWN = "—"
CORNER = "old \\ new"


def measure_name(measure: MeasureKind | None) -> str:
    return NONE_SHOWN if measure is None else measure.value


def until(a: Assessment) -> str:
    end = None if a.plan is None else a.plan.end
    return "" if end is None else f" until {end.astimezone(CST):%m-%d}"


def table(
    title: str, pairs: Sequence[tuple[str, str]], order: Sequence[str]
) -> tuple[list[str], bool]:
    """A transition table (rows: old, columns: new) as lines, and whether its sums add up."""
    counts = Counter(pairs)
    rows = [o for o in order if any(a == o for a, _ in pairs)]
    cols = [o for o in order if any(b == o for _, b in pairs)]
    width = max(len(x) for x in [*rows, *cols, CORNER]) + 1
    cells = {c: max(7, len(c) + 2) for c in cols}
    header = f"{CORNER:<{width}}" + "".join(f"{c:>{cells[c]}}" for c in cols) + "    total"
    lines = [title, header]
    ok = True
    for r in rows:
        values = [counts[(r, c)] for c in cols]
        total = sum(values)
        ok &= total == sum(1 for a, _ in pairs if a == r)
        lines.append(
            f"{r:<{width}}"
            + "".join(f"{v:>{cells[c]}}" for c, v in zip(cols, values, strict=True))
            + f"{total:>9}"
        )
    column_totals = {c: sum(counts[(r, c)] for r in rows) for c in cols}
    grand = sum(column_totals.values())
    ok &= grand == len(pairs)
    footer = "".join(f"{v:>{cells[c]}}" for c, v in column_totals.items())
    lines.append(f"{'total':<{width}}{footer}{grand:>9}")
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default="hunan-2022-03", choices=sorted(PRESETS))
    parser.add_argument("--new", default="ninth-edition", choices=sorted(PRESETS))
    parser.add_argument("--scale", type=float, default=0.01, help="synthetic city scale")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--examples", type=int, default=3, help="movers shown per move")
    args = parser.parse_args(argv)

    city = synthetic_city("zhuzhou", scale=args.scale, seed=args.seed)
    day = synthetic_day(city, policy=args.old, seed=args.seed)
    people = {d.id: d for d in day.declarations}
    print(
        f"Arrivals: {len(people):,} declarations filed before the report of "
        f"{day.cutoff:%Y-%m-%d %H:%M} (synthetic city, scale {args.scale}, seed {args.seed}); "
        f"register of {len(day.register)} designations"
    )
    print(f"Policy change: {args.old} -> {args.new}, everyone assessed as of the cutoff\n")

    histories = {k: history_of(d) for k, d in people.items()}
    comparison = compare_policies(
        histories, PRESETS[args.old], PRESETS[args.new], day.cutoff, register=day.register
    )
    old: dict[str, Assessment] = day.assessments  # the scenario assessed everyone under --old
    new = {k: comparison.moved[k][1] if k in comparison.moved else a for k, a in old.items()}
    consistent = all(comparison.moved[k][0] == old[k] for k in comparison.moved)

    print(
        f"compared {comparison.total:,}: {comparison.unchanged:,} unchanged, "
        f"{comparison.moved_count:,} move category or measure "
        f"({comparison.moved_count / max(1, comparison.total):.1%})\n"
    )
    categories = [c.value for c in Category]
    lines, ok_categories = table(
        "Category transitions (rows: old, columns: new; people)",
        [(old[k].category.value, new[k].category.value) for k in old],
        categories,
    )
    print("\n".join(lines) + "\n")
    measures = [*(m.value for m in MeasureKind), NONE_SHOWN]
    lines, ok_measures = table(
        "First measure transitions (rows: old, columns: new; people; — = no measure)",
        [(measure_name(old[k].measure), measure_name(new[k].measure)) for k in old],
        measures,
    )
    print("\n".join(lines) + "\n")

    moves_seen = sum(comparison.category_moves.values())
    off_diagonal = sum(1 for k in old if old[k].category is not new[k].category)
    print(f"Examples (up to {args.examples} per category move; personal data masked):")
    shown: Counter[tuple[Category, Category]] = Counter()
    for k, (a, b) in sorted(comparison.moved.items()):
        move = (a.category, b.category)
        if a.category is b.category or shown[move] >= args.examples:
            continue
        shown[move] += 1
        d = people[k]
        print(
            f"  {k} {mask_name(d.name)} {mask_id_number(d.document_number)} from {d.origin}: "
            f"{a.category.value}/{measure_name(a.measure)}{until(a)} -> "
            f"{b.category.value}/{measure_name(b.measure)}{until(b)}"
        )

    checks = {
        "category table rows add up to the people compared": ok_categories,
        "measure table rows add up to the people compared": ok_measures,
        "off-diagonal category cells equal compare_policies' moves": off_diagonal == moves_seen,
        "the comparison's old assessments are the scenario's": consistent,
    }
    print()
    for text, ok in checks.items():
        print(f"check: {text}: {'OK' if ok else 'MISMATCH'}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
