"""Smart cover on footage unlike the easy corpus: night scenes, flashes on cuts, junk-heavy, 4K.

Real video encoded with the bundled ffmpeg from procedural photographs (tests.support.
smart_clips.scenic_image): a night look is the photograph under a strong gamma (dark, but its
highlights and edges kept); under-exposed junk is the same kind of picture crushed flat.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from tests.support.smart_clips import FPS, scenic_image, title_card
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.smart import SmartResult, select_candidates

pytestmark = pytest.mark.media

TIMEOUT = 60.0
# kind (scene | gravel | plain | haze | blur | night | stars | logo | dark | title | black | white | whip),
# seconds, seed
Part = tuple[str, float, int]


def starfield(seed: int, size: tuple[int, int] = (640, 400)) -> Image.Image:
    """A night sky: mean luma ~9 and ~2 bits of entropy, but stars all over it."""
    rng = random.Random(seed)
    sky = Image.new("RGB", size, (2, 3, 8))
    draw = ImageDraw.Draw(sky)
    for _ in range(500):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r, v = rng.choice((1, 1, 2, 3)), rng.randrange(120, 256)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(v, v, min(255, v + 30)))
    return sky


def plain_picture(seed: int, size: tuple[int, int] = (640, 400)) -> Image.Image:
    """A soft close-up (shallow focus) with a few crisp outlines: in focus, little fine detail."""
    rng = random.Random(seed)
    picture = scenic_image(seed, size).filter(ImageFilter.GaussianBlur(6))
    draw = ImageDraw.Draw(picture)
    for _ in range(20):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(15, 40)
        draw.ellipse((x - r, y - r, x + r, y + r), outline=(30, 20, 15), width=2)
    return picture


def gravel_picture(seed: int, size: tuple[int, int] = (640, 400)) -> Image.Image:
    """Fine texture everywhere: far crisper, by the Laplacian, than most pictures."""
    grain = Image.effect_noise((size[0] // 2, size[1] // 2), 90).resize(size, Image.Resampling.NEAREST)
    return ImageChops.overlay(scenic_image(seed, size), grain.convert("RGB"))


def logo_on_black(size: tuple[int, int] = (640, 400)) -> Image.Image:
    """A studio logo: bright strokes on black, in the middle of the picture only."""
    card = Image.new("RGB", size, (0, 0, 0))
    draw = ImageDraw.Draw(card)
    cx, cy = size[0] // 2, size[1] // 2
    draw.ellipse((cx - 50, cy - 50, cx + 50, cy + 50), outline=(240, 240, 240), width=8)
    draw.text((cx - 40, cy + 60), "STUDIO", fill=(230, 230, 230), font=ImageFont.load_default(size=28))
    return card


def picture(kind: str, seed: int) -> Image.Image:
    if kind == "title":
        return title_card((640, 400))
    if kind == "stars":
        return starfield(seed)
    if kind == "logo":
        return logo_on_black()
    photo = scenic_image(seed)
    if kind == "night":  # mean luma ~25-30 of 255: "black" by an absolute threshold
        return photo.point(lambda v: round(255 * (v / 255) ** 4.5))
    if kind == "haze":  # low contrast by intent: luma spread ~8, detail kept
        return ImageEnhance.Brightness(ImageEnhance.Contrast(photo).enhance(0.18)).enhance(1.25)
    if kind == "blur":  # out of focus: no strong edge anywhere
        return photo.filter(ImageFilter.GaussianBlur(12))
    if kind == "plain":
        return plain_picture(seed)
    if kind == "gravel":
        return gravel_picture(seed)
    if kind == "dark":  # under-exposed: little light and no contrast left
        return ImageEnhance.Brightness(ImageEnhance.Contrast(photo).enhance(0.25)).enhance(0.22)
    return photo


def encode(
    path: Path, parts: list[Part], *, size: tuple[int, int] = (320, 180), gop: int | None = 50
) -> dict:
    """Encode ``parts`` (each photograph panned slowly); return each part's time range."""
    width, height = size
    args, chains, ranges, start = ["-y"], [], [], 0.0
    for index, (kind, seconds, seed) in enumerate(parts):
        if kind in ("black", "white"):
            chains.append(f"color=c={kind}:s={width}x{height}:r={FPS}:d={seconds}[p{index}]")
        elif kind == "whip":  # a fast pan: three picture widths in the part, smeared along the motion
            image = path.parent / f"{path.stem}-{kind}-{seed}.png"
            scenic_image(seed).save(image)
            args += ["-loop", "1", "-framerate", str(FPS), "-t", str(seconds), "-i", str(image)]
            chains.append(
                f"[{sum(1 for a in args if a == '-i') - 1}:v]scale=w={width * 4}:h=-2,"
                f"crop={width}:{height}:'(iw-{width})*t/{seconds}':(ih-{height})/2,"
                f"avgblur=sizeX={width // 12}:sizeY=1,setsar=1,format=yuv420p[p{index}]"
            )
        else:
            image = path.parent / f"{path.stem}-{kind}-{seed}.png"
            picture(kind, seed).save(image)
            args += ["-loop", "1", "-framerate", str(FPS), "-t", str(seconds), "-i", str(image)]
            chains.append(
                f"[{sum(1 for a in args if a == '-i') - 1}:v]scale=w='max({width},{height}*iw/ih)*1.2':h=-2,"
                f"crop={width}:{height}:'(iw-{width})*t/{seconds}':(ih-{height})/2,setsar=1,format=yuv420p[p{index}]"
            )
        ranges.append((kind, seed, start, start + seconds))
        start += seconds
    joined = "".join(f"[p{i}]" for i in range(len(parts)))
    graph = ";".join([*chains, f"{joined}concat=n={len(parts)}:v=1:a=0,format=yuv420p[v]"])
    keyframes = ["-g", str(gop), "-sc_threshold", "0"] if gop else []  # None: x264's scene-cut keyframes
    run_ffmpeg(
        [*args, "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast",
         *keyframes, "-r", str(FPS), "-pix_fmt", "yuv420p", str(path)],
        timeout=120,
    )  # fmt: skip
    return {"ranges": ranges, "duration": start}


def part_at(at: float, clip: dict) -> tuple[str, int]:
    for kind, seed, start, end in clip["ranges"]:
        if start <= at < end:
            return kind, seed
    return "none", -1


def candidates_of(path: Path, count: int = 5) -> SmartResult:
    return select_candidates(str(path), count=count, timeout=TIMEOUT)


def test_given_a_night_video_then_its_dark_detailed_scenes_are_kept_and_the_underexposed_junk_is_not(
    tmp_path: Path,
) -> None:
    # Given black, two night scenes and an under-exposed stretch between them
    path = tmp_path / "night.mp4"
    clip = encode(
        path, [("black", 1.0, 0), ("night", 3.0, 1), ("dark", 2.0, 2), ("night", 3.0, 3), ("black", 1.0, 0)]
    )

    # When smart cover runs
    result = candidates_of(path)

    # Then both night scenes are proposed, and nothing else
    parts = [part_at(c.time, clip) for c in result.candidates]
    assert sorted(parts) == [("night", 1), ("night", 3)], [c.time for c in result.candidates]


def test_given_a_starfield_then_it_is_a_candidate_and_a_logo_on_black_is_not(tmp_path: Path) -> None:
    # Given a logo on black, a starfield (darker than any absolute "black" threshold), an
    # under-exposed stretch, a daylight scene and black
    path = tmp_path / "stars.mp4"
    clip = encode(
        path,
        [("logo", 2.0, 0), ("stars", 3.0, 1), ("dark", 2.0, 2), ("scene", 3.0, 3), ("black", 1.0, 0)],
    )

    # When smart cover runs
    result = candidates_of(path)

    # Then the starfield and the scene are proposed, the logo, the dark stretch and black are not
    parts = [part_at(c.time, clip) for c in result.candidates]
    assert sorted(parts) == [("scene", 3), ("stars", 1)], [c.time for c in result.candidates]


def test_given_a_hazy_and_a_plain_scene_next_to_a_crisp_one_then_all_three_are_kept_and_blur_is_not(
    tmp_path: Path,
) -> None:
    # Given a finely textured scene, a hazy scene, an out-of-focus stretch and a soft close-up:
    # blur judged against the crispest frame would drop the haze and the close-up with the blur
    path = tmp_path / "haze.mp4"
    clip = encode(path, [("gravel", 3.0, 4), ("haze", 3.0, 5), ("blur", 2.0, 6), ("plain", 3.0, 7)], gop=None)

    # When smart cover runs
    result = candidates_of(path)

    # Then the three scenes are proposed and nothing from the blurred stretch
    parts = sorted(part_at(c.time, clip) for c in result.candidates)
    assert parts == [("gravel", 4), ("haze", 5), ("plain", 7)], [c.time for c in result.candidates]


def test_given_white_flashes_on_cuts_then_no_pick_is_on_a_flash_or_within_tenths_of_a_second_of_one(
    tmp_path: Path,
) -> None:
    # Given three 2 s scenes separated by 0.2 s white flashes, keyframes where x264 puts them (on cuts)
    path = tmp_path / "flashes.mp4"
    parts: list[Part] = [
        ("scene", 2.0, 4),
        ("white", 0.2, 0),
        ("scene", 2.0, 5),
        ("white", 0.2, 0),
        ("scene", 2.0, 6),
    ]
    clip = encode(path, parts, gop=None)

    # When smart cover runs
    result = candidates_of(path)

    # Then every pick lies in a scene, at least 0.3 s from each flash
    assert result.candidates
    flashes = [(start, end) for kind, _, start, end in clip["ranges"] if kind == "white"]
    for candidate in result.candidates:
        assert part_at(candidate.time, clip)[0] == "scene", candidate.time
        assert all(candidate.time < start - 0.3 or candidate.time > end + 0.3 for start, end in flashes), (
            candidate.time
        )


def test_given_one_good_scene_among_junk_then_junk_never_fills_the_candidates(tmp_path: Path) -> None:
    # Given one scene between black and under-exposed stretches, and five candidates asked for
    path = tmp_path / "junk.mp4"
    clip = encode(
        path, [("black", 2.0, 0), ("dark", 2.0, 7), ("scene", 3.0, 8), ("dark", 2.0, 9), ("black", 2.0, 0)]
    )

    # When smart cover runs
    result = candidates_of(path, count=5)

    # Then only that scene is proposed: fewer candidates rather than junk
    assert [part_at(c.time, clip) for c in result.candidates] == [("scene", 8)]


def test_given_only_junk_then_no_candidate_is_proposed(tmp_path: Path) -> None:
    path = tmp_path / "only-junk.mp4"
    encode(
        path, [("black", 2.0, 0), ("title", 2.0, 0), ("dark", 2.0, 10), ("white", 1.0, 0), ("black", 1.0, 0)]
    )

    assert candidates_of(path).candidates == []


def test_given_a_4k_clip_then_it_is_analysed_and_candidates_come_at_cover_size(tmp_path: Path) -> None:
    # Given 4 s of 3840x2160 with two scenes, a keyframe every second
    path = tmp_path / "uhd.mp4"
    clip = encode(path, [("scene", 2.0, 11), ("scene", 2.0, 12)], size=(3840, 2160), gop=25)

    # When smart cover runs
    result = candidates_of(path, count=3)

    # Then both scenes are proposed, as 1920x1080 pictures
    assert sorted(part_at(c.time, clip) for c in result.candidates) == [("scene", 11), ("scene", 12)]
    assert {(c.width, c.height) for c in result.candidates} == {(1920, 1080)}
    assert result.width == 3840


def encode_dissolve(path: Path, seeds: tuple[int, int], *, scene: float, dissolve: float) -> None:
    """Two panned photographs of ``scene`` s each, joined by a ``dissolve`` s cross-fade (320x180)."""
    args, chains = ["-y"], []
    for index, seed in enumerate(seeds):
        image = path.parent / f"{path.stem}-{seed}.png"
        scenic_image(seed).save(image)
        length = scene + dissolve
        args += ["-loop", "1", "-framerate", str(FPS), "-t", str(length), "-i", str(image)]
        chains.append(
            f"[{index}:v]scale=w=384:h=-2,crop=320:180:'(iw-320)*t/{length}':(ih-180)/2,setsar=1,"
            f"format=yuv420p[p{index}]"
        )
    graph = ";".join([*chains, f"[p0][p1]xfade=transition=fade:duration={dissolve}:offset={scene}[v]"])
    run_ffmpeg(
        [*args, "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast",
         "-r", str(FPS), "-pix_fmt", "yuv420p", str(path)],
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("scene", "dissolve"),
    [
        (3.0, 2.5),  # several analysed frames inside it, each close to the next
        (5.0, 5.0),  # slow: 2.5 s either side of its middle is still the blend, steps jump like cuts
    ],
)
def test_given_a_dissolve_longer_than_the_analysis_spacing_then_no_pick_is_in_it(
    tmp_path: Path, scene: float, dissolve: float
) -> None:
    # Given two scenes joined by a dissolve longer than the analysis spacing
    path = tmp_path / "dissolve.mp4"
    encode_dissolve(path, (13, 14), scene=scene, dissolve=dissolve)

    # When smart cover runs
    result = candidates_of(path)

    # Then both scenes are proposed and no picture is a blend of the two, nor near one
    times = sorted(c.time for c in result.candidates)
    assert len(times) == 2, times
    assert times[0] < scene - 0.3 and times[1] > scene + dissolve + 0.3, times


def test_given_whip_pans_between_scenes_then_no_pick_is_inside_a_pan(tmp_path: Path) -> None:
    # Given three scenes joined by whip pans over other photographs (each frame of a pan smeared
    # along the motion, unlike the frames either side of it)
    path = tmp_path / "whips.mp4"
    parts = [("scene", 6.0, 31), ("whip", 2.0, 32), ("scene", 6.0, 33), ("whip", 2.0, 34), ("scene", 6.0, 35)]
    clip = encode(path, parts)

    # When smart cover runs
    result = candidates_of(path)

    # Then the three scenes are proposed and nothing from a pan (before: a pan's photograph too)
    picked = sorted(part_at(c.time, clip) for c in result.candidates)
    assert picked == [("scene", 31), ("scene", 33), ("scene", 35)]


def test_given_hard_cuts_between_short_scenes_then_every_pick_is_tenths_of_a_second_from_a_cut(
    tmp_path: Path,
) -> None:
    # Given four 1.5 s scenes cut together without any flash
    path = tmp_path / "cuts.mp4"
    clip = encode(path, [("scene", 1.5, 15), ("scene", 1.5, 16), ("scene", 1.5, 17), ("scene", 1.5, 18)])

    # When smart cover runs
    result = candidates_of(path)

    # Then every scene is proposed once, each picture at least 0.3 s from the cuts around it
    cuts = [start for _, _, start, _ in clip["ranges"][1:]]
    assert sorted(part_at(c.time, clip)[1] for c in result.candidates) == [15, 16, 17, 18]
    for candidate in result.candidates:
        assert all(abs(candidate.time - cut) >= 0.3 for cut in cuts), candidate.time
