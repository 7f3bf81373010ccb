"""Snapshots spread over a video, encoded as JPEG, scored, with a default cover chosen.

Frames come from a :class:`~vodcover.media.frame_grabbers.FrameGrabber`: by default the
keyframe fast path with ffmpeg seeking behind it (:mod:`vodcover.media.frame_grabbers`); another
engine can be passed as ``grabber=`` without touching anything else here. ffmpeg hands over
decoded frames and Pillow encodes the JPEG: same speed as ffmpeg's mjpeg, but ``quality`` means
what it means everywhere else (Pillow's 1-100 scale, the setting's range), and the decoded frame
is scored without decoding the JPEG again (8 JPEGs + scores: 70 ms).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PIL import Image

from vodcover.deadline import deadline_in, time_left
from vodcover.domain.default_cover import FrameScore, choose_default_cover
from vodcover.errors import MediaCorrupt
from vodcover.media.bars import crop_to, find_bars
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.frame_features import score_frame
from vodcover.media.frame_grabbers import FfmpegSeekGrabber, FrameGrabber, GrabbedFrame, KeyframeGrabber
from vodcover.media.jpeg import encode_jpeg
from vodcover.media.picture import rgb_output_args
from vodcover.media.probe import AudioWithCoverArt, MediaProbe, probe, source_input_args

logger = logging.getLogger(__name__)

# A frame that does not decode is asked for again this many snapshot intervals earlier (the end
# of a file may be cut short or hold a last frame whose timestamp lies before the asked time).
RETRY_BACKOFF_INTERVALS = (0.25, 0.5, 1.0)
FRAME_AT_BACKOFF_SECONDS = (0.1, 0.5, 2.0)


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


def capture_snapshots(
    source: str,
    *,
    count: int,
    width: int,
    quality: int,
    timeout: float,
    probe_result: MediaProbe | None = None,
    grabber: FrameGrabber | None = None,
    times: Sequence[float] | None = None,
    exact: bool = False,
) -> SnapshotSet:
    """Probe (unless given), grab ``count`` frames, encode, score and choose the default cover.

    ``times`` (seconds, a snapshot job's instants) replaces the ``count`` evenly spread ones;
    ``exact`` takes the frame shown at each time (seeking), not the nearest keyframe.

    ``timeout`` bounds the whole set. Frames that do not decode are retried a little earlier and
    dropped if they still fail; the set keeps contiguous indices. No frame at all →
    ``Media.Corrupt``.
    """
    deadline = deadline_in(timeout)
    try:
        media = probe_result or probe(source, timeout=timeout)
    except AudioWithCoverArt as audio:
        return cover_art_snapshots(source, audio.media, width=width, quality=quality, deadline=deadline)
    size = output_size(media, width)
    instants = list(times) if times else snapshot_times(media.duration, count)
    engine = grabber or (FfmpegSeekGrabber() if exact else KeyframeGrabber(quality=quality))
    frames = _grab_with_retries(engine, source, instants, size, media, deadline)
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
    result = run_ffmpeg(args, timeout=time_left(deadline), message="The cover art could not be decoded.")
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
    deadline = deadline_in(timeout)
    media = probe_result or probe(source, timeout=timeout)
    size = output_size(media, width)
    at = round(min(max(0.0, seconds), media.duration), 3)
    grabber = FfmpegSeekGrabber(workers=1)
    for backoff in (0.0, *FRAME_AT_BACKOFF_SECONDS):
        frame = grabber.grab(source, [max(0.0, at - backoff)], size=size, media=media, deadline=deadline)[0]
        if frame is not None:
            image = _without_bars([frame], media)[0][0].image
            return encode_jpeg(image, quality, optimize=True), image.width, image.height
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
    # Any keyframes show the bars: where none lies near a time, a seek (1-4 s into a 4K GOP) adds nothing.
    grabber = KeyframeGrabber(quality=90, near_only=False, deblock=False)
    frames = grabber.grab(source, times, size=size, media=media, deadline=deadline)
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
        jpeg=frame.jpeg if frame.jpeg is not None else encode_jpeg(frame.image, quality, optimize=True),
        width=frame.image.width,
        height=frame.image.height,
        score=score_frame(frame.image),
    )
