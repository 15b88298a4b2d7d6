"""MRC renditions in the PDF page: PDF/A markers, geometry, text layer, colour, and a re-OCR guard.

The re-OCR test is the archive's protection against lossy symbol coding: it decodes the access
copy back to pixels, recognises it again and fails on any word that differs from the original's
OCR only by a diacritic (d/đ, a tone mark, a vowel hat), which is exactly what JBIG2/JB2 symbol
substitution does to Vietnamese.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Set as AbstractSet
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2
import pytest
from PIL import Image, ImageDraw, ImageFont

from khoso.core.text import fold
from khoso.ocr import pdfa
from khoso.ocr.engine import OcrResult, ocr_page
from khoso.ocr.errors import RenderError

DPI = 300
POINTS_PER_PIXEL = 72 / DPI
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
PAPER = (240, 232, 215)
SEAL_RED = (200, 30, 40)
DIACRITIC_LINES = [
    "Đắk Lắk đề nghị dỡ bỏ đò đá đỏ, dì dạy dỗ đứa dế đủ đầy.",
    "Quyết định số 12/QĐ-UBND về việc lưu trữ hồ sơ, tài liệu.",
    "Người nghèo ngồi ngủ ngõ ngách, mỗi mùa mưa mười mẫu mạ.",
    "Thư viện tỉnh đã số hóa được hơn một triệu trang văn bản cũ.",
]


def _render(original: bytes, ocr: OcrResult, *, mime: str = "image/jpeg", **kwargs: object) -> bytes:
    return pdfa.render_page(original, mime=mime, ocr=ocr, dpi=DPI, mode="mrc", **kwargs)  # type: ignore[arg-type]


def _decode(pdf_bytes: bytes) -> Image.Image:
    """The page as a reader sees it, at 300 dpi (pdfium, not our code)."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        return document[0].render(scale=DPI / 72).to_pil().convert("RGB")
    finally:
        document.close()


def _image_filters(pdf_bytes: bytes) -> set[str]:
    filters: set[str] = set()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            for image in page.get_images().values():
                filters.add(str(image.get("/Filter")))
                if "/Mask" in image:
                    filters.add(str(image.Mask.get("/Filter")))
    return filters


def _fake_ocr(width: int, height: int) -> OcrResult:
    """An OCR result with no words: for pages whose text is not under test."""
    return OcrResult(text="", words=[], width=width, height=height, dpi=DPI, skew_degrees=0.0)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def page_one_mrc(page_one_bytes: bytes, page_one_ocr: OcrResult) -> bytes:
    return _render(page_one_bytes, page_one_ocr)


def test_mrc_page_has_the_jpeg_page_geometry(page_one_mrc, page_one_bytes, page_one_ocr):
    jpeg_page = pdfa.render_page(page_one_bytes, mime="image/jpeg", ocr=page_one_ocr, dpi=DPI)
    with pikepdf.open(io.BytesIO(page_one_mrc)) as mrc, pikepdf.open(io.BytesIO(jpeg_page)) as plain:
        mrc_box = [float(value) for value in mrc.pages[0].MediaBox]
        assert mrc_box == [float(value) for value in plain.pages[0].MediaBox]
    assert mrc_box == pytest.approx(
        [0, 0, page_one_ocr.width * POINTS_PER_PIXEL, page_one_ocr.height * POINTS_PER_PIXEL]
    )


def test_mrc_page_is_a_fifth_of_the_jpeg_and_colour(page_one_mrc, page_one_bytes):
    reference = io.BytesIO()
    Image.open(io.BytesIO(page_one_bytes)).save(reference, format="JPEG", quality=75, optimize=True)
    assert len(page_one_mrc) <= 0.2 * len(reference.getvalue())
    with pikepdf.open(io.BytesIO(page_one_mrc)) as pdf:
        background = pdf.pages[0].Resources.XObject["/Bg0"]
        assert background.ColorSpace == pikepdf.Name.DeviceRGB and int(background.BitsPerComponent) == 8


def test_mrc_text_layer_lies_on_the_word_boxes(page_one_mrc, page_one_ocr):
    document = pypdfium2.PdfDocument(page_one_mrc)
    text_page = document[0].get_textpage()
    page_height = page_one_ocr.height * POINTS_PER_PIXEL
    for text in ("Truyền", "Nghị", "phương"):
        word = next(word for word in page_one_ocr.words if word.text == text)
        start, count = text_page.search(text, match_case=True, match_whole_word=True).get_next()
        boxes = [text_page.get_charbox(index) for index in range(start, start + count)]
        assert min(box[0] for box in boxes) == pytest.approx(word.left * POINTS_PER_PIXEL, abs=2.0)
        middle = (min(box[1] for box in boxes) + max(box[3] for box in boxes)) / 2
        assert middle == pytest.approx(page_height - (word.top + word.height / 2) * POINTS_PER_PIXEL, abs=4.0)


def test_assembled_mrc_document_is_pdfa_without_symbol_coding(page_one_mrc, tmp_path):
    out = tmp_path / "ho-so.pdf"
    pdfa.assemble_pdfa([page_one_mrc], out, title="Hồ sơ số hóa")
    assert pdfa.check_pdfa(out) == []
    assert _image_filters(out.read_bytes()) <= {"/CCITTFaxDecode", "/DCTDecode"}
    assert "JBIG2" not in out.read_bytes().decode("latin-1")


def test_decoded_mrc_page_matches_the_scan(page_one_mrc, page_one_bytes):
    """Same frame, same place: the decoded access copy differs from the scan only by coding noise."""
    scan_image = Image.open(io.BytesIO(page_one_bytes)).convert("L")
    # Compared at a quarter of the resolution, where paper noise and stroke edges average out.
    size = (scan_image.width // 4, scan_image.height // 4)
    scan = np.asarray(scan_image.resize(size, Image.Resampling.BOX), dtype=np.int16)
    decoded = np.asarray(_decode(page_one_mrc).convert("L").resize(size, Image.Resampling.BOX), dtype=np.int16)
    difference = np.abs(scan - decoded).mean()
    shifted = np.abs(np.roll(scan, 2, axis=0) - decoded).mean()  # 8 px off at full resolution
    assert difference < 4.0
    assert difference < shifted * 0.75  # a misplaced layer would show here


def test_deskewed_mrc_page_rotates_all_layers_with_the_text(top_crop_jpeg):
    crop = Image.open(io.BytesIO(top_crop_jpeg))
    result = ocr_page(crop, dpi=DPI, skew_degrees=1.5)
    plain = _decode(pdfa.render_page(top_crop_jpeg, mime="image/jpeg", ocr=result, dpi=DPI))
    # The OCR's mask is in the deskewed frame: with a skew it must be left aside, never misplaced.
    all_ink = Image.new("1", crop.size, 0)
    mrc = _decode(_render(top_crop_jpeg, result, mask=all_ink))
    plain_gray = np.asarray(plain.convert("L"), dtype=np.int16)
    mrc_gray = np.asarray(mrc.convert("L").resize(plain.size), dtype=np.int16)
    assert np.abs(plain_gray - mrc_gray).mean() < 6.0


def test_red_seal_stays_red_after_decoding():
    image = Image.new("RGB", (1240, 1754), PAPER)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for row, line in enumerate(DIACRITIC_LINES * 5):
        draw.text((80, 80 + row * 70), line, font=font, fill=(10, 10, 10))
    draw.ellipse((700, 1100, 1100, 1500), outline=SEAL_RED, width=16)
    ocr = _fake_ocr(image.width, image.height)
    decoded = np.asarray(_decode(_render(_png(image), ocr, mime="image/png")).resize(image.size))
    ring = decoded[1296:1304, 702:714].reshape(-1, 3).mean(axis=0)  # left edge of the ring
    assert ring[0] > 150 and ring[1] < 90 and ring[2] < 90, ring
    paper = decoded[40:60, 40:60].reshape(-1, 3).mean(axis=0)
    assert np.abs(paper - PAPER).max() < 8, paper  # 24-bit paper tone kept


def test_no_colour_page_is_one_lossless_g4_image():
    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for row, line in enumerate(DIACRITIC_LINES * 5):
        draw.text((80, 80 + row * 70), line, font=font, fill=0)
    ink = np.asarray(image) < 128
    mask = Image.fromarray(~ink)
    ocr = _fake_ocr(image.width, image.height)
    pdf_bytes = _render(_png(image), ocr, mime="image/png", mask=mask)
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        images = list(pdf.pages[0].get_images().values())
        assert len(images) == 1 and images[0].Filter == pikepdf.Name.CCITTFaxDecode
        coded = len(images[0].read_raw_bytes())
        decoded = pikepdf.PdfImage(images[0]).as_pil_image()
    assert np.array_equal(~np.asarray(decoded.convert("1"), dtype=bool), ink)
    g4 = io.BytesIO()
    mask.save(g4, format="TIFF", compression="group4")
    assert coded <= 1.05 * len(g4.getvalue())


def _white_page_with_print() -> Image.Image:
    image = Image.new("RGB", (1240, 1754), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for row, line in enumerate(DIACRITIC_LINES * 5):
        draw.text((80, 80 + row * 70), line, font=font, fill=(0, 0, 0))
    return image


def test_plain_jpeg_page_is_made_bitonal_without_decoding_its_colour(monkeypatch):
    """Black print on white paper, delivered as a colour JPEG: the ⅛-scale decode shows there is
    nothing but neutral ink, so the page is the mask's Group 4 image and the colour layers are never
    built (encode_page would fail here), with the same bytes as the full analysis makes."""
    image = _white_page_with_print()
    jpeg = io.BytesIO()
    image.save(jpeg, format="JPEG", quality=90)
    gray = Image.open(io.BytesIO(jpeg.getvalue())).convert("L")
    mask = Image.fromarray(np.asarray(gray) >= 128)
    ocr = _fake_ocr(image.width, image.height)
    full = _render(jpeg.getvalue(), ocr, mask=mask, gray=gray, image=Image.open(io.BytesIO(jpeg.getvalue())))

    def no_layers(*args: object, **kwargs: object) -> None:
        raise AssertionError("the colour layers were built")

    monkeypatch.setattr(pdfa, "encode_page", no_layers)
    shortcut = _render(jpeg.getvalue(), ocr, mask=mask, gray=gray)
    assert shortcut == full
    with pikepdf.open(io.BytesIO(shortcut)) as pdf:
        images = list(pdf.pages[0].get_images().values())
        assert len(images) == 1 and images[0].Filter == pikepdf.Name.CCITTFaxDecode


def _scanned_and_rendered(image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """The page as a scanner delivers it (JPEG q85, 4:2:0) and its MRC rendition with the OCR's kind of
    mask, decoded by pdfium at 300 dpi."""
    jpeg = io.BytesIO()
    image.save(jpeg, format="JPEG", quality=85)
    scan = Image.open(io.BytesIO(jpeg.getvalue())).convert("RGB")
    gray = scan.convert("L")
    mask = Image.fromarray(np.asarray(gray) >= 128)
    pdf_bytes = _render(jpeg.getvalue(), _fake_ocr(image.width, image.height), mask=mask, gray=gray)
    return np.asarray(scan, dtype=np.int16), np.asarray(_decode(pdf_bytes).resize(image.size), dtype=np.int16)


def test_pencil_note_too_pale_for_the_mask_stays_on_white_paper():
    """A pencil note lighter than the OCR's threshold is not ink: on a page of black print on white
    paper it must keep the background layer, not vanish with it into a bitonal image."""
    image = _white_page_with_print()
    ImageDraw.Draw(image).text((80, 1600), "đã đối chiếu", font=ImageFont.truetype(FONT, 46), fill=(165, 165, 165))
    note = np.asarray(image.convert("L"))[1600:1660, 80:420] < 200
    _scan, rendered = _scanned_and_rendered(image)
    decoded = rendered.mean(axis=2)[1600:1660, 80:420]
    assert decoded[note].mean() < 215, decoded[note].mean()  # the pencil is there, grey
    assert decoded[~note].mean() > 240  # and the paper around it is still white


def test_thin_blue_pen_line_stays_blue_on_white_paper():
    """A 2-pixel blue pen line tints too little of a block to count as colour there, yet drawn through
    the mask in the print's black it would read as typed: it keeps the colour the scan gives it (a
    cut-out with colour at every pixel, so no second chroma halving)."""
    image = _white_page_with_print()
    ImageDraw.Draw(image).line([(80, 1620), (1100, 1640)], fill=(40, 60, 200), width=2)
    line = np.all(np.asarray(image) == (40, 60, 200), axis=2)
    scan, rendered = _scanned_and_rendered(image)
    scan_blue = scan[line][:, 2].mean() - scan[line][:, 0].mean()
    rendered_blue = rendered[line][:, 2].mean() - rendered[line][:, 0].mean()
    assert scan_blue > 40 and rendered_blue > 0.85 * scan_blue, (scan_blue, rendered_blue)


def test_unknown_mode_is_refused(top_crop_jpeg, top_crop_ocr):
    with pytest.raises(RenderError, match="mrc"):
        pdfa.render_page(top_crop_jpeg, mime="image/jpeg", ocr=top_crop_ocr, dpi=DPI, mode="djvu")


def test_mask_in_another_frame_is_refused(top_crop_jpeg, top_crop_ocr):
    with pytest.raises(RenderError, match="mask"):
        _render(top_crop_jpeg, top_crop_ocr, mask=Image.new("1", (10, 10), 1))


# --------------------------------------------------------------------------- re-OCR guard


def diacritic_swaps(
    original: list[str], decoded: list[str], truth: AbstractSet[str] = frozenset()
) -> list[tuple[str, str]]:
    """Aligned word pairs equal once folded (đ → d, marks removed) but different as written.

    A pair whose decoded word is in ``truth`` (the words printed on the page) is not a swap:
    there the original's OCR was the one that misread, and the clean mask reads it right.
    """
    swaps: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=original, b=decoded, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag != "replace":
            continue
        for before, after in zip(original[a_start:a_end], decoded[b_start:b_end], strict=False):
            if before != after and fold(before) == fold(after) and after not in truth:
                swaps.append((before, after))
    return swaps


def test_diacritic_swap_detector_catches_d_and_tone_changes():
    assert diacritic_swaps(["đề", "nghị", "dỡ"], ["để", "nghị", "đỡ"]) == [("đề", "để"), ("dỡ", "đỡ")]
    assert diacritic_swaps(["một", "hai"], ["một", "ba"]) == []
    assert diacritic_swaps(["đỡ"], ["dỡ"], truth={"dỡ"}) == []
    assert diacritic_swaps(["dỡ"], ["đỡ"], truth={"dỡ"}) == [("dỡ", "đỡ")]


def _whole_words(result: OcrResult, margin: int = 8) -> list[str]:
    """Words in reading order, without those cut by the image edge (a crop's half line)."""
    return [
        word.text
        for word in sorted(result.words, key=lambda word: (word.block, word.paragraph, word.line, word.left))
        if word.top > margin and word.top + word.height < result.height - margin
    ]


def _reocr(pdf_bytes: bytes) -> list[str]:
    return _whole_words(ocr_page(_decode(pdf_bytes), dpi=DPI))


def _words(text: str) -> set[str]:
    return {word.strip(".,;:()\"'") for word in text.split()} | set(text.split())


def test_reocr_of_decoded_corpus_page_has_no_diacritic_swaps(top_crop_jpeg, top_crop_ocr, page_one_truth):
    decoded_words = _reocr(_render(top_crop_jpeg, top_crop_ocr))
    original_words = _whole_words(top_crop_ocr)
    assert diacritic_swaps(original_words, decoded_words, _words(page_one_truth)) == []
    same = difflib.SequenceMatcher(a=original_words, b=decoded_words, autojunk=False).ratio()
    assert same >= 0.97


def test_reocr_of_small_vietnamese_print_has_no_diacritic_swaps():
    """Ten-point print, dense with d/đ and tone marks, on tinted noisy paper."""
    rng = np.random.default_rng(8)
    image = Image.new("RGB", (2400, 700), PAPER)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for row, line in enumerate(DIACRITIC_LINES * 2):
        draw.text((60, 40 + row * 78), line, font=font, fill=(25, 20, 15))
    noisy = np.asarray(image, dtype=np.int16) + rng.normal(0, 6, (700, 2400, 1)).astype(np.int16)
    scan = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    jpeg = io.BytesIO()
    scan.save(jpeg, format="JPEG", quality=85)
    original = ocr_page(scan, dpi=DPI)
    decoded_words = _reocr(_render(jpeg.getvalue(), original))
    original_words = _whole_words(original)
    assert diacritic_swaps(original_words, decoded_words, _words(" ".join(DIACRITIC_LINES))) == []
    assert difflib.SequenceMatcher(a=original_words, b=decoded_words, autojunk=False).ratio() >= 0.95


def test_rendered_mrc_page_file_round_trips(tmp_path, page_one_mrc):
    path = Path(tmp_path / "page.pdf")
    path.write_bytes(page_one_mrc)
    (text,) = pdfa.extract_text(path)
    assert "Truyền" in text
