"""band_stats gives Pillow's ImageStat figures bit for bit (frame_features' outputs depend on it)."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageStat

from vodcover.media.band_stats import band_mean, band_mean_std, band_means


def _pictures() -> list[Image.Image]:
    rng = random.Random(7)
    noise = Image.frombytes("L", (193, 107), rng.randbytes(193 * 107))
    skewed = noise.point(lambda v: (v * v) // 255)
    flat = [Image.new("L", (40, 30), 0), Image.new("L", (40, 30), 255), Image.new("L", (1, 1), 77)]
    return [noise, skewed, *flat]


@pytest.mark.parametrize("picture", _pictures(), ids=["noise", "skewed", "black", "white", "one-pixel"])
def test_mean_and_deviation_are_imagestats_exactly(picture: Image.Image) -> None:
    stat = ImageStat.Stat(picture)
    assert band_mean(picture) == stat.mean[0]
    assert band_mean_std(picture) == (stat.mean[0], stat.stddev[0])


def test_means_of_every_band_are_imagestats_exactly() -> None:
    rng = random.Random(3)
    picture = Image.frombytes("RGB", (64, 36), rng.randbytes(64 * 36 * 3))
    assert band_means(picture) == ImageStat.Stat(picture).mean
