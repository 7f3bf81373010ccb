"""Cover images: JPG or PNG by content, bounded bytes and dimensions, really decodable.

Checked in the cheapest order: size, magic bytes, header dimensions (before any pixel is
decoded, so a decompression bomb costs nothing), then a full decode. Pillow is imported here
only, lazily, and opens only the two formats we accept.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from vodcover.errors import (
    InvalidImageCorrupt,
    InvalidImageDimensions,
    InvalidImageFormat,
    InvalidImageTooLarge,
)

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class CoverLimits:
    max_bytes: int = 1_048_576
    max_long_side: int = 1920
    max_short_side: int = 1080


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    format: str  # "jpeg" or "png"
    width: int
    height: int
    digest: str  # content digest: names the stored object, so the same image is stored once

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "jpeg" else "png"

    @property
    def content_type(self) -> str:
        return f"image/{self.format}"


def sniff_format(data: bytes) -> str:
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    if data.startswith(PNG_MAGIC):
        return "png"
    raise InvalidImageFormat("A cover must be a JPG or PNG image.")


def check_cover_image(data: bytes, limits: CoverLimits) -> CheckedImage:
    if len(data) > limits.max_bytes:
        raise InvalidImageTooLarge(
            f"A cover image may be at most {limits.max_bytes} bytes; this one is {len(data)}."
        )
    if not data:
        raise InvalidImageCorrupt("The image is empty.")
    kind = sniff_format(data)

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=["JPEG" if kind == "jpeg" else "PNG"]) as image:
            width, height = image.size  # from the header: nothing decoded yet
            _check_dimensions(width, height, limits)
            if getattr(image, "is_animated", False):
                raise InvalidImageFormat("Animated images cannot be covers.")
            image.load()
    except (InvalidImageDimensions, InvalidImageFormat):
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidImageCorrupt("The image could not be decoded.", detail=str(exc)) from exc
    digest = hashlib.sha256(data).hexdigest()[:32]
    return CheckedImage(data=data, format=kind, width=width, height=height, digest=digest)


def _check_dimensions(width: int, height: int, limits: CoverLimits) -> None:
    long_side, short_side = max(width, height), min(width, height)
    if long_side > limits.max_long_side or short_side > limits.max_short_side or short_side < 1:
        raise InvalidImageDimensions(
            f"A cover may be at most {limits.max_long_side}x{limits.max_short_side} px "
            f"(or {limits.max_short_side}x{limits.max_long_side} portrait); this one is {width}x{height}."
        )
