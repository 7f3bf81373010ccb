"""One Alibaba-VOD script, two official SDKs: a call by Alibaba's action and parameter names.

``ClassicVod`` builds ``aliyunsdkvod``'s own request class for the action and calls its
``set_<Name>`` setters; ``TeaVod`` builds ``alibabacloud_vod20170321``'s request model and calls
the client's method for the action. Both answer the body as a dict with Alibaba's names (the
Tea SDK parsed into its models and back with ``to_map``, so fields its models lack are lost),
and both raise :class:`Refused` with Alibaba's code and HTTP status.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_vod20170321 import models as tea_models
from aliyunsdkcore.acs_exception.exceptions import ServerException

from tests.alibaba.sdk_clients import classic_client, tea_client


@dataclass
class Refused(Exception):
    code: str
    status: int
    message: str


class VodSdk(Protocol):
    name: str

    def call(self, action: str, **parameters: Any) -> dict[str, Any]: ...


def snake(name: str) -> str:
    """Alibaba's name as the Tea SDK spells it: a run of capitals joins the word after it
    (SubmitAIImageJob → submit_aiimage_job, GetURLUploadInfos → get_urlupload_infos), as its
    code generator does; CoverURL → cover_url, UploadURLs → upload_urls."""
    return "_".join(word.lower() for word in re.findall(r"[A-Z]+[a-z]*|[a-z]+|\d+", name))


class ClassicVod:
    name = "classic"

    def __init__(self, endpoint: str, key_id: str, secret: str) -> None:
        self._client = classic_client(endpoint, key_id, secret)

    def request(self, action: str, **parameters: Any) -> Any:
        module = importlib.import_module(f"aliyunsdkvod.request.v20170321.{action}Request")
        request = getattr(module, f"{action}Request")()
        request.set_protocol_type("http")
        for name, value in parameters.items():
            getattr(request, f"set_{name}")(value)
        return request

    def call(self, action: str, **parameters: Any) -> dict[str, Any]:
        try:
            body = self._client.do_action_with_exception(self.request(action, **parameters))
        except ServerException as exc:
            raise Refused(exc.get_error_code(), exc.get_http_status(), exc.get_error_msg()) from exc
        answer: dict[str, Any] = json.loads(body)
        return answer

    def raw(self, action: str, **parameters: Any) -> tuple[int, dict[str, str], bytes]:
        """``get_response``: the classic SDK's way to an answer in XML (no Format forced)."""
        status, headers, body = self._client.get_response(self.request(action, **parameters))
        return status, dict(headers), body


class TeaVod:
    name = "tea"

    def __init__(self, endpoint: str, key_id: str, secret: str) -> None:
        self._client = tea_client(endpoint, key_id, secret)

    def call(self, action: str, **parameters: Any) -> dict[str, Any]:
        model = getattr(tea_models, f"{action}Request")(**{snake(k): v for k, v in parameters.items()})
        try:
            answer = getattr(self._client, snake(action))(model)
        except ClientException as exc:
            raise Refused(str(exc.code), int(exc.status_code or 0), str(exc.message)) from exc
        body: dict[str, Any] = answer.body.to_map()
        return body
