"""Scheduled functions, locally: each ``Schedule`` event of the template runs at its rate.

Deployed, EventBridge invokes them asynchronously; here a thread does the same through
:meth:`LocalLambda.invoke_async`, first soon after start-up (so a stack started after a pause
ends overdue records at once), then every ``rate(...)``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from vodcover_dev import logger_for
from vodcover_dev.local.invoker import LocalLambda
from vodcover_dev.local.template import SamTemplate, function_events

logger = logger_for(__name__)

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
FIRST_RUN_DELAY_SECONDS = 5.0


@dataclass(frozen=True)
class Schedule:
    function: str
    every_seconds: float


def schedules(template: SamTemplate) -> list[Schedule]:
    """Every ``Type: Schedule`` event with a ``rate(...)`` expression (cron ones are not run locally)."""
    found = []
    for logical_id, name, props in function_events(template, "Schedule"):
        expression = str(props.get("Schedule", ""))
        match = _RATE.match(expression)
        if match is None:
            logger.warning("%s.%s: %r is not run locally (rate only)", logical_id, name, expression)
            continue
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]
        found.append(Schedule(logical_id, float(seconds)))
    return found


class ScheduleRunner:
    """A thread that starts each scheduled function at its rate until :meth:`stop`."""

    def __init__(
        self, lambda_: LocalLambda, plan: list[Schedule], *, first_delay: float = FIRST_RUN_DELAY_SECONDS
    ) -> None:
        self._lambda = lambda_
        self._plan = plan
        self._first_delay = first_delay
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-schedules", daemon=True)

    def start(self) -> None:
        if self._plan:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        due = dict.fromkeys((s.function for s in self._plan), self._first_delay)
        every = {s.function: s.every_seconds for s in self._plan}
        while not self._stop.wait(min(due.values())):
            elapsed = min(due.values())
            for function in due:
                due[function] -= elapsed
                if due[function] <= 0:
                    due[function] = every[function]
                    try:
                        self._lambda.invoke_async(function, {"source": "local.schedule"})
                    except RuntimeError:  # stopping: the pool is shut down
                        return
