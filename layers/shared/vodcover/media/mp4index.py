"""Where every keyframe of an mp4 lies: a small ISO-BMFF parser that reads only the index.

Snapshots of a large video behind a URL should cost a few megabytes, not the whole file.
The ``moov`` box (usually well under 1 % of the file) says, for each video sample, its
presentation time, byte offset and size, and which samples are keyframes (``stss``). With
that, a caller can fetch just the keyframes it wants and decode them alone.

The parser works from a :class:`~vodcover.media.mp4boxes.ByteSource` (local file or HTTP
ranges), finds ``moov`` at the front or the end of the file in a couple of ranged reads
(:mod:`vodcover.media.mp4boxes`), and turns the first video track into a
:class:`VideoTrackIndex`: its codec and decoder configuration here, its keyframes from the
sample tables (:mod:`vodcover.media.mp4samples`). Everything after the reads is pure functions
on ``bytes``.

Input is hostile until proven otherwise: every size and count is checked against the bytes
actually present and the file size, so a crafted file raises :class:`MediaCorrupt` instead of
hanging or allocating gigabytes. What this module does not handle (fragmented mp4, other
containers, codecs other than H.264/HEVC, complex edit lists) raises :class:`Mp4Unsupported`,
the signal for callers to fall back to ffmpeg's own seeking.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from vodcover.errors import MediaCorrupt, MediaNoVideoStream
from vodcover.media.mp4boxes import (
    BoxHeader,
    ByteSource,
    Mp4Unsupported,
    find_child,
    find_path,
    full_box,
    iter_boxes,
    need,
    parse_box_header,
    payload,
    read_moov,
)
from vodcover.media.mp4samples import (
    EditShift,
    Keyframe,
    locate_keyframes,
    movie_start,
    parse_elst,
    parse_sample_tables,
)

_CODECS = {b"avc1": "h264", b"avc3": "h264", b"hvc1": "hevc", b"hev1": "hevc", b"av01": "av1", b"vp09": "vp9"}
_CONFIG_BOX = {"h264": b"avcC", "hevc": b"hvcC", "av1": b"av1C", "vp9": b"vpcC"}
AV1_CONFIG_HEADER_BYTES = 4  # av1C: marker/version, profile/level, flags, delay; then configOBUs
_VISUAL_SAMPLE_ENTRY_BYTES = 78  # fixed fields before a visual sample entry's child boxes


@dataclass(frozen=True)
class VideoTrackIndex:
    """What the fast path needs to fetch and decode keyframes of the first video track."""

    codec: str  # "h264", "hevc", "av1" or "vp9"
    nal_length_size: int  # bytes of each NAL unit's length prefix inside samples
    parameter_sets: tuple[bytes, ...]  # VPS/SPS/PPS (and prefix SEI) from avcC/hvcC, in order
    width: int  # coded picture size from the sample entry (before rotation)
    height: int
    matrix: tuple[int, ...]  # tkhd display matrix, 9 fixed-point values as stored
    timescale: int
    duration: float  # seconds
    sample_count: int
    keyframes: tuple[Keyframe, ...]  # sorted by time

    @property
    def rotation(self) -> int:
        """Clockwise display rotation in degrees (0/90/180/270), as ffmpeg reports it."""
        return display_rotation(self.matrix)


def read_video_index(source: ByteSource, head: bytes | None = None) -> VideoTrackIndex:
    """Locate, read and parse the index of the first video track of an mp4."""
    return parse_moov(read_moov(source, head), source.size)


def parse_mvhd_timescale(version: int, body: bytes) -> int:
    need(body, 20 if version == 1 else 12, "mvhd")
    (timescale,) = struct.unpack_from(">I", body, 16 if version == 1 else 8)
    return timescale


def parse_mdhd(version: int, body: bytes) -> tuple[int, int]:
    """Return the media timescale and duration (in that timescale)."""
    if version == 1:
        need(body, 28, "mdhd")
        timescale, duration = struct.unpack_from(">IQ", body, 16)
    else:
        need(body, 16, "mdhd")
        timescale, duration = struct.unpack_from(">II", body, 8)
    if timescale == 0:
        raise MediaCorrupt("The video index is corrupt.", detail="mdhd timescale 0")
    return timescale, duration


def parse_tkhd_matrix(version: int, body: bytes) -> tuple[int, ...]:
    """Return the 3x3 display matrix (row-major, as stored: 16.16 and 2.30 fixed point)."""
    start = (32 if version == 1 else 20) + 16  # times, id, duration; reserved, layer, group, volume
    need(body, start + 36, "tkhd")
    return struct.unpack_from(">9i", body, start)


def parse_handler_type(body: bytes) -> bytes:
    need(body, 8, "hdlr")
    return body[4:8]


def display_rotation(matrix: tuple[int, ...]) -> int:
    """Clockwise rotation ffmpeg applies for this matrix, snapped to 0/90/180/270.

    Same arithmetic as libavutil's ``av_display_rotation_get`` and fftools' ``get_rotation``;
    the matrix is read in the order libavformat stores it.
    """
    a, b, _, c, d, *_ = matrix
    scale0, scale1 = math.hypot(a, c), math.hypot(b, d)
    if scale0 == 0 or scale1 == 0:
        return 0
    theta = -math.degrees(math.atan2(b / scale1, a / scale0))  # av_display_rotation_get
    theta = -round(theta)  # get_rotation
    theta -= 360 * math.floor(theta / 360 + 0.9 / 360)
    return int(round(theta / 90) * 90) % 360


def display_filters(matrix: tuple[int, ...]) -> list[str]:
    """The ffmpeg filters that show decoded frames the way the file's display matrix says.

    A raw H.264/HEVC stream carries no display matrix, so what ffmpeg's autorotate would do
    for the mp4 must be spelled out; the choices mirror fftools/ffmpeg_filter.c.
    """
    rotation = display_rotation(matrix)
    if rotation == 90:
        return ["transpose=cclock_flip" if matrix[3] > 0 else "transpose=clock"]
    if rotation == 270:
        return ["transpose=clock_flip" if matrix[3] < 0 else "transpose=cclock"]
    filters = []
    if rotation == 180 and matrix[0] < 0:
        filters.append("hflip")
    if matrix[4] < 0:
        filters.append("vflip")
    return filters


@dataclass(frozen=True)
class SampleEntry:
    codec: str
    width: int
    height: int
    nal_length_size: int
    parameter_sets: tuple[bytes, ...]


def parse_stsd(body: bytes) -> SampleEntry:
    """Read the first sample entry: codec, coded size and the decoder configuration."""
    need(body, 8, "stsd")
    entry = parse_box_header(body, 4, len(body))
    codec = _CODECS.get(entry.type)
    if codec is None:
        raise Mp4Unsupported(f"video codec {entry.type!r}")
    fixed = entry.offset + entry.header_size
    if entry.end - fixed < _VISUAL_SAMPLE_ENTRY_BYTES:
        raise MediaCorrupt("The video index is corrupt.", detail="visual sample entry too short")
    width, height = struct.unpack_from(">HH", body, fixed + 24)
    config = next(
        (
            b
            for b in iter_boxes(body, fixed + _VISUAL_SAMPLE_ENTRY_BYTES, entry.end)
            if b.type == _CONFIG_BOX[codec]
        ),
        None,
    )
    if config is None:
        raise MediaCorrupt("The video index is corrupt.", detail=f"{codec} without decoder configuration")
    config_bytes = payload(body, config)
    if codec == "h264":
        length_size, sets = parse_avcc(config_bytes)
    elif codec == "hevc":
        length_size, sets = parse_hvcc(config_bytes)
    elif codec == "av1":  # samples are OBUs; the sequence header may only be in av1C
        length_size, sets = 0, (config_bytes[AV1_CONFIG_HEADER_BYTES:],)
    else:  # VP9 frames carry everything the decoder needs
        length_size, sets = 0, ()
    return SampleEntry(codec, width, height, length_size, sets)


def _length_prefixed(buf: bytes, offset: int, count: int) -> tuple[list[bytes], int]:
    units = []
    for _ in range(count):
        need(buf[offset:], 2, "parameter set")
        (size,) = struct.unpack_from(">H", buf, offset)
        offset += 2
        need(buf[offset:], size, "parameter set")
        units.append(buf[offset : offset + size])
        offset += size
    return units, offset


def parse_avcc(config: bytes) -> tuple[int, tuple[bytes, ...]]:
    """AVCDecoderConfigurationRecord → (NAL length size, SPS… + PPS…)."""
    need(config, 7, "avcC")
    length_size = (config[4] & 0x03) + 1
    sps, offset = _length_prefixed(config, 6, config[5] & 0x1F)
    need(config[offset:], 1, "avcC")
    pps, _ = _length_prefixed(config, offset + 1, config[offset])
    return _checked_length_size(length_size), tuple(sps + pps)


def parse_hvcc(config: bytes) -> tuple[int, tuple[bytes, ...]]:
    """HEVCDecoderConfigurationRecord → (NAL length size, VPS/SPS/PPS/SEI in stored order)."""
    need(config, 23, "hvcC")
    length_size = (config[21] & 0x03) + 1
    offset, units = 23, []
    for _ in range(config[22]):
        need(config[offset:], 3, "hvcC")
        (count,) = struct.unpack_from(">H", config, offset + 1)
        found, offset = _length_prefixed(config, offset + 3, count)
        units.extend(found)
    return _checked_length_size(length_size), tuple(units)


def _checked_length_size(length_size: int) -> int:
    if length_size == 3:  # reserved value; no encoder writes it
        raise MediaCorrupt("The video index is corrupt.", detail="NAL length size 3")
    return length_size


# --- the whole moov -------------------------------------------------------------------------
def first_video_track(buf: bytes) -> BoxHeader:
    for trak in (b for b in iter_boxes(buf) if b.type == b"trak"):
        hdlr = find_path(buf, trak, b"mdia", b"hdlr")
        if hdlr is not None and parse_handler_type(full_box(buf, hdlr)[1]) == b"vide":
            return trak
    raise MediaNoVideoStream("The file has no video stream.")


def parse_moov(moov: bytes, file_size: int) -> VideoTrackIndex:
    """Parse a ``moov`` payload into the first video track's keyframe index.

    ``file_size`` bounds every offset. Raises MediaCorrupt, MediaNoVideoStream or
    Mp4Unsupported (fragmented files carry ``mvex``; their samples live in ``moof`` boxes).
    """
    if find_child(moov, None, b"mvex") is not None:
        raise Mp4Unsupported("fragmented mp4")
    mvhd = find_child(moov, None, b"mvhd")
    movie_timescale = parse_mvhd_timescale(*full_box(moov, mvhd)) if mvhd else 0
    trak = first_video_track(moov)
    tkhd, mdhd = find_child(moov, trak, b"tkhd"), find_path(moov, trak, b"mdia", b"mdhd")
    stbl = find_path(moov, trak, b"mdia", b"minf", b"stbl")
    stsd = None if stbl is None else find_child(moov, stbl, b"stsd")
    if tkhd is None or mdhd is None or stbl is None or stsd is None:
        raise MediaCorrupt("The video index is corrupt.", detail="video track incomplete")
    timescale, duration = parse_mdhd(*full_box(moov, mdhd))
    entry = parse_stsd(full_box(moov, stsd)[1])
    elst = find_path(moov, trak, b"edts", b"elst")
    edit = parse_elst(*full_box(moov, elst), movie_timescale) if elst else EditShift(0, 0.0)
    edit = EditShift(edit.media_time, edit.delay - movie_start(moov, movie_timescale))
    tables = parse_sample_tables(moov, stbl)
    keyframes = locate_keyframes(tables, timescale, edit, file_size)
    return VideoTrackIndex(
        codec=entry.codec,
        nal_length_size=entry.nal_length_size,
        parameter_sets=entry.parameter_sets,
        width=entry.width,
        height=entry.height,
        matrix=parse_tkhd_matrix(*full_box(moov, tkhd)),
        timescale=timescale,
        duration=duration / timescale,
        sample_count=len(tables.sample_sizes),
        keyframes=tuple(keyframes),
    )
