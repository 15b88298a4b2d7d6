"""The fast OCR path: the page is thresholded once, handed to tesseract in memory, and not read worse.

``bench/ingest.py`` measures the CPU (the OCR step ≤ 0.6× tesseract on the colour image); these
tests pin the behaviour that makes it fast and the error rate that must not suffer for it.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from khoso.imaging.qc import check_page
from khoso.ocr._exec import tesseract
from khoso.ocr.engine import (
    OCR_MARGIN_PX,
    bilevel_image,
    binarise_gray,
    deskew_gray,
    deskew_whitened,
    grayscale,
    ink_crop,
    ocr_page,
    prepare_page,
    separate_ink,
)
from khoso.ocr.errors import OcrError

from .conftest import DPI, PAGE_ONE

#: The corpus page recognised from its colour JPEG by plain tesseract reads at about 0.1-0.2 %;
#: the binarised page must stay within the same band.
MAX_PAGE_ONE_CER = 0.005


def _page_one_mask(page_one_bytes: bytes) -> tuple[Image.Image, Image.Image]:
    gray = Image.open(io.BytesIO(page_one_bytes))
    gray.draft("L", gray.size)
    gray.load()
    return gray, bilevel_image(binarise_gray(grayscale(gray)))


def test_binarised_page_reads_as_well_as_the_colour_scan(
    page_one_bytes: bytes, page_one_truth: str, cer: Callable[[str, str], float]
) -> None:
    gray, mask = _page_one_mask(page_one_bytes)
    assert mask.mode == "1" and mask.size == gray.size
    result = ocr_page(gray, dpi=DPI, prepared=mask)
    assert cer(result.text, page_one_truth) <= MAX_PAGE_ONE_CER
    assert "Đắk Lắk" in result.text or "Bắc Kạn" in result.text or "đ" in result.text


def test_the_program_gets_an_uncompressed_bitmap_not_a_png(page_one_bytes: bytes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    commands: list[list[str]] = []

    def record(command: list[str]) -> None:
        commands.append(command)
        raise OcrError(reason="stopped by the test")

    monkeypatch.setattr(tesseract, "_library", lambda: None)  # the fallback: the tesseract program
    monkeypatch.setattr(tesseract, "FAULT_HOOK", record)
    gray, mask = _page_one_mask(page_one_bytes)
    for prepared, suffix in ((mask, ".pbm"), (gray, ".pgm")):
        with pytest.raises(OcrError):
            ocr_page(gray, dpi=DPI, prepared=prepared)
        assert commands[-1][1].endswith(suffix)


def test_the_library_gets_the_pixels_in_memory(page_one_bytes: bytes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[list[str]] = []

    def record(call: list[str]) -> None:
        calls.append(call)
        raise OcrError(reason="stopped by the test")

    monkeypatch.setattr(tesseract, "FAULT_HOOK", record)
    gray, mask = _page_one_mask(page_one_bytes)
    engines = ((tesseract._tesserocr(), "tesserocr 5."), (tesseract._system_library(), tesseract.LIBRARY))
    for engine, expected in engines:
        assert engine is not None, f"{expected} should be loadable here"
        monkeypatch.setattr(tesseract, "_library", lambda engine=engine: engine)
        for prepared in (mask, gray):
            with pytest.raises(OcrError):
                ocr_page(gray, dpi=DPI, prepared=prepared)
            assert calls[-1][0].startswith(expected)
            left, top, right, bottom = ink_crop(prepared, margin=OCR_MARGIN_PX)  # the ink's box, not the sheet
            if prepared is mask:  # the grey scan has no white paper: its box is the whole sheet
                assert right - left < gray.width and bottom - top < gray.height
            assert calls[-1][1] == f"<{prepared.mode} {right - left}×{bottom - top} px in memory>"


def test_a_prepared_page_of_another_size_is_refused(page_one_bytes: bytes) -> None:
    gray, mask = _page_one_mask(page_one_bytes)
    with pytest.raises(OcrError):
        ocr_page(gray, dpi=DPI, prepared=mask.crop((0, 0, 100, 100)))


def test_binarisation_keeps_ink_black_and_paper_white_under_uneven_light() -> None:
    height, width = 600, 800
    light = np.linspace(150, 250, width, dtype=np.float32)[None, :].repeat(height, axis=0)  # dim left edge
    page = light.copy()
    page[100:110, 50:750] = light[100:110, 50:750] * 0.35  # a text-like stroke across the gradient
    binary = binarise_gray(page.astype(np.uint8))
    assert (binary[100:110, 60:740] == 0).mean() > 0.95
    assert (binary[300:500, :] == 255).mean() > 0.99


def test_deskew_keeps_the_canvas_and_fills_corners_white() -> None:
    gray = np.zeros((300, 400), dtype=np.uint8)
    rotated = deskew_gray(gray, 3.0)
    assert rotated.shape == gray.shape and rotated[0, 0] == 255
    assert deskew_gray(gray, 0.0) is gray


def test_whitened_page_reads_at_least_as_well_as_the_colour_scan(
    page_one_bytes: bytes, page_one_truth: str, cer: Callable[[str, str], float]
) -> None:
    """The pipeline's default OCR input: deskewed, paper white, ink in its own greys (issue 8: CER no worse)."""
    colour = subprocess.run(
        ["tesseract", str(PAGE_ONE), "-", "-l", "vie"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    ).stdout
    gray = Image.open(io.BytesIO(page_one_bytes))
    gray.draft("L", gray.size)
    gray.load()
    skew = check_page(gray, (DPI, DPI), source_mode="RGB").skew_degrees or 0.0
    assert skew  # the page is skewed, so the deskew is part of what is read
    prepared = prepare_page(grayscale(gray), skew).ocr_input
    result = ocr_page(gray, dpi=DPI, skew_degrees=skew, prepared=prepared)
    assert cer(result.text, page_one_truth) <= cer(colour, page_one_truth)


def _same_rotation(ours: np.ndarray, reference: np.ndarray) -> bool:
    """Equal up to OpenCV's 1/32-pixel rounding of the sample points: one grey level, rarely."""
    difference = np.abs(ours.astype(np.int16) - reference.astype(np.int16))
    return ours.shape == reference.shape and int(difference.max()) <= 1 and (difference > 0).mean() < 0.002


def test_rotating_only_the_inks_box_gives_the_whole_page_rotation() -> None:
    rng = np.random.default_rng(5)
    page = np.full((900, 700), 255, dtype=np.uint8)
    page[200:640, 150:520] = rng.integers(0, 256, size=(440, 370), dtype=np.uint8)  # ink of every grey
    specks = page.copy()
    specks[3, 3] = specks[896, 696] = 40  # specks in two far corners stretch the box to the page's edges
    for skew in (1.3, -4.7):
        for whitened in (page, specks):
            assert _same_rotation(deskew_whitened(whitened, skew), deskew_gray(whitened, skew))
    assert deskew_whitened(page, 0.0) is page
    blank = np.full((50, 40), 255, dtype=np.uint8)
    assert deskew_whitened(blank, 2.0) is blank


def test_the_rendition_mask_is_the_threshold_in_the_scans_frame_and_the_ocr_input_is_deskewed() -> None:
    page = np.full((600, 500), 230, dtype=np.uint8)
    page[100:110, 50:450] = 40  # one horizontal stroke
    prepared = prepare_page(page, 3.0)
    binary, whitened = separate_ink(page)
    assert np.array_equal(np.asarray(prepared.scan_mask), np.asarray(bilevel_image(binary)))
    assert _same_rotation(np.asarray(prepared.ocr_input), deskew_gray(whitened, 3.0))
    one_bit = prepare_page(page, 3.0, binarise=True).ocr_input
    assert one_bit.mode == "1" and one_bit.size == (500, 600)
    rows_with_ink = np.flatnonzero((~np.asarray(one_bit)).any(axis=1))
    assert rows_with_ink.size > 10 + 400 * 0.05 - 1  # the 10-pixel stroke now slopes by 3°


def test_whitening_keeps_the_ink_greys_and_whitens_the_paper_under_uneven_light() -> None:
    height, width = 600, 800
    light = np.linspace(150, 250, width, dtype=np.float32)[None, :].repeat(height, axis=0)  # dim left edge
    page = light.copy()
    page[100:110, 50:750] = light[100:110, 50:750] * 0.35  # a stroke across the gradient
    page[110:112, 50:750] = light[110:112, 50:750] * 0.6  # its lighter, anti-aliased edge
    binary, whitened = separate_ink(page.astype(np.uint8))
    assert (whitened[300:500, :] == 255).all()  # paper: white everywhere, dim or bright
    stroke, edge = whitened[102:108, 60:740], whitened[110:112, 60:740]
    assert stroke.max() < 110 and 110 < edge.mean() < 200  # ink keeps its greys, the edge stays lighter
    assert (whitened[binary == 0] < 255).all() and np.array_equal(whitened == 255, binary == 255)
    # The stroke is as dark at the dim end as at the bright end: the light was evened out first.
    assert abs(int(stroke[:, :50].mean()) - int(stroke[:, -50:].mean())) < 15
