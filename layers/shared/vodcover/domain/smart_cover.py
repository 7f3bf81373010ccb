"""Smart-cover status and cover rules, as pure functions on records.

Like :mod:`vodcover.domain.processing`, each function takes the record as stored now and
returns the record to store (or None: nothing to do); the repository applies it with
optimistic concurrency, so it may run again on a fresher record and must depend only on its
inputs. The rules users rely on:

- smart cover runs only on a processed video (``Normal``);
- a request while one is ``Processing`` changes nothing (requests are idempotent);
- results for an object that was replaced meanwhile are dropped;
- the best candidate becomes the cover only when no person has chosen one (docs/design.md, "Cover rules").
"""

from __future__ import annotations

from vodcover.domain.cover_history import set_cover
from vodcover.errors import IllegalStatus, VideoNotFound
from vodcover.models import (
    AnimatedCover,
    CoverSource,
    ErrorInfo,
    SmartCandidate,
    SmartCover,
    SmartStatus,
    SourceObject,
    StoredCover,
    VideoRecord,
    VideoStatus,
)


def start_smart_cover(current: VideoRecord | None, *, now: str) -> VideoRecord | None:
    """``smartCover.status = Processing``; None when an analysis is already running."""
    if current is None:
        raise VideoNotFound("The video does not exist.")
    if current.status != VideoStatus.NORMAL:
        raise IllegalStatus(f"Smart cover needs a processed video; this one is {current.status}.")
    if is_smart_cover_running(current):
        return None
    previous = current.smart_cover
    return current.changed(
        smart_cover=SmartCover(
            status=SmartStatus.PROCESSING,
            candidates=previous.candidates if previous else [],
            animated=previous.animated if previous else None,
        ),
        updated_at=now,
    )


def is_smart_cover_running(record: VideoRecord | None) -> bool:
    return (
        record is not None
        and record.smart_cover is not None
        and (record.smart_cover.status == SmartStatus.PROCESSING)
    )


def complete_smart_cover(
    current: VideoRecord | None,
    *,
    source: SourceObject | None,
    candidates: list[SmartCandidate],
    animated: AnimatedCover | None,
    now: str,
    best_cover: StoredCover | None = None,
) -> VideoRecord | None:
    """``Done`` with the candidates; the best one becomes the cover unless a person chose one.

    ``best_cover`` is the best candidate as a cover (with its renditions), when the job made it.
    """
    if current is None or current.source != source or current.smart_cover is None:
        return None
    cover = current.cover
    if candidates and not current.has_person_cover:
        best = candidates[0]
        if cover is None or cover.key != best.key or cover.source != CoverSource.SMART:
            cover = best_cover or StoredCover(
                key=best.key, source=CoverSource.SMART, width=best.width, height=best.height, updated_at=now
            )
    done = SmartCover(status=SmartStatus.DONE, candidates=candidates, animated=animated)
    if current.smart_cover == done and current.cover == cover:
        return None  # a repeated completion: nothing new to say
    return set_cover(current, cover).changed(smart_cover=done, updated_at=now)


def fail_smart_cover(
    current: VideoRecord | None, *, source: SourceObject | None, error: ErrorInfo, now: str
) -> VideoRecord | None:
    """``Failed`` with the reason; candidates of an earlier success stay (their images still exist)."""
    if current is None or current.source != source or current.smart_cover is None:
        return None
    previous = current.smart_cover
    failed = SmartCover(
        status=SmartStatus.FAILED, candidates=previous.candidates, animated=previous.animated, error=error
    )
    return current.changed(smart_cover=failed, updated_at=now)
