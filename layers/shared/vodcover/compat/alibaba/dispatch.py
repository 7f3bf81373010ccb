"""Which function answers which Alibaba action (docs/alibaba.md, "What maps to what")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vodcover.compat.alibaba.actions import callbacks, images, lifecycle, uploads, videos
from vodcover.compat.alibaba.actions.context import ActionCall
from vodcover.compat.alibaba.errors import UnknownAction
from vodcover.compat.alibaba.parameters import ActionParameters

Action = Callable[[ActionCall, ActionParameters], dict[str, Any]]

ACTIONS: Mapping[str, Action] = {
    "CreateUploadVideo": uploads.create_upload_video,
    "RefreshUploadVideo": uploads.refresh_upload_video,
    "UploadMediaByURL": uploads.upload_media_by_url,
    "GetURLUploadInfos": uploads.get_url_upload_infos,
    "RegisterMedia": uploads.register_media,
    "GetVideoInfo": videos.get_video_info,
    "GetVideoInfos": videos.get_video_infos,
    "UpdateVideoInfo": videos.update_video_info,
    "UpdateVideoInfos": videos.update_video_infos,
    "DeleteVideo": lifecycle.delete_video,
    "SubmitSnapshotJob": lifecycle.submit_snapshot_job,
    "ListSnapshots": lifecycle.list_snapshots,
    "CreateUploadImage": images.create_upload_image,
    "SubmitAIImageJob": images.submit_ai_image_job,
    "ListAIImageInfo": images.list_ai_image_info,
    "SubmitDynamicImageJob": images.submit_dynamic_image_job,
    "ListDynamicImage": images.list_dynamic_image,
    "SetMessageCallback": callbacks.set_message_callback,
    "GetMessageCallback": callbacks.get_message_callback,
    "DeleteMessageCallback": callbacks.delete_message_callback,
}


def run_action(name: str, call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    action = ACTIONS.get(name)
    if action is None:
        raise UnknownAction()
    return action(call, parameters)
