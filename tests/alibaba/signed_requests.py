"""Requests signed by the official SDKs' own signing functions, for rule-by-rule tests.

Unit tests need requests with a chosen nonce, time, header or body; signing them with the
SDKs' code (not vodcover's) keeps the tests independent of the verifier they test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import quote, urlencode

from alibabacloud_tea_openapi.utils import Utils as TeaUtils
from aliyunsdkcore.auth.composer import rpc_signature_composer
from aliyunsdkcore.utils import parameter_helper

from vodcover.compat.alibaba.request import ReceivedRequest

HOST = "127.0.0.1:3000"


def sdk_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def _classic_nonce_and_time(nonce: str, moment: datetime) -> Iterator[None]:
    saved = parameter_helper.get_uuid, parameter_helper.get_iso_8061_date
    parameter_helper.get_uuid = lambda: nonce
    parameter_helper.get_iso_8061_date = lambda: sdk_time(moment)
    try:
        yield
    finally:
        parameter_helper.get_uuid, parameter_helper.get_iso_8061_date = saved


def classic_request(
    key_id: str,
    secret: str,
    *,
    nonce: str = "nonce-1",
    at: datetime | None = None,
    method: str = "POST",
    extra: dict[str, str] | None = None,
    body: dict[str, str] | None = None,
) -> ReceivedRequest:
    """A GetVideoInfo call signed by aliyun-python-sdk-core's RPC composer (``body`` as a form)."""
    params = {"Action": "GetVideoInfo", "Version": "2017-03-21", "RegionId": "cn-shanghai", "VideoId": "v1"}
    params.update(extra or {})
    with _classic_nonce_and_time(nonce, at or datetime.now(UTC)):
        url, _ = rpc_signature_composer.get_signed_url(params, key_id, secret, "JSON", method, body or {})
    headers = [("host", HOST)]
    if body:
        headers.append(("content-type", "application/x-www-form-urlencoded"))
    form = urlencode(body or {}, quote_via=quote, safe="~").encode()
    return ReceivedRequest(method, "/", url.split("?", 1)[1], headers, form)


def acs3_request(
    key_id: str,
    secret: str,
    *,
    nonce: str = "nonce-1",
    at: datetime | None = None,
    method: str = "POST",
    query: dict[str, str] | None = None,
    body: bytes = b"",
    content_type: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> ReceivedRequest:
    """A GetVideoInfo call signed by the Tea/OpenAPI SDK's ``get_authorization``."""
    query = {"VideoId": "v1"} if query is None else query
    headers = {
        "host": HOST,
        "x-acs-version": "2017-03-21",
        "x-acs-action": "GetVideoInfo",
        "x-acs-date": sdk_time(at or datetime.now(UTC)),
        "x-acs-signature-nonce": nonce,
        "accept": "application/json",
        **(extra_headers or {}),
    }
    if content_type:
        headers["content-type"] = content_type
    payload = TeaUtils.hash(body, "ACS3-HMAC-SHA256").hex()
    headers["x-acs-content-sha256"] = payload
    tea_request = SimpleNamespace(method=method, pathname="/", query=query, headers=headers)
    headers["Authorization"] = TeaUtils.get_authorization(
        tea_request, "ACS3-HMAC-SHA256", payload, key_id, secret
    )
    raw_query = urlencode(query, quote_via=quote, safe="~")
    return ReceivedRequest(method, "/", raw_query, list(headers.items()), body)
