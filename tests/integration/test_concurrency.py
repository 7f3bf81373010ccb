"""Many people changing one video at once: every acknowledged write counts, none is lost.

Each writer sets its own title. If an update were lost (two writers both passing the same
``version`` check), the final version would be lower than 1 + the number of acknowledged writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from tests.integration.api_client import Api
from tests.integration.conftest import create_upload

pytestmark = pytest.mark.integration

WRITERS = 24
THREADS = 8


def test_parallel_patches_of_one_video_lose_no_update(signed_as: Callable[[str], Api]) -> None:
    # Given a video, and eight clients of alice's, each with its own connection
    owner = signed_as("alice")
    video_id = create_upload(owner, title="Contended")["videoId"]
    before = owner.video(video_id)
    clients = [signed_as("alice") for _ in range(THREADS)]
    for client in clients:
        client.latency_tag = " (contended)"
    start = Barrier(THREADS)

    def write(n: int) -> tuple[str, int, str]:
        if n < THREADS:
            start.wait(timeout=30)  # the first wave leaves together
        answer = clients[n % THREADS].call(
            "PATCH", "/videos/{videoId}", videoId=video_id, json={"title": f"writer {n}", "tags": [f"w{n}"]}
        )
        code = answer.body["error"]["code"] if answer.status != 200 else ""
        return f"writer {n}", answer.status, code

    # When 24 writes race from 8 threads
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(write, range(WRITERS)))

    # Then every write succeeded, or was told to retry (409 Conflict.ConcurrentUpdate)
    outcomes = Counter((status, code) for _, status, code in results)
    assert set(outcomes) <= {(200, ""), (409, "Conflict.ConcurrentUpdate")}, outcomes
    acknowledged = [title for title, status, _ in results if status == 200]
    assert acknowledged, "at least one write must win"

    # And the version grew by exactly the number of acknowledged writes: none was lost
    after = owner.video(video_id)
    assert after["version"] == before["version"] + len(acknowledged), outcomes
    assert after["title"] in acknowledged
    assert after["tags"] == [f"w{after['title'].split()[-1]}"], "title and tags come from one write"
    retried = outcomes[(409, "Conflict.ConcurrentUpdate")]
    print(f"\n{len(acknowledged)} of {WRITERS} writes acknowledged, {retried} told to retry")
