"""Deleting videos and taking snapshots again: DeleteVideo, SubmitSnapshotJob, ListSnapshots.

Each a translation onto ``VideoDeletion`` and ``MediaJobs`` (docs/design.md, "Deleting a video",
"Snapshot jobs"): which instants, sizes and owners are allowed is decided there.
"""

from __future__ import annotations

import json
from typing import Any

from vodcover.commands import SnapshotJobRequest
from vodcover.compat.alibaba.actions.context import ActionCall, command
from vodcover.compat.alibaba.errors import InvalidParameter
from vodcover.compat.alibaba.parameters import ActionParameters
from vodcover.compat.alibaba.views import media_snapshot_view

# Alibaba's SnapshotType values answered from the video's snapshots; sprites are not Alibaba-shaped here.
SNAPSHOT_TYPES = ("CoverSnapshot", "NormalSnapshot")


def delete_video(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    video_ids = parameters.words("VideoIds", limit=call.cases.settings.batch_limit, required=True) or []
    result = call.cases.deletion.delete_many(call.owner, video_ids)
    answer: dict[str, Any] = {"NonExistVideoIds": result.missing, "ForbiddenVideoIds": result.forbidden}
    if result.failed:  # beyond Alibaba: why an id was not deleted
        answer["FailedVideos"] = [
            {"VideoId": failed.video_id, "Code": failed.code, "Message": failed.message}
            for failed in result.failed
        ]
    return answer


def _offsets_in_seconds(parameters: ActionParameters) -> list[Any] | None:
    """``SpecifiedOffsetTime`` (one, ms) or ``SpecifiedOffsetTimes`` (a JSON array, ms)."""
    one = parameters.integer("SpecifiedOffsetTime")
    many = parameters.text("SpecifiedOffsetTimes")
    if many is None:
        return None if one is None else [one / 1000]
    try:
        times = json.loads(many)
    except ValueError:
        raise InvalidParameter("The parameter SpecifiedOffsetTimes is not a JSON array.") from None
    if not isinstance(times, list) or not all(
        isinstance(t, int | float) and not isinstance(t, bool) for t in times
    ):
        raise InvalidParameter("The parameter SpecifiedOffsetTimes must be a JSON array of milliseconds.")
    return [t / 1000 for t in ([] if one is None else [one]) + times]


def submit_snapshot_job(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    """``Interval`` in seconds as Alibaba's; ``SnapshotTemplateId`` and sprites are not supported."""
    if parameters.text("SnapshotTemplateId") is not None or parameters.text("SpriteSnapshotConfig"):
        raise InvalidParameter(
            "Snapshot templates and sprites are not supported; give Count, Interval or offsets."
        )
    interval = parameters.text("Interval")
    request = command(
        SnapshotJobRequest,
        {
            "count": parameters.integer("Count"),
            "interval": interval,
            "offsets": _offsets_in_seconds(parameters),
            "width": parameters.integer("Width"),
            "height": parameters.integer("Height"),
        },
    )
    submitted = call.cases.media_jobs.submit_snapshots(
        call.owner,
        parameters.required("VideoId"),
        count=request.count,
        interval=request.interval,
        offsets=request.offsets,
        width=request.width,
        height=request.height,
    )
    return {"SnapshotJob": {"JobId": submitted.job_id}}


def list_snapshots(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    snapshot_type = parameters.text("SnapshotType") or "NormalSnapshot"
    if snapshot_type not in SNAPSHOT_TYPES:
        raise InvalidParameter(
            f"SnapshotType {snapshot_type!r} is not supported; give one of {', '.join(SNAPSHOT_TYPES)}."
        )
    record = call.cases.as_seen(call.cases.reads.get(call.owner, parameters.required("VideoId")))
    return {"MediaSnapshot": media_snapshot_view(record, call.cases.url_for)}
