"""Smart cover on real encoded clips: junk never proposed, distinct scenes, short, rotated, animated.

The clips (tests.support.smart_clips) are photo-like scenes between junk, a few seconds long at
320x180, so the whole module runs in seconds.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.support.smart_clips import Part, make_clip, scene_of
from vodcover.media.animated import make_animated_cover
from vodcover.media.smart import SmartResult, select_candidates
from vodcover_dev.cli import main

pytestmark = pytest.mark.media

TIMEOUT = 60.0


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("smart")


@pytest.fixture(scope="module")
def junk_and_two_scenes(clips: Path) -> tuple[Path, dict[str, object]]:
    """Black, flat colour and a title card, then scene 0, colour bars, scene 1, a flash, black."""
    path = clips / "junk.mp4"
    labels = make_clip(
        path,
        [
            Part("black", 1.0),
            Part("flat", 1.0),
            Part("title", 1.5),
            Part("scene", 3.0, scene=0),
            Part("bars", 1.0),
            Part("scene", 3.0, scene=1),
            Part("white", 0.5),
            Part("black", 1.0),
        ],
    )
    return path, labels


@pytest.fixture(scope="module")
def repeated_scenes(clips: Path) -> tuple[Path, dict[str, object]]:
    path = clips / "repeats.mp4"
    parts = [Part("scene", 3.0, 2), Part("scene", 3.0, 3), Part("scene", 3.0, 2), Part("scene", 3.0, 4)]
    return path, make_clip(path, parts)


def candidates_of(path: Path, count: int = 5) -> SmartResult:
    return select_candidates(str(path), count=count, timeout=TIMEOUT)


def test_given_junk_around_two_scenes_then_every_candidate_comes_from_a_good_scene(
    junk_and_two_scenes: tuple[Path, dict[str, object]],
) -> None:
    path, labels = junk_and_two_scenes

    result = candidates_of(path, count=5)

    scenes = [scene_of(c.time, labels) for c in result.candidates]
    assert scenes, "two good scenes exist: at least one candidate"
    assert None not in scenes, f"a junk frame was proposed: {[c.time for c in result.candidates]}"
    assert len(scenes) == len(set(scenes)) <= 2, "one candidate per scene, no junk padding"


def test_given_a_repeated_scene_then_candidates_are_distinct_scenes_and_not_near_duplicates(
    repeated_scenes: tuple[Path, dict[str, object]],
) -> None:
    path, labels = repeated_scenes

    result = candidates_of(path, count=5)

    scenes = [scene_of(c.time, labels) for c in result.candidates]
    assert None not in scenes
    assert len(scenes) == len(set(scenes)), f"scene proposed twice: {scenes}"
    assert set(scenes) == {2, 3, 4}, "three distinct scenes, the repeated one counted once"
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True), "best first"


def test_given_a_three_second_clip_then_it_gets_a_good_candidate_and_no_padding(clips: Path) -> None:
    path = clips / "short.mp4"
    labels = make_clip(path, [Part("black", 0.5), Part("scene", 2.0, 1), Part("black", 0.5)])

    result = candidates_of(path, count=5)

    assert len(result.candidates) == 1, "one scene: exactly one candidate, no junk padding"
    assert scene_of(result.candidates[0].time, labels) == 1


@pytest.mark.parametrize("rotation", [0, 90])
def test_given_a_portrait_or_phone_rotated_video_then_candidates_are_portrait(
    clips: Path, rotation: int
) -> None:
    path = clips / f"portrait-{rotation}.mp4"
    labels = make_clip(
        path,
        [Part("black", 0.5), Part("scene", 2.5, 0), Part("scene", 2.5, 1)],
        size=(180, 320),
        rotation=rotation,
    )

    result = candidates_of(path, count=3)

    assert result.width < result.height
    assert result.candidates
    for candidate in result.candidates:
        assert scene_of(candidate.time, labels) is not None
        with Image.open(io.BytesIO(candidate.jpeg)) as image:
            assert image.format == "JPEG"
            assert image.width < image.height, f"rotation {rotation}: candidate is landscape"
            assert (image.width, image.height) == (candidate.width, candidate.height)


def test_given_the_best_moments_then_the_animated_cover_loops_decodes_and_stays_small(
    junk_and_two_scenes: tuple[Path, dict[str, object]],
) -> None:
    path, _ = junk_and_two_scenes
    result = candidates_of(path, count=3)

    animation = make_animated_cover(str(path), result.moments, timeout=TIMEOUT)

    assert 2.0 <= animation.duration <= 4.0
    assert len(animation.gif) <= 2 * 1024 * 1024
    assert len(animation.webp) < len(animation.gif)
    for data, kind in ((animation.gif, "GIF"), (animation.webp, "WEBP")):
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == kind
            assert image.width <= 480
            assert getattr(image, "n_frames", 1) > 1
            assert image.info.get("loop") == 0, f"{kind} must loop forever"


def test_given_the_cli_then_it_writes_candidates_and_animation_and_prints_the_contract(
    junk_and_two_scenes: tuple[Path, dict[str, object]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = junk_and_two_scenes

    status = main(["smart-cover", str(path), "--count", "3", "--out", str(tmp_path), "--animated", "--json"])

    assert status == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"duration", "candidates", "animated"}
    assert document["duration"] == pytest.approx(12.0, abs=0.2)
    for index, candidate in enumerate(document["candidates"]):
        assert set(candidate) == {"time", "score", "path"}
        assert candidate["path"] == str(tmp_path / f"candidate-{index}.jpg")
        assert Path(candidate["path"]).is_file()
    assert document["animated"] == {"gif": str(tmp_path / "cover.gif"), "webp": str(tmp_path / "cover.webp")}
    assert all(Path(p).is_file() for p in document["animated"].values())


def test_given_a_missing_file_then_the_cli_prints_an_error_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["smart-cover", str(tmp_path / "nope.mp4"), "--out", str(tmp_path), "--json"])

    assert status != 0
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "Media.Unavailable"
