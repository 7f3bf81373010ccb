"""Snapshots into the bucket and ``SnapshotComplete`` off the record: shared by the job that
processes an upload (``screenshot.py``) and snapshot jobs on demand (``snapshot_jobs.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vodcover import observability
from vodcover.dal.objects import MediaStore
from vodcover.domain import keys
from vodcover.jobs.captured import CapturedPicture
from vodcover.models import StoredSnapshot, VideoRecord


def store_snapshots(
    store: MediaStore, video_id: str, snapshots: Sequence[CapturedPicture]
) -> list[StoredSnapshot]:
    """Write ``snapshots/{id}/{n}-{digest}.jpg``: the same bytes the same key, so retries never
    duplicate, and new bytes a new key, so a cached frame is never stale."""
    stored = []
    for index, snapshot in enumerate(snapshots):
        key = keys.snapshot_key(video_id, index, snapshot.jpeg)
        store.put_derived(key, snapshot.jpeg, "image/jpeg")
        stored.append(
            StoredSnapshot(
                index=index,
                time=round(snapshot.time, 3),
                key=key,
                width=snapshot.width,
                height=snapshot.height,
            )
        )
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
