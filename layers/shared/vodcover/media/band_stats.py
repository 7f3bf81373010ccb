"""Mean and standard deviation of one 8-bit band, exactly as Pillow's ``ImageStat`` gives them.

``ImageStat.Stat`` sums a 256-bin histogram in a Python loop per statistic; a smart-cover frame
asks for a dozen of them, which was a third of the time spent measuring it. The same integer
sums taken by ``sum(map(...))`` give the very same floats (integer sums are exact; the final
divisions and square root are the ones ``ImageStat`` does), in a fraction of the time.
"""

from __future__ import annotations

import math
from operator import mul

from PIL import Image

_LEVELS = tuple(range(256))
_SQUARES = tuple(level * level for level in range(256))


def band_mean(image: Image.Image) -> float:
    """``ImageStat.Stat(image).mean[0]`` of a one-band 8-bit image."""
    histogram = image.histogram()
    count = sum(histogram)
    return sum(map(mul, _LEVELS, histogram)) / count if count else 0.0


def band_means(image: Image.Image) -> list[float]:
    """``ImageStat.Stat(image).mean`` of an 8-bit image, one mean per band."""
    histogram = image.histogram()
    means = []
    for start in range(0, len(histogram), 256):
        band = histogram[start : start + 256]
        count = sum(band)
        means.append(sum(map(mul, _LEVELS, band)) / count if count else 0.0)
    return means


def band_mean_std(image: Image.Image) -> tuple[float, float]:
    """``ImageStat.Stat(image).mean[0]`` and ``.stddev[0]`` of a one-band 8-bit image."""
    return histogram_mean_std(image.histogram())


def histogram_mean_std(histogram: list[int]) -> tuple[float, float]:
    """Mean and standard deviation of a 256-bin histogram, as ``ImageStat`` computes them."""
    count = sum(histogram)
    if not count:
        return 0.0, 0.0
    total = sum(map(mul, _LEVELS, histogram))
    squares = sum(map(mul, _SQUARES, histogram))
    return total / count, math.sqrt((squares - total**2 / count) / count)
