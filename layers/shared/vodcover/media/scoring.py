"""How good a frame is as a cover, and which snapshot becomes the default cover.

Pillow only (the media layer ships no numpy). Measures work on small grey thumbnails, so scoring
a 1280 px frame costs about 7 ms, most of it the first downscale:

- exposure: mean luma; frames that are nearly black or blown out (a flash) are junk;
- contrast: luma standard deviation; fades and washed-out frames have little;
- sharpness: spread of a Laplacian (edge energy) on a :data:`SHARPNESS_SIZE` thumbnail; motion
  blur and focus pulls have little. Measured: a Gaussian blur of radius 4 on a 1280 px frame
  keeps ~65 % of the edge energy at 160 px but only ~33 % at 320 px, so blur is judged at 320;
- detail: histogram entropy in bits; a flat slate or a single colour has almost none;
- title cards and synthetic patterns (colour bars, gradients): the smart-cover selector's
  per-frame junk tests (:mod:`vodcover.media.frame_features`), so both judge junk alike.

:func:`choose_default_cover` never picks a junk frame (black, flash, flat, faded, blurred) when a
better one exists, and among frames that score about the same it picks the one nearest the
middle of the video, which is what viewers expect from a default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from PIL import Image, ImageFilter, ImageStat

from vodcover.media.frame_features import Junk, hard_junk, measure

THUMBNAIL_SIZE = 160
ANALYSIS_SIZE = 192  # the smart-cover selector's analysis width: its thresholds were tuned there
SHARPNESS_SIZE = 320

# Junk thresholds on 0..255 luma, calibrated on lavfi scenes, fades and synthetic frames.
BLACK_MEAN = 28.0
FLASH_MEAN = 228.0
FLAT_STDDEV = 8.0
FLAT_ENTROPY = 1.0
FADED_STDDEV = 22.0
FADED_SHARPNESS = 10.0  # fine patterns average to grey in a thumbnail: faded needs few edges too
BLURRED_SHARPNESS = 2.5  # Laplacian stddev at SHARPNESS_SIZE (smooth gradients fall below too)
SHARPNESS_REFERENCE = 40.0  # a crisp, detailed frame reaches this
CONTRAST_REFERENCE = 64.0

# A frame far softer than the sharpest good one is treated as blurred even above the floor. Edge
# energy also depends on content (a test card has 7x fewer edges than a fractal), so the ratio is
# loose: motion blur within one scene divides it by 3 or more.
RELATIVE_BLUR = 0.25
# Totals closer than this are a tie, settled by the distance to the middle of the video.
TIE_TOLERANCE = 0.03

WEIGHTS = {"exposure": 0.15, "contrast": 0.25, "sharpness": 0.35, "detail": 0.25}

_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)


@dataclass(frozen=True)
class FrameScore:
    """One frame's measures and verdict, small enough to log for every snapshot."""

    brightness: float  # mean luma 0..255
    contrast: float  # luma stddev
    sharpness: float  # Laplacian stddev
    entropy: float  # histogram entropy, bits (0..8)
    total: float  # 0..1, higher is a better cover
    flags: tuple[str, ...] = ()  # why it is junk: black, flash, flat, faded, blurred, pattern, title-card

    @property
    def is_junk(self) -> bool:
        return bool(self.flags)

    def to_log(self) -> dict[str, object]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def score_frame(image: Image.Image) -> FrameScore:
    """Measure ``image`` (any mode, any size) on a grey thumbnail."""
    detailed = _grey_thumbnail(image, SHARPNESS_SIZE)
    grey = _grey_thumbnail(detailed, THUMBNAIL_SIZE)
    stats = ImageStat.Stat(grey)
    brightness, contrast = float(stats.mean[0]), float(stats.stddev[0])
    sharpness = _edge_energy(detailed)
    entropy = max(0.0, float(grey.entropy()))
    flags = _junk_flags(brightness, contrast, sharpness, entropy) + _synthetic_flags(image)
    return FrameScore(
        brightness, contrast, sharpness, entropy, _total(brightness, contrast, sharpness, entropy), flags
    )


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


def _grey_thumbnail(image: Image.Image, size: int) -> Image.Image:
    grey = image if image.mode == "L" else image.convert("L")
    if max(grey.size) > size:
        grey = grey.copy()
        grey.thumbnail((size, size), Image.Resampling.BILINEAR)
    return grey


def _edge_energy(grey: Image.Image) -> float:
    """Laplacian stddev, ignoring the one-pixel border Pillow's kernel filter leaves unfiltered."""
    if grey.width < 3 or grey.height < 3:
        return 0.0
    edges = grey.filter(_LAPLACIAN)
    return float(ImageStat.Stat(edges.crop((1, 1, edges.width - 1, edges.height - 1))).stddev[0])


def _junk_flags(brightness: float, contrast: float, sharpness: float, entropy: float) -> tuple[str, ...]:
    flags: list[str] = []
    if brightness < BLACK_MEAN:
        flags.append("black")
    if brightness > FLASH_MEAN:
        flags.append("flash")
    if contrast < FLAT_STDDEV or entropy < FLAT_ENTROPY:
        flags.append("flat")
    elif contrast < FADED_STDDEV and sharpness < FADED_SHARPNESS:
        flags.append("faded")
    if sharpness < BLURRED_SHARPNESS and "flat" not in flags:
        flags.append("blurred")
    return tuple(flags)


def _synthetic_flags(image: Image.Image) -> tuple[str, ...]:
    """A title card or a test pattern is well exposed and sharp, yet no cover a person would pick."""
    small = image.convert("RGB")
    small.thumbnail((ANALYSIS_SIZE, ANALYSIS_SIZE), Image.Resampling.BILINEAR)
    junk = hard_junk(measure(small))
    return (str(junk),) if junk in (Junk.PATTERN, Junk.TITLE_CARD) else ()


def _total(brightness: float, contrast: float, sharpness: float, entropy: float) -> float:
    parts = {
        "exposure": max(0.0, 1.0 - ((brightness - 128.0) / 128.0) ** 2),
        "contrast": min(contrast / CONTRAST_REFERENCE, 1.0),
        "sharpness": min(sharpness / SHARPNESS_REFERENCE, 1.0),
        "detail": min(entropy / 8.0, 1.0),
    }
    return round(sum(WEIGHTS[name] * value for name, value in parts.items()), 4)


def _drop_relatively_blurred(scores: Sequence[FrameScore], candidates: list[int]) -> list[int]:
    sharpest = max(scores[i].sharpness for i in candidates)
    crisp = [i for i in candidates if scores[i].sharpness >= RELATIVE_BLUR * sharpest]
    return crisp or candidates
