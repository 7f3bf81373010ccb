"""The Alibaba-compatible pieces on moto over real HTTP: KMS, the keys and nonces tables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
import requests
from pydantic import SecretStr

from tests.support.alibaba_rpc import RpcServer, serve_rpc
from vodcover.compat.alibaba.key_management import add_access_key
from vodcover.compat.alibaba.key_store import KmsAccessKeyStore, keys_table_definition
from vodcover.compat.alibaba.nonce_store import TTL_SPECIFICATION, DynamoNonceStore, nonces_table_definition
from vodcover.compat.alibaba.verifier import AlibabaVerifier
from vodcover.dal.aws import reset_clients
from vodcover.settings import AlibabaSettings, reset_settings, settings_for

LOCAL_KEY_ID = "LTAIlocal"
LOCAL_SECRET = "local-secret"
LOCAL_OWNER = "local"
REGION = "cn-shanghai"


@dataclass(frozen=True)
class AlibabaAws:
    keys: KmsAccessKeyStore
    nonces: DynamoNonceStore
    keys_table: str
    kms_key_arn: str


@pytest.fixture
def alibaba_aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AlibabaAws]:
    """A fresh moto (one KMS key, both tables), reached over HTTP as deployed code reaches AWS."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    reset_clients()
    reset_settings()
    settings = settings_for(AlibabaSettings)
    kms = boto3.client("kms", endpoint_url=moto_endpoint)
    key_arn = kms.create_key(Description="vodcover Alibaba access keys")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=settings.alibaba_keys_kms_key, TargetKeyId=key_arn)
    dynamodb = boto3.client("dynamodb", endpoint_url=moto_endpoint)
    dynamodb.create_table(**keys_table_definition(settings.alibaba_keys_table))
    dynamodb.create_table(**nonces_table_definition(settings.alibaba_nonces_table))
    dynamodb.update_time_to_live(
        TableName=settings.alibaba_nonces_table, TimeToLiveSpecification=TTL_SPECIFICATION
    )
    yield AlibabaAws(
        KmsAccessKeyStore.from_settings(settings),
        DynamoNonceStore(settings.alibaba_nonces_table),
        settings.alibaba_keys_table,
        key_arn,
    )
    reset_clients()


@pytest.fixture
def local_key(alibaba_aws: AlibabaAws) -> str:
    """The local stack's default pair, owned by the default caller."""
    add_access_key(alibaba_aws.keys, LOCAL_KEY_ID, SecretStr(LOCAL_SECRET), LOCAL_OWNER)
    return LOCAL_KEY_ID


@pytest.fixture
def rpc(alibaba_aws: AlibabaAws, local_key: str) -> Iterator[RpcServer]:
    """The real verifier (KMS keys, DynamoDB nonces) behind a loopback HTTP server."""
    with serve_rpc(AlibabaVerifier(alibaba_aws.keys, alibaba_aws.nonces)) as server:
        yield server
