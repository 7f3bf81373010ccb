"""The short soak (``bench/soak.py --short``) in ``make test``: concurrent signed clients on shared
videos, then every video checked against the acknowledged writes. ``make soak`` runs the long one.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vodcover import dependencies

pytestmark = [pytest.mark.integration, pytest.mark.media]

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


@pytest.fixture(autouse=True)
def fake_aws_environment() -> Iterator[None]:
    """The stack the soak starts owns the process environment while it runs."""
    dependencies.reset()
    yield
    dependencies.reset()


def load_soak() -> Any:
    spec = importlib.util.spec_from_file_location("vodcover_bench_soak", SOAK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_concurrent_clients_lose_nothing_and_corrupt_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    soak = load_soak()

    report = soak.soak(**soak.SHORT)

    with capsys.disabled():
        print(
            f"\nload (short): {report.clients} clients {report.seconds}s, {report.requests} requests, "
            f"{report.requests_per_second} req/s, p50 {report.p50_ms} ms, p99 {report.p99_ms} ms, "
            f"{report.errors} errors, {report.acknowledged_writes} acknowledged writes, "
            f"{report.lost_updates} lost updates, {report.corrupt_records} corrupt records"
        )
    assert report.problems == []
    assert (report.errors, report.lost_updates, report.corrupt_records) == (0, 0, 0)
    # enough contended writes to mean something; how many fit in the seconds is speed, not asserted
    assert report.acknowledged_writes > 20
