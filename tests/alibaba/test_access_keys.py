"""Access keys bound to owners: stored only KMS-encrypted, listed without secrets, revoked at once.

Given moto over HTTP (KMS and DynamoDB), when keys are created, listed and revoked through the
use case and through ``vodcover keys``, then no stored attribute and no log line holds a secret,
a ciphertext only decrypts on its own item, and a created key signs real SDK calls as its owner.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from alibabacloud_vod20170321 import models as vod
from botocore.exceptions import ClientError
from pydantic import SecretStr

from tests.alibaba.conftest import AlibabaAws
from tests.alibaba.sdk_clients import tea_client
from tests.support.alibaba_rpc import RpcServer
from vodcover.compat.alibaba.errors import AccessKeyNotFound, InvalidParameter
from vodcover.compat.alibaba.key_management import (
    add_access_key,
    create_access_key,
    list_access_keys,
    revoke_access_key,
)
from vodcover.compat.alibaba.nonce_store import DynamoNonceStore
from vodcover_dev.cli import main


def raw_items(aws: AlibabaAws) -> list[dict]:
    return boto3.client("dynamodb").scan(TableName=aws.keys_table)["Items"]


def test_a_created_secret_is_stored_only_as_kms_ciphertext(alibaba_aws: AlibabaAws) -> None:
    created = create_access_key(alibaba_aws.keys, "arn:aws:iam::123456789012:user/alice")
    secret = created.secret.get_secret_value()

    assert created.key.access_key_id.startswith("LTAI") and len(created.key.access_key_id) == 24
    assert len(secret) == 30
    assert secret not in repr(created) and secret not in str(created)
    [item] = raw_items(alibaba_aws)
    assert set(item) == {"accessKeyId", "owner", "createdAt", "secretCiphertext"}
    assert secret.encode() not in item["secretCiphertext"]["B"]
    assert secret not in json.dumps(item, default=str)
    key = alibaba_aws.keys.signing_key(created.key.access_key_id)
    assert key is not None and key.owner == "arn:aws:iam::123456789012:user/alice"
    assert key.secret.get_secret_value() == secret


def test_a_ciphertext_moved_onto_another_owners_item_does_not_decrypt(alibaba_aws: AlibabaAws) -> None:
    alice = create_access_key(alibaba_aws.keys, "alice")
    mallory = create_access_key(alibaba_aws.keys, "mallory")
    dynamodb = boto3.client("dynamodb")
    items = {i["owner"]["S"]: i for i in raw_items(alibaba_aws)}
    stolen = {**items["mallory"], "secretCiphertext": items["alice"]["secretCiphertext"]}
    dynamodb.put_item(TableName=alibaba_aws.keys_table, Item=stolen)

    with pytest.raises(ClientError) as refused:
        alibaba_aws.keys.signing_key(mallory.key.access_key_id)

    assert refused.value.response["Error"]["Code"] == "InvalidCiphertextException"
    assert alibaba_aws.keys.signing_key(alice.key.access_key_id) is not None


def test_keys_are_listed_per_owner_oldest_first_without_secrets(alibaba_aws: AlibabaAws) -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    first = create_access_key(alibaba_aws.keys, "alice", now=start)
    second = create_access_key(alibaba_aws.keys, "alice", now=start + timedelta(seconds=1))
    bob = create_access_key(alibaba_aws.keys, "bob", now=start)

    alices = list_access_keys(alibaba_aws.keys, "alice")

    assert [k.access_key_id for k in alices] == [first.key.access_key_id, second.key.access_key_id]
    assert {k.owner for k in list_access_keys(alibaba_aws.keys)} == {"alice", "bob"}
    assert bob.key in list_access_keys(alibaba_aws.keys, "bob")


def test_a_revoked_key_stops_at_once_even_after_it_was_used(alibaba_aws: AlibabaAws) -> None:
    created = create_access_key(alibaba_aws.keys, "alice")
    assert alibaba_aws.keys.signing_key(created.key.access_key_id) is not None  # secret now cached

    revoke_access_key(alibaba_aws.keys, created.key.access_key_id)

    assert alibaba_aws.keys.signing_key(created.key.access_key_id) is None
    with pytest.raises(AccessKeyNotFound):
        revoke_access_key(alibaba_aws.keys, created.key.access_key_id)


def test_a_given_pair_is_imported_once(alibaba_aws: AlibabaAws) -> None:
    add_access_key(alibaba_aws.keys, "LTAIlocal", SecretStr("local-secret"), "local")

    with pytest.raises(InvalidParameter):
        add_access_key(alibaba_aws.keys, "LTAIlocal", SecretStr("other-secret"), "mallory")
    with pytest.raises(InvalidParameter):
        add_access_key(alibaba_aws.keys, "bad id!", SecretStr("local-secret"), "local")
    key = alibaba_aws.keys.signing_key("LTAIlocal")
    assert key is not None and key.owner == "local"


def test_nonces_in_dynamodb_are_claimed_once_per_key_until_they_expire(alibaba_aws: AlibabaAws) -> None:
    nonces: DynamoNonceStore = alibaba_aws.nonces
    now = datetime.now(UTC)
    until = now + timedelta(minutes=15)

    assert nonces.claim("LTAIa", "n", now=now, expires_at=until)
    assert not nonces.claim("LTAIa", "n", now=now + timedelta(minutes=14), expires_at=until)
    assert nonces.claim("LTAIb", "n", now=now, expires_at=until)
    # DynamoDB's TTL deletes late: an item whose time has passed must not block.
    assert nonces.claim(
        "LTAIa", "n", now=until + timedelta(seconds=2), expires_at=until + timedelta(minutes=15)
    )


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    status = main(["-v", "keys", *args, "--json"])
    out, err = capsys.readouterr()
    return status, json.loads(out), err


def test_the_cli_creates_lists_and_revokes_and_the_key_signs_sdk_calls_as_its_owner(
    rpc: RpcServer, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="vodcover")

    status, created, err = run_cli(capsys, "create", "--owner", "alice")
    assert status == 0 and "cannot be shown again" in err
    key_id, secret = created["accessKeyId"], created["accessKeySecret"]
    answer = tea_client(rpc.endpoint, key_id, secret).get_video_info(vod.GetVideoInfoRequest(video_id="v"))
    assert answer.body.video.title == "caller:alice"

    status, listed, _ = run_cli(capsys, "list", "--owner", "alice")
    assert status == 0 and [k["accessKeyId"] for k in listed["keys"]] == [key_id]
    assert "accessKeySecret" not in json.dumps(listed) and secret not in json.dumps(listed)

    status, revoked, _ = run_cli(capsys, "revoke", key_id)
    assert (status, revoked) == (0, {"revoked": key_id})
    status, again, _ = run_cli(capsys, "revoke", key_id)
    assert status == 2 and again["error"]["code"] == "InvalidAccessKeyId.NotFound"
    assert secret not in caplog.text


def test_a_pair_imported_again_after_revocation_signs_with_its_new_secret(alibaba_aws: AlibabaAws) -> None:
    add_access_key(alibaba_aws.keys, "LTAIreused", SecretStr("first-secret"), "alice")
    assert alibaba_aws.keys.signing_key("LTAIreused") is not None  # first secret cached
    revoke_access_key(alibaba_aws.keys, "LTAIreused")

    add_access_key(alibaba_aws.keys, "LTAIreused", SecretStr("second-secret"), "bob")

    key = alibaba_aws.keys.signing_key("LTAIreused")
    assert key is not None and (key.owner, key.secret.get_secret_value()) == ("bob", "second-secret")
