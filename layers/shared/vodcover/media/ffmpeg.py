"""The one door to ffmpeg: argv lists in, bytes out, typed errors with stderr's tail.

Every ffmpeg call in vodcover goes through :func:`run_ffmpeg`. The binary comes from the
``imageio-ffmpeg`` wheel (the media layer on Lambda). Processes are never run through a shell,
always reaped, and bounded by a timeout that callers derive from the Lambda's remaining time.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from vodcover.errors import MediaCorrupt, MediaError, MediaTimeout

logger = logging.getLogger(__name__)

STDERR_TAIL_CHARS = 2000


@lru_cache(maxsize=1)
def ffmpeg_executable() -> str:
    import imageio_ffmpeg  # lazy: only media code paths pay for it

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@dataclass(frozen=True)
class FfmpegResult:
    returncode: int
    stdout: bytes
    stderr: str


def stderr_tail(stderr: str, chars: int = STDERR_TAIL_CHARS) -> str:
    return stderr[-chars:]


def run_ffmpeg(
    args: list[str],
    *,
    timeout: float,
    stdin: bytes | None = None,
    check: bool = True,
    error: type[MediaError] = MediaCorrupt,
    message: str = "The video could not be decoded.",
    consume: Callable[[bytes], None] | None = None,
    chunk: int = 0,
) -> FfmpegResult:
    """Run ``ffmpeg -hide_banner -nostdin? ARGS`` and return its output.

    ``args`` excludes the executable. With ``check`` a non-zero exit raises ``error`` carrying
    stderr's tail in ``detail`` (for logs), never in the user-facing message. With ``consume``
    (no ``stdin``), stdout is handed over in pieces of ``chunk`` bytes as ffmpeg writes them, so
    the caller's work on one frame overlaps the decoding of the next (a trailing partial piece
    is dropped; the result's ``stdout`` is empty).
    """
    argv = [ffmpeg_executable(), "-hide_banner", "-nostats", *args]
    if stdin is None:
        argv.insert(1, "-nostdin")
    process = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        if consume is None:
            out, err = process.communicate(input=stdin, timeout=timeout)
        else:
            out, err = b"", _stream_stdout(process, consume, chunk, timeout)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        err = process.communicate()[1] if consume is None else (exc.stderr or b"")
        tail = stderr_tail(err.decode("utf-8", "replace"))
        logger.warning("ffmpeg timed out after %.1fs: %s", timeout, tail)
        raise MediaTimeout("Processing the video took too long.", detail=tail) from exc
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = err.decode("utf-8", "replace")
    if check and process.returncode != 0:
        tail = stderr_tail(text)
        logger.warning("ffmpeg failed (exit %s): %s", process.returncode, tail)
        raise error(message, detail=tail)
    return FfmpegResult(process.returncode, out, text)


def _stream_stdout(
    process: subprocess.Popen[bytes], consume: Callable[[bytes], None], chunk: int, timeout: float
) -> bytes:
    """stdout to ``consume`` piece by piece, stderr drained by a thread; returns stderr."""
    if chunk <= 0:
        raise ValueError("chunk must be positive")
    assert process.stdout is not None and process.stderr is not None
    stderr = process.stderr
    errors: list[bytes] = []
    drain = threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True)
    drain.start()
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        process.kill()

    timer = threading.Timer(timeout, expire)
    timer.start()
    try:
        while len(piece := process.stdout.read(chunk)) == chunk:
            consume(piece)
        process.wait()
    finally:
        timer.cancel()
    drain.join()
    if expired.is_set():
        raise subprocess.TimeoutExpired(process.args, timeout, stderr=b"".join(errors))
    return errors[0] if errors else b""
