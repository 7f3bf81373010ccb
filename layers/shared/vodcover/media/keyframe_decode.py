"""Decoding keyframe samples with one ffmpeg run: PPM snapshots, or small raw RGB analysis frames.

The samples come as one elementary stream on stdin (:mod:`vodcover.media.elementary_stream`);
the pictures come out upright (the display matrix as filters), bars cut and HDR tone-mapped
(:func:`vodcover.media.picture.rgb_output_args`), like every other image vodcover makes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from vodcover.deadline import deadline_in, time_left
from vodcover.errors import MediaCorrupt
from vodcover.media.elementary_stream import elementary_stream, input_format
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.mp4index import VideoTrackIndex, display_filters
from vodcover.media.picture import Colour, Crop, rgb_output_args

logger = logging.getLogger(__name__)

_PPM_HEADER = re.compile(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s")


def decode_args(
    codec: str,
    filters: Sequence[str],
    frames: int,
    *,
    scale: str,
    decoder: Sequence[str] = (),
    colour: Colour | None = None,
    crop: Crop | None = None,
    container: str = "rawvideo",
) -> list[str]:
    """ffmpeg argv (after the executable) decoding a raw keyframe stream on stdin to ``frames``
    8-bit RGB pictures on stdout: PPM (``container="image2pipe"``) or raw frames."""
    return [
        "-loglevel", "error",
        *decoder,
        "-f", input_format(codec), "-i", "pipe:0",
        "-frames:v", str(frames),
        "-fps_mode", "passthrough",
        *rgb_output_args(scale, colour=colour, crop=crop, before=filters, container=container),
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


def decode_keyframes(
    index: VideoTrackIndex,
    samples: Sequence[bytes],
    *,
    width: int,
    timeout: float,
    colour: Colour | None = None,
    crop: Crop | None = None,
    deblock: bool = True,
) -> list[tuple[int, int, bytes]]:
    """Decode each keyframe sample to a PPM picture, one per sample, in order.

    Byte-identical samples (a still scene coded the same way twice) are decoded once: fed back
    to back, the decoder may well output one picture for them. The unique ones go through one
    ffmpeg run; should it still return a different number of pictures, each is decoded on its
    own (one short run each), so a count mismatch is resolved rather than given up on.
    ``deblock=False`` skips the loop filter (a fifth of the decoding), for pictures only looked at.
    """
    unique: dict[bytes, int] = {}
    for sample in samples:
        unique.setdefault(sample, len(unique))
    distinct = list(unique)
    deadline = deadline_in(timeout)
    target = f"min(iw,{width})" if width > 0 else "iw"  # at most ``width`` wide, even sides
    args = decode_args(
        index.codec,
        display_filters(index.matrix),
        len(distinct),
        scale=f"scale=w='trunc({target}/2)*2':h=-2",
        decoder=[] if deblock else ["-skip_loop_filter", "all"],
        colour=colour,
        crop=crop,
        container="image2pipe",
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
    remaining = time_left(deadline)
    one = [*args]
    one[one.index("-frames:v") + 1] = "1"
    pictures = split_ppm(run_ffmpeg(one, timeout=remaining, stdin=elementary_stream(index, [sample])).stdout)
    if len(pictures) != 1:
        raise MediaCorrupt("The keyframes did not decode.", detail=f"{len(pictures)} pictures for 1 keyframe")
    return pictures[0]


def decode_raw_stream(
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
    """Decode ``frames`` keyframes of ``stream`` to raw RGB frames of exactly ``size``.

    The decoder options and filters are those of the selector's ffmpeg pass (no deblocking,
    area scaling to the displayed size, square pixels), so either path yields the same pixels.
    ``full_quality`` (cover candidates) keeps the deblocking filter and scales with lanczos.
    Raw RGB rather than PPM or JPEG: the size is known, nothing to encode or parse.
    """
    width, height = size
    scaler = "lanczos" if full_quality else "area"
    skip_deblocking = [] if full_quality else ["-skip_loop_filter", "all"]
    args = decode_args(
        index.codec,
        display_filters(index.matrix),
        frames,
        scale=f"scale={width}:{height}:flags={scaler},setsar=1",
        decoder=[*skip_deblocking, "-threads", str(threads)],
        colour=colour,
        crop=crop,
    )
    result = run_ffmpeg(args, timeout=timeout, stdin=stream)
    frame_bytes = size[0] * size[1] * 3
    if len(result.stdout) != frame_bytes * frames:
        raise MediaCorrupt(
            "The keyframes did not decode.",
            detail=f"{len(result.stdout) // frame_bytes} pictures for {frames} keyframes",
        )
    return [result.stdout[i : i + frame_bytes] for i in range(0, len(result.stdout), frame_bytes)]
