"""JPEG encoding of decoded frames, in one place: Pillow's 1-100 ``quality`` means what the setting says."""

from __future__ import annotations

import io

from PIL import Image


def encode_jpeg(image: Image.Image, quality: int, *, optimize: bool = False) -> bytes:
    """``image`` as JPEG. ``optimize`` (Huffman tables per image) makes snapshots a few % smaller."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=optimize)
    return out.getvalue()


def ppm_to_jpeg(ppm: bytes, quality: int) -> bytes:
    """A binary PPM picture (what ffmpeg pipes) as JPEG."""
    with Image.open(io.BytesIO(ppm), formats=["PPM"]) as picture:
        return encode_jpeg(picture, quality)
