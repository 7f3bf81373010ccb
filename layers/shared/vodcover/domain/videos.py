"""Rules for people changing videos: who may, when, and what a change does to the record.

Pure functions on records. Callers apply them through ``VideoRepository.update`` so each
runs against the freshest record and concurrent changes never overwrite each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from vodcover.domain.cover_history import set_cover
from vodcover.errors import IllegalStatus, InvalidParameter, NotOwner, VideoNotFound
from vodcover.models import (
    COVER_CHANGE_STATUSES,
    CoverSource,
    SmartStatus,
    SourceObject,
    StoredCover,
    VideoRecord,
    VideoStatus,
)


@dataclass(frozen=True)
class InfoChanges:
    """Title, description and tags a person asked to change (None: leave as is)."""

    title: str | None = None
    description: str | None = None
    tags: list[str] | None = None

    def is_empty(self) -> bool:
        return self.title is None and self.description is None and self.tags is None


def new_upload_record(
    *,
    video_id: str,
    owner: str,
    title: str,
    file_name: str,
    description: str,
    tags: list[str],
    cover_url: str | None,
    now: str,
    status: VideoStatus = VideoStatus.UPLOADING,
    source: SourceObject | None = None,
) -> VideoRecord:
    return VideoRecord(
        video_id=video_id,
        owner=owner,
        title=title,
        description=description,
        tags=tags,
        file_name=file_name,
        status=status,
        created_at=now,
        updated_at=now,
        source=source,
        pending_cover_url=cover_url,
    )


def only_if_new(record: VideoRecord) -> Callable[[VideoRecord | None], VideoRecord | None]:
    """A mutation creating ``record`` unless its (random) id is somehow taken already."""
    return lambda current: record if current is None else None


@dataclass(frozen=True)
class OwnerPartition:
    """Asked-for video ids split by what the caller may do with them, in the order asked."""

    owned: list[str]
    missing: list[str]
    forbidden: list[str]


def partition_by_owner(
    video_ids: Iterable[str], records: Mapping[str, VideoRecord], caller: str
) -> OwnerPartition:
    """Each id once: the caller's videos, ids no video has, and other owners' videos."""
    owned: list[str] = []
    missing: list[str] = []
    forbidden: list[str] = []
    for video_id in dict.fromkeys(video_ids):
        record = records.get(video_id)
        if record is None:
            missing.append(video_id)
        elif record.owner != caller:
            forbidden.append(video_id)
        else:
            owned.append(video_id)
    return OwnerPartition(owned, missing, forbidden)


def require_readable(record: VideoRecord | None, video_id: str, caller: str) -> VideoRecord:
    """A caller sees only its own videos; an unknown id is 404, a foreign one 403."""
    if record is None:
        raise VideoNotFound(f"Video {video_id} does not exist.")
    if record.owner != caller:
        raise NotOwner(f"Video {video_id} belongs to someone else.")
    return record


def require_cover_changeable(record: VideoRecord) -> None:
    if record.status not in COVER_CHANGE_STATUSES:
        raise IllegalStatus(
            f"The cover can be changed only while the video is UploadSucc, Processing or Normal; "
            f"it is {record.status}."
        )


def apply_info(record: VideoRecord, changes: InfoChanges, now: str) -> VideoRecord:
    fields: dict[str, object] = {}
    if changes.title is not None:
        fields["title"] = changes.title
    if changes.description is not None:
        fields["description"] = changes.description
    if changes.tags is not None:
        fields["tags"] = changes.tags
    if not fields:
        return record
    return record.changed(**fields, updated_at=now)


def apply_person_cover(record: VideoRecord, cover: StoredCover, now: str, *, set_by: str) -> VideoRecord:
    """A person chose this image: it is the cover until a person changes it again."""
    require_cover_changeable(record)
    chosen = cover.model_copy(update={"source": CoverSource.USER, "updated_at": now, "set_by": set_by})
    return set_cover(record, chosen).changed(updated_at=now)


def apply_uploader_cover(
    record: VideoRecord | None, cover: StoredCover, cover_url: str, now: str
) -> VideoRecord | None:
    """The coverUrl given at creation, now fetched: applied unless a person changed the cover since."""
    if record is None or record.pending_cover_url != cover_url:
        return None
    if record.cover is not None and record.cover.source == CoverSource.USER:
        return record.changed(pending_cover_url=None, updated_at=now)
    uploader = cover.model_copy(
        update={"source": CoverSource.UPLOAD, "updated_at": now, "set_by": record.owner}
    )
    return set_cover(record, uploader).changed(pending_cover_url=None, updated_at=now)


def drop_pending_cover(record: VideoRecord | None, cover_url: str, now: str) -> VideoRecord | None:
    """The coverUrl given at creation could not be used: forget it so snapshots can choose."""
    if record is None or record.pending_cover_url != cover_url:
        return None
    return record.changed(pending_cover_url=None, updated_at=now)


def snapshot_for_cover(record: VideoRecord, index: int) -> tuple[str, int, int]:
    """The stored image behind ``coverSnapshot``: its key and size."""
    for snapshot in record.snapshots:
        if snapshot.index == index:
            return snapshot.key, snapshot.width, snapshot.height
    raise InvalidParameter(
        "CoverSnapshot", f"The video has no snapshot {index} ({len(record.snapshots)} exist)."
    )


def candidate_for_cover(record: VideoRecord, index: int) -> tuple[str, int, int]:
    smart = record.smart_cover
    if smart is None or smart.status != SmartStatus.DONE:
        raise InvalidParameter("CoverCandidate", "The video has no smart-cover candidates yet.")
    for candidate in smart.candidates:
        if candidate.index == index:
            return candidate.key, candidate.width, candidate.height
    raise InvalidParameter(
        "CoverCandidate", f"The video has no candidate {index} ({len(smart.candidates)} exist)."
    )


def require_time_within(record: VideoRecord, seconds: float) -> None:
    if record.media is None:
        raise IllegalStatus("The video has not been analysed yet; a frame cannot be taken.")
    if not 0 <= seconds < record.media.duration:
        raise InvalidParameter(
            "CoverTime", f"coverTime must be between 0 and {record.media.duration:.3f} seconds."
        )
