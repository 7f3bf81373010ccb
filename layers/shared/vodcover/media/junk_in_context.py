"""Junk that needs context: transitions judged by their neighbours, blur by the video's own frames.

Per-frame junk (black, flash, flat, title card, pattern) is :func:`~vodcover.media.frame_features.
hard_junk`'s. Here: a frame that is a mix of its neighbours, or a neighbour faded to black or
white, is a transition; a frame far softer than the video's own sharp frames is blur, not style.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from itertools import pairwise

from PIL import Image

from vodcover.media.frame_features import (
    FrameFeatures,
    Junk,
    hard_junk,
    histogram_distance,
    is_starry,
    quality,
    thumb_distance,
)
from vodcover.media.frame_verdicts import AnalysedFrame, FrameVerdict
from vodcover.media.shots_and_scenes import SHOT_CUT_DISTANCE

# Transitions: the frame is explained by mixing its neighbours (or one neighbour with black or
# white) much better than by either neighbour alone.
MIX_WEIGHTS = (0.25, 0.5, 0.75)
TRANSITION_GAIN = 0.55
TRANSITION_MIN_CHANGE = 8.0
DISSOLVE_GAIN = 0.85
DISSOLVE_MAX_STEPS = 8  # frames each side a long dissolve is looked for across ...
DISSOLVE_REACH = 1.6  # s: ... within this much video each side
FADE_MIN_LUMA_CHANGE = 15.0  # a fade darkens or brightens the picture by at least this much
BLUR_RELATIVE = 0.4  # softer than 40 % of the video's sharp frames is blur
SHARP_PERCENTILE = 0.8
# ... unless edges (for its own contrast: haze has faint ones) run all over it: a picture with
# less fine detail than the video's crispest (a face, a soft close-up, a hazy view), not a
# blurred one. A defocus leaves edges nowhere.
BLUR_MAX_SPREAD = 0.5

_BLACK = Image.new("RGB", (32, 18), (0, 0, 0))
_WHITE = Image.new("RGB", (32, 18), (255, 255, 255))


def initial_verdicts(frames: Sequence[AnalysedFrame], duration: float) -> list[FrameVerdict]:
    times = [frame.time for frame in frames]
    gaps = [b - a for a, b in pairwise(times)]
    typical = statistics.median(gaps) if gaps else duration
    verdicts = []
    for index, frame in enumerate(frames):
        following = times[index + 1] if index + 1 < len(times) else max(duration, frame.time)
        span = min(following - frame.time, 2.0 * typical) if typical > 0 else following - frame.time
        verdicts.append(FrameVerdict(frame.time, max(span, 0.0), hard_junk(frame.features), 0.0))
    return verdicts


def mark_transitions(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> None:
    """Fades, dissolves and partial flashes: a frame that is a blend of what surrounds it.

    Motion also makes a frame look like the average of its neighbours, so the tests are
    guarded: a fade needs a real change of brightness towards black or white and a close
    match; a dissolve needs neighbours from different shots and a frame that belongs to
    neither (with keyframes ~2 s apart, a 1-2 s dissolve shows up as one such frame).
    """
    for index in range(1, len(frames) - 1):
        if verdicts[index].junk is not None:
            continue
        here = frames[index].features
        before, after = frames[index - 1].features, frames[index + 1].features
        # A fade is this frame = a *good* neighbour mixed with black or white; a junk neighbour
        # (a dark title card, a flash) explains nothing about this frame.
        faded = any(
            verdicts[other].junk is None and _is_fade(here, frames[other].features)
            for other in (index - 1, index + 1)
        )
        if faded or _is_dissolve(here, before, after):
            verdicts[index].junk = Junk.TRANSITION
            continue
        joined = _long_dissolve_ends(frames, index)
        if joined is not None:  # every frame between the two shots it joins is part of the blend
            for inside in range(joined[0] + 1, joined[1]):
                verdicts[inside].junk = verdicts[inside].junk or Junk.TRANSITION
    if len(frames) >= 2:  # the first and last frames have one neighbour: fades only
        for index, other in ((0, 1), (len(frames) - 1, len(frames) - 2)):
            if (
                verdicts[index].junk is None
                and verdicts[other].junk is None
                and _is_fade(frames[index].features, frames[other].features)
            ):
                verdicts[index].junk = Junk.TRANSITION


def _long_dissolve_ends(frames: Sequence[AnalysedFrame], index: int) -> tuple[int, int] | None:
    """A blend of the frames a few steps away on both sides: a dissolve seen several times.

    Analysed densely (a short video, frames under a second apart), a 2-3 s dissolve spans
    several frames, each close to the next (no cut between them): only frames further out show
    the two shots it joins. Returns the indexes of those two frames, or None.
    """
    here = frames[index].features
    for step in range(2, DISSOLVE_MAX_STEPS + 1):
        before, after = index - step, index + step
        if before < 0 or after >= len(frames):
            return None
        if frames[after].time - frames[before].time > 2 * DISSOLVE_REACH or _has_cut(frames, before, after):
            return None
        if _is_dissolve(here, frames[before].features, frames[after].features):
            return before, after
    return None


def _has_cut(frames: Sequence[AnalysedFrame], first: int, last: int) -> bool:
    """A colour jump between consecutive frames from ``first`` to ``last``: a cut, not a dissolve."""
    return any(
        histogram_distance(frames[i].features.histogram, frames[i + 1].features.histogram) > SHOT_CUT_DISTANCE
        for i in range(first, last)
    )


def _is_fade(here: FrameFeatures, neighbour: FrameFeatures) -> bool:
    """``here`` is ``neighbour`` mixed with black (fade) or white (flash)."""
    change = thumb_distance(here.thumb, neighbour.thumb)
    if change < TRANSITION_MIN_CHANGE:
        return False
    if here.luma_mean < neighbour.luma_mean - FADE_MIN_LUMA_CHANGE:
        towards = _BLACK
    elif here.luma_mean > neighbour.luma_mean + FADE_MIN_LUMA_CHANGE:
        towards = _WHITE
    else:
        return False
    best = min(thumb_distance(here.thumb, Image.blend(neighbour.thumb, towards, w)) for w in MIX_WEIGHTS)
    return best < TRANSITION_GAIN * change


def _is_dissolve(here: FrameFeatures, before: FrameFeatures, after: FrameFeatures) -> bool:
    """A frame between two different shots, like neither, and closer to their blend."""
    if histogram_distance(before.histogram, after.histogram) <= SHOT_CUT_DISTANCE:
        return False
    if min(histogram_distance(here.histogram, n.histogram) for n in (before, after)) <= SHOT_CUT_DISTANCE:
        return False
    change = min(thumb_distance(here.thumb, n.thumb) for n in (before, after))
    best = min(thumb_distance(here.thumb, Image.blend(before.thumb, after.thumb, w)) for w in MIX_WEIGHTS)
    return best < DISSOLVE_GAIN * change


def mark_blur(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> None:
    reference = _sharpness_reference(frames, verdicts)
    for frame, verdict in zip(frames, verdicts, strict=True):
        features = frame.features
        if (
            verdict.junk is None
            and features.relative_sharpness < BLUR_RELATIVE * reference
            and features.detail_spread < BLUR_MAX_SPREAD
        ):
            verdict.junk = Junk.BLURRY


def _sharpness_reference(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> float:
    # Stars on a black sky are all Laplacian (points on flat black): they say nothing about how
    # crisp the video's daylight pictures can be, and would make every one of them "blurry".
    values = sorted(
        frame.features.relative_sharpness
        for frame, verdict in zip(frames, verdicts, strict=True)
        if verdict.junk is None and not is_starry(frame.features)
    )
    if not values:
        return 1.0
    return values[min(len(values) - 1, int(SHARP_PERCENTILE * len(values)))]


def score(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> None:
    reference = _sharpness_reference(frames, verdicts)
    for frame, verdict in zip(frames, verdicts, strict=True):
        verdict.quality = quality(frame.features, sharpness_reference=reference)
