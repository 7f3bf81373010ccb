"""From measured frames to ranked cover moments: junk, shots, scenes, one best frame per scene.

Pure Python on :class:`~vodcover.media.frame_features.FrameFeatures`, no ffmpeg, so every rule
is unit-testable on synthetic frames. The steps, and why:

1. **Junk**, decided per frame (black, flash, flat, title card, pattern) and then against the
   neighbours: a frame that is a mix of its neighbours or a neighbour faded to black or white is
   a transition; a frame far softer than the video's own sharp frames is blur, not style.
2. **Shots**: consecutive good frames whose colour histograms stay close belong together; a
   jump starts a new shot. Junk frames between two halves of a scene split it, step 3 mends it.
3. **Scenes**: shots that look alike (the same place shown twice, a scene interrupted by a
   flash) are merged, so a repeated scene counts once and never yields two candidates.
4. **Ranking**: each scene offers its best frame; scenes are ranked by that frame's quality and
   by how much of the video the scene fills (representativeness), and near-duplicates are
   skipped. Fewer good scenes than asked for means fewer candidates: junk never pads the list.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from PIL import Image, ImageOps

from vodcover.media.frame_features import (
    FrameFeatures,
    Junk,
    hard_junk,
    histogram_distance,
    quality,
    thumb_distance,
)

SHOT_CUT_DISTANCE = 0.30  # histogram distance between consecutive frames that starts a new shot
SCENE_MERGE_DISTANCE = 0.18  # shots this close in colour are one scene ...
SCENE_MERGE_THUMB = 28.0  # ... or closer in colour and similar in layout
SCENE_MERGE_LOOSE_DISTANCE = 0.30
HAZY_STD = 16.0  # luma std below which colour histograms stop telling pictures apart
NEAR_DUPLICATE_DISTANCE = 0.12
NEAR_DUPLICATE_THUMB = 14.0
# Transitions: the frame is explained by mixing its neighbours (or one neighbour with black or
# white) much better than by either neighbour alone.
MIX_WEIGHTS = (0.25, 0.5, 0.75)
TRANSITION_GAIN = 0.55
TRANSITION_MIN_CHANGE = 8.0
DISSOLVE_GAIN = 0.85
FADE_MIN_LUMA_CHANGE = 15.0  # a fade darkens or brightens the picture by at least this much
BLUR_RELATIVE = 0.4  # softer than 40 % of the video's sharp frames is blur
SHARP_PERCENTILE = 0.8
MIN_QUALITY = 0.04  # below this a frame is too poor to propose, even when it is not junk
MIN_RELATIVE_QUALITY = 0.2  # ... or below 20 % of the video's best scene (night, haze stay in)
CUT_CLEARANCE = 0.5  # s: how far from a possible cut a picture is taken

_BLACK = Image.new("RGB", (32, 18), (0, 0, 0))
_WHITE = Image.new("RGB", (32, 18), (255, 255, 255))


@dataclass(frozen=True)
class AnalysedFrame:
    """One decoded analysis frame: when it is shown and what it looks like."""

    time: float
    features: FrameFeatures


@dataclass
class FrameVerdict:
    """What the selector concluded about one frame (the timeline the animated cover reuses)."""

    time: float
    span: float  # seconds of video this frame stands for (until the next analysed frame)
    junk: Junk | None
    quality: float
    shot: int = -1  # -1 for junk frames
    scene: int = -1


@dataclass(frozen=True)
class Pick:
    """A chosen moment: the frame, its scene and the stretch of good video around it."""

    frame_index: int
    time: float
    score: float
    scene: int
    window: tuple[float, float]  # the good shot containing the frame: safe for an animation
    safe_time: float = -1.0  # where to take the picture: away from a cut that may lie next to it


@dataclass
class Selection:
    verdicts: list[FrameVerdict]
    picks: list[Pick]
    scene_count: int
    scene_shares: dict[int, float] = field(default_factory=dict)


def select_moments(frames: Sequence[AnalysedFrame], *, count: int, duration: float) -> Selection:
    """Rank up to ``count`` moments from distinct scenes, best first, never junk."""
    if not frames:
        return Selection([], [], 0)
    ordered = sorted(frames, key=lambda frame: frame.time)
    verdicts = _initial_verdicts(ordered, duration)
    _mark_transitions(ordered, verdicts)
    _mark_blur(ordered, verdicts)
    _score(ordered, verdicts)
    shots = _split_shots(ordered, verdicts)
    scenes = _merge_scenes(ordered, verdicts, shots)
    shares = _scene_shares(verdicts, duration)
    picks = _rank(ordered, verdicts, scenes, shares, count)
    # Nothing good means no candidate: a title card or a dark frame is never a cover.
    return Selection(verdicts, picks, len(scenes), scene_shares=shares)


# --- junk --------------------------------------------------------------------------------
def _initial_verdicts(frames: Sequence[AnalysedFrame], duration: float) -> list[FrameVerdict]:
    times = [frame.time for frame in frames]
    gaps = [b - a for a, b in pairwise(times)]
    typical = statistics.median(gaps) if gaps else duration
    verdicts = []
    for index, frame in enumerate(frames):
        following = times[index + 1] if index + 1 < len(times) else max(duration, frame.time)
        span = min(following - frame.time, 2.0 * typical) if typical > 0 else following - frame.time
        verdicts.append(FrameVerdict(frame.time, max(span, 0.0), hard_junk(frame.features), 0.0))
    return verdicts


def _mark_transitions(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> None:
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
    if len(frames) >= 2:  # the first and last frames have one neighbour: fades only
        for index, other in ((0, 1), (len(frames) - 1, len(frames) - 2)):
            if (
                verdicts[index].junk is None
                and verdicts[other].junk is None
                and _is_fade(frames[index].features, frames[other].features)
            ):
                verdicts[index].junk = Junk.TRANSITION


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


def _mark_blur(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> None:
    reference = _sharpness_reference(frames, verdicts)
    for frame, verdict in zip(frames, verdicts, strict=True):
        if verdict.junk is None and frame.features.relative_sharpness < BLUR_RELATIVE * reference:
            verdict.junk = Junk.BLURRY


def _sharpness_reference(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> float:
    values = sorted(
        frame.features.relative_sharpness
        for frame, verdict in zip(frames, verdicts, strict=True)
        if verdict.junk is None
    )
    if not values:
        return 1.0
    return values[min(len(values) - 1, int(SHARP_PERCENTILE * len(values)))]


def _score(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> None:
    reference = _sharpness_reference(frames, verdicts)
    for frame, verdict in zip(frames, verdicts, strict=True):
        verdict.quality = quality(frame.features, sharpness_reference=reference)


# --- shots and scenes ----------------------------------------------------------------------
def _split_shots(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> list[list[int]]:
    """Runs of good frames without a colour jump; junk frames end a run."""
    shots: list[list[int]] = []
    current: list[int] = []
    for index, verdict in enumerate(verdicts):
        if verdict.junk is not None:
            if current:
                shots.append(current)
            current = []
            continue
        if (
            current
            and histogram_distance(frames[current[-1]].features.histogram, frames[index].features.histogram)
            > SHOT_CUT_DISTANCE
        ):
            shots.append(current)
            current = []
        current.append(index)
    if current:
        shots.append(current)
    for shot_id, members in enumerate(shots):
        for index in members:
            verdicts[index].shot = shot_id
    return shots


def _merge_scenes(
    frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict], shots: list[list[int]]
) -> list[list[int]]:
    """Group shots that show the same thing (single linkage): returns shot ids per scene."""
    parent = list(range(len(shots)))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for first in range(len(shots)):
        for second in range(first + 1, len(shots)):
            if root(first) != root(second) and _shots_alike(frames, shots[first], shots[second]):
                parent[root(second)] = root(first)
    groups: dict[int, list[int]] = {}
    for shot_id in range(len(shots)):
        groups.setdefault(root(shot_id), []).append(shot_id)
    scenes = list(groups.values())
    for scene_id, shot_ids in enumerate(scenes):
        for shot_id in shot_ids:
            for index in shots[shot_id]:
                verdicts[index].scene = scene_id
    return scenes


def _shots_alike(frames: Sequence[AnalysedFrame], first: list[int], second: list[int]) -> bool:
    """Any pair of frames across the two shots is close in colour (and, loosely, in layout)."""
    for a in _sample(first):
        for b in _sample(second):
            fa, fb = frames[a].features, frames[b].features
            colour = histogram_distance(fa.histogram, fb.histogram)
            # Low contrast (haze, fog) or one dominant colour (night) squeezes every picture
            # into a few colour bins: there colour alone does not say two shots show the same
            # thing; layout must agree too.
            hazy = min(fa.luma_std, fb.luma_std) < HAZY_STD or max(fa.dominant_share, fb.dominant_share) > 0.5
            if colour < SCENE_MERGE_DISTANCE and not hazy:
                return True
            if (
                colour < SCENE_MERGE_LOOSE_DISTANCE
                and _layout_distance(fa, fb, hazy=hazy) < SCENE_MERGE_THUMB
            ):
                return True
    return False


def _layout_distance(first: FrameFeatures, second: FrameFeatures, *, hazy: bool) -> float:
    """Thumbnail distance; for hazy frames after stretching each to full contrast."""
    if not hazy:
        return thumb_distance(first.thumb, second.thumb)
    return thumb_distance(ImageOps.autocontrast(first.thumb), ImageOps.autocontrast(second.thumb))


def _sample(members: list[int], limit: int = 6) -> list[int]:
    """At most ``limit`` frames spread over a shot: bounds the pairwise comparisons."""
    if len(members) <= limit:
        return members
    step = (len(members) - 1) / (limit - 1)
    return [members[round(i * step)] for i in range(limit)]


def _scene_shares(verdicts: list[FrameVerdict], duration: float) -> dict[int, float]:
    total = sum(verdict.span for verdict in verdicts) or max(duration, 1e-6)
    shares: dict[int, float] = {}
    for verdict in verdicts:
        if verdict.scene >= 0:
            shares[verdict.scene] = shares.get(verdict.scene, 0.0) + verdict.span / total
    return shares


# --- ranking -----------------------------------------------------------------------------
def _rank(
    frames: Sequence[AnalysedFrame],
    verdicts: list[FrameVerdict],
    scenes: list[list[int]],
    shares: dict[int, float],
    count: int,
) -> list[Pick]:
    offered = (_scene_offer(verdicts, scene_id, shares) for scene_id in range(len(scenes)))
    offers = [offer for offer in offered if offer is not None]
    if not offers:
        return []
    best_quality = max(verdicts[offer.frame_index].quality for offer in offers)
    floor = max(MIN_QUALITY, MIN_RELATIVE_QUALITY * best_quality)
    offers = [offer for offer in offers if verdicts[offer.frame_index].quality >= floor]
    offers.sort(key=lambda offer: offer.score, reverse=True)
    picks: list[Pick] = []
    for offer in offers:
        if len(picks) >= count:
            break
        if any(_near_duplicate(frames[offer.frame_index], frames[pick.frame_index]) for pick in picks):
            continue
        picks.append(offer)
    return picks


def _scene_offer(verdicts: list[FrameVerdict], scene_id: int, shares: dict[int, float]) -> Pick | None:
    members = [i for i, verdict in enumerate(verdicts) if verdict.scene == scene_id]
    if not members:
        return None
    best = max(members, key=lambda i: verdicts[i].quality * _inside_bonus(verdicts, i))
    largest = max(shares.values()) or 1.0
    representativeness = 0.55 + 0.45 * math.sqrt(shares.get(scene_id, 0.0) / largest)
    score = verdicts[best].quality * representativeness
    window = _shot_window(verdicts, best)
    return Pick(best, verdicts[best].time, round(score, 4), scene_id, window, away_from_cuts(verdicts, best))


def away_from_cuts(verdicts: list[FrameVerdict], index: int) -> float:
    """A time in the frame's shot at least ``CUT_CLEARANCE`` from where the shot may change.

    Analysed frames are keyframes, often ~2 s apart: when the frame before belongs to another
    shot (or is junk: a flash, a fade), the cut lies somewhere in between, possibly right
    before this frame, and x264 puts keyframes exactly on cuts. Moving into the shot, towards
    a neighbour of the same shot, keeps the picture clear of the change.
    """
    here = verdicts[index]
    last = len(verdicts) - 1
    changed_before = index > 0 and verdicts[index - 1].shot != here.shot
    changed_after = index < last and verdicts[index + 1].shot != here.shot
    gap_after = verdicts[index + 1].time - here.time if index < last else here.span
    gap_before = here.time - verdicts[index - 1].time if index > 0 else 0.0
    if changed_before and not changed_after:
        return round(here.time + min(CUT_CLEARANCE, gap_after / 2), 3)
    if changed_after and not changed_before and index > 0:
        return round(here.time - min(CUT_CLEARANCE, gap_before / 2), 3)
    if changed_before and changed_after:
        return round(here.time + min(CUT_CLEARANCE, gap_after / 3), 3)
    return here.time


def _inside_bonus(verdicts: list[FrameVerdict], index: int) -> float:
    """Frames near a shot boundary are likelier to be caught mid-transition, or next to a cut.

    The cut lies before the shot's first analysed frame (unless the video starts there) and
    after its last: how far this frame surely is from both, up to ``CUT_CLEARANCE``, counts.
    """
    shot = verdicts[index].shot
    members = [
        i for i in range(max(0, index - 64), min(len(verdicts), index + 65)) if verdicts[i].shot == shot
    ]
    first, last = members[0], members[-1]
    clear = CUT_CLEARANCE
    if first > 0:
        clear = min(clear, verdicts[index].time - verdicts[first].time)
    if last < len(verdicts) - 1:
        clear = min(clear, verdicts[last].time - verdicts[index].time)
    return 0.7 + 0.3 * clear / CUT_CLEARANCE


def _shot_window(verdicts: list[FrameVerdict], index: int) -> tuple[float, float]:
    shot = verdicts[index].shot
    members = [i for i, verdict in enumerate(verdicts) if verdict.shot == shot]
    start = verdicts[members[0]].time
    end = verdicts[members[-1]].time + verdicts[members[-1]].span
    return (start, end)


def _near_duplicate(first: AnalysedFrame, second: AnalysedFrame) -> bool:
    colour = histogram_distance(first.features.histogram, second.features.histogram)
    layout = thumb_distance(first.features.thumb, second.features.thumb)
    return colour < NEAR_DUPLICATE_DISTANCE or layout < NEAR_DUPLICATE_THUMB
