"""Snapshots spread over a video, encoded as JPEG, scored, with a default cover chosen.

Frames come from a :class:`FrameGrabber`. The default, :class:`KeyframeGrabber`, reads an mp4's
index and fetches only the keyframes it needs over HTTP ranges (docs/design.md, "Keyframe fast
path"); whatever it cannot do falls back to :class:`FfmpegSeekGrabber`, one short ffmpeg per
frame with *input* seeking (``-ss t`` before ``-i``), which reads the header and one GOP per
frame. Another engine can be passed as ``grabber=`` without touching anything else here.

Choices for the seeking fallback, measured on 2 cores, 8 frames scaled to 1280 px from 60 s 1080p
H.264 (2 s GOP):
- two ffmpeg processes at a time with one decoder thread each. Baseline-profile clip: 0.75 s
  wall for the whole set (1.2 s one after the other). High profile with B-frames (veryfast,
  crf 16, 30 fps): 2.8 CPU-s, ~3.9 s wall on an idle machine, about 0.35 s per frame: accurate
  seeking decodes from the previous keyframe up to the asked time. Decoder threads only add
  contention here (3.0-3.2 CPU-s). Peak memory 77-88 MB per ffmpeg, so ~180 MB in all (one
  process with 8 seeked inputs is faster (docs/design.md, "Measured facts") but needs ~470 MB);
- ffmpeg hands over a PPM frame and Pillow encodes the JPEG: same speed as ffmpeg's mjpeg, but
  ``quality`` means what it means everywhere else (Pillow's 1-100 scale, the setting's range),
  and the decoded frame is scored without decoding the JPEG again (8 JPEGs + scores: 70 ms).
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Protocol

from PIL import Image

from vodcover.errors import MediaCorrupt, MediaTimeout
from vodcover.media.bars import crop_to, find_bars
from vodcover.media.ffmpeg import run_ffmpeg, stderr_tail
from vodcover.media.keyframes import grab_keyframes, open_range_reader
from vodcover.media.picture import rgb_output_args
from vodcover.media.probe import AudioWithCoverArt, MediaProbe, is_url, probe, source_input_args
from vodcover.media.scoring import FrameScore, choose_default_cover, score_frame

logger = logging.getLogger(__name__)

MAX_GRAB_WORKERS = 4
# A frame that does not decode is asked for again this many snapshot intervals earlier (the end
# of a file may be cut short or hold a last frame whose timestamp lies before the asked time).
RETRY_BACKOFF_INTERVALS = (0.25, 0.5, 1.0)
FRAME_AT_BACKOFF_SECONDS = (0.1, 0.5, 2.0)
# Below this size a remote video whose keyframes are too sparse for the snapshots is read once
# (to /tmp) rather than seeked into several times over HTTP.
SMALL_REMOTE_VIDEO_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Snapshot:
    index: int
    time: float  # seconds from the start of the video
    jpeg: bytes
    width: int
    height: int
    score: FrameScore


@dataclass(frozen=True)
class SnapshotSet:
    probe: MediaProbe
    snapshots: list[Snapshot]
    cover_index: int

    @property
    def cover(self) -> Snapshot:
        return self.snapshots[self.cover_index]


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
            frame_grab_args(source, at, size, media), timeout=remaining_seconds(deadline), check=False
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

    def __init__(self, *, quality: int, fallback: FrameGrabber | None = None) -> None:
        self.quality = quality
        self.fallback = fallback or FfmpegSeekGrabber()

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
            timeout=remaining_seconds(deadline),
            colour=media.colour,
            crop=media.crop,
        )
        if frames is None:
            return self.fallback.grab(source, times, size=size, media=media, deadline=deadline)
        grabbed: list[GrabbedFrame | None] = [
            GrabbedFrame(time=f.time, image=Image.open(io.BytesIO(f.jpeg)).convert("RGB"), jpeg=f.jpeg)
            if abs(f.time - f.requested_time) <= keyframe_tolerance(times, media.duration)
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


def snapshot_times(duration: float, count: int, start_time: float = 0.0) -> list[float]:
    """``count`` instants spread evenly, each in the middle of its slice of the video.

    The middle of each slice keeps away from the first and last moments (black intros, fades,
    a last frame that may not decode). Times count from ``start_time`` (0 for ffmpeg's ``-ss``,
    which is already relative to the start); rounded to the millisecond.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    if duration <= 0:
        raise ValueError("duration must be positive")
    return [round(start_time + duration * (i + 0.5) / count, 3) for i in range(count)]


def output_size(media: MediaProbe, width: int) -> tuple[int, int]:
    """Displayed size scaled to ``width`` (0 = source width): never upscaled, aspect kept, even."""
    source_width, source_height = media.picture_size
    target = source_width if width <= 0 or width >= source_width else width
    out_width = max(2, target // 2 * 2)
    out_height = round(source_height * out_width / source_width / 2) * 2
    return out_width, max(2, min(out_height, source_height // 2 * 2))


def remaining_seconds(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise MediaTimeout("Processing the video took too long.")
    return left


def encode_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def capture_snapshots(
    source: str,
    *,
    count: int,
    width: int,
    quality: int,
    timeout: float,
    probe_result: MediaProbe | None = None,
    grabber: FrameGrabber | None = None,
) -> SnapshotSet:
    """Probe (unless given), grab ``count`` frames, encode, score and choose the default cover.

    ``timeout`` bounds the whole set. Frames that do not decode are retried a little earlier and
    dropped if they still fail; the set keeps contiguous indices. No frame at all →
    ``Media.Corrupt``.
    """
    deadline = time.monotonic() + timeout
    try:
        media = probe_result or probe(source, timeout=timeout)
    except AudioWithCoverArt as audio:
        return cover_art_snapshots(source, audio.media, width=width, quality=quality, deadline=deadline)
    size = output_size(media, width)
    times = snapshot_times(media.duration, count)
    engine = grabber or KeyframeGrabber(quality=quality)
    frames = _grab_with_retries(engine, source, times, size, media, deadline)
    decoded = _distinct_frames(frames, min_gap=0.5 / media.fps if media.fps > 0 else 0.02)
    if not decoded:
        raise MediaCorrupt("No frame of the video could be decoded.")
    decoded, media = _without_bars(decoded, media)
    snapshots = [_snapshot(index, frame, quality) for index, frame in enumerate(decoded)]
    cover_index = choose_default_cover([s.score for s in snapshots])
    logger.info(
        "snapshots of %s: cover %d, scores %s",
        source.split("?", 1)[0],
        cover_index,
        [s.score.to_log() for s in snapshots],
    )
    return SnapshotSet(probe=media, snapshots=snapshots, cover_index=cover_index)


def cover_art_snapshots(
    source: str, media: MediaProbe, *, width: int, quality: int, deadline: float
) -> SnapshotSet:
    """Audio with cover art: the art is the one snapshot and the cover (``media.has_video`` False)."""
    size = output_size(media, width)
    picture = rgb_output_args(f"scale={size[0]}:{size[1]}:flags=bicubic,setsar=1", container="image2pipe")
    args = [*source_input_args(source), "-map", "0:v:0", "-frames:v", "1", *picture]
    result = run_ffmpeg(
        args, timeout=remaining_seconds(deadline), message="The cover art could not be decoded."
    )
    try:
        image = Image.open(io.BytesIO(result.stdout), formats=["PPM"]).convert("RGB")
    except (OSError, ValueError) as exc:
        raise MediaCorrupt("The cover art could not be decoded.", detail=str(exc)) from exc
    snapshot = _snapshot(0, GrabbedFrame(time=0.0, image=image), quality)
    return SnapshotSet(probe=media, snapshots=[snapshot], cover_index=0)


def capture_frame_at(
    source: str,
    seconds: float,
    *,
    width: int,
    quality: int,
    timeout: float,
    probe_result: MediaProbe | None = None,
) -> tuple[bytes, int, int]:
    """The frame shown at ``seconds`` (a user's ``coverTime``) as ``(jpeg, width, height)``.

    Times past the last decodable frame fall back a little earlier, as snapshots do; nothing at
    all → ``Media.Corrupt``.
    """
    deadline = time.monotonic() + timeout
    media = probe_result or probe(source, timeout=timeout)
    size = output_size(media, width)
    at = round(min(max(0.0, seconds), media.duration), 3)
    grabber = FfmpegSeekGrabber(workers=1)
    for backoff in (0.0, *FRAME_AT_BACKOFF_SECONDS):
        frame = grabber.grab(source, [max(0.0, at - backoff)], size=size, media=media, deadline=deadline)[0]
        if frame is not None:
            image = _without_bars([frame], media)[0][0].image
            return encode_jpeg(image, quality), image.width, image.height
    raise MediaCorrupt("No frame could be decoded at that time.")


def _grab_with_retries(
    grabber: FrameGrabber,
    source: str,
    times: list[float],
    size: tuple[int, int],
    media: MediaProbe,
    deadline: float,
) -> list[GrabbedFrame | None]:
    frames = grabber.grab(source, times, size=size, media=media, deadline=deadline)
    interval = media.duration / len(times)
    for backoff in RETRY_BACKOFF_INTERVALS:
        missing = [i for i, frame in enumerate(frames) if frame is None]
        if not missing:
            break
        earlier = [round(max(0.0, times[i] - backoff * interval), 3) for i in missing]
        logger.info("retrying %d frames earlier: %s", len(missing), earlier)
        retried = grabber.grab(source, earlier, size=size, media=media, deadline=deadline)
        for i, frame in zip(missing, retried, strict=True):
            frames[i] = frame
    return frames


def _without_bars(frames: list[GrabbedFrame], media: MediaProbe) -> tuple[list[GrabbedFrame], MediaProbe]:
    """The frames with the black bars they share cut off (the same cut for all), and the probe
    saying so; the scorer then judges the picture, not the bars (:mod:`vodcover.media.bars`)."""
    box = find_bars([frame.image for frame in frames])
    if box is None:
        return frames, media
    shown = frames[0].image.size
    crop = box.scaled(shown, media.decoded_size)
    logger.info(
        "black bars: picture %dx%d at %d,%d of %dx%d", box.width, box.height, box.left, box.top, *shown
    )
    cropped = [GrabbedFrame(time=frame.time, image=crop_to(frame.image, box)) for frame in frames]
    return cropped, replace(media, crop=crop)


BARS_SAMPLE_FRAMES = 4
BARS_SAMPLE_WIDTH = 320


def with_bars_detected(source: str, media: MediaProbe, *, deadline: float) -> MediaProbe:
    """``media`` with the black bars its frames share (``crop``), for callers that make images of
    their own (smart-cover analysis and candidates, the animated cover): a few small keyframes
    (index + their bytes over HTTP, or ffmpeg seeks) are looked at once, and every image made
    with this probe is cut the same way by :func:`vodcover.media.picture.picture_filters`."""
    if media.crop is not None or not media.has_video:
        return media
    size = output_size(media, BARS_SAMPLE_WIDTH)
    times = snapshot_times(media.duration, BARS_SAMPLE_FRAMES)
    frames = KeyframeGrabber(quality=90).grab(source, times, size=size, media=media, deadline=deadline)
    box = find_bars([frame.image for frame in frames if frame is not None])
    if box is None:
        return media
    logger.info(
        "black bars: picture %dx%d at %d,%d of %dx%d", box.width, box.height, box.left, box.top, *size
    )
    return replace(media, crop=box.scaled(size, media.decoded_size))


def _distinct_frames(frames: list[GrabbedFrame | None], *, min_gap: float) -> list[GrabbedFrame]:
    """Decoded frames in time order, once each (two retries can land on the same frame)."""
    distinct: list[GrabbedFrame] = []
    for frame in sorted((f for f in frames if f is not None), key=lambda f: f.time):
        if not distinct or frame.time - distinct[-1].time >= min_gap:
            distinct.append(frame)
    return distinct


def _snapshot(index: int, frame: GrabbedFrame, quality: int) -> Snapshot:
    return Snapshot(
        index=index,
        time=round(frame.time, 3),
        jpeg=frame.jpeg if frame.jpeg is not None else encode_jpeg(frame.image, quality),
        width=frame.image.width,
        height=frame.image.height,
        score=score_frame(frame.image),
    )
