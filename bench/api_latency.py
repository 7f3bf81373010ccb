"""API latency: p50/p99 and requests per second against ``vodcover local``, N concurrent clients.

``vodcover local`` runs in its own process (so the load generator does not share its GIL) and
the clients are threads here, each with its own ``requests`` session signed with SigV4 like any
AWS client (``tests/support/sigv4.py``). Set-up goes through the public API only: ``POST
/videos``, PUT the small generated sample to the presigned URL, wait until the video is
``Normal`` (its snapshots exist).

Operations, each run as its own phase per concurrency level, bounded in requests and time:

- ``get``: ``GET /videos/{id}``;
- ``patch_title``: ``PATCH /videos/{id}`` with a new title;
- ``patch_cover``: ``PATCH /videos/{id}`` with ``coverSnapshot`` (copies a snapshot to covers/);
- ``batch_patch``: ``PATCH /videos`` with 20 title updates.

Every client works on its own videos (its own one for single updates, its own 20 for batches):
that is how many users editing their libraries look, and it keeps optimistic-concurrency
retries out of the latency. An error is any non-2xx answer, transport failure, or a batch
answer with failed, forbidden or missing ids.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.timing import Progress, percentile
from tests.support.sigv4 import SigV4Auth
from vodcover_dev.samples import make_sample_video

ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ROOT / "build" / "bench-cache"
ACCESS_KEY, SECRET_KEY = "local", "local-secret"
BATCH = 20
READY_TIMEOUT = 90.0
PROCESSING_TIMEOUT = 300.0
IN_PROGRESS = frozenset({"Uploading", "UploadSucc", "Processing"})


@dataclass(frozen=True)
class LoadPlan:
    concurrency: tuple[int, ...]
    max_requests: int  # per phase, all clients together
    max_seconds: float  # per phase


FULL_PLAN = LoadPlan(concurrency=(4, 16), max_requests=400, max_seconds=20.0)
QUICK_PLAN = LoadPlan(concurrency=(4,), max_requests=60, max_seconds=5.0)


@dataclass(frozen=True)
class Fixtures:
    endpoint: str
    normal_ids: list[str]  # one processed video per client
    batch_ids: list[str]  # BATCH created videos per client
    snapshot_count: int


@dataclass
class PhaseResult:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latencies.append(seconds)
            else:
                self.errors.append(error)


Operation = Callable[[requests.Session, Fixtures, int, int], requests.Response]


# --- the stack and the set-up ------------------------------------------------------------------
@contextmanager
def local_stack(progress: Progress) -> Iterator[str]:
    """``vodcover local`` on free ports in a child process; yields its API endpoint."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    out_path, err_path = CACHE_DIR / "api-local.out", CACHE_DIR / "api-local.err"
    argv = [sys.executable, "-m", "vodcover_dev.cli", "local", "--port", "0", "--s3-port", "0"]
    with out_path.open("w") as out, err_path.open("w") as err:
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=os.environ.copy())
    try:
        progress.step("api: starting vodcover local")
        yield wait_for_endpoint(process, out_path, err_path)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_endpoint(process: subprocess.Popen[bytes], out_path: Path, err_path: Path) -> str:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        for line in out_path.read_text().splitlines():
            if line.startswith("API endpoint"):
                return line.split()[-1]
        if process.poll() is not None:
            tail = err_path.read_text().strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"vodcover local exited: {tail[0]}")
        time.sleep(0.2)
    raise RuntimeError(f"vodcover local printed no endpoint in {READY_TIMEOUT:.0f} s")


def signed_session() -> requests.Session:
    session = requests.Session()
    session.auth = SigV4Auth(ACCESS_KEY, SECRET_KEY)
    return session


def sample_video() -> Path:
    path = CACHE_DIR / "api-sample-4s-640x360.mp4"
    if not path.exists():
        make_sample_video(path, duration=4.0, width=640, height=360)
    return path


def create_video(session: requests.Session, endpoint: str, title: str, size: int) -> dict:
    answer = session.post(
        f"{endpoint}/videos", json={"title": title, "fileName": "sample.mp4", "fileSize": size}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()


def upload(created: dict, body: bytes) -> None:
    target = created["upload"]
    answer = requests.request(
        target["method"], target["url"], headers=target.get("headers", {}), data=body, timeout=60
    )
    answer.raise_for_status()


def wait_until_processed(session: requests.Session, endpoint: str, video_ids: list[str]) -> int:
    """Snapshots per video once all are ``Normal``; raises if one fails or time runs out."""
    deadline = time.monotonic() + PROCESSING_TIMEOUT
    pending = set(video_ids)
    snapshots = 0
    while pending:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(pending)} videos still processing after {PROCESSING_TIMEOUT:.0f} s")
        for video_id in sorted(pending):
            video = session.get(f"{endpoint}/videos/{video_id}", timeout=30).json()
            if video["status"] == "Normal":
                pending.discard(video_id)
                snapshots = len(video["snapshots"])
            elif video["status"] not in IN_PROGRESS:
                raise RuntimeError(f"video {video_id} ended {video['status']}: {video.get('error')}")
        time.sleep(0.5)
    return snapshots


def prepare(endpoint: str, clients: int, progress: Progress) -> Fixtures:
    session = signed_session()
    body = sample_video().read_bytes()
    progress.step(f"api: uploading {clients} sample videos and waiting until they are Normal")
    normal_ids = []
    for n in range(clients):
        created = create_video(session, endpoint, f"bench {n}", len(body))
        upload(created, body)
        normal_ids.append(created["videoId"])
    snapshots = wait_until_processed(session, endpoint, normal_ids)
    progress.step(f"api: creating {clients * BATCH} more videos for batch updates")
    batch_ids = [
        create_video(session, endpoint, f"batch {n}", len(body))["videoId"] for n in range(clients * BATCH)
    ]
    return Fixtures(endpoint, normal_ids, batch_ids, max(1, snapshots))


# --- the operations ------------------------------------------------------------------------------
def get_video(session: requests.Session, fx: Fixtures, client: int, n: int) -> requests.Response:
    return session.get(f"{fx.endpoint}/videos/{fx.normal_ids[client]}", timeout=30)


def patch_title(session: requests.Session, fx: Fixtures, client: int, n: int) -> requests.Response:
    return session.patch(
        f"{fx.endpoint}/videos/{fx.normal_ids[client]}", json={"title": f"title {n}"}, timeout=30
    )


def patch_cover(session: requests.Session, fx: Fixtures, client: int, n: int) -> requests.Response:
    return session.patch(
        f"{fx.endpoint}/videos/{fx.normal_ids[client]}",
        json={"coverSnapshot": n % fx.snapshot_count},
        timeout=30,
    )


def batch_patch(session: requests.Session, fx: Fixtures, client: int, n: int) -> requests.Response:
    ids = fx.batch_ids[client * BATCH : (client + 1) * BATCH]
    updates = [{"videoId": video_id, "title": f"batch {n}"} for video_id in ids]
    return session.patch(f"{fx.endpoint}/videos", json={"updates": updates}, timeout=60)


OPERATIONS: dict[str, Operation] = {
    "get": get_video,
    "patch_title": patch_title,
    "patch_cover": patch_cover,
    "batch_patch": batch_patch,
}


def answer_error(answer: requests.Response) -> str | None:
    if answer.status_code >= 300:
        return f"HTTP {answer.status_code}: {answer.text[:200]}"
    if answer.request.method == "PATCH" and answer.request.path_url.rstrip("/").endswith("/videos"):
        body = answer.json()
        if body.get("failed") or body.get("forbiddenVideoIds") or body.get("nonExistVideoIds"):
            return f"batch partly failed: {str(body)[:200]}"
    return None


# --- load ----------------------------------------------------------------------------------------
def run_phase(operation: Operation, fx: Fixtures, clients: int, plan: LoadPlan) -> dict[str, object]:
    result = PhaseResult()
    tickets = iter(range(plan.max_requests))
    tickets_lock = threading.Lock()
    stop_at = time.monotonic() + plan.max_seconds

    def next_ticket() -> int | None:
        with tickets_lock:
            return next(tickets, None) if time.monotonic() < stop_at else None

    def client_loop(client: int) -> None:
        session = signed_session()
        while (n := next_ticket()) is not None:
            started = time.perf_counter()
            try:
                error = answer_error(operation(session, fx, client, n))
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"
            result.record(time.perf_counter() - started, error)

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return phase_summary(result, time.perf_counter() - started)


def phase_summary(result: PhaseResult, wall: float) -> dict[str, object]:
    latencies = sorted(result.latencies)
    return {
        "requests": len(latencies) + len(result.errors),
        "errors": len(result.errors),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "rps": round(len(latencies) / wall, 1),
        "seconds": round(wall, 2),
        **({"first_error": result.errors[0]} if result.errors else {}),
    }


def measure(fx: Fixtures, plan: LoadPlan, progress: Progress) -> dict[str, object]:
    results: dict[str, object] = {}
    for name, operation in OPERATIONS.items():
        levels: dict[str, object] = {}
        for clients in plan.concurrency:
            progress.step(f"api: {name} with {clients} concurrent clients")
            levels[f"c{clients}"] = run_phase(operation, fx, clients, plan)
        clean = [lv["rps"] for lv in levels.values() if isinstance(lv, dict) and lv["errors"] == 0]
        results[name] = {**levels, "rps_held_0_errors": max(clean) if clean else None}
    return results


def run(progress: Progress, *, quick: bool) -> dict[str, object]:
    """``api``: per operation and concurrency, p50/p99 ms, requests/s and errors."""
    plan = QUICK_PLAN if quick else FULL_PLAN
    with local_stack(progress) as endpoint:
        fixtures = prepare(endpoint, max(plan.concurrency), progress)
        operations = measure(fixtures, plan, progress)
    return {
        **operations,
        "plan": {
            "concurrency": list(plan.concurrency),
            "max_requests_per_phase": plan.max_requests,
            "max_seconds_per_phase": plan.max_seconds,
            "videos": len(fixtures.normal_ids) + len(fixtures.batch_ids),
        },
    }
