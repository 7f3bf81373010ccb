"""Where every keyframe of an mp4 lies: a small ISO-BMFF parser that reads only the index.

Snapshots of a large video behind a URL should cost a few megabytes, not the whole file.
The ``moov`` box (usually well under 1 % of the file) says, for each video sample, its
presentation time, byte offset and size, and which samples are keyframes (``stss``). With
that, a caller can fetch just the keyframes it wants and decode them alone.

The parser works from a :class:`ByteSource` (local file or HTTP ranges), finds ``moov`` at the
front or the end of the file in a couple of ranged reads, and turns the sample tables into a
:class:`VideoTrackIndex`. Everything after the reads is pure functions on ``bytes``.

Input is hostile until proven otherwise: every size and count is checked against the bytes
actually present and the file size, so a crafted file raises :class:`MediaCorrupt` instead of
hanging or allocating gigabytes. What this module does not handle (fragmented mp4, other
containers, codecs other than H.264/HEVC, complex edit lists) raises :class:`Mp4Unsupported`,
the signal for callers to fall back to ffmpeg's own seeking.
"""

from __future__ import annotations

import math
import struct
import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import Protocol

from vodcover.errors import MediaCorrupt, MediaNoVideoStream

HEAD_READ_BYTES = 64 * 1024  # one read usually holds ftyp and the start (or all) of a faststart moov
MAX_MOOV_BYTES = 256 * 1024 * 1024  # ~ a multi-hour 60 fps index; more is nonsense or an attack
MAX_TOP_LEVEL_BOXES = 4096  # walking top-level box headers, one ranged read each past the head
MAX_DEPTH = 12
BOX_HEADER_BYTES = 16  # size, type, and the 64-bit largesize when size == 1
TAIL_READ_BYTES = 4 * 1024 * 1024  # past mdat, read the rest of the file at once: it is the moov
MAX_SAMPLES = 4_000_000  # ~18 h at 60 fps; bounds the arrays built from the sample tables

# Top-level box types that may open an ISO-BMFF file. Anything else (webm's EBML magic, AVI's
# RIFF, a transport stream's sync byte) is another container, not a corrupt mp4.
_KNOWN_TOP_LEVEL = frozenset(
    {b"ftyp", b"styp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pdin", b"meta", b"sidx"}
)
_CODECS = {b"avc1": "h264", b"avc3": "h264", b"hvc1": "hevc", b"hev1": "hevc", b"av01": "av1", b"vp09": "vp9"}
_CONFIG_BOX = {"h264": b"avcC", "hevc": b"hvcC", "av1": b"av1C", "vp9": b"vpcC"}
AV1_CONFIG_HEADER_BYTES = 4  # av1C: marker/version, profile/level, flags, delay; then configOBUs
_VISUAL_SAMPLE_ENTRY_BYTES = 78  # fixed fields before a visual sample entry's child boxes


class Mp4Unsupported(Exception):
    """Not an error of the video: this file is outside what the fast path handles.

    Raised for non-mp4 containers, fragmented mp4, unsupported codecs and edit lists; callers
    catch it and let ffmpeg seek instead.
    """


class ByteSource(Protocol):
    """Random access to a file's bytes: a local file or an HTTP URL read by ranges."""

    @property
    def size(self) -> int: ...

    def read(self, offset: int, length: int) -> bytes:
        """Return ``length`` bytes at ``offset`` (fewer only at the end of the file)."""
        ...


@dataclass(frozen=True)
class Keyframe:
    """One sync sample: when it is shown and where its bytes are."""

    time: float  # seconds on the presentation timeline (edit list applied)
    offset: int
    size: int
    sample_number: int  # 1-based, as in the mp4 tables


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


# --- locating moov ----------------------------------------------------------------------
@dataclass(frozen=True)
class BoxHeader:
    type: bytes
    offset: int
    header_size: int
    size: int  # whole box including the header

    @property
    def end(self) -> int:
        return self.offset + self.size


def parse_box_header(buf: bytes, offset: int, limit: int) -> BoxHeader:
    """Decode the box header at ``offset`` of ``buf``; ``limit`` is where its parent ends.

    Raises MediaCorrupt when the header is cut off or claims a size outside its parent.
    """
    if limit - offset < 8 or len(buf) - offset < 8:
        raise MediaCorrupt("The video file is truncated.", detail=f"box header cut at {offset}")
    size, box_type = struct.unpack_from(">I4s", buf, offset)
    header_size = 8
    if size == 1:
        if len(buf) - offset < 16:
            raise MediaCorrupt("The video file is truncated.", detail=f"largesize cut at {offset}")
        (size,) = struct.unpack_from(">Q", buf, offset + 8)
        header_size = 16
    elif size == 0:  # "extends to the end of its container"
        size = limit - offset
    if size < header_size or offset + size > limit:
        raise MediaCorrupt(
            "The video file is corrupt.", detail=f"box {box_type!r} at {offset} claims {size} bytes"
        )
    return BoxHeader(box_type, offset, header_size, size)


@dataclass(frozen=True)
class Window:
    """Bytes of the file already read, starting at ``start``: reused instead of read again."""

    start: int
    data: bytes

    def holds(self, offset: int, length: int) -> bool:
        return self.start <= offset and offset + length <= self.start + len(self.data)

    def slice(self, offset: int, length: int) -> bytes:
        return self.data[offset - self.start : offset - self.start + length]


def locate_moov(source: ByteSource, head: bytes | None = None) -> tuple[BoxHeader, Window]:
    """Find the top-level ``moov`` box by walking box headers, reading as little as possible.

    ``head`` is the file's first bytes if the caller already has them. Returns the box and
    the last window of bytes read, which often holds part or all of ``moov``: a trailing moov
    is usually found by one read of the file's tail, so moov at the end costs one round trip
    more than moov at the front, not two. Raises Mp4Unsupported for other containers and
    fragmented files, MediaCorrupt for a broken mp4 (an upload cut before its trailing moov).
    """
    file_size = source.size
    if head is None:
        head = source.read(0, min(HEAD_READ_BYTES, file_size))
    if len(head) < 8 or head[4:8] not in _KNOWN_TOP_LEVEL:
        raise Mp4Unsupported("not an ISO-BMFF file")
    window = Window(0, head)
    offset = 0
    for _ in range(MAX_TOP_LEVEL_BOXES):
        if offset >= file_size:
            break
        remaining = file_size - offset
        if not window.holds(offset, min(BOX_HEADER_BYTES, remaining)):
            length = remaining if remaining <= TAIL_READ_BYTES else BOX_HEADER_BYTES
            window = Window(offset, source.read(offset, length))
        at = offset - window.start
        header = parse_box_header(window.data, at, at + remaining)
        header = BoxHeader(header.type, offset, header.header_size, header.size)
        if header.type == b"moov":
            return header, window
        if header.type in (b"moof", b"styp", b"sidx"):
            raise Mp4Unsupported("fragmented mp4")
        offset = header.end
    raise MediaCorrupt("The video file has no index (moov box).", detail="moov not found")


def read_moov(source: ByteSource, head: bytes | None = None) -> bytes:
    """Return the ``moov`` box's payload (without its header), reusing bytes already read."""
    box, window = locate_moov(source, head)
    payload_size = box.size - box.header_size
    if payload_size > MAX_MOOV_BYTES:
        raise MediaCorrupt("The video index is too large.", detail=f"moov of {box.size} bytes")
    start = box.offset + box.header_size
    if window.holds(start, payload_size):
        return window.slice(start, payload_size)
    inside = window.start <= start < window.start + len(window.data)
    prefix = window.data[start - window.start :] if inside else b""
    payload = prefix + source.read(start + len(prefix), payload_size - len(prefix))
    if len(payload) != payload_size:
        raise MediaCorrupt("The video file is truncated.", detail="moov cut short")
    return payload


def read_video_index(source: ByteSource, head: bytes | None = None) -> VideoTrackIndex:
    """Locate, read and parse the index of the first video track of an mp4."""
    return parse_moov(read_moov(source, head), source.size)


# --- walking boxes in memory ------------------------------------------------------------
def iter_boxes(buf: bytes, start: int = 0, end: int | None = None) -> Iterator[BoxHeader]:
    """Yield the child boxes laid end to end in ``buf[start:end]``; every one is bounds-checked."""
    end = len(buf) if end is None else end
    offset = start
    while offset < end:
        if end - offset < 8:  # some muxers pad containers with a few zero bytes
            if any(buf[offset:end]):
                raise MediaCorrupt("The video file is corrupt.", detail=f"trailing bytes at {offset}")
            return
        box = parse_box_header(buf, offset, end)
        yield box
        offset = box.end


def find_child(buf: bytes, parent: BoxHeader | None, box_type: bytes) -> BoxHeader | None:
    start, end = (0, len(buf)) if parent is None else (parent.offset + parent.header_size, parent.end)
    return next((b for b in iter_boxes(buf, start, end) if b.type == box_type), None)


def find_path(buf: bytes, parent: BoxHeader | None, *path: bytes) -> BoxHeader | None:
    """Follow a path of box types (``b"mdia", b"minf", b"stbl"``); None when a step is missing."""
    box = parent
    for box_type in path:
        box = find_child(buf, box, box_type)
        if box is None:
            return None
    return box


def payload(buf: bytes, box: BoxHeader) -> bytes:
    return buf[box.offset + box.header_size : box.end]


def full_box(buf: bytes, box: BoxHeader) -> tuple[int, bytes]:
    """Split a FullBox into its version and the bytes after version and flags."""
    body = payload(buf, box)
    if len(body) < 4:
        raise MediaCorrupt("The video index is corrupt.", detail=f"{box.type!r} too short")
    return body[0], body[4:]


# --- per-box decoders (pure) --------------------------------------------------------------
def _need(body: bytes, size: int, what: str) -> None:
    if len(body) < size:
        raise MediaCorrupt("The video index is corrupt.", detail=f"{what} too short")


def _be_array(typecode: str, raw: bytes, count: int, what: str) -> array:
    """Decode ``count`` big-endian integers; the count is checked against the bytes present."""
    values = array(typecode)
    _need(raw, count * values.itemsize, what)
    values.frombytes(raw[: count * values.itemsize])
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _counted_table(version_body: tuple[int, bytes], typecode: str, fields: int, what: str) -> array:
    _, body = version_body
    _need(body, 4, what)
    (count,) = struct.unpack_from(">I", body)
    return _be_array(typecode, body[4:], count * fields, what)


def parse_mvhd_timescale(version: int, body: bytes) -> int:
    _need(body, 20 if version == 1 else 12, "mvhd")
    (timescale,) = struct.unpack_from(">I", body, 16 if version == 1 else 8)
    return timescale


def parse_mdhd(version: int, body: bytes) -> tuple[int, int]:
    """Return the media timescale and duration (in that timescale)."""
    if version == 1:
        _need(body, 28, "mdhd")
        timescale, duration = struct.unpack_from(">IQ", body, 16)
    else:
        _need(body, 16, "mdhd")
        timescale, duration = struct.unpack_from(">II", body, 8)
    if timescale == 0:
        raise MediaCorrupt("The video index is corrupt.", detail="mdhd timescale 0")
    return timescale, duration


def parse_tkhd_matrix(version: int, body: bytes) -> tuple[int, ...]:
    """Return the 3x3 display matrix (row-major, as stored: 16.16 and 2.30 fixed point)."""
    start = (32 if version == 1 else 20) + 16  # times, id, duration; reserved, layer, group, volume
    _need(body, start + 36, "tkhd")
    return struct.unpack_from(">9i", body, start)


def parse_handler_type(body: bytes) -> bytes:
    _need(body, 8, "hdlr")
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
    _need(body, 8, "stsd")
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
        _need(buf[offset:], 2, "parameter set")
        (size,) = struct.unpack_from(">H", buf, offset)
        offset += 2
        _need(buf[offset:], size, "parameter set")
        units.append(buf[offset : offset + size])
        offset += size
    return units, offset


def parse_avcc(config: bytes) -> tuple[int, tuple[bytes, ...]]:
    """AVCDecoderConfigurationRecord → (NAL length size, SPS… + PPS…)."""
    _need(config, 7, "avcC")
    length_size = (config[4] & 0x03) + 1
    sps, offset = _length_prefixed(config, 6, config[5] & 0x1F)
    _need(config[offset:], 1, "avcC")
    pps, _ = _length_prefixed(config, offset + 1, config[offset])
    return _checked_length_size(length_size), tuple(sps + pps)


def parse_hvcc(config: bytes) -> tuple[int, tuple[bytes, ...]]:
    """HEVCDecoderConfigurationRecord → (NAL length size, VPS/SPS/PPS/SEI in stored order)."""
    _need(config, 23, "hvcC")
    length_size = (config[21] & 0x03) + 1
    offset, units = 23, []
    for _ in range(config[22]):
        _need(config[offset:], 3, "hvcC")
        (count,) = struct.unpack_from(">H", config, offset + 1)
        found, offset = _length_prefixed(config, offset + 3, count)
        units.extend(found)
    return _checked_length_size(length_size), tuple(units)


def _checked_length_size(length_size: int) -> int:
    if length_size == 3:  # reserved value; no encoder writes it
        raise MediaCorrupt("The video index is corrupt.", detail="NAL length size 3")
    return length_size


@dataclass(frozen=True)
class SampleTables:
    """The raw sample tables of one track, already decoded into integer arrays."""

    time_to_sample: array  # stts: count, delta, count, delta, ...
    composition_offsets: array | None  # ctts: count, offset, ...
    sync_samples: array | None  # stss: 1-based sample numbers; None means every sample is sync
    sample_sizes: array  # one per sample
    chunk_offsets: array  # stco/co64
    sample_to_chunk: array  # stsc: first_chunk, samples_per_chunk, description_index, ...


def parse_stsz(body: bytes) -> array:
    _need(body, 8, "stsz")
    uniform, count = struct.unpack_from(">II", body)
    _check_sample_count(count)
    if uniform:
        return array("I", [uniform]) * count
    return _be_array("I", body[8:], count, "stsz")


def _check_sample_count(count: int) -> None:
    if count > MAX_SAMPLES:
        raise MediaCorrupt("The video index is corrupt.", detail=f"{count} samples")


def parse_stz2(body: bytes) -> array:
    _need(body, 8, "stz2")
    field_size = body[3]
    (count,) = struct.unpack_from(">I", body, 4)
    _check_sample_count(count)
    raw = body[8:]
    if field_size == 16:
        return array("I", _be_array("H", raw, count, "stz2"))
    if field_size == 8:
        _need(raw, count, "stz2")
        return array("I", raw[:count])
    if field_size == 4:
        _need(raw, (count + 1) // 2, "stz2")
        nibbles = (v for byte in raw[: (count + 1) // 2] for v in (byte >> 4, byte & 0x0F))
        return array("I", list(nibbles)[:count])
    raise MediaCorrupt("The video index is corrupt.", detail=f"stz2 field size {field_size}")


def parse_sample_tables(buf: bytes, stbl: BoxHeader) -> SampleTables:
    """Decode stts, ctts, stss, stsz/stz2, stco/co64 and stsc of one ``stbl`` box."""

    def box(box_type: bytes) -> BoxHeader | None:
        return find_child(buf, stbl, box_type)

    stts, stsc = box(b"stts"), box(b"stsc")
    sizes_box = box(b"stsz") or box(b"stz2")
    offsets_box = box(b"stco") or box(b"co64")
    if stts is None or stsc is None or sizes_box is None or offsets_box is None:
        raise MediaCorrupt("The video index is corrupt.", detail="sample table incomplete")
    ctts, stss = box(b"ctts"), box(b"stss")
    _, sizes_body = full_box(buf, sizes_box)
    composition = None
    if ctts is not None:
        version, _ = full_box(buf, ctts)
        composition = _counted_table(full_box(buf, ctts), "i" if version == 1 else "I", 2, "ctts")
        if version == 0:  # unsigned in version 0, but muxers write negative offsets there too
            composition = array("i", composition.tobytes())
    return SampleTables(
        time_to_sample=_counted_table(full_box(buf, stts), "I", 2, "stts"),
        composition_offsets=composition,
        sync_samples=None if stss is None else _counted_table(full_box(buf, stss), "I", 1, "stss"),
        sample_sizes=parse_stsz(sizes_body) if sizes_box.type == b"stsz" else parse_stz2(sizes_body),
        chunk_offsets=_counted_table(
            full_box(buf, offsets_box),
            "Q" if offsets_box.type == b"co64" else "I",
            1,
            offsets_box.type.decode(),
        ),
        sample_to_chunk=_counted_table(full_box(buf, stsc), "I", 3, "stsc"),
    )


@dataclass(frozen=True)
class EditShift:
    """The edit list reduced to what the fast path supports: one shift of the timeline."""

    media_time: int  # media timescale: where presentation starts in the track
    delay: float  # seconds from the file's start (ffmpeg's zero) to the track's first frame


def edit_entries(version: int, body: bytes) -> list[tuple[int, int, int]]:
    """``elst`` rows as (segment duration in movie ticks, media time, rate in 16.16)."""
    _need(body, 4, "elst")
    (count,) = struct.unpack_from(">I", body)
    entry_size = 20 if version == 1 else 12
    _need(body, 4 + count * entry_size, "elst")
    row = ">Qqi" if version == 1 else ">Iii"
    return [struct.unpack_from(row, body, 4 + i * entry_size) for i in range(count)]


def leading_empty_ticks(entries: list[tuple[int, int, int]]) -> int:
    """Movie ticks before a track starts: its leading empty edits (media time -1)."""
    ticks = 0
    for duration, media_time, _ in entries:
        if media_time != -1:
            break
        ticks += duration
    return ticks


def parse_elst(version: int, body: bytes, movie_timescale: int) -> EditShift:
    """Reduce an edit list to an initial empty edit plus one media segment at rate 1.

    Anything else (several segments, slow motion, dwell edits) changes which frame shows at
    which time in ways a keyframe lookup would get wrong, so it is refused as unsupported.
    """
    entries = edit_entries(version, body)
    delay_ticks = leading_empty_ticks(entries)
    segments = [(media_time, rate) for _, media_time, rate in entries if media_time != -1]
    if len(segments) > 1 or any(rate != 0x10000 or media_time < 0 for media_time, rate in segments):
        raise Mp4Unsupported("edit list beyond a single shift")
    media_time = segments[0][0] if segments else 0
    delay = delay_ticks / movie_timescale if movie_timescale else 0.0
    return EditShift(media_time, delay)


def movie_start(moov: bytes, movie_timescale: int) -> float:
    """When the earliest track starts, in seconds: ffmpeg's zero for ``-ss`` and frame times.

    ffmpeg shifts every timestamp by the file's start time, the earliest start of any stream,
    so a video delayed by an empty edit behind audio keeps its delay and a lone delayed video
    does not. Only leading empty edits are counted (audio priming is a few milliseconds).
    """
    if not movie_timescale:
        return 0.0
    starts = []
    for trak in (b for b in iter_boxes(moov) if b.type == b"trak"):
        elst = find_path(moov, trak, b"edts", b"elst")
        ticks = leading_empty_ticks(edit_entries(*full_box(moov, elst))) if elst else 0
        starts.append(ticks / movie_timescale)
    return min(starts, default=0.0)


# --- from tables to keyframes ---------------------------------------------------------------
def keyframe_samples(tables: SampleTables, sample_count: int) -> list[int]:
    """1-based sync sample numbers, sorted, within the track (all samples when stss is absent)."""
    if tables.sync_samples is None:
        return list(range(1, sample_count + 1))
    return sorted({n for n in tables.sync_samples if 1 <= n <= sample_count})


def decode_times(time_to_sample: array, samples: list[int]) -> list[int]:
    """Decode timestamps of the given sorted 1-based samples, walking stts once."""
    times, run_start, dts, runs = [], 1, 0, iter(zip(time_to_sample[0::2], time_to_sample[1::2], strict=True))
    count, delta = next(runs, (0, 0))
    for number in samples:
        while number >= run_start + count:
            dts += count * delta
            run_start += count
            nxt = next(runs, None)
            if nxt is None:
                raise MediaCorrupt("The video index is corrupt.", detail="stts shorter than the track")
            count, delta = nxt
        times.append(dts + (number - run_start) * delta)
    return times


def composition_offset(composition: array | None, run_ends: list[int], number: int) -> int:
    if composition is None:
        return 0
    run = bisect_right(run_ends, number - 1)
    return composition[2 * run + 1] if run < len(run_ends) else 0


def sample_offsets(tables: SampleTables, samples: list[int]) -> list[int]:
    """Byte offsets of the given 1-based samples from stsc, the chunk offsets and sizes."""
    stsc = tables.sample_to_chunk
    chunk_count = len(tables.chunk_offsets)
    # Each stsc run covers chunks [first, next_first); sum the samples before each run.
    firsts = list(stsc[0::3])
    per_chunk = list(stsc[1::3])
    if not firsts or firsts[0] != 1 or any(b <= a for a, b in pairwise(firsts)):
        raise MediaCorrupt("The video index is corrupt.", detail="stsc not increasing from chunk 1")
    if any(index != 1 for index in stsc[2::3]):
        raise Mp4Unsupported("several sample descriptions")
    ends = [*firsts[1:], chunk_count + 1]
    run_first_sample = list(
        accumulate(((e - f) * n for f, e, n in zip(firsts, ends, per_chunk, strict=True)), initial=1)
    )
    size_prefix = array("Q", accumulate(tables.sample_sizes, initial=0))
    offsets = []
    for number in samples:
        run = bisect_right(run_first_sample, number) - 1
        if run >= len(firsts) or per_chunk[run] == 0:
            raise MediaCorrupt("The video index is corrupt.", detail=f"sample {number} outside stsc")
        chunk, index_in_chunk = divmod(number - run_first_sample[run], per_chunk[run])
        chunk += firsts[run]
        if chunk > chunk_count:
            raise MediaCorrupt("The video index is corrupt.", detail=f"sample {number} beyond chunks")
        start = number - 1 - index_in_chunk
        offsets.append(tables.chunk_offsets[chunk - 1] + size_prefix[number - 1] - size_prefix[start])
    return offsets


def locate_keyframes(tables: SampleTables, timescale: int, edit: EditShift, file_size: int) -> list[Keyframe]:
    """Compute every keyframe's presentation time, byte offset and size."""
    sample_count = len(tables.sample_sizes)
    numbers = keyframe_samples(tables, sample_count)
    dts = decode_times(tables.time_to_sample, numbers)
    composition = tables.composition_offsets
    run_ends = [] if composition is None else list(accumulate(composition[0::2]))
    offsets = sample_offsets(tables, numbers)
    keyframes = []
    for number, decode_time, offset in zip(numbers, dts, offsets, strict=True):
        size = tables.sample_sizes[number - 1]
        if size == 0 or offset + size > file_size:
            raise MediaCorrupt("The video index is corrupt.", detail=f"sample {number} outside the file")
        pts = decode_time + composition_offset(composition, run_ends, number) - edit.media_time
        keyframes.append(Keyframe(pts / timescale + edit.delay, offset, size, number))
    shown = [k for k in keyframes if k.time >= edit.delay - 1e-6]  # before the edit: never displayed
    return sorted(shown or keyframes, key=lambda k: k.time)


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
