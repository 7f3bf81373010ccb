"""Tables for the terminal and ``BENCHMARKS.md``, and where the results stand against issue 7.

Each section becomes one list of rows; the same rows render as aligned text (printed) and as
Markdown (written). Missing sections show their ``not available: ...`` reason instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Row = Sequence[str]


@dataclass(frozen=True)
class Table:
    title: str
    header: Row
    rows: list[Row]
    note: str = ""


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run


# --- small formatters --------------------------------------------------------------------------
def pct(value: Any, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f} %" if isinstance(value, int | float) else "-"


def num(value: Any, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "-"


def times(value: Any, digits: int = 2) -> str:
    return f"{value:.{digits}f}x" if isinstance(value, int | float) else "-"


def spread(entry: Any, digits: int = 2) -> str:
    if not isinstance(entry, dict) or "median" not in entry:
        return "-"
    return f"{entry['median']:.{digits}f} [{entry['min']:.{digits}f}-{entry['max']:.{digits}f}]"


def unavailable(section: Any) -> str | None:
    return section.get("not_available") if isinstance(section, dict) else "not run"


# --- sections ------------------------------------------------------------------------------------
def snapshot_table(snapshots: dict[str, Any]) -> Table:
    header = (
        "file",
        "origin",
        "MB",
        "read",
        "req",
        "vodcover s [min-max]",
        "raw ffmpeg s",
        "download+extract s",
        "vs raw",
        "faster than download",
        "raw ffmpeg read",
    )
    rows: list[Row] = []
    for label, entry in snapshots.items():
        for origin, r in entry.get("by_origin", {}).items():
            spreads = r["spread"]
            rows.append(
                (
                    label,
                    origin,
                    num(r["file_bytes"] / 1e6, 0),
                    pct(r["bytes_ratio"], 2),
                    str(r["requests"]),
                    spread(spreads["seconds"]),
                    spread(spreads["limit_seconds"]),
                    spread(spreads["download_seconds"]),
                    times(r["vs_limit"]),
                    times(r["download_speedup"], 1),
                    pct(r["limit_bytes_ratio"], 1),
                )
            )
    return Table("Snapshots vs file size (8 snapshots, 1280 px, medians of the repeats)", header, rows)


def smart_table(smart: dict[str, Any]) -> Table:
    header = (
        "method",
        "top-1 good",
        "junk",
        "coverage",
        "dup",
        "x realtime",
        "x rt 1080p",
        "per CPU",
        "peak MB",
    )
    methods = {"vodcover": smart, **smart.get("baselines", {})}
    rows: list[Row] = []
    for name, m in methods.items():
        memory = m.get("peak_rss_mb", {})
        peak = f"{memory.get('python', '-')} + {memory.get('ffmpeg', '-')}" if memory else "-"
        rows.append(
            (
                name,
                pct(m.get("top1_good"), 0),
                pct(m.get("junk_rate"), 0),
                num(m.get("scene_coverage")),
                pct(m.get("dup_rate"), 0),
                num(m.get("x_realtime"), 1),
                num(m.get("x_realtime_1080p"), 1),
                num(m.get("x_realtime_1080p_per_cpu"), 1),
                peak,
            )
        )
    note = "peak MB: Python process + its largest ffmpeg child (max RSS)."
    return Table("Smart cover on the labelled corpus (K = 5 candidates)", header, rows, note)


def cold_start_table(cold: dict[str, Any]) -> Table:
    header = ("module", "import ms, wall [min-max]", "CPU ms [min-max]", "vs hello-world (CPU)", "(wall)")
    rows: list[Row] = []
    for name, entry in cold.items():
        if name == "python":
            continue
        label = COLD_START_LABELS.get(name, f"functions/{name}")
        if "error" in entry:
            rows.append((label, f"failed: {entry['error']}", "-", "-", "-"))
            continue
        rows.append(
            (
                label,
                spread(entry, 0),
                spread(entry.get("cpu_ms"), 0),
                times(entry.get("vs_hello_world")),
                times(entry.get("vs_hello_world_wall")),
            )
        )
    note = f"Python {cold.get('python', '?')} here; Lambda runs python3.13."
    return Table(
        "Cold start: import of app.py in a fresh interpreter (median of the rounds)", header, rows, note
    )


COLD_START_LABELS = {
    "hello_world": "bench/hello_world (powertools, validation on)",
    "hello_world_boto3": "bench/hello_world + import boto3",
}


def package_table(packages: dict[str, Any]) -> Table:
    header = ("function", "kind", "MB unzipped", "code MB", "layers MB", "issue 7 budget MB")
    rows: list[Row] = []
    for name, entry in packages.items():
        if not isinstance(entry, dict):
            continue
        layers = ", ".join(f"{k} {v:.1f}" for k, v in entry["layers"].items())
        rows.append(
            (
                name,
                entry["kind"],
                num(entry["mb"], 1),
                num(entry["code_mb"], 3),
                layers,
                num(entry["budget_mb"], 0),
            )
        )
    extra = [packages.get("stale", ""), packages.get("build_failed", "")]
    note = " ".join([f"architecture {packages.get('architecture', '?')}.", *extra])
    return Table("Package size: function + its layers, unzipped, from sam build", header, rows, note.strip())


def api_table(api: dict[str, Any]) -> Table:
    header = ("operation", "clients", "p50 ms", "p99 ms", "req/s", "requests", "errors")
    rows: list[Row] = []
    for operation, levels in api.items():
        if operation == "plan":
            continue
        for level, r in levels.items():
            if not isinstance(r, dict):
                continue
            rows.append(
                (
                    operation,
                    level.lstrip("c"),
                    num(r["p50_ms"], 0),
                    num(r["p99_ms"], 0),
                    num(r["rps"], 1),
                    str(r["requests"]),
                    str(r["errors"]),
                )
            )
    plan = api.get("plan", {})
    note = (
        f"vodcover local (moto behind it) in its own process, SigV4-signed clients as threads; "
        f"each phase at most {plan.get('max_requests_per_phase')} requests or "
        f"{plan.get('max_seconds_per_phase')} s."
    )
    return Table("API latency against vodcover local", header, rows, note)


SECTION_TABLES = {
    "snapshots": snapshot_table,
    "smart": smart_table,
    "cold_import_ms": cold_start_table,
    "package_mb": package_table,
    "api": api_table,
}


def tables(results: dict[str, Any]) -> list[Table]:
    built = []
    for key, make in SECTION_TABLES.items():
        section = results.get(key)
        reason = unavailable(section)
        if section is None or reason:
            built.append(Table(key, ("status",), [(f"not available: {reason or 'skipped'}",)]))
        else:
            built.append(make(section))
    return built


# --- targets -------------------------------------------------------------------------------------
def targets(results: dict[str, Any]) -> list[Target]:
    return [
        *snapshot_targets(results),
        smart_target(results),
        *cold_targets(results),
        *package_targets(results),
    ]


def snapshot_targets(results: dict[str, Any]) -> list[Target]:
    big = (results.get("snapshots") or {}).get("1GB")
    if not isinstance(big, dict) or "bytes_ratio" not in big:
        missing = "1 GB file not measured (quick run or section unavailable)"
        return [Target("1 GB snapshots", "<= 2 % read, <= 1.3x raw ffmpeg, >= 10x download", missing, None)]
    found = []
    for origin, r in big.get("by_origin", {}).items():
        found += [
            Target(
                f"1 GB bytes read ({origin})", "<= 2 %", pct(r["bytes_ratio"], 2), r["bytes_ratio"] <= 0.02
            ),
            Target(
                f"1 GB time vs raw ffmpeg ({origin})", "<= 1.3x", times(r["vs_limit"]), r["vs_limit"] <= 1.3
            ),
            Target(
                f"1 GB faster than download-then-extract ({origin})",
                ">= 10x",
                times(r["download_speedup"], 1),
                r["download_speedup"] >= 10,
            ),
        ]
    return found


def smart_target(results: dict[str, Any]) -> Target:
    smart = results.get("smart") or {}
    speed = smart.get("x_realtime_1080p")
    if not isinstance(speed, int | float):
        reason = unavailable(smart) or "1080p speed clip not run (quick)"
        return Target("smart cover speed on 1080p", ">= 100x realtime", reason, None)
    return Target("smart cover speed on 1080p", ">= 100x realtime", times(speed, 1), speed >= 100)


def cold_targets(results: dict[str, Any]) -> list[Target]:
    cold = results.get("cold_import_ms") or {}
    found = []
    for name in ("videos_api", "covers_api"):
        ratio = (cold.get(name) or {}).get("vs_hello_world")
        measured = times(ratio) if ratio is not None else "not measured"
        found.append(
            Target(
                f"{name} cold import",
                "<= 1.5x hello-world",
                measured,
                None if ratio is None else ratio <= 1.5,
            )
        )
    return found


def package_targets(results: dict[str, Any]) -> list[Target]:
    packages = results.get("package_mb") or {}
    found = []
    for name, entry in packages.items():
        if not isinstance(entry, dict) or "mb" not in entry:
            continue
        budget = entry.get("budget_mb")
        if budget is None:
            continue
        found.append(
            Target(f"{name} + layers", f"<= {budget} MB", f"{entry['mb']:.1f} MB", entry["mb"] <= budget)
        )
    if not found:
        found.append(Target("function + layers sizes", "API <= 20 MB, media <= 200 MB", "no build", None))
    return found


def targets_table(found: list[Target]) -> Table:
    status = {True: "met", False: "MISSED", None: "not measured"}
    rows: list[Row] = [(t.name, t.goal, t.measured, status[t.met]) for t in found]
    return Table("Issue 7 targets: where we stand", ("target", "goal", "measured", "status"), rows)


# --- rendering -----------------------------------------------------------------------------------
def as_text(table: Table) -> str:
    widths = [max(len(row[i]) for row in (table.header, *table.rows)) for i in range(len(table.header))]
    line = "  ".join("-" * w for w in widths)
    body = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table.rows]
    header = "  ".join(cell.ljust(w) for cell, w in zip(table.header, widths, strict=True))
    lines = [table.title, header, line, *body]
    return "\n".join([*lines, *([table.note] if table.note else [])])


def as_markdown(table: Table) -> str:
    lines = [
        f"### {table.title}",
        "",
        "| " + " | ".join(table.header) + " |",
        "|" + "|".join("---" for _ in table.header) + "|",
        *("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in table.rows),
    ]
    return "\n".join([*lines, *(["", table.note] if table.note else [])])
