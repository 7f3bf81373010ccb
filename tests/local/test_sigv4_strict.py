"""SigV4 at the local front is at least as strict as API Gateway's IAM auth.

Each request below is signed with botocore's real signer (so its signature is right for what
was signed) and then differs from what API Gateway accepts in exactly one way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pytest
import requests
from botocore.auth import SigV4Auth as BotocoreSigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from tests.local.conftest import USERS
from tests.support.sigv4 import SigV4Auth, presign_url
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.integration

SECRET = USERS["local"]


def refused(response: requests.Response, *words: str) -> None:
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "Auth.Invalid"
    for word in words:
        assert word.lower() in error["message"].lower(), error["message"]


class _SignWithout(BotocoreSigV4Auth):
    """botocore's signer, leaving some headers out of SignedHeaders."""

    def __init__(self, *args: object, leave_out: frozenset[str]) -> None:
        super().__init__(*args)
        self.leave_out = leave_out

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        headers = super().headers_to_sign(request)
        for name in self.leave_out:
            del headers[name]
        return headers


def sign(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    region: str = "us-east-1",
    at: dt.datetime | None = None,
    leave_out: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """The headers botocore sends for this request (``at`` fixes the signing time)."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    signer = _SignWithout(Credentials("local", SECRET), "execute-api", region, leave_out=leave_out)
    if at is None:
        signer.add_auth(request)
    else:
        from unittest import mock

        from botocore import auth as botocore_auth

        with mock.patch.object(botocore_auth, "get_current_datetime", return_value=at.replace(tzinfo=None)):
            signer.add_auth(request)
    return dict(request.headers.items())


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- the scope ------------------------------------------------------------------------
def test_a_signature_scoped_to_another_region_is_refused(stack: LocalStack) -> None:
    response = requests.get(
        f"{stack.api_endpoint}/videos", auth=SigV4Auth("local", SECRET, region="eu-west-3")
    )
    refused(response, "region")


def test_a_presigned_url_scoped_to_another_region_is_refused(stack: LocalStack) -> None:
    response = requests.get(
        presign_url(f"{stack.api_endpoint}/videos/v1", "local", SECRET, region="eu-west-1")
    )
    refused(response, "region")


def test_a_signature_for_another_service_is_refused(stack: LocalStack) -> None:
    refused(
        requests.get(f"{stack.api_endpoint}/videos", auth=SigV4Auth("local", SECRET, service="lambda")),
        "service",
    )


def test_an_unknown_access_key_is_refused(stack: LocalStack) -> None:
    refused(requests.get(f"{stack.api_endpoint}/videos", auth=SigV4Auth("mallory", "any")), "token")


def test_a_session_token_is_refused_as_no_local_user_has_one(stack: LocalStack) -> None:
    url = f"{stack.api_endpoint}/videos"
    headers = sign("GET", url, headers={"X-Amz-Security-Token": "FwoGZXIvYXdzEXAMPLE"})
    assert "x-amz-security-token" in headers["Authorization"]
    refused(requests.get(url, headers=headers), "security token")


def test_a_scope_date_other_than_x_amz_date_is_refused(stack: LocalStack) -> None:
    # Signed at 23:59:59 yesterday, but X-Amz-Date moved into today within the skew
    headers = sign("GET", f"{stack.api_endpoint}/videos")
    today = headers["X-Amz-Date"][:8]
    yesterday = (now() - dt.timedelta(days=1)).strftime("%Y%m%d")
    headers["Authorization"] = headers["Authorization"].replace(f"/{today}/", f"/{yesterday}/")
    refused(requests.get(f"{stack.api_endpoint}/videos", headers=headers), "date")


# --- the clock ------------------------------------------------------------------------
@pytest.mark.parametrize("minutes", [-6, 6], ids=["six-minutes-old", "six-minutes-ahead"])
def test_a_clock_more_than_five_minutes_off_is_refused(stack: LocalStack, minutes: int) -> None:
    headers = sign("GET", f"{stack.api_endpoint}/videos", at=now() + dt.timedelta(minutes=minutes))
    refused(requests.get(f"{stack.api_endpoint}/videos", headers=headers))


@pytest.mark.parametrize("minutes", [-4, 4], ids=["four-minutes-old", "four-minutes-ahead"])
def test_a_clock_within_five_minutes_is_accepted(stack: LocalStack, minutes: int) -> None:
    headers = sign("GET", f"{stack.api_endpoint}/videos", at=now() + dt.timedelta(minutes=minutes))
    assert requests.get(f"{stack.api_endpoint}/videos", headers=headers).status_code == 200


# --- presigned URLs -------------------------------------------------------------------
def test_a_presigned_url_valid_for_more_than_seven_days_is_refused(stack: LocalStack) -> None:
    url = presign_url(f"{stack.api_endpoint}/videos/v1", "local", SECRET, expires=604_801)
    refused(requests.get(url), "X-Amz-Expires")


def test_a_presigned_url_valid_for_exactly_seven_days_is_accepted(stack: LocalStack) -> None:
    url = presign_url(f"{stack.api_endpoint}/videos/v1", "local", SECRET, expires=604_800)
    assert requests.get(url).status_code == 200


@pytest.mark.parametrize("expires", ["0", "-5", "1e3", "abc", ""])
def test_a_presigned_url_with_a_bad_expiry_is_refused(stack: LocalStack, expires: str) -> None:
    url = presign_url(f"{stack.api_endpoint}/videos/v1", "local", SECRET)
    bad = url.replace("X-Amz-Expires=300", f"X-Amz-Expires={expires}")
    refused(requests.get(bad))


def test_a_presigned_url_with_a_parameter_twice_is_refused(stack: LocalStack) -> None:
    url = presign_url(f"{stack.api_endpoint}/videos/v1", "local", SECRET)
    refused(requests.get(url + "&X-Amz-Expires=604800"), "more than once")


def test_both_a_header_and_a_presigned_signature_are_refused(stack: LocalStack) -> None:
    url = presign_url(f"{stack.api_endpoint}/videos/v1", "local", SECRET)
    refused(requests.get(url, auth=SigV4Auth("local", SECRET)), "one auth mechanism")


# --- signed headers -------------------------------------------------------------------
def test_host_left_out_of_the_signature_is_refused(stack: LocalStack) -> None:
    headers = sign("GET", f"{stack.api_endpoint}/videos", leave_out=frozenset({"host"}))
    assert "SignedHeaders=x-amz-date," in headers["Authorization"]
    refused(requests.get(f"{stack.api_endpoint}/videos", headers=headers), "host")


def test_x_amz_date_left_out_of_the_signature_is_refused(stack: LocalStack) -> None:
    headers = sign("GET", f"{stack.api_endpoint}/videos", leave_out=frozenset({"x-amz-date"}))
    refused(requests.get(f"{stack.api_endpoint}/videos", headers=headers), "x-amz-date")


def rewrite_authorization(stack: LocalStack, change: Callable[[str], str]) -> requests.Response:
    headers = sign("GET", f"{stack.api_endpoint}/videos")
    headers["Authorization"] = change(headers["Authorization"])
    return requests.get(f"{stack.api_endpoint}/videos", headers=headers)


def test_a_header_signed_twice_is_refused(stack: LocalStack) -> None:
    response = rewrite_authorization(
        stack, lambda a: a.replace("SignedHeaders=host;", "SignedHeaders=host;host;")
    )
    refused(response, "more than once")


def test_signed_headers_out_of_order_are_refused(stack: LocalStack) -> None:
    response = rewrite_authorization(stack, lambda a: a.replace("host;x-amz-date", "x-amz-date;host"))
    refused(response, "sorted")


MALFORMED_AUTHORIZATION: dict[str, Callable[[str], str]] = {
    "no-signature": lambda a: a.split(", Signature=")[0],
    "credential-twice": lambda a: a.replace(
        "Credential=", "Credential=other/20200101/us-east-1/execute-api/aws4_request, Credential=", 1
    ),
    "unknown-part": lambda a: a + ", Extra=1",
    "lower-case-algorithm": lambda a: a.replace("AWS4-HMAC-SHA256", "aws4-hmac-sha256"),
    "sigv2": lambda a: "AWS local:abcdef",
    "only-the-algorithm": lambda a: "AWS4-HMAC-SHA256",
    "empty": lambda a: "",
    "signature-not-hex": lambda a: a[:-64] + "z" * 64,
    "signature-upper-case": lambda a: a[:-64] + a[-64:].upper(),
    "signature-short": lambda a: a[:-2],
    "credential-four-parts": lambda a: a.replace("/aws4_request", ""),
    "credential-empty-key": lambda a: a.replace("Credential=local/", "Credential=/"),
    "no-commas": lambda a: a.replace(", ", " "),
    "empty-signed-headers": lambda a: a.replace("SignedHeaders=host;x-amz-date", "SignedHeaders="),
}


@pytest.mark.parametrize("change", MALFORMED_AUTHORIZATION.values(), ids=MALFORMED_AUTHORIZATION.keys())
def test_a_malformed_authorization_header_is_refused(stack: LocalStack, change: Callable[[str], str]) -> None:
    response = rewrite_authorization(stack, change)
    assert response.status_code in {401, 403}, response.text
    assert response.json()["error"]["code"] in {"Auth.Invalid", "Auth.Missing"}


@pytest.mark.parametrize(
    "stamp", ["2026-01-01T00:00:00Z", "20260101T000000", "20260101T000000Z, 20260101T000000Z"]
)
def test_a_malformed_x_amz_date_is_refused(stack: LocalStack, stamp: str) -> None:
    headers = sign("GET", f"{stack.api_endpoint}/videos")
    headers["X-Amz-Date"] = stamp
    refused(requests.get(f"{stack.api_endpoint}/videos", headers=headers))


# --- the payload ----------------------------------------------------------------------
def test_unsigned_payload_with_a_body_changed_after_signing_is_refused(stack: LocalStack) -> None:
    # Given a PUT signed with UNSIGNED-PAYLOAD over one image
    url = f"{stack.api_endpoint}/videos/v1/cover"
    headers = sign(
        "PUT",
        url,
        body=b"\x89PNG good",
        headers={"Content-Type": "image/png", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
    )
    # When another body is sent under that signature, then it is refused (the body is covered by nothing)
    refused(requests.put(url, data=b"\x89PNG evil", headers=headers), "UNSIGNED-PAYLOAD")


def test_unsigned_payload_with_any_body_is_refused(stack: LocalStack) -> None:
    response = requests.put(
        f"{stack.api_endpoint}/videos/v1/cover",
        data=b"\x89PNG",
        headers={"Content-Type": "image/png"},
        auth=SigV4Auth("local", SECRET, unsigned_payload=True),
    )
    refused(response, "UNSIGNED-PAYLOAD")


def test_a_declared_body_hash_that_is_right_is_accepted(stack: LocalStack) -> None:
    body = b"\x89PNG"
    url = f"{stack.api_endpoint}/videos/v1/cover"
    declared = {"Content-Type": "image/png", "X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()}
    assert (
        requests.put(url, data=body, headers=sign("PUT", url, body=body, headers=declared)).status_code == 200
    )


def test_a_declared_body_hash_in_upper_case_is_refused(stack: LocalStack) -> None:
    body = b"\x89PNG"
    url = f"{stack.api_endpoint}/videos/v1/cover"
    declared = {"Content-Type": "image/png", "X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest().upper()}
    refused(requests.put(url, data=body, headers=sign("PUT", url, body=body, headers=declared)))
