"""One model per shape: the stored video record and its parts.

The record is what DynamoDB holds (S3 *keys*, never URLs); the API turns keys into presigned
URLs when it answers. Field names are snake_case in Python and camelCase on the wire and in the
table, as docs/design.md, "HTTP API" shows them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

if TYPE_CHECKING:
    from vodcover.errors import VodcoverError


def utc_now() -> str:
    """Timestamps are ISO-8601 UTC strings with milliseconds: sortable in the byOwner index."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CamelModel(BaseModel):
    # Schemas are built on first use: an API route pays only for the models it touches.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, defer_build=True)


class VideoStatus(StrEnum):
    UPLOADING = "Uploading"
    UPLOAD_SUCC = "UploadSucc"
    UPLOAD_FAIL = "UploadFail"
    PROCESSING = "Processing"
    NORMAL = "Normal"
    PROCESS_FAIL = "ProcessFail"


# A cover may be changed only in these statuses (docs/design.md, "Cover rules").
COVER_CHANGE_STATUSES = frozenset({VideoStatus.UPLOAD_SUCC, VideoStatus.PROCESSING, VideoStatus.NORMAL})


class CoverSource(StrEnum):
    UPLOAD = "upload"  # chosen by the uploader at creation
    USER = "user"  # changed later by a person
    SNAPSHOT = "snapshot"  # chosen automatically from the default snapshots
    SMART = "smart"  # chosen automatically by smart-cover analysis

    @property
    def chosen_by_person(self) -> bool:
        return self in (CoverSource.UPLOAD, CoverSource.USER)


class MediaInfo(CamelModel):
    duration: float
    width: int
    height: int
    rotation: int = 0
    fps: float = 0.0
    size: int = 0
    video_codec: str = ""
    has_audio: bool = False
    # What vodcover did to show phone and browser footage (media/picture.py, duration.py, bars.py).
    has_video: bool = True  # False: audio whose cover art is the cover
    duration_source: str = "container"  # "scanned" / "tail": a cue-less recording was read
    hdr: str | None = None  # "hlg" or "pq": images are tone-mapped to SDR BT.709
    dolby_vision: str | None = None  # e.g. "8.4": its HDR base layer is what is shown
    bit_depth: int = 8
    bars_cropped: bool = False  # letterbox/pillarbox cut from every image


class StoredRendition(CamelModel):
    """One size/format/crop of the cover (vodcover.media.renditions), stored beside it."""

    width: int
    height: int
    format: str  # jpeg, webp, avif
    aspect: str  # original, 1:1, 9:16
    key: str


class CoverPlaceholder(CamelModel):
    blurhash: str
    data_uri: str  # at most 2 KB


class StoredCover(CamelModel):
    key: str
    source: CoverSource
    width: int
    height: int
    updated_at: str
    # Made when the cover is set (docs/design.md, "Embedding"); empty for covers set before.
    renditions: list[StoredRendition] = Field(default_factory=list)
    placeholder: CoverPlaceholder | None = None
    set_by: str | None = None  # the principal who chose it; None: chosen by vodcover (snapshot, smart)

    @property
    def keys(self) -> list[str]:
        return [self.key, *(r.key for r in self.renditions)]


class CoverHistoryEntry(CamelModel):
    """One accepted cover change, kept so a person can go back to it (docs/design.md, "Cover
    history"). Only the image itself is kept: a restore copies it and makes new renditions."""

    key: str
    source: CoverSource
    width: int
    height: int
    set_at: str
    set_by: str | None = None


class StoredSnapshot(CamelModel):
    index: int
    time: float
    key: str
    width: int
    height: int


class SmartCandidate(CamelModel):
    index: int
    time: float
    score: float
    key: str
    width: int = 0
    height: int = 0


class SmartStatus(StrEnum):
    PROCESSING = "Processing"
    DONE = "Done"
    FAILED = "Failed"


class AnimatedCover(CamelModel):
    gif: str
    webp: str


class ErrorInfo(CamelModel):
    code: str
    message: str

    @classmethod
    def of(cls, error: VodcoverError) -> ErrorInfo:
        """What a record keeps of an error: its stable code and its message, never the detail."""
        return cls(code=error.code, message=error.message)


class SmartCover(CamelModel):
    status: SmartStatus
    candidates: list[SmartCandidate] = Field(default_factory=list)
    animated: AnimatedCover | None = None
    error: ErrorInfo | None = None


class JobStatus(StrEnum):
    """A requested job's state (snapshot jobs, storyboards): its own, beside the video's status."""

    PROCESSING = "Processing"
    DONE = "Done"
    FAILED = "Failed"


class SnapshotJob(CamelModel):
    """The last ``POST /videos/{id}/snapshots``: a newer request supersedes a running one."""

    job_id: str
    status: JobStatus
    times: list[float] = Field(default_factory=list)  # the instants asked for, in seconds
    width: int = 0  # the snapshots' width; 0 keeps the source width
    exact: bool = False  # offsets: the frame at each time, not the nearest keyframe
    requested_at: str = ""
    error: ErrorInfo | None = None


class Storyboard(CamelModel):
    """Sprite sheets and the WebVTT file that maps moments to tiles (docs/design.md, "Storyboard")."""

    status: JobStatus
    vtt: str = ""  # key of the WebVTT file
    sheets: list[str] = Field(default_factory=list)  # keys, in the order the VTT names them
    tile_width: int = 0
    tile_height: int = 0
    interval: float = 0.0
    tiles: int = 0
    run: str = ""  # the folder of this storyboard's objects: a tag per storyboard made
    error: ErrorInfo | None = None


class SourceObject(CamelModel):
    """The uploaded object a record was processed from: lets a repeated event be a no-op."""

    key: str
    size: int = 0
    etag: str = ""


class VideoRecord(CamelModel):
    video_id: str
    owner: str | None = None  # None: landed outside the create-upload flow, owned by nobody
    title: str = ""
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    status: VideoStatus
    version: int = 0
    created_at: str
    updated_at: str
    file_name: str = ""
    source: SourceObject | None = None
    media: MediaInfo | None = None
    cover: StoredCover | None = None
    cover_history: list[CoverHistoryEntry] = Field(default_factory=list)  # newest first, the cover too
    snapshots: list[StoredSnapshot] = Field(default_factory=list)
    smart_cover: SmartCover | None = None
    error: ErrorInfo | None = None
    pending_cover_url: str | None = None  # a coverUrl given at creation, applied once the video exists
    snapshot_job: SnapshotJob | None = None
    storyboard: Storyboard | None = None

    @property
    def derived_keys(self) -> set[str]:
        """Every stored image this record names: what must stay, and all a cleanup may remove."""
        named: set[str] = set(self.cover.keys) if self.cover else set()
        named.update(entry.key for entry in self.cover_history)  # an image leaves with its entry
        named.update(s.key for s in self.snapshots)
        if self.smart_cover is not None:
            named.update(c.key for c in self.smart_cover.candidates)
            if self.smart_cover.animated is not None:
                named.update((self.smart_cover.animated.gif, self.smart_cover.animated.webp))
        return named

    @property
    def has_person_cover(self) -> bool:
        return self.cover is not None and self.cover.source.chosen_by_person

    def changed(self, **fields: object) -> VideoRecord:
        """A copy with ``fields`` replaced (records are immutable; the repository bumps version)."""
        return self.model_copy(update=fields)
