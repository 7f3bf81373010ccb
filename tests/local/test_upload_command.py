"""``vodcover upload FILE``: the signed ``POST /videos`` flow from the command line, against a
``vodcover local`` started as a user starts it (a subprocess, no AWS configuration)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.local.local_process import LocalProcess, local_stack_process, vodcover, wait_until_answering
from tests.support.sigv4 import SigV4Auth
from vodcover_dev.samples import make_sample_video

pytestmark = [pytest.mark.integration, pytest.mark.media]

SETTLED = {"Normal", "ProcessFail", "UploadFail"}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def local(home: Path) -> Iterator[LocalProcess]:
    with local_stack_process(home, "--user", "alice:alice-secret") as running:
        wait_until_answering(running, SigV4Auth("local", "local-secret"))
        yield running


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    return make_sample_video(folder / "holiday.mp4", duration=2.0, width=320, height=180)


def video(local: LocalProcess, video_id: str, user: str = "local") -> requests.Response:
    return requests.get(f"{local.endpoint}/videos/{video_id}", auth=SigV4Auth(user, f"{user}-secret"))


def wait_settled(local: LocalProcess, video_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while True:
        record = video(local, video_id).json()
        if record["status"] in SETTLED or time.monotonic() > deadline:
            return record
        time.sleep(0.25)


def test_upload_creates_a_video_the_caller_owns_and_it_is_processed(
    local: LocalProcess, home: Path, clip: Path
) -> None:
    # When a user uploads a file with the command `vodcover local` suggested
    result = vodcover(
        ["upload", str(clip), "--endpoint", local.endpoint, "--title", "Holiday", "--json"], home
    )
    # Then it names the new video and how to follow it
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    video_id = answer["videoId"]
    assert answer["status"] == f"{local.endpoint}/videos/{video_id}"
    assert "curl --aws-sigv4" in result.stderr and video_id in result.stderr
    # And the video is the caller's, in their library, and becomes Normal
    record = wait_settled(local, video_id)
    assert record["status"] == "Normal", record
    assert record["title"] == "Holiday"
    library = requests.get(f"{local.endpoint}/videos", auth=SigV4Auth("local", "local-secret")).json()
    assert video_id in [v["videoId"] for v in library["videos"]]
    # And nobody else's
    assert video(local, video_id, "alice").status_code == 403
    # And the stack's log labels the S3 dispatch with the function that ran, not an API function
    dispatch = [
        json.loads(line)
        for line in (local.output() + local.logs()).splitlines()
        if line.startswith("{") and f"uploads/{video_id}/" in line and "→" in line
    ]
    assert dispatch, local.logs()[-3000:]
    assert {line["function_name"] for line in dispatch} == {"ScreenshotFunction"}


def test_upload_titles_the_video_after_the_file_by_default(
    local: LocalProcess, home: Path, clip: Path
) -> None:
    result = vodcover(["upload", str(clip), "--endpoint", local.endpoint, "--tag", "sea", "--json"], home)
    assert result.returncode == 0, result.stderr
    record = video(local, json.loads(result.stdout)["videoId"]).json()
    assert record["title"] == "holiday"
    assert record["tags"] == ["sea"]


def test_upload_with_a_wrong_secret_fails_with_the_apis_code(
    local: LocalProcess, home: Path, clip: Path
) -> None:
    result = vodcover(
        ["upload", str(clip), "--endpoint", local.endpoint, "--user", "local:wrong", "--json"], home
    )
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "Auth.Invalid"


def test_upload_of_a_missing_file_fails_plainly(local: LocalProcess, home: Path, tmp_path: Path) -> None:
    result = vodcover(["upload", str(tmp_path / "nothing.mp4"), "--endpoint", local.endpoint], home)
    assert result.returncode == 2
    assert "InvalidParameter.File" in result.stderr


def test_upload_to_an_endpoint_that_does_not_answer_fails_plainly(home: Path, clip: Path) -> None:
    from tests.local.local_process import free_port

    result = vodcover(["upload", str(clip), "--endpoint", f"http://127.0.0.1:{free_port()}", "--json"], home)
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "Api.Unreachable"


def test_upload_of_an_empty_file_is_refused_by_the_api(
    local: LocalProcess, home: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    result = vodcover(["upload", str(empty), "--endpoint", local.endpoint, "--json"], home)
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"].startswith("InvalidParameter.")
