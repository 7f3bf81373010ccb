"""Logs, metrics and traces from one place (powertools), so every function reports the same way.

Metrics are CloudWatch EMF lines on stdout, in namespace :data:`NAMESPACE` (the template's
``POWERTOOLS_METRICS_NAMESPACE`` says the same; a test holds them together):

- ``SnapshotsTaken`` (Count), ``BytesRead`` (Bytes): flushed once per invocation;
- ``JobSeconds`` (Seconds) with a ``Job`` dimension, one per job invocation;
- ``Failures`` (Count) with a ``Code`` dimension: stable codes only (:func:`stable_code`);
- ``CoverChanges`` (Count) with a ``Source`` dimension (``user``, ``upload``, ``smart``...).

Traces: X-Ray through powertools ``Tracer``, built on the first traced call and only when
tracing is on (in Lambda, not ``POWERTOOLS_TRACE_DISABLED``) and ``aws_xray_sdk`` is
installed: importing this module never loads the X-Ray SDK, and locally nothing is traced.
"""

from __future__ import annotations

import contextvars
import functools
import importlib.util
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer, single_metric
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

NAMESPACE = "Vodcover"
SERVICE = "vodcover"
# Only AWS calls become subsegments: the keyframe reader's hundreds of range GETs would drown them.
TRACED_MODULES = ("botocore",)

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

Handler = TypeVar("Handler", bound=Callable[..., Any])

_CODE_SHAPE = re.compile(r"[A-Z][A-Za-z0-9]{0,39}(\.[A-Z][A-Za-z0-9]{0,39}){0,2}")
# Codes whose last part names something the caller sent (``InvalidParameter.<Field>``).
_OPEN_CODE_FAMILIES = ("InvalidParameter",)
# Counting happens only inside a handler decorated with observed(): the command line, benchmarks
# and tests that call media or jobs directly neither print EMF nor pile metrics up.
_in_invocation: contextvars.ContextVar[bool] = contextvars.ContextVar("in_invocation", default=False)
_tracer: Tracer | None = None
_tracing: bool | None = None


def bind_video(video_id: str) -> None:
    """Every later log line of this invocation names the video."""
    logger.append_keys(video_id=video_id)


def stable_code(code: str) -> str:
    """``code`` as a metric dimension: a family for open-ended codes, ``Other`` for anything odd."""
    family = code.split(".", 1)[0]
    if family in _OPEN_CODE_FAMILIES:
        return family
    return code if _CODE_SHAPE.fullmatch(code) else "Other"


def count_snapshots(count: int) -> None:
    if _in_invocation.get():
        metrics.add_metric(name="SnapshotsTaken", unit=MetricUnit.Count, value=count)


def count_bytes_read(count: int) -> None:
    """Bytes our own readers took from a source (range reads, tail scans, pulls); not ffmpeg's."""
    if count > 0 and _in_invocation.get():
        metrics.add_metric(name="BytesRead", unit=MetricUnit.Bytes, value=count)


def count_failure(code: str) -> None:
    _emit("Failures", MetricUnit.Count, 1, Code=stable_code(code))


def count_cover_change(source: str) -> None:
    _emit("CoverChanges", MetricUnit.Count, 1, Source=stable_source(source))


def stable_source(source: str) -> str:
    return source if re.fullmatch(r"[a-z]{1,20}", source) else "other"


def _emit(name: str, unit: MetricUnit, value: float, **dimensions: str) -> None:
    """One EMF line with its own dimensions (the shared ``metrics`` has one set for all)."""
    if not _in_invocation.get() or is_metrics_disabled():  # single_metric prints even when off
        return
    with single_metric(name=name, unit=unit, value=value, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="service", value=SERVICE)
        for key, dimension in dimensions.items():
            metric.add_dimension(name=key, value=dimension)


def flush_metrics() -> None:
    """Print what this invocation counted, and forget it even when metrics are off."""
    try:
        if metrics.metric_set and not is_metrics_disabled():
            metrics.flush_metrics()
    finally:
        metrics.clear_metrics()


def tracer() -> Tracer | None:
    """The process's Tracer when tracing is on, else None (built once, on first use)."""
    global _tracer, _tracing
    if _tracing is None:
        # powertools' own rule (off outside Lambda, under SAM local, or POWERTOOLS_TRACE_DISABLED)
        _tracing = not Tracer._is_tracer_disabled() and importlib.util.find_spec("aws_xray_sdk") is not None
        if _tracing:
            _tracer = Tracer(service=SERVICE, patch_modules=TRACED_MODULES)
        elif not Tracer._is_tracer_disabled():
            logger.warning("tracing is on but aws_xray_sdk is not installed; nothing is traced")
    return _tracer


def observed(job: str | None = None) -> Callable[[Handler], Handler]:
    """The handler traced, its metrics flushed; for a ``job``, ``JobSeconds`` and escaped failures.

    Wraps inside ``logger.inject_lambda_context`` so log lines keep their context.
    """

    def decorate(handler: Handler) -> Handler:
        wrapped: list[Callable[..., Any]] = []

        @functools.wraps(handler)
        def run(event: Any, context: Any) -> Any:
            if not wrapped:
                active = tracer()
                # No response in the trace: API answers hold presigned URLs.
                wrapped.append(
                    active.capture_lambda_handler(handler, capture_response=False) if active else handler
                )
            started = time.monotonic()
            token = _in_invocation.set(True)
            try:
                return wrapped[0](event, context)
            except Exception as exc:
                if job is not None:
                    count_failure(getattr(exc, "code", None) or "Internal.Unexpected")
                raise
            finally:
                if job is not None:
                    _emit("JobSeconds", MetricUnit.Seconds, round(time.monotonic() - started, 3), Job=job)
                flush_metrics()
                _in_invocation.reset(token)

        return run  # type: ignore[return-value]

    return decorate


def traced(method: Handler) -> Handler:
    """A job entry point as its own X-Ray subsegment when tracing is on; a plain call otherwise."""
    wrapped: list[Callable[..., Any]] = []

    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        if not wrapped:
            active = tracer()
            wrapped.append(active.capture_method(capture_response=False)(method) if active else method)
        return wrapped[0](*args, **kwargs)

    return run  # type: ignore[return-value]
