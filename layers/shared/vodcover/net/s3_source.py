"""Reading ``s3://`` of the media bucket on a stranger's behalf, within a size cap and a deadline.

The bucket was checked by :mod:`vodcover.net.url_policy` (only the media bucket passes). The
GET is ranged to ``max_bytes + 1`` bytes, so even a lie about size cannot make us read more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from vodcover.dal.aws import client
from vodcover.deadline import expired
from vodcover.net.url_policy import S3Target, UrlPolicy


class S3Body:
    """The object's body, read chunk by chunk; every read checks the deadline first."""

    def __init__(self, streaming_body: Any, deadline: float, policy: UrlPolicy) -> None:
        self._body = streaming_body
        self._deadline = deadline
        self._policy = policy

    def read(self, size: int) -> bytes:
        if self._body is None:
            return b""
        if expired(self._deadline):
            raise self._policy.unreachable("Reading the object took too long.")
        try:
            return bytes(self._body.read(size))
        except (BotoCoreError, OSError) as exc:
            raise self._policy.unreachable("Reading the object failed.", detail=repr(exc)) from exc

    def close(self) -> None:
        if self._body is not None:
            self._body.close()


@dataclass(frozen=True)
class S3Object:
    body: S3Body
    size: int  # the whole object's, whatever the range
    content_type: str | None


def open_s3(target: S3Target, policy: UrlPolicy, *, max_bytes: int, deadline: float) -> S3Object:
    """The object ``target`` names, ranged to ``max_bytes + 1``; missing ones are Unreachable."""
    try:
        answer = client("s3").get_object(Bucket=target.bucket, Key=target.key, Range=f"bytes=0-{max_bytes}")
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code == "InvalidRange":  # only an empty object has no byte 0
            answer = {"Body": None, "ContentLength": 0}
        elif code in {"NoSuchKey", "404", "NotFound"}:
            raise policy.unreachable(f"There is no object {target.url}.") from exc
        else:
            raise policy.unreachable(f"{target.url} could not be read ({code}).") from exc
    except BotoCoreError as exc:
        raise policy.unreachable(f"{target.url} could not be read.", detail=repr(exc)) from exc
    return S3Object(
        body=S3Body(answer["Body"], deadline, policy),
        size=_object_size(answer),
        content_type=answer.get("ContentType"),
    )


def _object_size(answer: dict[str, Any]) -> int:
    """The whole object's size: the total in ``Content-Range`` when the answer was ranged."""
    content_range = str(answer.get("ContentRange") or "")
    total = content_range.rpartition("/")[2]
    if total.isdigit():
        return int(total)
    return int(answer.get("ContentLength") or 0)
