"""Snapshots from a few megabytes: fetch just the keyframes' bytes and decode them alone.

``ffmpeg -ss t -i URL`` asks for open-ended HTTP ranges and reads far more than it decodes
(about a fifth of a large file for 8 snapshots). This fast path reads the mp4 index
(:mod:`vodcover.media.mp4index`), picks the keyframe nearest each requested time, fetches
exactly those samples with bounded ranged requests in parallel, and pipes them to ffmpeg as a
raw H.264/HEVC elementary stream: one ffmpeg run decodes them all.

It never makes things worse: whenever the source is not an mp4 it understands (another
container, fragmented, an odd edit list, a server without range support, a decode that does not
come out right), :func:`grab_keyframes` returns None and the caller seeks with ffmpeg as
before. It raises only what the slow path would hit too: :class:`MediaUnavailable` when the
source cannot be read, :class:`MediaTimeout` when the deadline passes.
"""

from __future__ import annotations

import io
import logging
import os
import re
import struct
import threading
import time
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from vodcover import observability
from vodcover.errors import MediaCorrupt, MediaError, MediaTimeout, MediaUnavailable
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.mp4index import (
    HEAD_READ_BYTES,
    Keyframe,
    Mp4Unsupported,
    VideoTrackIndex,
    display_filters,
    read_video_index,
)
from vodcover.media.picture import Colour, Crop, rgb_output_args

if TYPE_CHECKING:
    from PIL import Image
    from urllib3 import BaseHTTPResponse

logger = logging.getLogger(__name__)

MAX_PARALLEL_FETCHES = 8
HTTP_ATTEMPTS = 3
MERGE_GAP_BYTES = 64 * 1024  # reading a small gap costs less than one more request's latency
START_CODE = b"\x00\x00\x00\x01"
_RANDOM_ACCESS_NAL_TYPES = {"h264": frozenset({5}), "hevc": frozenset(range(16, 22))}  # IDR; BLA/IDR/CRA
HEVC_CRA, HEVC_BLA_W_LP = 21, 16
_PPM_HEADER = re.compile(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s")


class _Retryable(Exception):
    """A network error or 5xx answer: worth another attempt if time remains."""


class RangesUnsupported(Exception):
    """The server answered a range request with something other than the asked-for range."""


@dataclass(frozen=True)
class Frame:
    """One decoded snapshot: the time asked for, the keyframe's time, and the JPEG."""

    requested_time: float
    time: float
    jpeg: bytes
    width: int
    height: int


# --- reading byte ranges -------------------------------------------------------------------
class RangeReader(Protocol):
    """A :class:`~vodcover.media.mp4index.ByteSource` that also counts what it reads."""

    @property
    def size(self) -> int: ...

    @property
    def head(self) -> bytes: ...

    @property
    def bytes_read(self) -> int: ...

    def read(self, offset: int, length: int) -> bytes: ...

    def close(self) -> None: ...


class FileRangeReader:
    """Ranges of a local file through ``os.pread``, which is safe to call from several threads."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        try:
            self._fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise MediaUnavailable("The video file could not be opened.", detail=str(exc)) from exc
        self.size = os.fstat(self._fd).st_size
        self._lock = threading.Lock()
        self.bytes_read = 0
        self.head = self.read(0, min(HEAD_READ_BYTES, self.size))

    def read(self, offset: int, length: int) -> bytes:
        chunks, position, end = [], offset, min(offset + length, self.size)
        while position < end:  # pread may return short reads
            chunk = os.pread(self._fd, end - position, position)
            if not chunk:
                break
            chunks.append(chunk)
            position += len(chunk)
        with self._lock:
            self.bytes_read += position - offset
        return b"".join(chunks)

    def close(self) -> None:
        os.close(self._fd)


class HttpRangeReader:
    """Bounded ``Range: bytes=a-b`` GETs over a pool of kept-alive connections.

    Every request names both ends, so the server sends exactly what is asked (ffmpeg's
    open-ended ranges are what make it read a fifth of the file). The first request fetches the
    file's head and learns its size from ``Content-Range``; presigned URLs are signed for GET,
    so there is no HEAD request. The GETs go through the one HTTP door, :mod:`vodcover.net.http_get`.
    """

    def __init__(self, url: str, *, deadline: float, max_connections: int = MAX_PARALLEL_FETCHES) -> None:
        from vodcover.net import http_get  # lazy: only the fast path over HTTP needs it

        self._http = http_get
        self._url = url
        self._deadline = deadline
        self._pool = http_get.range_pool(max_connections)
        self._lock = threading.Lock()
        self._etag: str | None = None
        self.bytes_read = 0
        self.requests = 0
        self.size = -1
        try:
            self.head = self._get(0, HEAD_READ_BYTES, first=True)
        except BaseException:
            self.close()
            raise

    def read(self, offset: int, length: int) -> bytes:
        length = min(length, self.size - offset)
        return self._get(offset, length) if length > 0 else b""

    def close(self) -> None:
        self._pool.clear()

    def _get(self, offset: int, length: int, *, first: bool = False) -> bytes:
        """One ranged GET, retried on network errors and 5xx while the deadline allows."""
        for attempt in range(HTTP_ATTEMPTS):
            try:
                return self._get_once(offset, length, first=first)
            except _Retryable as exc:
                pause = 0.2 * 2**attempt
                if attempt + 1 == HTTP_ATTEMPTS or time.monotonic() + pause >= self._deadline:
                    raise self._read_failure(exc.__cause__ or exc) from exc
                logger.info("retrying range %d+%d: %s", offset, length, exc.__cause__ or exc)
                time.sleep(pause)
        raise AssertionError("unreachable")

    def _get_once(self, offset: int, length: int, *, first: bool) -> bytes:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise MediaTimeout("Reading the video took too long.")
        try:
            response = self._http.open_range(
                self._pool,
                self._url,
                offset,
                offset + length - 1,
                connect_timeout=min(remaining, 10.0),
                read_timeout=remaining,
            )
        except self._http.TransportError as exc:
            raise _Retryable() from exc
        try:
            if response.status >= 500:
                response.close()
                raise _Retryable(f"HTTP {response.status}")
            expected = self._check_response(response, offset, length, first=first)
            body = response.read(expected)
        except self._http.TransportError as exc:
            raise _Retryable() from exc
        finally:
            response.release_conn()
        if len(body) != expected:
            raise MediaUnavailable("The video could not be read.", detail="range answer cut short")
        with self._lock:
            self.bytes_read += len(body)
            self.requests += 1
        return body

    def _check_response(self, response: BaseHTTPResponse, offset: int, length: int, *, first: bool) -> int:
        """Validate status, Content-Range and ETag; return how many body bytes to read."""
        status = response.status
        if status != 206:
            response.close()  # a 200 would stream the whole file: drop the connection instead
        if first and status == 416:  # an empty object has no byte 0
            self.size = 0
            raise RangesUnsupported("empty object")
        if status >= 400:
            raise MediaUnavailable("The video could not be read.", detail=f"HTTP {status}")
        if status != 206:
            raise RangesUnsupported(f"HTTP {status} to a range request")
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", response.headers.get("Content-Range", "").strip())
        if match is None:
            raise RangesUnsupported("206 without a usable Content-Range")
        start, end, total = (int(g) for g in match.groups())
        if first:
            self.size = total
        etag = response.headers.get("ETag")
        with self._lock:
            self._etag = etag if first else self._etag
        if not first and etag and self._etag and etag != self._etag:
            raise MediaUnavailable("The video changed while it was read.", detail="ETag changed")
        if start != offset or end != min(offset + length, total) - 1 or total != self.size:
            raise RangesUnsupported(f"asked {offset}+{length}, got {start}-{end}/{total}")
        return end - start + 1

    def _read_failure(self, exc: BaseException) -> MediaError:
        if time.monotonic() >= self._deadline:
            return MediaTimeout("Reading the video took too long.", detail=str(exc))
        return MediaUnavailable("The video could not be read.", detail=str(exc))


def open_range_reader(source: str | os.PathLike[str], *, deadline: float) -> RangeReader:
    """A reader for a local path or an http(s) URL (presigned S3 URLs included)."""
    text = os.fspath(source)
    if text.startswith(("http://", "https://")):
        return HttpRangeReader(text, deadline=deadline)
    return FileRangeReader(Path(text))


def fetch_ranges(reader: RangeReader, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """Read ``(offset, size)`` ranges in parallel, merging neighbours into one request each."""
    order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
    groups: list[list[int]] = []
    for i in order:
        if groups and ranges[i][0] - _group_end(ranges, groups[-1]) <= MERGE_GAP_BYTES:
            groups[-1].append(i)
        else:
            groups.append([i])

    def fetch(group: list[int]) -> tuple[int, bytes]:
        start = ranges[group[0]][0]
        return start, reader.read(start, _group_end(ranges, group) - start)

    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_FETCHES, max(len(groups), 1))) as pool:
        blocks = list(pool.map(fetch, groups))
    found: list[bytes] = [b""] * len(ranges)
    for group, (start, block) in zip(groups, blocks, strict=True):
        for i in group:
            offset, size = ranges[i]
            found[i] = block[offset - start : offset - start + size]
    return found


def _group_end(ranges: Sequence[tuple[int, int]], group: list[int]) -> int:
    return max(ranges[i][0] + ranges[i][1] for i in group)


# --- choosing keyframes ---------------------------------------------------------------------
def choose_keyframes(keyframes: Sequence[Keyframe], times: Sequence[float]) -> list[Keyframe]:
    """The keyframe nearest each time, but distinct keyframes for distinct times where possible.

    8 snapshots of a short video should be 8 different pictures, not one picture 8 times. Among
    assignments that keep times and keyframes in the same order and give every distinct time
    its own keyframe, this picks the one with the least total distance (a small dynamic
    programme). With more distinct times than keyframes, each time simply gets its nearest.
    """
    if not keyframes:
        raise ValueError("no keyframes")
    moments = [k.time for k in keyframes]
    distinct = sorted(set(times))
    if len(distinct) > len(moments):
        picks = [_nearest(moments, t) for t in distinct]
    else:
        picks = _assign_in_order(moments, distinct)
    by_time = dict(zip(distinct, picks, strict=True))
    return [keyframes[by_time[t]] for t in times]


def _nearest(moments: list[float], target: float) -> int:
    right = bisect_left(moments, target)
    candidates = [i for i in (right - 1, right) if 0 <= i < len(moments)]
    return min(candidates, key=lambda i: abs(moments[i] - target))


def _assign_in_order(moments: list[float], targets: list[float]) -> list[int]:
    """Strictly increasing keyframe indices for sorted targets, least total distance.

    An optimal pick for a target lies within ``len(targets)`` places of its nearest keyframe
    (only the other targets can push it), so each target considers at most 2T+1 candidates
    and the work stays tiny however many keyframes the video has.
    """
    spread = len(targets)
    options = []
    for target in targets:
        centre = _nearest(moments, target)
        options.append(range(max(0, centre - spread), min(len(moments), centre + spread + 1)))
    # best[i][j]: least cost for targets[:i+1] with target i on options[i][j]; back[i][j]: predecessor
    best: list[list[float]] = []
    back: list[list[int]] = []
    for i, (target, choices) in enumerate(zip(targets, options, strict=True)):
        row, links = [], []
        for index in choices:
            cost, link = abs(moments[index] - target), -1
            if i:
                previous = [(best[i - 1][j], j) for j, p in enumerate(options[i - 1]) if p < index]
                prior, link = min(previous, default=(float("inf"), -1))
                cost += prior
            row.append(cost)
            links.append(link)
        best.append(row)
        back.append(links)
    j = min(range(len(best[-1])), key=best[-1].__getitem__)
    picks = []
    for i in range(len(targets) - 1, -1, -1):
        picks.append(options[i][j])
        j = back[i][j]
    return picks[::-1]


# --- Annex-B elementary stream ----------------------------------------------------------
def split_nal_units(sample: bytes, length_size: int) -> list[bytes]:
    """Split a length-prefixed mp4 sample into NAL units; MediaCorrupt when lengths overrun."""
    units, offset = [], 0
    while offset < len(sample):
        if offset + length_size > len(sample):
            raise MediaCorrupt("The video data is corrupt.", detail="NAL length cut off")
        size = int.from_bytes(sample[offset : offset + length_size], "big")
        offset += length_size
        if size == 0 or offset + size > len(sample):
            raise MediaCorrupt("The video data is corrupt.", detail=f"NAL of {size} bytes overruns")
        units.append(sample[offset : offset + size])
        offset += size
    return units


def nal_type(codec: str, unit: bytes) -> int:
    return unit[0] & 0x1F if codec == "h264" else (unit[0] >> 1) & 0x3F


def annexb_access_unit(index: VideoTrackIndex, sample: bytes) -> bytes:
    """One keyframe as a self-contained Annex-B access unit: parameter sets, then its NAL units.

    HEVC keyframes are often CRA pictures, whose picture order count continues from earlier
    pictures: decoded back to back, ffmpeg would output them sorted by that count, not in the
    order sent. Relabelling a CRA as BLA (what splicers do; allowed since no leading pictures
    follow it here) starts a new sequence at each keyframe, so pictures come out in order.
    H.264 keyframes are IDR pictures (checked by the caller), which do that already.
    """
    units = [*index.parameter_sets, *split_nal_units(sample, index.nal_length_size)]
    if index.codec == "hevc":
        units = [_cra_as_bla(unit) for unit in units]
    return b"".join(START_CODE + unit for unit in units)


def _cra_as_bla(unit: bytes) -> bytes:
    if nal_type("hevc", unit) != HEVC_CRA:
        return unit
    return bytes([(unit[0] & 0x81) | (HEVC_BLA_W_LP << 1)]) + unit[1:]


def is_random_access(index: VideoTrackIndex, sample: bytes) -> bool:
    """True when the sample holds an IDR (H.264), IRAP (HEVC) or key (VP9) picture.

    AV1 sync samples are key frames by the AV1-in-ISOBMFF rules, so the index's word is taken.
    """
    if index.codec == "av1":
        return bool(sample)
    if index.codec == "vp9":
        return _is_vp9_key_frame(sample)
    wanted = _RANDOM_ACCESS_NAL_TYPES[index.codec]
    return any(nal_type(index.codec, u) in wanted for u in split_nal_units(sample, index.nal_length_size))


def _is_vp9_key_frame(frame: bytes) -> bool:
    """VP9 uncompressed header: frame marker, profile bits, show_existing_frame, frame_type (0: key)."""
    if not frame or frame[0] >> 6 != 0b10:
        return False
    profile = (frame[0] >> 5 & 1) | (frame[0] >> 3 & 2)
    shift = 2 if profile == 3 else 3  # profile 3 has one reserved bit more
    show_existing, frame_type = frame[0] >> shift & 1, frame[0] >> (shift - 1) & 1
    return not show_existing and frame_type == 0


def elementary_stream(index: VideoTrackIndex, samples: Sequence[bytes]) -> bytes:
    """The keyframe samples as a stream ffmpeg reads on stdin (:func:`input_format`).

    H.264/HEVC: Annex-B access units. AV1 and VP9: an IVF file, one frame per sample (AV1
    with its sequence header in front, since mp4 may keep it only in ``av1C``).
    """
    if index.codec in ("h264", "hevc"):
        return b"".join(annexb_access_unit(index, sample) for sample in samples)
    fourcc = b"AV01" if index.codec == "av1" else b"VP90"
    header = b"DKIF" + struct.pack(
        "<HH4sHHIIII", 0, 32, fourcc, index.width, index.height, 1, 1, len(samples), 0
    )
    prefix = b"".join(index.parameter_sets) if index.codec == "av1" else b""
    frames = [
        struct.pack("<IQ", len(prefix) + len(sample), position) + prefix + sample
        for position, sample in enumerate(samples)
    ]
    return header + b"".join(frames)


def input_format(codec: str) -> str:
    """ffmpeg's demuxer for :func:`elementary_stream`."""
    return codec if codec in ("h264", "hevc") else "ivf"


# --- decoding -------------------------------------------------------------------------------
def decode_args(
    codec: str,
    filters: Sequence[str],
    width: int,
    frames: int,
    *,
    colour: Colour | None = None,
    crop: Crop | None = None,
) -> list[str]:
    """ffmpeg argv (after the executable) decoding a raw stream on stdin to 8-bit PPM pictures."""
    target = f"min(iw,{width})" if width > 0 else "iw"
    scale = f"scale=w='trunc({target}/2)*2':h=-2"
    return [
        "-loglevel", "error",
        "-f", input_format(codec), "-i", "pipe:0",
        "-frames:v", str(frames),
        "-fps_mode", "passthrough",
        *rgb_output_args(scale, colour=colour, crop=crop, before=filters, container="image2pipe"),
    ]  # fmt: skip


def split_ppm(stream: bytes) -> list[tuple[int, int, bytes]]:
    """Split ffmpeg's concatenated binary PPM output into ``(width, height, ppm bytes)``."""
    pictures, offset = [], 0
    while offset < len(stream):
        match = _PPM_HEADER.match(stream, offset)
        if match is None or int(match.group(3)) != 255:
            raise MediaCorrupt("The decoder output is malformed.", detail=f"no PPM header at {offset}")
        width, height = int(match.group(1)), int(match.group(2))
        end = match.end() + width * height * 3
        if end > len(stream):
            raise MediaCorrupt("The decoder output is malformed.", detail="PPM cut short")
        pictures.append((width, height, stream[offset:end]))
        offset = end
    return pictures


def encode_jpeg(ppm: bytes, quality: int) -> bytes:
    from PIL import Image  # lazy: the media layer ships Pillow

    with Image.open(io.BytesIO(ppm), formats=["PPM"]) as picture:
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=quality)
    return out.getvalue()


def decode_keyframes(
    index: VideoTrackIndex,
    samples: Sequence[bytes],
    *,
    width: int,
    timeout: float,
    colour: Colour | None = None,
    crop: Crop | None = None,
) -> list[tuple[int, int, bytes]]:
    """Decode each keyframe sample to a PPM picture, one per sample, in order.

    Byte-identical samples (a still scene coded the same way twice) are decoded once: fed back
    to back, the decoder may well output one picture for them. The unique ones go through one
    ffmpeg run; should it still return a different number of pictures, each is decoded on its
    own (one short run each), so a count mismatch is resolved rather than given up on.
    """
    unique: dict[bytes, int] = {}
    for sample in samples:
        unique.setdefault(sample, len(unique))
    distinct = list(unique)
    deadline = time.monotonic() + timeout
    args = decode_args(
        index.codec, display_filters(index.matrix), width, len(distinct), colour=colour, crop=crop
    )
    stream = elementary_stream(index, distinct)
    pictures = split_ppm(run_ffmpeg(args, timeout=timeout, stdin=stream).stdout)
    if len(pictures) != len(distinct):
        logger.info("%d pictures for %d keyframes: decoding each alone", len(pictures), len(distinct))
        pictures = [_decode_alone(index, sample, args, deadline) for sample in distinct]
    return [pictures[unique[sample]] for sample in samples]


def _decode_alone(
    index: VideoTrackIndex, sample: bytes, args: list[str], deadline: float
) -> tuple[int, int, bytes]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise MediaTimeout("Processing the video took too long.")
    one = [*args]
    one[one.index("-frames:v") + 1] = "1"
    pictures = split_ppm(run_ffmpeg(one, timeout=remaining, stdin=elementary_stream(index, [sample])).stdout)
    if len(pictures) != 1:
        raise MediaCorrupt("The keyframes did not decode.", detail=f"{len(pictures)} pictures for 1 keyframe")
    return pictures[0]


# --- the fast path --------------------------------------------------------------------------
def grab_keyframes(
    source: str | os.PathLike[str],
    times: Sequence[float],
    *,
    width: int,
    quality: int,
    timeout: float,
    colour: Colour | None = None,
    crop: Crop | None = None,
) -> list[Frame] | None:
    """JPEG snapshots at the keyframes nearest ``times``, reading only the index and those frames.

    ``width`` is the output width (0 keeps the source width; never upscaled; even), after the
    display rotation. Frames come back in the order of ``times``. Returns None when the fast
    path does not apply (not an mp4 it handles, no range support, a doubtful decode), and the
    caller then seeks with ffmpeg; raises MediaUnavailable or MediaTimeout, which the slow path
    would meet as well.
    """
    if not times:
        return []
    deadline = time.monotonic() + timeout
    try:
        reader = open_range_reader(source, deadline=deadline)
    except RangesUnsupported as exc:
        logger.info("keyframe fast path skipped: %s", exc)
        return None
    try:
        return _grab(reader, times, width=width, quality=quality, deadline=deadline, colour=colour, crop=crop)
    except (Mp4Unsupported, RangesUnsupported) as exc:
        logger.info("keyframe fast path skipped: %s", exc)
        return None
    except (MediaUnavailable, MediaTimeout):
        raise
    except MediaError as exc:  # corrupt or odd for this parser: ffmpeg may still cope
        logger.warning("keyframe fast path gave up: %s (%s)", exc.message, exc.detail)
        return None
    finally:
        logger.info("keyframe fast path read %d of %d bytes", reader.bytes_read, reader.size)
        observability.count_bytes_read(reader.bytes_read)
        reader.close()


def _grab(
    reader: RangeReader,
    times: Sequence[float],
    *,
    width: int,
    quality: int,
    deadline: float,
    colour: Colour | None = None,
    crop: Crop | None = None,
) -> list[Frame] | None:
    index = read_video_index(reader, reader.head)
    if not index.keyframes:
        return None
    chosen = choose_keyframes(index.keyframes, times)
    distinct = sorted(set(chosen), key=lambda k: k.time)
    samples = fetch_ranges(reader, [(k.offset, k.size) for k in distinct])
    if not all(is_random_access(index, s) for s in samples):
        # Open-GOP keyframes (recovery points, CRA without a clean start) need the frames
        # before them to look right; ffmpeg's seeking handles that, this path does not.
        raise Mp4Unsupported("keyframes are not all IDR/IRAP pictures")
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise MediaTimeout("Processing the video took too long.")
    pictures = decode_keyframes(index, samples, width=width, timeout=remaining, colour=colour, crop=crop)
    jpegs = {k: (w, h, encode_jpeg(ppm, quality)) for k, (w, h, ppm) in zip(distinct, pictures, strict=True)}
    return [
        Frame(t, k.time, jpegs[k][2], jpegs[k][0], jpegs[k][1]) for t, k in zip(times, chosen, strict=True)
    ]


# --- the analysis path: many small frames for the smart-cover selector ----------------------
THINNING_TOLERANCE = 0.05  # s: a keyframe this much short of ``step`` still counts as far enough
LOWRES_DECODE_PROCESSES = 2  # one ffmpeg per core, each on a contiguous share of the keyframes
LOWRES_MIN_FRAMES_PER_PROCESS = 24  # below this, a second process costs more than it saves
DISTINCT_SECONDS = 0.3  # a keyframe this close to an analysed moment adds nothing new


def thin_keyframes(keyframes: Sequence[Keyframe], *, step: float, max_frames: int) -> list[Keyframe]:
    """Keyframes at least ``step`` seconds apart, at most ``max_frames``, spread over the video.

    The rule of the selector's ffmpeg pass (:func:`vodcover.media.smart.keyframe_pass_args`):
    walking in time order, keep the first keyframe and every one at least
    ``step - THINNING_TOLERANCE`` after the last kept one. ``max_frames`` then bounds the
    result (evenly) whatever the keyframe layout, as a guard on bytes fetched and memory.
    """
    kept: list[Keyframe] = []
    for keyframe in sorted(keyframes, key=lambda k: k.time):
        if not kept or keyframe.time - kept[-1].time >= step - THINNING_TOLERANCE:
            kept.append(keyframe)
    if len(kept) > max_frames > 0:
        stride = len(kept) / max_frames
        kept = [kept[int(i * stride)] for i in range(max_frames)]
    return kept


def keyframes_near(
    keyframes: Sequence[Keyframe], times: Sequence[float], *, tolerance: float, exclude: Sequence[float]
) -> dict[float, Keyframe]:
    """For each time, the nearest keyframe within ``tolerance`` that shows something new.

    A keyframe within ``DISTINCT_SECONDS`` of an ``exclude``d moment (already analysed) does
    not count. Times without such a keyframe are left out; two times may share one keyframe.
    """
    moments = [k.time for k in keyframes]
    known = sorted(exclude)
    found: dict[float, Keyframe] = {}
    for target in times:
        right = bisect_left(moments, target)
        nearby = [
            keyframes[i]
            for i in range(max(0, right - 2), min(len(moments), right + 2))
            if abs(moments[i] - target) <= tolerance and not _within(moments[i], known, DISTINCT_SECONDS)
        ]
        if nearby:
            found[target] = min(nearby, key=lambda k: abs(k.time - target))
    return found


def _within(value: float, sorted_values: Sequence[float], tolerance: float) -> bool:
    position = bisect_left(sorted_values, value)
    return any(
        abs(sorted_values[i] - value) <= tolerance
        for i in (position - 1, position)
        if 0 <= i < len(sorted_values)
    )


def lowres_decode_args(
    codec: str,
    filters: Sequence[str],
    size: tuple[int, int],
    frames: int,
    *,
    colour: Colour | None = None,
    crop: Crop | None = None,
    full_quality: bool = False,
    threads: int = 1,
) -> list[str]:
    """ffmpeg argv decoding a raw keyframe stream on stdin to ``size`` raw RGB frames on stdout.

    The decoder options and filters are those of the selector's ffmpeg pass (no deblocking,
    area scaling to the displayed size, square pixels), so either path yields the same pixels.
    ``full_quality`` (cover candidates) keeps the deblocking filter and scales with lanczos.
    Raw RGB rather than PPM or JPEG: the size is known, nothing to encode or parse.
    """
    width, height = size
    scaler = "lanczos" if full_quality else "area"
    scale = f"scale={width}:{height}:flags={scaler},setsar=1"
    decoder = [] if full_quality else ["-skip_loop_filter", "all"]
    return [
        "-loglevel", "error",
        *decoder, "-threads", str(threads),
        "-f", input_format(codec), "-i", "pipe:0",
        "-frames:v", str(frames),
        "-fps_mode", "passthrough",
        *rgb_output_args(scale, colour=colour, crop=crop, before=filters),
    ]  # fmt: skip


def decode_lowres(
    index: VideoTrackIndex,
    samples: Sequence[bytes],
    *,
    size: tuple[int, int],
    timeout: float,
    colour: Colour | None = None,
    crop: Crop | None = None,
) -> list[bytes]:
    """Each keyframe sample as ``size`` raw RGB bytes, in order; MediaCorrupt on a count mismatch."""
    stream = elementary_stream(index, samples)
    return _decode_stream(index, stream, len(samples), size=size, timeout=timeout, colour=colour, crop=crop)


def _decode_stream(
    index: VideoTrackIndex,
    stream: bytes,
    frames: int,
    *,
    size: tuple[int, int],
    timeout: float,
    colour: Colour | None = None,
    crop: Crop | None = None,
    full_quality: bool = False,
    threads: int = 1,
) -> list[bytes]:
    args = lowres_decode_args(
        index.codec,
        display_filters(index.matrix),
        size,
        frames,
        colour=colour,
        crop=crop,
        full_quality=full_quality,
        threads=threads,
    )
    result = run_ffmpeg(args, timeout=timeout, stdin=stream)
    frame_bytes = size[0] * size[1] * 3
    if len(result.stdout) != frame_bytes * frames:
        raise MediaCorrupt(
            "The keyframes did not decode.",
            detail=f"{len(result.stdout) // frame_bytes} pictures for {frames} keyframes",
        )
    return [result.stdout[i : i + frame_bytes] for i in range(0, len(result.stdout), frame_bytes)]


class KeyframeIndex:
    """An mp4's keyframe index with its open reader: decode any of its keyframes small.

    The caller chooses keyframes from :attr:`keyframes` (thinned, or near given times) and
    :meth:`decode_small` fetches exactly those samples in parallel and decodes them; the index
    is read once however many rounds follow.
    """

    def __init__(
        self,
        reader: RangeReader,
        index: VideoTrackIndex,
        deadline: float,
        *,
        colour: Colour | None = None,
        crop: Crop | None = None,
    ) -> None:
        self._reader = reader
        self._index = index
        self._deadline = deadline
        self._colour = colour
        self._crop = crop

    @property
    def keyframes(self) -> tuple[Keyframe, ...]:
        return self._index.keyframes

    def decode_small(
        self, keyframes: Sequence[Keyframe], size: tuple[int, int], *, full_quality: bool = False
    ) -> list[tuple[float, Image.Image]] | None:
        """``(time, picture)`` of each keyframe at ``size`` (as displayed), in the order given.

        Times are on ffmpeg's timeline (what showinfo prints), rounded to the millisecond. None
        when these keyframes cannot be decoded alone (open-GOP pictures, a doubtful decode);
        raises MediaUnavailable or MediaTimeout, which ffmpeg's own pass would meet as well.
        ``full_quality`` decodes with deblocking and lanczos scaling, for cover candidates.
        """
        try:
            return self._decode_small(keyframes, size, full_quality=full_quality)
        except (MediaUnavailable, MediaTimeout):
            raise
        except (Mp4Unsupported, RangesUnsupported, MediaError) as exc:
            logger.info("keyframe analysis path gave up: %s", exc)
            return None

    def _decode_small(
        self, keyframes: Sequence[Keyframe], size: tuple[int, int], *, full_quality: bool
    ) -> list[tuple[float, Image.Image]]:
        from PIL import Image  # lazy: the media layer ships Pillow

        if not keyframes:
            return []
        samples = fetch_ranges(self._reader, [(k.offset, k.size) for k in keyframes])
        if not all(is_random_access(self._index, s) for s in samples):
            raise Mp4Unsupported("keyframes are not all IDR/IRAP pictures")  # see _grab
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise MediaTimeout("Processing the video took too long.")
        # One Annex-B stream per decoding process; the samples go, so memory holds one copy.
        streams = [
            (elementary_stream(self._index, samples[share]), share.stop - share.start)
            for share in _shares(len(samples))
        ]
        del samples
        threads = LOWRES_DECODE_PROCESSES if len(streams) == 1 else 1  # a lone process may use every core
        with ThreadPoolExecutor(max_workers=len(streams)) as pool:
            decoded = pool.map(
                lambda part: _decode_stream(
                    self._index,
                    *part,
                    size=size,
                    timeout=remaining,
                    colour=self._colour,
                    crop=self._crop,
                    full_quality=full_quality,
                    threads=threads,
                ),
                streams,
            )
            pictures = [picture for part in decoded for picture in part]
        return [
            (round(k.time, 3), Image.frombuffer("RGB", size, picture, "raw", "RGB", 0, 1))
            for k, picture in zip(keyframes, pictures, strict=True)
        ]


def _shares(count: int) -> list[slice]:
    """One contiguous share of the keyframes per decoding process."""
    processes = LOWRES_DECODE_PROCESSES if count >= 2 * LOWRES_MIN_FRAMES_PER_PROCESS else 1
    bounds = [count * i // processes for i in range(processes + 1)]
    return [slice(a, b) for a, b in pairwise(bounds)]


@contextmanager
def open_keyframe_index(
    source: str | os.PathLike[str],
    *,
    deadline: float,
    colour: Colour | None = None,
    crop: Crop | None = None,
) -> Iterator[KeyframeIndex | None]:
    """The source's :class:`KeyframeIndex` while the block runs, or None when the path does not apply.

    ``colour`` and ``crop`` (from the probe) make its pictures like every other image
    (:func:`vodcover.media.picture.picture_filters`: tone-mapped, bars cut, 8-bit RGB).

    None for what :func:`grab_keyframes` declines (not an mp4 it handles, no range support, an
    index this parser doubts, no keyframes); MediaUnavailable or MediaTimeout propagate.
    """
    try:
        reader = open_range_reader(source, deadline=deadline)
    except RangesUnsupported as exc:
        logger.info("keyframe analysis path skipped: %s", exc)
        yield None
        return
    try:
        index = _read_index(reader)
        if index is None or not index.keyframes:
            yield None
        else:
            yield KeyframeIndex(reader, index, deadline, colour=colour, crop=crop)
    finally:
        logger.info("keyframe analysis path read %d of %d bytes", reader.bytes_read, reader.size)
        observability.count_bytes_read(reader.bytes_read)
        reader.close()


def _read_index(reader: RangeReader) -> VideoTrackIndex | None:
    try:
        return read_video_index(reader, reader.head)
    except (Mp4Unsupported, RangesUnsupported) as exc:
        logger.info("keyframe analysis path skipped: %s", exc)
    except (MediaUnavailable, MediaTimeout):
        raise
    except MediaError as exc:  # corrupt or odd for this parser: ffmpeg may still cope
        logger.warning("keyframe analysis path gave up: %s (%s)", exc.message, exc.detail)
    return None


def decode_keyframes_lowres(
    source: str | os.PathLike[str],
    *,
    step: float,
    max_frames: int,
    size: tuple[int, int],
    timeout: float,
) -> list[tuple[float, Image.Image]] | None:
    """Keyframes ``step`` apart (see :func:`thin_keyframes`), decoded to small RGB pictures.

    ``size`` is the output size as displayed (after the display rotation). Reads the index and
    the chosen keyframes only (a few MB of a GB-size file), then decodes them in one ffmpeg run
    per core. Returns ``(time, picture)`` in time order; None when the path does not apply,
    as :func:`grab_keyframes` does.
    """
    with open_keyframe_index(source, deadline=time.monotonic() + timeout) as index:
        if index is None:
            return None
        return index.decode_small(thin_keyframes(index.keyframes, step=step, max_frames=max_frames), size)
