"""Smart cover: the few frames that best represent a video and look good, found cheaply.

Cost is what makes this usable on every upload, so the video is read and decoded as little as
possible:

1. **Analysis of keyframes only, thinned** to at most ~``MAX_ANALYSIS_FRAMES``, at least
   ``step`` seconds apart, decoded without deblocking and scaled to ~200 px raw RGB.
   - *An mp4* (local or over HTTP, moov at the front or the end): its index
     (:mod:`vodcover.media.keyframes`) says where each keyframe lies, so only the chosen
     keyframes are fetched, by bounded ranges in parallel, and decoded in one ffmpeg run per
     core. The gaps thinning leaves in a long video are filled in the same round with more
     keyframes, not seeks.
   - *Anything else* (or an mp4 the index path declines): one ffmpeg pass with
     ``-skip_frame nokey`` and an input bitstream filter dropping keyframe packets closer than
     ``step`` to the last kept one; ``showinfo`` gives the timestamps. Long videos are split in
     two halves decoded in parallel. Over HTTP this pass demuxes, so downloads, the whole file.
   Both give the same frames with the same features (same decoder options and filters).
2. **A cheap fallback for sparse keyframes** (a gap of 10 s or more; or, for a video small
   enough to decode cheaply, fewer than ~3xK keyframes): extra frames by input seeking inside
   the largest gaps, or one decoding pass. Regular keyframes of a large video are never
   sought between: a 4K seek costs a second or two.
3. **Selection** in pure Python (:mod:`vodcover.media.scene_selection`): junk out, shots and
   scenes, one best frame per distinct scene, ranked by quality x representativeness, each
   placed clear of a possible cut (``Pick.safe_time``). No good frame: no candidate.
4. **Extraction at full quality**: picks next to a possible cut by seeking to their safe time
   (up to 1080p, and kept only when the picture is still good and of the same shot); picks on
   keyframes the mp4 index located fetched again and decoded in one ffmpeg run; the rest by
   input seeking. JPEG by Pillow, in the display orientation.

A video cheap to decode (``CHEAP_DECODE_PIXEL_SECONDS``: a few seconds, or a small picture)
skips 1, 2 and 4 and the black-bars look: one ffmpeg run after the probe
(:mod:`vodcover.media.single_pass`) gives a frame every 0.2 s small for the selector (short
scenes and the frames between scene-cut keyframes are seen) and at cover size for the winners.

The source is a local path or an http(s) URL (presigned S3 URLs included), never downloaded
whole. Bytes read, wall and CPU time of both analysis paths are measured in BENCHMARKS.md
("Smart cover"). The rooms: :mod:`~vodcover.media.smart_analysis` (1, 2: which frames),
:mod:`~vodcover.media.frame_sampling` (the ffmpeg passes giving them),
:mod:`~vodcover.media.scene_selection` (3), :mod:`~vodcover.media.smart_extraction` (4); this
module runs them in order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from vodcover.deadline import deadline_in
from vodcover.errors import MediaCorrupt
from vodcover.media.bars import may_have_bars
from vodcover.media.cover_image import CoverLimits
from vodcover.media.frame_sampling import Sampled
from vodcover.media.header_guess import guess_from_header
from vodcover.media.keyframe_choice import choose_keyframes
from vodcover.media.keyframes import KeyframeIndex, open_keyframe_index
from vodcover.media.probe import MediaProbe, probe
from vodcover.media.scene_selection import Selection, select_moments
from vodcover.media.single_pass import select_in_one_pass, select_in_unprobed_pass
from vodcover.media.smart_analysis import analyse_with_index, cheap_to_decode
from vodcover.media.smart_extraction import MAX_REFINE_PIXELS, Candidate, candidate_size, extract_candidates
from vodcover.media.snapshots import BARS_SAMPLE_FRAMES, snapshot_times, with_bars_detected

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Moment:
    """A candidate's time and the stretch of good video around it (safe to animate)."""

    time: float
    start: float
    end: float


@dataclass(frozen=True)
class TimelineEntry:
    """The verdict on one analysed frame: lets the animated cover avoid junk without re-decoding."""

    time: float
    span: float
    junk: str | None
    quality: float
    scene: int


@dataclass(frozen=True)
class SmartResult:
    duration: float
    width: int  # displayed size of the video
    height: int
    candidates: list[Candidate]
    moments: list[Moment]  # one per candidate, same order
    timeline: list[TimelineEntry]
    scene_count: int
    analysed_frames: int


def select_candidates(
    source: str,
    *,
    count: int,
    timeout: float,
    width: int = 0,
    quality: int = 85,
    limits: CoverLimits | None = None,
) -> SmartResult:
    """Up to ``count`` cover candidates from distinct scenes, best first, never junk.

    ``width`` caps the candidates' displayed width (0: source width); candidates always fit
    ``limits`` (the calling job's cover limits; None: :class:`CoverLimits`' defaults), since
    any of them may become the cover.
    Raises the typed ``Media*`` errors of :mod:`vodcover.media.probe` and ``MediaTimeout``.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    deadline = deadline_in(timeout)
    limits = limits or CoverLimits()
    reported = _try_unprobed_pass(
        source, count=count, width=width, quality=quality, limits=limits, deadline=deadline
    )
    if isinstance(reported, SmartResult):
        return reported
    media = reported or probe(source, timeout=timeout)
    if media.has_video and cheap_to_decode(media):
        return _select_in_one_pass(
            source, media, count=count, width=width, quality=quality, limits=limits, deadline=deadline
        )
    if media.crop is not None or not media.has_video:
        media = with_bars_detected(source, media, deadline=deadline)
        with open_keyframe_index(source, deadline=deadline, colour=media.colour, crop=media.crop) as index:
            size = candidate_size(media, width, limits)
            return _select(source, media, index, count=count, size=size, quality=quality, deadline=deadline)
    with open_keyframe_index(source, deadline=deadline, colour=media.colour) as index:
        media, index, sampled = _analyse_then_bars(source, media, index, count=count, deadline=deadline)
        size = candidate_size(media, width, limits)
        return _select(
            source, media, index, count=count, size=size, quality=quality, deadline=deadline, sampled=sampled
        )


def _analyse_then_bars(
    source: str, media: MediaProbe, index: KeyframeIndex | None, *, count: int, deadline: float
) -> tuple[MediaProbe, KeyframeIndex | None, list[Sampled] | None]:
    """The analysis of the mp4 index's keyframes first, the black-bars look only if it needs one.

    The keyframes the bars look decodes (:func:`with_bars_detected`) are usually among the
    analysed ones: when their analysis pictures leave no room for bars
    (:func:`vodcover.media.bars.may_have_bars`), the look is skipped (on 4K, four keyframes
    less to decode). Otherwise it runs as before, and only bars found make the analysis start
    again with the crop. Returns the probe (``crop`` set when bars were found), the index to
    read from and the analysis frames (None: analyse again).
    """
    sampled = None
    if index is not None:
        sampled = analyse_with_index(source, media, index, count=count, deadline=deadline)
        if _bars_ruled_out(media, index, sampled):
            return media, index, sampled
    barred = with_bars_detected(source, media, deadline=deadline)
    if barred.crop is None:
        return media, index, sampled
    return barred, index.cropped(barred.crop) if index is not None else None, None


def _bars_ruled_out(media: MediaProbe, index: KeyframeIndex, sampled: Sequence[Sampled]) -> bool:
    looked_at = set(choose_keyframes(index.keyframes, snapshot_times(media.duration, BARS_SAMPLE_FRAMES)))
    pictures = {s.source: s.picture for s in sampled if s.source is not None and s.picture is not None}
    if not looked_at or not looked_at <= pictures.keys():
        return False
    return not may_have_bars([picture for keyframe, picture in pictures.items() if keyframe in looked_at])


def _select(
    source: str,
    media: MediaProbe,
    index: KeyframeIndex | None,
    *,
    count: int,
    size: tuple[int, int],
    quality: int,
    deadline: float,
    sampled: list[Sampled] | None = None,
) -> SmartResult:
    started = time.monotonic()
    if sampled is None:
        sampled = analyse_with_index(source, media, index, count=count, deadline=deadline)
    if not sampled:
        raise MediaCorrupt("No frame of the video could be decoded.")
    analysed = time.monotonic()
    selection = select_moments([s.frame for s in sampled], count=count, duration=media.duration)
    selected = time.monotonic()
    refine = media.width * media.height <= MAX_REFINE_PIXELS
    candidates = extract_candidates(
        source,
        media,
        index,
        sampled,
        selection.picks,
        size,
        quality,
        deadline,
        refine=refine,
    )
    logger.info(
        "smart cover: %d frames analysed, %d scenes, %d candidates; "
        "analysis %.2fs (with the probe), selection %.2fs, extraction %.2fs",
        len(sampled),
        selection.scene_count,
        len(candidates),
        analysed - started,
        selected - analysed,
        time.monotonic() - selected,
    )
    return _result(media, selection, candidates, len(sampled))


def _select_in_one_pass(
    source: str,
    media: MediaProbe,
    *,
    count: int,
    width: int,
    quality: int,
    limits: CoverLimits,
    deadline: float,
) -> SmartResult:
    started = time.monotonic()
    found = select_in_one_pass(
        source, media, count=count, width=width, quality=quality, limits=limits, deadline=deadline
    )
    logger.info(
        "smart cover in one pass: %d frames analysed, %d scenes, %d candidates in %.2fs",
        found.analysed_frames,
        found.selection.scene_count,
        len(found.candidates),
        time.monotonic() - started,
    )
    return _result(found.media, found.selection, found.candidates, found.analysed_frames)


def _try_unprobed_pass(
    source: str, *, count: int, width: int, quality: int, limits: CoverLimits, deadline: float
) -> SmartResult | MediaProbe | None:
    """A cheap mp4 in one ffmpeg run, no probe run first; else the probe that run printed, if any."""
    guess = guess_from_header(source, deadline=deadline)
    if guess is None or not cheap_to_decode(guess):
        return None
    started = time.monotonic()
    run = select_in_unprobed_pass(
        source, guess, count=count, width=width, quality=quality, limits=limits, deadline=deadline
    )
    if run.found is None:
        return run.media
    found = run.found
    logger.info(
        "smart cover in one unprobed pass: %d frames analysed, %d scenes, %d candidates in %.2fs",
        found.analysed_frames,
        found.selection.scene_count,
        len(found.candidates),
        time.monotonic() - started,
    )
    return _result(found.media, found.selection, found.candidates, found.analysed_frames)


def _result(
    media: MediaProbe, selection: Selection, candidates: list[Candidate], analysed_frames: int
) -> SmartResult:
    return SmartResult(
        duration=media.duration,
        width=media.width,
        height=media.height,
        candidates=candidates,
        moments=[
            Moment(candidate.time, pick.window[0], pick.window[1])
            for pick, candidate in zip(selection.picks, candidates, strict=True)
        ],
        timeline=timeline(selection),
        scene_count=selection.scene_count,
        analysed_frames=analysed_frames,
    )


def timeline(selection: Selection) -> list[TimelineEntry]:
    return [
        TimelineEntry(v.time, v.span, str(v.junk) if v.junk else None, round(v.quality, 4), v.scene)
        for v in selection.verdicts
    ]
