"""Tests of image preparation and page OCR: quality on a real page, word boxes, failures."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image, ImageDraw

from khoso.core.errors import DependencyError
from khoso.ocr._exec import tesseract
from khoso.ocr.engine import _to_original_frame, ocr_page, prepare_for_ocr
from khoso.ocr.errors import OcrError, OcrTimeoutError


def test_page_one_character_error_rate_below_three_percent(page_one_ocr, page_one_truth, cer):
    assert cer(page_one_ocr.text, page_one_truth) < 0.03


def test_text_keeps_vietnamese_diacritics_in_nfc_and_reading_order(page_one_ocr):
    first_line = page_one_ocr.text.splitlines()[0]
    assert first_line.startswith("- Phối hợp với Sở Thông tin và Truyền thông")
    assert "lưu trữ điện tử" in page_one_ocr.text
    assert "\n\n" in page_one_ocr.text  # paragraphs are separated by a blank line


def test_words_carry_boxes_inside_the_image(page_one_ocr):
    assert len(page_one_ocr.words) > 300
    for word in page_one_ocr.words:
        assert word.left >= 0 and word.left + word.width <= page_one_ocr.width
        assert word.top >= 0 and word.top + word.height <= page_one_ocr.height
    phoi = next(word for word in page_one_ocr.words if word.text == "Phối")
    assert (phoi.block, phoi.paragraph, phoi.line) == (1, 1, 1)
    assert 200 < phoi.left < 350 and 220 < phoi.top < 330  # seen on the scan
    assert phoi.conf > 80


def test_prepare_for_ocr_binarises_and_keeps_the_frame():
    image = Image.new("RGB", (400, 300), (230, 220, 200))
    ImageDraw.Draw(image).rectangle((190, 40, 210, 260), fill=(20, 20, 20))
    prepared = prepare_for_ocr(image, skew_degrees=90, dpi=300, binarise=True)
    assert prepared.mode == "1" and prepared.size == image.size
    # A vertical bar rotated by 90° about the centre becomes horizontal.
    assert prepared.getpixel((100, 150)) == 0 and prepared.getpixel((200, 60)) == 255
    assert prepared.getpixel((5, 5)) == 255  # paper tone and fill become white


def test_box_mapping_undoes_the_deskew_rotation():
    # Rotating the point right of centre counter-clockwise by 90° moves it above the centre.
    left, top, width, height = _to_original_frame((199, 49, 2, 2), 400, 300, 90.0)
    assert abs(left + width / 2 - 300) <= 1 and abs(top + height / 2 - 150) <= 1


def test_fault_hook_makes_ocr_page_raise_cleanly(monkeypatch, top_crop_jpeg):
    def crash(command: list[str]) -> None:
        raise subprocess.CalledProcessError(-11, command, stderr=b"Segmentation fault")

    monkeypatch.setattr(tesseract, "FAULT_HOOK", crash)
    with pytest.raises(OcrError) as caught:
        ocr_page(Image.open(io.BytesIO(top_crop_jpeg)), dpi=300)
    assert caught.value.code == "loi_nhan_dang_ky_tu"
    assert "Segmentation fault" in str(caught.value)


def test_fault_hook_timeout_becomes_ocr_timeout(monkeypatch, top_crop_jpeg):
    def hang(command: list[str]) -> None:
        raise subprocess.TimeoutExpired(command, 5)

    monkeypatch.setattr(tesseract, "FAULT_HOOK", hang)
    with pytest.raises(OcrTimeoutError):
        ocr_page(Image.open(io.BytesIO(top_crop_jpeg)), dpi=300, timeout=5)


def test_nonzero_exit_is_reported(tmp_path):
    not_an_image = tmp_path / "page.png"
    not_an_image.write_bytes(b"not a png")
    with pytest.raises(OcrError):
        tesseract.run(not_an_image, lang="vie", dpi=300)


def test_missing_language_is_a_dependency_error():
    with pytest.raises(DependencyError) as caught:
        tesseract.check_language("vie+xyz")
    assert "xyz" in str(caught.value)
    assert tesseract.version().startswith("5")
