"""What the smart-cover selector reads and concludes: analysed frames, verdicts, picks.

The shared vocabulary of :mod:`vodcover.media.scene_selection` and its steps
(:mod:`~vodcover.media.junk_in_context`, :mod:`~vodcover.media.shots_and_scenes`,
:mod:`~vodcover.media.scene_ranking`); the verdicts are also the timeline the animated cover reuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vodcover.media.frame_features import FrameFeatures, Junk


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
