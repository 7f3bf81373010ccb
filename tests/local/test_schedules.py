"""Scheduled functions run locally at their rate: ``vodcover local`` sweeps overdue uploads too."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from vodcover_dev.local.schedules import Schedule, ScheduleRunner, schedules
from vodcover_dev.local.stack import find_template
from vodcover_dev.local.template import load_template


def test_the_template_schedules_the_upload_sweeper_every_five_minutes() -> None:
    assert schedules(load_template(find_template())) == [Schedule("UploadSweeperFunction", 300.0)]


class RecordingLambda:
    """Stands in for LocalLambda's ``invoke_async`` only: which function ran, and when."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []
        self.lock = threading.Lock()

    def invoke_async(self, name: str, event: Any) -> None:
        with self.lock:
            self.calls.append((name, time.monotonic()))


def test_each_scheduled_function_runs_soon_after_start_then_at_its_rate() -> None:
    recorder = RecordingLambda()
    runner = ScheduleRunner(
        recorder,  # type: ignore[arg-type]
        [Schedule("Often", 0.2), Schedule("Seldom", 60.0)],
        first_delay=0.05,
    )
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with recorder.lock:
                if sum(1 for name, _ in recorder.calls if name == "Often") >= 3:
                    break
            time.sleep(0.05)
    finally:
        runner.stop()
    names = [name for name, _ in recorder.calls]
    assert names.count("Often") >= 3
    assert names.count("Seldom") == 1  # its first run only: the next is a minute away
    often = [moment for name, moment in recorder.calls if name == "Often"]
    assert all(later - earlier >= 0.15 for earlier, later in itertools.pairwise(often))
    count = len(recorder.calls)
    time.sleep(0.5)
    assert len(recorder.calls) == count  # stopped means stopped
