"""Frames too small for a measure are judged anyway: every size from 1 px up scores, none raises.

A pattern test cut a 1920x4 frame into 6 bands, one of them 0 px tall, and Pillow raised
``ValueError`` (issue 11, item 1). Sizes here are what the snapshot scaler hands the scorer.
"""

from __future__ import annotations

import itertools

import pytest
from PIL import Image

from vodcover.domain.default_cover import choose_default_cover
from vodcover.media.frame_features import Junk, hard_junk, measure, score_frame

SIDES = [1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 1280, 1920]


def noise(width: int, height: int) -> Image.Image:
    return Image.effect_noise((width, height), 64).convert("RGB")


@pytest.mark.parametrize(("width", "height"), list(itertools.product(SIDES, [1, 2, 4, 5, 7, 12])))
def test_every_small_size_is_scored_and_measured(width: int, height: int) -> None:
    for image in (noise(width, height), noise(height, width), Image.new("RGB", (width, height), "grey")):
        score = score_frame(image)
        features = measure(image)
        assert 0.0 <= score.total <= 1.0
        assert 0.0 <= features.luma_mean <= 255.0


@pytest.mark.parametrize("side", [1, 2, 3, 5, 7, 11])
def test_a_tiny_frame_of_noise_is_never_called_a_synthetic_pattern(side: int) -> None:
    """Strips of one pixel are constant by construction: that is no evidence of colour bars."""
    assert hard_junk(measure(noise(side, side))) != Junk.PATTERN


def test_colour_bars_large_enough_to_tell_are_still_a_pattern() -> None:
    bars = Image.new("RGB", (192, 108))
    for i, colour in enumerate(["white", "yellow", "cyan", "lime", "magenta", "red", "blue"]):
        bars.paste(Image.new("RGB", (28, 108), colour), (i * 28, 0))
    assert "pattern" in score_frame(bars).flags


def test_a_default_cover_is_chosen_among_tiny_frames() -> None:
    scores = [score_frame(noise(2, 2)), score_frame(Image.new("RGB", (2, 2))), score_frame(noise(2, 2))]
    assert choose_default_cover(scores) in (0, 2)  # the black one is junk
