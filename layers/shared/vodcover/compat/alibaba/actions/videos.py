"""Reading and changing videos: GetVideoInfo(s), UpdateVideoInfo(s)."""

from __future__ import annotations

from typing import Any

from vodcover.commands import VideoChanges
from vodcover.compat.alibaba.actions.context import ActionCall, command
from vodcover.compat.alibaba.parameters import ActionParameters, tags_of
from vodcover.compat.alibaba.views import video_view


def get_video_info(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    record = call.cases.as_seen(call.cases.reads.get(call.owner, parameters.required("VideoId")))
    return {"Video": video_view(record, call.cases.url_for)}


def get_video_infos(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    limit = call.cases.settings.batch_limit
    video_ids = parameters.words("VideoIds", limit=limit, required=True) or []
    read = call.cases.reads.get_many(call.owner, video_ids)
    return {
        "VideoList": [
            video_view(call.cases.as_seen(record), call.cases.url_for, in_list=True) for record in read.found
        ],
        "NonExistVideoIds": read.missing,
        # Beyond Alibaba (one account sees all its videos): another owner's ids are named apart.
        "ForbiddenVideoIds": read.forbidden,
    }


def changes_of(fields: dict[str, Any]) -> dict[str, Any]:
    """Alibaba's info fields (``Title``, ``Description``, ``Tags``, ``CoverURL``) in vodcover's
    names; ``CateId`` and the rest are accepted and ignored (vodcover has no categories)."""
    return {
        "title": fields.get("Title") or None,
        "description": fields.get("Description"),
        "tags": tags_of(fields.get("Tags")),
        "coverUrl": fields.get("CoverURL") or None,
    }


def update_video_info(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    fields = {name: parameters.text(name) for name in ("Title", "Description", "Tags", "CoverURL")}
    changes = command(VideoChanges, changes_of(fields))
    call.cases.editor.update(call.owner, parameters.required("VideoId"), changes)
    return {}


def update_video_infos(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    items = parameters.json_items("UpdateContent", limit=call.cases.settings.batch_limit)
    updates = []
    for item in items:
        update = {"videoId": item.get("VideoId"), **changes_of(item)}
        updates.append({name: value for name, value in update.items() if value is not None})
    result = call.cases.batch.batch_update(call.owner, updates)
    answer: dict[str, Any] = {
        "NonExistVideoIds": result.missing,
        "ForbiddenVideoIds": result.forbidden,
    }
    if result.failed:  # beyond Alibaba: why an item changed nothing
        answer["FailedVideos"] = [
            {"VideoId": failed.video_id, "Code": failed.error.code, "Message": failed.error.message}
            for failed in result.failed
        ]
    return answer
