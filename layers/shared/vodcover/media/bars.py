"""Black bars: letterbox (a 2.39:1 film in 16:9) and pillarbox (a phone's portrait video exported
inside a 16:9 frame). Found once per video from frames already decoded, cut from every image.

The picture area is the union, over several frames, of the pixels brighter than
:data:`BLACK_LEVEL`: a dark scene in one frame does not pass for a bar, since another frame
lights that area. Bars count only when they are at least :data:`MIN_BAR_SHARE` of the frame
and about as thick on both sides (exports centre the picture; a dark floor is not a bar).
Works on decoded RGB pictures, so it costs no extra read of the video (cropdetect would need
more frames decoded, hence more bytes fetched over HTTP).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from vodcover.media.picture import Crop

BLACK_LEVEL = 28  # luma (0-255) at or below which a pixel may belong to a bar
MIN_BAR_SHARE = 0.03  # thinner "bars" are an encoder's edge, not bars
SYMMETRY_SHARE = 0.02  # top and bottom (left and right) bars may differ by this share of the frame
# A downscaled pixel is (about) the mean of the full-size pixels under it: this much above
# BLACK_LEVEL, at least one of them is lit, whatever the rounding of either scaler.
SMALL_LIT_MARGIN = 4


@dataclass(frozen=True)
class Box:
    """The picture inside the bars, in the pixels of the frames it was found in."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def scaled(self, from_size: tuple[int, int], to_size: tuple[int, int]) -> Crop:
        """The same area in a frame of ``to_size``, rounded inwards to even pixels (as ffmpeg's
        chroma wants): better a sliver of picture lost than a line of bar kept."""
        sx, sy = to_size[0] / from_size[0], to_size[1] / from_size[1]
        # A scaled-down frame blends bar and picture in the edge line: leave that line out too.
        left, top = self.left + (self.left > 0), self.top + (self.top > 0)
        right = self.right - (self.right < from_size[0])
        bottom = self.bottom - (self.bottom < from_size[1])
        x, y = _even_up(left * sx), _even_up(top * sy)
        right, bottom = _even_down(right * sx), _even_down(bottom * sy)
        return Crop(width=max(2, right - x), height=max(2, bottom - y), x=x, y=y)


def _even_up(value: float) -> int:
    return math.ceil(value - 1e-6) + 1 >> 1 << 1


def _even_down(value: float) -> int:
    return int(value + 1e-6) >> 1 << 1


def find_bars(images: Sequence[Image.Image]) -> Box | None:
    """The picture area inside black bars common to ``images`` (same size), or None: no bars."""
    if not images:
        return None
    width, height = images[0].size
    union: tuple[int, int, int, int] | None = None
    for image in images:
        if image.size != (width, height):
            return None
        lit = image.convert("L").point(lambda v: 255 if v > BLACK_LEVEL else 0).getbbox()
        if lit is None:
            continue  # an all-black frame says nothing about bars
        union = lit if union is None else _union(union, lit)
    if union is None:
        return None
    left, top, right, bottom = union
    vertical = _bars(top, height - bottom, height)
    horizontal = _bars(left, width - right, width)
    if not vertical and not horizontal:
        return None
    return Box(
        left=left if horizontal else 0,
        top=top if vertical else 0,
        right=right if horizontal else width,
        bottom=bottom if vertical else height,
    )


def may_have_bars(small: Sequence[Image.Image]) -> bool:
    """False when downscaled copies of the frames prove :func:`find_bars` finds none at full size.

    Lit pixels within a pixel or two of both facing edges of the small frames (top or bottom,
    and left or right) leave no room for bars of ``MIN_BAR_SHARE`` there at full size, so the
    full-size pictures need not be read: a few MB each, for a look that finds nothing in most
    videos.
    """
    union = None
    for image in small:
        lit = image.convert("L").point(lambda v: 255 if v > BLACK_LEVEL + SMALL_LIT_MARGIN else 0).getbbox()
        if lit is not None:
            union = lit if union is None else _union(union, lit)
    if union is None or not small:
        return True
    width, height = small[0].size
    left, top, right, bottom = union
    # A lit small pixel m pixels from an edge has a lit full-size one under it, less than m + 1
    # small pixels' worth from that edge (+1 for the scaler's reach).
    no_vertical = (min(top, height - bottom) + 2) / height < MIN_BAR_SHARE
    no_horizontal = (min(left, width - right) + 2) / width < MIN_BAR_SHARE
    return not (no_vertical and no_horizontal)


def crop_to(image: Image.Image, box: Box) -> Image.Image:
    return image.crop((box.left, box.top, box.right, box.bottom))


def _bars(before: int, after: int, extent: int) -> bool:
    thick_enough = min(before, after) >= MIN_BAR_SHARE * extent
    return thick_enough and abs(before - after) <= SYMMETRY_SHARE * extent + 2


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])
