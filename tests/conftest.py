"""Fixtures every suite shares: fake AWS credentials, and AWS mocked by moto in-process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from moto import mock_aws

from vodcover import dependencies
from vodcover_dev.local.atomic_writes import make_moto_dynamodb_writes_atomic

# Real DynamoDB's conditional writes are atomic; make moto's so too (see the module's docstring).
make_moto_dynamodb_writes_atomic()

TEST_BUCKET = "vodcover-test-media"
TEST_TABLE = "vodcover-test-videos"
TEST_REGION = "us-east-1"


@pytest.fixture(autouse=True)
def fake_aws_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test ever reaches a real AWS account, whatever the machine has configured."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": TEST_REGION,
        "AWS_REGION": TEST_REGION,
        "VODCOVER_MEDIA_BUCKET": TEST_BUCKET,
        "VODCOVER_VIDEOS_TABLE": TEST_TABLE,
        "VODCOVER_EVENT_BUS": "default",
        # The functions one function starts or invokes, by logical id as the local stack names them.
        "VODCOVER_SCREENSHOT_FUNCTION": "ScreenshotFunction",
        "VODCOVER_PULL_WORKER_FUNCTION": "PullWorkerFunction",
        "VODCOVER_SMART_COVER_FUNCTION": "SmartCoverFunction",
        "VODCOVER_COVER_MEDIA_FUNCTION": "CoverMediaFunction",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_DEV": "false",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    dependencies.reset()
    yield
    dependencies.reset()


def create_videos_table(dynamodb: Any, name: str = TEST_TABLE) -> None:
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "videoId", "AttributeType": "S"},
            {"AttributeName": "owner", "AttributeType": "S"},
            {"AttributeName": "createdAt", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "videoId", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byOwner",
                "KeySchema": [
                    {"AttributeName": "owner", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


@pytest.fixture
def aws() -> Iterator[None]:
    """moto's mock_aws with the media bucket and the Videos table created, before any client."""
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket=TEST_BUCKET)
        create_videos_table(boto3.client("dynamodb"))
        dependencies.reset()
        yield


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """moto as a real HTTP server on loopback, for code that reads presigned URLs (ffmpeg does).

    Module-scoped: moto keeps its state per process, and the local stack (tests/integration,
    tests/local) starts and resets its own server, so none may outlive the module using it.
    """
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)  # whatever an earlier module left
    try:
        yield endpoint
    finally:
        requests.post(f"{endpoint}/moto-api/reset", timeout=10)
        server.stop()


@pytest.fixture
def aws_server(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The media bucket and videos table on the moto server, empty again after each test."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    dependencies.reset()
    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket=TEST_BUCKET)
    create_videos_table(boto3.client("dynamodb", endpoint_url=moto_endpoint))
    yield
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)


@pytest.fixture
def cover_media_function(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The template's CoverMediaFunction behind the local Lambda ``Invoke`` endpoint.

    The covers API invokes it synchronously, as deployed: the real handler runs in process.
    """
    from pathlib import Path

    from vodcover_dev.local.invoker import LocalLambda
    from vodcover_dev.local.lambda_endpoint import LambdaEndpoint
    from vodcover_dev.local.template import load_template

    endpoint = LambdaEndpoint(
        LocalLambda(load_template(Path(__file__).resolve().parents[1] / "template.yaml"))
    )
    endpoint.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint.endpoint)
    dependencies.reset()
    try:
        yield
    finally:
        endpoint.stop()
