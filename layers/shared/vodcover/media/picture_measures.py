"""Pixel measures of one small picture, with Pillow only: edges, gradients, colours, patterns.

The numbers :mod:`vodcover.media.frame_features` judges frames by, and the distances between
two frames that the shot and scene finding compare neighbours with. Each is one or two
C-level Pillow calls on a ~200 px image.
"""

from __future__ import annotations

import math
from functools import lru_cache

from PIL import Image, ImageChops, ImageFilter

from vodcover.media.band_stats import band_mean, band_mean_std, band_means

EDGE_THRESHOLD = 48  # a Laplacian response this strong (of 255) is an edge
CONTRAST_EDGE_FACTOR = 1.5  # ... or, judged against the frame's contrast, this many luma stds
CONTRAST_EDGE_MIN = 8
GRADIENT_GRAIN = 4  # a luma step this small between neighbouring pixels is the encoding's grain
SPREAD_GRID = (4, 4)
SPREAD_CELL_EDGES = 0.004  # a cell with this share of edge pixels has structure
FINE_COLOUR_BITS = 3  # 512 bins: the title-card test's colour count (the 64 bins are summed from it)


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
    return shares(colour_counts(image, FINE_COLOUR_BITS))


def thumb_distance(first: Image.Image, second: Image.Image) -> float:
    """Mean absolute difference of two thumbnails, 0..255."""
    return float(sum(band_means(ImageChops.difference(first, second))) / 3.0)


def histogram_distance(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    """Total-variation distance averaged over the colour and luma parts: 0 same, 1 disjoint."""
    return 0.25 * sum(abs(a - b) for a, b in zip(first, second, strict=True))


@lru_cache(maxsize=1)
def laplacian_kernel() -> ImageFilter.Kernel:
    return ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128)


@lru_cache(maxsize=64)
def edge_table(threshold: int = EDGE_THRESHOLD) -> list[int]:
    return [255 if abs(value - 128) >= threshold else 0 for value in range(256)]


def detail_spread(laplacian: Image.Image, luma_std: float, usual_spread: float) -> float:
    """Edge spread with edges for this frame's contrast: a hazy picture's are faint, a blurred one has none.

    A contrasty frame's threshold is the usual one, so its edge spread (``usual_spread``) is
    reused (most frames).
    """
    threshold = int(min(EDGE_THRESHOLD, max(CONTRAST_EDGE_MIN, CONTRAST_EDGE_FACTOR * luma_std)))
    if threshold == EDGE_THRESHOLD:
        return usual_spread
    return edge_spread(laplacian.point(edge_table(threshold)))


def gradient_balance(luma: Image.Image) -> float:
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


def shares(counts: list[int]) -> tuple[float, ...]:
    total = float(sum(counts)) or 1.0
    return tuple(count / total for count in counts)


def colour_counts(image: Image.Image, bits: int) -> list[int]:
    """Joint RGB histogram with ``2**bits`` levels per channel (posterise, then count colours)."""
    shift = 8 - bits
    levels = 1 << bits
    posterised = image.point(_posterise_table(shift) * 3)
    counts = [0] * levels**3
    for count, colour in posterised.getcolors(maxcolors=levels**3) or []:
        red, green, blue = colour  # type: ignore[misc]  # RGB images give (r, g, b) tuples
        counts[((red >> shift) * levels + (green >> shift)) * levels + (blue >> shift)] = count
    return counts


def coarser_counts(counts: list[int], bits: int, fewer_bits: int) -> list[int]:
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


def entropy(histogram: list[int], pixels: float) -> float:
    return -sum((c / pixels) * math.log2(c / pixels) for c in histogram if c)


def coarse(histogram: list[int], bins: int) -> list[int]:
    step = len(histogram) // bins
    return [sum(histogram[i : i + step]) for i in range(0, len(histogram), step)]


def normalised(counts: list[int]) -> list[float]:
    total = float(sum(counts)) or 1.0
    return [count / total for count in counts]


def centre_detail(edges: Image.Image) -> float:
    """Edge density of the central ninth over the whole frame's: > 1 when the subject is central."""
    width, height = edges.size
    centre = edges.crop((width // 3, height // 3, width - width // 3, height - height // 3))
    whole = band_mean(edges)
    if whole < 1.0:
        return 0.0
    return min(2.0, band_mean(centre) / whole) / 2.0


def edge_spread(edges: Image.Image) -> float:
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
