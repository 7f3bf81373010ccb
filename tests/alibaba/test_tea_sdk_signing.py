"""alibabacloud-vod20170321 (Tea/OpenAPI, ACS3-HMAC-SHA256), unmodified, against vodcover's verifier.

Given the local pair and the real verifier behind a loopback HTTP server, when the Tea SDK
calls it (no Action/Version/Format parameters, only ``x-acs-*`` headers), then a correct
signature verifies over the SDK's own SignedHeaders (``host`` with its port included), and
refusals come back as Alibaba's codes in JSON, which the SDK raises as ClientException.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import pytest
import requests
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_vod20170321 import models as vod

from tests.alibaba.conftest import LOCAL_KEY_ID, LOCAL_SECRET, AlibabaAws
from tests.alibaba.sdk_clients import tea_client
from tests.support.alibaba_rpc import RpcServer, serve_rpc
from vodcover.compat.alibaba.request import ReceivedRequest
from vodcover.compat.alibaba.signature_acs3 import parse_authorization
from vodcover.compat.alibaba.verifier import AlibabaVerifier


def replay(server: RpcServer, sent: ReceivedRequest, **header_changes: str) -> requests.Response:
    headers = {k: v for k, v in sent.headers if k != "content-length"}
    headers.update(header_changes)
    return requests.request(
        sent.method,
        f"{server.url}{sent.raw_path}?{sent.raw_query}",
        headers=headers,
        data=sent.body,
        timeout=10,
    )


def test_a_correct_key_verifies_over_post_with_the_sdks_signed_headers(rpc: RpcServer) -> None:
    client = tea_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)

    answer = client.get_video_info(vod.GetVideoInfoRequest(video_id="abc"))

    assert answer.status_code == 200
    assert answer.body.video.video_id == "abc"
    assert answer.body.video.title == "caller:local"
    sent = rpc.received[-1]
    assert sent.method == "POST"
    query = dict(parse_qsl(sent.raw_query, keep_blank_values=True))
    assert query == {"VideoId": "abc"}  # no Action, Version or Format parameters
    assert sent.header("x-acs-action") == "GetVideoInfo"
    signed = parse_authorization(sent.header("authorization") or "").signed_headers
    assert {"host", "x-acs-content-sha256", "x-acs-signature-nonce", "x-acs-date"} <= set(signed)
    assert sent.host == rpc.endpoint  # host with its port, as signed


def test_a_correct_key_verifies_over_get(rpc: RpcServer) -> None:
    """DescribeVodDomainMax95BpsData is one of the actions the SDK sends as GET."""
    client = tea_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)

    answer = client.describe_vod_domain_max_95bps_data(
        vod.DescribeVodDomainMax95BpsDataRequest(domain_name="media.example.com")
    )

    assert answer.body.domain_name == "media.example.com"
    assert rpc.received[-1].method == "GET"


def test_a_wrong_secret_is_signature_does_not_match_with_alibabas_message(rpc: RpcServer) -> None:
    client = tea_client(rpc.endpoint, LOCAL_KEY_ID, "not-the-secret")

    with pytest.raises(ClientException) as refused:
        client.get_video_info(vod.GetVideoInfoRequest(video_id="abc"))

    assert (refused.value.code, refused.value.status_code) == ("SignatureDoesNotMatch", 400)
    assert "server string to sign is:ACS3-HMAC-SHA256\n" in refused.value.message
    assert {"RequestId", "HostId", "Code", "Message"} <= set(refused.value.data)


def test_an_unknown_key_is_invalid_access_key_id_not_found(rpc: RpcServer) -> None:
    client = tea_client(rpc.endpoint, "LTAIunknown", LOCAL_SECRET)

    with pytest.raises(ClientException) as refused:
        client.get_video_info(vod.GetVideoInfoRequest(video_id="abc"))

    assert (refused.value.code, refused.value.status_code) == ("InvalidAccessKeyId.NotFound", 404)


def test_a_stale_timestamp_is_refused(alibaba_aws: AlibabaAws, local_key: str) -> None:
    verifier = AlibabaVerifier(
        alibaba_aws.keys, alibaba_aws.nonces, clock=lambda: datetime.now(UTC) - timedelta(minutes=16)
    )
    with serve_rpc(verifier) as server:
        client = tea_client(server.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)
        with pytest.raises(ClientException) as refused:
            client.get_video_info(vod.GetVideoInfoRequest(video_id="abc"))

    assert (refused.value.code, refused.value.status_code) == ("InvalidTimeStamp.Expired", 400)


def test_a_replayed_request_is_signature_nonce_used_in_json(rpc: RpcServer) -> None:
    client = tea_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)
    client.get_video_info(vod.GetVideoInfoRequest(video_id="abc"))

    again = replay(rpc, rpc.received[-1])

    assert again.status_code == 400
    assert again.headers["Content-Type"] == "application/json;charset=utf-8"
    assert again.json()["Code"] == "SignatureNonceUsed"


def test_the_signed_host_and_action_cannot_be_changed(rpc: RpcServer) -> None:
    """Signature checks come before the nonce, so these fail on the signature, not as replays."""
    client = tea_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)
    client.get_video_info(vod.GetVideoInfoRequest(video_id="abc"))
    sent = rpc.received[-1]

    other_host = replay(rpc, sent, host="vod.cn-shanghai.aliyuncs.com")
    other_action = replay(rpc, sent, **{"x-acs-action": "DeleteVideo"})

    assert other_host.json()["Code"] == "SignatureDoesNotMatch"
    assert other_host.json()["HostId"] == "vod.cn-shanghai.aliyuncs.com"
    assert other_action.json()["Code"] == "SignatureDoesNotMatch"


def test_values_with_spaces_plus_signs_and_unicode_verify_as_sent(rpc: RpcServer) -> None:
    client = tea_client(rpc.endpoint, LOCAL_KEY_ID, LOCAL_SECRET)
    title = "a b+c*d~e/f&g=h 封面 é"

    client.update_video_info(vod.UpdateVideoInfoRequest(video_id="abc", title=title, tags=""))

    assert rpc.answers[-1].status == 200
    assert dict(parse_qsl(rpc.received[-1].raw_query, keep_blank_values=True))["Title"] == title
