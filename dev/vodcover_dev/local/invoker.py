"""Run Lambda handlers in this process, the way Lambda would call them.

- :class:`LocalLambda` loads ``functions/<name>/app.py`` by path, calls handlers with a fake
  context, and runs asynchronous invocations in a small pool with Lambda's retry rule (two more
  attempts by default), parking what still fails in :attr:`LocalLambda.failures` (the local
  stand-in for an on-failure destination).

S3 notifications reach functions through :mod:`vodcover_dev.local.s3_delivery`; the functions'
variables are set on the process by :mod:`vodcover_dev.local.process_environment`.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from vodcover_dev import logger_for
from vodcover_dev.function_modules import load_app_module
from vodcover_dev.local.template import FunctionSpec, SamTemplate

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
    try:
        module = load_app_module(path, f"vodcover_local_functions.{spec.logical_id}")
    except Exception as exc:
        raise HandlerLoadError(f"{spec.logical_id}: importing {path} failed: {exc}") from exc
    handler = getattr(module, spec.handler_function_name, None)
    if not callable(handler):
        raise HandlerLoadError(f"{spec.logical_id}: {path} has no function {spec.handler_function_name}")
    return handler
