"""Snapshot jobs on demand (``POST /videos/{id}/snapshots``, Alibaba's SubmitSnapshotJob): which
instants and size a request means, and what its result does to the record. Pure functions.

A request names instants one of three ways: ``offsets`` (explicit seconds), ``count`` (spread
evenly, as at upload), ``interval`` (one every so many seconds), or ``count`` and ``interval``
together (``count`` instants that far apart). The result replaces the video's snapshots; a
cover a person chose stays, an automatic one becomes the new default.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from vodcover.domain.cover_history import set_cover
from vodcover.errors import IllegalStatus, InvalidParameter
from vodcover.models import (
    ErrorInfo,
    JobStatus,
    SnapshotJob,
    SourceObject,
    StoredCover,
    StoredSnapshot,
    VideoRecord,
    VideoStatus,
)

MAX_SNAPSHOTS = 32  # the SnapshotCount parameter's bound: what one job may store
MAX_OFFSETS = 30


@dataclass(frozen=True)
class SnapshotPlan:
    times: list[float]
    width: int  # 0 keeps the source width
    exact: bool = False  # explicit offsets are taken where asked; spread instants on keyframes


def plan_snapshot_job(
    record: VideoRecord,
    *,
    count: int | None,
    interval: float | None,
    offsets: Sequence[float] | None,
    width: int | None,
    height: int | None,
    default_count: int,
    default_width: int,
) -> SnapshotPlan:
    """The instants and width a request means for this video, or an ``InvalidParameter.*``."""
    if record.status != VideoStatus.NORMAL or record.media is None or record.source is None:
        raise IllegalStatus("Snapshots can be taken again only once the video is Normal.")
    duration = record.media.duration
    if offsets is not None:
        if count is not None or interval is not None:
            raise InvalidParameter("Offsets", "Give offsets, or count and/or interval, not both.")
        if len(offsets) > MAX_OFFSETS:
            raise InvalidParameter("Offsets", f"At most {MAX_OFFSETS} offsets per job.")
        if any(offset >= duration for offset in offsets):
            raise InvalidParameter("Offsets", f"Every offset must lie within the video ({duration} s).")
        times = sorted({round(float(offset), 3) for offset in offsets})
        return SnapshotPlan(times=times, width=_width(record, width, height, default_width), exact=True)
    if interval is not None:
        times = _interval_times(duration, interval, count)
    else:
        wanted = count if count is not None else default_count
        times = [round(duration * (i + 0.5) / wanted, 3) for i in range(wanted)]
    return SnapshotPlan(times=times, width=_width(record, width, height, default_width))


def _interval_times(duration: float, interval: float, count: int | None) -> list[float]:
    """One instant every ``interval`` s from ``interval / 2``; ``count`` of them when given."""
    available = math.ceil(duration / interval - 0.5) if interval < 2 * duration else 0
    if available < 1:
        raise InvalidParameter("Interval", f"The interval leaves no instant within the video ({duration} s).")
    if count is not None and count > available:
        raise InvalidParameter(
            "Count", f"{count} snapshots {interval} s apart do not fit in the video ({duration} s)."
        )
    wanted = count if count is not None else available
    if wanted > MAX_SNAPSHOTS:
        raise InvalidParameter("Interval", f"The interval gives more than {MAX_SNAPSHOTS} snapshots.")
    return [round(interval * (i + 0.5), 3) for i in range(wanted)]


def _width(record: VideoRecord, width: int | None, height: int | None, default_width: int) -> int:
    """The output width: ``width``, or the width ``height`` implies, or both as a box to fit."""
    media = record.media
    assert media is not None
    if width is None and height is None:
        return default_width
    by_height = round(height * media.width / media.height) if height is not None and media.height else None
    candidates = [w for w in (width, by_height) if w is not None]
    return max(2, min(candidates))


def start_snapshot_job(
    record: VideoRecord | None, *, job_id: str, plan: SnapshotPlan, now: str
) -> VideoRecord | None:
    """Record the request (superseding any earlier one) if the video is still Normal."""
    if record is None or record.status != VideoStatus.NORMAL:
        return None
    job = SnapshotJob(
        job_id=job_id,
        status=JobStatus.PROCESSING,
        times=plan.times,
        width=plan.width,
        exact=plan.exact,
        requested_at=now,
    )
    return record.changed(snapshot_job=job, updated_at=now)


def is_current_job(record: VideoRecord | None, job_id: str, source: SourceObject | None = None) -> bool:
    """Whether ``job_id`` is still the video's running job (of this very object, when given)."""
    return (
        record is not None
        and record.snapshot_job is not None
        and record.snapshot_job.job_id == job_id
        and record.snapshot_job.status == JobStatus.PROCESSING
        and (source is None or record.source == source)
    )


def complete_snapshot_job(
    record: VideoRecord | None,
    *,
    job_id: str,
    source: SourceObject,
    snapshots: list[StoredSnapshot],
    default_cover: StoredCover,
    now: str,
) -> VideoRecord | None:
    """The job's snapshots replace the old ones; an automatic cover becomes the new default."""
    if record is None or not is_current_job(record, job_id, source):
        return None  # superseded, replaced, or deleted meanwhile: the results are dropped
    assert record.snapshot_job is not None
    cover = record.cover if record.has_person_cover else default_cover
    return set_cover(record, cover).changed(
        snapshots=snapshots,
        snapshot_job=record.snapshot_job.model_copy(update={"status": JobStatus.DONE}),
        updated_at=now,
    )


def fail_snapshot_job(
    record: VideoRecord | None, *, job_id: str, error: ErrorInfo, now: str
) -> VideoRecord | None:
    """The job failed; the video keeps its snapshots and stays Normal."""
    if record is None or not is_current_job(record, job_id):
        return None
    assert record.snapshot_job is not None
    job = record.snapshot_job.model_copy(update={"status": JobStatus.FAILED, "error": error})
    return record.changed(snapshot_job=job, updated_at=now)
