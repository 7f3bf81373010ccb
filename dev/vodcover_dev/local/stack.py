"""``LocalStack``: the whole deployed shape on one machine, read from ``template.yaml``.

It composes the embedded AWS (moto: S3, DynamoDB, SQS, EventBridge), the in-process Lambda
(handlers, S3 event delivery, async invocations), the Lambda ``Invoke`` stand-in that product
code reaches through plain boto3, and the SigV4-checking API front. Use it as a context
manager; :meth:`LocalStack.wait_idle` waits until every triggered job has finished.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from vodcover.compat.alibaba.keys import GivenKeyPair
from vodcover.settings import WebhookSettings, reset_settings
from vodcover_dev import logger_for
from vodcover_dev.console_proxy import ConsoleProxy, static_credentials
from vodcover_dev.local import alibaba_keys as alibaba_keys_module
from vodcover_dev.local.api_routes import Router
from vodcover_dev.local.bus_delivery import BusDelivery, bus_rules
from vodcover_dev.local.emulator import (
    AwsEmulator,
    allow_browser_origins,
    create_event_queue,
    create_media_bucket,
    create_table,
    queue_depth,
    route_s3_events,
)
from vodcover_dev.local.http_front import ApiFront
from vodcover_dev.local.invoker import DEFAULT_RETRY_DELAYS, FailedInvocation, LocalLambda
from vodcover_dev.local.lambda_endpoint import LambdaEndpoint
from vodcover_dev.local.media_route import MEDIA_PREFIX, MediaRoute
from vodcover_dev.local.process_environment import ProcessEnvironment, merged_environment
from vodcover_dev.local.rpc_front import rpc_function
from vodcover_dev.local.s3_delivery import S3EventDelivery, s3_routes
from vodcover_dev.local.schedules import ScheduleRunner, schedules
from vodcover_dev.local.sigv4 import SigV4Verifier
from vodcover_dev.local.template import SamTemplate, TemplateError, load_template
from vodcover_dev.local.template_values import LocalNames, Resolver

logger = logger_for(__name__)

DEFAULT_USERS: Mapping[str, str] = {"local": "local-secret"}
DEFAULT_BUCKET = "vodcover-media"
DEFAULT_TABLE = "vodcover-videos"
WEBHOOKS_TABLE_ID = "WebhooksTable"
WEBHOOKS_TABLE = WebhookSettings.model_construct().webhooks_table
EVENT_QUEUE = "vodcover-local-s3-events"
CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"


class StackError(Exception):
    """The local stack could not start."""


class StackNotIdle(TimeoutError):
    """Jobs were still queued or running when :meth:`LocalStack.wait_idle` gave up."""


def find_template(start: Path | None = None) -> Path:
    """``template.yaml`` in the working directory or a parent, else the one beside this package.

    The package sits in ``dev/vodcover_dev`` of the repository, so an editable install
    finds the repository's template from anywhere.
    """
    base = (start or Path.cwd()).resolve()
    candidates = [d / "template.yaml" for d in (base, *base.parents)]
    candidates.append(Path(__file__).resolve().parents[3] / "template.yaml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise TemplateError("no template.yaml in the working directory, its parents or the repository")


class LocalStack:
    """Everything ``vodcover local``, the demo and integration tests run against."""

    def __init__(
        self,
        template: str | Path | SamTemplate | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        s3_port: int = 0,
        users: Mapping[str, str] | None = None,
        bucket: str = DEFAULT_BUCKET,
        table: str = DEFAULT_TABLE,
        region: str = "us-east-1",
        parameter_overrides: Mapping[str, str] | None = None,
        max_workers: int = 4,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        console_dir: Path = CONSOLE_DIR,
        console_user: str | None = None,
        alibaba_keys: Sequence[GivenKeyPair] = (),
    ) -> None:
        self.template = (
            template if isinstance(template, SamTemplate) else load_template(template or find_template())
        )
        self.host = host
        self.users = dict(users if users is not None else DEFAULT_USERS)
        self.bucket = bucket
        self.table = table
        self.region = region
        # Alibaba-signed callers (docs/alibaba.md): LTAIlocal/local-secret as `local`, plus these.
        self.alibaba_keys = [alibaba_keys_module.DEFAULT_KEY, *alibaba_keys]
        self.console_user = console_user or next(iter(self.users))
        if self.console_user not in self.users:
            raise StackError(f"the console user {self.console_user!r} is not one of the configured users")
        self._bucket_id = _pick(self.template.buckets, "MediaBucket", "bucket")
        self._table_id = _pick(tuple(self.template.tables), "VideosTable", "table")
        self.resolver = Resolver(
            self.template,
            LocalNames(
                region=region,
                resources={
                    self._bucket_id: bucket,
                    self._table_id: table,
                    WEBHOOKS_TABLE_ID: WEBHOOKS_TABLE,
                    **alibaba_keys_module.LOCAL_NAMES,
                },
            ),
            parameter_overrides,
        )
        self.emulator = AwsEmulator(host, s3_port, region)
        self.lambda_ = LocalLambda(
            self.template, region=region, max_workers=max_workers, retry_delays=retry_delays
        )
        self.api = ApiFront(
            Router.from_template(self.template),
            SigV4Verifier(self.users, region=region),
            self.lambda_,
            console_dir=console_dir,
            rpc_function=rpc_function(self.template),
            # The page holds no secrets: its API calls are signed here, as the console user.
            console_proxy=ConsoleProxy(
                lambda: self.api.endpoint,
                static_credentials(self.console_user, self.users[self.console_user]),
                region=region,
            ),
            # <api>/media/<key>: the CDN's stand-in, and what answers point at (media_base_url).
            media=MediaRoute(lambda: self.client("s3"), bucket),
            host=host,
            port=port,
        )
        self.lambda_endpoint = LambdaEndpoint(self.lambda_, host=host)
        self._environment = ProcessEnvironment()
        self._delivery: S3EventDelivery | None = None
        self._bus: BusDelivery | None = None  # EventBridgeRule events (webhook delivery)
        self._schedules = ScheduleRunner(self.lambda_, schedules(self.template))  # the upload sweeper
        self._queue_url = ""
        self._sqs: Any = None
        self._started = False

    # lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> LocalStack:
        """Start every part; on any failure stop what already runs and re-raise."""
        started = time.monotonic()
        self._started = True
        try:
            self.api.bind()  # the port is taken (and known) now, but accepts nothing yet
            self.emulator.start()
            self.lambda_endpoint.start()
            self._provision()
            self._apply_environment()
            self._delivery = S3EventDelivery(
                self._sqs, self._queue_url, s3_routes(self.template, self._bucket_id), self.lambda_
            )
            self._delivery.start()
            self._bus = BusDelivery(self.client, bus_rules(self.template, self.resolver), self.lambda_)
            self._bus.start()
            self._schedules.start()
            self.api.ready()
            self.api.start()  # last: the first request that gets through finds everything ready
        except BaseException:
            self.stop()
            raise
        logger.info("local stack up in %.2fs", time.monotonic() - started)
        return self

    def stop(self) -> None:
        """Stop threads and servers in dependency order; safe to call twice."""
        if not self._started:
            return
        self._started = False
        if self._delivery is not None:
            self._delivery.stop()
        if self._bus is not None:
            self._bus.stop()
        self._schedules.stop()
        self.lambda_.close()  # running jobs still need the emulator
        self.api.stop()
        self.lambda_endpoint.stop()
        self._environment.restore()
        forget_cached_wiring()
        self.emulator.stop()

    def _provision(self) -> None:
        create_media_bucket(self.client("s3"), self.bucket)
        allow_browser_origins(self.client("s3"), self.bucket, self.api.allowed_origins)
        create_table(self.client("dynamodb"), self.template.table(self._table_id), self.table)
        if WEBHOOKS_TABLE_ID in self.template.tables:
            create_table(self.client("dynamodb"), self.template.table(WEBHOOKS_TABLE_ID), WEBHOOKS_TABLE)
        self._sqs = self.client("sqs")
        self._queue_url, queue_arn = create_event_queue(self._sqs, EVENT_QUEUE)
        route_s3_events(self.client("s3"), self.bucket, queue_arn, s3_routes(self.template, self._bucket_id))
        if self.api.rpc_function is not None:
            alibaba_keys_module.provision(self.client)

    def _apply_environment(self) -> None:
        """What handlers see: the emulator, the Invoke stand-in, and the template's variables."""
        self._environment.apply(self.emulator.environment())
        self._environment.apply({"AWS_ENDPOINT_URL_LAMBDA": self.lambda_endpoint.endpoint})
        self._environment.apply(merged_environment(self.template, self.resolver))
        self._environment.apply({"VODCOVER_CDN_BASE_URL": self.media_base_url})
        forget_cached_wiring()
        if self.api.rpc_function is not None:
            alibaba_keys_module.import_keys(self.alibaba_keys)

    # access ---------------------------------------------------------------------------
    @property
    def api_endpoint(self) -> str:
        return self.api.endpoint

    @property
    def media_base_url(self) -> str:
        """Where answers point derived images: ``CdnBaseUrl`` when given, else ``<api>/media``
        (the deployed stack's CloudFront domain has no local meaning)."""
        own = self.resolver.parameter("CdnBaseUrl") if "CdnBaseUrl" in self.template.parameters else ""
        return own or f"{self.api.endpoint}{MEDIA_PREFIX.rstrip('/')}"

    @property
    def s3_endpoint(self) -> str:
        return self.emulator.endpoint_url

    @property
    def console_url(self) -> str:
        return f"{self.api.endpoint}/console/"

    @property
    def failures(self) -> list[FailedInvocation]:
        """Asynchronous invocations that failed every retry (the on-failure destination)."""
        return self.lambda_.failures

    def client(self, service: str) -> Any:
        """A boto3 client on the embedded AWS (S3, DynamoDB, SQS, EventBridge…)."""
        return self.emulator.client(service)

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Call a function synchronously, as ``InvocationType=RequestResponse`` would."""
        return self.lambda_.invoke(logical_id, event)

    def invoke_async(self, logical_id: str, event: Any) -> None:
        """Start a function like ``InvocationType=Event``: retried, parked on failure."""
        self.lambda_.invoke_async(logical_id, event)

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Block until no S3 event is queued or in progress and no async invocation runs."""
        deadline = time.monotonic() + timeout
        while True:
            depth = queue_depth(self._sqs, self._queue_url)
            busy = self.lambda_.busy
            if depth == 0 and busy == 0:
                return
            if time.monotonic() > deadline:
                raise StackNotIdle(
                    f"after {timeout}s: {depth} S3 event(s) queued, {busy} invocation(s) running"
                )
            time.sleep(0.05)

    def describe(self) -> str:
        """What a user needs to talk to the stack: endpoints, credentials, an example call."""
        access_key, secret = next(iter(self.users.items()))
        lines = [
            f"API endpoint   {self.api_endpoint}",
            f"Console        {self.console_url}   (API calls signed as {self.console_user})",
            f"S3 endpoint    {self.s3_endpoint}   (bucket {self.bucket}, any credentials)",
            f"DynamoDB       {self.s3_endpoint}   (table {self.table})",
            f"Region         {self.region}",
            "Callers        " + ", ".join(f"{key}:{value}" for key, value in self.users.items()),
            "Alibaba keys   "
            + ", ".join(
                f"{k.access_key_id}:{k.secret.get_secret_value()} ({k.owner})" for k in self.alibaba_keys
            )
            + f"   (RPC at {self.api_endpoint}/, docs/alibaba.md)",
            "",
            "Try:",
            f"  vodcover upload video.mp4 --endpoint {self.api_endpoint} --user '{access_key}:{secret}'",
            f"  curl --aws-sigv4 'aws:amz:{self.region}:execute-api' --user '{access_key}:{secret}' \\",
            f"       {self.api_endpoint}/videos",
        ]
        return "\n".join(lines)


def forget_cached_wiring() -> None:
    """Drop settings and clients built from the environment the stack just changed."""
    try:
        from vodcover import dependencies
    except ImportError:  # pragma: no cover - a package without the data access layer
        reset_settings()
    else:
        dependencies.reset()


def _pick(logical_ids: tuple[str, ...], preferred: str, kind: str) -> str:
    if preferred in logical_ids:
        return preferred
    if len(logical_ids) == 1:
        return logical_ids[0]
    raise StackError(
        f"the template needs a {kind} named {preferred} (found {', '.join(logical_ids) or 'none'})"
    )


__all__ = ["DEFAULT_USERS", "LocalStack", "StackError", "StackNotIdle", "find_template"]
