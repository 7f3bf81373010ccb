"""``make bench``: every benchmark of issue 7, one table, ``bench/results/latest.json``, BENCHMARKS.md.

    python -m bench.run                # full: ~25 min on 2 cores (generates ~1.4 GB once, cached)
    python -m bench.run --quick        # reduced, under 2 minutes; writes build/bench-cache/quick.json
    python -m bench.run --with-build   # run `make build` first so package sizes are current
    python -m bench.run --sections snapshots,api
    python -m bench.run --render bench/results/latest.json   # re-render only, measures nothing

Progress goes to stderr, one line per step. Not a test: it asserts nothing about the figures.
Only a full run of every section rewrites ``BENCHMARKS.md`` and ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python bench/run.py`: bench and tests.support live here

from bench import (  # noqa: E402
    api_latency,
    benchmarks_doc,
    cold_start,
    machine,
    package_size,
    report,
    smart_hdr,
    smart_section,
    snapshot_sizes,
    storyboard_cost,
)
from bench.timing import Progress  # noqa: E402

LATEST = ROOT / "bench" / "results" / "latest.json"
QUICK = ROOT / "build" / "bench-cache" / "quick.json"
PARTIAL = ROOT / "build" / "bench-cache" / "partial.json"
DOC = ROOT / "BENCHMARKS.md"
Section = Callable[[Progress, argparse.Namespace], dict[str, object]]

SECTIONS: dict[str, Section] = {
    "package_mb": lambda p, a: package_size.run(p, with_build=a.with_build),
    "cold_import_ms": lambda p, a: cold_start.run(p, quick=a.quick),
    "snapshots": lambda p, a: snapshot_sizes.run(p, quick=a.quick),
    "storyboard": lambda p, a: storyboard_cost.run(p, quick=a.quick),
    "smart": lambda p, a: smart_section.run(p, quick=a.quick),
    "smart_hdr": lambda p, a: smart_hdr.run(p, quick=a.quick),
    "api": lambda p, a: api_latency.run(p, quick=a.quick),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller files, fewer repeats (< 2 min)")
    parser.add_argument("--with-build", action="store_true", help="run `make build` first (needs PyPI)")
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated subset")
    parser.add_argument("--json", type=Path, help="where to write the results (default depends on mode)")
    parser.add_argument(
        "--render",
        type=Path,
        metavar="JSON",
        help="measure nothing: print and rewrite BENCHMARKS.md from JSON",
    )
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def run_section(name: str, progress: Progress, args: argparse.Namespace) -> dict[str, object]:
    """One section's results; a crash becomes a ``not_available`` entry, never a lost run."""
    progress.step(f"== {name}")
    try:
        return SECTIONS[name](progress, args)
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return {"not_available": f"failed: {type(exc).__name__}: {exc}"}


def every_table(results: dict[str, object]) -> list[report.Table]:
    return [*report.tables(results), report.targets_table(report.targets(results))]


def render_only(source: Path) -> int:
    """Print the tables and rewrite BENCHMARKS.md from saved results (after editing the texts)."""
    results = json.loads(source.read_text())
    tables = every_table(results)
    print("\n\n".join(report.as_text(t) for t in tables))
    if results.get("mode") == "full":
        DOC.write_text(benchmarks_doc.render(results, tables))
        print(f"wrote {DOC.name} from {source}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        return render_only(args.render)
    progress = Progress()
    PARTIAL.parent.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full" if args.sections == list(SECTIONS) else "partial",
        "machine": machine.describe(),
    }
    for name in SECTIONS:
        if name in args.sections:
            results[name] = run_section(name, progress, args)
            PARTIAL.write_text(json.dumps(results, indent=2) + "\n")  # a crash keeps what ran
        else:
            results[name] = {"not_available": "not run (--sections)"}
    results["targets"] = [t.__dict__ for t in report.targets(results)]
    results["elapsed_seconds"] = round(progress.elapsed(), 1)

    tables = every_table(results)
    print("\n\n".join(report.as_text(t) for t in tables))
    complete = results["mode"] == "full"
    output = args.json or (LATEST if complete else QUICK)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    progress.step(f"wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    if complete:
        DOC.write_text(benchmarks_doc.render(results, tables))
        progress.step(f"wrote {DOC.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
