"""What a cover image's bytes say without decoding a pixel: format, dimensions, where it ends.

Pure Python, so the covers API refuses obvious bad input (too big, not a JPG/PNG, too many
pixels, something appended, truncated) without invoking the cover media function; the media
side runs the same checks first (:func:`precheck_cover_image`) and then decodes with Pillow.
Checked in the cheapest order: size, magic bytes, header dimensions (a decompression bomb costs
nothing), then the file's structure (nothing may follow the image's end: a JPEG or PNG with a
zip or HTML appended is a polyglot that our bucket would otherwise serve).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from vodcover.errors import (
    InvalidImageCorrupt,
    InvalidImageDimensions,
    InvalidImageFormat,
    InvalidImageTooLarge,
)

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the size: C0-CF except DHT (C4), JPG (C8) and DAC (CC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class CoverLimits:
    max_bytes: int = 1_048_576
    max_long_side: int = 1920
    max_short_side: int = 1080


@dataclass(frozen=True)
class ImageHeader:
    format: str  # "jpeg" or "png"
    width: int  # as stored, before any EXIF orientation
    height: int


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

    @classmethod
    def of(cls, data: bytes, image_format: str, width: int, height: int) -> CheckedImage:
        return cls(data, image_format, width, height, hashlib.sha256(data).hexdigest()[:32])


def precheck_cover_image(data: bytes, limits: CoverLimits) -> ImageHeader:
    """Every check that needs no decoder; raises the same ``InvalidImage.*`` errors as the full one."""
    check_size(data, limits)
    kind = sniff_format(data)
    size = png_size(data) if kind == "png" else jpeg_size(data)
    if size is None:
        raise InvalidImageCorrupt("The image could not be decoded.", detail="no size in the header")
    check_dimensions(*size, limits)
    check_nothing_appended(data, kind)
    return ImageHeader(kind, *size)


def check_size(data: bytes, limits: CoverLimits) -> None:
    if len(data) > limits.max_bytes:
        raise InvalidImageTooLarge(
            f"A cover image may be at most {limits.max_bytes} bytes; this one is {len(data)}."
        )
    if not data:
        raise InvalidImageCorrupt("The image is empty.")


def sniff_format(data: bytes) -> str:
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    if data.startswith(PNG_MAGIC):
        return "png"
    raise InvalidImageFormat("A cover must be a JPG or PNG image.")


def check_dimensions(width: int, height: int, limits: CoverLimits) -> None:
    long_side, short_side = max(width, height), min(width, height)
    if long_side > limits.max_long_side or short_side > limits.max_short_side or short_side < 1:
        raise InvalidImageDimensions(
            f"A cover may be at most {limits.max_long_side}x{limits.max_short_side} px "
            f"(or {limits.max_short_side}x{limits.max_long_side} portrait); this one is {width}x{height}."
        )


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the IHDR chunk, which must come first."""
    start = len(PNG_MAGIC)
    if len(data) < start + 16 or data[start + 4 : start + 8] != b"IHDR":
        return None
    return int.from_bytes(data[start + 8 : start + 12], "big"), int.from_bytes(
        data[start + 12 : start + 16], "big"
    )


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the first start-of-frame segment, walking segments by length."""
    size, position = len(data), 2
    while position + 4 <= size:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker == 0xD9 or marker == 0xDA:  # end of image or a scan before any frame header
            return None
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            position += 2
            continue
        if marker in _SOF_MARKERS:
            if position + 9 > size:
                return None
            height = int.from_bytes(data[position + 5 : position + 7], "big")
            width = int.from_bytes(data[position + 7 : position + 9], "big")
            return width, height
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    return None


def check_nothing_appended(data: bytes, kind: str) -> None:
    end = png_end(data) if kind == "png" else jpeg_end(data)
    if end is None:
        raise InvalidImageCorrupt("The image is truncated or damaged.")
    if data[end:].strip(b"\0"):
        raise InvalidImageFormat(
            "A cover must be a plain JPG or PNG image; this file has other data appended to it."
        )


def png_end(data: bytes) -> int | None:
    """The offset just past the IEND chunk, walking chunk lengths; None if it never comes."""
    position = len(PNG_MAGIC)
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        position += 12 + length  # length, type, body, CRC
        if chunk_type == b"IEND":
            return position if position <= len(data) else None
    return None


def jpeg_end(data: bytes) -> int | None:
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
