"""SigV4 at the local API front: what API Gateway's IAM auth accepts, and what it refuses."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests

from tests.local.conftest import USERS
from tests.support.sigv4 import SigV4Auth, presign_url
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.integration


def identity(response: requests.Response) -> dict:
    return response.json()["event"]["requestContext"]["identity"]


def error_of(response: requests.Response) -> dict:
    body = response.json()["error"]
    assert body["requestId"]
    return body


def test_a_good_signature_reaches_the_function_as_that_caller(stack: LocalStack, calls) -> None:
    response = requests.get(f"{stack.api_endpoint}/videos/v1", auth=SigV4Auth("alice", USERS["alice"]))

    assert response.status_code == 200
    assert identity(response)["accessKey"] == "alice"
    assert identity(response)["userArn"] == "alice"
    assert identity(response)["caller"] == "alice"


def test_a_signed_body_and_query_pass(stack: LocalStack, signed: requests.Session) -> None:
    response = signed.post(f"{stack.api_endpoint}/videos/pull?dry=1&b=%20x", json={"items": [{"url": "u"}]})
    assert response.status_code == 200
    assert json.loads(response.json()["event"]["body"]) == {"items": [{"url": "u"}]}


def test_a_signature_for_the_stacks_region_is_accepted(stack: LocalStack) -> None:
    auth = SigV4Auth("local", USERS["local"], region=stack.region)
    assert requests.get(f"{stack.api_endpoint}/videos", auth=auth).status_code == 200


def test_unsigned_payload_without_a_body_is_accepted(stack: LocalStack) -> None:
    auth = SigV4Auth("local", USERS["local"], unsigned_payload=True)
    assert requests.get(f"{stack.api_endpoint}/videos/v1", auth=auth).status_code == 200


def test_a_presigned_url_is_accepted(stack: LocalStack) -> None:
    url = presign_url(f"{stack.api_endpoint}/videos/v9?x=1", "local", USERS["local"])
    response = requests.get(url)
    assert response.status_code == 200
    assert response.json()["event"]["pathParameters"] == {"id": "v9"}


def test_an_expired_presigned_url_is_refused(stack: LocalStack) -> None:
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    url = presign_url(f"{stack.api_endpoint}/videos/v9", "local", USERS["local"], expires=60, at=an_hour_ago)
    response = requests.get(url)
    assert response.status_code == 403
    assert error_of(response)["code"] == "Auth.Invalid"


def test_no_signature_is_auth_missing(stack: LocalStack) -> None:
    response = requests.get(f"{stack.api_endpoint}/videos/v1")
    assert response.status_code == 401
    assert error_of(response)["code"] == "Auth.Missing"


@pytest.mark.parametrize(
    "auth",
    [
        pytest.param(SigV4Auth("nobody", "whatever"), id="unknown-key"),
        pytest.param(SigV4Auth("local", "wrong-secret"), id="wrong-secret"),
        pytest.param(SigV4Auth("local", USERS["local"], service="s3"), id="other-service"),
        pytest.param(
            SigV4Auth("local", USERS["local"], at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=6)),
            id="expired",
        ),
        pytest.param(
            SigV4Auth("local", USERS["local"], at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=6)),
            id="from-the-future",
        ),
    ],
)
def test_bad_signatures_are_auth_invalid(stack: LocalStack, auth: SigV4Auth) -> None:
    response = requests.get(f"{stack.api_endpoint}/videos/v1", auth=auth)
    assert response.status_code == 403
    assert error_of(response)["code"] == "Auth.Invalid"


def test_a_tampered_body_is_auth_invalid(stack: LocalStack) -> None:
    # Given a request signed over one body
    request = requests.Request(
        "POST",
        f"{stack.api_endpoint}/videos/pull",
        json={"items": []},
        auth=SigV4Auth("local", USERS["local"]),
    ).prepare()
    # When another body is sent under the same signature
    request.body = b'{"items": [{"url": "http://evil"}]}'
    request.headers["Content-Length"] = str(len(request.body))
    response = requests.Session().send(request)
    # Then the signature no longer matches
    assert response.status_code == 403
    assert error_of(response)["code"] == "Auth.Invalid"


def test_a_content_hash_that_lies_about_the_body_is_auth_invalid(stack: LocalStack) -> None:
    request = requests.Request(
        "POST",
        f"{stack.api_endpoint}/videos/pull",
        data=b"{}",
        headers={"X-Amz-Content-SHA256": "0" * 64, "Content-Type": "application/json"},
        auth=SigV4Auth("local", USERS["local"]),
    ).prepare()
    response = requests.Session().send(request)
    assert response.status_code == 403
    assert error_of(response)["code"] == "Auth.Invalid"


def test_a_tampered_path_is_auth_invalid(stack: LocalStack) -> None:
    request = requests.Request(
        "GET", f"{stack.api_endpoint}/videos/v1", auth=SigV4Auth("local", "local-secret")
    )
    prepared = request.prepare()
    prepared.url = f"{stack.api_endpoint}/videos/v2"
    response = requests.Session().send(prepared)
    assert response.status_code == 403


def test_a_garbled_authorization_header_is_auth_invalid(stack: LocalStack) -> None:
    response = requests.get(
        f"{stack.api_endpoint}/videos/v1", headers={"Authorization": "Basic Zm9vOmJhcg=="}
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "Auth.Invalid"
