"""Benchmark: validate and route a city's declarations.

Validates synthetic form payloads (170,437 by default, the Zhuzhou figure) as
Python dicts and as JSON bytes, builds the declarations and routes them against
the synthetic city. Throughput is reported as a ratio to a bare pydantic
``TypeAdapter`` over the same fields without the rules between fields
(``DeclarationShape``), measured in the same run, so the figures do not depend
on the machine. Aim: full validation at most 2x the bare model.

The library never switches the garbage collector: ``parse_forms`` keeps every
declaration it builds, so the collector's passes over them are part of its
time. Each ``parse_forms`` run is timed with only its own output alive. It is
compared with the bare model twice: validating each form and dropping the
result (the cost of validation alone), and validating the batch and keeping
every result, as a service holding a batch does (like for like with
``parse_forms``, collector passes included).

    python benchmarks/bench_declarations.py            # full size
    python benchmarks/bench_declarations.py --n 2000 --scale 0.01   # smoke run
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from gridcare.declarations import (
    AddressIndex,
    Declaration,
    DeclarationForm,
    DeclarationShape,
    parse_forms,
)
from gridcare.hierarchy import Hierarchy, NodeKind
from gridcare.testing import form_payloads, synthetic_city
from gridcare.timeutil import DEFAULT_ZONE

#: When the synthetic forms are received (their journeys end around it).
RECEIVED_AT = datetime(2022, 3, 20, 10, 0, tzinfo=DEFAULT_ZONE)
CONTEXT = {"received_at": RECEIVED_AT, "max_advance_days": 3}


def addresses_for(
    hierarchy: Hierarchy, k: int, seed: int
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Address dicts as residents give them, and the door QR codes handed out.

    Mix: 40% household id (resident QR code), 20% door QR code, 25% community and
    building number, 10% unit id, 5% free text only (unroutable on purpose).
    """
    rng = random.Random(seed)
    households = hierarchy.nodes_of(NodeKind.HOUSEHOLD)
    chosen = [households[rng.randrange(len(households))] for _ in range(k)]
    qr: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for i, node in enumerate(chosen):
        roll = rng.random()
        if roll < 0.40:
            out.append({"household_id": node.id, "room": node.name[-4:]})
        elif roll < 0.60:
            code = f"QR{i:08d}"
            qr[code] = node.id
            out.append({"door_code": code})
        elif roll < 0.85:
            building = hierarchy.ancestor_of_kind(node.id, NodeKind.BUILDING)
            community = hierarchy.ancestor_of_kind(node.id, NodeKind.COMMUNITY)
            if building is None or community is None:
                out.append({"household_id": node.id})
            else:
                out.append({"community": community.name, "building": building.name})
        elif roll < 0.95:
            unit = hierarchy.ancestor_of_kind(node.id, NodeKind.UNIT)
            out.append({"unit_id": (unit or node).id})
        else:
            out.append({"text": "芦淞区建设南路附近"})
    return out, qr


def timed(label: str, fn: Callable[[], Any], results: dict[str, float]) -> Any:
    start = time.process_time()
    value = fn()
    results[label] = time.process_time() - start
    return value


def run(n: int, scale: float, seed: int) -> None:
    t0 = time.process_time()
    city = synthetic_city(scale=scale, seed=seed)
    print(f"synthetic city (scale {scale}): {city!r}  built in {time.process_time() - t0:.1f} s")
    addresses, qr = addresses_for(city.hierarchy, 20_000, seed)
    t0 = time.process_time()
    payloads = form_payloads(n, seed=seed, received_at=RECEIVED_AT, addresses=addresses)
    blobs = [json.dumps(p, ensure_ascii=False).encode() for p in payloads]
    print(f"{n:,} payloads generated in {time.process_time() - t0:.1f} s")
    # Long-lived inputs go to the permanent generation: the collector then scans only
    # what validation allocates, for the bare model and ours alike.
    gc.collect()
    gc.freeze()

    bare: TypeAdapter[DeclarationShape] = TypeAdapter(DeclarationShape)
    ours = DeclarationForm.model_validate
    ours_json = DeclarationForm.model_validate_json
    t: dict[str, float] = {}

    def each(fn: Callable[..., Any], items: Sequence[Any]) -> None:
        for x in items:  # results are dropped: we time validation, not keeping 170k models
            fn(x, context=CONTEXT)

    # Interleave bare and ours so that warm-up and memory effects hit both alike.
    for rnd in range(2):  # CPU time (process_time): the machine may be shared
        timed(f"bare dict {rnd}", lambda: each(bare.validate_python, payloads), t)
        timed(f"ours dict {rnd}", lambda: each(ours, payloads), t)
        timed(f"bare json {rnd}", lambda: each(bare.validate_json, blobs), t)
        timed(f"ours json {rnd}", lambda: each(ours_json, blobs), t)

    def kept(fn: Callable[..., Any], items: Sequence[Any]) -> list[Any]:
        return [fn(x, context=CONTEXT) for x in items]

    held = timed("bare dict kept", lambda: kept(bare.validate_python, payloads), t)
    del held
    held = timed("bare json kept", lambda: kept(bare.validate_json, blobs), t)
    del held
    batch_json = timed("parse_forms json", lambda: parse_forms(blobs, received_at=RECEIVED_AT), t)
    assert batch_json.submitted == n
    del batch_json  # the next run is timed with only its own declarations alive
    batch = timed("parse_forms dict", lambda: parse_forms(payloads, received_at=RECEIVED_AT), t)
    index = timed("index", lambda: AddressIndex.from_hierarchy(city.hierarchy, qr_codes=qr), t)
    declarations: list[Declaration] = list(batch.accepted)
    routing = timed("route_all", lambda: index.route_all(declarations), t)

    assert batch.submitted == n == len(batch.accepted) + len(batch.rejected)
    best = {
        k: min(t[f"{k} 0"], t[f"{k} 1"])
        for k in ("bare dict", "ours dict", "bare json", "ours json")
    }
    us = 1e6 / n
    print()
    print(f"{'step':<34}{'µs/form':>10}{'forms/s':>12}{'ratio':>8}")
    rows = [
        ("bare TypeAdapter, dict", best["bare dict"], best["bare dict"]),
        ("DeclarationForm (all rules), dict", best["ours dict"], best["bare dict"]),
        ("parse_forms -> Declaration, dict", t["parse_forms dict"], best["bare dict"]),
        ("bare TypeAdapter, dict, all kept", t["bare dict kept"], best["bare dict"]),
        ("parse_forms vs bare kept, dict", t["parse_forms dict"], t["bare dict kept"]),
        ("bare TypeAdapter, JSON bytes", best["bare json"], best["bare json"]),
        ("DeclarationForm (all rules), JSON", best["ours json"], best["bare json"]),
        ("parse_forms -> Declaration, JSON", t["parse_forms json"], best["bare json"]),
        ("bare TypeAdapter, JSON, all kept", t["bare json kept"], best["bare json"]),
        ("parse_forms vs bare kept, JSON", t["parse_forms json"], t["bare json kept"]),
        ("route_all", t["route_all"], best["bare dict"]),
    ]
    for label, seconds, base in rows:
        print(f"{label:<34}{seconds * us:>10.1f}{n / seconds:>12,.0f}{seconds / base:>8.2f}")
    print(f"{'AddressIndex.from_hierarchy':<34}{t['index']:>9.2f}s")
    by_grid = routing.by_grid()
    unrouted = Counter(reason.value for reason in routing.unrouted().values())
    routed = sum(len(ids) for ids in by_grid.values())
    print()
    print(f"accepted {len(batch.accepted):,}, rejected {len(batch.rejected):,}")
    print(
        f"routed {routed:,} to {len(by_grid):,} grids; unrouted {sum(unrouted.values()):,}: "
        f"{dict(unrouted)}"
    )
    assert routed + sum(unrouted.values()) == len(declarations)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=170_437, help="number of forms")
    parser.add_argument("--scale", type=float, default=1.0, help="synthetic city scale")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--smoke", action="store_true", help="2,000 forms on a 1% city, to check it runs"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.scale = 2000, 0.01
    run(args.n, args.scale, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
