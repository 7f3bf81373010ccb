"""Bringing videos in: CreateUploadVideo, RefreshUploadVideo, UploadMediaByURL, RegisterMedia."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from vodcover.commands import CreateUploadRequest, PullItem, RegisterItem
from vodcover.compat.alibaba.actions.context import ActionCall, command
from vodcover.compat.alibaba.errors import InvalidParameter
from vodcover.compat.alibaba.parameters import ActionParameters, CountExceededMax, tags_of
from vodcover.compat.alibaba.views import url_upload_view
from vodcover.usecases.uploads import NewUpload


def _upload_answer(call: ActionCall, ticket: NewUpload) -> dict[str, Any]:
    documents = call.upload_documents(
        url=ticket.url, key=ticket.key, headers=dict(ticket.headers), expires_at=ticket.expires_at
    )
    return {"VideoId": ticket.video_id, **documents}


def create_upload_video(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    request = command(
        CreateUploadRequest,
        {
            "title": parameters.required("Title"),
            "fileName": parameters.required("FileName"),
            "fileSize": parameters.integer("FileSize"),
            "description": parameters.text("Description"),
            "tags": tags_of(parameters.text("Tags")),
            "coverUrl": parameters.text("CoverURL"),
        },
    )
    return _upload_answer(call, call.cases.uploads.create(call.owner, request))


def refresh_upload_video(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    ticket = call.cases.uploads.refresh(call.owner, parameters.required("VideoId"))
    return _upload_answer(call, ticket)


def upload_media_by_url(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    """``UploadURLs``: comma-separated, each URL-encoded; ``UploadMetadatas`` names a
    ``SourceURL`` to give it a ``Title`` and a ``CoverURL``."""
    limit = call.cases.settings.batch_limit
    urls = [unquote(url) for url in parameters.words("UploadURLs", required=True) or []]
    if len(urls) > limit:
        raise CountExceededMax(f"UploadURLs holds {len(urls)} URLs; at most {limit} are accepted.")
    metadata: dict[str, dict[str, Any]] = {}
    if parameters.text("UploadMetadatas") is not None:
        for item in parameters.json_items("UploadMetadatas", limit=limit):
            metadata[unquote(str(item.get("SourceURL", "")))] = item
    items = [
        command(
            PullItem,
            {
                "url": url,
                "title": metadata.get(url, {}).get("Title") or None,
                "coverUrl": metadata.get(url, {}).get("CoverURL") or None,
            },
        )
        for url in urls
    ]
    jobs = []
    for started in call.cases.pulls.start(call.owner, items):
        job = {"JobId": started.video_id, "SourceURL": started.url, "VideoId": started.video_id}
        if started.error is not None:
            job |= {"Code": started.error.code, "Message": started.error.message}
        jobs.append(job)
    return {"UploadJobs": jobs}


def get_url_upload_infos(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    """By ``JobIds`` (a pull's job id is its video's id); vodcover keeps no source URLs, so
    ``UploadURLs`` cannot be looked up."""
    if parameters.text("JobIds") is None and parameters.text("UploadURLs") is not None:
        raise InvalidParameter("Give JobIds: vodcover finds pull jobs by id, not by source URL.")
    job_ids = parameters.words("JobIds", limit=call.cases.settings.batch_limit, required=True) or []
    read = call.cases.reads.get_many(call.owner, job_ids)
    return {
        "URLUploadInfoList": [url_upload_view(call.cases.as_seen(record)) for record in read.found],
        "NonExists": read.missing,
        "ForbiddenJobIds": read.forbidden,  # beyond Alibaba, as ForbiddenVideoIds
    }


def register_media(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    """``RegisterMetadatas``: ``FileURL`` (``s3://`` or an https URL of the media bucket)."""
    metadatas = parameters.json_items("RegisterMetadatas", limit=call.cases.settings.batch_limit)
    file_urls: dict[str, str] = {}
    items = []
    failed: list[str] = []
    for metadata in metadatas:
        file_url = str(metadata.get("FileURL") or "")
        if not file_url:
            raise InvalidParameter("Each RegisterMetadatas item needs a FileURL.")
        key = call.cases.store.key_of_url(file_url)
        if key is None:
            failed.append(file_url)
            continue
        file_urls[key] = file_url
        items.append(
            command(
                RegisterItem,
                {
                    "key": key,
                    "title": metadata.get("Title") or None,
                    "coverUrl": metadata.get("CoverURL") or None,
                },
            )
        )
    result = call.cases.registrations.register(call.owner, items)
    failed.extend(file_urls[item.key] for item in result.failed)
    registered = [
        {"FileURL": file_urls[item.key], "MediaId": item.video_id, "NewRegister": True}
        for item in result.registered
    ]
    return {"RegisteredMediaList": registered, "FailedFileURLs": failed}
