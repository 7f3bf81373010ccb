"""Renditions and placeholders of a cover (issue 16), on real photographs from scikit-image's data.

The subjects' positions below were located by eye on the photographs (pixel coordinates of the
original files); a crop "keeps the subject" when that point lies inside it.
"""

from __future__ import annotations

import base64
import io

import blurhash
import pytest
from PIL import Image, ImageFilter
from skimage import data as photographs

from vodcover.domain import keys
from vodcover.media import placeholders, renditions
from vodcover.media.renditions import Rendition, RenditionOptions

SUBJECTS = {
    "astronaut": (225, 112),  # her face
    "chelsea": (262, 247),  # the cat's nose
    "coffee": (288, 127),  # the cup
    "rocket": (319, 200),  # the rocket on its pad
}


def photograph(name: str) -> Image.Image:
    return Image.fromarray(getattr(photographs, name)()).convert("RGB")


def jpeg_bytes(picture: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality)
    return out.getvalue()


def full_hd_photograph() -> Image.Image:
    """The rocket photograph cut to 16:9 and brought to 1920x1080 (scikit-image ships none that big)."""
    rocket = photograph("rocket")
    height = round(rocket.width * 9 / 16)
    top = (rocket.height - height) // 2
    return rocket.crop((0, top, rocket.width, top + height)).resize((1920, 1080), Image.Resampling.LANCZOS)


def subject_off_centre(left: int) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A sharp photograph (the cat) in front of a defocused one (the coffee), like a portrait lens."""
    background = photograph("coffee").resize((1920, 1080)).filter(ImageFilter.GaussianBlur(30))
    cat = photograph("chelsea")
    top = (1080 - cat.height) // 2
    background.paste(cat, (left, top))
    return background, (left, top, left + cat.width, top + cat.height)


def kind_of(blob: bytes) -> str:
    if blob[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if blob[:4] == b"RIFF" and blob[8:12] == b"WEBP":
        return "webp"
    if blob[4:8] == b"ftyp" and b"avif" in blob[8:32]:
        return "avif"
    return "unknown"


@pytest.fixture(scope="module")
def full_hd_set() -> list[Rendition]:
    return renditions.make_renditions(jpeg_bytes(full_hd_photograph()))


# --- sizes and formats ------------------------------------------------------------------------------


def test_a_full_hd_cover_gets_every_width_in_every_writable_format(full_hd_set: list[Rendition]) -> None:
    # Given a 1920x1080 cover, When its renditions are made, Then each aspect has the promised sizes
    shapes = {(r.aspect, r.width, r.height) for r in full_hd_set}
    assert shapes == {
        ("original", 320, 180),
        ("original", 640, 360),
        ("original", 1280, 720),
        ("1:1", 320, 320),
        ("1:1", 640, 640),
        ("1:1", 1080, 1080),  # 1280 asked, 1080 there: the full crop, never upscaled
        ("9:16", 320, 568),
        ("9:16", 608, 1080),
    }
    formats = renditions.writable_formats()
    assert {"jpeg", "webp"} <= set(formats)
    for shape in shapes:
        assert sorted(r.format for r in full_hd_set if (r.aspect, r.width, r.height) == shape) == sorted(
            formats
        )


def test_every_rendition_is_what_its_format_says_and_decodes_at_its_size(
    full_hd_set: list[Rendition],
) -> None:
    for r in full_hd_set:
        assert kind_of(r.data) == r.format, (r.aspect, r.width, r.format)
        with Image.open(io.BytesIO(r.data)) as decoded:
            assert decoded.size == (r.width, r.height)
        assert r.content_type == f"image/{r.format}"


def test_the_pillow_of_the_media_layer_writes_avif() -> None:
    # layers/media/requirements.txt pins Pillow 13, whose wheels bundle libavif.
    assert "avif" in renditions.writable_formats()


def test_webp_and_avif_are_smaller_than_jpeg_at_the_same_size(full_hd_set: list[Rendition]) -> None:
    by_shape: dict[tuple[str, int], dict[str, int]] = {}
    for r in full_hd_set:
        by_shape.setdefault((r.aspect, r.width), {})[r.format] = len(r.data)
    for shape, sizes in by_shape.items():
        assert sizes["webp"] < sizes["jpeg"], shape
        assert sizes["avif"] < sizes["jpeg"], shape


def test_a_small_cover_is_never_upscaled() -> None:
    # Given a 400x300 cover, When renditions are asked at 320, 640 and 1280
    made = renditions.make_renditions(jpeg_bytes(photograph("coffee").resize((400, 300))))
    # Then no rendition is wider or taller than the cover, and the largest keeps its full size
    assert all(r.width <= 400 and r.height <= 300 for r in made)
    assert {(r.width, r.height) for r in made if r.aspect == "original"} == {(320, 240), (400, 300)}
    assert {(r.width, r.height) for r in made if r.aspect == "1:1"} == {(300, 300)}
    assert {(r.width, r.height) for r in made if r.aspect == "9:16"} == {(169, 300)}


def test_a_portrait_cover_crops_to_a_square_across_its_width() -> None:
    portrait = photograph("astronaut").resize((360, 640))
    made = renditions.make_renditions(jpeg_bytes(portrait), RenditionOptions(formats=("jpeg",)))
    assert {(r.width, r.height) for r in made if r.aspect == "1:1"} == {(320, 320), (360, 360)}
    assert {(r.width, r.height) for r in made if r.aspect == "9:16"} == {(320, 569), (360, 640)}


def test_knobs_choose_widths_formats_and_quality() -> None:
    cover = jpeg_bytes(full_hd_photograph())
    small = renditions.make_renditions(
        cover, RenditionOptions(widths=(640,), formats=("jpeg",), jpeg_quality=40)
    )
    large = renditions.make_renditions(
        cover, RenditionOptions(widths=(640,), formats=("jpeg",), jpeg_quality=95)
    )
    assert [(r.aspect, r.width, r.format) for r in small] == [
        ("original", 640, "jpeg"),
        ("1:1", 640, "jpeg"),
        ("9:16", 608, "jpeg"),
    ]
    assert all(len(s.data) < len(b.data) / 2 for s, b in zip(small, large, strict=True))
    with pytest.raises(ValueError):
        RenditionOptions(jpeg_quality=0)


def test_transparent_png_covers_are_flattened_on_white() -> None:
    clear = Image.new("RGBA", (640, 360), (0, 0, 0, 0))
    out = io.BytesIO()
    clear.save(out, "PNG")
    (made,) = renditions.make_renditions(
        out.getvalue(), RenditionOptions(widths=(320,), formats=("jpeg",), aspects=("original",))
    )
    with Image.open(io.BytesIO(made.data)) as decoded:
        assert decoded.convert("RGB").getpixel((160, 90)) == pytest.approx((255, 255, 255), abs=2)


# --- crops centred on what matters ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SUBJECTS))
@pytest.mark.parametrize("ratio", [(1, 1), (9, 16)], ids=["square", "vertical"])
def test_crops_of_real_photographs_keep_their_subject(name: str, ratio: tuple[int, int]) -> None:
    picture = photograph(name)
    left, top, right, bottom = renditions.salient_crop_box(picture, ratio)
    x, y = SUBJECTS[name]
    assert left <= x < right and top <= y < bottom, (name, (left, top, right, bottom))
    assert (right - left) * ratio[1] == pytest.approx((bottom - top) * ratio[0], abs=ratio[1])


# The cat's face in chelsea.png: from its left eye to its right eye, brow to chin.
CAT_FACE = (150, 60, 350, 280)


@pytest.mark.parametrize("left", [60, 1400], ids=["subject-left", "subject-right"])
def test_a_vertical_crop_follows_a_sharp_subject_off_centre(left: int) -> None:
    # Given a sharp photograph (the cat) in front of a defocused one, far from the centre
    picture, (s_left, s_top, s_right, _) = subject_off_centre(left)
    face = (s_left + CAT_FACE[0], s_top + CAT_FACE[1], s_left + CAT_FACE[2], s_top + CAT_FACE[3])
    # When the 9:16 crop is chosen
    c_left, c_top, c_right, c_bottom = renditions.salient_crop_box(picture, (9, 16))
    # Then the crop holds the cat's whole face, where a centred crop would hold none of the cat
    assert c_left <= face[0] and face[2] <= c_right and c_top <= face[1] and face[3] <= c_bottom
    centred_left = (1920 - (c_right - c_left)) // 2
    assert s_right <= centred_left or s_left >= centred_left + (c_right - c_left)


def test_a_picture_without_detail_is_cropped_in_the_middle() -> None:
    flat = Image.new("RGB", (1920, 1080), (40, 90, 160))
    assert renditions.salient_crop_box(flat, (1, 1)) == (420, 0, 1500, 1080)


def test_the_rendition_crop_is_the_one_chosen() -> None:
    picture, _ = subject_off_centre(1400)
    made = renditions.make_renditions(
        jpeg_bytes(picture), RenditionOptions(widths=(1280,), formats=("jpeg",), aspects=("9:16",))
    )
    (vertical,) = made
    with Image.open(io.BytesIO(vertical.data)) as decoded:
        crop = decoded.convert("L")
    # the cat (sharp) fills the crop's middle: far more detail there than at the blurred top
    edges = crop.filter(ImageFilter.FIND_EDGES)
    middle = edges.crop((0, 400, crop.width, 680)).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    top = edges.crop((0, 0, crop.width, 280)).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert isinstance(middle, int) and isinstance(top, int) and middle > 4 * max(top, 1)


# --- content-addressed keys ------------------------------------------------------------------------------


COVER = "covers/v1/" + "c" * 32 + "-0123456789abcdef.jpg"


def test_keys_are_content_addressed_under_the_covers_prefix(full_hd_set: list[Rendition]) -> None:
    made = {keys.rendition_key("v1", COVER, r.data, r.extension) for r in full_hd_set}
    assert len(made) == len(full_hd_set)  # every rendition its own object
    for r in full_hd_set:
        key = keys.rendition_key("v1", COVER, r.data, r.extension)
        assert key.startswith("covers/v1/" + "c" * 32 + "-0123456789abcdef-")  # named after its cover
        assert key.endswith("." + {"jpeg": "jpg"}.get(r.format, r.format))
        assert keys.is_derived_key(key)
    # a default cover (a snapshot) gets its renditions under covers/ too
    snapshot = keys.snapshot_key("v1", 0, b"frame")
    assert keys.rendition_key("v1", snapshot, b"x", "webp").startswith("covers/v1/")


def test_a_key_changes_when_the_bytes_change_and_only_then() -> None:
    options = RenditionOptions(widths=(320,), formats=("webp",), aspects=("original",))
    cover = jpeg_bytes(full_hd_photograph())
    (first,) = renditions.make_renditions(cover, options)
    (again,) = renditions.make_renditions(cover, options)
    (other,) = renditions.make_renditions(
        jpeg_bytes(full_hd_photograph().transpose(Image.Transpose.FLIP_LEFT_RIGHT)), options
    )
    key = keys.rendition_key
    assert key("v1", COVER, first.data, "webp") == key("v1", COVER, again.data, "webp")
    assert key("v1", COVER, first.data, "webp") != key("v1", COVER, other.data, "webp")
    # the same picture set as the cover by another write gets objects of its own
    assert key("v1", COVER, first.data, "webp") != key(
        "v1", COVER.replace("0123", "4567"), first.data, "webp"
    )
    assert keys.content_digest(b"a") != keys.content_digest(b"b")
    assert len(keys.content_digest(b"a")) == 32


# --- placeholders -----------------------------------------------------------------------------------------

_BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def _base83(text: str) -> int:
    value = 0
    for char in text:
        value = value * 83 + _BASE83.index(char)
    return value


def _linear(channel: float) -> float:
    v = channel / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def _srgb(linear: float) -> int:
    v = max(0.0, min(1.0, linear))
    return round((v * 12.92 if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055) * 255)


def average_colour(picture: Image.Image) -> tuple[int, int, int]:
    """The mean colour in linear light, as sRGB: what a BlurHash's DC component holds."""
    small = picture.convert("RGB").resize((64, 36), Image.Resampling.BOX)
    flat = small.tobytes()
    pixels = [flat[i : i + 3] for i in range(0, len(flat), 3)]
    mean = [sum(_linear(p[c]) for p in pixels) / len(pixels) for c in range(3)]
    return _srgb(mean[0]), _srgb(mean[1]), _srgb(mean[2])


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_the_blurhash_follows_the_specification(name: str) -> None:
    picture = photograph(name)
    found = placeholders.make_placeholder(picture).blurhash
    # the size flag says 4 x 3 components, and the length matches it: 1 + 1 + 4 + 2 * (4 * 3 - 1)
    size_flag = _base83(found[0])
    assert (size_flag % 9 + 1, size_flag // 9 + 1) == (4, 3)
    assert len(found) == 4 + 2 * 4 * 3 and set(found) <= set(_BASE83)
    # the DC component (characters 2-5, read here by the specification, not the package) is the mean colour
    dc = _base83(found[2:6])
    assert ((dc >> 16) & 255, (dc >> 8) & 255, dc & 255) == pytest.approx(average_colour(picture), abs=3)


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_the_blurhash_decodes_back_to_the_picture_colours(name: str) -> None:
    picture = photograph(name)
    hashed = placeholders.make_placeholder(picture).blurhash
    rows = blurhash.decode(hashed, 32, 18)
    decoded = Image.new("RGB", (32, 18))
    decoded.putdata([tuple(round(c) for c in pixel[:3]) for row in rows for pixel in row])
    assert average_colour(decoded) == pytest.approx(average_colour(picture), abs=6)
    # and it is a picture, not a flat colour: the left and right halves of the rocket scene differ
    left = decoded.crop((0, 0, 16, 18)).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    right = decoded.crop((16, 0, 32, 18)).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert left != right


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_the_inline_image_is_a_tiny_webp_data_uri(name: str) -> None:
    uri = placeholders.make_placeholder(photograph(name)).data_uri
    assert len(uri) <= 2048
    prefix = "data:image/webp;base64,"
    assert uri.startswith(prefix)
    blob = base64.b64decode(uri[len(prefix) :])
    assert kind_of(blob) == "webp"
    with Image.open(io.BytesIO(blob)) as tiny:
        assert 8 <= tiny.width <= 32


def test_a_tighter_budget_gives_a_smaller_inline_image() -> None:
    picture = photograph("astronaut")
    assert len(placeholders.inline_data_uri(picture, max_bytes=300)) <= 300
    with pytest.raises(ValueError):
        placeholders.inline_data_uri(picture, max_bytes=40)


@pytest.mark.parametrize("size", [(1, 1), (3, 2), (1920, 4), (4, 1920)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_tiny_and_extreme_covers_still_get_renditions_and_a_placeholder(size: tuple[int, int]) -> None:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, "PNG")
    made = renditions.make_renditions(out.getvalue(), RenditionOptions(formats=("jpeg", "webp")))
    assert {r.aspect for r in made} == {"original", "1:1", "9:16"}
    assert all(1 <= r.width <= size[0] and 1 <= r.height <= size[1] for r in made)
    found = placeholders.make_placeholder(renditions.open_cover(out.getvalue()))
    assert len(found.blurhash) == 28 and len(found.data_uri) <= 2048


# --- the cover media function's derive operation ---------------------------------------------------------
def test_derive_through_the_cover_media_protocol_is_what_the_media_makes() -> None:
    import json

    from vodcover.cover_media.protocol import Derive, answer_of, invocation
    from vodcover.cover_media.service import handle

    cover = jpeg_bytes(photograph("coffee"))
    request = Derive(cover)

    # as the covers API sends it and reads the answer, through JSON
    answer = answer_of(request, json.loads(json.dumps(handle(json.loads(json.dumps(invocation(request)))))))

    local = renditions.derive_cover(cover)
    assert [(r.width, r.height, r.format, r.aspect, r.data) for r in answer.renditions] == [
        (r.width, r.height, r.format, r.aspect, r.data) for r in local.renditions
    ]
    assert (answer.blurhash, answer.data_uri) == (local.placeholder.blurhash, local.placeholder.data_uri)
