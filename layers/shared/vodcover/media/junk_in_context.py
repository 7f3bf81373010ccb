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

from vodcover.media.frame_features import FrameFeatures, Junk, hard_junk, is_starry, quality
from vodcover.media.frame_verdicts import AnalysedFrame, FrameVerdict
from vodcover.media.picture_measures import histogram_distance, thumb_distance
from vodcover.media.shots_and_scenes import SHOT_CUT_DISTANCE

# Transitions: the frame is explained by mixing its neighbours (or one neighbour with black or
# white) much better than by either neighbour alone.
MIX_WEIGHTS = (0.25, 0.5, 0.75)
TRANSITION_GAIN = 0.55
TRANSITION_MIN_CHANGE = 8.0
DISSOLVE_GAIN = 0.85
DISSOLVE_MAX_STEPS = 13  # frames each side a long dissolve is looked for across ...
DISSOLVE_REACH = 2.5  # s: ... within this much video each side (a 5 s dissolve)
DISSOLVE_MIN_STEP = 0.1  # ... and, when a step jumps like a cut, every step changes this much
DISSOLVE_RAMP_TOLERANCE = 0.25  # each frame's mix of the two within this of a steady ramp
FADE_MIN_LUMA_CHANGE = 15.0  # a fade darkens or brightens the picture by at least this much
BLUR_RELATIVE = 0.4  # softer than 40 % of the video's sharp frames is blur
SHARP_PERCENTILE = 0.8
# ... unless edges (for its own contrast: haze has faint ones) run all over it: a picture with
# less fine detail than the video's crispest (a face, a soft close-up, a hazy view), not a
# blurred one. A defocus leaves edges nowhere.
BLUR_MAX_SPREAD = 0.5
# A whip pan: detail smeared along the motion (the weaker of the across and down gradients under
# 55 % of the stronger: pans 0.1-0.5; no crisp edge in half the cells) in a picture unlike the
# frames on both sides of it (it sweeps past). Still pictures that uneven and that soft (night,
# a soft sky, a rotated phone clip) change by under 16 from one analysed frame to the next.
WHIP_MAX_BALANCE = 0.55
WHIP_MIN_CHANGE = 20.0

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
        joined = _long_dissolve_ends(frames, verdicts, index)
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


def _long_dissolve_ends(
    frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict], index: int
) -> tuple[int, int] | None:
    """A blend of the frames a few steps away on both sides: a dissolve seen several times.

    Analysed densely (frames under a second apart), a 2-5 s dissolve spans several frames: only
    frames further out show the two shots it joins. Sampled sparsely a slow dissolve's steps can
    jump in colour like cuts (:func:`_changes_gradually` tells them apart); the frames between
    the two ends go from the first to the second in step with time (a short scene between two
    others is a plateau), and none is junk (a flash between two shots is a cut). Returns the
    indexes of those two ends, or None.
    """
    here = frames[index].features
    for step in range(2, DISSOLVE_MAX_STEPS + 1):
        before, after = index - step, index + step
        if before < 0 or after >= len(frames):
            return None
        if verdicts[before].junk or verdicts[after].junk:  # junk inside: a flash, a cut
            return None
        if frames[after].time - frames[before].time > 2 * DISSOLVE_REACH:
            return None
        ends = frames[before].features, frames[after].features
        run = frames[before : after + 1]
        if _is_dissolve(here, *ends) and _changes_gradually(run) and _progresses(run, *ends):
            return before, after
    return None


def _changes_gradually(run: Sequence[AnalysedFrame]) -> bool:
    """No cut in ``run``, or a change at every step from the first change to the last.

    Cuts between shots leave still frames between the jumps; a slow dissolve seen sparsely
    changes at every step, still only before and after it.
    """
    jumps = [histogram_distance(a.features.histogram, b.features.histogram) for a, b in pairwise(run)]
    if max(jumps) <= SHOT_CUT_DISTANCE:
        return True
    changing = [i for i, jump in enumerate(jumps) if jump >= DISSOLVE_MIN_STEP]
    return all(jump >= DISSOLVE_MIN_STEP for jump in jumps[changing[0] : changing[-1] + 1])


def _progresses(run: Sequence[AnalysedFrame], first: FrameFeatures, last: FrameFeatures) -> bool:
    """Each frame of ``run`` mixes ``first`` and ``last`` in step with time, as a dissolve does.

    A short scene between two others fits one mix for all its frames (a plateau), not a ramp.
    """
    start, span = run[0].time, run[-1].time - run[0].time
    return span > 0 and all(
        abs(_blend_weight(frame.features, first, last) - (frame.time - start) / span)
        <= DISSOLVE_RAMP_TOLERANCE
        for frame in run[1:-1]
    )


def _blend_weight(here: FrameFeatures, first: FrameFeatures, last: FrameFeatures) -> float:
    """How much of ``last`` mixed into ``first`` looks most like ``here`` (0..1, in tenths)."""
    weights = [w / 10 for w in range(11)]
    return min(weights, key=lambda w: thumb_distance(here.thumb, Image.blend(first.thumb, last.thumb, w)))


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


def mark_whip_pans(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> None:
    """A frame inside a fast pan: smeared one way, no crisp detail, unlike both its neighbours.

    A still picture with lines one way (blinds, a horizon) or a soft night sky has steady
    neighbours; a cut's first frame is like the frame after it.
    """
    for index, (frame, verdict) in enumerate(zip(frames, verdicts, strict=True)):
        features = frame.features
        if (
            verdict.junk is not None
            or features.gradient_balance >= WHIP_MAX_BALANCE
            or features.detail_spread >= BLUR_MAX_SPREAD
        ):
            continue
        neighbours = [frames[i].features for i in (index - 1, index + 1) if 0 <= i < len(frames)]
        if neighbours and all(
            thumb_distance(features.thumb, other.thumb) > WHIP_MIN_CHANGE for other in neighbours
        ):
            verdict.junk = Junk.BLURRY


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
