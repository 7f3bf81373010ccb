"""The cheap look for black bars on small frames never hides bars the full-size look would find."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageDraw

from vodcover.media.bars import find_bars, may_have_bars

FULL = (1280, 720)
SMALL = (192, 108)


def framed(top: int, bottom: int, left: int, right: int, seed: int) -> Image.Image:
    """A busy full-size picture inside dark borders of the given thicknesses (in pixels)."""
    rng = random.Random(seed)
    image = Image.new("RGB", FULL, (0, 0, 0))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(FULL[0]), rng.randrange(FULL[1])
        draw.rectangle((x, y, x + 200, y + 120), fill=(rng.randrange(40, 256), rng.randrange(256), 90))
    width, height = FULL
    borders = [
        (top, (0, 0, width, top - 1)),
        (bottom, (0, height - bottom, width, height)),
        (left, (0, 0, left - 1, height)),
        (right, (width - right, 0, width, height)),
    ]
    for thickness, area in borders:
        if thickness:
            draw.rectangle(area, fill=(12, 12, 12))
    return image


def small_of(image: Image.Image) -> Image.Image:
    return image.resize(SMALL, Image.Resampling.BOX)


def test_given_letterboxed_frames_then_the_small_look_sends_them_to_the_full_size_look() -> None:
    frames = [framed(88, 88, 0, 0, seed) for seed in range(3)]
    assert may_have_bars([small_of(f) for f in frames])
    assert find_bars(frames) is not None


def test_given_frames_lit_to_their_edges_then_no_full_size_look_is_needed() -> None:
    frames = [framed(0, 0, 0, 0, seed) for seed in range(3)]
    for frame in frames:  # lit corners: the picture reaches every edge
        ImageDraw.Draw(frame).rectangle((0, 0, FULL[0], 3), fill=(200, 180, 160))
        ImageDraw.Draw(frame).rectangle((0, 0, 3, FULL[1]), fill=(200, 180, 160))
        ImageDraw.Draw(frame).rectangle((FULL[0] - 4, FULL[1] - 4, FULL[0], FULL[1]), fill=(200, 180, 160))
    assert not may_have_bars([small_of(f) for f in frames])


@pytest.mark.parametrize("thickness", [0, 2, 5, 8, 12, 16, 20, 22, 24, 30, 40])
def test_when_the_small_look_rules_bars_out_then_the_full_size_look_finds_none(thickness: int) -> None:
    for sides in ((thickness, thickness, 0, 0), (0, 0, thickness, thickness), (thickness, 0, thickness, 0)):
        frames = [framed(*sides, seed) for seed in range(4)]
        if not may_have_bars([small_of(f) for f in frames]):
            assert find_bars(frames) is None, sides
