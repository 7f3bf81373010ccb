"""Where things live in the media bucket (docs/design.md, "Storage layout"), in one place."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

UPLOADS_PREFIX = "uploads/"
VIDEO_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

# Objects that land outside the create-upload flow get an id derived from their key, so a
# repeated event and a later `register` call agree on it.
_ORPHAN_NAMESPACE = uuid.UUID("0b7c1f0e-4a1e-5d4c-9a55-7f0c0de5c0de")


@dataclass(frozen=True)
class UploadKey:
    key: str
    claimed_video_id: str | None  # the {videoId} folder, when the key has one
    file_name: str


def is_upload_key(key: str) -> bool:
    return key.startswith(UPLOADS_PREFIX) and len(key) > len(UPLOADS_PREFIX) and not key.endswith("/")


def parse_upload_key(key: str) -> UploadKey:
    """``uploads/{videoId}/{fileName}`` names its video; any other upload key names none."""
    rest = key[len(UPLOADS_PREFIX) :]
    folder, _, name = rest.partition("/")
    if name and VIDEO_ID_PATTERN.match(folder):
        return UploadKey(key, folder, name.rsplit("/", 1)[-1])
    return UploadKey(key, None, rest.rsplit("/", 1)[-1])


# Everything vodcover makes from a video: the only prefixes the CDN and ``<api>/media/`` serve.
DERIVED_PREFIXES = ("snapshots/", "covers/", "smart/", "animated/", "embed/", "storyboard/")
# Prefixes whose second part is the video an object belongs to.
VIDEO_PREFIXES = (UPLOADS_PREFIX, *DERIVED_PREFIXES)


def is_derived_key(key: str) -> bool:
    """A key vodcover wrote from a video (never ``uploads/`` or a registered video)."""
    return key.startswith(DERIVED_PREFIXES) and is_plain_key(key)


def content_digest(data: bytes) -> str:
    """The first 32 hex characters of SHA-256: the part of a key that changes with the bytes."""
    return hashlib.sha256(data).hexdigest()[:32]


def video_prefixes(video_id: str, folders: tuple[str, ...] = VIDEO_PREFIXES) -> list[str]:
    """The video's own folder under each of ``folders`` (all of them: what deleting it erases)."""
    return [f"{prefix}{video_id}/" for prefix in folders]


def video_id_of_key(key: str) -> str | None:
    """``snapshots/{videoId}/0.jpg`` → the video id; None for keys outside the video folders."""
    for prefix in VIDEO_PREFIXES:
        if key.startswith(prefix):
            folder, slash, _rest = key[len(prefix) :].partition("/")
            return folder if slash and VIDEO_ID_PATTERN.match(folder) else None
    return None


def is_plain_key(key: str) -> bool:
    """No empty, ``.`` or ``..`` segments and no encoded slashes or dots: a key names one object
    however a URL, a CDN or a client normalises paths."""
    lowered = key.lower()
    if not key or "%2f" in lowered or "%2e" in lowered or "%5c" in lowered or "\\" in key:
        return False
    return all(segment not in {"", ".", ".."} for segment in key.split("/"))


def orphan_video_id(key: str) -> str:
    return uuid.uuid5(_ORPHAN_NAMESPACE, key).hex


def new_video_id() -> str:
    return uuid.uuid4().hex


def upload_key(video_id: str, file_name: str) -> str:
    return f"{UPLOADS_PREFIX}{video_id}/{file_name}"


def snapshot_key(video_id: str, index: int, data: bytes) -> str:
    """``snapshots/{videoId}/{n}-{digest}.jpg``: new bytes, new key, so a CDN never serves a stale
    frame; the index keeps two identical frames (a black intro) two objects, as the record has."""
    return f"snapshots/{video_id}/{index}-{content_digest(data)}.jpg"


def snapshot_prefix(video_id: str) -> str:
    return f"snapshots/{video_id}/"


def cover_key(video_id: str, digest: str, extension: str) -> str:
    return f"covers/{video_id}/{digest}.{extension}"


def rendition_key(video_id: str, cover: str, data: bytes, extension: str) -> str:
    """``covers/{videoId}/{coverName}-{digest}.{ext}``: named after the cover it was made from.

    The cover's own name (unique per person's write) keeps renditions of two writes of the same
    image apart, so deleting one write's renditions never removes another's; the digest changes
    with the bytes. Under ``covers/``, so that prefix's write scopes, lifecycle and CDN grant
    apply, even when the cover itself is a snapshot.
    """
    stem = cover.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"covers/{video_id}/{stem}-{content_digest(data)[:16]}.{extension}"


def smart_key(video_id: str, index: int, data: bytes) -> str:
    return f"smart/{video_id}/{index}-{content_digest(data)}.jpg"


def animated_key(video_id: str, data: bytes, extension: str) -> str:
    return f"animated/{video_id}/{content_digest(data)}.{extension}"


def embed_key(video_id: str) -> str:
    """``embed/{videoId}``: the one derived key that is not content-addressed.

    A copy of the current cover, rewritten on every cover change and cached briefly
    (``EMBED_CACHE_SECONDS``): what ``cover.embedUrl`` names (docs/design.md, "Embedding").
    """
    return f"embed/{video_id}"


IMAGES_PREFIX = "images/"


def image_folder(owner: str) -> str:
    """``images/<owner digest>/``: uploaded images are their owner's by where they lie, so a
    cover URL naming one needs no record to be judged (``usecases.cover_urls``)."""
    return f"{IMAGES_PREFIX}{hashlib.sha256(owner.encode()).hexdigest()[:32]}/"


def image_key(owner: str, image_id: str, extension: str) -> str:
    return f"{image_folder(owner)}{image_id}.{extension}"


def storyboard_prefix(video_id: str) -> str:
    return f"storyboard/{video_id}/"


def storyboard_sheet_key(video_id: str, run: str, index: int) -> str:
    """``run`` (a short random tag per storyboard made) keeps a player that loaded the last VTT
    from mixing its cues with the sheets of a newer one."""
    return f"storyboard/{video_id}/{run}/{index}.jpg"


def storyboard_vtt_key(video_id: str, run: str) -> str:
    return f"storyboard/{video_id}/{run}/storyboard.vtt"
