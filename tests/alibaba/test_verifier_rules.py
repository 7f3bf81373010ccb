"""The verifier's rules one by one, on requests signed by the SDKs' own signing code.

Keys come from a dict and nonces from memory here; the SDK tests run the same verifier on KMS
and DynamoDB.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from tests.alibaba.signed_requests import acs3_request, classic_request
from tests.support.alibaba_rpc import MemoryNonceStore
from vodcover.compat.alibaba.errors import AlibabaError
from vodcover.compat.alibaba.keys import SigningKey
from vodcover.compat.alibaba.request import SigningScheme
from vodcover.compat.alibaba.verifier import AlibabaVerifier

NOW = datetime(2026, 12, 2, 6, 0, 0, tzinfo=UTC)
KEYS = {
    "LTAIalice": SigningKey("alice", SecretStr("alice-secret")),
    "LTAIbob": SigningKey("bob", SecretStr("bob-secret")),
}


class DictKeys:
    def signing_key(self, access_key_id: str) -> SigningKey | None:
        return KEYS.get(access_key_id)


def verifier(now: datetime = NOW, nonces: MemoryNonceStore | None = None) -> AlibabaVerifier:
    return AlibabaVerifier(DictKeys(), nonces or MemoryNonceStore(), clock=lambda: now)


def refusal(check: AlibabaVerifier, request: object) -> tuple[str, int, str]:
    with pytest.raises(AlibabaError) as refused:
        check.verify(request)  # type: ignore[arg-type]
    return refused.value.code, refused.value.status, refused.value.message


# --- classic RPC (signature v1) -----------------------------------------------------------------
def test_a_classic_call_verifies_and_names_its_owner_action_and_parameters() -> None:
    call = verifier().verify(classic_request("LTAIalice", "alice-secret", at=NOW))

    assert (call.owner, call.scheme, call.action, call.version) == (
        "alice",
        SigningScheme.RPC_V1,
        "GetVideoInfo",
        "2017-03-21",
    )
    assert call.parameters["VideoId"] == "v1"
    assert call.parameters["SignatureType"] == ""


def test_a_signed_blank_parameter_cannot_be_dropped() -> None:
    request = classic_request("LTAIalice", "alice-secret", at=NOW)
    without_blank = "&".join(p for p in request.raw_query.split("&") if p != "SignatureType=")
    assert without_blank != request.raw_query

    code, status, _ = refusal(verifier(), replace(request, raw_query=without_blank))

    assert (code, status) == ("SignatureDoesNotMatch", 400)


def test_parameters_with_spaces_stars_tildes_and_unicode_verify() -> None:
    extra = {"Title": "a b*c~d/é 封面", "Tags": "x,y"}
    call = verifier().verify(classic_request("LTAIalice", "alice-secret", at=NOW, extra=extra))

    assert call.parameters["Title"] == "a b*c~d/é 封面"


def test_form_body_parameters_are_signed_with_the_query() -> None:
    """aliyun-python-sdk-core signs body parameters (``add_body_params``) with the query ones."""
    request = classic_request("LTAIalice", "alice-secret", at=NOW, body={"Description": "long text"})

    assert verifier().verify(request).parameters["Description"] == "long text"
    tampered = replace(request, body=b"Description=other")
    assert refusal(verifier(), tampered)[0] == "SignatureDoesNotMatch"


def test_a_parameter_given_twice_is_refused() -> None:
    request = classic_request("LTAIalice", "alice-secret", at=NOW)

    code, status, message = refusal(verifier(), replace(request, raw_query=request.raw_query + "&VideoId=v2"))

    assert (code, status) == ("InvalidParameter", 400)
    assert "VideoId" in message


@pytest.mark.parametrize("name", ["SignatureNonce", "Timestamp", "AccessKeyId", "Signature", "Version"])
def test_a_missing_signing_parameter_is_missing_parameter(name: str) -> None:
    request = classic_request("LTAIalice", "alice-secret", at=NOW)
    query = "&".join(p for p in request.raw_query.split("&") if not p.startswith(f"{name}="))

    code, status, message = refusal(verifier(), replace(request, raw_query=query))

    assert (code, status) == ("MissingParameter", 400)
    assert f'"{name}"' in message


def test_an_unsupported_signature_method_is_incomplete_signature() -> None:
    request = classic_request("LTAIalice", "alice-secret", at=NOW)
    query = request.raw_query.replace("SignatureMethod=HMAC-SHA1", "SignatureMethod=MD5")

    assert refusal(verifier(), replace(request, raw_query=query))[:2] == ("IncompleteSignature", 400)


@pytest.mark.parametrize("skew", [timedelta(minutes=14, seconds=59), -timedelta(minutes=14, seconds=59)])
def test_a_timestamp_within_fifteen_minutes_is_accepted(skew: timedelta) -> None:
    assert verifier(NOW + skew).verify(classic_request("LTAIalice", "alice-secret", at=NOW)).owner == "alice"


@pytest.mark.parametrize("skew", [timedelta(minutes=15, seconds=1), -timedelta(minutes=15, seconds=1)])
def test_a_timestamp_beyond_fifteen_minutes_is_expired(skew: timedelta) -> None:
    code, status, _ = refusal(verifier(NOW + skew), classic_request("LTAIalice", "alice-secret", at=NOW))

    assert (code, status) == ("InvalidTimeStamp.Expired", 400)


def test_a_malformed_timestamp_is_refused() -> None:
    request = classic_request("LTAIalice", "alice-secret", at=NOW)
    query = request.raw_query.replace("Timestamp=2026-12-02T06%3A00%3A00Z", "Timestamp=yesterday")

    assert refusal(verifier(), replace(request, raw_query=query))[:2] == ("InvalidTimeStamp.Format", 400)


def test_nonces_are_per_key_and_only_a_good_signature_uses_one_up() -> None:
    nonces = MemoryNonceStore()
    check = verifier(nonces=nonces)
    forged = classic_request("LTAIalice", "guessed-secret", nonce="n1", at=NOW)
    assert refusal(check, forged)[0] == "SignatureDoesNotMatch"

    check.verify(
        classic_request("LTAIalice", "alice-secret", nonce="n1", at=NOW)
    )  # not used up by the forgery
    check.verify(classic_request("LTAIbob", "bob-secret", nonce="n1", at=NOW))  # another key, same nonce

    assert (
        refusal(check, classic_request("LTAIalice", "alice-secret", nonce="n1", at=NOW))[0]
        == "SignatureNonceUsed"
    )


def test_a_nonce_may_come_back_once_its_window_is_over() -> None:
    nonces = MemoryNonceStore()
    verifier(NOW, nonces).verify(classic_request("LTAIalice", "alice-secret", nonce="n1", at=NOW))
    later = NOW + timedelta(minutes=16)

    call = verifier(later, nonces).verify(classic_request("LTAIalice", "alice-secret", nonce="n1", at=later))

    assert call.owner == "alice"


# --- ACS3-HMAC-SHA256 -----------------------------------------------------------------------------
def test_an_acs3_call_verifies_with_action_and_version_from_headers() -> None:
    call = verifier().verify(
        acs3_request("LTAIbob", "bob-secret", at=NOW, query={"VideoId": "v9", "Empty": ""})
    )

    assert (call.owner, call.scheme, call.action, call.version) == (
        "bob",
        SigningScheme.ACS3,
        "GetVideoInfo",
        "2017-03-21",
    )
    assert call.parameters == {"VideoId": "v9", "Empty": ""}


def test_a_form_body_is_covered_by_its_hash_and_read_as_parameters() -> None:
    body = b"UpdateContent=%5B%7B%22VideoId%22%3A%22v1%22%7D%5D"
    request = acs3_request(
        "LTAIbob", "bob-secret", at=NOW, body=body, content_type="application/x-www-form-urlencoded"
    )

    assert verifier().verify(request).parameters["UpdateContent"] == '[{"VideoId":"v1"}]'
    tampered = replace(request, body=body.replace(b"v1", b"v2"))
    assert refusal(verifier(), tampered)[:2] == ("IncompleteSignature", 400)


def test_an_unsigned_acs_header_is_refused() -> None:
    request = acs3_request("LTAIbob", "bob-secret", at=NOW)
    injected = replace(request, headers=[*request.headers, ("x-acs-action", "DeleteVideo")])

    assert refusal(verifier(), injected)[:2] == ("IncompleteSignature", 400)
    extra = replace(request, headers=[*request.headers, ("x-acs-security-token", "t")])
    code, _, message = refusal(verifier(), extra)
    assert code == "IncompleteSignature" and "x-acs-security-token" in message


def test_an_acs3_call_without_authorization_is_incomplete_signature() -> None:
    request = acs3_request("LTAIbob", "bob-secret", at=NOW)
    unsigned = replace(request, headers=[(k, v) for k, v in request.headers if k != "Authorization"])

    assert refusal(verifier(), unsigned)[:2] == ("IncompleteSignature", 400)


def test_an_acs3_stale_date_and_a_replay_are_refused() -> None:
    nonces = MemoryNonceStore()
    request = acs3_request("LTAIbob", "bob-secret", at=NOW - timedelta(minutes=20))
    assert refusal(verifier(nonces=nonces), request)[0] == "InvalidTimeStamp.Expired"

    fresh = acs3_request("LTAIbob", "bob-secret", at=NOW, nonce="n2")
    verifier(nonces=nonces).verify(fresh)
    assert refusal(verifier(nonces=nonces), fresh)[0] == "SignatureNonceUsed"


def test_an_unknown_key_is_not_found_for_either_scheme() -> None:
    assert refusal(verifier(), acs3_request("LTAIcarol", "x", at=NOW))[:2] == (
        "InvalidAccessKeyId.NotFound",
        404,
    )
    assert refusal(verifier(), classic_request("LTAIcarol", "x", at=NOW))[:2] == (
        "InvalidAccessKeyId.NotFound",
        404,
    )


@pytest.mark.parametrize("key_id", ["x" * 3000, "LTAI bad", "LTAI\u00e9", "LTAI#1", "abc"])
def test_an_impossible_access_key_id_is_not_found_without_a_lookup(key_id: str) -> None:
    class NoLookups(DictKeys):
        def signing_key(self, access_key_id: str) -> SigningKey | None:
            raise AssertionError("looked up")

    check = AlibabaVerifier(NoLookups(), MemoryNonceStore(), clock=lambda: NOW)

    assert refusal(check, classic_request(key_id, "x", at=NOW))[:2] == ("InvalidAccessKeyId.NotFound", 404)


def test_an_overlong_nonce_is_refused_before_it_reaches_the_store() -> None:
    request = classic_request("LTAIalice", "alice-secret", nonce="n" * 257, at=NOW)

    code, status, message = refusal(verifier(), request)

    assert (code, status) == ("InvalidParameter", 400) and "256" in message
