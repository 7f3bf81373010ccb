"""EventBridge rules to functions: what ``Type: EventBridgeRule`` events do, over moto's bus.

For each such event in the template, a rule with its ``Pattern`` on its bus targets a queue of
its own (moto delivers matching ``PutEvents`` there, in EventBridge's envelope: ``id``,
``time``, ``detail-type``, ``source``, ``detail``); :class:`BusDelivery` polls the queues and
invokes the function asynchronously with that envelope, as EventBridge does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vodcover_dev import logger_for
from vodcover_dev.local.invoker import LocalLambda
from vodcover_dev.local.template import SamTemplate, function_events
from vodcover_dev.local.template_values import Resolver

logger = logger_for(__name__)


@dataclass(frozen=True)
class BusRule:
    function: str
    name: str  # <Function>-<Event>, the rule's and the queue's name
    bus: str
    pattern: Mapping[str, Any]


def bus_rules(template: SamTemplate, resolver: Resolver) -> list[BusRule]:
    """Every ``Type: EventBridgeRule`` event of the template's functions."""
    found = []
    for logical_id, name, props in function_events(template, "EventBridgeRule"):
        bus = resolver.resolve_str(props.get("EventBusName", "default"))
        found.append(BusRule(logical_id, f"{logical_id}-{name}", bus, resolver.resolve(props["Pattern"])))
    return found


class BusDelivery:
    """Rules, queues and a thread that moves matched events to their functions."""

    POLL_SECONDS = 1

    def __init__(self, client: Callable[[str], Any], rules: list[BusRule], lambda_: LocalLambda) -> None:
        self._client = client
        self._rules = rules
        self._lambda = lambda_
        self._queues: dict[str, str] = {}  # queue URL → function
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bus-delivery", daemon=True)

    def start(self) -> None:
        if not self._rules:
            return
        sqs, events = self._client("sqs"), self._client("events")
        for rule in self._rules:
            url = sqs.create_queue(QueueName=f"vodcover-local-{rule.name}")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            events.put_rule(Name=rule.name, EventPattern=json.dumps(rule.pattern), EventBusName=rule.bus)
            events.put_targets(Rule=rule.name, EventBusName=rule.bus, Targets=[{"Id": "local", "Arn": arn}])
            self._queues[url] = rule.function
        self._sqs = sqs
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.POLL_SECONDS * len(self._queues) + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            for url, function in self._queues.items():
                try:
                    answer = self._sqs.receive_message(
                        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=self.POLL_SECONDS
                    )
                except Exception:
                    if self._stop.is_set():
                        return
                    logger.exception("polling the bus queue failed; retrying")
                    self._stop.wait(1.0)
                    continue
                for message in answer.get("Messages", []):
                    self._dispatch(url, function, message)

    def _dispatch(self, url: str, function: str, message: Mapping[str, Any]) -> None:
        receipt = message["ReceiptHandle"]
        try:
            event = json.loads(message["Body"])
        except ValueError:
            logger.warning("dropping a bus message that is not JSON: %.200s", message["Body"])
            self._delete(url, receipt)
            return
        logger.info(
            "bus %s → %s", event.get("detail-type"), function, extra=self._lambda.log_labels(function)
        )
        try:
            self._lambda.invoke_async(function, event, on_done=lambda _ok: self._delete(url, receipt))
        except RuntimeError:  # stopping
            return

    def _delete(self, url: str, receipt: str) -> None:
        try:
            self._sqs.delete_message(QueueUrl=url, ReceiptHandle=receipt)
        except Exception:
            logger.debug("could not delete a delivered bus message", exc_info=True)
