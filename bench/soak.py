"""Soak: N signed clients hammer the local stack for a while; then nothing may be lost or corrupt.

    python bench/soak.py --clients 8 --seconds 120          # make soak
    python bench/soak.py --short --json                     # what tests/reliability/test_load_short.py runs

The clients share a set of processed videos (one owner, as a team sharing an account would) and
mix reads (get, batch get, library), single and batch changes (a unique title each time, some
with a snapshot as cover), cover image uploads and, now and then, a new upload that the
screenshot function processes meanwhile. Every acknowledged write is logged with the version the
API answered (batch answers name the ids only).

Afterwards each shared video is checked against the log:
- lost updates: every acknowledged write bumps ``version`` by exactly one, so the final version
  must equal the version before the run plus the acknowledged writes (an update lost to a race
  would leave it short), no two acknowledgements may carry the same version, and the final
  title must be one a client was told was written — the one with the highest version when that
  write was the last;
- corrupt records: the item parses as a video, its status is ``Normal``, every key it names
  exists and no cover image lies in ``covers/`` without the record naming it.
It prints requests per second, p50/p99 latency and errors, and exits non-zero on any loss.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support.sigv4 signs like any AWS client

from tests.support.sigv4 import SigV4Auth  # noqa: E402
from vodcover_dev.local.stack import LocalStack, find_template  # noqa: E402

USER, SECRET = "soak", "soak-secret"
# operation → weight
MIX = {
    "get": 25,
    "batch_get": 10,
    "library": 5,
    "patch_title": 20,
    "patch_snapshot": 10,
    "batch_patch": 15,
    "put_cover": 10,
    "upload": 5,
}


@dataclass
class Ack:
    video_id: str
    title: str | None
    version: int | None  # None: acknowledged by a batch answer, which names ids only
    operation: str


@dataclass
class Log:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    acks: list[Ack] = field(default_factory=list)
    maybe_written: Counter[str] = field(default_factory=Counter)  # failed writes that may have landed
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Report:
    clients: int
    seconds: float
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    conflicts: int
    acknowledged_writes: int
    videos_checked: int
    lost_updates: int
    corrupt_records: int
    problems: list[str]
    by_operation: dict[str, dict[str, float]]

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.lost_updates == 0 and self.corrupt_records == 0 and self.requests > 0


# --- media -------------------------------------------------------------------------------------------
def make_clip(folder: Path) -> bytes:
    from vodcover_dev.samples import make_sample_video

    return make_sample_video(folder / "soak.mp4", duration=1, width=160, height=120, fps=10).read_bytes()


def cover_image(seed: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (96, 54), (seed % 256, (seed // 256) % 256, 90)).save(buffer, "PNG")
    return buffer.getvalue()


# --- the client ---------------------------------------------------------------------------------------
class Client(threading.Thread):
    def __init__(
        self,
        number: int,
        stack: LocalStack,
        videos: list[str],
        clip: bytes,
        log: Log,
        until: float,
        seed: int,
    ) -> None:
        super().__init__(name=f"soak-client-{number}", daemon=True)
        self.number = number
        self.stack = stack
        self.videos = videos
        self.clip = clip
        self.log = log
        self.until = until
        self.random = random.Random(seed * 1000 + number)  # noqa: S311 - a workload, not a secret
        self.session = requests.Session()
        self.session.auth = SigV4Auth(USER, SECRET)
        self.sequence = 0

    def run(self) -> None:
        operations, weights = zip(*MIX.items(), strict=True)
        while time.monotonic() < self.until:
            operation = self.random.choices(operations, weights)[0]
            try:
                getattr(self, operation)()
            except Exception as exc:  # a transport failure is an error, and the write may have landed
                with self.log.lock:
                    self.log.errors.append(f"{operation}: {type(exc).__name__}: {exc}")

    def token(self) -> str:
        self.sequence += 1
        return f"c{self.number}-{self.sequence}"

    def call(self, operation: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        started = time.perf_counter()
        response = self.session.request(method, self.stack.api_endpoint + path, timeout=60, **kwargs)
        elapsed = time.perf_counter() - started
        with self.log.lock:
            self.log.latencies[operation].append(elapsed)
            self.log.statuses[str(response.status_code)] += 1
            if response.status_code == 409:
                self.log.conflicts += 1  # Conflict.ConcurrentUpdate: refused, nothing written, retry later
            elif response.status_code >= 400:
                self.log.errors.append(
                    f"{operation} {method} {path}: {response.status_code} {response.text[:200]}"
                )
        return response

    def ack(self, operation: str, video_id: str, title: str | None, version: int | None) -> None:
        with self.log.lock:
            self.log.acks.append(Ack(video_id, title, version, operation))

    def failed_write(self, video_ids: list[str]) -> None:
        with self.log.lock:
            self.log.maybe_written.update(video_ids)

    # operations --------------------------------------------------------------------------------
    def get(self) -> None:
        self.call("get", "GET", f"/videos/{self.random.choice(self.videos)}")

    def batch_get(self) -> None:
        ids = self.random.sample(self.videos, min(3, len(self.videos)))
        self.call("batch_get", "GET", "/videos", params={"ids": ",".join(ids)})

    def library(self) -> None:
        self.call("library", "GET", "/videos", params={"limit": "10"})

    def patch(self, operation: str, body: dict[str, Any]) -> None:
        video_id = self.random.choice(self.videos)
        title = self.token()
        response = self.call(operation, "PATCH", f"/videos/{video_id}", json={"title": title, **body})
        if response.status_code == 200:
            self.ack(operation, video_id, title, response.json()["version"])
        elif response.status_code != 409:
            self.failed_write([video_id])

    def patch_title(self) -> None:
        self.patch("patch_title", {})

    def patch_snapshot(self) -> None:
        self.patch("patch_snapshot", {"coverSnapshot": 0})

    def batch_patch(self) -> None:
        ids = self.random.sample(self.videos, min(3, len(self.videos)))
        titles = {video_id: self.token() for video_id in ids}
        updates = [{"videoId": video_id, "title": title} for video_id, title in titles.items()]
        response = self.call("batch_patch", "PATCH", "/videos", json={"updates": updates})
        if response.status_code != 200:
            self.failed_write(ids)
            return
        answer = response.json()
        for video_id in answer["updated"]:
            self.ack("batch_patch", video_id, titles[video_id], None)
        for failure in answer["failed"]:
            if failure["code"] != "Conflict.ConcurrentUpdate":
                with self.log.lock:
                    self.log.errors.append(f"batch item {failure}")
            else:
                with self.log.lock:
                    self.log.conflicts += 1

    def put_cover(self) -> None:
        video_id = self.random.choice(self.videos)
        image = cover_image(self.number * 100_000 + self.sequence)
        self.sequence += 1
        response = self.call(
            "put_cover", "PUT", f"/videos/{video_id}/cover", data=image, headers={"Content-Type": "image/png"}
        )
        if response.status_code == 200:
            self.ack("put_cover", video_id, None, response.json()["version"])
        elif response.status_code != 409:
            self.failed_write([video_id])

    def upload(self) -> None:
        created = self.call("upload", "POST", "/videos", json={"title": self.token(), "fileName": "new.mp4"})
        if created.status_code != 201:
            return
        ticket = created.json()["upload"]
        started = time.perf_counter()
        put = requests.put(ticket["url"], data=self.clip, headers=ticket["headers"], timeout=60)
        with self.log.lock:
            self.log.latencies["upload_put"].append(time.perf_counter() - started)
            if put.status_code != 200:
                self.log.errors.append(f"presigned PUT: {put.status_code}")


# --- the run -----------------------------------------------------------------------------------------
def prepare_videos(stack: LocalStack, clip: bytes, count: int) -> dict[str, int]:
    """``count`` processed videos; their versions before the load."""
    session = requests.Session()
    session.auth = SigV4Auth(USER, SECRET)
    ids = []
    for number in range(count):
        created = session.post(
            f"{stack.api_endpoint}/videos",
            json={"title": f"shared {number}", "fileName": "shared.mp4"},
            timeout=60,
        )
        created.raise_for_status()
        ticket = created.json()["upload"]
        requests.put(ticket["url"], data=clip, headers=ticket["headers"], timeout=60).raise_for_status()
        ids.append(created.json()["videoId"])
    stack.wait_idle(300)
    versions = {}
    for video_id in ids:
        video = session.get(f"{stack.api_endpoint}/videos/{video_id}", timeout=60).json()
        if video["status"] != "Normal":
            raise RuntimeError(f"shared video {video_id} is {video['status']}: {video.get('error')}")
        versions[video_id] = video["version"]
    return versions


def check(stack: LocalStack, before: dict[str, int], log: Log) -> tuple[int, int, list[str]]:
    """(lost updates, corrupt records, problems) for the shared videos."""
    from vodcover.dal.videos import DynamoVideoRepository, from_item

    repository = DynamoVideoRepository(stack.table)
    s3 = stack.client("s3")
    acks: dict[str, list[Ack]] = defaultdict(list)
    for ack in log.acks:
        acks[ack.video_id].append(ack)
    lost = corrupt = 0
    problems: list[str] = []
    for video_id, version_before in before.items():
        item = stack.client("dynamodb").get_item(
            TableName=stack.table, Key={"videoId": {"S": video_id}}, ConsistentRead=True
        )["Item"]
        try:
            from_item(repository_item(item))
            record = repository.get(video_id)
            assert record is not None
        except Exception as exc:
            corrupt += 1
            problems.append(f"{video_id}: unreadable record ({exc})")
            continue
        mine = acks[video_id]
        expected = version_before + len(mine)
        uncertain = log.maybe_written[video_id]
        if not expected <= record.version <= expected + uncertain:
            lost += max(0, expected - record.version) or 1
            problems.append(
                f"{video_id}: version {record.version}, expected {expected} (+{uncertain} uncertain)"
            )
        versions = [a.version for a in mine if a.version is not None]
        if len(versions) != len(set(versions)):
            lost += len(versions) - len(set(versions))
            problems.append(f"{video_id}: two writes acknowledged with the same version")
        titles = [a.title for a in mine if a.title is not None]
        if titles and record.title not in titles:
            lost += 1
            problems.append(f"{video_id}: final title {record.title!r} was never acknowledged")
        latest = max((a for a in mine if a.version is not None), key=lambda a: a.version or 0, default=None)
        if (
            latest is not None
            and latest.version == record.version
            and latest.title is not None
            and record.title != latest.title
        ):
            lost += 1
            problems.append(f"{video_id}: the last acknowledged title {latest.title!r} is not stored")
        # corrupt: named objects exist (the cover history's images too), no cover lingers, status sane
        named = record.derived_keys
        missing = [key for key in named if not _exists(s3, stack.bucket, key)]
        covers = {
            o["Key"]
            for o in s3.list_objects_v2(Bucket=stack.bucket, Prefix=f"covers/{video_id}/").get("Contents", [])
        }
        orphans = covers - named
        if record.status != "Normal" or missing or orphans:
            corrupt += 1
            problems.append(
                f"{video_id}: status {record.status}, missing {missing}, orphaned {sorted(orphans)}"
            )
    return lost, corrupt, problems


def repository_item(item: dict[str, Any]) -> dict[str, Any]:
    from vodcover.dal.videos import _unwrap

    return _unwrap(item)


def _exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except Exception:
        return False
    return True


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def soak(*, clients: int, seconds: float, videos: int, seed: int = 1) -> Report:
    with tempfile.TemporaryDirectory(prefix="vodcover-soak-") as folder:
        clip = make_clip(Path(folder))
        console = Path(folder) / "console"
        console.mkdir()
        (console / "index.html").write_text("<!doctype html>", encoding="utf-8")
        with LocalStack(
            find_template(),
            users={USER: SECRET},
            parameter_overrides={"SnapshotCount": "2", "LogLevel": "WARNING"},  # logs would drown the report
            retry_delays=(0.0, 0.0),
            max_workers=2,
            console_dir=console,
        ) as stack:
            before = prepare_videos(stack, clip, videos)
            log = Log()
            started = time.monotonic()
            threads = [
                Client(n, stack, list(before), clip, log, started + seconds, seed) for n in range(clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            stack.wait_idle(300)
            lost, corrupt, problems = check(stack, before, log)
    everything = [v for values in log.latencies.values() for v in values if values]
    requests_made = sum(len(v) for k, v in log.latencies.items() if k != "upload_put")
    by_operation = {
        name: {
            "count": len(values),
            "p50_ms": round(percentile(values, 0.5) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        }
        for name, values in sorted(log.latencies.items())
    }
    return Report(
        clients=clients,
        seconds=round(elapsed, 1),
        requests=requests_made,
        requests_per_second=round(requests_made / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(statistics.median(everything) * 1000, 1) if everything else 0.0,
        p99_ms=round(percentile(everything, 0.99) * 1000, 1),
        errors=len(log.errors),
        conflicts=log.conflicts,
        acknowledged_writes=len(log.acks),
        videos_checked=len(before),
        lost_updates=lost,
        corrupt_records=corrupt,
        problems=problems + log.errors[:20],
        by_operation=by_operation,
    )


SHORT = {"clients": 4, "seconds": 8.0, "videos": 4}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--videos", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--short", action="store_true", help=f"the make-test version: {SHORT}")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON document")
    args = parser.parse_args(argv)
    options = (
        SHORT if args.short else {"clients": args.clients, "seconds": args.seconds, "videos": args.videos}
    )
    report = soak(**options, seed=args.seed)  # type: ignore[arg-type]
    if args.json:
        print(json.dumps(asdict(report), indent=2))
    else:
        print(
            f"{report.clients} clients, {report.seconds}s: {report.requests} requests, "
            f"{report.requests_per_second} req/s, p50 {report.p50_ms} ms, p99 {report.p99_ms} ms, "
            f"{report.errors} errors, {report.conflicts} conflicts (409, retryable)\n"
            f"{report.acknowledged_writes} acknowledged writes on {report.videos_checked} videos: "
            f"{report.lost_updates} lost updates, {report.corrupt_records} corrupt records"
        )
        for name, figures in report.by_operation.items():
            count, p50, p99 = figures["count"], figures["p50_ms"], figures["p99_ms"]
            print(f"  {name:15} {count:6} requests  p50 {p50:7} ms  p99 {p99:7} ms")
        for problem in report.problems:
            print("  !", problem)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
