"""The MRC encoder on its own: which pages become which layers, losslessness of the mask, sizes.

Synthetic pages are drawn with a Vietnamese font so the expected layout is known exactly (where
the seal, the signature and the photo are); the size target is checked on a real corpus scan.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from khoso.imaging import _libtiff
from khoso.imaging.mrc import (
    EncodedImage,
    MrcPage,
    _box_mean,
    _layer_average,
    bitonal_from_preview,
    encode_g4,
    encode_page,
    preview_cells,
    split_layers,
)

CORPUS_PAGE = Path("/work/shared/corpus/ocr-vie/P01/HS001/page-001.jpg")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINE = "Độc lập – Tự do – Hạnh phúc. Đắk Lắk, ngày 24 tháng 01 năm 2019: đề nghị dỡ bỏ, đổi mới"
PAPER = (240, 232, 215)
SEAL_RED = (200, 30, 40)
SEAL_BOX = (1500, 2400, 2100, 3000)
SIGNATURE_BOX = (400, 2890, 720, 2970)
PHOTO_BOX = (300, 400, 1300, 1200)


def text_page(paper: tuple[int, int, int] = (255, 255, 255), size: tuple[int, int] = (2480, 3508)) -> Image.Image:
    image = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 42)
    for row in range(40):
        draw.text((150, 200 + row * 75), LINE[: 60 + (row % 3) * 10], font=font, fill=(0, 0, 0))
    return image


def draw_seal_and_signature(image: Image.Image) -> None:
    draw = ImageDraw.Draw(image)
    draw.ellipse(SEAL_BOX, outline=SEAL_RED, width=18)
    draw.text((1620, 2660), "ỦY BAN", font=ImageFont.truetype(FONT, 80), fill=SEAL_RED)
    left, top, _right, bottom = SIGNATURE_BOX
    for stroke in range(5):
        x = left + stroke * 60
        ys = (top + 10, bottom - 10) if stroke % 2 == 0 else (bottom - 10, top + 10)
        draw.line([(x, ys[0]), (x + 60, ys[1])], fill=(20, 40, 170), width=6)


def draw_photo(image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    """A smooth colour picture (no ink-like edges) in ``box``."""
    left, top, right, bottom = box
    ys, xs = np.mgrid[top:bottom, left:right]
    pixels = np.asarray(image).copy()
    pixels[top:bottom, left:right, 0] = (128 + 100 * np.sin(xs / 37.0) * np.cos(ys / 23.0)).astype(np.uint8)
    pixels[top:bottom, left:right, 1] = (128 + 90 * np.cos(xs / 51.0)).astype(np.uint8)
    pixels[top:bottom, left:right, 2] = (128 + 80 * np.sin(ys / 29.0)).astype(np.uint8)
    return Image.fromarray(pixels)


def decode_g4(layer: EncodedImage) -> np.ndarray:
    """The mask as booleans, True where ink (decoded by qpdf/pikepdf, not by our own code)."""
    pdf = pikepdf.new()
    stream = pikepdf.Stream(
        pdf,
        layer.data,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=layer.width,
        Height=layer.height,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=1,
        Filter=pikepdf.Name.CCITTFaxDecode,
        DecodeParms=pikepdf.Dictionary(
            K=-1, Columns=layer.width, Rows=layer.height, BlackIs1=pikepdf.Boolean(layer.black_is_1)
        ),
    )
    image = pikepdf.PdfImage(stream).as_pil_image()
    return ~np.asarray(image.convert("1"), dtype=bool)


def covers(page: MrcPage, box: tuple[int, int, int, int]) -> bool:
    return any(
        patch.left <= box[0]
        and patch.top <= box[1]
        and patch.left + patch.image.width >= box[2]
        and patch.top + patch.image.height >= box[3]
        for patch in page.patches
    )


def g4_tiff_bytes(bilevel: Image.Image) -> int:
    buffer = io.BytesIO()
    bilevel.save(buffer, format="TIFF", compression="group4")
    return len(buffer.getvalue())


def test_white_page_with_black_text_is_one_bitonal_image():
    page = encode_page(text_page())
    assert page.kind == "bitonal"
    assert page.background is None and page.foreground is None and not page.patches
    assert page.mask is not None and page.mask.codec == "ccitt-g4"


def test_bitonal_scan_round_trips_exactly():
    ink = np.asarray(text_page().convert("L")) < 128
    bilevel = Image.fromarray(~ink)
    page = encode_page(bilevel)
    assert page.kind == "bitonal"
    assert page.mask is not None
    assert np.array_equal(decode_g4(page.mask), ink)


def test_given_mask_is_coded_losslessly_and_no_bigger_than_g4():
    image = text_page()
    ink = np.asarray(image.convert("L")) < 140
    given = Image.fromarray(~ink)
    page = encode_page(image, mask=given)
    assert page.mask is not None
    assert np.array_equal(decode_g4(page.mask), ink)
    assert page.image_bytes <= 1.05 * g4_tiff_bytes(given)


def test_red_seal_and_blue_signature_are_kept_whole_in_colour():
    image = text_page(PAPER)
    draw_seal_and_signature(image)
    page = encode_page(image)
    assert page.kind == "mrc"
    assert covers(page, SEAL_BOX), [(p.left, p.top, p.image.width, p.image.height) for p in page.patches]
    assert covers(page, SIGNATURE_BOX)
    assert all(patch.image.colour == "rgb" for patch in page.patches)
    patch_area = sum(patch.image.width * patch.image.height for patch in page.patches)
    assert patch_area < 0.1 * image.width * image.height  # the text around them stays in the mask


def test_photo_is_kept_at_full_resolution():
    image = draw_photo(text_page(PAPER), PHOTO_BOX)
    page = encode_page(image)
    assert page.kind == "mrc"
    assert covers(page, PHOTO_BOX)


def test_page_that_is_mostly_picture_stays_jpeg():
    page = encode_page(draw_photo(text_page(), (100, 100, 2400, 3000)))
    assert page.kind == "jpeg"
    assert page.image_bytes == 0  # the caller keeps the scan itself


def test_corpus_scan_is_a_fifth_of_its_jpeg_or_less():
    scan = Image.open(CORPUS_PAGE)
    scan.load()
    jpeg = io.BytesIO()
    scan.save(jpeg, format="JPEG", quality=75, optimize=True)
    page = encode_page(scan)
    assert page.kind == "mrc"
    assert page.background is not None and page.background.colour == "rgb"
    assert page.image_bytes <= 0.2 * len(jpeg.getvalue())


def test_only_lossless_bilevel_coding_is_used():
    image = text_page(PAPER)
    draw_seal_and_signature(image)
    page = encode_page(image)
    layers = [page.mask, page.background, page.foreground, *(patch.image for patch in page.patches)]
    codecs = {layer.codec for layer in layers if layer is not None}
    assert codecs <= {"ccitt-g4", "jpeg"}
    assert page.mask is not None and page.mask.codec == "ccitt-g4"


def test_mask_of_another_size_is_refused():
    with pytest.raises(ValueError, match="mask"):
        encode_page(text_page(size=(800, 600)), mask=Image.new("1", (600, 800), 1))


def test_encode_g4_refuses_grey_images():
    with pytest.raises(ValueError, match="bilevel"):
        encode_g4(Image.new("L", (10, 10)))


def test_the_jpeg_luma_the_pipeline_decoded_serves_the_segmentation():
    """The pipeline hands over the luma it decoded for QC and OCR; the page comes out the same."""
    scan = Image.open(CORPUS_PAGE)
    scan.load()
    luma = Image.open(CORPUS_PAGE)
    luma.draft("L", luma.size)  # libjpeg's own Y channel, as capture.pipeline decodes it
    luma.load()
    own, shared = encode_page(scan), encode_page(scan, gray=luma)
    assert shared.kind == own.kind == "mrc" and shared.ink_colour == own.ink_colour
    assert [(p.left, p.top, p.image.width, p.image.height) for p in shared.patches] == [
        (p.left, p.top, p.image.width, p.image.height) for p in own.patches
    ]
    assert own.mask is not None and shared.mask is not None
    assert (decode_g4(own.mask) != decode_g4(shared.mask)).mean() < 0.001
    assert abs(shared.image_bytes - own.image_bytes) < 0.02 * own.image_bytes


def test_hidden_cells_of_the_layers_are_filled_from_around():
    """Under a large black area no paper shows: the background there takes the surrounding paper
    colour (smooth, so it codes in few bytes), never black or an undefined value."""
    image = text_page(PAPER)
    ImageDraw.Draw(image).rectangle((600, 2000, 1400, 2600), fill=(0, 0, 0))
    layers = split_layers(image)
    hidden = layers.background[2100 // 3 : 2500 // 3, 700 // 3 : 1300 // 3].reshape(-1, 3)
    assert np.abs(hidden.astype(int) - PAPER).max() <= 12


@pytest.mark.parametrize("size", [(2480, 3508), (301, 97), (5, 5)])
def test_a_layer_with_nothing_to_show_takes_its_fallback_colour(size):
    """A page without ink has no ink colour anywhere: the ink layer is the fallback colour."""
    width, height = size
    rgb = np.full((height, width, 3), 200, np.uint8)
    assert (_layer_average(rgb, np.zeros((height, width), bool), 12, fallback=(1, 2, 3)) == (1, 2, 3)).all()


def test_holes_far_from_the_one_cell_with_ink_take_its_colour():
    """The holes of a layer are filled over a pyramid of ever coarser levels: one inked cell in a corner
    colours every cell of the layer, the farthest 33 cells away, through the pyramid's levels."""
    rgb = np.full((360, 400, 3), 200, np.uint8)
    rgb[:12, :12] = (10, 20, 30)
    corner = np.zeros(rgb.shape[:2], bool)
    corner[:12, :12] = True
    assert (_layer_average(rgb, corner, 12, fallback=(1, 2, 3)) == (10, 20, 30)).all()


@pytest.mark.parametrize("size", [(2480, 3508), (2481, 3507), (13, 25), (7, 10), (2, 2)])
@pytest.mark.parametrize("factor", [3, 12])
def test_layer_cells_are_the_mean_of_their_pixels_up_to_the_page_edge(size, factor):
    """The background and ink-colour layers are cell means; a page whose size is not a multiple of
    the cell keeps a last, partial cell of the pixels it has (as Pillow's ``reduce`` computes it, to
    one grey level of rounding)."""
    width, height = size
    pixels = np.random.default_rng(width * height).integers(0, 256, (height, width, 3), dtype=np.uint8)
    expected = np.asarray(Image.fromarray(pixels).reduce(factor)).astype(int)
    means = _box_mean(pixels, factor)
    assert means.shape == expected.shape == (-(-height // factor), -(-width // factor), 3)
    assert np.abs(means.astype(int) - expected).max() <= 1
    corner = pixels[(height - 1) // factor * factor :, (width - 1) // factor * factor :].reshape(-1, 3).mean(axis=0)
    assert np.abs(means[-1, -1].astype(float) - corner).max() <= 0.5 + 1e-9


def _ocr_like_inputs(image: Image.Image) -> tuple[Image.Image, Image.Image]:
    """The page's luma and an ink mask (black where the ink is), as the pipeline hands them over."""
    gray = image.convert("L")
    return gray, Image.fromarray(np.asarray(gray) >= 140)


def test_plain_text_on_white_paper_is_seen_bitonal_on_its_preview():
    """Black text on white paper: the ⅛-scale preview is enough, and the page comes out exactly as the
    full analysis makes it (one Group 4 image of the mask)."""
    image = text_page()
    gray, mask = _ocr_like_inputs(image)
    shortcut = bitonal_from_preview(preview_cells(image), gray, mask)
    full = encode_page(image, mask=mask, gray=gray)
    assert shortcut is not None and full.kind == shortcut.kind == "bitonal"
    assert shortcut.mask is not None and full.mask is not None and shortcut.mask.data == full.mask.data


def _grey_photo(image: Image.Image) -> Image.Image:
    return Image.merge("RGB", [draw_photo(image, PHOTO_BOX).convert("L")] * 3)


def _pencil_note(image: Image.Image) -> Image.Image:
    draw = ImageDraw.Draw(image)
    pencil = ImageFont.truetype(FONT, 46)
    draw.text((300, 3150), "ghi chú bằng bút chì: đã đối chiếu", font=pencil, fill=(165, 165, 165))
    return image


def _pencil_tick(image: Image.Image) -> Image.Image:
    """A short pale pencil stroke in the margin, too small to spoil any 32-pixel block's tone."""
    ImageDraw.Draw(image).line([(60, 1000), (90, 1040)], fill=(170, 170, 170), width=3)
    return image


def _highlighter(image: Image.Image) -> Image.Image:
    pixels = np.asarray(image).copy()
    band = pixels[650:700, 150:1800].astype(np.int16)
    band[:, :, 2] -= 70  # yellow: less blue
    pixels[650:700, 150:1800] = np.clip(band, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


def _thin_blue_line(image: Image.Image) -> Image.Image:
    ImageDraw.Draw(image).line([(300, 3200), (1500, 3230)], fill=(40, 60, 200), width=2)
    return image


def _blue_typescript(image: Image.Image) -> Image.Image:
    pixels = np.asarray(image).copy()
    ink = pixels.sum(axis=2) < 300
    pixels[ink] = (30, 45, 150)
    return Image.fromarray(pixels)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: draw_seal_and_signature_on(text_page()), id="seal-and-signature"),
        pytest.param(lambda: draw_photo(text_page(), PHOTO_BOX), id="colour-photo"),
        pytest.param(lambda: _grey_photo(text_page()), id="grey-photo"),
        pytest.param(lambda: _highlighter(text_page()), id="highlighter"),
        pytest.param(lambda: _blue_typescript(text_page()), id="blue-typescript"),
        pytest.param(lambda: text_page(PAPER), id="yellowed-paper"),
        pytest.param(lambda: _pencil_note(text_page()), id="pencil-note"),
        pytest.param(lambda: _pencil_tick(text_page()), id="pencil-tick"),
        pytest.param(lambda: _thin_blue_line(text_page()), id="thin-blue-line"),
    ],
)
def test_a_page_the_full_analysis_keeps_in_layers_is_never_bitonal_on_its_preview(make):
    """Colour, grey pictures, tinted paper, a pencil note paler than the mask's threshold, a 2-pixel
    blue pen line: the full analysis keeps layers for each, and the preview must not call the page
    bitonal before it runs."""
    image = make()
    gray, mask = _ocr_like_inputs(image)
    assert encode_page(image, mask=mask, gray=gray).kind != "bitonal"
    assert bitonal_from_preview(preview_cells(image), gray, mask) is None


def draw_seal_and_signature_on(image: Image.Image) -> Image.Image:
    draw_seal_and_signature(image)
    return image


def test_a_preview_of_another_size_is_not_trusted():
    image = text_page()
    gray, mask = _ocr_like_inputs(image)
    assert bitonal_from_preview(preview_cells(image, factor=4), gray, mask) is None


# Group 4 coded by libtiff from numpy's packed bits: the same bytes as Pillow's path, decoded back exactly.


def text_mask(width: int = 1203, height: int = 517) -> Image.Image:
    """A bilevel page of Vietnamese text, its width not a multiple of 8 (the last byte of each row is partial)."""
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 28)
    for row in range(8):
        draw.text((15 + 7 * row, 20 + 60 * row), LINE, font=font, fill=0)
    draw.line((0, height - 3, width - 1, height - 3), fill=0, width=2)  # ink up to the last column
    return image


def test_libtiff_codes_the_mask_here() -> None:
    # Debian's libtiff6 comes with tesseract (leptonica needs it): the fast path must not silently fall back.
    assert _libtiff.version() is not None
    assert _libtiff.g4_tiff(np.packbits(np.asarray(text_mask()), axis=1), 1203) is not None


def test_the_same_group4_bytes_as_pillow_and_the_same_pixels_back(monkeypatch: pytest.MonkeyPatch) -> None:
    mask = text_mask()
    coded = encode_g4(mask)
    monkeypatch.setattr(_libtiff, "g4_tiff", lambda packed, width: None)
    through_pillow = encode_g4(mask)
    assert coded.data == through_pillow.data
    assert coded.black_is_1 == through_pillow.black_is_1
    assert (coded.width, coded.height) == mask.size
    assert np.array_equal(decode_g4(coded), ~np.asarray(mask, dtype=bool))


def test_rows_of_the_wrong_width_are_refused() -> None:
    packed = np.packbits(np.asarray(text_mask()), axis=1)
    with pytest.raises(ValueError, match="packed bits"):
        _libtiff.g4_tiff(packed, 1203 + 8)
    with pytest.raises(ValueError, match="packed bits"):
        _libtiff.g4_tiff(packed.astype(np.uint16), 1203)
