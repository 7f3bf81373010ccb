"""Smart-cover quality and speed on the labelled corpus: vodcover against the usual selectors.

Methods, all asked for K candidates per video, in the same run:

- ``vodcover``: :func:`vodcover.media.smart.select_candidates` (keyframes, scenes, scoring,
  full-quality extraction of the chosen frames);
- ``even``: K evenly spaced frames, the middle one first (what the reference service does), each
  extracted by input seeking;
- ``thumbnail``: ffmpeg's ``thumbnail`` filter over K equal batches of frames; its top-1 is
  ``thumbnail`` over the whole video (one batch), as a single-cover user would run it;
- ``scenedetect``: PySceneDetect's ContentDetector, the midpoints of the K longest scenes, longest
  first (skipped, and said so, when scenedetect is not installed).

Metrics: top-1 good (the first candidate lies in a labelled good scene), junk rate (share of
candidates inside junk ranges), scene coverage (distinct good scenes among the candidates over
min(K, scenes), averaged over videos), duplicate rate (share of candidates from a scene already
proposed for that video), x realtime (video seconds per wall-clock second) and peak memory (max
RSS of the method's process and its ffmpeg children). Each method runs in its own process.
The 1080p speed clip (5 minutes) is timed for vodcover; the full-decode baselines are timed on
its first 60 s (their cost is proportional to duration).

Usage: ``.venv/bin/python bench/smart_quality.py [--count 5] [--json out.json] [--quick]``.
Not a test: it prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import smart_corpus
import smart_corpus_fresh
import smart_corpus_hard
import smart_keyframe_baseline
from timing import json_from_worker

from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.probe import probe, source_input_args

METHODS = ("vodcover", "keyframes", "scenedetect", "even", "thumbnail")
DEFAULT_METHODS = ("vodcover", "keyframes", "scenedetect", "even")  # thumbnail: a second full decode
FULL_DECODE = ("thumbnail", "scenedetect")
SPLITS = ("easy", "tune", "held-out", "fresh")  # fresh: bench/smart_corpus_fresh.py, never tuned on
CUT_MARGIN = 0.3  # s: a frame this close to a cut, a flash or a fade is caught mid-change
SHORT_CLIP_SECONDS = 5.0
BASELINE_SPEED_SECONDS = 60.0
SPEED_REPEATS = 3  # median of three: the machine is shared and noisy
TOLERANCE = 0.02  # s: a frame time on a range boundary belongs to the range that starts there
Picker = Callable[[str, int, float | None], list[float]]


# --- the methods (each returns candidate times, best first) -----------------------------------
def pick_vodcover(path: str, count: int, limit: float | None) -> list[float]:
    from vodcover.media.smart import select_candidates

    return [c.time for c in select_candidates(path, count=count, timeout=600).candidates]


def pick_even(path: str, count: int, limit: float | None) -> list[float]:
    duration = limit or probe(path, timeout=30).duration
    times = [(i + 0.5) * duration / count for i in range(count)]
    times.sort(key=lambda t: abs(t - duration / 2))
    for t in times:  # pay for the extraction, as a real user of the method would
        run_ffmpeg(
            ["-ss", f"{t:.3f}", *source_input_args(path), "-frames:v", "1", "-f", "null", "-"], timeout=120
        )
    return times


_SHOWINFO = re.compile(
    r"\[(?P<name>showinfo@\w+)[^\]]*\] n:\s*\d+\s+pts:\s*-?\d+\s+pts_time:(?P<t>-?[0-9.]+)"
)


def pick_thumbnail(path: str, count: int, limit: float | None) -> list[float]:
    media = probe(path, timeout=30)
    duration = limit or media.duration
    frames = max(1, round(duration * (media.fps or 25)))
    batch = max(1, math.ceil(frames / count))
    graph = (
        "scale=320:-2,split[a][b];"
        f"[a]thumbnail={batch},showinfo@batches[x];[b]thumbnail={frames},showinfo@whole[y]"
    )
    limit_args = ["-t", f"{limit:.3f}"] if limit else []
    result = run_ffmpeg(
        [*limit_args, *source_input_args(path), "-filter_complex", "[0:v:0]" + graph,
         "-map", "[x]", "-fps_mode", "passthrough", "-f", "null", "-",
         "-map", "[y]", "-fps_mode", "passthrough", "-f", "null", "-"],
        timeout=1800,
    )  # fmt: skip
    batches = [
        float(m.group("t"))
        for m in _SHOWINFO.finditer(result.stderr)
        if m.group("name") == "showinfo@batches"
    ]
    whole = [
        float(m.group("t")) for m in _SHOWINFO.finditer(result.stderr) if m.group("name") == "showinfo@whole"
    ]
    top = whole[:1]
    return top + [t for t in batches if not top or abs(t - top[0]) > 1e-3][: count - len(top)]


def pick_scenedetect(path: str, count: int, limit: float | None) -> list[float]:
    from scenedetect import ContentDetector, FrameTimecode, open_video  # bench extra only
    from scenedetect.scene_manager import SceneManager

    video = open_video(path)
    manager = SceneManager()
    manager.add_detector(ContentDetector())
    end = FrameTimecode(limit, video.frame_rate) if limit else None
    manager.detect_scenes(video, end_time=end)
    scenes = manager.get_scene_list()
    if not scenes:
        duration = limit or video.duration.get_seconds()
        return [duration / 2]
    spans = [(s.get_seconds(), e.get_seconds()) for s, e in scenes]
    spans.sort(key=lambda span: span[1] - span[0], reverse=True)
    return [(s + e) / 2 for s, e in spans[:count]]


PICKERS: dict[str, Picker] = {
    "vodcover": pick_vodcover,
    "keyframes": smart_keyframe_baseline.pick,
    "even": pick_even,
    "thumbnail": pick_thumbnail,
    "scenedetect": pick_scenedetect,
}


# --- scoring against the labels ---------------------------------------------------------------
def classify(time_s: float, label: dict) -> str:
    """``junk``, ``near-cut``, a good scene id, or ``other`` (between labelled ranges).

    ``near-cut``: inside a good scene but within ``CUT_MARGIN`` of where it starts or ends (a
    cut, a flash, a fade; not the start or end of the video), where a person sees the change.
    """
    for start, end, _kind in label["junk"]:
        if start - TOLERANCE <= time_s < end - TOLERANCE:
            return "junk"
    for scene_id, ranges in label["scenes"].items():
        for start, end in ranges:
            if start - TOLERANCE <= time_s < end - TOLERANCE:
                near_start = start > TOLERANCE and time_s < start + CUT_MARGIN
                near_end = end < label["duration"] - TOLERANCE and time_s > end - CUT_MARGIN
                return "near-cut" if near_start or near_end else scene_id
    return "other"


NOT_GOOD = ("junk", "near-cut", "other")


def junk_kind(time_s: float, label: dict) -> str:
    """What the labelled junk stretch at ``time_s`` is (``blur``, ``flash``, ...): says what a miss was."""
    for start, end, kind in label["junk"]:
        if start - TOLERANCE <= time_s < end - TOLERANCE:
            return kind
    return "junk"


def misses(videos: dict[str, dict], split: str) -> list[str]:
    """One line per ``split`` video that fell short, from this run's picks: what the report explains."""
    lines = []
    for name, v in sorted(videos.items()):
        if v["split"] != split:
            continue
        wrong = []
        if not v["top1_good"]:
            wrong.append(f"first pick {v['classes'][0] if v['classes'] else 'missing'}")
        if v["junk_kinds"]:
            wrong.append(f"junk picked ({', '.join(v['junk_kinds'])})")
        if v["near_cut"]:
            wrong.append(f"{v['near_cut']} pick(s) within {CUT_MARGIN} s of a cut")
        if v["coverage"] < 1:
            wrong.append(f"scene coverage {v['coverage']:.2f}")
        if v["duplicates"]:
            wrong.append(f"{v['duplicates']} duplicate scene(s)")
        if wrong:
            lines.append(f"{name}: {'; '.join(wrong)}")
    return lines


def score_video(times: list[float], label: dict, count: int) -> dict:
    classes = [classify(t, label) for t in times]
    good = [c for c in classes if c not in NOT_GOOD]
    seen: set[str] = set()
    duplicates = 0
    for c in good:
        duplicates += c in seen
        seen.add(c)
    return {
        "times": [round(t, 3) for t in times],
        "classes": classes,
        "junk_kinds": [junk_kind(t, label) for t, c in zip(times, classes, strict=True) if c == "junk"],
        "top1_good": bool(classes) and classes[0] not in NOT_GOOD,
        "junk": sum(c == "junk" for c in classes),
        "near_cut": sum(c == "near-cut" for c in classes),
        "candidates": len(classes),
        "duplicates": duplicates,
        "coverage": len(seen) / min(count, len(label["scenes"])),
    }


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg): immune to a busy machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def summarise(videos: dict[str, dict], seconds: float, duration: float) -> dict:
    """Quality over ``videos``; ``junk_rate`` counts near-cut picks too (a person sees the change)."""
    candidates = sum(v["candidates"] for v in videos.values()) or 1
    count = len(videos) or 1
    return {
        "videos": len(videos),
        "top1_good": round(sum(v["top1_good"] for v in videos.values()) / count, 3),
        "junk_rate": round(sum(v["junk"] + v["near_cut"] for v in videos.values()) / candidates, 3),
        "near_cut_rate": round(sum(v["near_cut"] for v in videos.values()) / candidates, 3),
        "scene_coverage": round(sum(v["coverage"] for v in videos.values()) / count, 3),
        "dup_rate": round(sum(v["duplicates"] for v in videos.values()) / candidates, 3),
        "x_realtime": round(duration / seconds, 1) if seconds else None,
        "seconds": round(seconds, 2),
    }


def speed_of(videos: dict[str, dict]) -> dict:
    """Wall and CPU speed over a group of videos (video seconds per second)."""
    duration = sum(v["duration"] for v in videos.values())
    wall = sum(v["seconds"] for v in videos.values())
    cpu = sum(v["cpu_seconds"] for v in videos.values())
    return {
        "videos": len(videos),
        "video_seconds": round(duration, 1),
        "seconds": round(wall, 2),
        "x_realtime": round(duration / wall, 1) if wall else None,
        "x_realtime_per_cpu": round(duration / cpu, 1) if cpu else None,
    }


def corpus_labels(corpus_dirs: list[Path]) -> dict[str, dict]:
    labels: dict[str, dict] = {}
    for directory in corpus_dirs:
        for name, label in json.loads((directory / "labels.json").read_text()).items():
            labels[name] = label | {"path": str(directory / label["file"])}
    return labels


# --- one method in its own process -------------------------------------------------------------
def run_worker(method: str, count: int, corpus_dirs: list[Path], speed_clip: Path | None) -> dict:
    """Run ``method`` over the corpora (and the speed clip) in this process; return raw results."""
    labels = corpus_labels(corpus_dirs)
    picker = PICKERS[method]
    videos: dict[str, dict] = {}
    for name, label in labels.items():
        cpu_before, started = cpu_seconds(), time.perf_counter()
        times = picker(label["path"], count, None)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
        videos[name] = score_video(times, label, count) | {
            "seconds": round(elapsed, 3),
            "cpu_seconds": round(cpu, 3),
            "duration": label["duration"],
            "split": label.get("split", "easy"),
            "uhd": max(label["size"]) >= 3840,
        }
    by_split = {split: {n: v for n, v in videos.items() if v["split"] == split} for split in SPLITS}
    result: dict = {
        "videos": videos,
        "splits": {
            split: summarise(
                group, sum(v["seconds"] for v in group.values()), sum(v["duration"] for v in group.values())
            )
            | {"x_realtime_per_cpu": speed_of(group)["x_realtime_per_cpu"]}
            for split, group in by_split.items()
            if group
        },
        "speed": {
            "short_clips": speed_of({n: v for n, v in videos.items() if v["duration"] <= SHORT_CLIP_SECONDS}),
            "uhd": speed_of({n: v for n, v in videos.items() if v["uhd"]}),
            "all": speed_of(videos),
        },
    }
    splits = result["splits"]
    result["summary"] = splits.get("held-out") or next(iter(splits.values()), {})  # --dir: any one
    if speed_clip is not None:
        limit = BASELINE_SPEED_SECONDS if method in FULL_DECODE else None
        clip_duration = limit or probe(str(speed_clip), timeout=30).duration
        timings = []
        for _ in range(1 if limit else SPEED_REPEATS):
            cpu_before, started = cpu_seconds(), time.perf_counter()
            picker(str(speed_clip), count, limit)
            timings.append((time.perf_counter() - started, cpu_seconds() - cpu_before))
        elapsed = statistics.median(t for t, _ in timings)
        cpu = statistics.median(c for _, c in timings)
        result["speed_1080p"] = {
            "seconds": round(elapsed, 2),
            "seconds_all": [round(t, 2) for t, _ in timings],
            "cpu_seconds": round(cpu, 2),
            "video_seconds": clip_duration,
            "x_realtime": round(clip_duration / elapsed, 1),
            "x_realtime_per_cpu": round(clip_duration / cpu, 1),
        }
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_rss_mb"] = {"python": round(own / 1024, 1), "ffmpeg": round(children / 1024, 1)}
    return result


def run_in_subprocess(
    method: str, count: int, corpus_dirs: list[Path], speed_clip: Path | None
) -> dict | None:
    argv = [sys.executable, __file__, "--worker", method, "--count", str(count)]
    argv += [part for directory in corpus_dirs for part in ("--dir", str(directory))]
    if speed_clip is not None:
        argv += ["--speed-clip-path", str(speed_clip)]
    result, last_line = json_from_worker(argv)
    if result is None:
        print(f"  {method} failed: {last_line}", file=sys.stderr)
    return result


def scenedetect_available() -> bool:
    try:
        import scenedetect  # noqa: F401
    except ImportError:
        return False
    return True


# --- report -------------------------------------------------------------------------------------
def print_table(results: dict[str, dict]) -> None:
    header = (
        f"{'method':12s} {'split':9s} {'top-1 good':>10s} {'junk':>6s} {'near-cut':>8s} {'coverage':>9s} "
        f"{'dup':>5s} {'x rt':>7s} {'x/CPU':>7s}"
    )
    print(header)
    print("-" * len(header))
    for method, result in results.items():
        for split, s in result["splits"].items():
            print(
                f"{method:12s} {split:9s} {s['top1_good']:>10.0%} {s['junk_rate']:>6.0%} "
                f"{s['near_cut_rate']:>8.0%} {s['scene_coverage']:>9.2f} {s['dup_rate']:>5.0%} "
                f"{s['x_realtime']!s:>7} {s['x_realtime_per_cpu']!s:>7}"
            )
    print()
    print(
        f"{'method':12s} {'short x rt':>10s} {'x/CPU':>7s} {'4K x rt':>8s} {'x/CPU':>7s} "
        f"{'1080p x rt':>10s} {'x/CPU':>7s}"
    )
    for method, result in results.items():
        short, uhd = result["speed"]["short_clips"], result["speed"]["uhd"]
        hd = result.get("speed_1080p", {})
        print(
            f"{method:12s} {short['x_realtime']!s:>10} {short['x_realtime_per_cpu']!s:>7} "
            f"{uhd['x_realtime']!s:>8} {uhd['x_realtime_per_cpu']!s:>7} "
            f"{hd.get('x_realtime', '-')!s:>10} {hd.get('x_realtime_per_cpu', '-')!s:>7}"
        )


def headline(results: dict[str, dict]) -> dict:
    """The ``smart`` document: vodcover's held-out metrics, every split, speeds, ``baselines``."""
    ours = results["vodcover"]
    entry = _metrics(ours)
    entry["baselines"] = {m: _metrics(r) for m, r in results.items() if m != "vodcover"}
    entry["held_out_misses"] = misses(ours["videos"], "held-out")
    full = [
        r["speed_1080p"]["x_realtime"] for m, r in results.items() if m in FULL_DECODE and "speed_1080p" in r
    ]
    if full and "speed_1080p" in ours:
        entry["speedup_vs_fastest_full_decode"] = round(ours["speed_1080p"]["x_realtime"] / max(full), 1)
        full_cpu = [
            r["speed_1080p"]["x_realtime_per_cpu"]
            for m, r in results.items()
            if m in FULL_DECODE and "speed_1080p" in r
        ]
        entry["speedup_vs_fastest_full_decode_per_cpu"] = round(
            ours["speed_1080p"]["x_realtime_per_cpu"] / max(full_cpu), 1
        )
    heuristic = results.get("keyframes")
    if heuristic:
        ours_short = ours["speed"]["short_clips"]["x_realtime"] or 0.0
        theirs_short = heuristic["speed"]["short_clips"]["x_realtime"] or 0.0
        entry["short_clips_vs_keyframe_heuristic"] = (
            round(ours_short / theirs_short, 2) if theirs_short else None
        )
    return entry


def _metrics(result: dict) -> dict:
    s = result["summary"]
    out = {
        k: s[k]
        for k in ("top1_good", "junk_rate", "scene_coverage", "dup_rate", "x_realtime", "x_realtime_per_cpu")
    }
    out["splits"] = result["splits"]
    out["speed"] = result["speed"]
    if "speed_1080p" in result:
        out["x_realtime_1080p"] = result["speed_1080p"]["x_realtime"]
        out["x_realtime_1080p_per_cpu"] = result["speed_1080p"]["x_realtime_per_cpu"]
    out["peak_rss_mb"] = result["peak_rss_mb"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--dir", type=Path, action="append", help="corpus folders (default: both corpora)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--quick", action="store_true", help="skip the 1080p speed clip")
    parser.add_argument("--methods", default=",".join(DEFAULT_METHODS))
    parser.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--speed-clip-path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        result = run_worker(args.worker, args.count, args.dir, args.speed_clip_path)
        args.worker_out.write_text(json.dumps(result))
        return 0
    corpus_dirs = args.dir or [smart_corpus.CORPUS_DIR, smart_corpus_hard.CORPUS_DIR]
    if not args.dir:
        smart_corpus.build_corpus(smart_corpus.CORPUS_DIR)
        smart_corpus_hard.build_hard_corpus(smart_corpus_hard.CORPUS_DIR)
        if smart_corpus_fresh.build_fresh_corpus(smart_corpus_fresh.CORPUS_DIR) is None:
            print("fresh corpus skipped: apt-get install ukui-wallpapers lomiri-wallpapers", file=sys.stderr)
        else:
            corpus_dirs.append(smart_corpus_fresh.CORPUS_DIR)
    speed_clip = None if args.quick else smart_corpus.build_speed_clip(smart_corpus.CORPUS_DIR)
    results: dict[str, dict] = {}
    for method in args.methods.split(","):
        if method == "scenedetect" and not scenedetect_available():
            print(
                "scenedetect is not installed (pip install -e '.[bench]'): baseline skipped", file=sys.stderr
            )
            continue
        print(f"running {method} ...", file=sys.stderr, flush=True)
        result = run_in_subprocess(method, args.count, corpus_dirs, speed_clip)
        if result is not None:
            results[method] = result
    print_table(results)
    if "vodcover" in results:
        document = {"smart": headline(results), "details": results}
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(document, indent=2))
            print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
