"""``vodcover local``: run the whole stack on this machine until Ctrl-C."""

from __future__ import annotations

import argparse
from pathlib import Path

from vodcover_dev.cli import parse_user, serve_until_stopped


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "local",
        help="run the API, S3 and the functions locally (no AWS account, no Docker)",
        description="Start the local stack from template.yaml and serve until Ctrl-C. "
        "VODCOVER_COVER_URL_ALLOW_HOSTS and other VODCOVER_* knobs in the environment are honoured.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="API port (default 3000)")
    parser.add_argument("--s3-port", type=int, default=0, help="embedded S3/DynamoDB port (default: any)")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="KEY:SECRET",
        help="another caller besides local:local-secret (repeatable)",
    )
    parser.add_argument(
        "--console-user",
        default=None,
        metavar="KEY",
        help="the user the console at /console/ acts as (default: local)",
    )
    parser.add_argument(
        "--alibaba-key",
        action="append",
        default=[],
        metavar="ID:SECRET[:OWNER]",
        help="an Alibaba access key besides LTAIlocal:local-secret (OWNER defaults to local; repeatable)",
    )
    parser.add_argument("--template", type=Path, default=None, help="SAM template (default: ./template.yaml)")
    parser.set_defaults(run=run_local)


def run_local(args: argparse.Namespace) -> None:
    from vodcover_dev.local.emulator import PortInUse  # lazy: needs moto
    from vodcover_dev.local.stack import DEFAULT_USERS, LocalStack

    users = dict(DEFAULT_USERS)
    for text in args.user:
        try:
            key, secret = parse_user(text)
        except ValueError as exc:
            raise SystemExit(f"--user: {exc}") from None
        users[key] = secret
    if args.console_user is not None and args.console_user not in users:
        raise SystemExit(
            f"--console-user: {args.console_user!r} is not a configured user (add it with --user)"
        )
    from vodcover.compat.alibaba.keys import parse_key_pair
    from vodcover.errors import VodcoverError

    try:
        alibaba_keys = [parse_key_pair(text) for text in args.alibaba_key]
    except VodcoverError as exc:
        raise SystemExit(f"--alibaba-key: {exc.message}") from None
    stack = LocalStack(
        args.template,
        host=args.host,
        port=args.port,
        s3_port=args.s3_port,
        users=users,
        console_user=args.console_user,
        alibaba_keys=alibaba_keys,
    )

    def start() -> None:
        try:
            stack.start()
        except PortInUse as exc:
            raise SystemExit(f"vodcover local: {exc}; choose another with --port/--s3-port") from None
        print(stack.describe(), flush=True)

    serve_until_stopped(start, stack.stop)
