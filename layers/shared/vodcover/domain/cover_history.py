"""Cover history: every cover a video had, the last 20, so a person can go back to one.

Pure rules on records (docs/design.md, "Cover history"). Every writer that sets a cover (a
person through the API, the uploader's ``coverUrl``, the default snapshot, the best smart
candidate, a snapshot job on demand) does it with :func:`set_cover`, so the history and the
cover change in the same conditional write. The history names its images, so cleanup
(``VideoRecord.derived_keys``) keeps them until they leave the window.
"""

from __future__ import annotations

from typing import Any

from vodcover.errors import InvalidParameter
from vodcover.models import CamelModel, CoverHistoryEntry, StoredCover, VideoRecord

HISTORY_LIMIT = 20


def entry_of(cover: StoredCover) -> CoverHistoryEntry:
    return CoverHistoryEntry(
        key=cover.key,
        source=cover.source,
        width=cover.width,
        height=cover.height,
        set_at=cover.updated_at,
        set_by=cover.set_by,
    )


def history_of(record: VideoRecord) -> list[CoverHistoryEntry]:
    """Newest first, the current cover at index 0 whenever there is one.

    A record written before history existed (or by a writer that bypassed :func:`set_cover`)
    still lists its current cover: it is what a person would go back to.
    """
    history = list(record.cover_history)
    cover = record.cover
    if cover is not None and (not history or history[0].key != cover.key):
        history.insert(0, entry_of(cover))
    return history[:HISTORY_LIMIT]


def set_cover(record: VideoRecord, cover: StoredCover | None) -> VideoRecord:
    """``cover`` becomes the cover; a new image becomes the newest history entry.

    Setting the cover the record has already (a repeated job, a person's cover kept by a job)
    adds nothing, so retries and repeated events never fill the history.
    """
    if cover is None or (record.cover is not None and record.cover.key == cover.key):
        return record.changed(cover=cover)
    history = [entry_of(cover), *history_of(record)][:HISTORY_LIMIT]
    return record.changed(cover=cover, cover_history=history)


def current_index(record: VideoRecord) -> int | None:
    """Where the current cover is in :func:`history_of`: 0, or None without a cover."""
    return None if record.cover is None else 0


def entry_to_restore(record: VideoRecord, index: int) -> CoverHistoryEntry:
    """The entry ``coverHistory: index`` names; an index outside the history, or the current
    cover itself, is ``InvalidParameter.CoverHistory``."""
    history = history_of(record)
    if not 0 <= index < len(history):
        raise InvalidParameter(
            "CoverHistory", f"The video has no cover history entry {index} ({len(history)} exist)."
        )
    if index == current_index(record):
        raise InvalidParameter("CoverHistory", f"Entry {index} is the current cover already.")
    return history[index]


class CoverChanged(CamelModel):
    """``CoverChanged``'s detail (docs/design.md, "Events"): the new cover and the one it replaced."""

    video_id: str
    source: str
    key: str
    width: int
    height: int
    set_at: str
    set_by: str | None
    previous: CoverHistoryEntry | None


def cover_changed_detail(record: VideoRecord) -> dict[str, Any]:
    """Read off the record as stored, so a repeated announcement says the same thing."""
    history = history_of(record)
    current = history[0]
    return CoverChanged(
        video_id=record.video_id,
        source=str(current.source),
        key=current.key,
        width=current.width,
        height=current.height,
        set_at=current.set_at,
        set_by=current.set_by,
        previous=history[1] if len(history) > 1 else None,
    ).model_dump(mode="json", by_alias=True)
