"""What an mp4's own index says about its video, read in Python: a probe without an ffmpeg run.

Starting ffmpeg only to print a 3-second clip's header cost about as much wall time as decoding
the clip (each run is a fork, a 170 MB binary's start-up, a demuxer open). The index
(:mod:`vodcover.media.mp4index`) gives duration, coded size, codec and display rotation; it does
not give the colour description or the pixel aspect, so this is a guess: whoever acts on it
checks it against ffmpeg's own report of the same input (:mod:`vodcover.media.single_pass`).
"""

from __future__ import annotations

import logging
import os

from vodcover import observability
from vodcover.errors import MediaError
from vodcover.media.byte_ranges import RangesUnsupported, open_range_reader
from vodcover.media.mp4boxes import Mp4Unsupported
from vodcover.media.mp4index import read_video_index
from vodcover.media.probe import MediaProbe

logger = logging.getLogger(__name__)

MP4_CONTAINER = "mov,mp4,m4a,3gp,3g2,mj2"  # how ffmpeg names the demuxer it reads mp4 with


def guess_from_header(source: str | os.PathLike[str], *, deadline: float) -> MediaProbe | None:
    """The probe the mp4 index implies (square pixels, SDR), or None when it cannot be read.

    Never raises a media error: an unreadable or odd source goes to the ffmpeg probe, which
    names the problem with its stable code.
    """
    try:
        reader = open_range_reader(source, deadline=deadline)
    except (RangesUnsupported, MediaError) as exc:
        logger.info("no header guess: %s", exc)
        return None
    try:
        index = read_video_index(reader, reader.head)
    except (Mp4Unsupported, RangesUnsupported, MediaError) as exc:
        logger.info("no header guess: %s", exc)
        return None
    finally:
        observability.count_bytes_read(reader.bytes_read)
        reader.close()
    if index.width <= 0 or index.height <= 0 or index.duration <= 0:
        return None
    turned = index.rotation in (90, 270)
    width, height = (index.height, index.width) if turned else (index.width, index.height)
    return MediaProbe(
        duration=index.duration,
        width=width,
        height=height,
        rotation=index.rotation,
        fps=index.sample_count / index.duration,
        video_codec=index.codec,
        has_audio=False,  # not read: nothing the smart cover does depends on it
        bitrate=None,
        start_time=0.0,
        stored_width=index.width,
        stored_height=index.height,
        container=MP4_CONTAINER,
    )
