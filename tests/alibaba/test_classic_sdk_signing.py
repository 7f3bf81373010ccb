"""aliyun-python-sdk-core + aliyun-python-sdk-vod, unmodified, against vodcover's verifier.

Given the local pair LTAIlocal/local-secret owned by ``local`` and the real verifier behind a
loopback HTTP server, when the classic SDK calls it, then a correct signature verifies (POST
as the SDK sends it, and GET), and every refusal comes back as Alibaba's code in a body the SDK
parses without crashing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl
from xml.etree import ElementTree

import pytest
import requests
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkvod.request.v20170321.GetVideoInfoRequest import GetVideoInfoRequest
from aliyunsdkvod.request.v20170321.UpdateVideoInfoRequest import UpdateVideoInfoRequest

from tests.alibaba.conftest import LOCAL_KEY_ID, LOCAL_SECRET, AlibabaAws
from tests.alibaba.sdk_clients import classic_client
from tests.support.alibaba_rpc import RpcServer, serve_rpc
from vodcover.compat.alibaba.verifier import AlibabaVerifier


def get_video_info(video_id: str = "v1", method: str = "POST") -> GetVideoInfoRequest:
    request = GetVideoInfoRequest()
    request.set_protocol_type("http")
    request.set_method(method)
    request.set_VideoId(video_id)
    return request


def server_error(exc: pytest.ExceptionInfo[ServerException]) -> tuple[str, int]:
    return exc.value.get_error_code(), exc.value.get_http_status()


def test_a_correct_key_verifies_over_post_with_everything_in_the_query(rpc: RpcServer) -> None:
    client = classic_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)

    body = json.loads(client.do_action_with_exception(get_video_info("abc")))

    assert body["Video"]["VideoId"] == "abc"
    assert body["Video"]["Title"] == "caller:local"  # the key's owner reached the action
    assert body["RequestId"]
    sent = rpc.received[-1]
    assert sent.method == "POST" and sent.body == b""
    query = dict(parse_qsl(sent.raw_query, keep_blank_values=True))
    assert query["SignatureType"] == ""  # a blank parameter, signed and kept
    assert query["Format"] == "JSON" and query["Action"] == "GetVideoInfo"


def test_a_correct_key_verifies_over_get(rpc: RpcServer) -> None:
    client = classic_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)

    body = json.loads(client.do_action_with_exception(get_video_info("abc", method="GET")))

    assert body["Video"]["VideoId"] == "abc"
    assert rpc.received[-1].method == "GET"


def test_a_wrong_secret_is_signature_does_not_match_and_the_sdk_recognises_its_own_string(
    rpc: RpcServer,
) -> None:
    client = classic_client(rpc.endpoint, LOCAL_KEY_ID, "not-the-secret")

    with pytest.raises(ServerException) as refused:
        client.do_action_with_exception(get_video_info())

    # The SDK turns SignatureDoesNotMatch into InvalidAccessKeySecret only when the server's
    # string to sign (after "is:") equals its own: proof both sides sign the same string.
    assert server_error(refused) == ("InvalidAccessKeySecret", 400)
    answer = json.loads(rpc.answers[-1].body)
    assert answer["Code"] == "SignatureDoesNotMatch"
    assert answer["Message"].startswith("Specified signature is not matched with our calculation.")
    assert set(answer) == {"RequestId", "HostId", "Code", "Message"}
    assert answer["HostId"] == rpc.endpoint


def test_an_unknown_key_is_invalid_access_key_id_not_found(rpc: RpcServer) -> None:
    client = classic_client(rpc.endpoint, "LTAIunknown", LOCAL_SECRET)

    with pytest.raises(ServerException) as refused:
        client.do_action_with_exception(get_video_info())

    assert server_error(refused) == ("InvalidAccessKeyId.NotFound", 404)


def test_a_stale_timestamp_is_refused(alibaba_aws: AlibabaAws, local_key: str) -> None:
    """The server's clock 16 minutes ahead of the SDK's: outside the ±15 min window."""
    verifier = AlibabaVerifier(
        alibaba_aws.keys, alibaba_aws.nonces, clock=lambda: datetime.now(UTC) + timedelta(minutes=16)
    )
    with serve_rpc(verifier) as server:
        client = classic_client(server.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)
        with pytest.raises(ServerException) as refused:
            client.do_action_with_exception(get_video_info())

    assert server_error(refused) == ("InvalidTimeStamp.Expired", 400)


def test_a_replayed_request_is_signature_nonce_used(rpc: RpcServer) -> None:
    client = classic_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)
    client.do_action_with_exception(get_video_info())
    sent = rpc.received[-1]

    replay = requests.post(f"{rpc.url}/?{sent.raw_query}", timeout=10)

    assert replay.status_code == 400
    assert replay.json()["Code"] == "SignatureNonceUsed"


def test_replaying_a_post_as_a_get_does_not_verify(rpc: RpcServer) -> None:
    """The real method is signed: a captured POST cannot be sent as a GET."""
    client = classic_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)
    client.do_action_with_exception(get_video_info())

    replay = requests.get(f"{rpc.url}/?{rpc.received[-1].raw_query}", timeout=10)

    assert replay.status_code == 400
    assert replay.json()["Code"] == "SignatureDoesNotMatch"
    assert "server string to sign is:GET&%2F&" in replay.json()["Message"]


def test_without_format_the_answer_is_xml(rpc: RpcServer) -> None:
    """``get_response`` does not force JSON; Alibaba then answers XML."""
    client = classic_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)

    status, headers, body = client.get_response(get_video_info("abc"))

    assert status == 200
    assert headers["Content-Type"] == "text/xml;charset=utf-8"
    root = ElementTree.fromstring(body)
    assert root.tag == "GetVideoInfoResponse"
    assert root.findtext("Video/VideoId") == "abc"
    assert root.findtext("Video/Status") == "Normal"


def test_errors_are_xml_too_when_no_format_is_asked(rpc: RpcServer) -> None:
    client = classic_client(rpc.endpoint, LOCAL_KEY_ID, "not-the-secret")

    status, headers, body = client.get_response(get_video_info())

    assert (status, headers["Content-Type"]) == (400, "text/xml;charset=utf-8")
    root = ElementTree.fromstring(body)
    assert root.tag == "Error"
    assert [child.tag for child in root] == ["RequestId", "HostId", "Code", "Message"]
    assert root.findtext("Code") == "SignatureDoesNotMatch"
    assert "server string to sign is:POST&%2F&" in (root.findtext("Message") or "")


def test_values_with_spaces_plus_signs_and_unicode_verify_as_sent(rpc: RpcServer) -> None:
    client = classic_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)
    request = UpdateVideoInfoRequest()
    request.set_protocol_type("http")
    request.set_VideoId("abc")
    request.set_Title("a b+c*d~e/f&g=h 封面 é")

    client.do_action_with_exception(request)

    query = dict(parse_qsl(rpc.received[-1].raw_query, keep_blank_values=True))
    assert query["Title"] == "a b+c*d~e/f&g=h 封面 é"
