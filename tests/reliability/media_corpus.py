"""Hostile files made at test time (nothing binary is committed): videos, images and their tricks.

Videos come from ``vodcover_dev.samples`` or from the bundled ffmpeg directly; images from
Pillow, some with their headers patched afterwards (a decompression bomb is a small file whose
header declares a huge picture).
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

from PIL import Image

from vodcover.media.ffmpeg import run_ffmpeg
from vodcover_dev import samples

ENCODE_TIMEOUT = 120.0
SIZE = (320, 240)
X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


# --- videos ------------------------------------------------------------------------------------
def encode(path: Path, *args: str, source: str = "testsrc2=s=320x240:r=10", seconds: float = 2.0) -> Path:
    """``ffmpeg -f lavfi -i SOURCE -t SECONDS ARGS PATH``: a clip with exactly the tricks asked for."""
    run_ffmpeg(
        ["-y", "-f", "lavfi", "-i", source, "-t", f"{seconds}", *args, str(path)],
        timeout=ENCODE_TIMEOUT,
        message="Encoding failed.",
    )
    return path


def plain_clip(path: Path, *, faststart: bool = True) -> Path:
    return samples.make_sample_video(
        path, duration=2, width=SIZE[0], height=SIZE[1], fps=10, faststart=faststart
    )


def moov_missing(path: Path, scratch: Path) -> Path:
    """An upload cut short before the index: the moov box sits at the end and never arrived."""
    whole = plain_clip(scratch / "moov-at-end.mp4", faststart=False)
    return samples.make_truncated(whole, path, keep=0.6)


def mdat_cut(path: Path, scratch: Path) -> Path:
    """Index first (faststart), media data cut at 55 %: the first half of the frames is there."""
    whole = plain_clip(scratch / "faststart.mp4")
    return samples.make_truncated(whole, path, keep=0.55)


def huge_declared_resolution(path: Path, scratch: Path, side: int = 16000) -> Path:
    """A 320x240 Motion-JPEG .mov whose sample entry, track header and every frame header say ``side``².

    ffmpeg reports the declared size; decoding a frame must fail fast (the data cannot fill
    that picture), not allocate gigabytes.
    """
    small = encode(scratch / "mjpeg.mov", "-c:v", "mjpeg", "-q:v", "5", seconds=1.0)
    data = bytearray(small.read_bytes())
    position = 0
    while (position := data.find(b"\xff\xc0", position)) >= 0:  # SOF0 of each frame
        data[position + 5 : position + 9] = struct.pack(">HH", side, side)
        position += 2
    entry = data.find(b"jpeg") - 4  # the visual sample entry: width and height at +32
    data[entry + 32 : entry + 36] = struct.pack(">HH", side, side)
    tkhd = data.find(b"tkhd") - 4  # version 0 track header: width and height (16.16) at +76
    data[tkhd + 76 : tkhd + 84] = struct.pack(">II", side << 16, side << 16)
    path.write_bytes(bytes(data))
    return path


def variable_frame_rate(path: Path) -> Path:
    """25 frames 20 ms apart, then the rest 60 ms apart: timestamps, not a frame rate, tell time."""
    rate = "setpts='if(lt(N,25),N*0.02,0.5+(N-25)*0.06)/TB'"
    return encode(path, "-vf", rate, "-fps_mode", "vfr", *X264, source="testsrc2=s=320x240:r=25")


def negative_start(path: Path) -> Path:
    """FLV timestamps shifted one second below zero (they wrap around in the 32-bit field)."""
    return encode(path, *X264, "-output_ts_offset", "-1", "-avoid_negative_ts", "disabled", "-f", "flv")


def codec_clip(path: Path, codec: str) -> Path:
    flags = {
        "hevc": [
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-x265-params",
            "log-level=error",
        ],
        "vp9": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-pix_fmt", "yuv420p"],
        "av1": ["-c:v", "libsvtav1", "-preset", "12", "-pix_fmt", "yuv420p", "-svtav1-params", "verbosity=0"],
    }[codec]
    if codec == "hevc" and path.suffix == ".mp4":
        flags = [*flags, "-tag:v", "hvc1"]
    return encode(path, *flags)


# --- images ------------------------------------------------------------------------------------
def picture(width: int, height: int, mode: str = "RGB", *, seed: int = 1) -> Image.Image:
    """A picture with some detail (noise over a gradient), so encoders have something to keep."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.frombytes("RGB", (64, 64), rng.randbytes(64 * 64 * 3)).resize((width, height))
    return Image.blend(image, noise, 0.3).convert(mode)


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def jpeg(width: int = 640, height: int = 360, **options: object) -> bytes:
    return encoded(picture(width, height), "JPEG", quality=85, **options)


def png(width: int = 640, height: int = 360, mode: str = "RGB") -> bytes:
    return encoded(picture(width, height, mode), "PNG")


def flat_png(width: int, height: int) -> bytes:
    """One colour: compresses to almost nothing, so only the dimensions can be wrong."""
    return encoded(Image.new("RGB", (width, height), (30, 90, 160)), "PNG")


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(side: int = 100_000) -> bytes:
    """A valid-looking PNG of a few hundred bytes whose header declares side x side pixels."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
    pixels = png_chunk(b"IDAT", zlib.compress(b"\0" * 4096))
    return b"\x89PNG\r\n\x1a\n" + header + pixels + png_chunk(b"IEND", b"")


def jpeg_bomb(side: int = 65_000) -> bytes:
    """A small JPEG with its frame header (SOF0) claiming side x side pixels."""
    data = bytearray(jpeg(64, 64))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", side, side)
    return bytes(data)


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(document.domain)</script>")
    return buffer.getvalue()


def cmyk_jpeg() -> bytes:
    return encoded(picture(640, 360, "CMYK"), "JPEG", quality=85)


def progressive_jpeg() -> bytes:
    return jpeg(progressive=True)


def png_16_bit() -> bytes:
    image = Image.linear_gradient("L").resize((640, 360)).convert("I")
    return encoded(image.point(lambda value: value * 256).convert("I;16"), "PNG")


def palette_png() -> bytes:
    return encoded(picture(640, 360).quantize(64), "PNG")


def animated_png() -> bytes:
    frames = [picture(320, 180, seed=seed) for seed in range(3)]
    return encoded(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100, loop=0)


def exif_rotated_jpeg() -> bytes:
    """Stored 360x640 (portrait pixels) with EXIF orientation 6: shown turned 90°, as 640x360."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return encoded(picture(360, 640), "JPEG", quality=85, exif=exif.tobytes())


def gif() -> bytes:
    return encoded(picture(320, 180), "GIF")


def webp() -> bytes:
    return encoded(picture(320, 180), "WEBP")


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"><script>alert(1)</script></svg>'


def heic_header() -> bytes:
    """The first box of every HEIC file (``ftyp`` brand ``heic``), followed by filler."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\0\0\0\0" + b"mif1heic" + b"\0" * 2048


def real_heic() -> bytes | None:
    """A real HEIC when pillow-heif is installed (it is not a vodcover dependency)."""
    try:
        import pillow_heif  # type: ignore[import-not-found]
    except ImportError:
        return None
    pillow_heif.register_heif_opener()
    return encoded(picture(320, 180), "HEIF")


def jpeg_of_exactly(size: int) -> bytes:
    """A valid JPEG of exactly ``size`` bytes: comment segments (inside the image) pad it."""
    base = jpeg(640, 360)
    padding, remaining = bytearray(), size - len(base)
    if remaining < 4:
        raise ValueError("size too small for a padded JPEG")
    while remaining:
        take = min(remaining, 65_537)  # a segment is FF FE, a 2-byte length (≤ 65535), its payload
        if 0 < remaining - take < 4:
            take -= 4
        padding += b"\xff\xfe" + struct.pack(">H", take - 2) + b"\0" * (take - 4)
        remaining -= take
    data = base[:2] + bytes(padding) + base[2:]
    assert len(data) == size
    return data
