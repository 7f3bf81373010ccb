"""Images for cover uploads, and the few measurements the tests make on covers."""

from __future__ import annotations

import io
import os

import requests
from PIL import Image, ImageChops, ImageStat


def encoded(image: Image.Image, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def solid(width: int, height: int, colour: tuple[int, int, int], format: str = "PNG") -> bytes:
    return encoded(Image.new("RGB", (width, height), colour), format)


def noise(width: int, height: int, format: str = "PNG") -> bytes:
    """Incompressible pixels: the largest file for a given size."""
    return encoded(Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)), format)


def gif(width: int = 64, height: int = 64) -> bytes:
    return encoded(Image.new("P", (width, height), 3), "GIF")


def download(url: str) -> Image.Image:
    """The image behind a presigned URL from an answer (plain GET, as a browser would)."""
    response = requests.get(url, timeout=30)
    response.raise_for_status()
    with Image.open(io.BytesIO(response.content)) as image:
        return image.convert("RGB")


def brightness(image: Image.Image) -> float:
    """Mean luma, 0 (black) … 255 (white)."""
    return float(ImageStat.Stat(image.convert("L")).mean[0])


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute pixel difference (0 … 255) after bringing ``b`` to ``a``'s size."""
    if b.size != a.size:
        b = b.resize(a.size)
    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3)
