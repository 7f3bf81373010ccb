"""S3 notifications to functions: what S3 → Lambda triggers do, over moto's notification queue.

moto fills a queue with the bucket's notifications (the template's S3 events, routed by
:func:`vodcover_dev.local.emulator.route_s3_events`); :class:`S3EventDelivery` polls it and hands
each message to the function its configuration id names, asynchronously, as S3 does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus

from vodcover_dev import logger_for
from vodcover_dev.local.emulator import S3Route
from vodcover_dev.local.invoker import LocalLambda
from vodcover_dev.local.template import SamTemplate

logger = logger_for(__name__)


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
