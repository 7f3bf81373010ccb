"""ISO-BMFF boxes: find ``moov`` in a file in a couple of ranged reads, and walk boxes in memory.

Input is hostile until proven otherwise: every size and count is checked against the bytes
actually present and the parent box, so a crafted file raises :class:`MediaCorrupt` instead of
hanging or allocating gigabytes. Another container or a fragmented mp4 raises
:class:`Mp4Unsupported`, the signal for callers to fall back to ffmpeg's own seeking.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from vodcover.errors import MediaCorrupt

HEAD_READ_BYTES = 64 * 1024  # one read usually holds ftyp and the start (or all) of a faststart moov
MAX_MOOV_BYTES = 256 * 1024 * 1024  # ~ a multi-hour 60 fps index; more is nonsense or an attack
MAX_TOP_LEVEL_BOXES = 4096  # walking top-level box headers, one ranged read each past the head
BOX_HEADER_BYTES = 16  # size, type, and the 64-bit largesize when size == 1
TAIL_READ_BYTES = 4 * 1024 * 1024  # past mdat, read the rest of the file at once: it is the moov

# Top-level box types that may open an ISO-BMFF file. Anything else (webm's EBML magic, AVI's
# RIFF, a transport stream's sync byte) is another container, not a corrupt mp4.
_KNOWN_TOP_LEVEL = frozenset(
    {b"ftyp", b"styp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pdin", b"meta", b"sidx"}
)


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


def need(body: bytes, size: int, what: str) -> None:
    """MediaCorrupt unless ``body`` holds ``size`` bytes: a table claiming more than it has."""
    if len(body) < size:
        raise MediaCorrupt("The video index is corrupt.", detail=f"{what} too short")


def be_array(typecode: str, raw: bytes, count: int, what: str) -> array:
    """Decode ``count`` big-endian integers; the count is checked against the bytes present."""
    values = array(typecode)
    need(raw, count * values.itemsize, what)
    values.frombytes(raw[: count * values.itemsize])
    if sys.byteorder == "little":
        values.byteswap()
    return values


def counted_table(version_body: tuple[int, bytes], typecode: str, fields: int, what: str) -> array:
    """A FullBox table led by its entry count, ``fields`` integers per entry."""
    _, body = version_body
    need(body, 4, what)
    (count,) = struct.unpack_from(">I", body)
    return be_array(typecode, body[4:], count * fields, what)
