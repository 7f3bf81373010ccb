"""Smart-cover candidates at full quality: the picked moments decoded again, as JPEG.

A pick next to a possible cut is taken at its safe time by seeking (up to 1080p), and kept
only when the picture is still good and of the same shot; picks on keyframes the mp4 index
located are fetched again and decoded in one ffmpeg run; the rest by input seeking. A cheap
video's picks come from one decoding pass. JPEG by Pillow, in the display orientation, within
the cover limits the calling job passes (docs/design.md, "Cover rules").
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image

from vodcover.deadline import time_left
from vodcover.errors import MediaCorrupt
from vodcover.media.cover_image import CoverLimits
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.frame_features import FrameFeatures, hard_junk, histogram_distance, measure
from vodcover.media.frame_sampling import (
    Sampled,
    parse_showinfo_times,
    rgb_frames,
    seek_frame,
    split_raw_frames,
)
from vodcover.media.jpeg import encode_jpeg
from vodcover.media.keyframes import KeyframeIndex
from vodcover.media.probe import MediaProbe, source_input_args
from vodcover.media.scene_selection import Pick
from vodcover.media.smart_analysis import ANALYSIS_LONG_SIDE, fit_size

EXTRACT_WORKERS = 2
# A seek into a 4K video took 1.8 s on the shared machine: beyond 1080p candidates stay on
# their keyframes (decoded from the index in one run) even next to a possible cut.
MAX_REFINE_PIXELS = 1920 * 1080
REFINE_MAX_DISTANCE = 0.22  # histogram distance: the refined picture is still the analysed shot


@dataclass(frozen=True)
class Candidate:
    """A proposed cover: when it is, how good, and the JPEG at full quality."""

    time: float
    score: float
    jpeg: bytes
    width: int
    height: int


def candidate_size(media: MediaProbe, width: int, limits: CoverLimits) -> tuple[int, int]:
    """The displayed size within the cover ``limits`` (and ``width``, when given)."""
    shown_width, shown_height = media.picture_size
    long_side, short_side = limits.max_long_side, limits.max_short_side
    box = (long_side, short_side) if shown_width >= shown_height else (short_side, long_side)
    max_width = min(box[0], width) if width > 0 else box[0]
    return fit_size(shown_width, shown_height, max_width, box[1])


def extract_candidates(
    source: str,
    media: MediaProbe,
    index: KeyframeIndex | None,
    sampled: Sequence[Sampled],
    picks: Sequence[Pick],
    size: tuple[int, int],
    quality: int,
    deadline: float,
    *,
    refine: bool = True,
    dense: bool = False,
) -> list[Candidate]:
    """The picked moments at full quality, in pick order (best first).

    A pick next to a possible cut is taken at its ``safe_time`` by seeking (decoding from the
    keyframe, at most ``CUT_CLEARANCE`` of video), and kept only when the picture is still
    good and of the same shot. Other picks on keyframes the index located are fetched again (a
    few hundred KB each) and decoded in one ffmpeg run: a 4K seek cost over a second each. The
    rest are sought into.
    """
    if dense:
        return _extract_by_decoding(source, media, sampled, picks, size, quality, deadline=deadline)
    chosen: dict[int, tuple[float, Image.Image]] = {}
    moved = [
        (n, p)
        for n, p in enumerate(picks)
        if refine and p.safe_time >= 0 and abs(p.safe_time - p.time) > 0.01
    ]

    def refined(numbered: tuple[int, Pick]) -> tuple[int, tuple[float, Image.Image] | None]:
        n, pick = numbered
        image = seek_frame(source, pick.safe_time, size, keyframe=False, deadline=deadline, media=media)
        if image is None or not _same_good_shot(image, sampled[pick.frame_index].frame.features):
            return n, None
        return n, (pick.safe_time, image)

    with ThreadPoolExecutor(max_workers=EXTRACT_WORKERS) as pool:
        for n, found in pool.map(refined, moved):
            if found is not None:
                chosen[n] = found
    wanted = [
        (n, keyframe)
        for n, p in enumerate(picks)
        if n not in chosen and (keyframe := sampled[p.frame_index].source) is not None
    ]
    if index is not None and wanted:
        decoded = index.decode_small([k for _, k in wanted], size, full_quality=True)
        if decoded is not None:
            chosen |= {n: (picks[n].time, image) for (n, _), (_, image) in zip(wanted, decoded, strict=True)}

    def extract(numbered: tuple[int, Pick]) -> Candidate:
        n, pick = numbered
        at, image = chosen.get(n, (pick.time, None))
        if image is None:
            keyframe = sampled[pick.frame_index].keyframe
            image = seek_frame(source, pick.time, size, keyframe=keyframe, deadline=deadline, media=media)
            if image is None:
                raise MediaCorrupt("A chosen frame could not be decoded.", detail=f"t={pick.time}")
        return Candidate(at, pick.score, encode_jpeg(image, quality), size[0], size[1])

    with ThreadPoolExecutor(max_workers=EXTRACT_WORKERS) as pool:
        return list(pool.map(extract, enumerate(picks)))


def _extract_by_decoding(
    source: str,
    media: MediaProbe,
    sampled: Sequence[Sampled],
    picks: Sequence[Pick],
    size: tuple[int, int],
    quality: int,
    *,
    deadline: float,
) -> list[Candidate]:
    """Every pick of a cheap video, at its safe time and at its own, from one decoding pass.

    A short clip paid an ffmpeg start and a seek per candidate: one pass over a few seconds of
    video costs less than two of them.
    """
    wanted = sorted({t for p in picks for t in (p.time, p.safe_time) if t >= 0})
    if not picks:
        return []
    half_frame = 0.5 / media.fps if media.fps > 0 else 0.02
    condition = "+".join(f"between(t,{t - half_frame:.4f},{t + half_frame:.4f})" for t in wanted)
    select = f"select='{condition}'".replace(",", r"\,")  # filtergraph escaping
    width, height = size
    args = [
        "-t", f"{wanted[-1] + 4 * half_frame:.3f}",  # nothing after the last pick is decoded
        *source_input_args(source),
        "-map", "0:v:0", "-an", "-sn", "-dn", "-fps_mode", "passthrough",
        *rgb_frames(
            f"scale={width}:{height}:flags=lanczos,setsar=1", media, before=[select], after=["showinfo"]
        ),
    ]  # fmt: skip
    result = run_ffmpeg(args, timeout=time_left(deadline))
    decoded = list(
        zip(parse_showinfo_times(result.stderr), split_raw_frames(result.stdout, size), strict=False)
    )

    def nearest(at: float) -> Image.Image | None:
        close = [(abs(t - at), image) for t, image in decoded if abs(t - at) <= 2 * half_frame]
        return min(close, key=lambda pair: pair[0])[1] if close else None

    candidates = []
    for pick in picks:
        at, image = pick.safe_time, nearest(pick.safe_time) if pick.safe_time >= 0 else None
        if image is None or not _same_good_shot(image, sampled[pick.frame_index].frame.features):
            at, image = pick.time, nearest(pick.time)
        if image is None:
            raise MediaCorrupt("A chosen frame could not be decoded.", detail=f"t={pick.time}")
        candidates.append(Candidate(at, pick.score, encode_jpeg(image, quality), width, height))
    return candidates


def _same_good_shot(image: Image.Image, analysed: FrameFeatures) -> bool:
    """The refined picture is not junk and shows what the analysed keyframe showed."""
    small = image.resize(_analysis_shape(image.size), Image.Resampling.BOX)
    features = measure(small)
    if hard_junk(features) is not None:
        return False
    return histogram_distance(features.histogram, analysed.histogram) <= REFINE_MAX_DISTANCE


def _analysis_shape(size: tuple[int, int]) -> tuple[int, int]:
    return fit_size(size[0], size[1], ANALYSIS_LONG_SIDE, ANALYSIS_LONG_SIDE)
