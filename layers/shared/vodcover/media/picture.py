"""How a decoded frame becomes the picture vodcover shows: one filter chain for every image.

Every frame vodcover pipes out of ffmpeg (snapshots, the ``coverTime`` frame, the keyframe fast
path, smart-cover analysis frames and candidates, the animated cover) goes through
:func:`picture_filters`, so every image gets the same treatment:

1. **bars cropped** (:class:`Crop`, found once per video by :mod:`vodcover.media.bars`), in the
   displayed orientation, before scaling;
2. **scaled** at the source's bit depth (cheap: a 10-bit frame is scaled by swscale, not by a
   float pipeline);
3. **tone-mapped to SDR BT.709** when the source is HDR (PQ ``smpte2084`` or HLG
   ``arib-std-b67``; Dolby Vision profile 8 files carry one of those in their base layer, 8.1
   PQ and 8.4 HLG; profile 5 has no such base layer, ffmpeg cannot reshape it without its
   RPUs' metadata, so it is shown as decoded);
4. **8-bit RGB** (``format=rgb24``): a 10-bit, 4:2:2 or 4:4:4 source never reaches Pillow as
   16-bit PPM, which it decodes in pure Python (~5 s a 720p frame).

SDR sources get steps 1, 2 and 4 only: their pixels are what they were before.

The tone map, chosen by measurement (``bench/hdr_tonemap.py``): SDR clips (four lavfi scenes and
three photographs) converted to HLG and PQ HEVC Main 10 with reference white at 203 nits
(BT.2408), as phones grade, then snapshotted through this chain with each operator and compared
with the SDR source's snapshot (colourfulness, Hasler & Süsstrunk; mean luma). Linearising with
``npl=203`` maps HDR reference white to SDR white. Mean |colour error| + |luma error| over the
14 clips: ``clip`` 9.5 %, ``mobius`` j=0.5 12.1 %, ``mobius`` j=0.3 16.7 %, ``reinhard``
28.3 %, ``hable`` 70.6 % (dull and dark: -33 % colour, -34 % luma on a garden photograph;
untreated frames: -49 % colour for HLG, -71 % for PQ). ``clip`` only wins because a round trip
from SDR has nothing above reference white; on real HDR footage it flattens every highlight.
``mobius`` with j=0.5 keeps everything below half of reference white linear (skin, foliage,
most of a scene: garden -1.8 % colour, -3.4 % luma) and rolls highlights off smoothly, so
bright skies keep detail.
``desat=0``: the default desaturation greys highlights, which a cover does not want.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

PQ = "smpte2084"
HLG = "arib-std-b67"
HDR_TRANSFERS = frozenset({PQ, HLG})
# What the HDR chain linearises to: 1.0 = this many nits (BT.2408 HDR reference white).
REFERENCE_WHITE_NITS = 203
TONEMAP = "mobius:param=0.5:desat=0"

# ``yuv420p10le(tv, bt2020nc/bt2020/arib-std-b67, progressive)`` or ``yuv420p(tv, bt709)``
_PIXEL_FORMAT_RE = re.compile(r"(?:^|, )(?P<fmt>[a-z]{3,}[0-9a-z]*)(?:\((?P<props>[^)]*)\))?(?=, |$)")
_DOVI_RE = re.compile(
    r"DOVI configuration record: version: [\d.]+, profile: (?P<profile>\d+)"
    r"(?:.*?compatibility id: (?P<compat>\d+))?"
)
_RANGES = frozenset({"tv", "pc"})


@dataclass(frozen=True)
class Colour:
    """The colour facts of a video stream, as ``ffmpeg -i`` prints them ("" where it says nothing)."""

    pixel_format: str = ""
    range: str = ""
    matrix: str = ""
    primaries: str = ""
    transfer: str = ""
    dolby_vision: str = ""  # "8.4" (profile.compatibility id), "5", ... or "" when absent

    @property
    def is_hdr(self) -> bool:
        return self.transfer in HDR_TRANSFERS

    @property
    def bit_depth(self) -> int:
        match = re.search(r"p(\d+)(?:le|be)$", self.pixel_format)
        return int(match.group(1)) if match else 8


SDR = Colour()


@dataclass(frozen=True)
class Crop:
    """The picture inside black bars, in displayed (upright) full-size pixels."""

    width: int
    height: int
    x: int
    y: int

    def filter(self) -> str:
        return f"crop={self.width}:{self.height}:{self.x}:{self.y}"


def parse_colour(stream_line: str, stream_block: str = "") -> Colour:
    """The :class:`Colour` of one ``Stream #0:0: Video: ...`` line and its side data block."""
    fmt, props = "", ""
    for match in _PIXEL_FORMAT_RE.finditer(stream_line):
        name = match.group("fmt")
        if name.startswith(("yuv", "yuvj", "gbr", "rgb", "bgr", "nv", "p0", "p2", "p4", "gray", "y2")):
            fmt, props = name, match.group("props") or ""
            break
    parts = [p.strip() for p in props.split(",") if p.strip()]
    colour_range = next((p for p in parts if p in _RANGES), "")
    described = [p for p in parts if p not in _RANGES and p not in ("progressive", "tff", "bff")]
    matrix = primaries = transfer = ""
    if described and "/" in described[0]:
        matrix, primaries, transfer = ([*described[0].split("/"), "", ""])[:3]
    elif described and ":" not in described[0]:
        matrix = primaries = transfer = described[0]
    dovi = _DOVI_RE.search(stream_block)
    dolby_vision = ""
    if dovi is not None:
        compat = dovi.group("compat")
        dolby_vision = dovi.group("profile") + (f".{compat}" if compat and compat != "0" else "")
    return Colour(
        pixel_format=fmt,
        range=colour_range,
        matrix="" if matrix == "unknown" else matrix,
        primaries="" if primaries == "unknown" else primaries,
        transfer="" if transfer == "unknown" else transfer,
        dolby_vision=dolby_vision,
    )


def tonemap_filters(colour: Colour, operator: str = TONEMAP) -> list[str]:
    """zscale + tonemap: HDR (PQ or HLG, BT.2020) to SDR BT.709, 8-bit RGB out."""
    matrix = colour.matrix or "bt2020nc"
    primaries = colour.primaries or "bt2020"
    colour_range = "pc" if colour.range == "pc" else "tv"
    return [
        f"zscale=tin={colour.transfer}:min={matrix}:pin={primaries}:rin={colour_range}"
        f":t=linear:npl={REFERENCE_WHITE_NITS}:p=bt709",  # one pass: to linear light, BT.709 primaries
        "format=gbrpf32le",
        f"tonemap={operator}",
        "zscale=t=bt709",
        "format=gbrp",
    ]


def picture_filters(
    scale: str,
    *,
    colour: Colour | None = None,
    crop: Crop | None = None,
    before: Sequence[str] = (),
    after: Sequence[str] = (),
) -> list[str]:
    """THE filter chain of every frame vodcover pipes out of ffmpeg (see the module docstring).

    ``scale`` is the caller's scale filter (``scale=W:H:flags=...``, plus ``setsar=1`` if
    wanted); ``before`` runs first on the decoded frame (a raw stream's display rotation, fps,
    select), ``after`` last on the 8-bit RGB picture (``showinfo``). ``crop`` is in displayed
    full-size pixels, so it comes after any rotation and before the scale.
    """
    chain = [*before]
    if crop is not None:
        chain.append(crop.filter())
    chain.append(scale)
    if colour is not None and colour.is_hdr:
        chain += tonemap_filters(colour)
    chain.append("format=rgb24")
    chain += after
    return chain


def rgb_output_args(
    scale: str,
    *,
    colour: Colour | None = None,
    crop: Crop | None = None,
    before: Sequence[str] = (),
    after: Sequence[str] = (),
    container: str = "rawvideo",
) -> list[str]:
    """``-vf CHAIN -pix_fmt rgb24 -f rawvideo|image2pipe [-c:v ppm] pipe:1``: frames on stdout."""
    chain = picture_filters(scale, colour=colour, crop=crop, before=before, after=after)
    codec = ["-c:v", "ppm"] if container == "image2pipe" else []
    return ["-vf", ",".join(chain), "-pix_fmt", "rgb24", "-f", container, *codec, "pipe:1"]
