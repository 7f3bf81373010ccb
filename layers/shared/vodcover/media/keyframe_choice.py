"""Which keyframes to decode: nearest the snapshot times, or thinned for the smart-cover analysis.

Pure functions on the mp4 index's :class:`~vodcover.media.mp4index.Keyframe` list: no I/O.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from vodcover.media.mp4samples import Keyframe

THINNING_TOLERANCE = 0.05  # s: a keyframe this much short of ``step`` still counts as far enough
DISTINCT_SECONDS = 0.3  # a keyframe this close to an analysed moment adds nothing new


def choose_keyframes(keyframes: Sequence[Keyframe], times: Sequence[float]) -> list[Keyframe]:
    """The keyframe nearest each time, but distinct keyframes for distinct times where possible.

    8 snapshots of a short video should be 8 different pictures, not one picture 8 times. Among
    assignments that keep times and keyframes in the same order and give every distinct time
    its own keyframe, this picks the one with the least total distance (a small dynamic
    programme). With more distinct times than keyframes, each time simply gets its nearest.
    """
    if not keyframes:
        raise ValueError("no keyframes")
    moments = [k.time for k in keyframes]
    distinct = sorted(set(times))
    if len(distinct) > len(moments):
        picks = [_nearest(moments, t) for t in distinct]
    else:
        picks = _assign_in_order(moments, distinct)
    by_time = dict(zip(distinct, picks, strict=True))
    return [keyframes[by_time[t]] for t in times]


def _nearest(moments: list[float], target: float) -> int:
    right = bisect_left(moments, target)
    candidates = [i for i in (right - 1, right) if 0 <= i < len(moments)]
    return min(candidates, key=lambda i: abs(moments[i] - target))


def _assign_in_order(moments: list[float], targets: list[float]) -> list[int]:
    """Strictly increasing keyframe indices for sorted targets, least total distance.

    An optimal pick for a target lies within ``len(targets)`` places of its nearest keyframe
    (only the other targets can push it), so each target considers at most 2T+1 candidates
    and the work stays tiny however many keyframes the video has.
    """
    spread = len(targets)
    options = []
    for target in targets:
        centre = _nearest(moments, target)
        options.append(range(max(0, centre - spread), min(len(moments), centre + spread + 1)))
    # best[i][j]: least cost for targets[:i+1] with target i on options[i][j]; back[i][j]: predecessor
    best: list[list[float]] = []
    back: list[list[int]] = []
    for i, (target, choices) in enumerate(zip(targets, options, strict=True)):
        row, links = [], []
        for index in choices:
            cost, link = abs(moments[index] - target), -1
            if i:
                previous = [(best[i - 1][j], j) for j, p in enumerate(options[i - 1]) if p < index]
                prior, link = min(previous, default=(float("inf"), -1))
                cost += prior
            row.append(cost)
            links.append(link)
        best.append(row)
        back.append(links)
    j = min(range(len(best[-1])), key=best[-1].__getitem__)
    picks = []
    for i in range(len(targets) - 1, -1, -1):
        picks.append(options[i][j])
        j = back[i][j]
    return picks[::-1]


def thin_keyframes(keyframes: Sequence[Keyframe], *, step: float, max_frames: int) -> list[Keyframe]:
    """Keyframes at least ``step`` seconds apart, at most ``max_frames``, spread over the video.

    The rule of the selector's ffmpeg pass (:func:`vodcover.media.frame_sampling.keyframe_pass_args`):
    walking in time order, keep the first keyframe and every one at least
    ``step - THINNING_TOLERANCE`` after the last kept one. ``max_frames`` then bounds the
    result (evenly) whatever the keyframe layout, as a guard on bytes fetched and memory.
    """
    kept: list[Keyframe] = []
    for keyframe in sorted(keyframes, key=lambda k: k.time):
        if not kept or keyframe.time - kept[-1].time >= step - THINNING_TOLERANCE:
            kept.append(keyframe)
    if len(kept) > max_frames > 0:
        stride = len(kept) / max_frames
        kept = [kept[int(i * stride)] for i in range(max_frames)]
    return kept


def keyframes_near(
    keyframes: Sequence[Keyframe], times: Sequence[float], *, tolerance: float, exclude: Sequence[float]
) -> dict[float, Keyframe]:
    """For each time, the nearest keyframe within ``tolerance`` that shows something new.

    A keyframe within ``DISTINCT_SECONDS`` of an ``exclude``d moment (already analysed) does
    not count. Times without such a keyframe are left out; two times may share one keyframe.
    """
    moments = [k.time for k in keyframes]
    known = sorted(exclude)
    found: dict[float, Keyframe] = {}
    for target in times:
        right = bisect_left(moments, target)
        nearby = [
            keyframes[i]
            for i in range(max(0, right - 2), min(len(moments), right + 2))
            if abs(moments[i] - target) <= tolerance and not near_any(moments[i], known, DISTINCT_SECONDS)
        ]
        if nearby:
            found[target] = min(nearby, key=lambda k: abs(k.time - target))
    return found


def near_any(value: float, sorted_values: Sequence[float], tolerance: float) -> bool:
    """Whether ``value`` lies within ``tolerance`` of one of ``sorted_values`` (sorted ascending)."""
    position = bisect_left(sorted_values, value)
    return any(
        abs(sorted_values[i] - value) <= tolerance
        for i in (position - 1, position)
        if 0 <= i < len(sorted_values)
    )
