"""One local stack for the whole ``tests/local`` package, on the fixture template.

The stack owns the process environment while it runs (fake credentials, ``AWS_ENDPOINT_URL``),
so the suite-wide ``fake_aws_environment`` fixture, which would unset the endpoint for each
test, is replaced here by one that only forgets cached clients.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.local.fixtures.recorder import CALLS
from tests.support.sigv4 import SigV4Auth
from vodcover import dependencies
from vodcover_dev.local.stack import LocalStack

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_TEMPLATE = FIXTURES / "template.yaml"
USERS = {"local": "local-secret", "alice": "alice-secret"}


@pytest.fixture(autouse=True)
def fake_aws_environment() -> Iterator[None]:
    dependencies.reset()
    yield
    dependencies.reset()


@pytest.fixture(scope="package")
def console_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("console")
    (directory / "index.html").write_text("<!doctype html><title>vodcover</title>", encoding="utf-8")
    return directory


@pytest.fixture(scope="package")
def stack(console_dir: Path) -> Iterator[LocalStack]:
    """The running stack; retries are immediate so failure tests stay fast."""
    with LocalStack(
        FIXTURE_TEMPLATE, users=USERS, retry_delays=(0.0, 0.0), console_dir=console_dir
    ) as running:
        yield running


@pytest.fixture
def calls(stack: LocalStack) -> Iterator[object]:
    """What the fixture handlers received during this test only."""
    stack.wait_idle(10)
    CALLS.clear()
    yield CALLS
    stack.wait_idle(10)


@pytest.fixture
def signed(stack: LocalStack) -> requests.Session:
    """A requests session signing as the default local user."""
    session = requests.Session()
    session.auth = SigV4Auth("local", USERS["local"])
    return session
