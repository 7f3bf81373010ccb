"""Renditions of one cover for every screen: widths, formats and feed crops (issue 16).

Pure functions over Pillow (no AWS): :func:`derive_cover` runs once a cover is set, and
``vodcover.usecases.cover_derivatives`` stores each result under ``keys.rendition_key``, a key
that changes with the bytes, so a CDN can cache every object for a year. Widths are never
upscaled; square (1:1) and vertical (9:16) crops are centred on the most detailed part of the
picture (:func:`salient_crop_box`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image, ImageChops, ImageFilter, ImageOps, features

from vodcover.media.placeholders import Placeholder, make_placeholder

RenditionFormat = Literal["jpeg", "webp", "avif"]
Aspect = Literal["original", "1:1", "9:16"]

CONTENT_TYPES: dict[RenditionFormat, str] = {"jpeg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}
EXTENSIONS: dict[RenditionFormat, str] = {"jpeg": "jpg", "webp": "webp", "avif": "avif"}
# Width : height of each crop.
ASPECT_RATIOS: dict[Aspect, tuple[int, int] | None] = {"original": None, "1:1": (1, 1), "9:16": (9, 16)}

# The detail map is computed on a copy this small: the crop only needs to be right to a few
# percent, and the map then costs a few milliseconds whatever the cover's size.
_SALIENCY_LONG_SIDE = 320


def writable_formats() -> tuple[RenditionFormat, ...]:
    """The formats this Pillow can encode (AVIF needs a Pillow built with libavif: 11.2+ wheels)."""
    found: list[RenditionFormat] = ["jpeg"]
    if features.check("webp"):
        found.append("webp")
    if features.check("avif"):
        found.append("avif")
    return tuple(found)


@dataclass(frozen=True)
class RenditionOptions:
    """The knobs, with defaults measured on real photographs (docs/embedding.md)."""

    widths: tuple[int, ...] = (320, 640, 1280)
    # Formats Pillow cannot write are skipped, so the default asks for all three.
    formats: tuple[RenditionFormat, ...] = ("jpeg", "webp", "avif")
    aspects: tuple[Aspect, ...] = ("original", "1:1", "9:16")
    jpeg_quality: int = 82
    webp_quality: int = 78
    avif_quality: int = 55
    # libavif 0 (slowest, smallest) .. 10; on 1080p, 8 costs 3.5x less CPU than 6 for +13 % bytes.
    avif_speed: int = 8

    def __post_init__(self) -> None:
        if not self.widths or any(w < 1 for w in self.widths):
            raise ValueError("widths must be positive")
        for quality in (self.jpeg_quality, self.webp_quality, self.avif_quality):
            if not 1 <= quality <= 100:
                raise ValueError("qualities are 1-100")
        unknown = set(self.aspects) - set(ASPECT_RATIOS)
        if unknown:
            raise ValueError(f"unknown aspects {sorted(unknown)}")


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    format: RenditionFormat
    aspect: Aspect
    data: bytes = field(repr=False)  # the encoded image

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


@dataclass(frozen=True)
class DerivedCover:
    """All a page needs besides the cover itself: its renditions and its placeholder."""

    renditions: list[Rendition]
    placeholder: Placeholder


def target_widths(available: int, widths: Sequence[int]) -> list[int]:
    """Each asked width, clamped to what the picture has (never upscaled), without repeats.

    A 1080-px-wide square asked for (320, 640, 1280) gets 320, 640 and 1080: the largest asked
    size becomes the full picture rather than disappearing.
    """
    return sorted({min(w, available) for w in widths})


def crop_box(
    width: int, height: int, ratio: tuple[int, int], centre: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest box of ``ratio`` inside ``width`` x ``height``, centred as near ``centre`` as fits."""
    rw, rh = ratio
    if width * rh > height * rw:  # the picture is wider than the ratio: full height
        box_w, box_h = max(1, round(height * rw / rh)), height
    else:
        box_w, box_h = width, max(1, round(width * rh / rw))
    left = min(max(round(centre[0] - box_w / 2), 0), width - box_w)
    top = min(max(round(centre[1] - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def detail_map(image: Image.Image) -> Image.Image:
    """Where the picture is both contrasted and in focus: gradient energy times fine detail.

    People look at edges and texture (eyes, text, objects), and a photographer keeps the subject
    in focus. Gradient energy (Sobel) alone also rewards the strong, smooth edges of a defocused
    background (a blurred white cup outscored a sharp cat); fine detail alone (luma less its
    blur) rewards any in-focus lattice (the rocket's towers over the rocket). Their product
    wants both: measured on scikit-image's photographs, it keeps the subject in 14 of 14 crops
    where either alone kept 11-12 (bench/embed_renditions.py, docs/embedding.md). A first light
    blur keeps JPEG noise and film grain from counting as detail.
    """
    small = image.convert("L")
    small.thumbnail((_SALIENCY_LONG_SIDE, _SALIENCY_LONG_SIDE), Image.Resampling.BOX)
    small = small.filter(ImageFilter.GaussianBlur(0.7))
    # Kernel clips negatives to 0, so each direction is taken with both signs.
    sobel_x = (-1, 0, 1, -2, 0, 2, -1, 0, 1)
    sobel_y = (-1, -2, -1, 0, 0, 0, 1, 2, 1)
    parts = [
        small.filter(ImageFilter.Kernel((3, 3), tuple(sign * k for k in kernel), scale=1))
        for kernel in (sobel_x, sobel_y)
        for sign in (1, -1)
    ]
    gradient = ImageChops.add(ImageChops.lighter(parts[0], parts[1]), ImageChops.lighter(parts[2], parts[3]))
    fine = ImageChops.difference(small, small.filter(ImageFilter.GaussianBlur(2)))
    energy = ImageChops.multiply(gradient, fine.point(_FINE_DETAIL_GAIN))
    # The filters see a clamped border; a frame of false detail would pull crops outward.
    return ImageOps.expand(ImageOps.crop(energy, 2), border=2, fill=0) if min(small.size) > 8 else energy


# Fine detail is a few grey levels even where sharp: scaled x8 (clipped) before the product.
_FINE_DETAIL_GAIN = [min(255, v * 8) for v in range(256)]


def _best_window(profile: Sequence[float], window: int) -> int:
    """Start of the ``window``-long run of ``profile`` with the most energy (centre wins ties)."""
    if window >= len(profile):
        return 0
    best_start = (len(profile) - window) // 2
    total = sum(profile[best_start : best_start + window])
    best = total
    running = sum(profile[:window])
    for start in range(0, len(profile) - window + 1):
        if start:
            running += profile[start + window - 1] - profile[start - 1]
        if running > best * 1.02:  # a crop moves off centre only for clearly more detail
            best, best_start = running, start
    return best_start


def salient_crop_box(image: Image.Image, ratio: tuple[int, int]) -> tuple[int, int, int, int]:
    """The ``ratio`` crop of ``image`` that holds the most detail (:func:`detail_map`).

    The crop always spans one full side, so the search is one-dimensional: the energy profile
    along the free axis (a BOX resize to one row or column averages it) and a sliding window.
    """
    width, height = image.size
    full = crop_box(width, height, ratio, (width / 2, height / 2))
    box_w, box_h = full[2] - full[0], full[3] - full[1]
    if box_w == width and box_h == height:
        return full
    energy = detail_map(image)
    ew, eh = energy.size
    if box_h == height:  # slide horizontally
        profile = list(energy.resize((ew, 1), Image.Resampling.BOX).tobytes())
        start = _best_window(profile, max(1, round(box_w * ew / width)))
        centre = ((start + box_w * ew / width / 2) * width / ew, height / 2)
    else:
        profile = list(energy.resize((1, eh), Image.Resampling.BOX).tobytes())
        start = _best_window(profile, max(1, round(box_h * eh / height)))
        centre = (width / 2, (start + box_h * eh / height / 2) * height / eh)
    return crop_box(width, height, ratio, centre)


def encode(image: Image.Image, fmt: RenditionFormat, options: RenditionOptions) -> bytes:
    out = io.BytesIO()
    if fmt == "jpeg":
        image.save(out, "JPEG", quality=options.jpeg_quality, optimize=True, progressive=True)
    elif fmt == "webp":
        image.save(out, "WEBP", quality=options.webp_quality, method=4)
    else:
        image.save(out, "AVIF", quality=options.avif_quality, speed=options.avif_speed)
    return out.getvalue()


def open_cover(data: bytes) -> Image.Image:
    """The cover upright (EXIF orientation applied) in RGB, ready to resize.

    Covers reach here already checked (``media.cover_image``: format, size, pixel limits).
    """
    with Image.open(io.BytesIO(data)) as opened:
        upright = ImageOps.exif_transpose(opened)
        if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))  # JPEG has no alpha: paint on white
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return upright.convert("RGB")


def derive_cover(data: bytes, options: RenditionOptions | None = None) -> DerivedCover:
    """Renditions and placeholder of the (checked) cover ``data``, decoded once."""
    picture = open_cover(data)
    return DerivedCover(renditions_of(picture, options), make_placeholder(picture))


def make_renditions(data: bytes, options: RenditionOptions | None = None) -> list[Rendition]:
    return renditions_of(open_cover(data), options)


def renditions_of(picture: Image.Image, options: RenditionOptions | None = None) -> list[Rendition]:
    """Every (aspect, width, format) rendition of ``picture``, smallest first per aspect."""
    options = options or RenditionOptions()
    formats = [f for f in options.formats if f in writable_formats()]
    found: list[Rendition] = []
    for aspect in options.aspects:
        ratio = ASPECT_RATIOS[aspect]
        framed = picture if ratio is None else picture.crop(salient_crop_box(picture, ratio))
        for width in target_widths(framed.width, options.widths):
            height = max(1, round(framed.height * width / framed.width))
            sized = (
                framed
                if width == framed.width
                else framed.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            )
            for fmt in formats:
                found.append(Rendition(sized.width, sized.height, fmt, aspect, encode(sized, fmt, options)))
    return found
