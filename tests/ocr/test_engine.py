"""Tests of image preparation and page OCR: quality on a real page, word boxes, failures."""

from __future__ import annotations

import ctypes
import io
import subprocess
import time
from collections import Counter

import numpy as np
import pytest
from PIL import Image, ImageDraw

from khoso.core.errors import DependencyError
from khoso.ocr._exec import tesseract
from khoso.ocr.engine import _to_original_frame, deskew_gray, ink_crop, ocr_page, prepare_for_ocr
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


def test_ink_crop_keeps_a_margin_around_the_ink_and_a_blank_page_whole():
    page = Image.new("L", (1000, 1400), 255)
    ImageDraw.Draw(page).rectangle((300, 200, 599, 899), fill=40)
    assert ink_crop(page, margin=80) == (220, 120, 680, 980)
    assert ink_crop(page.convert("1"), margin=80) == (220, 120, 680, 980)
    assert ink_crop(page, margin=400) == (0, 0, 1000, 1300)  # never outside the page
    assert ink_crop(Image.new("L", (1000, 1400), 255), margin=80) == (0, 0, 1000, 1400)


def test_words_keep_their_place_on_the_page_when_tesseract_reads_only_the_ink(top_crop_jpeg):
    """Tesseract reads the ink's box; the boxes come back in the page's frame, deskewed or not."""
    # The same prepared pixels alone and on a larger sheet (the threshold depends on the whole page).
    prepared = prepare_for_ocr(Image.open(io.BytesIO(top_crop_jpeg)), dpi=300)
    alone = Image.new("L", (prepared.width + 200, prepared.height + 200), 255)
    alone.paste(prepared, (100, 100))  # the text was cut at the crop's edges: give it paper all round
    page = Image.new("L", (alone.width + 500, alone.height + 1700), 255)
    page.paste(alone, (300, 450))
    by_itself, placed = ocr_page(alone, dpi=300, prepared=alone), ocr_page(page, dpi=300, prepared=page)
    assert len(placed.words) > 100 and [w.text for w in placed.words] == [w.text for w in by_itself.words]
    assert [(w.left - 300, w.top - 450, w.width, w.height) for w in placed.words] == [
        (w.left, w.top, w.width, w.height) for w in by_itself.words
    ]
    assert [(w.deskewed_box[0] - 300, w.deskewed_box[1] - 450) for w in placed.words] == [
        w.deskewed_box[:2] for w in by_itself.words
    ]
    # Deskewed by 0.7°, the words' boxes mapped back to the scan land where the unrotated reading put them.
    once = Counter(w.text for w in placed.words)
    straight = {w.text: w for w in placed.words if once[w.text] == 1}
    deskewed = Image.fromarray(deskew_gray(np.asarray(page), 0.7))
    rotated = [w for w in ocr_page(page, dpi=300, skew_degrees=0.7, prepared=deskewed).words]
    rotated = [w for w in rotated if w.text in straight]
    assert len(rotated) > 20
    for word in rotated:
        assert abs(word.left - straight[word.text].left) <= 6 and abs(word.top - straight[word.text].top) <= 6


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


IN_PROCESS = {"tesserocr": tesseract._tesserocr, "libtesseract5": tesseract._system_library}


def _use_engine(name: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    in_process = IN_PROCESS[name]() if name in IN_PROCESS else None
    assert name == "program" or in_process is not None, f"{name} should be loadable here"
    monkeypatch.setattr(tesseract, "_library", lambda: in_process)


@pytest.fixture(params=[*IN_PROCESS, "program"])
def engine(request, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """Each test runs with both in-process engines and with the tesseract program (the last fallback)."""
    _use_engine(request.param, monkeypatch)
    return request.param


def test_the_faster_in_process_engine_is_chosen_and_named() -> None:
    assert tesseract._library().source == "tesserocr"  # type: ignore[union-attr]
    name = tesseract.engine()
    assert name.startswith("libtesseract 5.") and "tesserocr, in process, raw line images" in name


def test_fault_hook_makes_ocr_page_raise_cleanly(monkeypatch, top_crop_jpeg, engine):
    def crash(command: list[str]) -> None:
        raise subprocess.CalledProcessError(-11, command, stderr=b"Segmentation fault")

    monkeypatch.setattr(tesseract, "FAULT_HOOK", crash)
    with pytest.raises(OcrError) as caught:
        ocr_page(Image.open(io.BytesIO(top_crop_jpeg)), dpi=300)
    assert caught.value.code == "loi_nhan_dang_ky_tu"
    assert "Segmentation fault" in str(caught.value)


def test_fault_hook_timeout_becomes_ocr_timeout(monkeypatch, top_crop_jpeg, engine):
    def hang(command: list[str]) -> None:
        raise subprocess.TimeoutExpired(command, 5)

    monkeypatch.setattr(tesseract, "FAULT_HOOK", hang)
    with pytest.raises(OcrTimeoutError):
        ocr_page(Image.open(io.BytesIO(top_crop_jpeg)), dpi=300, timeout=5)


def test_every_engine_skips_the_fixed_pitch_test(engine, top_crop_jpeg, monkeypatch):
    """The layout setting that saves 5.7 % of the instructions is in effect whichever engine runs."""
    library = tesseract._library()
    if library is None:
        seen: list[list[str]] = []

        def stop(command: list[str]) -> None:
            seen.append(command)
            raise subprocess.CalledProcessError(1, command)

        monkeypatch.setattr(tesseract, "FAULT_HOOK", stop)
        with pytest.raises(OcrError):
            ocr_page(Image.open(io.BytesIO(top_crop_jpeg)), dpi=300)
        command = " ".join(seen[0])
        assert "-c textord_disable_pitch_test=1" in command
        return
    api = library._api("vie")
    if isinstance(library, tesseract._Tesserocr):
        assert api.GetVariableAsString("textord_disable_pitch_test") == "1"
    else:
        value = ctypes.c_int(0)
        get = library.cdll.TessBaseAPIGetBoolVariable
        get.argtypes, get.restype = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)], ctypes.c_int
        assert get(api, b"textord_disable_pitch_test", ctypes.byref(value)) and value.value == 1


def test_library_and_program_find_the_same_words(top_crop_jpeg, monkeypatch):
    """Debian's library and program are one build of tesseract: the same words, boxes and text."""
    image = Image.open(io.BytesIO(top_crop_jpeg))
    monkeypatch.setattr(tesseract, "_library", tesseract._system_library)
    in_process = ocr_page(image, dpi=300, skew_degrees=0.7)
    monkeypatch.setattr(tesseract, "_library", lambda: None)
    program = ocr_page(image, dpi=300, skew_degrees=0.7)
    assert in_process.words == program.words and in_process.text == program.text
    assert [word.deskewed_box for word in in_process.words] == [word.deskewed_box for word in program.words]


@pytest.mark.parametrize("in_process", IN_PROCESS)
def test_in_process_recognition_stops_at_the_time_limit(page_one_bytes, in_process, monkeypatch):
    """A real deadline, not a simulated one: tesseract's monitor stops recognition in the worker."""
    _use_engine(in_process, monkeypatch)
    page = Image.open(io.BytesIO(page_one_bytes)).convert("L")
    started = time.monotonic()
    with pytest.raises(OcrTimeoutError) as caught:
        ocr_page(page, dpi=300, timeout=0.05)
    assert caught.value.code == "het_thoi_gian_ocr"
    assert time.monotonic() - started < 5  # stopped, not run to the end (~1-2 s)
    # The same process recognises the next page normally afterwards.
    assert "Truyền" in ocr_page(page.crop((0, 150, page.width, 700)), dpi=300).text


def test_in_process_tesseract_runs_one_openmp_thread():
    assert tesseract._library() is not None
    assert tesseract._openmp_thread_limit() in (None, 1)
    assert tesseract.engine().startswith("libtesseract 5")


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
