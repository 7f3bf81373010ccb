"""Small labelled clips for smart-cover tests: photo-like scenes between junk, made in a second.

The scenes are procedural "photographs" drawn with Pillow (soft multi-scale clouds coloured
with a seeded palette, plus a few blurred shapes: continuous tones, edges and colour, like a
real picture) and panned slowly by ffmpeg. Junk segments are what real uploads contain:
black, flat colour, a title card, SMPTE bars, a white flash.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from vodcover.media.ffmpeg import run_ffmpeg

FPS = 25
PALETTES = [
    ("#0b1d3a", "#e8a33d", "#5fa8d3"),
    ("#10300f", "#f2f0c8", "#3f8f3a"),
    ("#2a0a2e", "#ffd0e0", "#c0306a"),
    ("#1a1a1a", "#f0f0f0", "#8a6d4a"),
    ("#002b36", "#fdf6e3", "#b58900"),
]


@dataclass(frozen=True)
class Part:
    kind: str  # scene | black | white | flat | title | bars
    seconds: float
    scene: int = 0  # which procedural photograph (same number: the same scene again)


def scenic_image(seed: int, size: tuple[int, int] = (640, 400)) -> Image.Image:
    rng = random.Random(seed)
    width, height = size
    clouds = Image.new("L", size, 128)
    for octave, weight in ((8, 0.5), (24, 0.3), (80, 0.2)):
        noise = Image.effect_noise((max(2, width // octave), max(2, height // octave)), 64)
        clouds = Image.blend(clouds, noise.resize(size, Image.Resampling.BICUBIC), weight)
    clouds = ImageOps.autocontrast(clouds, cutoff=1)
    dark, light, mid = PALETTES[seed % len(PALETTES)]
    picture = ImageOps.colorize(clouds, black=dark, white=light, mid=mid)
    draw = ImageDraw.Draw(picture)
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(height // 12, height // 4)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour, outline=(0, 0, 0), width=3)
    return picture.filter(ImageFilter.GaussianBlur(1.2))


def title_card(size: tuple[int, int]) -> Image.Image:
    card = Image.new("RGB", size, "#1c2340")
    draw = ImageDraw.Draw(card)
    font = ImageFont.load_default(size=max(14, size[0] // 12))
    draw.text((size[0] // 10, size[1] // 3), "Summer 2026", fill="#f2f2f2", font=font)
    return card


def make_clip(
    path: Path, parts: list[Part], *, size: tuple[int, int] = (320, 180), rotation: int = 0
) -> dict[str, object]:
    """Encode ``parts``; return the labels: scene ranges by scene number and junk ranges.

    With ``rotation`` the picture is stored turned and a display matrix turns it back, as a
    phone records: players (and ffmpeg) show ``size``.
    """
    work = path.parent / f"{path.stem}-parts"
    work.mkdir(parents=True, exist_ok=True)
    width, height = size
    args, chains, scenes, junk = ["-y"], [], {}, []
    start = 0.0
    for index, part in enumerate(parts):
        end = start + part.seconds
        if part.kind == "scene":
            image = work / f"scene{part.scene}.png"
            if not image.exists():
                scenic_image(part.scene).save(image)
            args += ["-loop", "1", "-framerate", str(FPS), "-i", str(image)]
            source = (
                f"[{len(args) // 6}:v]scale=w='max({width},{height}*iw/ih)*1.3':h=-2,"
                f"crop={width}:{height}:'(iw-{width})*t/{part.seconds}':(ih-{height})/2"
            )
            scenes.setdefault(part.scene, []).append((start, end))
        else:
            junk.append((start, end, part.kind))
            if part.kind == "title":
                card = work / "title.png"
                title_card(size).save(card)
                args += ["-loop", "1", "-framerate", str(FPS), "-i", str(card)]
                source = f"[{len(args) // 6}:v]scale={width}:{height}"
            elif part.kind == "bars":
                source = f"smptebars=s={width}x{height}:r={FPS}"
            else:
                colour = {"black": "black", "white": "white", "flat": "0x3a6ea5"}[part.kind]
                source = f"color=c={colour}:s={width}x{height}:r={FPS}"
        chains.append(
            f"{source},fps={FPS},trim=duration={part.seconds},setpts=PTS-STARTPTS,format=yuv420p,setsar=1[p{index}]"
        )
        start = end
    # inputs are numbered in the order added; fix up the "[n:v]" labels computed above
    chains = _renumber_inputs(chains)
    joined = "".join(f"[p{i}]" for i in range(len(parts)))
    turn = {0: "", 90: ",transpose=clock", 270: ",transpose=cclock", 180: ",hflip,vflip"}[rotation]
    graph = ";".join([*chains, f"{joined}concat=n={len(parts)}:v=1:a=0{turn}[v]"])
    encoded = path if not rotation else work / "stored.mp4"
    run_ffmpeg(
        [*args, "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast",
         "-g", str(FPS), "-pix_fmt", "yuv420p", "-r", str(FPS), "-movflags", "+faststart", str(encoded)],
        timeout=120,
    )  # fmt: skip
    if rotation:
        run_ffmpeg(
            ["-y", "-display_rotation", str(rotation), "-i", str(encoded), "-c", "copy", str(path)],
            timeout=60,
        )
    return {"scenes": scenes, "junk": junk, "duration": start}


def _renumber_inputs(chains: list[str]) -> list[str]:
    """Give each file input its index in order of appearance (lavfi sources take none)."""
    renumbered, next_input = [], 0
    for chain in chains:
        if chain.startswith("["):
            label_end = chain.index("]")
            chain = f"[{next_input}:v]" + chain[label_end + 1 :]
            next_input += 1
        renumbered.append(chain)
    return renumbered


def scene_of(time: float, labels: dict[str, object]) -> int | None:
    """The scene number showing at ``time``, or None (junk or between)."""
    for scene, ranges in labels["scenes"].items():  # type: ignore[attr-defined]
        if any(start - 0.02 <= time < end - 0.02 for start, end in ranges):
            return int(scene)
    return None
