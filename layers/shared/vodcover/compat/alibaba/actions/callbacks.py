"""SetMessageCallback, GetMessageCallback, DeleteMessageCallback: an owner's Alibaba callback.

Stored as one webhook subscription of format ``alibaba`` per owner (id ``alibaba``), which Set
replaces whole, as Alibaba's does (docs/alibaba.md, "Callbacks"). Only HTTP callbacks exist here;
the URL passes the webhooks' SSRF rules (``WebhookUrl.Forbidden`` like ``POST /webhooks``), and
``EventTypeList`` is read by ``callbacks.selected_events``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from vodcover.compat.alibaba.actions.context import ActionCall
from vodcover.compat.alibaba.callbacks import UnknownEventType, selected_events
from vodcover.compat.alibaba.errors import InvalidParameter, MissingParameter
from vodcover.compat.alibaba.parameters import ActionParameters
from vodcover.dal.webhooks import ALIBABA_SUBSCRIPTION_ID, WebhookSubscription
from vodcover.net.url_policy import check_url, webhook_url_policy

ALIBABA_FORMAT = "alibaba"
SUBSCRIPTION_ID = ALIBABA_SUBSCRIPTION_ID
DEFAULT_APP_ID = "app-1000000"  # Alibaba's default application; vodcover has no others
MAX_CALLBACK_URL_BYTES = 256  # Alibaba's limit
AUTH_KEY = re.compile(r"^(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])[A-Za-z0-9]{1,32}$")  # Alibaba's rule


def set_message_callback(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    callback_type = parameters.text("CallbackType") or "HTTP"
    if callback_type != "HTTP":
        raise InvalidParameter(f"CallbackType {callback_type} is not supported; only HTTP callbacks are.")
    url = parameters.required("CallbackURL")
    if len(url.encode()) > MAX_CALLBACK_URL_BYTES:
        raise InvalidParameter(f"CallbackURL is longer than {MAX_CALLBACK_URL_BYTES} bytes.")
    check_url(url, webhook_url_policy(call.cases.settings))
    event_type_list = parameters.text("EventTypeList") or ""
    try:
        events = selected_events(event_type_list)
    except UnknownEventType as exc:
        raise InvalidParameter(f"EventTypeList names an unknown event type: {exc.name}.") from None
    auth_key = _auth_key(call, parameters)
    call.cases.webhooks.put(
        WebhookSubscription(
            webhook_id=SUBSCRIPTION_ID,
            owner=call.owner,
            url=url,
            events=sorted(events),
            format=ALIBABA_FORMAT,
            auth_key=auth_key,
            options={"EventTypeList": event_type_list},
            created_at=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        )
    )
    return {}


def _auth_key(call: ActionCall, parameters: ActionParameters) -> str | None:
    """The key to sign with, None when ``AuthSwitch=off``. ``on`` (the default once a key is
    given) without an ``AuthKey`` keeps the owner's current one, as a console edit would."""
    switch = (parameters.text("AuthSwitch") or "").lower()
    if switch not in ("", "on", "off"):
        raise InvalidParameter("AuthSwitch must be on or off.")
    given = parameters.text("AuthKey")
    if given is not None and not AUTH_KEY.match(given):
        raise InvalidParameter(
            "AuthKey must be at most 32 letters and digits, with upper-case, lower-case letters and digits."
        )
    if switch == "off":
        return None
    if given is not None:
        return given
    if switch == "on":
        current = call.cases.webhooks.get(call.owner, SUBSCRIPTION_ID)
        if current is None or current.auth_key is None:
            raise MissingParameter("AuthKey")
        return current.auth_key
    return None


def get_message_callback(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    """``MessageCallback`` as Alibaba answers it; empty when none is set."""
    current = call.cases.webhooks.get(call.owner, SUBSCRIPTION_ID)
    if current is None:
        return {"MessageCallback": {}}
    view: dict[str, Any] = {
        "AppId": DEFAULT_APP_ID,
        "CallbackType": "HTTP",
        "CallbackURL": current.url,
        "EventTypeList": current.options.get("EventTypeList", ""),
        "AuthSwitch": "on" if current.auth_key else "off",
    }
    if current.auth_key:
        view["AuthKey"] = current.auth_key
    return {"MessageCallback": view}


def delete_message_callback(call: ActionCall, parameters: ActionParameters) -> dict[str, Any]:
    """No callbacks any more; deleting when none is set succeeds too."""
    call.cases.webhooks.delete(call.owner, SUBSCRIPTION_ID)
    return {}
