"""A simple keyframe heuristic for smart cover, as a baseline: what a hundred lines get you.

Decode the keyframes only (``-skip_frame nokey``) at 320 px in one ffmpeg pass; drop frames that
are too dark, too bright or too flat by fixed thresholds; split the rest into groups where
consecutive keyframes change colour a lot; offer each group's sharpest frame, best first; then
extract each chosen frame at full size by input seeking, as a real user of the method would.
No neighbours, no relative judgement, no shots between keyframes.
"""

from __future__ import annotations

import re

from PIL import Image, ImageFilter, ImageStat

from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.probe import probe, source_input_args

WIDTH = 320
DARK, BRIGHT, FLAT = 40.0, 215.0, 20.0
CUT = 0.35  # histogram distance between consecutive keyframes that starts a new group
_PTS = re.compile(r"\] n:\s*\d+\s+pts:\s*-?\d+\s+pts_time:(-?[0-9.]+)")


def keyframes(path: str, limit: float | None) -> list[tuple[float, Image.Image]]:
    media = probe(path, timeout=30)
    height = max(2, round(WIDTH * media.height / media.width / 2) * 2)
    limit_args = ["-t", f"{limit:.3f}"] if limit else []
    result = run_ffmpeg(
        ["-skip_frame", "nokey", *limit_args, *source_input_args(path), "-map", "0:v:0",
         "-vf", f"scale={WIDTH}:{height},showinfo", "-fps_mode", "passthrough",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
        timeout=1800,
    )  # fmt: skip
    times = [float(t) for t in _PTS.findall(result.stderr)]
    size = WIDTH * height * 3
    frames = [
        Image.frombytes("RGB", (WIDTH, height), result.stdout[i * size : (i + 1) * size])
        for i in range(len(result.stdout) // size)
    ]
    return list(zip(times, frames, strict=False))


def histogram(image: Image.Image) -> list[float]:
    counts = image.convert("RGB").resize((64, 36)).quantize(colors=32, method=Image.Quantize.FASTOCTREE)
    values = counts.convert("L").histogram()
    total = float(sum(values)) or 1.0
    return [v / total for v in values]


def distance(a: list[float], b: list[float]) -> float:
    return 0.5 * sum(abs(x - y) for x, y in zip(a, b, strict=True))


def sharpness(image: Image.Image) -> float:
    return float(ImageStat.Stat(image.convert("L").filter(ImageFilter.FIND_EDGES)).stddev[0])


def pick(path: str, count: int, limit: float | None) -> list[float]:
    """Times of up to ``count`` frames, best first."""
    frames = keyframes(path, limit)
    good = []
    for at, image in frames:
        stat = ImageStat.Stat(image.convert("L"))
        mean, std = stat.mean[0], stat.stddev[0]
        if DARK <= mean <= BRIGHT and std >= FLAT:
            good.append((at, image, std * sharpness(image)))
    if not good:
        return [frames[len(frames) // 2][0]] if frames else []
    groups: list[list[tuple[float, Image.Image, float]]] = [[good[0]]]
    previous = histogram(good[0][1])
    for entry in good[1:]:
        current = histogram(entry[1])
        if distance(previous, current) > CUT:
            groups.append([])
        groups[-1].append(entry)
        previous = current
    best = sorted((max(group, key=lambda e: e[2]) for group in groups), key=lambda e: e[2], reverse=True)
    times = [at for at, _, _ in best[:count]]
    for at in times:
        run_ffmpeg(
            ["-ss", f"{at + 0.005:.3f}", *source_input_args(path), "-frames:v", "1", "-f", "null", "-"],
            timeout=120,
        )
    return times
