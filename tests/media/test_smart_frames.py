"""Per-frame judgement on looks a person keeps: a page of text, a night scene.

Pictures are drawn with Pillow (tests.support.smart_clips.scenic_image is the photograph);
no video is needed at this level.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from tests.support.smart_clips import scenic_image, title_card
from vodcover.media.frame_features import Junk, hard_junk, measure

SIZE = (192, 108)


def page_of_text() -> Image.Image:
    """A scanned page: off-white paper with light falloff and grain, full of lines of text."""
    paper = Image.radial_gradient("L").resize(SIZE).point(lambda v: 235 - v // 6)
    grain = Image.effect_noise(SIZE, 12).point(lambda v: v // 8)
    page = Image.merge("RGB", [Image.blend(paper, grain, 0.15)] * 3)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=9)
    for row in range(8):
        draw.text((8, 6 + row * 12), "determine markers of the coins and", fill=(40, 40, 40), font=font)
    return page


def test_a_page_of_text_is_content_while_a_title_card_stays_junk() -> None:
    assert hard_junk(measure(page_of_text())) is None
    assert hard_junk(measure(title_card(SIZE))) in (Junk.TITLE_CARD, Junk.FLAT)


def test_a_night_scene_is_not_black_but_an_underexposed_frame_is() -> None:
    night = scenic_image(3).resize(SIZE).point(lambda v: round(255 * (v / 255) ** 4.5))  # mean ~24
    underexposed = ImageEnhance.Brightness(
        ImageEnhance.Contrast(scenic_image(5).resize(SIZE)).enhance(0.2)
    ).enhance(0.15)

    assert hard_junk(measure(night)) is None
    assert hard_junk(measure(underexposed)) in (Junk.BLACK, Junk.DARK)
