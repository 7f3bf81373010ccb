"""The mp4 index parser: keyframe times, offsets and sizes, and calm refusal of hostile input.

Pure tests build tiny mp4 boxes by hand (co64, stz2, several chunks, edit lists); media tests
encode real files with the bundled ffmpeg and compare with what ffmpeg itself reports.
"""

from __future__ import annotations

import random
import re
import struct
import time
from pathlib import Path

import pytest

from vodcover.errors import MediaCorrupt, MediaError, MediaNoVideoStream
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.mp4boxes import Mp4Unsupported, parse_box_header
from vodcover.media.mp4index import display_filters, display_rotation, parse_moov, read_video_index

IDENTITY = (0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


# --- a tiny mp4 writer ------------------------------------------------------------------------
def box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I4s", 8 + len(body), kind) + body


def full(kind: bytes, body: bytes, version: int = 0) -> bytes:
    return box(kind, bytes([version, 0, 0, 0]), body)


def table(kind: bytes, fmt: str, rows: list[tuple[int, ...]], version: int = 0) -> bytes:
    return full(kind, struct.pack(">I", len(rows)) + b"".join(struct.pack(fmt, *r) for r in rows), version)


class FakeSource:
    """A ByteSource over bytes that counts reads, to check how few the parser needs."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.reads: list[tuple[int, int]] = []

    @property
    def size(self) -> int:
        return len(self.data)

    def read(self, offset: int, length: int) -> bytes:
        self.reads.append((offset, length))
        return self.data[offset : offset + length]


AVCC = bytes([1, 0x64, 0, 0x1F, 0xFF, 0xE1]) + struct.pack(">H", 4) + b"\x67SPS" + b"\x01"
AVCC += struct.pack(">H", 3) + b"\x68PP"


def video_trak(
    *,
    sizes: list[int],
    chunk_offsets: list[int],
    stsc: list[tuple[int, int, int]],
    sync: list[int] | None,
    co64: bool = False,
    stz2: bool = False,
    ctts: list[tuple[int, int]] | None = None,
    elst: list[tuple[int, int, int]] | None = None,
    matrix: tuple[int, ...] = IDENTITY,
    codec: bytes = b"avc1",
) -> bytes:
    """A video track of len(sizes) samples, 1000 ticks each at timescale 25000 (25 fps)."""
    tkhd = full(
        b"tkhd",
        bytes(20) + bytes(16) + struct.pack(">9i", *matrix) + struct.pack(">II", 640 << 16, 360 << 16),
    )
    mdhd = full(b"mdhd", struct.pack(">IIII", 0, 0, 25000, 1000 * len(sizes)) + bytes(4))
    hdlr = full(b"hdlr", bytes(4) + b"vide" + bytes(12) + b"video\x00")
    entry = box(codec, bytes(24) + struct.pack(">HH", 640, 360) + bytes(50), box(b"avcC", AVCC))
    stsd = full(b"stsd", struct.pack(">I", 1) + entry)
    stts = table(b"stts", ">II", [(len(sizes), 1000)])
    if stz2:
        sizes_box = full(
            b"stz2",
            bytes(3) + bytes([16]) + struct.pack(">I", len(sizes)) + struct.pack(f">{len(sizes)}H", *sizes),
        )
    else:
        sizes_box = full(b"stsz", struct.pack(">II", 0, len(sizes)) + struct.pack(f">{len(sizes)}I", *sizes))
    offsets = (
        table(b"co64", ">Q", [(o,) for o in chunk_offsets])
        if co64
        else table(b"stco", ">I", [(o,) for o in chunk_offsets])
    )
    parts = [stsd, stts, sizes_box, table(b"stsc", ">III", stsc), offsets]
    if sync is not None:
        parts.append(table(b"stss", ">I", [(n,) for n in sync]))
    if ctts is not None:
        parts.append(table(b"ctts", ">Ii", ctts, version=1))
    stbl = box(b"stbl", *parts)
    mdia = box(b"mdia", mdhd, hdlr, box(b"minf", stbl))
    edts = [box(b"edts", table(b"elst", ">Iii", elst))] if elst else []
    return box(b"trak", tkhd, *edts, mdia)


def moov_payload(trak: bytes) -> bytes:
    mvhd = full(b"mvhd", struct.pack(">IIII", 0, 0, 1000, 0) + bytes(80))
    audio = box(b"trak", box(b"mdia", full(b"hdlr", bytes(4) + b"soun" + bytes(12))))
    return mvhd + audio + trak  # an audio track first: the parser must pick the video one


SIZES = [500, 40, 40, 40, 600, 40, 40, 40, 700, 40]


# --- box headers ------------------------------------------------------------------------------
def test_largesize_box_header_is_read_as_64_bits() -> None:
    buf = struct.pack(">I4sQ", 1, b"mdat", 5_000_000_000)
    header = parse_box_header(buf, 0, 6_000_000_000)
    assert (header.type, header.header_size, header.size) == (b"mdat", 16, 5_000_000_000)


def test_box_claiming_more_than_its_parent_is_corrupt() -> None:
    with pytest.raises(MediaCorrupt):
        parse_box_header(struct.pack(">I4s", 1000, b"moov"), 0, 500)


def test_size_zero_box_extends_to_the_end_of_the_file() -> None:
    assert parse_box_header(struct.pack(">I4s", 0, b"mdat"), 0, 1234).size == 1234


# --- sample tables ----------------------------------------------------------------------------
def test_keyframe_offsets_follow_chunks_and_sample_sizes() -> None:
    # Given 10 samples in chunks of 4, 4 and 2 samples, keyframes 1, 5 and 9
    trak = video_trak(
        sizes=SIZES, chunk_offsets=[1000, 5000, 9000], stsc=[(1, 4, 1), (3, 2, 1)], sync=[1, 5, 9]
    )
    # When the moov is parsed
    index = parse_moov(moov_payload(trak), file_size=20_000)
    # Then each keyframe sits at its chunk's offset plus the samples before it in that chunk
    assert [(k.sample_number, k.offset, k.size) for k in index.keyframes] == [
        (1, 1000, 500),
        (5, 5000, 600),
        (9, 9000, 700),
    ]
    assert [k.time for k in index.keyframes] == [0.0, 0.16, 0.32]
    assert (index.codec, index.nal_length_size, index.parameter_sets) == ("h264", 4, (b"\x67SPS", b"\x68PP"))


def test_co64_and_stz2_give_the_same_keyframes() -> None:
    offsets = [5_000_000_000, 5_000_010_000, 5_000_020_000]
    trak = video_trak(
        sizes=SIZES, chunk_offsets=offsets, stsc=[(1, 4, 1), (3, 2, 1)], sync=[1, 5, 9], co64=True, stz2=True
    )
    index = parse_moov(moov_payload(trak), file_size=6_000_000_000)
    assert [k.offset for k in index.keyframes] == offsets


def test_samples_within_a_chunk_are_offset_by_the_sizes_before_them() -> None:
    trak = video_trak(sizes=SIZES, chunk_offsets=[100], stsc=[(1, 10, 1)], sync=[1, 5, 9])
    index = parse_moov(moov_payload(trak), file_size=10_000)
    assert [k.offset for k in index.keyframes] == [100, 100 + 620, 100 + 620 + 720]


def test_without_stss_every_sample_is_a_keyframe() -> None:
    trak = video_trak(sizes=SIZES, chunk_offsets=[100], stsc=[(1, 10, 1)], sync=None)
    assert len(parse_moov(moov_payload(trak), file_size=10_000).keyframes) == 10


def test_edit_list_and_composition_offsets_shift_presentation_times() -> None:
    # Given B-frame reordering (ctts 2000 ticks) cancelled by an edit starting at media time 2000,
    # and a leading empty edit of 500 ms (movie timescale 1000) while the audio starts at once
    trak = video_trak(
        sizes=SIZES,
        chunk_offsets=[100],
        stsc=[(1, 10, 1)],
        sync=[1, 5, 9],
        ctts=[(10, 2000)],
        elst=[(500, -1, 0x10000), (400, 2000, 0x10000)],
    )
    index = parse_moov(moov_payload(trak), file_size=10_000)
    assert [round(k.time, 6) for k in index.keyframes] == [0.5, 0.66, 0.82]


def test_edit_lists_beyond_one_shift_are_unsupported() -> None:
    trak = video_trak(
        sizes=SIZES,
        chunk_offsets=[100],
        stsc=[(1, 10, 1)],
        sync=[1],
        elst=[(100, 0, 0x10000), (100, 5000, 0x10000)],
    )
    with pytest.raises(Mp4Unsupported):
        parse_moov(moov_payload(trak), file_size=10_000)


def test_other_codecs_are_unsupported_not_corrupt() -> None:
    trak = video_trak(sizes=SIZES, chunk_offsets=[100], stsc=[(1, 10, 1)], sync=[1], codec=b"mp4v")
    with pytest.raises(Mp4Unsupported):
        parse_moov(moov_payload(trak), file_size=10_000)


def test_audio_only_file_has_no_video_stream() -> None:
    audio = box(b"trak", box(b"mdia", full(b"hdlr", bytes(4) + b"soun" + bytes(12))))
    with pytest.raises(MediaNoVideoStream):
        parse_moov(audio, file_size=10_000)


def test_fragmented_moov_is_unsupported() -> None:
    with pytest.raises(Mp4Unsupported):
        parse_moov(box(b"mvex", b"") + moov_payload(b""), file_size=10_000)


# --- locating moov ----------------------------------------------------------------------------
def test_moov_after_a_64_bit_mdat_is_found_with_two_reads() -> None:
    trak = video_trak(sizes=SIZES, chunk_offsets=[40], stsc=[(1, 10, 1)], sync=[1, 5, 9])
    mdat_size = 16 + 3000
    data = box(b"ftyp", b"isom\x00\x00\x02\x00") + struct.pack(">I4sQ", 1, b"mdat", mdat_size) + bytes(3000)
    data += box(b"moov", moov_payload(trak))
    source = FakeSource(data)
    index = read_video_index(source)
    assert len(index.keyframes) == 3
    assert len(source.reads) <= 2  # the head holds it all here; a big file adds one tail read


def test_moov_at_the_end_of_a_large_file_costs_one_read_more_than_the_head() -> None:
    trak = video_trak(sizes=SIZES, chunk_offsets=[40], stsc=[(1, 10, 1)], sync=[1, 5, 9])
    data = (
        box(b"ftyp", b"isom\x00\x00\x02\x00")
        + box(b"mdat", bytes(10_000_000))
        + box(b"moov", moov_payload(trak))
    )
    source = FakeSource(data)
    read_video_index(source)
    assert len(source.reads) == 2
    assert sum(length for _, length in source.reads) < 100_000


@pytest.mark.parametrize(
    "data",
    [
        b"\x1a\x45\xdf\xa3" + bytes(60),  # webm/mkv EBML magic
        b"RIFF\x00\x00\x00\x00AVI LIST" + bytes(50),
        b"\x47" + bytes(187),  # MPEG-TS sync byte
    ],
)
def test_other_containers_are_unsupported(data: bytes) -> None:
    with pytest.raises(Mp4Unsupported):
        read_video_index(FakeSource(data))


def test_file_cut_before_its_trailing_moov_is_corrupt() -> None:
    data = box(b"ftyp", b"isom\x00\x00\x02\x00") + struct.pack(">I4s", 100_000, b"mdat") + bytes(5_000)
    with pytest.raises(MediaCorrupt):
        read_video_index(FakeSource(data))


def test_absurd_sample_count_is_refused_without_allocating() -> None:
    stsz = full(b"stsz", struct.pack(">II", 4, 0xFFFFFFFF))
    stbl = box(
        b"stbl", full(b"stsd", struct.pack(">I", 1) + box(b"avc1", bytes(78), box(b"avcC", AVCC))), stsz
    )
    trak = box(
        b"trak",
        full(b"tkhd", bytes(92)),
        box(
            b"mdia",
            full(b"mdhd", struct.pack(">IIII", 0, 0, 25, 0) + bytes(4)),
            full(b"hdlr", bytes(4) + b"vide" + bytes(12)),
            box(b"minf", stbl),
        ),
    )
    with pytest.raises(MediaCorrupt):
        parse_moov(trak, file_size=1_000_000)


def test_mutated_moov_never_hangs_and_fails_only_with_media_errors() -> None:
    # Given a valid moov, when random bytes are overwritten, then parsing either succeeds or
    # raises a media error / unsupported signal, quickly, and every keyframe lies in the file
    trak = video_trak(
        sizes=SIZES,
        chunk_offsets=[100, 5000],
        stsc=[(1, 5, 1)],
        sync=[1, 5, 9],
        ctts=[(10, 0)],
        elst=[(400, 0, 0x10000)],
    )
    original = moov_payload(trak)
    rng = random.Random(20261125)
    started = time.monotonic()
    for _ in range(3000):
        mutated = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.choice([0, 0xFF, 0x7F, 0x80, rng.randrange(256)])
        try:
            index = parse_moov(bytes(mutated), file_size=20_000)
        except (MediaError, Mp4Unsupported):
            continue
        assert all(k.offset >= 0 and k.offset + k.size <= 20_000 for k in index.keyframes)
    assert time.monotonic() - started < 20


# --- display matrix ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("matrix", "rotation", "filters"),
    [
        (IDENTITY, 0, []),
        ((0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000), 90, ["transpose=clock"]),  # phone portrait
        ((-0x10000, 0, 0, 0, -0x10000, 0, 0, 0, 0x40000000), 180, ["hflip", "vflip"]),
        ((0, -0x10000, 0, 0x10000, 0, 0, 0, 0, 0x40000000), 270, ["transpose=cclock"]),
        ((0x10000, 0, 0, 0, -0x10000, 0, 0, 0, 0x40000000), 0, ["vflip"]),
    ],
)
def test_display_matrix_gives_ffmpeg_rotation_and_filters(
    matrix: tuple[int, ...], rotation: int, filters: list[str]
) -> None:
    assert display_rotation(matrix) == rotation
    assert display_filters(matrix) == filters


# --- real files -------------------------------------------------------------------------------
def encode(path: Path, *args: str) -> Path:
    run_ffmpeg(["-y", "-loglevel", "error", *args, str(path)], timeout=120)
    return path


def ffmpeg_keyframe_times(path: Path) -> list[float]:
    """What ffmpeg itself calls keyframes: decode only those and read showinfo's pts_time."""
    result = run_ffmpeg(
        ["-skip_frame", "nokey", "-i", str(path), "-vf", "showinfo", "-f", "null", "-"], timeout=60
    )
    return [float(t) for t in re.findall(r"pts_time:\s*(-?[\d.]+)", result.stderr)]


class LocalFile:
    def __init__(self, path: Path) -> None:
        self.data = path.read_bytes()

    @property
    def size(self) -> int:
        return len(self.data)

    def read(self, offset: int, length: int) -> bytes:
        return self.data[offset : offset + length]


LAVFI = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "6"]
X264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p"]


@pytest.mark.media
@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("gop-moov-at-end.mp4", [*LAVFI, *X264, "-preset", "ultrafast", "-g", "25"]),
        ("gop-faststart.mp4", [*LAVFI, *X264, "-preset", "ultrafast", "-g", "40", "-movflags", "+faststart"]),
        ("bframes-edit-list.mp4", [*LAVFI, *X264, "-preset", "veryfast", "-bf", "3", "-g", "30"]),
        (
            "delayed-start.mp4",
            [*LAVFI, *X264, "-preset", "veryfast", "-bf", "2", "-g", "30", "-output_ts_offset", "0.5"],
        ),
        (
            "scenecut.mp4",
            [
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=320x240:rate=30,hue=H=t*3",
                "-t",
                "4",
                *X264,
                "-preset",
                "veryfast",
                "-g",
                "1000",
                "-keyint_min",
                "1",
            ],
        ),
    ],
)
def test_keyframe_times_match_ffmpeg(tmp_path: Path, name: str, options: list[str]) -> None:
    path = encode(tmp_path / name, *options)
    index = read_video_index(LocalFile(path))
    assert [round(k.time, 3) for k in index.keyframes] == [round(t, 3) for t in ffmpeg_keyframe_times(path)]


@pytest.mark.media
def test_hevc_keyframes_and_parameter_sets(tmp_path: Path) -> None:
    path = encode(
        tmp_path / "hevc.mp4",
        *LAVFI,
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-x265-params",
        "log-level=error:keyint=25",
        "-tag:v",
        "hvc1",
    )
    index = read_video_index(LocalFile(path))
    assert index.codec == "hevc"
    assert len(index.parameter_sets) >= 3  # VPS, SPS, PPS
    assert [round(k.time, 3) for k in index.keyframes] == [round(t, 3) for t in ffmpeg_keyframe_times(path)]


@pytest.mark.media
def test_rotation_from_the_display_matrix(tmp_path: Path) -> None:
    plain = encode(tmp_path / "plain.mp4", *LAVFI, *X264, "-preset", "ultrafast")
    rotated = encode(tmp_path / "rotated.mp4", "-display_rotation", "90", "-i", str(plain), "-c", "copy")
    index = read_video_index(LocalFile(rotated))
    assert (index.width, index.height) == (320, 240)
    assert index.rotation == 270  # 90° counter-clockwise = 270° clockwise, as ffmpeg applies it


@pytest.mark.media
def test_fragmented_mp4_is_unsupported(tmp_path: Path) -> None:
    path = encode(
        tmp_path / "frag.mp4", *LAVFI, *X264, "-preset", "ultrafast", "-movflags", "frag_keyframe+empty_moov"
    )
    with pytest.raises(Mp4Unsupported):
        read_video_index(LocalFile(path))
