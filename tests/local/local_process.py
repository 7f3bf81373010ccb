"""``vodcover local`` (and other ``vodcover`` commands) as a user runs them: a subprocess on a
machine with no AWS configuration at all (``HOME`` an empty folder, no ``AWS_*`` variables)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 120.0


def clean_environment(home: Path) -> dict[str, str]:
    """This process's environment without any AWS configuration, and ``HOME`` = ``home``."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "VODCOVER_", "POWERTOOLS_", "BOTO_"))
    }
    environment["HOME"] = str(home)
    environment["PYTHONUNBUFFERED"] = "1"
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def vodcover(args: Sequence[str], home: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run one ``vodcover`` command to its end in the clean environment."""
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "vodcover_dev.cli", *args],
        env=clean_environment(home),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@dataclass
class LocalProcess:
    process: subprocess.Popen[str]
    port: int
    stdout: Path
    stderr: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.stdout.read_text(encoding="utf-8")

    def logs(self) -> str:
        return self.stderr.read_text(encoding="utf-8")


@contextmanager
def local_stack_process(
    home: Path, *extra_args: str, environment: dict[str, str] | None = None
) -> Iterator[LocalProcess]:
    """Start ``vodcover -v local --port N`` (not waiting for it); stop it with SIGTERM at the end.

    ``environment`` adds variables (``VODCOVER_URL_TTL_SECONDS=60``) to the clean environment.
    """
    port = free_port()
    stdout, stderr = home / "local.out", home / "local.err"
    with stdout.open("w") as out, stderr.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "vodcover_dev.cli", "-v", "local", "--port", str(port), *extra_args],
            env=clean_environment(home) | (environment or {}),
            cwd=REPO,
            stdout=out,
            stderr=err,
            text=True,
        )
    try:
        yield LocalProcess(process, port, stdout, stderr)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_answering(running: LocalProcess, auth: object) -> None:
    """Poll a signed ``GET /videos`` until the stack answers 200 (or the process died)."""
    import requests

    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            if requests.get(f"{running.endpoint}/videos", auth=auth, timeout=10).status_code == 200:  # type: ignore[arg-type]
                return
        except requests.ConnectionError:
            pass
        assert running.process.poll() is None, running.logs()[-3000:]
        assert time.monotonic() < deadline, "vodcover local never became ready"
        time.sleep(0.2)


def wait_for_port(port: int, process: subprocess.Popen[str]) -> socket.socket:
    """Connect as soon as the port accepts (the usual readiness loop); the open connection."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"vodcover local exited with {process.returncode}")
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=30)
        except OSError:
            time.sleep(0.005)
    raise AssertionError(f"port {port} never opened")
