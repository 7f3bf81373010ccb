"""Snapshots from a few megabytes: fetch just the keyframes' bytes and decode them alone.

``ffmpeg -ss t -i URL`` asks for open-ended HTTP ranges and reads far more than it decodes
(about a fifth of a large file for 8 snapshots). This fast path reads the mp4 index
(:mod:`vodcover.media.mp4index`), picks the keyframe nearest each requested time, fetches
exactly those samples with bounded ranged requests in parallel, and pipes them to ffmpeg as a
raw H.264/HEVC elementary stream: one ffmpeg run decodes them all. The smart-cover analysis
reads the same index through :class:`KeyframeIndex` and decodes its keyframes small.

The rooms: :mod:`~vodcover.media.byte_ranges` reads bytes, :mod:`~vodcover.media.keyframe_choice`
picks keyframes, :mod:`~vodcover.media.elementary_stream` turns samples into a stream,
:mod:`~vodcover.media.keyframe_decode` runs ffmpeg on it; this module puts them together.

It never makes things worse: whenever the source is not an mp4 it understands (another
container, fragmented, an odd edit list, a server without range support, a decode that does not
come out right), :func:`grab_keyframes` returns None and the caller seeks with ffmpeg as
before. It raises only what the slow path would hit too: :class:`MediaUnavailable` when the
source cannot be read, :class:`MediaTimeout` when the deadline passes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from vodcover import observability
from vodcover.deadline import deadline_in, time_left
from vodcover.errors import MediaError, MediaTimeout, MediaUnavailable
from vodcover.media.byte_ranges import RangeReader, RangesUnsupported, fetch_ranges, open_range_reader
from vodcover.media.elementary_stream import elementary_stream, is_random_access
from vodcover.media.keyframe_choice import choose_keyframes, thin_keyframes
from vodcover.media.keyframe_decode import decode_keyframes, decode_raw_stream
from vodcover.media.mp4boxes import Mp4Unsupported
from vodcover.media.mp4index import VideoTrackIndex, read_video_index
from vodcover.media.mp4samples import Keyframe
from vodcover.media.picture import Colour, Crop

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)

LOWRES_DECODE_PROCESSES = 2  # one ffmpeg per core, each on a contiguous share of the keyframes
LOWRES_MIN_FRAMES_PER_PROCESS = 24  # below this, a second process costs more than it saves


@dataclass(frozen=True)
class Frame:
    """One decoded snapshot: the time asked for, the keyframe's time, and the JPEG."""

    requested_time: float
    time: float
    jpeg: bytes
    width: int
    height: int


def grab_keyframes(
    source: str | os.PathLike[str],
    times: Sequence[float],
    *,
    width: int,
    quality: int,
    timeout: float,
    colour: Colour | None = None,
    crop: Crop | None = None,
    deblock: bool = True,
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
    deadline = deadline_in(timeout)
    try:
        reader = open_range_reader(source, deadline=deadline)
    except RangesUnsupported as exc:
        logger.info("keyframe fast path skipped: %s", exc)
        return None
    try:
        return _grab(
            reader,
            times,
            width=width,
            quality=quality,
            deadline=deadline,
            colour=colour,
            crop=crop,
            deblock=deblock,
        )
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
    deblock: bool = True,
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
    remaining = time_left(deadline)
    pictures = decode_keyframes(
        index, samples, width=width, timeout=remaining, colour=colour, crop=crop, deblock=deblock
    )
    from vodcover.media.jpeg import ppm_to_jpeg  # lazy: Pillow is only needed once frames are decoded

    jpegs = {k: (w, h, ppm_to_jpeg(ppm, quality)) for k, (w, h, ppm) in zip(distinct, pictures, strict=True)}
    return [
        Frame(t, k.time, jpegs[k][2], jpegs[k][0], jpegs[k][1]) for t, k in zip(times, chosen, strict=True)
    ]


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

    def cropped(self, crop: Crop | None) -> KeyframeIndex:
        """The same index and reader, its pictures cut to ``crop`` (bars found after a first round)."""
        return KeyframeIndex(self._reader, self._index, self._deadline, colour=self._colour, crop=crop)

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
        remaining = time_left(self._deadline)
        # One Annex-B stream per decoding process; the samples go, so memory holds one copy.
        streams = [
            (elementary_stream(self._index, samples[share]), share.stop - share.start)
            for share in _shares(len(samples))
        ]
        del samples
        threads = LOWRES_DECODE_PROCESSES if len(streams) == 1 else 1  # a lone process may use every core
        with ThreadPoolExecutor(max_workers=len(streams)) as pool:
            decoded = pool.map(
                lambda part: decode_raw_stream(
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
    with open_keyframe_index(source, deadline=deadline_in(timeout)) as index:
        if index is None:
            return None
        return index.decode_small(thin_keyframes(index.keyframes, step=step, max_frames=max_frames), size)
