"""Ranking: each scene offers its best frame, placed clear of a possible cut; near-duplicates skipped.

Scenes are ranked by their frame's quality and by how much of the video the scene fills
(representativeness). Fewer good scenes than asked for means fewer candidates: junk never pads
the list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from vodcover.media.frame_verdicts import AnalysedFrame, FrameVerdict, Pick
from vodcover.media.picture_measures import histogram_distance, thumb_distance

NEAR_DUPLICATE_DISTANCE = 0.12
NEAR_DUPLICATE_THUMB = 14.0
MIN_QUALITY = 0.04  # below this a frame is too poor to propose, even when it is not junk
MIN_RELATIVE_QUALITY = 0.05  # ... or below 5 % of the video's best scene (night, haze stay in)
CUT_CLEARANCE = 0.5  # s: how far from a possible cut a picture is taken
MIN_CUT_DISTANCE = 0.3  # s: a picture closer than this to a cut or a flash is caught mid-change


def rank(
    frames: Sequence[AnalysedFrame],
    verdicts: list[FrameVerdict],
    scenes: list[list[int]],
    shares: dict[int, float],
    count: int,
) -> list[Pick]:
    offered = (_scene_offer(verdicts, scene_id, shares) for scene_id in range(len(scenes)))
    offers = [offer for offer in offered if offer is not None]
    if not offers:
        return []
    best_quality = max(verdicts[offer.frame_index].quality for offer in offers)
    floor = max(MIN_QUALITY, MIN_RELATIVE_QUALITY * best_quality)
    offers = [offer for offer in offers if verdicts[offer.frame_index].quality >= floor]
    offers.sort(key=lambda offer: offer.score, reverse=True)
    picks: list[Pick] = []
    for offer in offers:
        if len(picks) >= count:
            break
        if any(_near_duplicate(frames[offer.frame_index], frames[pick.frame_index]) for pick in picks):
            continue
        picks.append(offer)
    return picks


def _scene_offer(verdicts: list[FrameVerdict], scene_id: int, shares: dict[int, float]) -> Pick | None:
    members = [i for i, verdict in enumerate(verdicts) if verdict.scene == scene_id]
    if not members:
        return None
    # Where the shot is analysed densely enough, only frames surely clear of its cuts compete:
    # a picture a tenth of a second from a cut or a flash is caught mid-change.
    clear = [i for i in members if sure_clearance(verdicts, i) >= MIN_CUT_DISTANCE]
    best = max(clear or members, key=lambda i: verdicts[i].quality * _inside_bonus(verdicts, i))
    largest = max(shares.values()) or 1.0
    representativeness = 0.55 + 0.45 * math.sqrt(shares.get(scene_id, 0.0) / largest)
    score = verdicts[best].quality * representativeness
    window = _shot_window(verdicts, best)
    return Pick(best, verdicts[best].time, round(score, 4), scene_id, window, away_from_cuts(verdicts, best))


def away_from_cuts(verdicts: list[FrameVerdict], index: int) -> float:
    """A time in the frame's shot at least ``CUT_CLEARANCE`` from where the shot may change.

    Analysed frames are keyframes, often ~2 s apart: when the frame before belongs to another
    shot (or is junk: a flash, a fade), the cut lies somewhere in between, possibly right
    before this frame, and x264 puts keyframes exactly on cuts. Moving into the shot, towards
    a neighbour of the same shot, keeps the picture clear of the change.
    """
    here = verdicts[index]
    last = len(verdicts) - 1
    changed_before = index > 0 and verdicts[index - 1].shot != here.shot
    changed_after = index < last and verdicts[index + 1].shot != here.shot
    gap_after = verdicts[index + 1].time - here.time if index < last else here.span
    gap_before = here.time - verdicts[index - 1].time if index > 0 else 0.0
    if changed_before and not changed_after:
        return round(here.time + min(CUT_CLEARANCE, gap_after / 2), 3)
    if changed_after and not changed_before and index > 0:
        return round(here.time - min(CUT_CLEARANCE, gap_before / 2), 3)
    if changed_before and changed_after:
        return round(here.time + min(CUT_CLEARANCE, gap_after / 3), 3)
    return here.time


def _inside_bonus(verdicts: list[FrameVerdict], index: int) -> float:
    """Frames near a shot boundary are likelier to be caught mid-transition, or next to a cut."""
    clear = min(CUT_CLEARANCE, sure_clearance(verdicts, index))
    return 0.7 + 0.3 * clear / CUT_CLEARANCE


def sure_clearance(verdicts: list[FrameVerdict], index: int) -> float:
    """How far this frame surely is from its shot's cuts, in seconds.

    The cut lies before the shot's first analysed frame (unless the video starts there) and
    after its last (unless the video ends there): at the latest and the earliest, those frames.
    """
    shot = verdicts[index].shot
    members = [
        i for i in range(max(0, index - 64), min(len(verdicts), index + 65)) if verdicts[i].shot == shot
    ]
    first, last = members[0], members[-1]
    clear = math.inf
    if first > 0:
        clear = min(clear, verdicts[index].time - verdicts[first].time)
    if last < len(verdicts) - 1:
        clear = min(clear, verdicts[last].time - verdicts[index].time)
    return clear


def _shot_window(verdicts: list[FrameVerdict], index: int) -> tuple[float, float]:
    shot = verdicts[index].shot
    members = [i for i, verdict in enumerate(verdicts) if verdict.shot == shot]
    start = verdicts[members[0]].time
    end = verdicts[members[-1]].time + verdicts[members[-1]].span
    return (start, end)


def _near_duplicate(first: AnalysedFrame, second: AnalysedFrame) -> bool:
    colour = histogram_distance(first.features.histogram, second.features.histogram)
    layout = thumb_distance(first.features.thumb, second.features.thumb)
    return colour < NEAR_DUPLICATE_DISTANCE or layout < NEAR_DUPLICATE_THUMB
