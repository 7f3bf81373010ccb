"""The duration of a recording whose container does not say it (browser MediaRecorder WebM).

MediaRecorder writes WebM live: no duration in the header, no cues, clusters of unknown size.
ffmpeg prints ``Duration: N/A``; the video plays fine. Rather than refuse it, the duration is
found by reading the file, boundedly:

- a local file, or a remote one up to :data:`SCAN_WHOLE_FILE_BYTES`: ffmpeg copies the video
  packets to ``framecrc`` (demux only, no decoding) and the last packet's end is the duration.
  A 6 s 320x240 VP9 recording: ~30 ms;
- a bigger remote file: one ranged read of its last :data:`TAIL_BYTES`; the last cluster's
  timestamp plus its last block's offset is the duration (Matroska's own clock). Only when the
  tail holds no readable cluster is the whole file scanned as above, within the deadline.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time

from vodcover import observability
from vodcover.errors import MediaCorrupt
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.probe import MediaProbe, is_url, source_input_args

logger = logging.getLogger(__name__)

SCAN_WHOLE_FILE_BYTES = 64 * 1024 * 1024
TAIL_BYTES = 4 * 1024 * 1024
SCANNED = "scanned"  # MediaProbe.duration_source: every packet's time read
TAIL = "tail"  # read off the last cluster

CLUSTER_ID = b"\x1f\x43\xb6\x75"
TIMECODE_SCALE_ID = b"\x2a\xd7\xb1"
_CLUSTER_TIMECODE, _SIMPLE_BLOCK, _BLOCK_GROUP, _BLOCK = 0xE7, 0xA3, 0xA0, 0xA1
DEFAULT_TIMECODE_SCALE_NS = 1_000_000
_TB_RE = re.compile(r"^#tb 0: (\d+)/(\d+)", re.MULTILINE)


def with_scanned_duration(source: str, media: MediaProbe, *, timeout: float) -> MediaProbe:
    """``media`` with its duration found by reading ``source``; ``Media.Corrupt`` if none is found."""
    deadline = time.monotonic() + timeout
    how, duration = SCANNED, None
    if is_url(source):
        duration = _tail_duration(source, media, deadline=deadline)
        how = TAIL if duration else SCANNED
    if not duration:
        duration = scan_duration(source, timeout=max(1.0, deadline - time.monotonic()))
    if not duration or duration <= 0:
        raise MediaCorrupt("The video has no frames to show.")
    logger.info("duration of a cue-less recording: %.3fs (%s)", duration, how)
    return dataclasses.replace(media, duration=round(duration, 3), duration_source=how)


def scan_duration(source: str, *, timeout: float) -> float | None:
    """Seconds from the first video packet to the end of the last, reading every packet."""
    args = [*source_input_args(source), "-map", "0:V:0", "-c", "copy", "-f", "framecrc", "pipe:1"]
    result = run_ffmpeg(args, timeout=timeout, check=False)
    return parse_framecrc_duration(result.stdout.decode("ascii", "replace"))


def parse_framecrc_duration(listing: str) -> float | None:
    """``framecrc`` lines ``stream, dts, pts, duration, size, crc`` → seconds covered, or None."""
    tb = _TB_RE.search(listing)
    if tb is None:
        return None
    first, end = None, None
    for line in listing.splitlines():
        if line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) < 5 or not fields[2].lstrip("-").isdigit():
            continue
        pts, length = int(fields[2]), int(fields[3]) if fields[3].lstrip("-").isdigit() else 0
        first = pts if first is None else min(first, pts)
        end = pts + max(0, length) if end is None else max(end, pts + max(0, length))
    if first is None or end is None:
        return None
    return (end - first) * int(tb.group(1)) / int(tb.group(2))


def _tail_duration(source: str, media: MediaProbe, *, deadline: float) -> float | None:
    from vodcover.media.byte_ranges import open_range_reader

    reader = open_range_reader(source, deadline=deadline)
    try:
        if reader.size <= SCAN_WHOLE_FILE_BYTES:
            return None
        start = max(0, reader.size - TAIL_BYTES)
        tail = reader.read(start, reader.size - start)
        seconds = last_cluster_seconds(reader.head, tail)
        logger.info("cue-less recording: tail read %d of %d bytes", reader.bytes_read, reader.size)
        return None if seconds is None else max(0.0, seconds - media.start_time)
    finally:
        observability.count_bytes_read(reader.bytes_read)
        reader.close()


def last_cluster_seconds(head: bytes, tail: bytes) -> float | None:
    """The end time (s) of the last cluster found in ``tail``; ``head`` holds the TimecodeScale."""
    scale = _timecode_scale(head)
    position = len(tail)
    while (position := tail.rfind(CLUSTER_ID, 0, position)) >= 0:
        ticks = _cluster_end_ticks(tail, position + len(CLUSTER_ID))
        if ticks is not None:
            return ticks * scale / 1e9
    return None


def _timecode_scale(head: bytes) -> int:
    found = head.find(TIMECODE_SCALE_ID)
    if found < 0:
        return DEFAULT_TIMECODE_SCALE_NS
    parsed = _vint(head, found + len(TIMECODE_SCALE_ID))
    if parsed is None:
        return DEFAULT_TIMECODE_SCALE_NS
    size, offset = parsed
    value = int.from_bytes(head[offset : offset + size], "big")
    return value if 0 < size <= 8 and value > 0 else DEFAULT_TIMECODE_SCALE_NS


def _cluster_end_ticks(data: bytes, offset: int) -> int | None:
    """Cluster timecode + the largest block offset in it; None if this is no real cluster."""
    parsed = _vint(data, offset)
    if parsed is None:
        return None
    _, offset = parsed  # the size; live clusters have "unknown" size, so read to the next one
    element = _element(data, offset)
    if element is None or element[0] != _CLUSTER_TIMECODE or element[1] > 8:
        return None  # a cluster starts with its timecode: anything else is payload bytes
    ident, size, body = element
    cluster_time = int.from_bytes(data[body : body + size], "big")
    latest, offset = 0, body + size
    while (element := _element(data, offset)) is not None:
        ident, size, body = element
        if ident == int.from_bytes(CLUSTER_ID, "big") or body + size > len(data):
            break
        if ident == _BLOCK_GROUP:
            inner = _element(data, body)
            if inner is not None and inner[0] == _BLOCK:
                latest = max(latest, _block_offset(data, inner[2]))
        elif ident == _SIMPLE_BLOCK:
            latest = max(latest, _block_offset(data, body))
        offset = body + size
    return cluster_time + latest


def _block_offset(data: bytes, body: int) -> int:
    track = _vint(data, body)
    if track is None or track[1] + 2 > len(data):
        return 0
    return int.from_bytes(data[track[1] : track[1] + 2], "big", signed=True)


def _element(data: bytes, offset: int) -> tuple[int, int, int] | None:
    """``(id, size, body offset)`` of the EBML element at ``offset``."""
    if offset >= len(data):
        return None
    first = data[offset]
    id_length = next((n for n in range(1, 5) if first & (0x80 >> (n - 1))), 0)
    if not id_length or offset + id_length > len(data):
        return None
    ident = int.from_bytes(data[offset : offset + id_length], "big")
    parsed = _vint(data, offset + id_length)
    if parsed is None:
        return None
    size, body = parsed
    return ident, size, body


def _vint(data: bytes, offset: int) -> tuple[int, int] | None:
    """An EBML variable-size integer at ``offset``: ``(value, offset after it)``."""
    if offset >= len(data):
        return None
    first = data[offset]
    length = next((n for n in range(1, 9) if first & (0x80 >> (n - 1))), 0)
    if not length or offset + length > len(data):
        return None
    value = first & (0xFF >> length)
    for byte in data[offset + 1 : offset + length]:
        value = value << 8 | byte
    return value, offset + length
