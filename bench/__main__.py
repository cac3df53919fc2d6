"""make bench: prints a table and writes bench/results.json with the machine described."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
from pathlib import Path

from bench import engine_bench

RESULTS = Path(__file__).resolve().parent / "results.json"


def machine() -> dict:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = fh.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "")
    except OSError:
        pass
    return {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count(),
            "cpu": cpu, "memory": mem}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="fewer turns, for a smoke run")
    parser.add_argument("--only", help="comma-separated section names")
    args = parser.parse_args()
    from bench import dashboard_bench, deploy_bench, matching_bench

    sections = {**engine_bench.SECTIONS, **dashboard_bench.SECTIONS, **deploy_bench.SECTIONS,
                **matching_bench.SECTIONS}
    try:
        from bench import flood_bench, scale_bench, tail_bench, telegram_bench

        sections = {**sections, **telegram_bench.SECTIONS, **tail_bench.SECTIONS, **flood_bench.SECTIONS,
                    **scale_bench.SECTIONS}
    except ImportError:
        pass
    wanted = set(args.only.split(",")) if args.only else set(sections)
    results: dict = {"machine": machine(), "sections": {}}
    if args.only and RESULTS.exists():  # a partial run updates its sections and keeps the others
        results["sections"] = json.loads(RESULTS.read_text()).get("sections", {})
    rows: list[tuple[str, str, str, str]] = []
    for name, fn in sections.items():
        if name not in wanted:
            continue
        print(f"running {name}...", flush=True)
        outcome = asyncio.run(fn(quick=args.quick)) if asyncio.iscoroutinefunction(fn) else fn(quick=args.quick)
        results["sections"][name] = outcome
        for metric, value, target, verdict in outcome.get("rows", []):
            rows.append((f"{name}: {metric}", value, target, verdict))
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    width = max(len(r[0]) for r in rows) if rows else 10
    print()
    print(f"{'measure'.ljust(width)}  {'value':>14}  {'target':>14}  verdict")
    for measure, value, target, verdict in rows:
        print(f"{measure.ljust(width)}  {value:>14}  {target:>14}  {verdict}")
    print(f"\nmachine: {results['machine']['cpus']} cpus, {results['machine']['cpu']}, {results['machine']['memory']}")
    print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
