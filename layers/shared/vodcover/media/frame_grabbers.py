"""Where snapshot frames come from: keyframes by byte ranges, or ffmpeg input seeking.

:class:`KeyframeGrabber` (the default) reads an mp4's index and fetches only the keyframes it
needs over HTTP ranges (docs/design.md, "Keyframe fast path"); whatever it cannot do falls back
to :class:`FfmpegSeekGrabber`, one short ffmpeg per frame with *input* seeking (``-ss t`` before
``-i``), which reads the header and one GOP per frame. Another engine implements
:class:`FrameGrabber`.

Choices for the seeking fallback, measured on 2 cores, 8 frames scaled to 1280 px from 60 s 1080p
H.264 (2 s GOP):
- two ffmpeg processes at a time with one decoder thread each. Baseline-profile clip: 0.75 s
  wall for the whole set (1.2 s one after the other). High profile with B-frames (veryfast,
  crf 16, 30 fps): 2.8 CPU-s, ~3.9 s wall on an idle machine, about 0.35 s per frame: accurate
  seeking decodes from the previous keyframe up to the asked time. Decoder threads only add
  contention here (3.0-3.2 CPU-s). Peak memory 77-88 MB per ffmpeg, so ~180 MB in all (one
  process with 8 seeked inputs is faster (docs/design.md, "Measured facts") but needs ~470 MB);
- ffmpeg hands over a PPM frame, decoded by Pillow (:mod:`vodcover.media.snapshots` encodes).
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from PIL import Image

from vodcover.deadline import time_left
from vodcover.media.byte_ranges import open_range_reader
from vodcover.media.ffmpeg import run_ffmpeg, stderr_tail
from vodcover.media.keyframes import grab_keyframes
from vodcover.media.picture import rgb_output_args
from vodcover.media.probe import MediaProbe, is_url, source_input_args

logger = logging.getLogger(__name__)

MAX_GRAB_WORKERS = 4
# Below this size a remote video whose keyframes are too sparse for the snapshots is read once
# (to /tmp) rather than seeked into several times over HTTP.
SMALL_REMOTE_VIDEO_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class GrabbedFrame:
    """A decoded frame, already turned upright and scaled to the size asked for."""

    time: float  # when the frame is shown, seconds from the start
    image: Image.Image = field(repr=False)  # RGB; scored, and encoded unless ``jpeg`` is given
    jpeg: bytes | None = field(default=None, repr=False)  # an engine that already encoded it


class FrameGrabber(Protocol):
    """Where frames come from: the seam for other engines (e.g. keyframe byte ranges over HTTP)."""

    def grab(
        self,
        source: str,
        times: Sequence[float],
        *,
        size: tuple[int, int],
        media: MediaProbe,
        deadline: float,
    ) -> list[GrabbedFrame | None]:
        """One entry per time, ``None`` where no frame could be decoded (the caller retries).

        ``deadline`` is a :func:`time.monotonic` instant; raise ``MediaTimeout`` past it.
        """
        ...


class FfmpegSeekGrabber:
    """One ffmpeg per frame, input-seeked, a few at a time."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or max(1, min(MAX_GRAB_WORKERS, os.cpu_count() or 2))

    def grab(
        self,
        source: str,
        times: Sequence[float],
        *,
        size: tuple[int, int],
        media: MediaProbe,
        deadline: float,
    ) -> list[GrabbedFrame | None]:
        if len(times) <= 1 or self.workers == 1:
            return [self._grab_one(source, t, size, media, deadline) for t in times]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(times))) as pool:
            return list(pool.map(lambda t: self._grab_one(source, t, size, media, deadline), times))

    @staticmethod
    def _grab_one(
        source: str, at: float, size: tuple[int, int], media: MediaProbe, deadline: float
    ) -> GrabbedFrame | None:
        result = run_ffmpeg(
            frame_grab_args(source, at, size, media), timeout=time_left(deadline), check=False
        )
        if result.returncode != 0 or not result.stdout:
            logger.info(
                "no frame at %.3fs (exit %s): %s", at, result.returncode, stderr_tail(result.stderr, 300)
            )
            return None
        try:
            image = Image.open(io.BytesIO(result.stdout), formats=["PPM"])
            image.load()
        except (OSError, ValueError) as exc:
            logger.info("unreadable frame at %.3fs: %s", at, exc)
            return None
        return GrabbedFrame(time=at, image=image.convert("RGB"))


class KeyframeGrabber:
    """Snapshots on keyframes, reading only their bytes (mp4 index + ranged reads).

    On a 1 GB 1080p mp4 behind a URL, 8 frames read ~0.2 % of the file in about a second
    (``vodcover.media.keyframes``). Anything that engine does not support (other containers,
    fragmented mp4, unusual edit lists) falls back to ffmpeg input seeking, so it never does worse.
    """

    def __init__(
        self,
        *,
        quality: int,
        fallback: FrameGrabber | None = None,
        near_only: bool = True,
        deblock: bool = True,
    ) -> None:
        self.quality = quality
        self.fallback = fallback or FfmpegSeekGrabber()
        # False: any keyframe will do (black bars, say); never seek where none lies near the time
        self.near_only = near_only
        self.deblock = deblock  # False: pictures only looked at, never shown

    def grab(
        self,
        source: str,
        times: Sequence[float],
        *,
        size: tuple[int, int],
        media: MediaProbe,
        deadline: float,
    ) -> list[GrabbedFrame | None]:
        frames = grab_keyframes(
            source,
            times,
            width=size[0],
            quality=self.quality,
            timeout=time_left(deadline),
            colour=media.colour,
            crop=media.crop,
            deblock=self.deblock,
        )
        if frames is None:
            return self.fallback.grab(source, times, size=size, media=media, deadline=deadline)
        grabbed: list[GrabbedFrame | None] = [
            GrabbedFrame(time=f.time, image=Image.open(io.BytesIO(f.jpeg)).convert("RGB"), jpeg=f.jpeg)
            if not self.near_only
            or abs(f.time - f.requested_time) <= keyframe_tolerance(times, media.duration)
            else None
            for f in frames
        ]
        # Sparse keyframes: where none lies near the asked time, seek there with ffmpeg instead.
        far = [i for i, frame in enumerate(grabbed) if frame is None]
        if far:
            sought = self._seek(source, [times[i] for i in far], size=size, media=media, deadline=deadline)
            for i, frame in zip(far, sought, strict=True):
                grabbed[i] = frame
        return grabbed

    def _seek(
        self,
        source: str,
        times: Sequence[float],
        *,
        size: tuple[int, int],
        media: MediaProbe,
        deadline: float,
    ) -> list[GrabbedFrame | None]:
        """ffmpeg seeks; a small remote video is read once first, as each seek would re-read a GOP.

        Measured on a 30 MB, 8 s clip over HTTP: 8 seeks moved 225 % of the file; one read, 100 %.
        """
        if not is_url(source):
            return self.fallback.grab(source, times, size=size, media=media, deadline=deadline)
        reader = open_range_reader(source, deadline=deadline)
        try:
            if not 0 < reader.size <= SMALL_REMOTE_VIDEO_BYTES:
                return self.fallback.grab(source, times, size=size, media=media, deadline=deadline)
            with tempfile.NamedTemporaryFile(suffix=".mp4") as local:
                local.write(reader.read(0, reader.size))
                local.flush()
                return self.fallback.grab(local.name, times, size=size, media=media, deadline=deadline)
        finally:
            reader.close()


def keyframe_tolerance(times: Sequence[float], duration: float) -> float:
    """How far a keyframe may lie from the asked time: a third of the spacing between snapshots."""
    spacing = duration / max(1, len(times))
    return spacing / 3


def frame_grab_args(
    source: str, at: float, size: tuple[int, int], media: MediaProbe | None = None
) -> list[str]:
    """ffmpeg argv (without the executable) for one upright frame at ``at`` s as 8-bit PPM on stdout.

    ``-ss`` before ``-i`` seeks the input (HTTP ranges on a URL); ffmpeg then decodes from the
    keyframe before ``at`` and keeps the first frame at or after it. ``0:V:0`` is the first real
    video stream (cover art in ``V`` is excluded). ffmpeg applies the display matrix before the
    scale, so ``size`` is the displayed orientation. ``media`` brings the bars to crop and the
    HDR tone map (:func:`vodcover.media.picture.picture_filters`).
    """
    width, height = size
    picture = rgb_output_args(
        f"scale={width}:{height}:flags=bicubic,setsar=1",
        colour=media.colour if media else None,
        crop=media.crop if media else None,
        container="image2pipe",
    )
    seek = ["-threads", "1", "-ss", f"{at:.3f}"]
    return [*seek, *source_input_args(source), "-map", "0:V:0", "-frames:v", "1", *picture]
