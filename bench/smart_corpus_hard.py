"""The hard smart-cover corpus: 44 labelled videos of the cases the easy corpus misses.

Built like :mod:`smart_corpus` (real photographs, labelled junk stretches, the bundled ffmpeg),
with the cases where a selector tuned on easy footage fails: long videos that are mostly junk;
night and haze looks (dark or flat *by intent*) next to truly under-exposed or flat junk;
slideshows of 1-2 s scenes with white flashes; long dissolves and whip pans; rotated, portrait,
letterboxed and pillarboxed frames; a talking head (one scene for a minute); screen recordings
of text; near-duplicate framings; 2-5 s clips; 4K; sparse keyframes and keyframes on cuts.

Every family comes twice, with different photographs and timings: variant ``a`` is in the
**tune** half (thresholds may be chosen on it), variant ``b`` in the **held-out** half (only
reported). The split is fixed by the recipe, not drawn at random, so every run scores the same
videos. Photographs: scikit-image's bundled data and, when installed, Debian's
``mate-backgrounds`` nature photographs (each has a scikit-image stand-in otherwise, see
``smart_corpus.WALLPAPERS``).

Run: ``python bench/smart_corpus_hard.py`` builds into ``build/bench-corpus-hard/`` (cached by a
hash of each recipe) and prints the corpus.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from smart_corpus import FPS, ROOT, Segment, Video, build_corpus, scene

CORPUS_DIR = ROOT / "build" / "bench-corpus-hard"
SMALL = (640, 360)
HD = (1280, 720)
UHD = (3840, 2160)
PORTRAIT_HD = (720, 1280)
TUNE, HELD_OUT, FRESH = "tune", "held-out", "fresh"


def variant(split: str) -> str:
    """The letter in a video's name: a tunes, b is held out, c is bench/smart_corpus_fresh.py's."""
    return {TUNE: "a", HELD_OUT: "b", FRESH: "c"}[split]


def _j(kind: str, duration: float, **kw: str) -> Segment:
    return Segment(kind, duration, **kw)  # type: ignore[arg-type]


def _title(text: str, colour: str = "0x1c2340", duration: float = 2.5) -> Segment:
    return Segment("title", duration, text=text, colour=colour)


def _look(kind: str, photo: str, duration: float, motion: str = "pan") -> Segment:
    return Segment(kind, duration, photo=photo, motion=motion)


def _slideshow(photos: list[str], lengths: list[float], flash: float) -> list[Segment]:
    parts: list[Segment] = []
    for i, (photo, length) in enumerate(zip(photos, lengths, strict=True)):
        if i:
            parts.append(_j("white", flash))
        parts.append(scene(photo, length, motion="zoom" if i % 2 else "pan"))
    return parts


def family_junk_long(split: str, photos: list[str], seed: int) -> Video:
    """A minute or more of junk (black, bars, flat, titles, blur, under-exposure), 3 short scenes."""
    a, b, c = photos
    return Video(
        f"junk-long-{variant(split)}",
        [_j("black", 6.0), _j("bars", 8.0), _title("Live stream starting soon", duration=10.0),
         _j("flat", 6.0, colour="0x202830"), scene(a, 3.0), _j("dark", 8.0, photo=b),
         _j("blur", 6.0, photo=c), scene(b, 3.0 + seed), _j("black", 4.0),
         _title("Be right back", colour="0x5a1010", duration=8.0), scene(c, 3.0), _j("flat", 5.0),
         _j("black", 6.0)],
        size=SMALL, split=split,
    )  # fmt: skip


def family_night(split: str, photos: list[str]) -> Video:
    """Night scenes (dark by intent, detailed) against under-exposed and near-black junk."""
    a, b, c = photos
    return Video(
        f"night-{variant(split)}",
        [_j("black", 1.5), _look("night", a, 6.0), _j("dark", 4.0, photo=b), _look("night", b, 6.0, "zoom"),
         _j("flat", 3.0, colour="0x101214"), _look("night", c, 6.0, "tilt"), _j("dark", 3.0, photo=a),
         _j("black", 1.5)],
        size=SMALL, split=split,
    )  # fmt: skip


def family_haze(split: str, photos: list[str]) -> Video:
    """Hazy scenes (low contrast by intent) against flat grey, washed-out and blurred junk."""
    a, b, c = photos
    return Video(
        f"haze-{variant(split)}",
        [_j("flat", 2.0, colour="0xa8aaa6"), _look("haze", a, 6.0), _j("washed", 3.0, photo=b),
         _look("haze", b, 6.0, "zoom"), _j("blur", 3.0, photo=c), _look("haze", c, 6.0),
         _j("flat", 2.0, colour="0xc4c2bc")],
        size=SMALL, split=split,
    )  # fmt: skip


def family_slideshow(split: str, photos: list[str], lengths: list[float], flash: float) -> Video:
    """Fast cuts: 1-2 s scenes with brief white flashes between them."""
    return Video(
        f"slideshow-{variant(split)}",
        [_j("black", 1.0), *_slideshow(photos, lengths, flash), _j("black", 1.0)],
        size=SMALL, split=split,
    )  # fmt: skip


def family_transitions(split: str, photos: list[str]) -> Video:
    """Long dissolves and whip pans between scenes."""
    a, b, c, d = photos
    return Video(
        f"transitions-{variant(split)}",
        [scene(a, 5.0), _j("dissolve", 2.0, photo=a, other=b), scene(b, 5.0), _j("whip", 1.0, photo=c),
         scene(c, 5.0, motion="zoom"), _j("dissolve", 2.5, photo=c, other=d), scene(d, 5.0),
         _j("whip", 0.8, photo=a), scene(a, 4.0, motion="zoom")],
        size=SMALL, split=split,
    )  # fmt: skip


def family_rotated(split: str, photos: list[str], rotation: int) -> Video:
    """A phone held upright: stored landscape, display matrix turning it (4 scenes)."""
    a, b, c, d = photos
    return Video(
        f"rotated-{variant(split)}",
        [_j("black", 1.0), scene(a, 4.0, motion="tilt"), scene(b, 4.0, motion="tilt"), _j("white", 0.3),
         scene(c, 4.0, motion="zoom"), _j("dark", 2.0, photo=a), scene(d, 4.0, motion="tilt"),
         _j("black", 1.0)],
        size=(360, 640), rotation=rotation, split=split,
    )  # fmt: skip


def family_portrait(split: str, photos: list[str]) -> Video:
    a, b, c = photos
    return Video(
        f"portrait-{variant(split)}",
        [_title("Story", colour="0xe8e0d0"), scene(a, 5.0, motion="tilt"), _j("white", 0.2),
         scene(b, 5.0, motion="zoom"), _j("blur", 2.0, photo=c), scene(c, 5.0, motion="tilt"),
         _j("black", 1.0)],
        size=(360, 640), split=split,
    )  # fmt: skip


def family_letterbox(split: str, photos: list[str], content: tuple[int, int]) -> Video:
    """Black bars on every frame (2.39:1 letterbox or 4:3 pillarbox): the bars are not the picture."""
    a, b, c = photos
    return Video(
        f"letterbox-{variant(split)}",
        [_j("black", 2.0), scene(a, 6.0), _j("dark", 3.0, photo=b), scene(b, 6.0, motion="zoom"),
         _title("The End", colour="0x000000"), scene(c, 6.0), _j("black", 2.0)],
        size=SMALL, content=content, split=split,
    )  # fmt: skip


def family_talking_head(split: str, photo: str, minutes: float) -> Video:
    """One static scene for a minute or more, a title before it and black after."""
    return Video(
        f"talking-head-{variant(split)}",
        [_title("Interview"), scene(photo, 60.0 * minutes, motion="still"), _j("black", 2.0)],
        size=SMALL, split=split,
    )  # fmt: skip


def family_screen(split: str, pages: list[str], photo: str) -> Video:
    """A screen recording: document pages of text, a photo shown, blank and title slides."""
    a, b = pages
    return Video(
        f"screen-{variant(split)}",
        [_title("Quarterly review", colour="0xffffff"), _look("page", a, 6.0, "tilt"), _j("white", 1.5),
         scene(photo, 5.0), _title("Questions?", colour="0x204080"), _look("page", b, 6.0, "still"),
         _j("black", 1.0)],
        size=SMALL, split=split,
    )  # fmt: skip


def family_near_duplicates(split: str, photos: list[str]) -> Video:
    """The same subject framed again and again (pan, zoom, tilt): one scene each, not five."""
    a, b, c = photos
    return Video(
        f"near-dup-{variant(split)}",
        [scene(a, 4.0), scene(a, 4.0, motion="zoom"), scene(b, 4.0), scene(a, 4.0, motion="tilt"),
         scene(b, 4.0, motion="zoom"), scene(c, 4.0), scene(a, 3.0)],
        size=SMALL, split=split,
    )  # fmt: skip


def family_short(split: str, tag: str, parts: list[Segment], size: tuple[int, int] = HD) -> Video:
    return Video(f"short-{tag}-{variant(split)}", parts, size=size, split=split)


def family_4k(split: str, photos: list[str]) -> Video:
    a, b, c, d = photos
    return Video(
        f"uhd-{variant(split)}",
        [_j("black", 1.0), scene(a, 4.5), _j("white", 0.3), scene(b, 4.5, motion="zoom"),
         _j("blur", 2.0, photo=c), scene(c, 4.0), scene(d, 3.5), _j("black", 0.5)],
        size=UHD, crf=26, split=split,
    )  # fmt: skip


def family_sparse(split: str, photos: list[str]) -> Video:
    """Keyframes 15 s apart over 5 s scenes: most scenes have no keyframe at all."""
    a, b, c, d, e = photos
    return Video(
        f"sparse-{variant(split)}",
        [_j("black", 1.0), scene(a, 5.0), scene(b, 5.0, motion="zoom"), _j("flat", 2.0), scene(c, 5.0),
         _j("white", 0.3), scene(d, 5.0, motion="tilt"), scene(e, 5.0), _j("black", 1.0)],
        size=SMALL, gop=15 * FPS, split=split,
    )  # fmt: skip


def family_cut_keyframes(split: str, photos: list[str]) -> Video:
    """x264's scene-cut keyframes: keyframes sit on flashes and on the first frame after a cut."""
    a, b, c, d = photos
    return Video(
        f"cut-keyframes-{variant(split)}",
        [_j("black", 0.5), scene(a, 3.0), _j("white", 0.16), scene(b, 2.5, motion="zoom"), _j("white", 0.16),
         scene(c, 3.0), _j("flat", 0.5), scene(d, 2.5, motion="zoom"), _j("white", 0.2), scene(a, 2.0),
         _j("black", 0.5)],
        size=SMALL, gop=None, scenecut=True, split=split,
    )  # fmt: skip


def family_few_good(split: str, photos: list[str]) -> Video:
    """Only two good scenes among fades, titles and blur: fewer than K candidates is right."""
    a, b = photos
    return Video(
        f"few-good-{variant(split)}",
        [_title("Welcome"), _j("blur", 3.0, photo=a), scene(a, 4.0, fade_in=1.0, fade_out=1.0),
         _j("dark", 4.0, photo=b), _j("bars", 3.0), scene(b, 4.0, fade_in=1.0),
         _j("flat", 3.0, colour="0x6a6a6a"),
         _title("Subscribe", colour="0xd04020"), _j("black", 2.0)],
        size=SMALL, split=split,
    )  # fmt: skip


def family_flash_cuts(split: str, photos: list[str], lengths: list[float], flash: float) -> Video:
    """1 s scenes, flashes of 2-3 frames between them, x264's scene-cut keyframes on every cut."""
    return Video(
        f"flash-cuts-{variant(split)}",
        [_j("black", 0.5), *_slideshow(photos, lengths, flash), _j("black", 0.5)],
        size=SMALL, gop=None, scenecut=True, split=split,
    )  # fmt: skip


def family_slow_dissolves(split: str, photos: list[str]) -> Video:
    """Dissolves longer than the keyframe spacing, and a long blur stretch: gradual junk."""
    a, b, c, d = photos
    return Video(
        f"slow-dissolves-{variant(split)}",
        [scene(a, 4.0), _j("dissolve", 3.5, photo=a, other=b), scene(b, 4.0, motion="zoom"),
         _j("blur", 4.0, photo=c), scene(c, 4.0), _j("dissolve", 3.0, photo=c, other=d),
         scene(d, 4.0, motion="tilt"), _j("whip", 1.2, photo=a), _j("whip", 1.2, photo=b)],
        size=SMALL, split=split,
    )  # fmt: skip


def family_haze_pairs(split: str, photos: list[str]) -> Video:
    """Different hazy scenes back to back (not one scene), between flat grey and washed-out junk."""
    a, b, c = photos
    return Video(
        f"haze-pairs-{variant(split)}",
        [_j("washed", 2.0, photo=a), _look("haze", a, 5.0), _look("haze", b, 5.0, "zoom"),
         _j("flat", 3.0, colour="0xb0b0ac"), _look("haze", c, 5.0, "tilt"), _j("washed", 2.0, photo=b)],
        size=SMALL, split=split,
    )  # fmt: skip


def family_uhd_sparse(split: str, photos: list[str]) -> Video:
    """4K with keyframes 6 s apart over 3 s shots: shots with no keyframe, at a costly resolution."""
    a, b, c, d = photos
    return Video(
        f"uhd-sparse-{variant(split)}",
        [scene(a, 3.0), scene(b, 3.0, motion="zoom"), _j("white", 0.2), scene(c, 3.0), scene(d, 3.0),
         _j("black", 0.8)],
        size=UHD, crf=28, gop=6 * FPS, split=split,
    )  # fmt: skip


def hard_corpus() -> list[Video]:
    """Both halves: variant a of each family tunes, variant b is held out."""
    return [
        family_junk_long(TUNE, ["astronaut", "coffee", "Garden"], 0),
        family_junk_long(HELD_OUT, ["LadyBird", "chelsea", "rocket"], 1),
        family_night(TUNE, ["hubble_deep_field", "Storm", "motorcycle_left"]),
        family_night(HELD_OUT, ["TwoWings", "astronaut", "Aqua"]),
        family_haze(TUNE, ["Dune", "rocket", "GreenMeadow"]),
        family_haze(HELD_OUT, ["Storm", "coffee", "Blinds"]),
        family_slideshow(TUNE, ["chelsea", "coffee", "Garden", "coins", "RainDrops", "astronaut"],
                         [1.5, 1.2, 2.0, 1.0, 1.8, 1.4], 0.2),
        family_slideshow(HELD_OUT,
                         ["YellowFlower", "rocket", "ihc", "Wood", "FreshFlower", "motorcycle_left", "Dune"],
                         [1.2, 1.8, 1.0, 1.6, 1.3, 2.0, 1.1], 0.12),
        family_transitions(TUNE, ["coffee", "rocket", "ihc", "Aqua"]),
        family_transitions(HELD_OUT, ["LadyBird", "chelsea", "Storm", "camera"]),
        family_rotated(TUNE, ["astronaut", "FreshFlower", "coins", "rocket"], 90),
        family_rotated(HELD_OUT, ["Garden", "ihc", "chelsea", "YellowFlower"], 270),
        family_portrait(TUNE, ["RainDrops", "motorcycle_left", "coffee"]),
        family_portrait(HELD_OUT, ["chelsea", "TwoWings", "astronaut"]),
        family_letterbox(TUNE, ["Garden", "coffee", "astronaut"], (640, 268)),
        family_letterbox(HELD_OUT, ["rocket", "Blinds", "LadyBird"], (480, 360)),
        family_talking_head(TUNE, "astronaut", 1.0),
        family_talking_head(HELD_OUT, "FreshFlower", 1.5),
        family_screen(TUNE, ["page", "text"], "coffee"),
        family_screen(HELD_OUT, ["text", "page"], "GreenMeadow"),
        family_near_duplicates(TUNE, ["chelsea", "coffee", "rocket"]),
        family_near_duplicates(HELD_OUT, ["YellowFlower", "astronaut", "Wood"]),
        family_short(TUNE, "2s", [scene("coffee", 2.0)]),
        family_short(HELD_OUT, "2s", [_j("black", 0.3), scene("LadyBird", 1.7)]),
        family_short(TUNE, "5s",
                     [_j("black", 0.5), scene("rocket", 2.0), _j("white", 0.2), scene("Aqua", 2.3)]),
        family_short(HELD_OUT, "5s", [scene("chelsea", 2.5), _j("white", 0.2), scene("Dune", 2.3)]),
        family_4k(TUNE, ["Garden", "astronaut", "rocket", "coffee"]),
        family_4k(HELD_OUT, ["LadyBird", "chelsea", "Aqua", "motorcycle_left"]),
        family_sparse(TUNE, ["coins", "astronaut", "Storm", "chelsea", "Blinds"]),
        family_sparse(HELD_OUT, ["RainDrops", "coffee", "rocket", "GreenMeadow", "ihc"]),
        family_cut_keyframes(TUNE, ["motorcycle_left", "Aqua", "chelsea", "FreshFlower"]),
        family_cut_keyframes(HELD_OUT, ["astronaut", "Wood", "coffee", "Garden"]),
        family_few_good(TUNE, ["coffee", "GreenMeadow"]),
        family_few_good(HELD_OUT, ["Storm", "rocket"]),
        family_flash_cuts(TUNE, ["coffee", "Wood", "coins", "grass", "chelsea", "rocket", "ihc"],
                          [1.0, 1.2, 0.9, 1.1, 1.0, 1.3, 1.0], 0.08),
        family_flash_cuts(HELD_OUT,
                          ["motorcycle_right", "astronaut", "gravel", "coffee", "camera", "chelsea"],
                          [1.1, 0.9, 1.2, 1.0, 1.0, 1.4], 0.12),
        family_slow_dissolves(TUNE, ["astronaut", "coffee", "rocket", "RainDrops"]),
        family_slow_dissolves(HELD_OUT, ["chelsea", "motorcycle_right", "coins", "ihc"]),
        family_haze_pairs(TUNE, ["coffee", "astronaut", "grass"]),
        family_haze_pairs(HELD_OUT, ["rocket", "chelsea", "motorcycle_right"]),
        family_uhd_sparse(TUNE, ["coffee", "rocket", "coins", "astronaut"]),
        family_uhd_sparse(HELD_OUT, ["chelsea", "ihc", "motorcycle_right", "camera"]),
        family_short(TUNE, "3s-portrait", [scene("YellowFlower", 1.4, motion="tilt"), _j("white", 0.12),
                                            scene("astronaut", 1.5, motion="tilt")], size=PORTRAIT_HD),
        family_short(HELD_OUT, "3s-portrait",
                     [_j("black", 0.2), scene("coffee", 1.3, motion="tilt"), _j("white", 0.1),
                      scene("motorcycle_right", 1.4, motion="tilt")], size=PORTRAIT_HD),
    ]  # fmt: skip


def build_hard_corpus(directory: Path = CORPUS_DIR, *, log: bool = True) -> dict[str, dict[str, object]]:
    return build_corpus(directory, log=log, videos=hard_corpus())


def print_labels(labels: dict[str, dict[str, object]]) -> None:
    """One line per built video: its split, length, and how many scenes and junk ranges."""
    for name, entry in labels.items():
        scenes, junk = len(entry["scenes"]), len(entry["junk"])  # type: ignore[arg-type]
        print(f"{name:20s} {entry['split']:9s} {entry['duration']:6.1f}s  scenes={scenes}  junk={junk}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=CORPUS_DIR)
    args = parser.parse_args()
    labels = build_hard_corpus(args.dir)
    print_labels(labels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
