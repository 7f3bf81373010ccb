"""Which snapshot becomes the default cover: a pure rule on measured frames (docs/design.md,
"Cover rules").

The measures come from the one frame-quality module (:mod:`vodcover.media.frame_features`,
which the smart cover judges its frames with too); here only numbers and junk kinds, no image
library, so the rule is unit-testable on hand-written scores. What users rely on:

- a junk frame (black, white flash, flat, dark, pattern, title card) is never the cover when a
  good one exists; with nothing but junk, there is still a cover;
- a frame far softer than the sharpest good one is not the cover either (motion blur, a focus
  pull), even when it is not junk on its own;
- among frames that score about the same, the one nearest the middle of the video wins, which
  is what viewers expect from a default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

# A frame far softer than the sharpest good one is treated as blurred. Edge energy also depends
# on content (a test card has 7x fewer edges than a fractal), so the ratio is loose: motion blur
# within one scene divides it by 3 or more.
RELATIVE_BLUR = 0.25
# Totals closer than this are a tie, settled by the distance to the middle of the video.
TIE_TOLERANCE = 0.03


@dataclass(frozen=True)
class FrameScore:
    """One snapshot's measures and verdict, small enough to log for every snapshot."""

    brightness: float  # mean luma 0..255
    contrast: float  # luma stddev
    sharpness: float  # Laplacian stddev relative to the contrast (FrameFeatures.relative_sharpness)
    entropy: float  # luma histogram entropy, bits (0..8)
    total: float  # 0..1, higher is a better cover (frame_features.quality)
    flags: tuple[str, ...] = ()  # the junk kind, if any (frame_features.Junk values)

    @property
    def is_junk(self) -> bool:
        return bool(self.flags)

    def to_log(self) -> dict[str, object]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def choose_default_cover(scores: Sequence[FrameScore]) -> int:
    """Index of the best cover: never junk when a good frame exists; ties go to the middle."""
    if not scores:
        raise ValueError("no frames to choose from")
    candidates = [i for i, s in enumerate(scores) if not s.is_junk] or list(range(len(scores)))
    candidates = _drop_relatively_blurred(scores, candidates)
    best_total = max(scores[i].total for i in candidates)
    tied = [i for i in candidates if best_total - scores[i].total <= TIE_TOLERANCE]
    middle = (len(scores) - 1) / 2
    return min(tied, key=lambda i: (abs(i - middle), -scores[i].total, i))


def _drop_relatively_blurred(scores: Sequence[FrameScore], candidates: list[int]) -> list[int]:
    sharpest = max(scores[i].sharpness for i in candidates)
    crisp = [i for i in candidates if scores[i].sharpness >= RELATIVE_BLUR * sharpest]
    return crisp or candidates
