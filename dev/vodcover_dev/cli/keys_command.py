"""``vodcover keys create|list|revoke``: access keys for Alibaba-signed callers (docs/alibaba.md).

Works against whatever AWS the environment names (a deployed stack, or ``AWS_ENDPOINT_URL``);
the table and KMS key come from the settings (``VODCOVER_ALIBABA_KEYS_TABLE``,
``VODCOVER_ALIBABA_KEYS_KMS_KEY``). ``create`` prints the secret once; nothing stores or logs it
in plain text.
"""

from __future__ import annotations

import argparse
from typing import Any

from vodcover.compat.alibaba.key_management import create_access_key, list_access_keys, revoke_access_key
from vodcover.compat.alibaba.key_store import KmsAccessKeyStore
from vodcover.compat.alibaba.keys import AccessKey
from vodcover.settings import AlibabaSettings, settings_for
from vodcover_dev.cli import progress


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "keys",
        help="create, list or revoke AccessKeyId/AccessKeySecret pairs for Alibaba SDK callers",
        description="Access keys bound to owners, for clients that sign as Alibaba Cloud's SDKs do.",
    )
    commands = parser.add_subparsers(dest="keys_command", required=True)

    create = commands.add_parser("create", help="make a new pair for an owner; the secret is shown once")
    create.add_argument("--owner", required=True, help="the principal whose videos the key reaches")
    create.set_defaults(run=_create)

    listing = commands.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--owner", help="only this owner's keys")
    listing.set_defaults(run=_list)

    revoke = commands.add_parser("revoke", help="delete a key; calls signed with it fail at once")
    revoke.add_argument("access_key_id", metavar="ACCESS_KEY_ID")
    revoke.set_defaults(run=_revoke)

    for command in (create, listing, revoke):
        command.add_argument("--json", action="store_true", help="print one JSON document")


def _store() -> KmsAccessKeyStore:
    return KmsAccessKeyStore.from_settings(settings_for(AlibabaSettings))


def _listed(key: AccessKey) -> dict[str, str]:
    return {"accessKeyId": key.access_key_id, "owner": key.owner, "createdAt": key.created_at.isoformat()}


def _create(args: argparse.Namespace) -> dict[str, Any]:
    created = create_access_key(_store(), args.owner)
    progress("Keep the AccessKeySecret now: it cannot be shown again.")
    return {**_listed(created.key), "accessKeySecret": created.secret.get_secret_value()}


def _list(args: argparse.Namespace) -> Any:
    keys = [_listed(key) for key in list_access_keys(_store(), args.owner)]
    if args.json:
        return {"keys": keys}
    return "\n".join(f"{k['accessKeyId']}  {k['owner']}  {k['createdAt']}" for k in keys) or None


def _revoke(args: argparse.Namespace) -> dict[str, str]:
    revoke_access_key(_store(), args.access_key_id)
    return {"revoked": args.access_key_id}
