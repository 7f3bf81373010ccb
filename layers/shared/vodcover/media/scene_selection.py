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

The steps live in :mod:`~vodcover.media.junk_in_context` (1), :mod:`~vodcover.media.shots_and_scenes`
(2, 3) and :mod:`~vodcover.media.scene_ranking` (4), on the types of
:mod:`~vodcover.media.frame_verdicts`; this module runs them in order.
"""

from __future__ import annotations

from collections.abc import Sequence

from vodcover.media.frame_verdicts import AnalysedFrame, FrameVerdict, Pick, Selection
from vodcover.media.junk_in_context import (
    initial_verdicts,
    mark_blur,
    mark_transitions,
    mark_whip_pans,
    score,
)
from vodcover.media.scene_ranking import away_from_cuts, rank
from vodcover.media.shots_and_scenes import merge_scenes, scene_shares, split_shots

__all__ = ["AnalysedFrame", "FrameVerdict", "Pick", "Selection", "away_from_cuts", "select_moments"]


def select_moments(frames: Sequence[AnalysedFrame], *, count: int, duration: float) -> Selection:
    """Rank up to ``count`` moments from distinct scenes, best first, never junk."""
    if not frames:
        return Selection([], [], 0)
    ordered = sorted(frames, key=lambda frame: frame.time)
    verdicts = initial_verdicts(ordered, duration)
    mark_transitions(ordered, verdicts)
    mark_whip_pans(ordered, verdicts)
    mark_blur(ordered, verdicts)
    score(ordered, verdicts)
    shots = split_shots(ordered, verdicts)
    scenes = merge_scenes(ordered, verdicts, shots)
    shares = scene_shares(verdicts, duration)
    picks = rank(ordered, verdicts, scenes, shares, count)
    # Nothing good means no candidate: a title card or a dark frame is never a cover.
    return Selection(verdicts, picks, len(scenes), scene_shares=shares)
