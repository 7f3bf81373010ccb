"""The covers API's side: the cover media function invoked synchronously through botocore.

Obvious bad images are refused here, before any invoke (:func:`precheck_cover_image`); what
passes is checked again, fully, by the media function. Its refusals come back with their codes
and are raised as the same errors, so the API's answers do not depend on where Pillow ran.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from vodcover.cover_media.headers import CheckedImage, CoverLimits, precheck_cover_image
from vodcover.cover_media.protocol import (
    CheckImage,
    Derive,
    Derived,
    Frame,
    FrameAt,
    Request,
    answer_of,
    invocation,
)
from vodcover.dal.aws import client
from vodcover.errors import VodcoverError

A = TypeVar("A")


class CoverMediaFailed(VodcoverError):
    """The media function crashed or timed out (its log has why): the API answers 500."""

    code = "Internal.Error"


class RemoteCoverMedia:
    def __init__(self, function_name: str) -> None:
        self._function = function_name

    def call(self, request: Request[A]) -> A:
        """Invoke the function with ``request`` and wait for its typed answer."""
        reply = client("lambda").invoke(
            FunctionName=self._function,
            InvocationType="RequestResponse",
            Payload=json.dumps(invocation(request), separators=(",", ":")).encode(),
        )
        body: Any = json.loads(reply["Payload"].read() or b"null")
        if reply.get("FunctionError"):
            message = body.get("errorMessage", "") if isinstance(body, dict) else str(body)
            raise CoverMediaFailed(
                "The image could not be processed; try again.",
                detail=f"{request.operation}: {message}"[:2000],
            )
        return answer_of(request, body)

    def check_image(self, data: bytes, limits: CoverLimits) -> CheckedImage:
        precheck_cover_image(data, limits)
        checked = self.call(CheckImage(data, limits))
        return CheckedImage.of(data, checked.format, checked.width, checked.height)

    def frame_at(self, url: str, seconds: float, width: int, quality: int, timeout: float) -> Frame:
        return self.call(FrameAt(url, seconds, width, quality, timeout))

    def derive(self, data: bytes) -> Derived:
        return self.call(Derive(data))
