"""One local stack on the real ``template.yaml``, reached by the official Alibaba SDKs only.

``vodcover local``'s default pair ``LTAIlocal`` / ``local-secret`` (owner ``local``) and a second
owner's pair (``LTAIbob`` / ``bob-secret``, owner ``bob``) sign the calls; each SDK is changed
only in endpoint, protocol and keys (``tests/alibaba/sdk_clients.py``). A loopback file server,
allow-listed before the stack starts, stands in for the public web a ``CoverURL`` comes from.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.alibaba.actions.vod_steps import uploaded_video
from tests.alibaba.vod_sdks import ClassicVod, TeaVod, VodSdk
from tests.integration.loopback import FileServer
from vodcover import dependencies
from vodcover.compat.alibaba.keys import GivenKeyPair
from vodcover_dev.local.stack import LocalStack
from vodcover_dev.samples import make_sample_video

LOCAL_KEY = ("LTAIlocal", "local-secret")
BOB_KEY = ("LTAIbob", "bob-secret")
USERS = {"local": "local-secret", "bob": "bob-secret"}


@pytest.fixture(autouse=True)
def fake_aws_environment() -> Iterator[None]:
    """The stack owns the environment while it runs (see tests/integration/conftest.py)."""
    yield


@pytest.fixture(scope="package")
def web() -> Iterator[FileServer]:
    with FileServer() as server:
        yield server


@pytest.fixture(scope="package")
def stack(web: FileServer) -> Iterator[LocalStack]:
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("VODCOVER_COVER_URL_ALLOW_HOSTS", web.authority)
        environment.setenv("VODCOVER_WEBHOOK_ALLOW_HOSTS", web.authority)  # a callback receiver
        dependencies.reset()
        bob = GivenKeyPair(BOB_KEY[0], SecretStr(BOB_KEY[1]), "bob")
        with LocalStack(
            users=USERS,
            alibaba_keys=[bob],
            retry_delays=(0.0, 0.0),
            parameter_overrides={"LogLevel": "WARNING"},
        ) as running:
            yield running
    dependencies.reset()


@pytest.fixture(scope="package")
def endpoint(stack: LocalStack) -> str:
    """``host:port``, as both SDKs take an endpoint."""
    return stack.api_endpoint.removeprefix("http://")


@dataclass(frozen=True)
class Media:
    video: Path  # 4 s, 640x360, a 1 s black intro
    cover_jpeg: bytes  # 320x180
    cover_url: str  # the JPEG on the allow-listed "public web"


def jpeg(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


@pytest.fixture(scope="package")
def media(tmp_path_factory: pytest.TempPathFactory, web: FileServer) -> Media:
    folder = tmp_path_factory.mktemp("alibaba-media")
    video = make_sample_video(
        folder / "holiday.mp4",
        duration=4.0,
        width=640,
        height=360,
        black_intro=1.0,
        gop=25,
        scenes=("testsrc2", "mandelbrot"),
    )
    cover = jpeg(320, 180, (200, 40, 40))
    return Media(video, cover, web.publish("cover.jpg", cover, "image/jpeg"))


@pytest.fixture(params=["classic", "tea"])
def sdk(request: pytest.FixtureRequest, endpoint: str) -> VodSdk:
    """``local``'s client, once through each official SDK."""
    kind = ClassicVod if request.param == "classic" else TeaVod
    return kind(endpoint, *LOCAL_KEY)


@pytest.fixture(scope="module")
def processed_video(stack: LocalStack, endpoint: str, media: Media) -> str:
    """A processed video of ``local``, uploaded through the Tea SDK (one per test module)."""
    return uploaded_video(
        stack, TeaVod(endpoint, *LOCAL_KEY), media.video.read_bytes(), title="Story", file_name="story.mp4"
    )
