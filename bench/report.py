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
        "corpus half",
        "top-1 good",
        "junk",
        "coverage",
        "dup",
        "x realtime",
        "per CPU",
        "short clips x rt (per CPU)",
        "4K x rt (per CPU)",
        "peak MB",
    )
    methods = {"vodcover": smart, **smart.get("baselines", {})}
    rows: list[Row] = []
    for name, m in methods.items():
        memory = m.get("peak_rss_mb", {})
        peak = f"{memory.get('python', '-')} + {memory.get('ffmpeg', '-')}" if memory else "-"
        speed = m.get("speed", {})
        short, uhd = speed.get("short_clips", {}), speed.get("uhd", {})
        for split, s in (m.get("splits") or {"held-out": m}).items():
            rows.append(
                (
                    name,
                    split,
                    pct(s.get("top1_good"), 0),
                    pct(s.get("junk_rate"), 0),
                    num(s.get("scene_coverage")),
                    pct(s.get("dup_rate"), 0),
                    num(s.get("x_realtime"), 1),
                    num(s.get("x_realtime_per_cpu"), 1),
                    f"{num(short.get('x_realtime'), 1)} ({num(short.get('x_realtime_per_cpu'), 1)})",
                    f"{num(uhd.get('x_realtime'), 1)} ({num(uhd.get('x_realtime_per_cpu'), 1)})",
                    peak,
                )
            )
    measured = f"Measured {smart['measured_at']}. " if smart.get("measured_at") else ""
    if smart.get("speed_measured_at"):
        measured += (
            f"Speed columns of vodcover and keyframes re-measured {smart['speed_measured_at']} "
            "(one run of both, bench/smart_quality.py --methods vodcover,keyframes). "
        )
    note = measured + (
        "easy: bench/smart_corpus.py; tune and held-out: the two halves of bench/smart_corpus_hard.py "
        "(thresholds chosen on tune only); fresh: bench/smart_corpus_fresh.py, the families a third "
        "time with other photographs and timings, never tuned on or studied. "
        "junk counts picks within 0.3 s of a cut or flash. "
        "short clips: the videos of 5 s or less; 4K: the 3840x2160 videos. "
        "peak MB: Python process + its largest ffmpeg child (max RSS)."
    )
    return Table("Smart cover on the labelled corpora (K = 5 candidates)", header, rows, note)


def smart_hdr_table(hdr: dict[str, Any]) -> Table:
    header = (
        "file",
        "origin",
        "MB",
        "wall s (repeats)",
        "CPU s",
        "x realtime (per CPU)",
        "read",
        "MB read",
        "req",
        "colourfulness (untreated)",
        "vs H.264: wall / CPU / bytes / colour (same times)",
    )
    rows: list[Row] = []
    for origin, variants in (hdr.get("by_origin") or {}).items():
        for name, r in variants.items():
            rows.append(smart_hdr_row(SMART_HDR_LABELS.get(name, name), origin, r))
    note = (
        f"Measured {hdr.get('measured_at')}. One {hdr.get('video_seconds')} s 1080p30 clip of photographs "
        f"(2 s GOP), {hdr.get('candidates_asked')} candidates, medians of {hdr.get('repeats')} interleaved "
        "repeats, each in a fresh process, through the byte-counting proxy; origins: moto (presigned URL) "
        "and a plain range server. colourfulness: mean over the candidates (Hasler & Süsstrunk); "
        "untreated: plain ffmpeg frames at the same times without tone mapping; (same times): the HDR / "
        "H.264 colourfulness over the candidates both picked at the same time; tone-mapped HDR should be "
        "close to 1.00x there."
    )
    return Table(
        "Smart cover on phone HDR 1080p: HEVC Main 10 vs the same content in H.264", header, rows, note
    )


def smart_hdr_row(label: str, origin: str, r: dict[str, Any]) -> Row:
    ratio = r.get("vs_h264") or {}
    return (
        label,
        origin,
        num(r["file_bytes"] / 1e6, 1),
        f"{num(r['seconds'])} ({', '.join(num(s) for s in r.get('seconds_all', []))})",
        num(r["cpu_seconds"]),
        f"{num(r['x_realtime'], 1)} ({num(r['x_realtime_per_cpu'], 1)})",
        pct(r["bytes_ratio"], 2),
        num(r["bytes_read"] / 1e6, 1),
        str(r["requests"]),
        f"{num(r['colourfulness'], 1)} ({num(r.get('untreated_colourfulness'), 1)})",
        " / ".join(times(ratio.get(k)) for k in ("seconds", "cpu_seconds", "bytes_read", "colourfulness"))
        + f" ({times(ratio.get('colourfulness_same_times'))})"
        if ratio
        else "baseline",
    )


SMART_HDR_LABELS = {
    "h264": "H.264 8-bit SDR",
    "hevc-hlg": "HEVC Main 10 HLG (BT.2020)",
    "hevc-pq": "HEVC Main 10 PQ (BT.2020)",
}


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


def storyboard_table(storyboard: dict[str, Any]) -> Table:
    header = ("file", "MB", "video s", "tiles", "sheets", "MB read", "read share", "seconds")
    rows: list[Row] = [
        (
            label,
            num(r["file_bytes"] / 1e6, 0),
            num(r["duration"], 0),
            str(r["tiles"]),
            str(r["sheets"]),
            num(r["bytes_read"] / 1e6, 1),
            pct(r["read_share"], 2),
            num(r["seconds"], 1),
        )
        for label, r in storyboard.items()
    ]
    note = (
        "bench/storyboard_cost.py: the storyboard job's own code on the snapshots section's file, "
        "through a byte-counting proxy in front of a plain range origin (one run)."
    )
    return Table("Storyboard on a large file", header, rows, note)


SECTION_TABLES = {
    "snapshots": snapshot_table,
    "storyboard": storyboard_table,
    "smart": smart_table,
    "smart_hdr": smart_hdr_table,
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
        *smart_generalisation_targets(results),
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


def smart_generalisation_targets(results: dict[str, Any]) -> list[Target]:
    """Issue 13: on the held-out half, quality like a person's and speed on short and 4K clips."""
    smart = results.get("smart") or {}
    held = (smart.get("splits") or {}).get("held-out")
    if not isinstance(held, dict):
        return [
            Target("smart cover held-out quality", "issue 13", unavailable(smart) or "not measured", None)
        ]
    baselines = {
        name: (b.get("splits") or {}).get("held-out") or {}
        for name, b in (smart.get("baselines") or {}).items()
    }

    def better(key: str, higher: bool) -> bool:
        ours = held[key]
        return all(ours > b[key] if higher else ours < b[key] for b in baselines.values() if key in b)

    speed = smart.get("speed") or {}
    short = (speed.get("short_clips") or {}).get("x_realtime") or 0.0
    uhd = (speed.get("uhd") or {}).get("x_realtime") or 0.0
    vs_heuristic = smart.get("short_clips_vs_keyframe_heuristic")
    found = [
        Target(
            "smart cover held-out top-1 good", "100 %", pct(held["top1_good"], 0), held["top1_good"] >= 1.0
        ),
        Target("smart cover held-out junk", "0 %", pct(held["junk_rate"], 0), held["junk_rate"] == 0),
        Target(
            "smart cover held-out scene coverage",
            ">= 0.90",
            num(held["scene_coverage"]),
            held["scene_coverage"] >= 0.9,
        ),
        Target("smart cover held-out duplicates", "0 %", pct(held["dup_rate"], 0), held["dup_rate"] == 0),
        Target(
            "smart cover held-out better than every baseline",
            "top-1, junk, coverage, dup",
            ", ".join(
                f"{key} {'yes' if ok else 'no'}"
                for key, ok in (
                    ("top-1", better("top1_good", True) or held["top1_good"] >= 1.0),
                    ("junk", better("junk_rate", False) or held["junk_rate"] == 0),
                    ("coverage", better("scene_coverage", True)),
                    ("dup", better("dup_rate", False) or held["dup_rate"] == 0),
                )
            ),
            None,
        ),
        Target("smart cover speed on short clips", ">= 100x realtime", times(short, 1), short >= 100),
        Target(
            "smart cover short clips vs keyframe heuristic",
            ">= 3x",
            times(vs_heuristic) if vs_heuristic is not None else "not measured",
            vs_heuristic is not None and vs_heuristic >= 3,
        ),
        Target("smart cover speed on 4K", ">= 20x realtime", times(uhd, 1), uhd >= 20),
    ]
    comparison = found[4]
    met = "no" not in comparison.measured
    found[4] = Target(comparison.name, comparison.goal, comparison.measured, met)
    return found


# The functions with an API event (tests/test_cold_start_imports.py finds them in the template).
API_FUNCTIONS = ("videos_api", "covers_api", "alibaba_api")


def cold_targets(results: dict[str, Any]) -> list[Target]:
    cold = results.get("cold_import_ms") or {}
    found = []
    for name in API_FUNCTIONS:
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
