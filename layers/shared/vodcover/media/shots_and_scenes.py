"""Shots and scenes: consecutive good frames that stay close in colour, then shots that look alike.

A jump in colour starts a new shot; junk frames end one (a scene interrupted by a flash is two
shots). Shots showing the same thing (the same place shown twice, a scene split by junk) are
merged into one scene, so a repeated scene counts once and never yields two candidates.
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import ImageOps

from vodcover.media.frame_features import FrameFeatures
from vodcover.media.frame_verdicts import AnalysedFrame, FrameVerdict
from vodcover.media.picture_measures import histogram_distance, thumb_distance

SHOT_CUT_DISTANCE = 0.30  # histogram distance between consecutive frames that starts a new shot
SCENE_MERGE_DISTANCE = 0.18  # shots this close in colour are one scene ...
SCENE_MERGE_THUMB = 28.0  # ... or closer in colour and similar in layout
SCENE_MERGE_LOOSE_DISTANCE = 0.30
HAZY_STD = 16.0  # luma std below which colour histograms stop telling pictures apart


def split_shots(frames: Sequence[AnalysedFrame], verdicts: list[FrameVerdict]) -> list[list[int]]:
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


def merge_scenes(
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


def scene_shares(verdicts: list[FrameVerdict], duration: float) -> dict[int, float]:
    total = sum(verdict.span for verdict in verdicts) or max(duration, 1e-6)
    shares: dict[int, float] = {}
    for verdict in verdicts:
        if verdict.scene >= 0:
            shares[verdict.scene] = shares.get(verdict.scene, 0.0) + verdict.span / total
    return shares
