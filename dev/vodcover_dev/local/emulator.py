"""The embedded AWS: moto's server on a loopback port, provisioned from the template.

moto runs in this process (a thread), so it needs no Docker and starts in well under a second.
Handlers reach it over real HTTP through ``AWS_ENDPOINT_URL``, exactly as deployed code reaches
AWS, so nothing in the product knows it is running locally. moto keeps its state in
process-global backends: there is one emulator per process, reset when it starts and stops.
"""

from __future__ import annotations

import logging
import socket
import threading
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from vodcover_dev import logger_for
from vodcover_dev.local.template import S3Event, TableSpec

logger = logger_for(__name__)

FAKE_ACCESS_KEY = "testing"
FAKE_SECRET_KEY = "testing"  # noqa: S105 - moto accepts any credentials; these are not secrets
DEFAULT_REGION = "us-east-1"
# Long enough that a message never reappears while its (slow, retried) job is still running:
# the delivery thread deletes it itself after success or parking.
EVENT_QUEUE_VISIBILITY_SECONDS = 43_200


class EmulatorError(Exception):
    """The embedded AWS could not start or be provisioned."""


class PortInUse(EmulatorError, OSError):
    """The port asked for is taken (another ``vodcover local``?)."""


class EmulatorAlreadyRunning(EmulatorError):
    """moto's state is process-global, so two emulators in one process would share it."""


@dataclass(frozen=True)
class S3Route:
    """An S3 notification configuration that stands for one function's ``S3`` event."""

    configuration_id: str
    function: str  # logical id
    event: S3Event


class AwsEmulator:
    """moto's ``ThreadedMotoServer`` plus boto3 clients pointed at it."""

    _lock = threading.Lock()
    _running: AwsEmulator | None = None

    def __init__(self, host: str = "127.0.0.1", port: int = 0, region: str = DEFAULT_REGION) -> None:
        self.host = host
        self.port = port
        self.region = region
        self._server: Any = None
        self._session = boto3.session.Session()  # one session: service models load once
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    # lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        from moto.server import ThreadedMotoServer  # lazy: moto is an optional (local) extra

        from vodcover_dev.local.atomic_writes import make_moto_dynamodb_writes_atomic

        make_moto_dynamodb_writes_atomic()  # conditional writes as atomic as real DynamoDB's

        with AwsEmulator._lock:
            if AwsEmulator._running is not None:
                raise EmulatorAlreadyRunning("an embedded AWS emulator already runs in this process")
            AwsEmulator._running = self
        # werkzeug installs its own INFO handler unless a level is set; one line per S3/SQS
        # request would drown the stack's own output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        try:
            _check_port_free(self.host, self.port)
            self._server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
            self._server.start()
            self.port = int(self._server.get_host_and_port()[1])
            self.reset()
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        if self._server is not None:
            try:
                self.reset()
            except OSError:  # pragma: no cover - server already gone
                logger.debug("moto reset on stop failed", exc_info=True)
            self._server.stop()
            self._server = None
        with AwsEmulator._lock:
            if AwsEmulator._running is self:
                AwsEmulator._running = None

    def reset(self) -> None:
        """Forget every bucket, table and queue (moto's backends outlive a server in-process)."""
        url = f"{self.endpoint_url}/moto-api/reset"
        request = urllib.request.Request(url, method="POST")  # noqa: S310 - our own loopback URL
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass

    # access ---------------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` on the emulator, independent of the environment.

        Clients are cached per service (boto3 clients are thread-safe; sessions are not, hence
        the lock around creation).
        """
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = self._session.client(
                    service,
                    endpoint_url=self.endpoint_url,
                    region_name=self.region,
                    aws_access_key_id=FAKE_ACCESS_KEY,
                    aws_secret_access_key=FAKE_SECRET_KEY,
                    config=_client_config(service),
                )
            return self._clients[service]

    def environment(self) -> dict[str, str | None]:
        """What handlers' environment needs so that plain ``boto3.client("s3")`` lands here.

        ``None`` removes a variable: a user's ``AWS_PROFILE`` must not steer handlers to a
        real account (or fail on a profile moto has never heard of).
        """
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
            "AWS_SESSION_TOKEN": None,
            "AWS_PROFILE": None,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }


def _client_config(service: str) -> Config:
    retries: Any = {"max_attempts": 2, "mode": "standard"}
    if service == "s3":  # presigned URLs handed to ffmpeg and browsers: SigV4, path style
        return Config(retries=retries, signature_version="s3v4", s3={"addressing_style": "path"})
    return Config(retries=retries)


def _check_port_free(host: str, port: int) -> None:
    """moto binds in its own thread and would wait forever on a busy port: check first."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


# --- provisioning ----------------------------------------------------------------------
def create_media_bucket(s3: Any, bucket: str) -> None:
    s3.create_bucket(Bucket=bucket)


def allow_browser_origins(s3: Any, bucket: str, cors_origins: Iterable[str]) -> None:
    """CORS on the bucket, so the console (another origin than S3) can PUT presigned uploads."""
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": sorted(set(cors_origins)),
                    "AllowedMethods": ["GET", "HEAD", "PUT", "POST"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 600,
                }
            ]
        },
    )


def create_table(dynamodb: Any, spec: TableSpec, table_name: str) -> None:
    dynamodb.create_table(**spec.create_table_kwargs(table_name))
    dynamodb.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.1})


def create_event_queue(sqs: Any, queue_name: str) -> tuple[str, str]:
    """The queue S3 notifications land in; returns (url, arn)."""
    url = sqs.create_queue(
        QueueName=queue_name,
        Attributes={"VisibilityTimeout": str(EVENT_QUEUE_VISIBILITY_SECONDS)},
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def route_s3_events(s3: Any, bucket: str, queue_arn: str, routes: Iterable[S3Route]) -> None:
    """One queue configuration per function S3 event, with the template's key filter.

    The configuration id names the route, so the delivery thread knows which function a record
    is for the way S3 knows which Lambda to call. moto sends an ``s3:TestEvent`` right away.
    """
    configurations = [
        {
            "Id": route.configuration_id,
            "QueueArn": queue_arn,
            "Events": list(route.event.events),
            **_key_filter(route.event),
        }
        for route in routes
    ]
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": configurations}
    )


def _key_filter(event: S3Event) -> Mapping[str, Any]:
    rules = [{"Name": n, "Value": v} for n, v in (("prefix", event.prefix), ("suffix", event.suffix)) if v]
    return {"Filter": {"Key": {"FilterRules": rules}}} if rules else {}


def queue_depth(sqs: Any, queue_url: str) -> int:
    """Messages waiting plus messages received but not yet deleted (jobs in progress)."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )
