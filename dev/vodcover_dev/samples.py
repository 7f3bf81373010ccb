"""Real encoded sample videos made with the bundled ffmpeg, for tests, the demo and benchmarks.

Nothing is committed: every clip is generated from ffmpeg's lavfi sources (test patterns,
fractals, cellular automata, gradients) so tests exercise the same decoder paths as uploads.
Clips for tests encode in about a second (``ultrafast``, small sizes); costly sources are drawn
at a small size and scaled up.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Sequence
from pathlib import Path

from vodcover.media.ffmpeg import run_ffmpeg

GENERATE_TIMEOUT_SECONDS = 300.0
PNG_OUT = ["-c:v", "png", "-f", "image2", "-update", "1"]

# Each scene is a lavfi source drawn at a size that renders fast, then scaled to the clip size.
# ``{w}x{h}`` is the drawing size, ``{fps}`` the frame rate.
SCENE_SOURCES: dict[str, str] = {
    "testsrc2": "testsrc2=s={w}x{h}:r={fps}",
    "smptebars": "smptebars=s={w}x{h}:r={fps}",
    "mandelbrot": "mandelbrot=s={sw}x{sh}:r={fps}:start_scale=2:end_scale=0.1",
    "life": "life=s={sw}x{sh}:r={fps}:mold=10:ratio=0.1:life_color=#ffcc00:death_color=#3050c0",
    "gradients": "gradients=s={sw}x{sh}:r={fps}:speed=0.05:n=5",
    "zoneplate": "zoneplate=s={sw}x{sh}:r={fps}:kx2=200:ky2=200:kt2=2:kt=3",
    "cellauto": "cellauto=s={sw}x{sh}:r={fps}:rule=110:random_fill_ratio=0.5",
    "rgbtestsrc": "rgbtestsrc=s={w}x{h}:r={fps}",
    "colorspectrum": "colorspectrum=s={w}x{h}:r={fps}:type=all",
}
DEFAULT_SCENE_ORDER = (
    "testsrc2",
    "mandelbrot",
    "smptebars",
    "zoneplate",
    "cellauto",
    "gradients",
    "colorspectrum",
)
SLOW_SOURCE_MAX_WIDTH = 480

CONTAINER_FLAGS: dict[str, list[str]] = {".mp4": ["-f", "mp4"], ".mov": ["-f", "mov"]}

CODEC_FLAGS: dict[str, list[str]] = {
    "libx264": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    "libx265": ["-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-tag:v", "hvc1"],
    "libvpx-vp9": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-pix_fmt", "yuv420p"],
    "mpeg4": ["-c:v", "mpeg4", "-q:v", "4", "-pix_fmt", "yuv420p"],
    "libaom-av1": ["-c:v", "libaom-av1", "-cpu-used", "8", "-usage", "realtime", "-pix_fmt", "yuv420p"],
}


def make_sample_video(
    path: str | os.PathLike[str],
    *,
    duration: float,
    width: int,
    height: int,
    fps: int = 25,
    black_intro: float = 0.0,
    black_outro: float = 0.0,
    rotation: int = 0,
    audio: bool = False,
    codec: str = "libx264",
    gop: int | None = None,
    faststart: bool = True,
    scenes: int | Sequence[str] | None = None,
    crf: int | None = None,
    preset: str = "ultrafast",
) -> Path:
    """Encode a clip of ``duration`` seconds (black intro and outro included) at ``path``.

    ``width`` x ``height`` is the stored (coded) size. ``rotation`` (0/90/180/270, clockwise,
    as a phone records it) is written as a display matrix, so players show a 90/270 clip as
    ``height`` x ``width``. ``scenes`` makes the middle part a sequence of visually distinct
    scenes (a count, or names from :data:`SCENE_SOURCES`); by default it is one testsrc2 scene.
    ``preset`` and ``crf`` tune x264/x265 (benchmarks want B-frames and a realistic bitrate).
    """
    target = Path(path)
    content = duration - black_intro - black_outro
    if content <= 0:
        raise ValueError("duration must exceed black_intro + black_outro")
    if rotation % 90 or rotation % 360 != rotation:
        raise ValueError("rotation must be 0, 90, 180 or 270")
    filter_graph = _video_filter_graph(
        _scene_names(scenes), content, width, height, fps, black_intro, black_outro
    )
    args = ["-y"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={duration}"]
    args += ["-filter_complex", filter_graph, "-map", "[v]"]
    if audio:
        args += ["-map", "0:a", "-c:a", "aac", "-b:a", "64k"]
    args += CODEC_FLAGS[codec]
    if codec in ("libx264", "libx265"):
        args[args.index("-preset") + 1] = preset
    if gop is not None:
        args += ["-g", str(gop), "-keyint_min", str(gop)] if codec == "libx264" else ["-g", str(gop)]
    if crf is not None:
        args += ["-crf", str(crf)]
    args += ["-r", str(fps), "-t", f"{duration:.3f}"]
    suffix = target.suffix.lower()
    if faststart and suffix in CONTAINER_FLAGS:
        args += ["-movflags", "+faststart"]
    target.parent.mkdir(parents=True, exist_ok=True)
    if rotation:
        encode_then_rotate(args, target, rotation)
    else:
        run_ffmpeg([*args, str(target)], timeout=GENERATE_TIMEOUT_SECONDS, message="Encoding failed.")
    return target


def make_audio_only(path: str | os.PathLike[str], *, duration: float = 2.0) -> Path:
    """An AAC file with no video stream (what a voice memo upload looks like)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        ["-y", "-f", "lavfi", "-i", f"sine=frequency=330:duration={duration}", "-c:a", "aac", str(target)],
        timeout=GENERATE_TIMEOUT_SECONDS,
        message="Encoding failed.",
    )
    return target


def make_still_image(path: str | os.PathLike[str], *, width: int = 320, height: int = 240) -> Path:
    """A single PNG frame, whatever the file name says (an image uploaded as a video)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    pattern = ["-y", "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}", "-frames:v", "1"]
    run_ffmpeg(
        [*pattern, *PNG_OUT, str(target)],
        timeout=GENERATE_TIMEOUT_SECONDS,
        message="Encoding failed.",
    )
    return target


def make_corrupt(path: str | os.PathLike[str], *, size: int = 64 * 1024, seed: int = 7) -> Path:
    """Random bytes behind an mp4 ``ftyp`` box: looks like an mp4 to a sniffer, decodes to nothing."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    header = (24).to_bytes(4, "big") + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2"
    noise = random.Random(seed).randbytes(max(0, size - len(header)))  # noqa: S311 - not crypto
    target.write_bytes(header + noise)
    return target


def make_truncated(source: str | os.PathLike[str], path: str | os.PathLike[str], *, keep: float) -> Path:
    """The first ``keep`` fraction of ``source``: an upload cut short."""
    data = Path(source).read_bytes()
    target = Path(path)
    target.write_bytes(data[: int(len(data) * keep)])
    return target


def _scene_names(scenes: int | Sequence[str] | None) -> list[str]:
    if scenes is None:
        return ["testsrc2"]
    if isinstance(scenes, int):
        if scenes < 1:
            raise ValueError("scenes must be at least 1")
        return [DEFAULT_SCENE_ORDER[i % len(DEFAULT_SCENE_ORDER)] for i in range(scenes)]
    unknown = [name for name in scenes if name not in SCENE_SOURCES]
    if unknown or not scenes:
        raise ValueError(f"unknown scenes {unknown}; choose from {sorted(SCENE_SOURCES)}")
    return list(scenes)


def _video_filter_graph(
    scene_names: list[str],
    content: float,
    width: int,
    height: int,
    fps: int,
    black_intro: float,
    black_outro: float,
) -> str:
    """One lavfi graph: black intro, the scenes, black outro, concatenated into ``[v]``."""
    scene_length = content / len(scene_names)
    parts: list[tuple[str, float]] = []
    if black_intro > 0:
        parts.append((f"color=c=black:s={width}x{height}:r={fps}", black_intro))
    parts += [(_scene_source(name, width, height, fps), scene_length) for name in scene_names]
    if black_outro > 0:
        parts.append((f"color=c=black:s={width}x{height}:r={fps}", black_outro))
    chains = [
        f"{source},trim=duration={length:.3f},setpts=PTS-STARTPTS,"
        f"scale={width}:{height},setsar=1,format=yuv420p[p{i}]"
        for i, (source, length) in enumerate(parts)
    ]
    inputs = "".join(f"[p{i}]" for i in range(len(parts)))
    return ";".join([*chains, f"{inputs}concat=n={len(parts)}:v=1:a=0[v]"])


def _scene_source(name: str, width: int, height: int, fps: int) -> str:
    small_width = min(width, SLOW_SOURCE_MAX_WIDTH)
    small_height = max(2, round(height * small_width / width / 2) * 2)
    return SCENE_SOURCES[name].format(w=width, h=height, sw=small_width, sh=small_height, fps=fps)


def encode_then_rotate(args: list[str], target: Path, rotation: int) -> None:
    """Encode, then remux with a display matrix (ffmpeg would rotate pixels if set at encoding).

    ffmpeg's ``-display_rotation`` takes the counter-clockwise angle; ``rotation`` is clockwise.
    """
    with tempfile.TemporaryDirectory(prefix="vodcover-sample-") as tmp:
        plain = Path(tmp) / f"plain{target.suffix}"
        run_ffmpeg([*args, str(plain)], timeout=GENERATE_TIMEOUT_SECONDS, message="Encoding failed.")
        remux = ["-y", "-display_rotation", str(-rotation), "-i", str(plain), "-map", "0", "-c", "copy"]
        if target.suffix.lower() in CONTAINER_FLAGS:
            remux += ["-movflags", "+faststart"]
        run_ffmpeg([*remux, str(target)], timeout=GENERATE_TIMEOUT_SECONDS, message="Remuxing failed.")
