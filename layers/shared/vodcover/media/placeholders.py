"""What a page paints before the cover arrives: a BlurHash and a tiny inline image (issue 16).

The BlurHash comes from ``blurhash`` (pure Python, no compiled code: nothing to build per Lambda
architecture, ~10 KB in the media layer). It is encoded from a copy at most 32 px long, where the
pure-Python DCT costs a few milliseconds; a BlurHash keeps only a 4x3 grid of colours anyway.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import blurhash
from PIL import Image

# 4 x 3 components suit a 16:9 cover (the reference implementation's own example uses 4 x 3):
# a 28-character hash.
BLURHASH_COMPONENTS = (4, 3)
_BLURHASH_SOURCE_WIDTH = 32
DATA_URI_MAX_BYTES = 2048
# Tried in order until the data URI fits DATA_URI_MAX_BYTES.
_INLINE_WIDTHS = (32, 24, 16, 12, 8)
_INLINE_QUALITIES = (50, 35, 20)


@dataclass(frozen=True)
class Placeholder:
    blurhash: str
    data_uri: str  # data:image/webp;base64,... at most DATA_URI_MAX_BYTES characters


def _shrunk(picture: Image.Image, side: int) -> Image.Image:
    """At most ``side`` px on its longer side (a 1x1920 cover must not become 32x61440)."""
    scale = min(1.0, side / max(picture.width, picture.height))
    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    return picture.convert("RGB").resize(size, Image.Resampling.BOX, reducing_gap=2.0)


def blurhash_of(picture: Image.Image, components: tuple[int, int] = BLURHASH_COMPONENTS) -> str:
    small = _shrunk(picture, _BLURHASH_SOURCE_WIDTH)
    flat = small.tobytes()  # RGB, row by row
    rows = [
        [list(flat[i : i + 3]) for i in range(y * small.width * 3, (y + 1) * small.width * 3, 3)]
        for y in range(small.height)
    ]
    return str(blurhash.encode(rows, components_x=components[0], components_y=components[1]))


def inline_data_uri(picture: Image.Image, max_bytes: int = DATA_URI_MAX_BYTES) -> str:
    """The largest small WebP (then JPEG) whose whole data URI fits ``max_bytes``."""
    for fmt, mime in (("WEBP", "image/webp"), ("JPEG", "image/jpeg")):
        for width in _INLINE_WIDTHS:
            small = _shrunk(picture, width)
            for quality in _INLINE_QUALITIES:
                out = io.BytesIO()
                small.save(out, fmt, quality=quality)
                uri = f"data:{mime};base64,{base64.b64encode(out.getvalue()).decode('ascii')}"
                if len(uri) <= max_bytes:
                    return uri
    raise ValueError(f"no inline image fits {max_bytes} bytes")  # 8 px at quality 20 is ~200 bytes


def make_placeholder(picture: Image.Image, max_bytes: int = DATA_URI_MAX_BYTES) -> Placeholder:
    return Placeholder(blurhash=blurhash_of(picture), data_uri=inline_data_uri(picture, max_bytes))
