"""Behavioural suite (CheckList): failure rate per capability, printed as a table.

    .venv/bin/python benchmarks/behaviour.py [--per-capability N] [--json OUT] [--write-ceilings]

Runs the items of corpora/behaviour/capabilities.json (all of them by default; `--per-capability N`
takes the same evenly spread sample `make test` gates on) through the extractor and prints, per
capability, the items, the failures and the failure rate, then per fact type. `--write-ceilings`
writes the sample's rates to corpora/behaviour/ceilings.json, the per-capability gate of
tests/test_behaviour.py (a ratchet: rewrite it in the commit that improves a capability).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from chartsift.evaluation import behaviour

CEILINGS = behaviour.SUITE.parent / "ceilings.json"
GATE_SAMPLE = 25  # items per capability in make test


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-capability", type=int, default=None, help="evenly spread sample per capability")
    parser.add_argument("--json", type=Path, help="also write {capability: [failed, total]} here")
    parser.add_argument("--write-ceilings", action="store_true",
                        help=f"run the gate's sample ({GATE_SAMPLE} per capability) and write {CEILINGS.name}")
    parser.add_argument("--examples", type=int, default=0, help="print up to N failing items per capability")
    args = parser.parse_args(argv)
    per = GATE_SAMPLE if args.write_ceilings else args.per_capability
    items = behaviour.items()
    chosen = behaviour.sample(items, per) if per else items
    start = time.perf_counter()
    outcomes = behaviour.run(chosen)
    seconds = time.perf_counter() - start
    rates = behaviour.failure_rates(outcomes)
    out = sys.stdout
    out.write(f"{len(chosen)} items of {len(items)} ({len(rates)} capabilities), {seconds:.1f} s, "
              f"{1000 * seconds / max(len(chosen), 1):.1f} ms/item\n\n")
    out.write(f"{'capability':64s} {'items':>6s} {'failed':>7s} {'rate':>6s}\n")
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cap, (failed, total) in rates.items():
        out.write(f"{cap:64s} {total:6d} {failed:7d} {failed / total:6.3f}\n")
        row = by_type[cap.split("/")[0]]
        row[0] += failed
        row[1] += total
        if args.examples:
            for o in [o for o in outcomes if o.item.capability == cap and not o.passed][:args.examples]:
                out.write(f"    {o.item.text[:90]!r}: {o.why[0][:120]}\n")
    out.write(f"\n{'fact type':24s} {'items':>6s} {'failed':>7s} {'rate':>6s}\n")
    for t, (failed, total) in sorted(by_type.items()):
        out.write(f"{t:24s} {total:6d} {failed:7d} {failed / total:6.3f}\n")
    failed = sum(f for f, _ in rates.values())
    out.write(f"{'all':24s} {len(chosen):6d} {failed:7d} {failed / max(len(chosen), 1):6.3f}\n")
    if args.json:
        args.json.write_text(json.dumps(rates, indent=1) + "\n", encoding="utf-8")
    if args.write_ceilings:
        ceilings = {cap: f / t for cap, (f, t) in rates.items()}
        CEILINGS.write_text(json.dumps({"per_capability": GATE_SAMPLE, "ceilings": ceilings}, indent=1) + "\n",
                            encoding="utf-8")
        out.write(f"\nwrote {CEILINGS}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
