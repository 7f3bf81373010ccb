"""Smart-cover candidates at full quality: the picked moments decoded again, as JPEG.

A pick next to a possible cut is taken at its safe time by seeking (up to 1080p), and kept
only when the picture is still good and of the same shot; picks on keyframes the mp4 index
located are fetched again and decoded in one ffmpeg run; the rest by input seeking (a video
cheap to decode never comes here: :mod:`vodcover.media.single_pass`). JPEG by Pillow, in the
display orientation, within the cover limits the calling job passes (docs/design.md, "Cover
rules").
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image

from vodcover.errors import MediaCorrupt
from vodcover.media.cover_image import CoverLimits
from vodcover.media.frame_features import FrameFeatures, hard_junk, measure
from vodcover.media.frame_sampling import (
    Sampled,
    seek_frame,
)
from vodcover.media.jpeg import encode_jpeg
from vodcover.media.keyframes import KeyframeIndex
from vodcover.media.picture_measures import histogram_distance
from vodcover.media.probe import MediaProbe
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
) -> list[Candidate]:
    """The picked moments at full quality, in pick order (best first).

    A pick next to a possible cut is taken at its ``safe_time`` by seeking (decoding from the
    keyframe, at most ``CUT_CLEARANCE`` of video), and kept only when the picture is still
    good and of the same shot. Other picks on keyframes the index located are fetched again (a
    few hundred KB each) and decoded in one ffmpeg run: a 4K seek cost over a second each. The
    rest are sought into.
    """
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


def _same_good_shot(image: Image.Image, analysed: FrameFeatures) -> bool:
    """The refined picture is not junk and shows what the analysed keyframe showed."""
    small = image.resize(_analysis_shape(image.size), Image.Resampling.BOX)
    features = measure(small)
    if hard_junk(features) is not None:
        return False
    return histogram_distance(features.histogram, analysed.histogram) <= REFINE_MAX_DISTANCE


def _analysis_shape(size: tuple[int, int]) -> tuple[int, int]:
    return fit_size(size[0], size[1], ANALYSIS_LONG_SIDE, ANALYSIS_LONG_SIDE)
