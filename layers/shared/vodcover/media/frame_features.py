"""What a small analysis frame looks like, in numbers, with Pillow only (no numpy on Lambda).

The one frame-quality module: the features, the junk kinds (:class:`Junk`) and the quality
formula that both the smart cover and the default cover judge frames by. The smart-cover
selector decodes keyframes at a few hundred pixels and asks, for each one:
is it well exposed, contrasted, sharp, colourful, detailed? Is it junk a person would never
pick as a cover: black, a white flash, a flat colour, a title card (few colours, thin
high-contrast strokes on a flat background), colour bars or another synthetic pattern?
Everything here is per frame; what needs neighbours (fades, dissolves, blur relative to the
rest of the video, scenes) lives in :mod:`vodcover.media.scene_selection`. Each snapshot is
measured once (:func:`score_frame`) and the default cover chosen among them by the pure rule
:func:`vodcover.domain.default_cover.choose_default_cover`.

Each measure is one or two C-level Pillow calls on a ~200 px image, so a frame costs about a
millisecond and the analysis never dominates the decode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from PIL import Image

from vodcover.domain.default_cover import FrameScore
from vodcover.media import picture_measures as measures
from vodcover.media.band_stats import band_mean, band_mean_std, histogram_mean_std

# Sizes of the derived images. The thumbnail compares frames (near-duplicates, dissolves); the
# histogram bins compare colour distributions (shots, repeated scenes).
THUMB_SIZE = (32, 18)
COLOUR_BITS = 2  # joint RGB histogram with 4 levels per channel: 64 bins
LUMA_BINS = 16

# Absolute thresholds on 8-bit luma, chosen on the benchmark corpus and real footage: a person
# calls a frame "black" well before its mean reaches 0, and a flash well before 255.
BLACK_MEAN = 30.0
DARK_MEAN = 48.0
DARK_STD = 28.0
WHITE_MEAN = 228.0
WHITE_STD = 30.0
FLAT_STD = 9.0
FLAT_ENTROPY = 4.0  # a low-contrast frame with this much luma entropy is haze, not a flat colour
FLAT_DOMINANT_SHARE = 0.88
# A dark frame with this much contrast and entropy is night by intent (stars, lit windows), not
# an under-exposed one: what is normal brightness for the video decides, not an absolute mean.
NIGHT_MIN_STD = 25.0
NIGHT_MIN_ENTROPY = 4.5  # a bright logo on black has high contrast but ~1-3 bits
# ... or with structure all over it (a starfield, a city's lit windows: ~2 bits, but detail in
# nearly every part of the picture), where a logo, a caption or the text of a card on black sits
# in a few parts only, and a fade or an under-exposed frame has lost its edges altogether.
NIGHT_MIN_SPREAD = 0.8  # share of the cells
NIGHT_EXPOSURE = 0.6  # the exposure term of a night frame: dark, but not a flaw
# A title card: one colour covers most of the picture, the rest is a handful of colours (text
# and its anti-aliasing), and there are strong thin edges.
CARD_DOMINANT_SHARE = 0.5
CARD_MAX_COLOURS = 10
CARD_MIN_EDGES = 0.004
# ... and the background is truly flat: a photographed or scanned page of text (paper grain,
# light falloff: luma entropy ~6) is what a screen recording shows, content, not a card.
CARD_MAX_ENTROPY = 5.0
COLOUR_BIN_MIN_SHARE = 0.004  # a posterised colour counts when it covers 0.4 % of the frame
# A synthetic pattern (colour bars, gradients, stripes): every column (or every row) is nearly
# one value, which no photograph of the world is.
PATTERN_RESIDUAL = 1.5
PATTERN_MIN_STD = 12.0
# The size every frame is judged at, snapshots and smart-cover frames alike: the thresholds above
# hold there; enough for exposure, blur, text strokes and colour, cheap to score. A crisp frame's
# relative sharpness at that size is ~1.
ANALYSIS_LONG_SIDE = 192  # px
SNAPSHOT_SHARPNESS_REFERENCE = 1.0


class Junk(StrEnum):
    """Why a frame must never be a cover."""

    BLACK = "black"
    DARK = "dark"
    WHITE = "white"
    FLAT = "flat"
    TITLE_CARD = "title-card"
    PATTERN = "pattern"
    BLURRY = "blurry"  # decided against the video's own frames, in scene_selection
    TRANSITION = "transition"  # fade, dissolve or flash: decided with the neighbours


@dataclass(frozen=True)
class FrameFeatures:
    """Measures of one analysis frame; ``image`` is kept for comparisons with neighbours."""

    luma_mean: float
    luma_std: float
    entropy: float  # bits, of the 256-bin luma histogram: ~7 for photos, < 3 for flat frames
    clipped_share: float  # pixels crushed to black or blown to white
    sharpness: float  # std of the Laplacian: high-frequency detail
    edge_share: float  # pixels with a strong Laplacian response
    colourfulness: float  # Hasler & Süsstrunk's metric: ~0 grey, 30 moderate, 80+ vivid
    dominant_share: float  # share of the most common posterised colour
    colour_count: int  # posterised colours covering at least COLOUR_BIN_MIN_SHARE
    pattern_residual: float  # how far the frame is from constant columns or rows
    centre_detail: float  # edge share in the centre relative to the whole frame
    edge_spread: float  # share of the picture's cells (SPREAD_GRID) with structure in them
    detail_spread: float  # the same, edges judged against the frame's own contrast (haze keeps them)
    gradient_balance: float  # weaker over stronger of the horizontal and vertical gradients: ~1 still
    histogram: tuple[float, ...] = field(repr=False)  # joint colour + luma, each summing to 1
    thumb: Image.Image = field(repr=False, compare=False)

    @property
    def relative_sharpness(self) -> float:
        """Sharpness that does not drop just because a scene is low in contrast."""
        return self.sharpness / max(self.luma_std, 12.0)


def measure(image: Image.Image) -> FrameFeatures:
    """All per-frame measures of an RGB analysis frame."""
    luma = image.convert("L")
    luma_hist = luma.histogram()
    luma_mean, luma_std = histogram_mean_std(luma_hist)
    pixels = float(luma.width * luma.height)
    laplacian = luma.filter(measures.laplacian_kernel())
    edges = laplacian.point(measures.edge_table())
    edge_spread = measures.edge_spread(edges)
    fine_counts = measures.colour_counts(image, measures.FINE_COLOUR_BITS)
    colour_hist = measures.coarser_counts(fine_counts, measures.FINE_COLOUR_BITS, COLOUR_BITS)
    fine_shares = measures.shares(fine_counts)
    return FrameFeatures(
        luma_mean=luma_mean,
        luma_std=luma_std,
        entropy=measures.entropy(luma_hist, pixels),
        clipped_share=(sum(luma_hist[:8]) + sum(luma_hist[248:])) / pixels,
        sharpness=band_mean_std(laplacian)[1],
        edge_share=band_mean(edges) / 255.0,
        colourfulness=measures.colourfulness(image),
        dominant_share=max(fine_shares),
        colour_count=sum(1 for share in fine_shares if share >= COLOUR_BIN_MIN_SHARE),
        pattern_residual=measures.pattern_residual(luma),
        centre_detail=measures.centre_detail(edges),
        edge_spread=edge_spread,
        detail_spread=measures.detail_spread(laplacian, luma_std, edge_spread),
        gradient_balance=measures.gradient_balance(luma),
        histogram=(
            *measures.normalised(colour_hist),
            *measures.normalised(measures.coarse(luma_hist, LUMA_BINS)),
        ),
        thumb=image.resize(THUMB_SIZE, Image.Resampling.BOX),
    )


def hard_junk(features: FrameFeatures) -> Junk | None:
    """Junk recognisable from the frame alone, or None. The order goes from surest to subtlest."""
    detailed_dark = is_night(features)
    if features.luma_mean < BLACK_MEAN and not detailed_dark:
        return Junk.BLACK
    if features.luma_mean > WHITE_MEAN and features.luma_std < WHITE_STD:
        return Junk.WHITE
    # A starfield is one colour nearly everywhere too, but not flat: stars are all over it.
    starry = is_starry(features)
    if (features.luma_std < FLAT_STD and features.entropy < FLAT_ENTROPY) or (
        features.dominant_share > FLAT_DOMINANT_SHARE and not starry
    ):
        return Junk.FLAT
    if features.luma_mean < DARK_MEAN and features.luma_std < DARK_STD and not detailed_dark:
        return Junk.DARK
    if features.pattern_residual < PATTERN_RESIDUAL and features.luma_std > PATTERN_MIN_STD:
        return Junk.PATTERN
    if is_title_card(features) and not starry:
        return Junk.TITLE_CARD
    return None


def is_night(features: FrameFeatures) -> bool:
    """Dark by intent: contrast and tones (lit windows), or structure all over (stars)."""
    toned = features.luma_std >= NIGHT_MIN_STD and features.entropy >= NIGHT_MIN_ENTROPY
    return toned or features.edge_spread >= NIGHT_MIN_SPREAD


def is_starry(features: FrameFeatures) -> bool:
    """A dark frame with structure all over it: a starfield, lit windows, not a logo on black."""
    return features.luma_mean < DARK_MEAN and features.edge_spread >= NIGHT_MIN_SPREAD


def is_title_card(features: FrameFeatures) -> bool:
    """Few colours on one flat background, with the thin strong edges of lettering."""
    return (
        features.dominant_share >= CARD_DOMINANT_SHARE
        and features.colour_count <= CARD_MAX_COLOURS
        and features.edge_share >= CARD_MIN_EDGES
        and features.entropy < CARD_MAX_ENTROPY
    )


def quality(features: FrameFeatures, *, sharpness_reference: float) -> float:
    """How good a cover this frame would make, 0..1, ignoring what the video is about.

    A product of soft terms, so one bad property (dark, washed out, soft) sinks the frame
    whatever the others say. ``sharpness_reference`` is a high percentile of the video's own
    relative sharpness: a soft film is not punished against an absolute camera standard.
    """
    exposure = _ramp(features.luma_mean, 10, 50) * (1.0 - _ramp(features.luma_mean, 185, 235))
    contrast = _ramp(features.luma_std, 4, 40)
    sharp = min(1.0, features.relative_sharpness / max(sharpness_reference, 1e-6))
    colour = 0.75 + 0.25 * min(1.0, features.colourfulness / 60.0)
    detail = _ramp(features.entropy, 3.0, 7.0)
    clipping = 1.0 - min(0.6, max(0.0, features.clipped_share - 0.1))
    if features.luma_mean < DARK_MEAN and is_night(features):
        # Dark by intent: its blacks are the night sky, not lost exposure; detail is its structure.
        exposure = max(exposure, NIGHT_EXPOSURE)
        detail = max(detail, features.edge_spread)
        clipping = 1.0
    subject = 0.9 + 0.1 * min(1.0, features.centre_detail)  # cheap centre-weighted saliency
    return exposure * math.sqrt(contrast) * sharp**0.7 * colour * math.sqrt(detail) * clipping * subject


def score_frame(image: Image.Image) -> FrameScore:
    """A snapshot's measures and verdict for the default-cover rule, measured once.

    The snapshot is brought down to the analysis size the thresholds were tuned at and judged
    by the same per-frame junk tests and quality formula as the smart cover's frames; the
    sharpness reference is fixed (a crisp frame), since the rule compares a handful of
    snapshots, not a video's worth of frames.
    """
    small = image.convert("RGB")
    small.thumbnail((ANALYSIS_LONG_SIDE, ANALYSIS_LONG_SIDE), Image.Resampling.BILINEAR)
    features = measure(small)
    junk = hard_junk(features)
    return FrameScore(
        brightness=features.luma_mean,
        contrast=features.luma_std,
        sharpness=features.sharpness,
        entropy=features.entropy,
        total=round(quality(features, sharpness_reference=SNAPSHOT_SHARPNESS_REFERENCE), 4),
        flags=(str(junk),) if junk is not None else (),
    )


def _ramp(value: float, low: float, high: float) -> float:
    """0 at or below ``low``, 1 at or above ``high``, linear between."""
    if value <= low:
        return 0.0
    if value >= high:
        return 1.0
    return (value - low) / (high - low)
