"""Animated cover: a 2-4 s loop of the video's best moments, as a GIF and an animated WebP.

The loop is made of a few short clips, one around each of the best candidates, each kept inside
the good shot the selector found (so it never shows a fade, a flash or a title card). One
ffmpeg run seeks on input to each clip (``-ss … -t … -i SRC`` per clip: only those seconds are
read and decoded), concatenates them, and writes both formats from the same frames:

- GIF with a palette made for these frames (``palettegen stats_mode=diff``: colours go to what
  moves) and ``paletteuse`` with a light ordered dither and ``diff_mode=rectangle`` (only the
  changed rectangle is re-coded), ~10 fps, looping forever;
- animated WebP (``libwebp_anim``, lossy, loop 0): a fraction of the GIF's size at similar or
  better quality.

Both are ≤ 480 px wide (portrait: ≤ 480 px tall too). If the GIF comes out above the budget
(2 MB by default) it is made again smaller (fewer colours, narrower, lower rate) once.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from vodcover.deadline import deadline_in, time_left
from vodcover.errors import MediaCorrupt
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.picture import picture_filters
from vodcover.media.probe import MediaProbe, probe, source_input_args
from vodcover.media.snapshots import with_bars_detected

logger = logging.getLogger(__name__)

MAX_CLIPS = 3
TOTAL_SECONDS = 3.0  # the loop's length: long enough to read as motion, short enough to stay small
MIN_CLIP_SECONDS = 0.6
GIF_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_FPS = 10
WEBP_QUALITY = 60
GIF_COLOURS = 128  # with a palette made for these very frames, 128 look like 256 and weigh 20 % less


@dataclass(frozen=True)
class Clip:
    """A stretch of video to include: ``start`` and ``duration`` in seconds."""

    start: float
    duration: float


@dataclass(frozen=True)
class AnimatedResult:
    gif: bytes
    webp: bytes
    duration: float  # seconds of animation
    frames: int
    width: int
    height: int


class MomentLike(Protocol):
    """What the selector hands over (:class:`vodcover.media.smart.Moment`): a time and its safe window."""

    @property
    def time(self) -> float: ...

    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float: ...


def make_animated_cover(
    source: str,
    moments: Sequence[MomentLike],
    *,
    width: int = 480,
    fps: int = DEFAULT_FPS,
    total_seconds: float = TOTAL_SECONDS,
    max_gif_bytes: int = GIF_MAX_BYTES,
    timeout: float = 120.0,
    media: MediaProbe | None = None,
) -> AnimatedResult:
    """A looping GIF and WebP from short clips around ``moments`` (best first)."""
    if not moments:
        raise ValueError("an animated cover needs at least one moment")
    deadline = deadline_in(timeout)
    media = with_bars_detected(source, media or probe(source, timeout=timeout), deadline=deadline)
    clips = plan_clips(moments, total_seconds=total_seconds, duration=media.duration)
    size = animation_size(media, width)
    gif, webp, frames = _render(
        source, clips, size, fps=fps, colours=GIF_COLOURS, deadline=deadline, media=media
    )
    if len(gif) > max_gif_bytes:
        logger.info("animated GIF %d bytes over budget: rendering smaller", len(gif))
        smaller = animation_size(media, int(width * 0.75))
        gif, webp, frames = _render(
            source, clips, smaller, fps=max(6, fps - 2), colours=64, deadline=deadline, media=media
        )
        size = smaller
    return AnimatedResult(gif, webp, round(sum(c.duration for c in clips), 3), frames, size[0], size[1])


def plan_clips(moments: Sequence[MomentLike], *, total_seconds: float, duration: float) -> list[Clip]:
    """Up to MAX_CLIPS clips sharing ``total_seconds``, each inside its moment's good window.

    A clip starts at its moment (a keyframe: cheap to seek to) and runs forward; when the
    window ends sooner it slides back, and when the window is shorter than the clip it shrinks.
    """
    chosen = list(moments)[:MAX_CLIPS]
    share = max(MIN_CLIP_SECONDS, total_seconds / len(chosen))
    clips = []
    for moment in chosen:
        window_start = max(0.0, moment.start)
        window_end = min(duration, max(moment.end, moment.time + 0.1))
        length = min(share, window_end - window_start)
        start = min(max(moment.time, window_start), window_end - length)
        if length > 0.05:
            clips.append(Clip(round(start, 3), round(length, 3)))
    if not clips:
        first = chosen[0]
        clips.append(
            Clip(round(max(0.0, first.time), 3), round(min(share, max(0.1, duration - first.time)), 3))
        )
    return clips


def animation_size(media: MediaProbe, width: int) -> tuple[int, int]:
    """``width`` wide for landscape; a portrait video fits in width x width."""
    shown_width, shown_height = media.picture_size
    scale = min(1.0, width / shown_width, width / shown_height if shown_height > shown_width else 1.0)
    return max(2, int(shown_width * scale / 2) * 2), max(2, int(shown_height * scale / 2) * 2)


def animation_args(
    source: str,
    clips: Sequence[Clip],
    size: tuple[int, int],
    *,
    fps: int,
    colours: int,
    gif: Path,
    webp: Path,
    media: MediaProbe | None = None,
) -> list[str]:
    """One ffmpeg run: seek to each clip, concatenate, write the GIF and the WebP.

    Each clip's frames go through :func:`~vodcover.media.picture.picture_filters` (bars cut,
    HDR tone-mapped, 8-bit RGB) like every other image vodcover makes.
    """
    args: list[str] = []
    for clip in clips:
        args += ["-ss", f"{clip.start:.3f}", "-t", f"{clip.duration:.3f}", *source_input_args(source)]
    width, height = size
    picture = ",".join(
        picture_filters(
            f"scale={width}:{height}:flags=lanczos,setsar=1",
            colour=media.colour if media else None,
            crop=media.crop if media else None,
            before=[f"fps={fps}"],
        )
    )
    chains = [f"[{i}:v:0]{picture}[c{i}]" for i in range(len(clips))]
    joined = "".join(f"[c{i}]" for i in range(len(clips)))
    graph = ";".join(
        [
            *chains,
            f"{joined}concat=n={len(clips)}:v=1:a=0,split=3[g][p][w]",
            f"[p]palettegen=max_colors={colours}:stats_mode=diff[palette]",
            "[g][palette]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle[gif]",
        ]
    )
    return [
        *args,
        "-filter_complex", graph,
        "-map", "[gif]", "-loop", "0", "-f", "gif", str(gif),
        "-map", "[w]", "-c:v", "libwebp_anim", "-lossless", "0", "-quality", str(WEBP_QUALITY),
        "-compression_level", "4", "-loop", "0", "-pix_fmt", "yuv420p", "-f", "webp", str(webp),
    ]  # fmt: skip


def _render(
    source: str,
    clips: Sequence[Clip],
    size: tuple[int, int],
    *,
    fps: int,
    colours: int,
    deadline: float,
    media: MediaProbe,
) -> tuple[bytes, bytes, int]:
    with tempfile.TemporaryDirectory(prefix="vodcover-animated-") as tmp:
        gif_path, webp_path = Path(tmp) / "cover.gif", Path(tmp) / "cover.webp"
        left = time_left(deadline)
        args = animation_args(
            source, clips, size, fps=fps, colours=colours, gif=gif_path, webp=webp_path, media=media
        )
        run_ffmpeg(["-y", *args], timeout=left, message="The animated cover could not be made.")
        if not gif_path.exists() or not webp_path.exists():
            raise MediaCorrupt("The animated cover could not be made.")
        gif, webp = gif_path.read_bytes(), webp_path.read_bytes()
    return gif, webp, _gif_frame_count(gif)


def _gif_frame_count(gif: bytes) -> int:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(gif), formats=["GIF"]) as image:
        return int(getattr(image, "n_frames", 1))
