"""Frames into the bucket and ``SnapshotComplete`` off the record: shared by the job that
processes an upload (``screenshot.py``), snapshot jobs on demand (``snapshot_jobs.py``) and the
smart-cover job's candidates (``smart_cover.py``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from vodcover import observability
from vodcover.dal.objects import MediaStore
from vodcover.domain import keys
from vodcover.jobs.captured import CapturedPicture, CapturedSnapshots
from vodcover.models import CoverSource, StoredCover, StoredSnapshot, VideoRecord
from vodcover.usecases.cover_derivatives import NO_DERIVATIVES, CoverDerivatives, Derivatives


def store_frames(
    store: MediaStore, frames: Sequence[CapturedPicture], key_of: Callable[[int, bytes], str]
) -> list[str]:
    """Each frame's JPEG at ``key_of(index, jpeg)``, a content-addressed key: the same bytes the
    same key, so retries never duplicate, and new bytes a new key, so a cached frame is never stale."""
    stored = []
    for index, frame in enumerate(frames):
        key = key_of(index, frame.jpeg)
        store.put_derived(key, frame.jpeg, "image/jpeg")
        stored.append(key)
    return stored


def store_snapshots(
    store: MediaStore, video_id: str, snapshots: Sequence[CapturedPicture]
) -> list[StoredSnapshot]:
    """Write ``snapshots/{id}/{n}-{digest}.jpg`` (:func:`store_frames`)."""
    written = store_frames(store, snapshots, lambda index, jpeg: keys.snapshot_key(video_id, index, jpeg))
    stored = [
        StoredSnapshot(index=index, time=round(s.time, 3), key=key, width=s.width, height=s.height)
        for index, (s, key) in enumerate(zip(snapshots, written, strict=True))
    ]
    observability.count_snapshots(len(stored))
    return stored


def delete_leftover_snapshots(store: MediaStore, record: VideoRecord) -> None:
    """Earlier runs left snapshots the record no longer names (a cover history entry still may)."""
    wanted = record.derived_keys
    leftovers = [k for k in store.list_keys(keys.snapshot_prefix(record.video_id)) if k not in wanted]
    if leftovers:
        store.delete(leftovers)


def snapshot_complete_detail(record: VideoRecord, *, job_id: str | None = None) -> dict[str, Any]:
    """``SnapshotComplete``'s detail, read off the record as stored (docs/design.md, "Events")."""
    cover = record.cover
    detail: dict[str, Any] = {
        "videoId": record.video_id,
        "snapshotCount": len(record.snapshots),
        "coverIndex": next((s.index for s in record.snapshots if cover and s.key == cover.key), None),
        "coverSource": str(cover.source) if cover else None,
    }
    if job_id is not None:
        detail["jobId"] = job_id
    return detail


@dataclass(frozen=True)
class StoredCapture:
    """A capture in the bucket: its snapshots, the default cover they give, its renditions."""

    snapshots: list[StoredSnapshot]
    default_cover: StoredCover
    derived: Derivatives

    @property
    def keys(self) -> list[str]:
        """Everything this capture wrote to the bucket."""
        return [s.key for s in self.snapshots] + self.derived.keys

    def tidy_after(self, derivatives: CoverDerivatives, video_id: str, record: VideoRecord) -> None:
        """The renditions made for our default cover go once a person's cover won meanwhile."""
        derivatives.keep_named(video_id, self.keys, record)


def store_capture(
    store: MediaStore,
    derivatives: CoverDerivatives,
    video_id: str,
    result: CapturedSnapshots,
    *,
    person_cover: bool,
    now: str,
) -> StoredCapture:
    """Snapshots stored, the chosen one as the default cover; renditions only for a cover that
    will be used (a person's choice stays the cover)."""
    stored = store_snapshots(store, video_id, result.snapshots)
    chosen = stored[result.cover_index]
    derived = (
        NO_DERIVATIVES
        if person_cover
        else derivatives.derive(video_id, chosen.key, result.snapshots[result.cover_index].jpeg)
    )
    cover = derived.cover(chosen.key, chosen.width, chosen.height, CoverSource.SNAPSHOT, now)
    return StoredCapture(stored, cover, derived)
