"""Alibaba's views of vodcover's records: its field names, statuses and time formats.

The Alibaba counterpart of :mod:`vodcover.api.rest_views`: the same records, the same readable URLs
(``url_for``), only named as Alibaba Cloud VOD names them (``VideoId``, ``CoverURL``,
``Snapshots.Snapshot``, ``CreationTime``…). Nothing here decides anything.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from typing import Any

from vodcover.models import SmartStatus, VideoRecord, VideoStatus

UrlFor = Callable[[str], str]

# vodcover's statuses as Alibaba names them (docs/alibaba.md): processing is "Transcoding" there.
STATUS_NAMES: Mapping[VideoStatus, str] = {
    VideoStatus.UPLOADING: "Uploading",
    VideoStatus.UPLOAD_SUCC: "UploadSucc",
    VideoStatus.UPLOAD_FAIL: "UploadFail",
    VideoStatus.PROCESSING: "Transcoding",
    VideoStatus.NORMAL: "Normal",
    VideoStatus.PROCESS_FAIL: "TranscodeFail",
}
SMART_JOB_STATUS: Mapping[SmartStatus, str] = {
    SmartStatus.PROCESSING: "Processing",
    SmartStatus.DONE: "Success",
    SmartStatus.FAILED: "Fail",
}


def alibaba_time(timestamp: str) -> str:
    """``2026-12-02T05:00:00.123Z`` → ``2026-12-02T05:00:00Z`` (Alibaba's ISO form, no fraction)."""
    return timestamp.split(".", 1)[0].rstrip("Z") + "Z"


def alibaba_local_time(timestamp: str) -> str:
    """The older ``CreateTime`` form: ``2026-12-02 05:00:00`` (UTC here)."""
    return alibaba_time(timestamp).rstrip("Z").replace("T", " ")


def video_view(record: VideoRecord, url_for: UrlFor, *, in_list: bool = False) -> dict[str, Any]:
    """``GetVideoInfo``'s ``Video``, or (``in_list``) an item of ``GetVideoInfos``' ``VideoList``:
    Alibaba nests the snapshot URLs as ``Snapshots.Snapshot`` in the one, lists them in the other."""
    snapshots = [url_for(s.key) for s in record.snapshots]
    view: dict[str, Any] = {
        "VideoId": record.video_id,
        "Title": record.title,
        "Description": record.description,
        "Tags": ",".join(record.tags),
        "Status": STATUS_NAMES[record.status],
        "CreationTime": alibaba_time(record.created_at),
        "CreateTime": alibaba_local_time(record.created_at),
        "ModificationTime": alibaba_time(record.updated_at),
        "ModifyTime": alibaba_local_time(record.updated_at),
        "Snapshots": snapshots if in_list else {"Snapshot": snapshots},
    }
    if record.cover is not None:
        view["CoverURL"] = url_for(record.cover.key)
    if record.media is not None:
        view["Duration"] = record.media.duration
        view["Size"] = record.media.size or (record.source.size if record.source else 0)
    elif record.source is not None:
        view["Size"] = record.source.size
    if record.error is not None:
        view["ErrorCode"], view["ErrorMessage"] = record.error.code, record.error.message
    return view


def media_snapshot_view(record: VideoRecord, url_for: UrlFor) -> dict[str, Any]:
    """``ListSnapshots``' ``MediaSnapshot``: the video's snapshots, numbered from 1, with the job
    that made them (none for the upload-time ones, which Alibaba makes without a job id too)."""
    job = record.snapshot_job
    snapshots = [{"Index": index, "Url": url_for(s.key)} for index, s in enumerate(record.snapshots, start=1)]
    return {
        "Total": len(snapshots),
        "CreationTime": alibaba_time(job.requested_at if job and job.requested_at else record.created_at),
        "Regular": "",  # Alibaba's URL pattern of numbered snapshots: vodcover's keys have none
        "JobId": job.job_id if job is not None else "",
        "Snapshots": {"Snapshot": snapshots},
    }


def url_upload_view(record: VideoRecord) -> dict[str, Any]:
    """An item of ``GetURLUploadInfos``' ``URLUploadInfoList``: how far a pull got. The file is
    there (``SUCCESS``) once the video left ``Uploading``, unless the pull failed (``FAIL``)."""
    if record.status == VideoStatus.UPLOADING:
        status = "PROCESSING"
    elif record.status == VideoStatus.UPLOAD_FAIL:
        status = "FAIL"
    else:
        status = "SUCCESS"
    view: dict[str, Any] = {
        "JobId": record.video_id,
        "MediaId": record.video_id,
        "Status": status,
        "CreationTime": alibaba_time(record.created_at),
    }
    if status != "PROCESSING":
        view["CompleteTime"] = alibaba_time(record.updated_at)
    if record.source is not None:
        view["FileSize"] = str(record.source.size)
    if status == "FAIL" and record.error is not None:
        view["ErrorCode"], view["ErrorMessage"] = record.error.code, record.error.message
    return view


def ai_image_views(record: VideoRecord, url_for: UrlFor) -> list[dict[str, Any]]:
    """``ListAIImageInfo``'s ``AIImageInfoList``: the smart-cover candidates, best first."""
    smart = record.smart_cover
    if smart is None:
        return []
    created = alibaba_time(record.updated_at)
    return [
        {
            "AIImageInfoId": f"{record.video_id}-{candidate.index}",
            "VideoId": record.video_id,
            "JobId": record.video_id,
            "FileURL": url_for(candidate.key),
            "Score": f"{candidate.score:.4f}",
            "Time": candidate.time,
            "Version": "1",
            "CreationTime": created,
        }
        for candidate in smart.candidates
    ]


def smart_job_view(record: VideoRecord) -> dict[str, Any]:
    """The state of the one analysis job a video has (its id is the video's)."""
    smart = record.smart_cover
    status = SMART_JOB_STATUS[smart.status] if smart is not None else "Processing"
    return {"JobId": record.video_id, "VideoId": record.video_id, "Status": status}


def dynamic_image_views(record: VideoRecord, url_for: UrlFor) -> list[dict[str, Any]]:
    """``ListDynamicImage``'s ``DynamicImageList``: the animated cover, as GIF and as WebP."""
    smart = record.smart_cover
    if smart is None or smart.animated is None:
        return []
    return [
        {
            "DynamicImageId": f"{record.video_id}-{fmt}",
            "VideoId": record.video_id,
            "Format": fmt,
            "FileURL": url_for(key),
            "JobId": record.video_id,
            "CreationTime": alibaba_time(record.updated_at),
        }
        for fmt, key in (("gif", smart.animated.gif), ("webp", smart.animated.webp))
    ]


def encoded(document: Mapping[str, Any]) -> str:
    """``UploadAddress`` / ``UploadAuth``: base64 of compact JSON, as Alibaba encodes them."""
    return base64.b64encode(json.dumps(document, separators=(",", ":")).encode()).decode("ascii")


def upload_documents(
    *, url: str, key: str, bucket: str, headers: Mapping[str, str], expires_at: str, ttl_seconds: int
) -> dict[str, str]:
    """``UploadAddress`` and ``UploadAuth`` carrying a presigned PUT instead of OSS credentials.

    Alibaba's upload SDKs read ``Endpoint``/``Bucket``/``FileName`` and STS keys and talk to
    OSS; there is no OSS here, so both documents name the presigned ``UploadURL`` (a plain HTTP
    PUT with ``Headers``) and carry no keys (docs/alibaba.md, "Uploading").
    """
    endpoint = url.split("?", 1)[0]
    endpoint = endpoint[: endpoint.find("/", endpoint.find("//") + 2)]
    address = {
        "Endpoint": endpoint,
        "Bucket": bucket,
        "FileName": key,
        "UploadURL": url,
        "Method": "PUT",
        "Headers": dict(headers),
    }
    auth = {
        "UploadURL": url,
        "Method": "PUT",
        "Headers": dict(headers),
        "Expiration": str(ttl_seconds),
        "ExpireUTCTime": expires_at,
    }
    return {"UploadAddress": encoded(address), "UploadAuth": encoded(auth)}
