"""Frame scoring (one measure per snapshot) and the default-cover choice, on synthetic Pillow images."""

from __future__ import annotations

import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from vodcover.domain.default_cover import choose_default_cover
from vodcover.media.frame_features import Junk, score_frame

SIZE = (640, 360)


def detailed_frame(seed: int = 0) -> Image.Image:
    """A busy, well-exposed picture: stripes, boxes and text-like marks in many colours, with the
    grain of a camera (a drawing of a few flat colours has the luma entropy of a slate)."""
    image = Image.new("RGB", SIZE, (90, 110, 140))
    draw = ImageDraw.Draw(image)
    for i in range(0, SIZE[0], 16):
        draw.rectangle((i, 0, i + 7, SIZE[1] // 2), fill=((i * 7 + seed * 40) % 256, (i * 3) % 256, 200))
    for i in range(40):
        x, y = (i * 53 + seed * 11) % SIZE[0], 190 + (i * 37) % 150
        draw.rectangle((x, y, x + 20, y + 10), fill=(240, 240 - i * 4, i * 6))
        draw.line((x, y, x + 30, y + 25), fill=(10, 10, 10), width=2)
    return ImageChops.add(image, grain(seed), offset=-128)


def grain(seed: int) -> Image.Image:
    """Repeatable uniform noise of +-24 around 128, the same in every channel."""
    noise = Image.frombytes("L", SIZE, random.Random(seed).randbytes(SIZE[0] * SIZE[1]))
    return noise.point(lambda v: 104 + v * 48 // 255).convert("RGB")


def plain(colour: tuple[int, int, int]) -> Image.Image:
    return Image.new("RGB", SIZE, colour)


def test_black_frame_is_junk() -> None:
    assert "black" in score_frame(plain((0, 0, 0))).flags


def test_white_flash_is_junk() -> None:
    flash = Image.blend(plain((255, 255, 255)), detailed_frame(), 0.1)
    assert Junk.WHITE in score_frame(flash).flags  # "white", the one vocabulary (was "flash")


def test_flat_grey_is_junk() -> None:
    assert "flat" in score_frame(plain((128, 128, 128))).flags


def test_fade_from_black_is_junk() -> None:
    faded = Image.blend(plain((0, 0, 0)), detailed_frame(), 0.2)
    score = score_frame(faded)
    assert score.is_junk


def test_detailed_frame_is_not_junk() -> None:
    score = score_frame(detailed_frame())
    assert score.flags == ()
    assert 0.5 < score.total <= 1.0


def test_blurred_frame_scores_below_the_sharp_one() -> None:
    sharp = score_frame(detailed_frame())
    blurred = score_frame(detailed_frame().filter(ImageFilter.GaussianBlur(8)))
    assert blurred.sharpness < sharp.sharpness / 3
    assert blurred.total < sharp.total


def test_cover_is_never_junk_when_a_good_frame_exists() -> None:
    # Given black, flash, flat and faded frames around a single good one at the edge
    frames = [
        plain((0, 0, 0)),
        Image.blend(plain((255, 255, 255)), detailed_frame(), 0.1),
        plain((128, 128, 128)),
        Image.blend(plain((0, 0, 0)), detailed_frame(), 0.2),
        detailed_frame(),
    ]
    # When the default cover is chosen
    cover = choose_default_cover([score_frame(f) for f in frames])
    # Then it is the good one
    assert cover == 4


def test_cover_is_never_the_blurred_frame_when_a_sharp_one_exists() -> None:
    # Given the middle frame is motion-blurred and its neighbours are sharp
    frames = [detailed_frame(1), detailed_frame(2).filter(ImageFilter.GaussianBlur(6)), detailed_frame(3)]
    cover = choose_default_cover([score_frame(f) for f in frames])
    assert cover != 1


def test_equally_good_frames_tie_to_the_middle() -> None:
    # Given five frames of the same scene
    scores = [score_frame(detailed_frame())] * 5
    # Then the middle one is the cover
    assert choose_default_cover(scores) == 2


def test_even_count_ties_go_to_a_frame_next_to_the_middle() -> None:
    scores = [score_frame(detailed_frame())] * 4
    assert choose_default_cover(scores) in (1, 2)


def test_all_junk_still_gives_a_cover() -> None:
    scores = [score_frame(plain((0, 0, 0))), score_frame(plain((20, 20, 20)))]
    assert choose_default_cover(scores) in (0, 1)


def test_score_breakdown_is_loggable() -> None:
    logged = score_frame(detailed_frame()).to_log()
    assert set(logged) == {"brightness", "contrast", "sharpness", "entropy", "total", "flags"}
