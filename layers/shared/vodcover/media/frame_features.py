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
from functools import lru_cache

from PIL import Image, ImageChops, ImageFilter

from vodcover.domain.default_cover import FrameScore
from vodcover.media.band_stats import band_mean, band_mean_std, band_means, histogram_mean_std

# Sizes of the derived images. The thumbnail compares frames (near-duplicates, dissolves); the
# histogram bins compare colour distributions (shots, repeated scenes).
THUMB_SIZE = (32, 18)
COLOUR_BITS = 2  # joint RGB histogram with 4 levels per channel: 64 bins
FINE_COLOUR_BITS = 3  # 512 bins: the title-card test's colour count (the 64 bins are summed from it)
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
SPREAD_GRID = (4, 4)
SPREAD_CELL_EDGES = 0.004  # a cell with this share of edge pixels has structure
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
EDGE_THRESHOLD = 48  # a Laplacian response this strong (of 255) is an edge
CONTRAST_EDGE_FACTOR = 1.5  # ... or, judged against the frame's contrast, this many luma stds
CONTRAST_EDGE_MIN = 8
GRADIENT_GRAIN = 4  # a luma step this small between neighbouring pixels is the encoding's grain
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
    laplacian = luma.filter(_laplacian_kernel())
    edges = laplacian.point(_edge_table())
    edge_spread = _edge_spread(edges)
    fine_counts = _colour_counts(image, FINE_COLOUR_BITS)
    colour_hist = _coarser_counts(fine_counts, FINE_COLOUR_BITS, COLOUR_BITS)
    fine_shares = _shares(fine_counts)
    return FrameFeatures(
        luma_mean=luma_mean,
        luma_std=luma_std,
        entropy=_entropy(luma_hist, pixels),
        clipped_share=(sum(luma_hist[:8]) + sum(luma_hist[248:])) / pixels,
        sharpness=band_mean_std(laplacian)[1],
        edge_share=band_mean(edges) / 255.0,
        colourfulness=colourfulness(image),
        dominant_share=max(fine_shares),
        colour_count=sum(1 for share in fine_shares if share >= COLOUR_BIN_MIN_SHARE),
        pattern_residual=pattern_residual(luma),
        centre_detail=_centre_detail(edges),
        edge_spread=edge_spread,
        detail_spread=_detail_spread(laplacian, luma_std, edge_spread),
        gradient_balance=_gradient_balance(luma),
        histogram=(*_normalised(colour_hist), *_normalised(_coarse(luma_hist, LUMA_BINS))),
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


# --- the measures ------------------------------------------------------------------------
def colourfulness(image: Image.Image) -> float:
    """Hasler & Süsstrunk (2003), with Pillow channel arithmetic.

    ``rg = R - G`` and ``yb = (R + G) / 2 - B`` are computed halved and offset by 128 so they
    fit in 8 bits without clipping, then doubled back in the statistics.
    """
    red, green, blue = image.split()
    rg = ImageChops.subtract(red, green, scale=2.0, offset=128)
    yellow = ImageChops.add(red, green, scale=2.0)
    yb = ImageChops.subtract(yellow, blue, scale=2.0, offset=128)
    (rg_mean, rg_std), (yb_mean, yb_std) = band_mean_std(rg), band_mean_std(yb)
    std = 2.0 * math.hypot(rg_std, yb_std)
    mean = 2.0 * math.hypot(rg_mean - 128.0, yb_mean - 128.0)
    return std + 0.3 * mean


def pattern_residual(luma: Image.Image, bands: int = 6) -> float:
    """How far (of 255) the frame is from being constant along columns, or along rows.

    Colour bars, gradients and stripes are ~0; photographs are far above 10. The frame is cut
    into ``bands`` strips across the pattern direction and the second-worst strip counts, so
    SMPTE bars (stacked patterns: one strip straddles a seam) still read as a pattern while a
    photograph with a uniform sky does not (its ground strips are far from constant).
    """
    width, height = luma.size
    if min(width, height) < 2 * bands:
        return 255.0  # strips under 2 px are constant by construction: too small to tell, not a pattern
    across = [luma.crop((0, height * i // bands, width, height * (i + 1) // bands)) for i in range(bands)]
    down = [luma.crop((width * i // bands, 0, width * (i + 1) // bands, height)) for i in range(bands)]
    column_residual = sorted(_residual(strip, columns=True) for strip in across)[-2]
    row_residual = sorted(_residual(strip, columns=False) for strip in down)[-2]
    return min(column_residual, row_residual)


def _residual(strip: Image.Image, *, columns: bool) -> float:
    """Mean distance between a strip and its copy made constant along columns (or rows)."""
    squeezed = (strip.width, 1) if columns else (1, strip.height)
    flat = strip.resize(squeezed, Image.Resampling.BOX).resize(strip.size, Image.Resampling.NEAREST)
    return float(band_mean(ImageChops.difference(strip, flat)))


def colour_hist_fine(image: Image.Image) -> tuple[float, ...]:
    """Shares of the 512 colours of a 3-bit-per-channel posterisation (title-card test)."""
    return _shares(_colour_counts(image, FINE_COLOUR_BITS))


def thumb_distance(first: Image.Image, second: Image.Image) -> float:
    """Mean absolute difference of two thumbnails, 0..255."""
    return float(sum(band_means(ImageChops.difference(first, second))) / 3.0)


def histogram_distance(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    """Total-variation distance averaged over the colour and luma parts: 0 same, 1 disjoint."""
    return 0.25 * sum(abs(a - b) for a, b in zip(first, second, strict=True))


# --- helpers -------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _laplacian_kernel() -> ImageFilter.Kernel:
    return ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128)


@lru_cache(maxsize=64)
def _edge_table(threshold: int = EDGE_THRESHOLD) -> list[int]:
    return [255 if abs(value - 128) >= threshold else 0 for value in range(256)]


def _detail_spread(laplacian: Image.Image, luma_std: float, edge_spread: float) -> float:
    """Edge spread with edges for this frame's contrast: a hazy picture's are faint, a blurred one has none.

    A contrasty frame's threshold is the usual one, so its edge spread is reused (most frames).
    """
    threshold = int(min(EDGE_THRESHOLD, max(CONTRAST_EDGE_MIN, CONTRAST_EDGE_FACTOR * luma_std)))
    if threshold == EDGE_THRESHOLD:
        return edge_spread
    return _edge_spread(laplacian.point(_edge_table(threshold)))


def _gradient_balance(luma: Image.Image) -> float:
    """How evenly detail runs both ways: a whip pan smears it along the motion, leaving the other.

    The energy of the differences to the next pixel across and down, above the grain of the
    encoding (a smooth stretch has no direction); the weaker over the stronger.
    """
    width, height = luma.size
    if width < 2 or height < 2:
        return 1.0
    whole = luma.crop((0, 0, width - 1, height - 1))
    across = _gradient_energy(ImageChops.difference(luma.crop((1, 0, width, height - 1)), whole))
    down = _gradient_energy(ImageChops.difference(luma.crop((0, 1, width - 1, height)), whole))
    strongest = max(across, down)
    return min(across, down) / strongest if strongest > 0 else 1.0


def _gradient_energy(differences: Image.Image) -> int:
    histogram = differences.histogram()
    return sum(value * histogram[value] for value in range(GRADIENT_GRAIN, 256))


def _shares(counts: list[int]) -> tuple[float, ...]:
    total = float(sum(counts)) or 1.0
    return tuple(count / total for count in counts)


def _colour_counts(image: Image.Image, bits: int) -> list[int]:
    """Joint RGB histogram with ``2**bits`` levels per channel (posterise, then count colours)."""
    shift = 8 - bits
    levels = 1 << bits
    posterised = image.point(_posterise_table(shift) * 3)
    counts = [0] * levels**3
    for count, colour in posterised.getcolors(maxcolors=levels**3) or []:
        red, green, blue = colour  # type: ignore[misc]  # RGB images give (r, g, b) tuples
        counts[((red >> shift) * levels + (green >> shift)) * levels + (blue >> shift)] = count
    return counts


def _coarser_counts(counts: list[int], bits: int, fewer_bits: int) -> list[int]:
    """The joint histogram ``_colour_counts`` gives with ``fewer_bits``, summed from a finer one."""
    drop, levels, coarse_levels = bits - fewer_bits, 1 << bits, 1 << fewer_bits
    coarse = [0] * coarse_levels**3
    # each finer (r, g, b) bin falls in the coarser bin of its top bits
    for index, count in enumerate(counts):
        if count:
            red, green, blue = index // levels**2, index // levels % levels, index % levels
            at = ((red >> drop) * coarse_levels + (green >> drop)) * coarse_levels + (blue >> drop)
            coarse[at] += count
    return coarse


@lru_cache(maxsize=8)
def _posterise_table(shift: int) -> list[int]:
    return [(value >> shift) << shift for value in range(256)]


def _entropy(histogram: list[int], pixels: float) -> float:
    return -sum((c / pixels) * math.log2(c / pixels) for c in histogram if c)


def _coarse(histogram: list[int], bins: int) -> list[int]:
    step = len(histogram) // bins
    return [sum(histogram[i : i + step]) for i in range(0, len(histogram), step)]


def _normalised(counts: list[int]) -> list[float]:
    total = float(sum(counts)) or 1.0
    return [count / total for count in counts]


def _centre_detail(edges: Image.Image) -> float:
    """Edge density of the central ninth over the whole frame's: > 1 when the subject is central."""
    width, height = edges.size
    centre = edges.crop((width // 3, height // 3, width - width // 3, height - height // 3))
    whole = band_mean(edges)
    if whole < 1.0:
        return 0.0
    return min(2.0, band_mean(centre) / whole) / 2.0


def _edge_spread(edges: Image.Image) -> float:
    """Share of the grid's cells with edges in them, the frame's outermost pixels left out.

    Pillow's kernel filters copy the border pixels unfiltered, so on a black frame they read
    as edges: a pixel in from every side they are ignored.
    """
    width, height = edges.size
    if width < 8 or height < 8:
        return 0.0
    cells = edges.crop((1, 1, width - 1, height - 1)).resize(SPREAD_GRID, Image.Resampling.BOX)
    threshold = 255 * SPREAD_CELL_EDGES
    values = list(cells.getdata())
    return sum(1 for value in values if value >= threshold) / len(values)


def _ramp(value: float, low: float, high: float) -> float:
    """0 at or below ``low``, 1 at or above ``high``, linear between."""
    if value <= low:
        return 0.0
    if value >= high:
        return 1.0
    return (value - low) / (high - low)
