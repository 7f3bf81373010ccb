"""The deployed RPC function, called with API Gateway's HTTP API payload 2.0 as it arrives.

Given the keys and nonces on moto, when ``functions/alibaba_api`` gets ``events/alibaba-rpc.json``
(API Gateway's shape: lower-case headers, proxies' ``x-forwarded-*`` added, unsigned) carrying a
call signed by each SDK's own signing code, then the signature verifies over ``rawPath`` and
``rawQueryString``, the action runs for the key's owner, and refusals keep Alibaba's codes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.alibaba.conftest import LOCAL_KEY_ID, LOCAL_SECRET, AlibabaAws
from tests.alibaba.signed_requests import acs3_request, classic_request
from tests.conftest import TEST_BUCKET, create_videos_table
from tests.support.apigw import call, load_function
from vodcover import dependencies
from vodcover.compat.alibaba.request import ReceivedRequest

EVENT = Path(__file__).resolve().parents[2] / "events" / "alibaba-rpc.json"
HOST = "abcdef1234.execute-api.us-east-1.amazonaws.com"


@pytest.fixture
def handler(alibaba_aws: AlibabaAws, local_key: str, moto_endpoint: str) -> Any:
    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket=TEST_BUCKET)
    create_videos_table(boto3.client("dynamodb", endpoint_url=moto_endpoint))
    dependencies.reset()
    return load_function("alibaba_api")


def as_event(signed: ReceivedRequest) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(json.loads(EVENT.read_text()))
    event["rawQueryString"] = signed.raw_query
    event["headers"].update({name.lower(): value for name, value in signed.headers})
    return event


def test_a_classic_call_verifies_and_runs_for_the_keys_owner(handler: Any) -> None:
    created = classic_request(
        LOCAL_KEY_ID,
        LOCAL_SECRET,
        nonce="d-1",
        extra={"Action": "CreateUploadVideo", "Title": "T", "FileName": "a.mp4"},
    )
    status, body = call(handler, as_event(created))
    assert status == 200 and body["VideoId"]

    read = classic_request(LOCAL_KEY_ID, LOCAL_SECRET, nonce="d-2", extra={"VideoId": body["VideoId"]})
    status, answer = call(handler, as_event(read))
    assert (status, answer["Video"]["Status"], answer["Video"]["Title"]) == (200, "Uploading", "T")


def test_an_acs3_call_verifies_over_the_host_api_gateway_passes(handler: Any) -> None:
    signed = acs3_request(LOCAL_KEY_ID, LOCAL_SECRET, nonce="d-3", extra_headers={"host": HOST})
    status, body = call(handler, as_event(signed))
    assert (status, body["Code"]) == (404, "InvalidVideo.NotFound")  # verified, then no video v1


def test_a_wrong_secret_and_another_path_are_refused(handler: Any) -> None:
    signed = classic_request(LOCAL_KEY_ID, "not-the-secret", nonce="d-4", extra={"Format": "JSON"})
    status, body = call(handler, as_event(signed))
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")
    assert body["Message"].startswith(
        "Specified signature is not matched with our calculation. server string"
    )

    elsewhere = as_event(classic_request(LOCAL_KEY_ID, LOCAL_SECRET, nonce="d-5", extra={"Format": "JSON"}))
    elsewhere["rawPath"] = elsewhere["requestContext"]["http"]["path"] = "/Prod"
    status, body = call(handler, elsewhere)
    assert (status, body["Code"]) == (404, "InvalidAction.NotFound")
