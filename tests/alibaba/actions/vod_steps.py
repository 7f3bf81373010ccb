"""The steps a VOD user's script takes that are not one SDK call, shared by the action tests.

An upload is one plain HTTP PUT to the address ``CreateUploadVideo`` gave (what Alibaba's OSS
upload SDK would do), a video is read until it settles, an image URL is fetched, a refusal is
read as its code and status.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
import requests

from tests.alibaba.vod_sdks import Refused, VodSdk
from vodcover_dev.local.stack import LocalStack

SETTLED = {"Normal", "TranscodeFail", "UploadFail"}


def decoded(document: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(base64.b64decode(document))
    return value


def put_file(upload_auth: str, upload_address: str, data: bytes) -> None:
    """What replaces Alibaba's OSS upload SDK: one plain HTTP PUT to the address it names."""
    auth, address = decoded(upload_auth), decoded(upload_address)
    assert auth["UploadURL"] == address["UploadURL"]
    response = requests.put(auth["UploadURL"], data=data, headers=auth["Headers"], timeout=60)
    assert response.status_code == 200, response.text


def settled_video(stack: LocalStack, sdk: VodSdk, video_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        stack.wait_idle(timeout=120)
        video: dict[str, Any] = sdk.call("GetVideoInfo", VideoId=video_id)["Video"]
        if video["Status"] in SETTLED or time.monotonic() > deadline:
            return video
        time.sleep(0.2)


def uploaded_video(stack: LocalStack, sdk: VodSdk, data: bytes, *, title: str, file_name: str) -> str:
    """A video created, uploaded and processed (``Normal``); its id."""
    created = sdk.call("CreateUploadVideo", Title=title, FileName=file_name)
    put_file(created["UploadAuth"], created["UploadAddress"], data)
    assert settled_video(stack, sdk, created["VideoId"])["Status"] == "Normal"
    return str(created["VideoId"])


def image_bytes(url: str) -> bytes:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    return response.content


def refusal(sdk: VodSdk, action: str, **parameters: Any) -> tuple[str, int]:
    """The error code and HTTP status a refused call answers."""
    with pytest.raises(Refused) as refused:
        sdk.call(action, **parameters)
    return refused.value.code, refused.value.status
