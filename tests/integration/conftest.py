"""One local stack on the real ``template.yaml`` for the whole integration package.

Two callers, ``alice`` and ``bob``, talk to it through signed HTTP only; a loopback file server
stands in for a trusted CDN and is named in ``VODCOVER_COVER_URL_ALLOW_HOSTS`` before the stack
starts, another, a webhook receiver, in ``VODCOVER_WEBHOOK_ALLOW_HOSTS`` (the stack keeps a knob
the environment already sets, as ``vodcover local`` does).

The stack owns the process environment while it runs (fake credentials, ``AWS_ENDPOINT_URL``),
so the suite-wide ``fake_aws_environment`` fixture, which would point every test at moto's
in-process mock instead, is replaced by one that leaves it alone. Handlers keep their clients
from one request to the next, as a warm Lambda does (the stack resets them when it starts).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.api_client import Api, latency_report
from tests.integration.loopback import FileServer
from vodcover import dependencies
from vodcover_dev.local.stack import LocalStack
from vodcover_dev.samples import make_audio_only, make_corrupt, make_sample_video

USERS = {"alice": "alice-secret", "bob": "bob-secret"}
PROCESSING_TIMEOUT_SECONDS = 120.0
TERMINAL_STATUSES = frozenset({"Normal", "ProcessFail", "UploadFail"})

# Small clips keep the package fast on two cores: 640x360, a keyframe every second.
SAMPLE = {"duration": 5.0, "width": 640, "height": 360, "black_intro": 1.0, "gop": 25}
SAMPLE_SCENES = ("testsrc2", "mandelbrot", "smptebars")


@pytest.fixture(autouse=True)
def fake_aws_environment() -> Iterator[None]:
    yield


@pytest.fixture(scope="package")
def cdn() -> Iterator[FileServer]:
    """The allow-listed loopback server (plain http is allowed for allow-listed hosts only)."""
    with FileServer() as server:
        yield server


@pytest.fixture(scope="package")
def receiver() -> Iterator[FileServer]:
    """A webhook receiver on loopback, allow-listed by ``VODCOVER_WEBHOOK_ALLOW_HOSTS``."""
    with FileServer() as server:
        yield server


@pytest.fixture(scope="package")
def stack(cdn: FileServer, receiver: FileServer) -> Iterator[LocalStack]:
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("VODCOVER_COVER_URL_ALLOW_HOSTS", cdn.authority)
        environment.setenv("VODCOVER_WEBHOOK_ALLOW_HOSTS", receiver.authority)
        dependencies.reset()
        with LocalStack(
            users=USERS, retry_delays=(0.0, 0.0), parameter_overrides={"LogLevel": "WARNING"}
        ) as running:
            yield running
    dependencies.reset()


@pytest.fixture(scope="package")
def signed_as(stack: LocalStack) -> Callable[[str], Api]:
    """``signed_as("alice")``: a client signing with that user's credentials."""
    return lambda user: Api.signed(stack.api_endpoint, user, USERS[user])


@pytest.fixture(scope="package")
def alice(signed_as: Callable[[str], Api]) -> Api:
    return signed_as("alice")


@pytest.fixture(scope="package")
def bob(signed_as: Callable[[str], Api]) -> Api:
    return signed_as("bob")


# --- media ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Clips:
    sample: Path  # 5 s: 1 s black intro, then testsrc2, mandelbrot, smptebars
    other: Path  # 4 s, other scenes: a replacement upload
    audio_only: Path
    corrupt: Path


@pytest.fixture(scope="package")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Clips:
    folder = tmp_path_factory.mktemp("clips")
    return Clips(
        sample=make_sample_video(folder / "sample.mp4", scenes=SAMPLE_SCENES, **SAMPLE),  # type: ignore[arg-type]
        other=make_sample_video(
            folder / "other.mp4", duration=4.0, width=640, height=360, scenes=("zoneplate", "gradients")
        ),
        audio_only=make_audio_only(folder / "voice.m4a"),
        corrupt=make_corrupt(folder / "corrupt.mp4"),
    )


# --- the upload story, as a client tells it -------------------------------------------------
def create_upload(api: Api, **fields: Any) -> dict[str, Any]:
    """POST /videos; answers ``{videoId, upload}``."""
    body = {"title": "Holiday", "fileName": "holiday.mp4", **fields}
    answer: dict[str, Any] = api.expect(201, "POST", "/videos", json=body)
    return answer


def put_upload(ticket: dict[str, Any], data: bytes) -> None:
    """PUT the bytes to the presigned URL with the headers the API asked for, as a browser does."""
    upload = ticket["upload"]
    response = requests.request(
        upload["method"], upload["url"], data=data, headers=upload["headers"], timeout=60
    )
    assert response.status_code == 200, response.text


def wait_until_settled(stack: LocalStack, api: Api, video_id: str) -> dict[str, Any]:
    """Wait for the jobs the upload started, then read the video until it is Normal or failed."""
    deadline = time.monotonic() + PROCESSING_TIMEOUT_SECONDS
    stack.wait_idle(PROCESSING_TIMEOUT_SECONDS)
    while True:
        video = api.video(video_id)
        if video["status"] in TERMINAL_STATUSES:
            return video
        assert time.monotonic() < deadline, f"still {video['status']} after {PROCESSING_TIMEOUT_SECONDS}s"
        time.sleep(0.1)


def upload_and_wait(stack: LocalStack, api: Api, data: bytes, **fields: Any) -> dict[str, Any]:
    ticket = create_upload(api, **fields)
    put_upload(ticket, data)
    return wait_until_settled(stack, api, ticket["videoId"])


@pytest.fixture(scope="package")
def processed_video(stack: LocalStack, alice: Api, clips: Clips) -> dict[str, Any]:
    """One of alice's videos, uploaded and processed (Normal), shared by the cover tests."""
    video = upload_and_wait(stack, alice, clips.sample.read_bytes(), title="Shared sample")
    assert video["status"] == "Normal", video
    return video


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = latency_report()
    if lines:
        terminalreporter.section("API latency against the local stack")
        for line in lines:
            terminalreporter.write_line(line)
