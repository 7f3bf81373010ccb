"""Phone and browser footage made with the bundled ffmpeg: HDR (HLG/PQ, Dolby Vision tagged),
10-bit and 4:2:2/4:4:4, WebM recordings, letter/pillar-boxed clips, songs with cover art.

Each is made from the plain clips of :mod:`vodcover_dev.samples`, so an HDR copy can be held to
its SDR reference.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from vodcover.media.ffmpeg import run_ffmpeg
from vodcover_dev.samples import CODEC_FLAGS, GENERATE_TIMEOUT_SECONDS, encode_then_rotate, make_sample_video

HDR_TRANSFERS = {"hlg": "arib-std-b67", "pq": "smpte2084"}


def make_sdr_reference(
    path: str | os.PathLike[str],
    *,
    duration: float,
    width: int,
    height: int,
    scenes: Sequence[str] = ("testsrc2",),
) -> Path:
    """An 8-bit H.264 SDR clip: the reference an HDR copy of it (:func:`make_hdr_video`) must look like."""
    return make_sample_video(path, duration=duration, width=width, height=height, scenes=scenes, crf=12)


def make_hdr_video(
    reference: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    transfer: str = "hlg",
    rotation: int = 0,
    gop: int | None = None,
) -> Path:
    """``reference`` as a phone records HDR: HEVC Main 10, BT.2020, HLG or PQ (``transfer``).

    SDR white goes to 203 nits (BT.2408 reference white), as phones grade it. The reference's
    pixels were made by swscale without a colour matrix (BT.601), so they are read as such.
    ``rotation`` adds a display matrix, as a phone held upright writes.
    """
    trc = HDR_TRANSFERS[transfer]
    target = Path(path)
    args = [
        "-y", "-i", str(reference), "-map", "0:v:0",
        "-vf", f"zscale=tin=bt709:min=470bg:pin=bt709:rin=tv:t={trc}:m=bt2020nc:p=bt2020:r=tv:npl=203,"
        "format=yuv420p10le",
        "-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1",
        "-x265-params", f"colorprim=bt2020:transfer={trc}:colormatrix=bt2020nc:log-level=error",
        "-color_primaries", "bt2020", "-color_trc", trc, "-colorspace", "bt2020nc",
    ]  # fmt: skip
    if gop is not None:
        args += ["-g", str(gop)]
    args += ["-movflags", "+faststart"]
    if rotation:
        encode_then_rotate(args, target, rotation)
    else:
        run_ffmpeg([*args, str(target)], timeout=GENERATE_TIMEOUT_SECONDS, message="Encoding failed.")
    return target


def make_ten_bit_video(
    path: str | os.PathLike[str],
    *,
    duration: float,
    width: int,
    height: int,
    codec: str = "libx264",
    pixel_format: str = "yuv420p10le",
    preset: str = "ultrafast",
    crf: int | None = None,
) -> Path:
    """An SDR clip with more than 8 bits (or 4:2:2 / 4:4:4 chroma): ``pixel_format`` as given."""
    target = make_sample_video(
        path, duration=duration, width=width, height=height, codec=codec, preset=preset, crf=crf
    )
    return target if pixel_format == "yuv420p" else _reencode(target, codec, pixel_format, preset, crf)


def _reencode(target: Path, codec: str, pixel_format: str, preset: str, crf: int | None) -> Path:
    with tempfile.TemporaryDirectory(prefix="vodcover-sample-") as tmp:
        plain = Path(tmp) / f"plain{target.suffix}"
        target.rename(plain)
        flags = [*CODEC_FLAGS[codec]]
        flags[flags.index("-pix_fmt") + 1] = pixel_format
        if "-preset" in flags:
            flags[flags.index("-preset") + 1] = preset
        quality = ["-crf", str(crf)] if crf is not None else []
        run_ffmpeg(
            [
                "-y",
                "-i",
                str(plain),
                "-map",
                "0:v:0",
                *flags,
                *quality,
                "-movflags",
                "+faststart",
                str(target),
            ],
            timeout=GENERATE_TIMEOUT_SECONDS,
            message="Encoding failed.",
        )
    return target


def make_browser_recording(
    path: str | os.PathLike[str],
    *,
    duration: float,
    width: int,
    height: int,
    codec: str = "libvpx-vp9",
    fps: int = 30,
) -> Path:
    """A WebM as MediaRecorder writes it: VP8/VP9 + Opus, live (no duration, no cues)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    args = [
        "-y", "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={duration}",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={duration}",
        "-c:v", codec, "-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k", "-g", str(fps * 2),
        "-c:a", "libopus", "-b:a", "48k", "-f", "webm", "-live", "1", str(target),
    ]  # fmt: skip
    run_ffmpeg(args, timeout=GENERATE_TIMEOUT_SECONDS, message="Encoding failed.")
    return target


def make_boxed_video(
    path: str | os.PathLike[str],
    *,
    duration: float,
    frame: tuple[int, int],
    picture: tuple[int, int],
    scenes: Sequence[str] = ("testsrc2",),
) -> Path:
    """A ``picture``-sized clip centred on black inside ``frame``: letterbox or pillarbox bars."""
    target = Path(path)
    with tempfile.TemporaryDirectory(prefix="vodcover-sample-") as tmp:
        inner = make_sample_video(
            Path(tmp) / "inner.mp4", duration=duration, width=picture[0], height=picture[1], scenes=scenes
        )
        pad = f"pad={frame[0]}:{frame[1]}:(ow-iw)/2:(oh-ih)/2:black,format=yuv420p"
        run_ffmpeg(
            [
                "-y",
                "-i",
                str(inner),
                "-vf",
                pad,
                *CODEC_FLAGS["libx264"],
                "-movflags",
                "+faststart",
                str(target),
            ],
            timeout=GENERATE_TIMEOUT_SECONDS,
            message="Encoding failed.",
        )
    return target


def make_audio_with_art(
    path: str | os.PathLike[str], *, duration: float = 2.0, art: tuple[int, int] = (300, 300)
) -> Path:
    """Music with its cover art (an ``attached_pic`` stream), as m4a or mp3 by the file name."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    audio = ["-c:a", "libmp3lame"] if target.suffix.lower() == ".mp3" else ["-c:a", "aac"]
    args = [
        "-y", "-f", "lavfi", "-i", f"sine=frequency=330:duration={duration}",
        "-f", "lavfi", "-i", f"testsrc2=s={art[0]}x{art[1]}:r=1:d=1",
        "-map", "0:a", "-map", "1:v", *audio, "-c:v", "mjpeg", "-disposition:v:0", "attached_pic",
        str(target),
    ]  # fmt: skip
    run_ffmpeg(args, timeout=GENERATE_TIMEOUT_SECONDS, message="Encoding failed.")
    return target


# Box path from ``moov`` to an HEVC sample entry: (type, bytes between its header and its children).
_SAMPLE_ENTRY_PATH = ((b"trak", 0), (b"mdia", 0), (b"minf", 0), (b"stbl", 0), (b"stsd", 8), (b"hvc1", 78))


def tag_dolby_vision(source: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """``source`` (HEVC HLG) tagged Dolby Vision profile 8.4, as an iPhone writes it, minus the RPUs.

    No encoder here writes Dolby Vision (libx265 only passes RPUs through from a Dolby Vision
    source), so the ``dvcC`` configuration box (profile 8, level 4, base layer compatible with
    HLG: id 4) is added to the sample entry. ffmpeg then reports the DOVI record exactly as for
    a phone's file and decodes the HLG base layer, which is what a non-Dolby player shows.
    """
    with tempfile.TemporaryDirectory(prefix="vodcover-sample-") as tmp:
        plain = Path(tmp) / "plain.mp4"  # moov after mdat: growing it moves no sample offsets
        run_ffmpeg(
            ["-y", "-i", str(source), "-map", "0", "-c", "copy", str(plain)],
            timeout=GENERATE_TIMEOUT_SECONDS,
            message="Remuxing failed.",
        )
        data = bytearray(plain.read_bytes())
    moov = _find_box(data, 0, len(data), b"moov")
    if moov is None or data.find(b"mdat") > moov:
        raise ValueError("expected an mp4 with moov after mdat")
    dvcc = bytes([1, 0, 0x10, 0x25, 0x40]) + bytes(19)  # v1.0, profile 8, level 4, RPU+BL, compat 4
    box = (8 + len(dvcc)).to_bytes(4, "big") + b"dvcC" + dvcc
    parents = [moov]
    start, end = moov + 8, moov + int.from_bytes(data[moov : moov + 4], "big")
    for kind, skip in _SAMPLE_ENTRY_PATH:
        found = _find_box(data, start, end, kind)
        if found is None:
            raise ValueError(f"no {kind.decode()} box")
        parents.append(found)
        start, end = found + 8 + skip, found + int.from_bytes(data[found : found + 4], "big")
    data[end:end] = box
    for parent in parents:
        size = int.from_bytes(data[parent : parent + 4], "big") + len(box)
        data[parent : parent + 4] = size.to_bytes(4, "big")
    target = Path(path)
    target.write_bytes(bytes(data))
    return target


def _find_box(data: bytearray, start: int, end: int, kind: bytes) -> int | None:
    position = start
    while position + 8 <= end:
        size = int.from_bytes(data[position : position + 4], "big")
        if data[position + 4 : position + 8] == kind:
            return position
        if size < 8:
            return None
        position += size
    return None
