"""Run Lambda handlers in this process, the way Lambda would call them.

- :class:`LocalLambda` loads ``functions/<name>/app.py`` by path, calls handlers with a fake
  context, and runs asynchronous invocations in a small pool with Lambda's retry rule (two more
  attempts by default), parking what still fails in :attr:`LocalLambda.failures` (the local
  stand-in for an on-failure destination).
- :class:`S3EventDelivery` polls the queue moto fills with S3 notifications and hands each
  record's message to the function its notification configuration names.

Environment variables are process-global, while Lambda gives each function its own. Functions
share ``Globals``, so :func:`merged_environment` applies the union of all functions' variables
once at start-up; a variable two functions set differently is reported and the first one wins.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import unquote_plus

from vodcover_dev import logger_for
from vodcover_dev.local.emulator import S3Route
from vodcover_dev.local.template import FunctionSpec, Resolver, SamTemplate, UnresolvableValue

logger = logger_for(__name__)

Handler = Callable[[Any, Any], Any]
DEFAULT_RETRY_DELAYS = (1.0, 2.0)  # Lambda waits 1 then 2 minutes; locally seconds will do


class InvokerError(Exception):
    """Base class for the local invoker's own failures (not the handler's)."""


class FunctionNotFound(InvokerError):
    """No function with that logical id, name or ARN in the template."""


class HandlerLoadError(InvokerError):
    """The handler module is missing, fails to import, or lacks the handler function."""


# --- the fake context ------------------------------------------------------------------
@dataclass
class LambdaContext:
    """The attributes and method of Lambda's context object that handlers and powertools use."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    identity: Any = None
    client_context: Any = None
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"local/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# --- the process environment -----------------------------------------------------------
def merged_environment(template: SamTemplate, resolver: Resolver) -> dict[str, str]:
    """Union of every function's resolved variables; parameter knobs already set by the user win.

    A variable whose template value is ``!Ref <Parameter>`` is a knob: if the process
    environment already has it (``VODCOVER_COVER_URL_ALLOW_HOSTS=… vodcover local``), that value
    is kept, as if passed as a parameter override. Resource names are always the local ones.
    A value with no local meaning (a reference to a missing resource) is logged and left unset.
    """
    merged: dict[str, str] = {}
    for spec in template.functions.values():
        for name, raw in spec.environment.items():
            if resolver.is_parameter_ref(raw) and name in os.environ:
                value = os.environ[name]
            else:
                try:
                    value = resolver.resolve_str(raw)
                except UnresolvableValue as exc:
                    # A template being written may name a function that does not exist yet;
                    # the rest of the stack is still useful (cfn-lint reports the error).
                    logger.warning("%s of %s left unset: %s", name, spec.logical_id, exc)
                    continue
            if name in merged and merged[name] != value:
                logger.warning(
                    "%s differs between functions (%r vs %r); locally all functions see %r",
                    name,
                    merged[name],
                    value,
                    merged[name],
                )
                continue
            merged[name] = value
    return merged


class ProcessEnvironment:
    """Apply variables to ``os.environ`` and put every previous value back on :meth:`restore`."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def apply(self, variables: Mapping[str, str | None]) -> None:
        for name, value in variables.items():
            self._saved.setdefault(name, os.environ.get(name))
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()


# --- invocations -----------------------------------------------------------------------
@dataclass(frozen=True)
class FailedInvocation:
    """An asynchronous invocation that failed every attempt (the on-failure destination)."""

    function: str
    event: Any
    error: str
    attempts: int
    request_id: str
    failed_at: float = field(default_factory=time.time)


class LocalLambda:
    """Loads and invokes the template's functions in-process."""

    def __init__(
        self,
        template: SamTemplate,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        max_workers: int = 4,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    ) -> None:
        self.template = template
        self.region = region
        self.account_id = account_id
        self.retry_delays = tuple(retry_delays)
        self.failures: list[FailedInvocation] = []
        self._handlers: dict[str, Handler] = {}
        self._load_lock = threading.Lock()
        # One event at a time per function, as in one Lambda execution environment: handlers keep
        # per-event state in module globals (powertools' resolver holds ``current_event``), so
        # two threads in one module would answer one request with another's body and caller.
        self._run_locks: dict[str, threading.Lock] = {}
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="local-lambda")
        self._busy = 0
        self._idle = threading.Condition()

    # lookup ---------------------------------------------------------------------------
    def spec(self, name: str) -> FunctionSpec:
        """A function by logical id, or by the name/ARN handlers pass to ``lambda:Invoke``."""
        logical_id = name.rsplit(":function:", 1)[-1].split(":", 1)[0]
        try:
            return self.template.functions[logical_id]
        except KeyError:
            raise FunctionNotFound(f"Function not found: {name}") from None

    def function_arn(self, logical_id: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{logical_id}"

    def log_labels(self, name: str, request_id: str | None = None) -> dict[str, Any]:
        """``extra=`` for the stack's own log lines about ``name``: they go through the same
        handlers as the functions' (powertools), which would otherwise stamp them with the
        Lambda context of whichever function ran last."""
        spec = self.spec(name)
        return {
            "function_name": spec.logical_id,
            "function_arn": self.function_arn(spec.logical_id),
            "function_memory_size": spec.memory_size,
            "function_request_id": request_id,  # None drops a stale one from the line
            "cold_start": None,
            "video_id": None,
        }

    def handler(self, logical_id: str) -> Handler:
        """Import the handler once (Lambda's cold start), under a module name of its own."""
        with self._load_lock:
            if logical_id not in self._handlers:
                self._handlers[logical_id] = _load_handler(self.spec(logical_id))
                self._run_locks[logical_id] = threading.Lock()
            return self._handlers[logical_id]

    # invoking -------------------------------------------------------------------------
    def invoke(self, name: str, event: Any, *, request_id: str | None = None) -> Any:
        """Synchronous (``RequestResponse``) invocation; the handler's exception propagates."""
        spec = self.spec(name)
        handler = self.handler(spec.logical_id)
        context = LambdaContext(
            function_name=spec.logical_id,
            memory_limit_in_mb=spec.memory_size,
            invoked_function_arn=self.function_arn(spec.logical_id),
            timeout_seconds=spec.timeout,
            aws_request_id=request_id or str(uuid.uuid4()),
        )
        started = time.monotonic()
        try:
            with self._run_locks[spec.logical_id]:
                return handler(event, context)
        finally:
            elapsed = time.monotonic() - started
            if elapsed > spec.timeout:
                logger.warning(
                    "%s ran %.1fs, beyond its %ss timeout (Lambda would have stopped it)",
                    spec.logical_id,
                    elapsed,
                    spec.timeout,
                    extra=self.log_labels(spec.logical_id, context.aws_request_id),
                )

    def invoke_async(
        self,
        name: str,
        event: Any,
        *,
        on_done: Callable[[bool], None] | None = None,
    ) -> Future[bool]:
        """``InvocationType=Event``: run later in the pool, retry, park on final failure.

        The future resolves to True on success and False once parked; ``on_done`` runs before
        the invocation stops counting as busy (the S3 delivery deletes its message there, so
        :meth:`wait_idle` never sees a gap between "job done" and "message gone").
        """
        spec = self.spec(name)
        with self._idle:
            self._busy += 1
        try:
            return self._pool.submit(self._run_with_retries, spec, event, on_done)
        except RuntimeError:  # pool shut down
            self._done()
            raise

    def _run_with_retries(
        self, spec: FunctionSpec, event: Any, on_done: Callable[[bool], None] | None
    ) -> bool:
        request_id = str(uuid.uuid4())  # Lambda keeps one request id across async retries
        attempts = 1 + spec.max_retry_attempts
        succeeded = False
        error = ""
        try:
            for attempt in range(1, attempts + 1):
                try:
                    self.invoke(spec.logical_id, event, request_id=request_id)
                    succeeded = True
                    break
                except Exception as exc:
                    error = "".join(traceback.format_exception_only(exc)).strip()
                    labels = self.log_labels(spec.logical_id, request_id)
                    logger.warning(
                        "%s failed (attempt %d of %d): %s",
                        spec.logical_id,
                        attempt,
                        attempts,
                        error,
                        extra=labels,
                    )
                    logger.debug("traceback", exc_info=True, extra=labels)
                    if attempt < attempts:
                        time.sleep(self._retry_delay(attempt))
            if not succeeded:
                logger.error(
                    "%s: parking the event after %d attempts",
                    spec.logical_id,
                    attempts,
                    extra=self.log_labels(spec.logical_id, request_id),
                )
                self.failures.append(FailedInvocation(spec.logical_id, event, error, attempts, request_id))
            if on_done is not None:
                on_done(succeeded)
            return succeeded
        finally:
            self._done()

    def _retry_delay(self, attempt: int) -> float:
        if not self.retry_delays:
            return 0.0
        return self.retry_delays[min(attempt, len(self.retry_delays)) - 1]

    def _done(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    # state ----------------------------------------------------------------------------
    @property
    def busy(self) -> int:
        """Asynchronous invocations queued or running."""
        with self._idle:
            return self._busy

    def wait_until_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout=timeout)

    def close(self) -> None:
        """Wait for running jobs, then stop the pool."""
        self._pool.shutdown(wait=True, cancel_futures=False)


def _load_handler(spec: FunctionSpec) -> Handler:
    path = spec.handler_module_path
    if not path.is_file():
        raise HandlerLoadError(f"{spec.logical_id}: {path} does not exist")
    module_name = f"vodcover_local_functions.{spec.logical_id}"
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:
        raise HandlerLoadError(f"{spec.logical_id}: cannot import {path}")
    module: ModuleType = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    try:
        module_spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise HandlerLoadError(f"{spec.logical_id}: importing {path} failed: {exc}") from exc
    handler = getattr(module, spec.handler_function_name, None)
    if not callable(handler):
        raise HandlerLoadError(f"{spec.logical_id}: {path} has no function {spec.handler_function_name}")
    return handler


# --- S3 notifications → functions -----------------------------------------------------
def s3_routes(template: SamTemplate, bucket_logical_id: str) -> list[S3Route]:
    """Every function S3 event on ``bucket_logical_id``, named ``<Function>.<Event>``."""
    return [
        S3Route(f"{spec.logical_id}.{event.name}", spec.logical_id, event)
        for spec, event in template.s3_routes()
        if event.bucket == bucket_logical_id
    ]


class S3EventDelivery:
    """A thread that moves S3 notifications from the queue to the functions they name."""

    POLL_SECONDS = 1  # SQS long poll: wakes at once on a message, bounds how long stop() waits

    def __init__(self, sqs: Any, queue_url: str, routes: Iterable[S3Route], lambda_: LocalLambda) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._routes = {route.configuration_id: route for route in routes}
        self._lambda = lambda_
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="s3-event-delivery", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.POLL_SECONDS + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                response = self._sqs.receive_message(
                    QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=self.POLL_SECONDS
                )
            except Exception:
                if self._stop.is_set():
                    return
                logger.exception("polling the S3 event queue failed; retrying")
                self._stop.wait(1.0)
                continue
            for message in response.get("Messages", []):
                self._dispatch(message)

    def _dispatch(self, message: Mapping[str, Any]) -> None:
        receipt = message["ReceiptHandle"]
        try:
            body = json.loads(message["Body"])
            route = self._route_for(body)
        except (ValueError, KeyError, TypeError, IndexError):
            logger.warning("dropping a message that is no S3 notification: %.200s", message["Body"])
            self._delete(receipt)
            return
        if route is None:
            self._delete(receipt)
            return
        logger.info(
            "S3 %s → %s",
            describe_records(body),
            route.function,
            extra=self._lambda.log_labels(route.function),
        )
        try:
            self._lambda.invoke_async(route.function, body, on_done=lambda _ok: self._delete(receipt))
        except RuntimeError:  # stopping: leave the message, the queue dies with the emulator
            return

    def _route_for(self, body: Mapping[str, Any]) -> S3Route | None:
        """The route S3 chose for this message, or None for TestEvents and non-matching keys."""
        if body.get("Event") == "s3:TestEvent" or not body.get("Records"):
            return None
        record = body["Records"][0]
        route = self._routes.get(record["s3"].get("configurationId", ""))
        key = unquote_plus(record["s3"]["object"]["key"])
        # moto filters too; checking again keeps delivery right even where it would not.
        if route is None or not route.event.matches(record["eventName"], key):
            logger.debug("dropping S3 %s: no matching route", describe_records(body))
            return None
        return route

    def _delete(self, receipt: str) -> None:
        try:
            self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=receipt)
        except Exception:  # the emulator stopped under us
            logger.debug("could not delete a delivered message", exc_info=True)


def describe_records(body: Mapping[str, Any]) -> str:
    return ", ".join(
        f"{r['eventName']} {r['s3']['bucket']['name']}/{unquote_plus(r['s3']['object']['key'])}"
        for r in body.get("Records", [])
    )
