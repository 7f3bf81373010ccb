"""A client of the vodcover API as any caller uses it: SigV4-signed JSON calls (``execute-api``,
botocore's signer) and the unsigned PUT to a presigned upload URL. Used by ``vodcover upload``
and the demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlencode

import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from vodcover.errors import ApiCallFailed, ApiUnreachable, UploadRefused

DEFAULT_TIMEOUT_SECONDS = 60.0

__all__ = ["ApiCallFailed", "ApiError", "SignedApi"]


class ApiError(ApiCallFailed):
    """The API answered with another status than expected; ``code`` is the API's own code when
    its error body gave one (the body is kept)."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        self.http_status = status
        self.body = body
        super().__init__(
            f"{method} {path} answered {status} {error.get('code', '')}: {error.get('message', body)}"
        )
        if error.get("code"):
            self.code = str(error["code"])  # the API's code, passed on as it is


class SignedApi:
    """SigV4-signed JSON calls (service ``execute-api``) with botocore, sent with urllib3."""

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        region: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._signer = SigV4Auth(Credentials(access_key, secret_key), "execute-api", region)
        self._http = urllib3.PoolManager(timeout=timeout, retries=False)

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        content_type: str = "application/json",
        query: dict[str, str] | None = None,
        expect: int = 200,
    ) -> Any:
        url = self.endpoint + path + (f"?{urlencode(query)}" if query else "")
        body = data if data is not None else (None if json_body is None else json.dumps(json_body).encode())
        headers = {"Content-Type": content_type} if body is not None else {}
        request = AWSRequest(method=method, url=url, data=body or b"", headers=headers)
        self._signer.add_auth(request)
        response = self._request(method, url, body=body, headers=dict(request.headers.items()))
        try:
            answer = json.loads(response.data or b"{}")
        except ValueError:
            answer = response.data[:200].decode("utf-8", "replace")
        if response.status != expect:
            raise ApiError(method, path, response.status, answer)
        return answer

    def upload(self, ticket: dict[str, Any], data: bytes | BinaryIO) -> None:
        """PUT the file to the presigned URL with the headers the API asked for (no signing).

        ``data`` may be an open file: it is streamed (the ticket's ``Content-Length`` frames it).
        """
        upload = ticket["upload"]
        response = self._request(upload["method"], upload["url"], body=data, headers=upload["headers"])
        if response.status != 200:
            raise UploadRefused(f"the presigned upload answered {response.status}: {response.data[:200]!r}")

    def download(self, url: str, path: Path) -> Path:
        response = self._request("GET", url)
        if response.status != 200:
            raise ApiCallFailed(f"downloading {url.split('?')[0]} answered {response.status}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.data)
        return path

    def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            return self._http.request(method, url, **kwargs)
        except urllib3.exceptions.HTTPError as exc:
            raise ApiUnreachable(f"{method} {url.split('?')[0]} failed: {exc}") from None
