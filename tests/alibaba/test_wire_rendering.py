"""What marks an RPC call, and how answers are written: JSON or XML by the request's rules."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from vodcover.compat.alibaba.errors import AccessKeyNotFound, InvalidParameter, SignatureDoesNotMatch
from vodcover.compat.alibaba.rendering import (
    ResponseFormat,
    error_answer,
    response_format,
    result_answer,
    to_xml,
)
from vodcover.compat.alibaba.request import ReceivedRequest, is_rpc_request
from vodcover.errors import VideoNotFound


def request(query: str = "", **headers: str) -> ReceivedRequest:
    return ReceivedRequest("POST", "/", query, [(k.replace("_", "-"), v) for k, v in headers.items()])


@pytest.mark.parametrize(
    ("candidate", "is_rpc"),
    [
        (request("Action=GetVideoInfo"), True),
        (request("", x_acs_action="GetVideoInfo"), True),
        (request("ids=a,b"), False),
        (request("action=GetVideoInfo"), False),  # names are case-sensitive, as Alibaba's
        (request("ids=%FF&x=1"), False),  # not UTF-8: still simply not an RPC call
        (request("x=%FF&Action=GetVideoInfo"), True),
    ],
)
def test_an_action_parameter_or_header_marks_an_rpc_call(candidate: ReceivedRequest, is_rpc: bool) -> None:
    assert is_rpc_request(candidate) is is_rpc


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (request("", x_acs_action="A", authorization="ACS3-HMAC-SHA256 Credential=k"), ResponseFormat.JSON),
        (request("", x_acs_action="A"), ResponseFormat.JSON),  # Tea, even unsigned
        (request("Action=A&Format=JSON"), ResponseFormat.JSON),
        (request("Action=A&Format=json"), ResponseFormat.JSON),
        (request("Action=A&Format=XML", accept="application/json"), ResponseFormat.XML),
        (request("Action=A", accept="application/json"), ResponseFormat.JSON),
        (request("Action=A&Format=None"), ResponseFormat.XML),  # what the classic SDK sends unasked
        (request("Action=A"), ResponseFormat.XML),
    ],
)
def test_the_answer_format_follows_the_request(candidate: ReceivedRequest, expected: ResponseFormat) -> None:
    assert response_format(candidate) is expected


def test_an_error_in_json_has_alibabas_four_fields() -> None:
    answer = error_answer(AccessKeyNotFound(), ResponseFormat.JSON, request_id="R-1", host_id="h:1")

    assert (answer.status, answer.content_type) == (404, "application/json;charset=utf-8")
    assert json.loads(answer.body) == {
        "RequestId": "R-1",
        "HostId": "h:1",
        "Code": "InvalidAccessKeyId.NotFound",
        "Message": "Specified access key is not found.",
    }


def test_a_vodcover_error_keeps_its_code_and_status() -> None:
    answer = error_answer(VideoNotFound("No such video."), ResponseFormat.XML, request_id="R", host_id="h")

    root = ElementTree.fromstring(answer.body)
    assert (answer.status, root.findtext("Code")) == (404, "InvalidVideo.NotFound")


def test_signature_does_not_match_splits_as_the_classic_sdk_splits_it() -> None:
    message = SignatureDoesNotMatch("POST&%2F&Action%3DX").message

    assert message.split(":")[1] == "POST&%2F&Action%3DX"


def test_xml_repeats_list_elements_nests_mappings_and_escapes_text() -> None:
    body = to_xml(
        "GetVideoInfosResponse",
        {
            "RequestId": "R",
            "NonExistVideoIds": ["a", "b"],
            "Video": {"Title": "<b>&", "Ok": True},
            "No": None,
        },
    )

    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = ElementTree.fromstring(body)
    assert [e.text for e in root.findall("NonExistVideoIds")] == ["a", "b"]
    assert root.findtext("Video/Title") == "<b>&"
    assert root.findtext("Video/Ok") == "true"
    assert root.find("No") is None


def test_a_result_starts_with_its_request_id() -> None:
    answer = result_answer("CreateUploadVideo", {"VideoId": "v"}, ResponseFormat.JSON, request_id="R")

    assert list(json.loads(answer.body)) == ["RequestId", "VideoId"]


def test_xml_stays_parseable_when_a_message_echoes_control_characters() -> None:
    error = InvalidParameter('The parameter "a\x01b\x00" is given more than once.')

    answer = error_answer(error, ResponseFormat.XML, request_id="R", host_id="h")

    assert ElementTree.fromstring(answer.body).findtext("Message") == (
        'The parameter "a\ufffdb\ufffd" is given more than once.'
    )
