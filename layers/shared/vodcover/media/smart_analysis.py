"""Which frames the smart-cover selector looks at, and how they are had cheaply.

Keyframes only, thinned to at most ~``MAX_ANALYSIS_FRAMES`` at least ``step`` seconds apart:
from the mp4 index when there is one (:class:`vodcover.media.keyframes.KeyframeIndex`: only
those keyframes are fetched), otherwise from ffmpeg's keyframe pass. Gaps that may hide a
scene (sparse keyframes; a video small enough to decode cheaply) get more frames, by keyframes
inside the gap, seeking, or one decoding pass, whichever costs least
(:mod:`vodcover.media.frame_sampling` runs them). A video cheap to decode is analysed from one
decoding pass, densely.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

from vodcover.media.frame_features import ANALYSIS_LONG_SIDE, measure
from vodcover.media.frame_sampling import (
    Sampled,
    decode_keyframe_pass,
    sample_by_decoding,
    sample_by_seeking,
)
from vodcover.media.keyframe_choice import keyframes_near, near_any, thin_keyframes
from vodcover.media.keyframes import KeyframeIndex, open_keyframe_index
from vodcover.media.probe import MediaProbe
from vodcover.media.scene_selection import AnalysedFrame

logger = logging.getLogger(__name__)

MIN_ANALYSIS_STEP = 1.9  # s: keyframes closer than this add cost, not information
# ~120 looks at a video find its scenes; more add decoding cost, not information. Beyond
# 120 x 1.9 s (~4 min) the spacing grows: a 5-minute video is seen every ~2.5 s (every other
# keyframe of a 2 s GOP), an hour every 30 s. The decoded frames take ~8 MB of 192 px RGB.
MAX_ANALYSIS_FRAMES = 120
SPARSE_GAP = 10.0  # s: a keyframe gap this long may hide a whole scene
SPARSE_FACTOR = 3  # fewer than 3xK analysed frames is too few to find K distinct scenes
MAX_FALLBACK_SAMPLES = 24
# A video this small (seconds x displayed pixels: 8 s of 720p, 32 s of 640x360) is decoded
# whole, or sought into, when its keyframes are too few to see every scene.
CHEAP_DECODE_PIXEL_SECONDS = 8 * 1280 * 720
DENSE_MIN_SPACING = 0.2  # s: a cheap video is analysed from one decoding pass, this dense ...
DENSE_MAX_FRAMES = 40  # ... or at most this many frames
FULL_DECODE_SHARE = 0.6  # seeking that decodes more than 60 % of the video: decode it all once


def analysis_size(media: MediaProbe, long_side: int = ANALYSIS_LONG_SIDE) -> tuple[int, int]:
    """The displayed aspect ratio fitted in ``long_side``, even dimensions."""
    return fit_size(*media.picture_size, long_side, long_side)


def fit_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """Scale (width, height) down to fit the box, keeping the aspect ratio; even numbers."""
    scale = min(1.0, max_width / width, max_height / height)
    return max(2, int(width * scale / 2) * 2), max(2, int(height * scale / 2) * 2)


def analysis_step(duration: float) -> float:
    """Minimum spacing of analysed keyframes: dense enough for short scenes, bounded for long videos."""
    return max(MIN_ANALYSIS_STEP, duration / MAX_ANALYSIS_FRAMES)


def analyse(source: str, media: MediaProbe, *, count: int, deadline: float) -> list[Sampled]:
    """The analysis frames of a probed video (see :func:`analyse_with_index`)."""
    with open_keyframe_index(source, deadline=deadline, colour=media.colour, crop=media.crop) as index:
        return analyse_with_index(source, media, index, count=count, deadline=deadline)


def analyse_with_index(
    source: str, media: MediaProbe, index: KeyframeIndex | None, *, count: int, deadline: float
) -> list[Sampled]:
    """Keyframes (thinned), plus more samples when keyframes are too sparse to see every scene.

    A video cheap to decode is analysed from one decoding pass, densely. An mp4 (local or
    over HTTP) is read through its index (:func:`analyse_indexed`); anything else goes through
    one ffmpeg pass. Gaps without keyframes are filled by seeking (or one decoding pass).
    """
    size = analysis_size(media)
    if cheap_to_decode(media):
        dense = sample_by_decoding(
            source, size=size, spacing=dense_spacing(media.duration), deadline=deadline, media=media
        )
        if dense:
            return dense
    found = None
    if index is not None:
        found = analyse_indexed(index, media, size=size, step=analysis_step(media.duration), count=count)
    if found is None:
        size = analysis_size(media)
        step = analysis_step(media.duration)
        keyframes = decode_keyframe_pass(source, media, size=size, step=step, deadline=deadline)
        gaps = fallback_times(
            [k.frame.time for k in keyframes], media.duration, count, cheap=cheap_to_decode(media)
        )
        found = _KeyframeAnalysis(keyframes, gap_keyframes=[], uncovered=gaps)
    keyframe_times = [k.frame.time for k in found.keyframes]
    extra = [*found.gap_keyframes]
    if found.uncovered:
        extra += sparse_samples(
            source, media, keyframe_times, found.uncovered, size=size, count=count, deadline=deadline
        )
    known = sorted(keyframe_times)
    extra = [s for s in extra if not near_any(s.frame.time, known, 0.3)]
    return sorted(found.keyframes + extra, key=lambda s: s.frame.time)


def dense_spacing(duration: float) -> float:
    """Spacing of the frames a cheap video is analysed at: scenes of a second are seen 4 times."""
    return max(DENSE_MIN_SPACING, duration / DENSE_MAX_FRAMES)


def cheap_to_decode(media: MediaProbe) -> bool:
    """Small enough that decoding every frame costs about what a couple of seeks would."""
    return media.duration * media.width * media.height <= CHEAP_DECODE_PIXEL_SECONDS


@dataclass(frozen=True)
class _KeyframeAnalysis:
    keyframes: list[Sampled]  # the thinned keyframes: what ffmpeg's pass would decode
    gap_keyframes: list[Sampled]  # more keyframes, inside the gaps thinning left
    uncovered: list[float]  # gap times with no keyframe near: for seeking


def analyse_indexed(
    index: KeyframeIndex, media: MediaProbe, *, size: tuple[int, int], step: float, count: int
) -> _KeyframeAnalysis | None:
    """The analysis keyframes from the mp4 index, fetched and decoded in one round; None: use ffmpeg.

    The thinned keyframes are the frames ffmpeg's pass would decode, for a few MB of a GB-size
    file over HTTP (ffmpeg's pass demuxes, so downloads, all of it). The gaps the fallback would
    fill are known from their times alone, and in a long video they come from thinning, not
    from the encoder: a keyframe within half the fallback spacing of a gap time samples it as
    well, for one more fetched picture instead of a seek that decodes part of a GOP. Gap times
    without such a keyframe (truly sparse keyframes) are left for seeking.
    """
    thinned = thin_keyframes(index.keyframes, step=step, max_frames=MAX_ANALYSIS_FRAMES)
    thinned_times = [round(k.time, 3) for k in thinned]
    duration = media.duration
    gap_times = fallback_times(thinned_times, duration, count, cheap=cheap_to_decode(media))
    spacing = fallback_spacing(duration, count)
    near = keyframes_near(index.keyframes, gap_times, tolerance=spacing / 2, exclude=thinned_times)
    in_gaps = set(near.values())
    chosen = sorted({*thinned, *in_gaps}, key=lambda k: k.time)
    decoded = index.decode_small(chosen, size)
    if decoded is None:
        return None
    keyframes: list[Sampled] = []
    gap_keyframes: list[Sampled] = []
    for keyframe, (at, image) in zip(chosen, decoded, strict=True):
        sample = Sampled(AnalysedFrame(at, measure(image)), keyframe=True, source=keyframe, picture=image)
        (gap_keyframes if keyframe in in_gaps else keyframes).append(sample)
    if in_gaps:
        logger.info("thinned keyframes: %d more keyframes fill the gaps", len(in_gaps))
    return _KeyframeAnalysis(keyframes, gap_keyframes, [t for t in gap_times if t not in near])


def sparse_samples(
    source: str,
    media: MediaProbe,
    keyframe_times: Sequence[float],
    times: Sequence[float],
    *,
    size: tuple[int, int],
    count: int,
    deadline: float,
) -> list[Sampled]:
    """Frames at ``times`` between sparse keyframes: by seeking, or one pass if that is cheaper."""
    if seek_decode_seconds(keyframe_times, times) <= FULL_DECODE_SHARE * media.duration:
        logger.info("sparse keyframes: %d extra samples by seeking", len(times))
        return sample_by_seeking(source, times, size=size, deadline=deadline, media=media)
    spacing = fallback_spacing(media.duration, count)
    logger.info("sparse keyframes: one decoding pass, a frame every %.1fs", spacing)
    return sample_by_decoding(source, size=size, spacing=spacing, deadline=deadline, media=media)


def seek_decode_seconds(keyframe_times: Sequence[float], times: Sequence[float]) -> float:
    """Seconds of video ffmpeg decodes to reach ``times`` by seeking (each from the keyframe before)."""
    known = sorted(keyframe_times)
    total = 0.0
    for at in times:
        before = [k for k in known if k <= at]
        total += at - (before[-1] if before else 0.0)
    return total


def fallback_times(
    keyframe_times: Sequence[float], duration: float, count: int, *, cheap: bool = False
) -> list[float]:
    """Times to sample inside keyframe gaps when keyframes are too sparse to see every scene.

    Nothing when keyframes are dense enough: gaps under ``SPARSE_GAP`` and, unless the video is
    ``cheap`` to decode (short or small), however few keyframes there are. Seeking between
    regular keyframes of a large video (a 20 s 4K clip has 10) cost a second per seek and
    found nothing a 2 s keyframe spacing does not show. Otherwise gaps are filled evenly so that
    no gap exceeds ``spacing``, aiming at ``SPARSE_FACTOR x count`` frames overall, capped so
    the fallback stays a few seeks.
    """
    bounds = [*sorted(keyframe_times), duration]
    gaps = [(a, b) for a, b in zip([0.0, *bounds[:-1]], bounds, strict=True) if b > a]
    widest = max((b - a for a, b in gaps), default=duration)
    wanted = SPARSE_FACTOR * count
    if widest < SPARSE_GAP and (len(keyframe_times) >= wanted or not cheap):
        return []
    spacing = fallback_spacing(duration, count)
    times: list[float] = []
    for start, end in gaps:
        pieces = math.ceil((end - start) / spacing)
        times += [start + (end - start) * i / pieces for i in range(1, pieces)]
    times = [t for t in times if 0.05 < t < duration - 0.05]
    if len(times) > MAX_FALLBACK_SAMPLES:
        stride = len(times) / MAX_FALLBACK_SAMPLES
        times = [times[int(i * stride)] for i in range(MAX_FALLBACK_SAMPLES)]
    return [round(t, 3) for t in times]


def fallback_spacing(duration: float, count: int) -> float:
    return min(SPARSE_GAP / 2, max(MIN_ANALYSIS_STEP, duration / (SPARSE_FACTOR * count + 1)))
