"""The fresh smart-cover corpus: the hard corpus's families a third time, never tuned on.

The tune and held-out halves of :mod:`smart_corpus_hard` have been looked at for many sessions:
their misses were studied, so the held-out half is no longer quite unseen. This third variant
(``c``, split ``fresh``) has other photographs (UKUI's and Lomiri's wallpapers, people, animals,
mountains, still lifes, a dark sky, from ``apt-get install ukui-wallpapers lomiri-wallpapers``)
and other timings and orders, so it estimates how the selector does on footage nobody tuned on.
Report it; never tune on it. Without the packages it is not built (there are no stand-ins: a
stand-in would be a photograph the selector was tuned on).

Run: ``python bench/smart_corpus_fresh.py`` builds into ``build/bench-corpus-fresh/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from smart_corpus import FPS, ROOT, Video, build_corpus, photo_path, scene
from smart_corpus_hard import (
    FRESH,
    HD,
    PORTRAIT_HD,
    SMALL,
    UHD,
    _j,
    _look,
    _title,
    family_4k,
    family_cut_keyframes,
    family_flash_cuts,
    family_haze,
    family_haze_pairs,
    family_letterbox,
    family_near_duplicates,
    family_night,
    family_rotated,
    family_screen,
    family_short,
    family_slideshow,
    family_sparse,
    family_talking_head,
    family_transitions,
    family_uhd_sparse,
    print_labels,
)

CORPUS_DIR = ROOT / "build" / "bench-corpus-fresh"

BRIDGE, DRAGONFLY, BIRD = "Bridge_by_Sander_Klootwijk", "Dragonfly_by_Bolly", "Kleiber_by_Lukas_Baubkus"
FIG, BRUSHES, ROOM = "Picture_0B_by_freespace", "Picture_1A_by_freespace", "Wine_by_Jakkub_Mede"
HILLS, DOGS = "aitzgorri_by_Aitzol_Berasategi", "friends_by_Aitzol_Berasategi"
STREAM = "life_by_Aitzol_Berasategi"
PEAKS, DANDELIONS, SUNSET = (
    "picosdeeuropa_by_Aitzol_Berasategi",
    "seeding_by_Clements_Engelhardt",
    "sunset_by_Aitzol_Berasategi",
)
MILKY_WAY, CLOCK = "Infinite-Sea_by_Aury88", "greentock_by_Peter_Nerlich"
PHOTOS = (BRIDGE, DRAGONFLY, BIRD, FIG, BRUSHES, ROOM, HILLS, DOGS, STREAM, PEAKS, DANDELIONS, SUNSET)


def fresh_corpus() -> list[Video]:
    """Variant c of the families; where a family's recipe is fixed, its own c-shaped video."""
    return [
        Video(
            "junk-long-c",
            [_title("Stream begins shortly", colour="0x102030", duration=12.0), _j("bars", 10.0),
             _j("black", 5.0), _j("blur", 5.0, photo=DOGS), _j("dark", 7.0, photo=PEAKS), scene(DOGS, 2.5),
             _j("flat", 8.0, colour="0x303030"),
             _title("Technical difficulties", colour="0x402000", duration=9.0),
             scene(PEAKS, 2.0), _j("black", 5.0), _j("washed", 4.0, photo=FIG), scene(FIG, 3.5),
             _j("bars", 6.0), _j("black", 4.0)],
            size=SMALL, split=FRESH,
        ),
        family_night(FRESH, [MILKY_WAY, SUNSET, BRIDGE]),
        family_haze(FRESH, [HILLS, DANDELIONS, ROOM]),
        family_slideshow(FRESH, [BIRD, FIG, STREAM, BRUSHES, PEAKS, DOGS],
                         [1.1, 1.7, 1.3, 1.0, 1.9, 1.2], 0.16),
        family_transitions(FRESH, [DRAGONFLY, HILLS, ROOM, SUNSET]),
        family_rotated(FRESH, [DOGS, BRUSHES, BIRD, STREAM], 90),
        Video(
            "portrait-c",
            [_j("black", 0.6), scene(BIRD, 4.0, motion="tilt"), _j("white", 0.15),
             scene(ROOM, 4.5, motion="zoom"),
             _j("dark", 2.0, photo=FIG), scene(FIG, 4.0, motion="tilt"), _title("Follow", colour="0x202020")],
            size=(360, 640), split=FRESH,
        ),
        family_letterbox(FRESH, [PEAKS, DRAGONFLY, DOGS], (640, 272)),
        family_talking_head(FRESH, ROOM, 1.2),
        family_screen(FRESH, ["text", "page"], BRUSHES),
        family_near_duplicates(FRESH, [DANDELIONS, BIRD, HILLS]),
        family_short(FRESH, "2s", [scene(STREAM, 1.8), _j("black", 0.2)]),
        family_short(FRESH, "4s",
                     [_j("white", 0.15), scene(FIG, 1.9), _j("white", 0.15), scene(PEAKS, 1.8)]),
        family_short(
            FRESH, "3s-portrait",
            [scene(DOGS, 1.5, motion="tilt"), _j("white", 0.12), scene(BRUSHES, 1.4, motion="tilt")],
            size=PORTRAIT_HD,
        ),
        family_4k(FRESH, [SUNSET, BIRD, HILLS, DANDELIONS]),
        family_sparse(FRESH, [BRIDGE, STREAM, FIG, DRAGONFLY, PEAKS]),
        family_cut_keyframes(FRESH, [ROOM, DOGS, SUNSET, BRUSHES]),
        Video(
            "few-good-c",
            [_j("black", 2.0), _title("Chapter one", colour="0x000000"), _j("dark", 5.0, photo=HILLS),
             scene(HILLS, 3.5, fade_in=0.8), _j("blur", 4.0, photo=BIRD), _j("flat", 4.0, colour="0x7a7a7a"),
             scene(BIRD, 3.0, fade_out=1.0), _j("bars", 4.0), _j("black", 3.0)],
            size=SMALL, split=FRESH,
        ),
        family_flash_cuts(FRESH, [DRAGONFLY, ROOM, PEAKS, FIG, SUNSET, DOGS, BRIDGE],
                          [1.2, 1.0, 1.1, 0.9, 1.3, 1.0, 1.1], 0.1),
        Video(
            "slow-dissolves-c",
            [_j("whip", 1.0, photo=FIG), scene(STREAM, 4.5), _j("dissolve", 3.0, photo=STREAM, other=BRIDGE),
             scene(BRIDGE, 4.0, motion="zoom"), _j("blur", 3.5, photo=DOGS), scene(DOGS, 4.0),
             _j("dissolve", 3.5, photo=DOGS, other=BRUSHES), scene(BRUSHES, 4.0, motion="tilt"),
             _j("whip", 1.0, photo=STREAM)],
            size=SMALL, split=FRESH,
        ),
        family_haze_pairs(FRESH, [PEAKS, STREAM, BIRD]),
        family_uhd_sparse(FRESH, [FIG, DOGS, BRIDGE, ROOM]),
        Video(
            "night-city-c",  # dark by intent in a video that is dark throughout
            [_look("night", MILKY_WAY, 6.0, "still"), _look("night", CLOCK, 5.0, "zoom"), _j("black", 2.0),
             _look("night", SUNSET, 5.0), _j("dark", 3.0, photo=ROOM), _look("night", BRIDGE, 5.0, "tilt")],
            size=SMALL, split=FRESH,
        ),
        Video(
            "long-gop-hd-c",  # 720p, keyframes 10 s apart, cuts between them
            [scene(DANDELIONS, 3.5), scene(ROOM, 3.0, motion="zoom"), _j("white", 0.2), scene(BIRD, 4.0),
             _j("black", 1.0), scene(HILLS, 3.0, motion="tilt"), scene(FIG, 3.5)],
            size=HD, gop=10 * FPS, split=FRESH,
        ),
        Video(
            "uhd-flash-c",
            [scene(DRAGONFLY, 3.0), _j("white", 0.25), scene(BRUSHES, 3.0, motion="zoom"),
             _j("blur", 1.5, photo=FIG),
             scene(PEAKS, 3.0), _j("black", 0.5)],
            size=UHD, crf=27, split=FRESH,
        ),
    ]  # fmt: skip


def fresh_photographs_installed() -> bool:
    try:
        for name in (*PHOTOS, MILKY_WAY, CLOCK):
            photo_path(name)
    except FileNotFoundError:
        return False
    return True


def build_fresh_corpus(
    directory: Path = CORPUS_DIR, *, log: bool = True
) -> dict[str, dict[str, object]] | None:
    """None without the wallpaper packages: the split is then not reported."""
    if not fresh_photographs_installed():
        return None
    return build_corpus(directory, log=log, videos=fresh_corpus())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=CORPUS_DIR)
    args = parser.parse_args()
    labels = build_fresh_corpus(args.dir)
    if labels is None:
        print("not built: apt-get install ukui-wallpapers lomiri-wallpapers", file=sys.stderr)
        return 1
    print_labels(labels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
