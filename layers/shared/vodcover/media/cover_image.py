"""Cover images: JPG or PNG by content, bounded bytes and dimensions, really decodable.

Checked in the cheapest order: size, magic bytes, header dimensions (before any pixel is
decoded, so a decompression bomb costs nothing), the file's structure (nothing may follow the
image's end: a JPEG or PNG with a zip or HTML appended is a polyglot that our bucket would
otherwise serve), then a full decode. Pillow is imported here only, lazily, and opens only the
two formats we accept. Width and height are as displayed (after the EXIF orientation), like
the snapshots' sizes.
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
            _check_nothing_appended(data, kind)
            # Decode before reading EXIF: on a PNG, getexif() loads the pixels itself and a
            # failure there would be swallowed with the orientation, letting a corrupt body pass.
            image.load()
            if _exif_orientation(image) in _TURNED_ORIENTATIONS:
                width, height = height, width
    except (InvalidImageDimensions, InvalidImageFormat, InvalidImageCorrupt):
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own guard, at open: far past our limits
        raise InvalidImageDimensions(
            f"A cover may be at most {limits.max_long_side}x{limits.max_short_side} px.", detail=str(exc)
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidImageCorrupt("The image could not be decoded.", detail=str(exc)) from exc
    digest = hashlib.sha256(data).hexdigest()[:32]
    return CheckedImage(data=data, format=kind, width=width, height=height, digest=digest)


# EXIF orientations 5-8 turn the picture a quarter: it is shown height x width.
_TURNED_ORIENTATIONS = frozenset({5, 6, 7, 8})
_EXIF_ORIENTATION_TAG = 0x0112


def _exif_orientation(image: object) -> int:
    try:
        return int(image.getexif().get(_EXIF_ORIENTATION_TAG, 1))  # type: ignore[attr-defined]
    except Exception:  # an unreadable EXIF block only loses the orientation; the pixels decide
        return 1


def _check_nothing_appended(data: bytes, kind: str) -> None:
    end = _png_end(data) if kind == "png" else _jpeg_end(data)
    if end is None:
        raise InvalidImageCorrupt("The image is truncated or damaged.")
    if data[end:].strip(b"\0"):
        raise InvalidImageFormat(
            "A cover must be a plain JPG or PNG image; this file has other data appended to it."
        )


def _png_end(data: bytes) -> int | None:
    """The offset just past the IEND chunk, walking chunk lengths; None if it never comes."""
    position = len(PNG_MAGIC)
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        position += 12 + length  # length, type, body, CRC
        if chunk_type == b"IEND":
            return position if position <= len(data) else None
    return None


def _jpeg_end(data: bytes) -> int | None:
    """The offset just past the EOI marker, walking segments and scans; None if it never comes.

    Segments carry their length; entropy-coded scan data runs to the next marker that is not a
    stuffed ``FF 00`` or a restart marker. An EXIF thumbnail's own EOI sits inside APP1, which is
    skipped by length, so it is never mistaken for the end.
    """
    size, position = len(data), 2
    while position + 1 < size:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
        elif marker == 0xD9:
            return position + 2
        elif marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
        else:
            if position + 4 > size:
                return None
            position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
            if marker == 0xDA:  # start of scan: skip the entropy-coded data
                while True:
                    position = data.find(b"\xff", position)
                    if position < 0 or position + 1 >= size:
                        return None
                    following = data[position + 1]
                    if following != 0x00 and not 0xD0 <= following <= 0xD7:
                        break
                    position += 2
    return None


def _check_dimensions(width: int, height: int, limits: CoverLimits) -> None:
    long_side, short_side = max(width, height), min(width, height)
    if long_side > limits.max_long_side or short_side > limits.max_short_side or short_side < 1:
        raise InvalidImageDimensions(
            f"A cover may be at most {limits.max_long_side}x{limits.max_short_side} px "
            f"(or {limits.max_short_side}x{limits.max_long_side} portrait); this one is {width}x{height}."
        )
