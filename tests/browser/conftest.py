"""A real browser (Debian's Chromium, driven by Playwright) against one local stack.

The suite skips, with the reason, when Chromium or Playwright is missing
(``scripts/install_browser.sh`` installs Chromium; Playwright comes with the ``dev`` extra and
never downloads a browser here). The stack owns the process environment while it runs, so the
suite-wide ``fake_aws_environment`` fixture is replaced by one that only forgets cached clients,
as in ``tests/local``.
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.sigv4 import SigV4Auth
from vodcover import dependencies
from vodcover_dev.local.stack import LocalStack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
USERS = {"local": "local-secret", "alice": "alice-secret"}
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 812}
PROCESSING_TIMEOUT_MS = 60_000


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: run scripts/install_browser.sh (as root) to install Debian's chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -e '.[dev]'"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def fake_aws_environment() -> Iterator[None]:
    dependencies.reset()
    yield
    dependencies.reset()


@pytest.fixture(scope="package")
def stack() -> Iterator[LocalStack]:
    """The real template's stack; the console signs as ``local``."""
    with LocalStack(users=USERS) as running:
        yield running


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Console:
    """A page on the console, plus what the browser complained about."""

    page: Any
    url: str
    errors: list[str]

    def open(self, route: str = "#/") -> Any:
        self.page.goto(self.url + route)
        self.page.locator("h1").first.wait_for()
        return self.page


def _console(browser: Any, stack: LocalStack, viewport: dict[str, int]) -> Iterator[Console]:
    context = browser.new_context(viewport=viewport, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console {message.type}: {message.text}")
            if message.type == "error" and "status of 4" not in message.text
            else None
        ),
    )
    yield Console(page, stack.console_url, errors)
    context.close()
    assert not errors, "the page logged errors:\n" + "\n".join(errors)


@pytest.fixture
def console(browser: Any, stack: LocalStack) -> Iterator[Console]:
    yield from _console(browser, stack, DESKTOP)


@pytest.fixture
def phone(browser: Any, stack: LocalStack) -> Iterator[Console]:
    yield from _console(browser, stack, PHONE)


# --- media and seeding ---------------------------------------------------------------------
@pytest.fixture(scope="package")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-media")


@pytest.fixture(scope="package")
def sample_video(media_dir: Path) -> Path:
    """A short clip with distinct scenes, so snapshots differ from each other."""
    from vodcover_dev.samples import make_sample_video

    return make_sample_video(
        media_dir / "harbour.mp4",
        duration=5.0,
        width=480,
        height=270,
        scenes=("mandelbrot", "testsrc2", "smptebars"),
        gop=25,
    )


def signed_session(access_key: str) -> requests.Session:
    """The API as ``access_key``, signed like any SDK would."""
    session = requests.Session()
    session.auth = SigV4Auth(access_key, USERS[access_key])
    return session


@pytest.fixture
def api(stack: LocalStack) -> requests.Session:
    """The API as the console's user."""
    return signed_session("local")


def seed_video(stack: LocalStack, api: requests.Session, path: Path, title: str) -> dict[str, Any]:
    """Create, upload and wait until processed: a Normal video to drive the page with."""
    created = api.post(
        f"{stack.api_endpoint}/videos",
        json={"title": title, "fileName": path.name, "fileSize": path.stat().st_size},
    )
    assert created.status_code == 201, created.text
    ticket = created.json()
    put = requests.put(ticket["upload"]["url"], data=path.read_bytes(), headers=ticket["upload"]["headers"])
    assert put.status_code == 200, put.text
    deadline = time.monotonic() + PROCESSING_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        video = api.get(f"{stack.api_endpoint}/videos/{ticket['videoId']}").json()
        if video["status"] in {"Normal", "ProcessFail", "UploadFail"}:
            assert video["status"] == "Normal", video
            return video
        time.sleep(0.2)
    raise AssertionError(f"{title} was not processed in time")


@pytest.fixture
def ready_video(
    stack: LocalStack, api: requests.Session, sample_video: Path, request: pytest.FixtureRequest
) -> dict:
    """A fresh processed video, for a test that changes its cover."""
    return seed_video(stack, api, sample_video, f"Harbour {request.node.name[:40]}")


@pytest.fixture(scope="package")
def shared_video(stack: LocalStack, sample_video: Path) -> dict:
    """One processed video for the tests that leave its cover alone (processing costs seconds)."""
    return seed_video(stack, signed_session("local"), sample_video, "Harbour, shared")


# --- images ------------------------------------------------------------------------------------
def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def truncated_png(width: int = 64, height: int = 64) -> bytes:
    """A PNG cut off halfway through its pixel data: the header (and so the page's checks)
    are fine, but it cannot be decoded."""
    whole = noise_png(width, height)
    return whole[: len(whole) // 2]


def noise_png(width: int, height: int) -> bytes:
    """Random pixels: incompressible, so a modest picture makes a big file."""
    import io
    import os

    from PIL import Image

    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def plain_png(width: int, height: int, color: tuple[int, int, int] = (40, 90, 200)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def write_file(tmp_path: Path):
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
