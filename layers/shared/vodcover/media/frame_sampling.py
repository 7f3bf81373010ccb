"""Small analysis frames out of ffmpeg: the keyframe pass, one decoding pass, or seeking.

Every path gives raw 8-bit RGB at the analysis size with the same decoder options and filters
(no deblocking, area scaling, bars cut and HDR tone-mapped by :mod:`vodcover.media.picture`),
measured once on arrival (:func:`vodcover.media.frame_features.measure`), so whichever path
the analysis takes (:mod:`vodcover.media.smart_analysis`) the selector sees the same features.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image

from vodcover.deadline import time_left
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.frame_features import measure
from vodcover.media.keyframe_choice import THINNING_TOLERANCE
from vodcover.media.mp4samples import Keyframe
from vodcover.media.picture import rgb_output_args
from vodcover.media.probe import MediaProbe, source_input_args
from vodcover.media.scene_selection import AnalysedFrame

PARALLEL_MIN_DURATION = 90.0  # s: below this, a second process costs more than it saves
FALLBACK_WORKERS = 2
KEYFRAME_SEEK_EPSILON = 0.005  # s: aim just past a keyframe so rounding never lands on the GOP before

_SHOWINFO_RE = re.compile(r"\] n:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:(-?[0-9.]+(?:e-?\d+)?)")


@dataclass(frozen=True)
class Sampled:
    """An analysis frame and whether it is a keyframe (cheap to seek to exactly)."""

    frame: AnalysedFrame
    keyframe: bool
    source: Keyframe | None = None  # where the index says it lies: extract it from there too
    # The analysis picture itself, kept where the index path decoded it (the black-bars look)
    picture: Image.Image | None = field(default=None, repr=False, compare=False)


def keyframe_pass_args(
    source: str,
    *,
    size: tuple[int, int],
    step: float,
    start: float | None = None,
    length: float | None = None,
    media: MediaProbe | None = None,
) -> list[str]:
    """ffmpeg argv decoding only keyframes ``step`` apart, scaled, as raw RGB with timestamps."""
    args: list[str] = []
    if step > 0:
        # Input bitstream filter: drop every packet that is not a keyframe at least `step` after
        # the last kept one (register 0 holds its time, register 1 says one was kept).
        keep = f"key*(gte(pts*tb-ld(0),{step - THINNING_TOLERANCE:.3f})+not(ld(1)))"
        drop = f"if({keep},0*st(0,pts*tb)+0*st(1,1),1)".replace(",", r"\,")  # bsf-list escaping
        args += ["-bsf:v", f"noise=drop={drop}"]
    args += ["-skip_frame", "nokey", "-skip_loop_filter", "all", "-threads", "1"]
    if start is not None:
        args += ["-ss", f"{start:.3f}", "-noaccurate_seek"]
    if length is not None:
        args += ["-t", f"{length:.3f}"]
    args += source_input_args(source)
    width, height = size
    args += [
        "-map", "0:v:0", "-an", "-sn", "-dn", "-fps_mode", "passthrough",
        *rgb_frames(f"scale={width}:{height}:flags=area,setsar=1", media, after=["showinfo"]),
    ]  # fmt: skip
    return args


def rgb_frames(
    scale: str, media: MediaProbe | None, *, before: Sequence[str] = (), after: Sequence[str] = ()
) -> list[str]:
    """8-bit RGB frames on stdout, bars cut and HDR tone-mapped (:mod:`vodcover.media.picture`)."""
    colour, crop = (media.colour, media.crop) if media else (None, None)
    return rgb_output_args(scale, colour=colour, crop=crop, before=before, after=after)


def decode_keyframe_pass(
    source: str, media: MediaProbe, *, size: tuple[int, int], step: float, deadline: float
) -> list[Sampled]:
    """The analysis pass; long videos in two halves on two cores (each half its own process)."""
    if media.duration < PARALLEL_MIN_DURATION:
        return _decode_part(
            source, size=size, step=step, start=None, length=None, deadline=deadline, media=media
        )
    middle = media.duration / 2.0
    parts = [(None, middle), (middle, None)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(
                _decode_part, source, size=size, step=step, start=s, length=n, deadline=deadline, media=media
            )
            for s, n in parts
        ]
        first, second = (future.result() for future in futures)
    # The second half starts at the keyframe before the middle, which the first may also hold.
    last = first[-1].frame.time if first else -math.inf
    return first + [s for s in second if s.frame.time > last + 0.01]


def _decode_part(
    source: str,
    *,
    size: tuple[int, int],
    step: float,
    start: float | None,
    length: float | None,
    deadline: float,
    media: MediaProbe | None = None,
) -> list[Sampled]:
    args = keyframe_pass_args(source, size=size, step=step, start=start, length=length, media=media)
    result = run_ffmpeg(args, timeout=time_left(deadline))
    times = parse_showinfo_times(result.stderr)
    images = split_raw_frames(result.stdout, size)
    offset = start or 0.0
    return [
        Sampled(AnalysedFrame(round(offset + t, 3), measure(image)), keyframe=True)
        for t, image in zip(times, images, strict=False)
    ]


def parse_showinfo_times(stderr: str) -> list[float]:
    """Each output frame's ``pts_time`` from showinfo's log lines, in output order."""
    return [float(match.group(3)) for match in _SHOWINFO_RE.finditer(stderr)]


def split_raw_frames(stream: bytes, size: tuple[int, int]) -> list[Image.Image]:
    width, height = size
    frame_bytes = width * height * 3
    return [
        Image.frombuffer("RGB", size, stream[offset : offset + frame_bytes], "raw", "RGB", 0, 1)
        for offset in range(0, len(stream) - frame_bytes + 1, frame_bytes)
    ]


def sample_by_decoding(
    source: str, *, size: tuple[int, int], spacing: float, deadline: float, media: MediaProbe | None = None
) -> list[Sampled]:
    """Decode everything once, keep a small frame every ``spacing`` seconds.

    Cheaper than seeking when keyframes are so sparse that each seek would decode most of a
    long GOP anyway (the cost is then one decode of the video at its own resolution), and the
    whole analysis of a cheap video (a few seconds).
    """
    width, height = size
    select = f"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{spacing:.3f})'".replace(",", r"\,")
    args = [
        "-skip_loop_filter", "all",  # as the keyframe pass: analysis frames need no deblocking
        *source_input_args(source),
        "-map", "0:v:0", "-an", "-sn", "-dn", "-fps_mode", "passthrough",
        *rgb_frames(
            f"scale={width}:{height}:flags=area,setsar=1", media, before=[select], after=["showinfo"]
        ),
    ]  # fmt: skip
    result = run_ffmpeg(args, timeout=time_left(deadline))
    times = parse_showinfo_times(result.stderr)
    images = split_raw_frames(result.stdout, size)
    return [
        Sampled(AnalysedFrame(round(t, 3), measure(image)), keyframe=False)
        for t, image in zip(times, images, strict=False)
    ]


def sample_by_seeking(
    source: str,
    times: Sequence[float],
    *,
    size: tuple[int, int],
    deadline: float,
    media: MediaProbe | None = None,
) -> list[Sampled]:
    """One small frame per time by input seeking (decodes from the keyframe before it)."""

    def grab(at: float) -> Sampled | None:
        result = run_ffmpeg(
            still_args(source, at, size, keyframe=False, media=media), timeout=time_left(deadline)
        )
        images = split_raw_frames(result.stdout, size)
        if not images:
            return None
        return Sampled(AnalysedFrame(at, measure(images[0])), keyframe=False)

    with ThreadPoolExecutor(max_workers=FALLBACK_WORKERS) as pool:
        return [sample for sample in pool.map(grab, times) if sample is not None]


def still_args(
    source: str, at: float, size: tuple[int, int], *, keyframe: bool, media: MediaProbe | None = None
) -> list[str]:
    """ffmpeg argv for one frame at ``at`` by input seeking, scaled to ``size``, raw on stdout.

    For a keyframe the seek lands on it exactly (``-noaccurate_seek``, aimed just past it) and
    one picture is decoded; otherwise ffmpeg decodes from the keyframe before ``at``.
    """
    width, height = size
    seek = (
        ["-ss", f"{at + KEYFRAME_SEEK_EPSILON:.3f}", "-noaccurate_seek"] if keyframe else ["-ss", f"{at:.3f}"]
    )
    return [
        *seek,
        *source_input_args(source),
        "-map", "0:v:0", "-an", "-sn", "-dn", "-frames:v", "1",
        *rgb_frames(f"scale={width}:{height}:flags=lanczos,setsar=1", media),
    ]  # fmt: skip


def seek_frame(
    source: str, at: float, size: tuple[int, int], *, keyframe: bool, deadline: float, media: MediaProbe
) -> Image.Image | None:
    args = still_args(source, at, size, keyframe=keyframe, media=media)
    result = run_ffmpeg(args, timeout=time_left(deadline))
    found = split_raw_frames(result.stdout, size)
    return found[0] if found else None
