"""SetMessageCallback, GetMessageCallback, DeleteMessageCallback through both official SDKs.

Given ``vodcover local`` with a loopback receiver allow-listed (``VODCOVER_WEBHOOK_ALLOW_HOSTS``),
when a script sets its callback, reads it back, replaces and deletes it, then each owner sees
exactly its own setting, as Alibaba answers it; a private URL, a malformed AuthKey, an unknown
event type and an MNS callback are refused with stable codes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.alibaba.actions.conftest import BOB_KEY, LOCAL_KEY
from tests.alibaba.actions.vod_steps import refusal
from tests.alibaba.vod_sdks import ClassicVod, TeaVod, VodSdk
from tests.integration.loopback import FileServer

pytestmark = [pytest.mark.integration]


@pytest.fixture(params=["classic", "tea"])
def sdk(request: pytest.FixtureRequest, endpoint: str) -> Iterator[VodSdk]:
    kind = ClassicVod if request.param == "classic" else TeaVod
    client = kind(endpoint, *LOCAL_KEY)
    yield client
    client.call("DeleteMessageCallback")


def test_a_callback_set_is_read_back_as_alibaba_answers_it(sdk: VodSdk, web: FileServer) -> None:
    url = web.url("vod-callback")

    answer = sdk.call(
        "SetMessageCallback",
        CallbackType="HTTP",
        CallbackURL=url,
        EventTypeList="FileUploadComplete,SnapshotComplete,MediaBaseChangeComplete",
        AuthSwitch="on",
        AuthKey="Key123abc",
    )

    assert answer["RequestId"]
    callback = sdk.call("GetMessageCallback")["MessageCallback"]
    assert {k: callback[k] for k in ("CallbackType", "CallbackURL", "AuthSwitch", "AuthKey", "AppId")} == {
        "CallbackType": "HTTP",
        "CallbackURL": url,
        "AuthSwitch": "on",
        "AuthKey": "Key123abc",
        "AppId": "app-1000000",
    }
    assert callback["EventTypeList"] == "FileUploadComplete,SnapshotComplete,MediaBaseChangeComplete"


def test_set_replaces_the_callback_and_delete_removes_it(sdk: VodSdk, web: FileServer) -> None:
    sdk.call("SetMessageCallback", CallbackURL=web.url("first"), EventTypeList="ALL", AuthKey="Key123abc")
    sdk.call(
        "SetMessageCallback", CallbackURL=web.url("second"), EventTypeList="AIComplete", AuthSwitch="off"
    )

    callback = sdk.call("GetMessageCallback")["MessageCallback"]
    assert (callback["CallbackURL"], callback["EventTypeList"], callback["AuthSwitch"]) == (
        web.url("second"),
        "AIComplete",
        "off",
    )
    assert "AuthKey" not in callback

    sdk.call("DeleteMessageCallback")
    assert sdk.call("GetMessageCallback")["MessageCallback"] == {}
    sdk.call("DeleteMessageCallback")  # deleting again succeeds


def test_each_owner_sees_only_its_own_callback(sdk: VodSdk, endpoint: str, web: FileServer) -> None:
    sdk.call("SetMessageCallback", CallbackURL=web.url("mine"), EventTypeList="ALL")

    assert ClassicVod(endpoint, *BOB_KEY).call("GetMessageCallback")["MessageCallback"] == {}


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({"CallbackURL": "http://127.0.0.1:9/hook"}, ("WebhookUrl.Forbidden", 400)),
        ({"CallbackURL": "https://169.254.169.254/latest"}, ("WebhookUrl.Forbidden", 400)),
        ({"AuthKey": "only-lower-case"}, ("InvalidParameter", 400)),
        ({"EventTypeList": "SnapshotComplete,CoverChanged"}, ("InvalidParameter", 400)),
        ({"CallbackType": "MNS"}, ("InvalidParameter", 400)),
        ({"CallbackURL": None}, ("MissingParameter", 400)),
    ],
)
def test_bad_settings_are_refused_with_stable_codes(
    sdk: VodSdk, web: FileServer, parameters: dict[str, str | None], expected: tuple[str, int]
) -> None:
    given = {"CallbackURL": web.url("hook"), "EventTypeList": "ALL", **parameters}
    call = {name: value for name, value in given.items() if value is not None}

    assert refusal(sdk, "SetMessageCallback", **call) == expected
    assert sdk.call("GetMessageCallback")["MessageCallback"] == {}
