"""Sign ``requests`` calls with botocore's real SigV4 signer, as any AWS client would.

    session = requests.Session()
    session.auth = SigV4Auth("local", "local-secret")
    session.get(f"{stack.api_endpoint}/videos/abc")

Only the headers botocore would sign for API Gateway are signed: host, x-amz-date, and
content-type / x-amz-content-sha256 when present. ``at`` fixes the signing time (expired
signatures); ``unsigned_payload`` sends ``x-amz-content-sha256: UNSIGNED-PAYLOAD``.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager, nullcontext
from unittest import mock

import requests
from botocore import auth as botocore_auth
from botocore.auth import SigV4Auth as BotocoreSigV4Auth
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SERVICE = "execute-api"
_SIGNED_EXTRA_HEADERS = ("content-type", "x-amz-content-sha256", "x-amz-security-token")


class SigV4Auth(requests.auth.AuthBase):
    """A ``requests`` auth plugin: sign each prepared request just before it is sent."""

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        *,
        region: str = "us-east-1",
        service: str = SERVICE,
        at: dt.datetime | None = None,
        unsigned_payload: bool = False,
    ) -> None:
        self.credentials = Credentials(access_key, secret_key)
        self.region = region
        self.service = service
        self.at = at
        self.unsigned_payload = unsigned_payload

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        headers = {k: v for k, v in request.headers.items() if k.lower() in _SIGNED_EXTRA_HEADERS}
        if self.unsigned_payload:
            headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
        body = request.body.encode() if isinstance(request.body, str) else (request.body or b"")
        aws_request = AWSRequest(method=request.method, url=request.url, headers=headers, data=body)
        with _signing_time(self.at):
            BotocoreSigV4Auth(self.credentials, self.service, self.region).add_auth(aws_request)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256"):
            if name in aws_request.headers:
                request.headers[name] = aws_request.headers[name]
        return request


def presign_url(
    url: str,
    access_key: str,
    secret_key: str,
    *,
    method: str = "GET",
    expires: int = 300,
    region: str = "us-east-1",
    at: dt.datetime | None = None,
) -> str:
    """A presigned (query-string) SigV4 URL for ``execute-api``."""
    aws_request = AWSRequest(method=method, url=url)
    signer = SigV4QueryAuth(Credentials(access_key, secret_key), SERVICE, region, expires=expires)
    with _signing_time(at):
        signer.add_auth(aws_request)
    return str(aws_request.url)


def _signing_time(at: dt.datetime | None) -> AbstractContextManager[object]:
    """botocore reads the clock through ``get_current_datetime``; pin it to sign in the past."""
    if at is None:
        return nullcontext()
    return mock.patch.object(botocore_auth, "get_current_datetime", return_value=at.replace(tzinfo=None))
