"""The ``vodcover`` command line (the commands are described in docs/design.md).

Each command family lives in its own module and registers its subcommands here. With
``--json`` the result is one JSON document on stdout; progress goes to stderr; failures exit
non-zero with ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from vodcover.errors import InvalidParameter, VodcoverError

# Modules that each define ``register(subparsers)``; imported lazily so ``vodcover --help``
# stays fast and a missing optional dependency only breaks its own command.
COMMAND_MODULES = (
    "vodcover_dev.cli.media_commands",
    "vodcover_dev.cli.smart_commands",
    "vodcover_dev.cli.local_command",
    "vodcover_dev.cli.console_command",
    "vodcover_dev.cli.keys_command",
    "vodcover_dev.cli.upload_command",
)
# Help is plain text: no markup, and nothing cited that the repository does not contain.
DESCRIPTION = (
    "vodcover: video covers (snapshots, smart covers, cover changes) behind one signed API; "
    "tools to run it locally and to try its media steps on a file."
)

Command = Callable[[argparse.Namespace], Any]


def version() -> str:
    """The installed distribution's version (the package's own when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as distribution_version

    try:
        return distribution_version("vodcover")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        from vodcover import __version__

        return __version__


def progress(message: str) -> None:
    """Progress and logs go to stderr so stdout stays one JSON document."""
    print(message, file=sys.stderr, flush=True)


def bounded_option(value: int | None, default: int, name: str, low: int, high: int) -> int:
    """An integer option, or its default, within [low, high]: else ``InvalidParameter.<Name>``."""
    chosen = default if value is None else value
    if not low <= chosen <= high:
        raise InvalidParameter(name, f"--{name.lower()} must be between {low} and {high}.")
    return chosen


def parse_user(text: str) -> tuple[str, str]:
    """``KEY:SECRET`` → (key, secret), for ``--user``."""
    key, sep, secret = text.partition(":")
    if not sep or not key or not secret:
        raise ValueError(f"expected KEY:SECRET, got {text!r}")
    return key, secret


def redacted(source: str) -> str:
    """Presigned URLs carry credentials in the query string: never print it."""
    return source.split("?", 1)[0]


def serve_until_stopped(start: Callable[[], None], stop: Callable[[], None]) -> None:
    """Run a server started by ``start`` until Ctrl-C or SIGTERM, then ``stop`` it."""
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        start()
        progress("\nServing; press Ctrl-C to stop.")
        try:
            while not stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        progress("Stopping…")
    finally:
        stop()
        signal.signal(signal.SIGTERM, previous)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vodcover", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # pragma: no cover - only without optional extras
            if exc.name and exc.name.startswith("vodcover_dev.cli"):
                continue
            raise
        module.register(subparsers)
    return parser


def emit(result: Any, as_json: bool) -> None:
    if as_json:
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif isinstance(result, dict):
        for key, value in result.items():
            print(f"{key}: {value}")
    elif result is not None:
        print(result)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    as_json = bool(getattr(args, "json", False))
    try:
        result = args.run(args)
    except VodcoverError as exc:
        if as_json:
            emit({"error": exc.to_dict()}, True)
        else:
            print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    emit(result, as_json)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
