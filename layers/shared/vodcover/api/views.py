"""What answers look like (docs/design.md, "HTTP API"): stored keys become readable URLs here, and
only here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vodcover.models import VideoRecord

UrlFor = Callable[[str], str]


def video_view(record: VideoRecord, url_for: UrlFor) -> dict[str, Any]:
    media = record.media
    view: dict[str, Any] = {
        "videoId": record.video_id,
        "title": record.title,
        "description": record.description,
        "tags": list(record.tags),
        "status": str(record.status),
        "owner": record.owner,
        "version": record.version,
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "media": None
        if media is None
        else {
            "duration": media.duration,
            "width": media.width,
            "height": media.height,
            "rotation": media.rotation,
            "fps": media.fps,
            "size": media.size,
        },
        "cover": None
        if record.cover is None
        else {
            "url": url_for(record.cover.key),
            "source": str(record.cover.source),
            "width": record.cover.width,
            "height": record.cover.height,
            "updatedAt": record.cover.updated_at,
        },
        "snapshots": [
            {"index": s.index, "time": s.time, "url": url_for(s.key), "width": s.width, "height": s.height}
            for s in record.snapshots
        ],
        "smartCover": None,
        # Beyond docs/design.md, "The video answer" (extra fields are allowed): lets the console play it.
        "sourceUrl": None if record.source is None else url_for(record.source.key),
    }
    if record.smart_cover is not None:
        smart = record.smart_cover
        view["smartCover"] = {
            "status": str(smart.status),
            "candidates": [
                {"index": c.index, "time": c.time, "score": c.score, "url": url_for(c.key)}
                for c in smart.candidates
            ],
            "animated": None
            if smart.animated is None
            else {"gif": url_for(smart.animated.gif), "webp": url_for(smart.animated.webp)},
        }
        if smart.error is not None:
            view["smartCover"]["error"] = smart.error.model_dump()
    if record.error is not None:
        view["error"] = record.error.model_dump()
    return view
