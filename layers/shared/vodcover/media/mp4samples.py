"""From an mp4 track's sample tables to its keyframes: when each is shown, where its bytes lie.

Pure functions on the ``stbl`` boxes (stts, ctts, stss, stsz/stz2, stco/co64, stsc) and the
edit list; every count is bounded (``MAX_SAMPLES``) and every offset checked against the file.
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate, pairwise

from vodcover.errors import MediaCorrupt
from vodcover.media.mp4boxes import (
    BoxHeader,
    Mp4Unsupported,
    be_array,
    counted_table,
    find_child,
    find_path,
    full_box,
    iter_boxes,
    need,
)

MAX_SAMPLES = 4_000_000  # ~18 h at 60 fps; bounds the arrays built from the sample tables


@dataclass(frozen=True)
class Keyframe:
    """One sync sample: when it is shown and where its bytes are."""

    time: float  # seconds on the presentation timeline (edit list applied)
    offset: int
    size: int
    sample_number: int  # 1-based, as in the mp4 tables


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
    need(body, 8, "stsz")
    uniform, count = struct.unpack_from(">II", body)
    _check_sample_count(count)
    if uniform:
        return array("I", [uniform]) * count
    return be_array("I", body[8:], count, "stsz")


def _check_sample_count(count: int) -> None:
    if count > MAX_SAMPLES:
        raise MediaCorrupt("The video index is corrupt.", detail=f"{count} samples")


def parse_stz2(body: bytes) -> array:
    need(body, 8, "stz2")
    field_size = body[3]
    (count,) = struct.unpack_from(">I", body, 4)
    _check_sample_count(count)
    raw = body[8:]
    if field_size == 16:
        return array("I", be_array("H", raw, count, "stz2"))
    if field_size == 8:
        need(raw, count, "stz2")
        return array("I", raw[:count])
    if field_size == 4:
        need(raw, (count + 1) // 2, "stz2")
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
        composition = counted_table(full_box(buf, ctts), "i" if version == 1 else "I", 2, "ctts")
        if version == 0:  # unsigned in version 0, but muxers write negative offsets there too
            composition = array("i", composition.tobytes())
    return SampleTables(
        time_to_sample=counted_table(full_box(buf, stts), "I", 2, "stts"),
        composition_offsets=composition,
        sync_samples=None if stss is None else counted_table(full_box(buf, stss), "I", 1, "stss"),
        sample_sizes=parse_stsz(sizes_body) if sizes_box.type == b"stsz" else parse_stz2(sizes_body),
        chunk_offsets=counted_table(
            full_box(buf, offsets_box),
            "Q" if offsets_box.type == b"co64" else "I",
            1,
            offsets_box.type.decode(),
        ),
        sample_to_chunk=counted_table(full_box(buf, stsc), "I", 3, "stsc"),
    )


@dataclass(frozen=True)
class EditShift:
    """The edit list reduced to what the fast path supports: one shift of the timeline."""

    media_time: int  # media timescale: where presentation starts in the track
    delay: float  # seconds from the file's start (ffmpeg's zero) to the track's first frame


def edit_entries(version: int, body: bytes) -> list[tuple[int, int, int]]:
    """``elst`` rows as (segment duration in movie ticks, media time, rate in 16.16)."""
    need(body, 4, "elst")
    (count,) = struct.unpack_from(">I", body)
    entry_size = 20 if version == 1 else 12
    need(body, 4 + count * entry_size, "elst")
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
