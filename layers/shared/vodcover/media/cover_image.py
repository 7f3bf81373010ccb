"""Cover images: JPG or PNG by content, bounded bytes and dimensions, really decodable.

Runs in the cover media function (and the screenshot job, for a ``coverUrl`` given at
creation): first every check that needs no decoder (:mod:`vodcover.cover_media.headers`, the
same the covers API runs before it invokes us), then Pillow, imported here only, lazily, opening
only the two formats we accept: animation, and a full decode. Width and height are as displayed
(after the EXIF orientation), like the snapshots' sizes.
"""

from __future__ import annotations

import io

from vodcover.cover_media.headers import CheckedImage, CoverLimits, check_dimensions, precheck_cover_image
from vodcover.errors import InvalidImageCorrupt, InvalidImageDimensions, InvalidImageFormat

__all__ = ["CheckedImage", "CoverLimits", "check_cover_image"]


def check_cover_image(data: bytes, limits: CoverLimits) -> CheckedImage:
    kind = precheck_cover_image(data, limits).format

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=["JPEG" if kind == "jpeg" else "PNG"]) as image:
            width, height = image.size  # from the header: nothing decoded yet
            check_dimensions(width, height, limits)
            if getattr(image, "is_animated", False):
                raise InvalidImageFormat("Animated images cannot be covers.")
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
    return CheckedImage.of(data, kind, width, height)


# EXIF orientations 5-8 turn the picture a quarter: it is shown height x width.
_TURNED_ORIENTATIONS = frozenset({5, 6, 7, 8})
_EXIF_ORIENTATION_TAG = 0x0112


def _exif_orientation(image: object) -> int:
    try:
        return int(image.getexif().get(_EXIF_ORIENTATION_TAG, 1))  # type: ignore[attr-defined]
    except Exception:  # an unreadable EXIF block only loses the orientation; the pixels decide
        return 1
