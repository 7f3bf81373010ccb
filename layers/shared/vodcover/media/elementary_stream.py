"""mp4 keyframe samples as a raw stream ffmpeg decodes from stdin: Annex-B (H.264/HEVC) or IVF.

mp4 stores NAL units length-prefixed with the parameter sets in the sample entry; a decoder fed
on a pipe wants them start-code-delimited with the parameter sets in front of each keyframe.
AV1 and VP9 go in an IVF container instead. Also here: whether a sample can be decoded alone.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from vodcover.errors import MediaCorrupt
from vodcover.media.mp4index import VideoTrackIndex

START_CODE = b"\x00\x00\x00\x01"
_RANDOM_ACCESS_NAL_TYPES = {"h264": frozenset({5}), "hevc": frozenset(range(16, 22))}  # IDR; BLA/IDR/CRA
HEVC_CRA, HEVC_BLA_W_LP = 21, 16


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
