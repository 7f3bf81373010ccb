"""Cover images and smart covers: CreateUploadImage, SubmitAIImageJob, ListAIImageInfo,
SubmitDynamicImageJob, ListDynamicImage."""

from __future__ import annotations

from typing import Any

from vodcover.compat.alibaba.actions.context import ActionCall
from vodcover.compat.alibaba.errors import InvalidParameter
from vodcover.compat.alibaba.parameters import ActionParameters
from vodcover.compat.alibaba.views import ai_image_views, dynamic_image_views


def create_upload_image(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    """Only ``ImageType=cover``: the image exists to become a ``CoverURL``."""
    image_type = parameters.required("ImageType")
    if image_type != "cover":
        raise InvalidParameter(
            f"ImageType {image_type!r} is not supported; vodcover stores cover images only."
        )
    ticket = call.cases.images.create(call.owner, parameters.text("ImageExt") or "png")
    documents = call.upload_documents(
        url=ticket.upload_url, key=ticket.key, headers=ticket.headers, expires_at=ticket.expires_at
    )
    return {"ImageId": ticket.image_id, "ImageURL": ticket.read_url, "FileURL": ticket.read_url, **documents}


def submit_ai_image_job(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    """Smart cover: candidates from the video's scenes (and the animated cover with them)."""
    record = call.cases.smart_covers.start(call.owner, parameters.required("VideoId"))
    return {"JobId": record.video_id}


def list_ai_image_info(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    record = call.cases.as_seen(call.cases.reads.get(call.owner, parameters.required("VideoId")))
    return {"AIImageInfoList": ai_image_views(record, call.cases.url_for)}


def submit_dynamic_image_job(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    """The animated cover comes from the smart-cover analysis: one job makes both."""
    record = call.cases.smart_covers.start(call.owner, parameters.required("VideoId"))
    return {"DynamicImageJob": {"JobId": record.video_id}}


def list_dynamic_image(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    record = call.cases.as_seen(call.cases.reads.get(call.owner, parameters.required("VideoId")))
    return {"DynamicImageList": dynamic_image_views(record, call.cases.url_for)}
