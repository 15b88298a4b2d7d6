"""The invisible text layer written from the word boxes: reading order, Vietnamese text, positions, PDF/A font.

A reader finds a page by its words, copies them and sees them highlighted on the scan: the layer must
give back the OCR's words in order and in NFC, each lying on its box, with a font PDF/A accepts.
"""

from __future__ import annotations

import io
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from khoso.core.text import collapse_spaces
from khoso.ocr import pdfa, textlayer
from khoso.ocr.engine import OcrResult, Word

DPI = 300
POINTS_PER_PIXEL = 72 / DPI
WIDTH, HEIGHT = 1240, 900


def _word(text: str, box: tuple[int, int, int, int], line: int, paragraph: int = 1) -> Word:
    left, top, width, height = box
    return Word(text, left, top, width, height, 95.0, 1, paragraph, line, deskewed_box=box)


def _page(words: list[Word], *, skew: float = 0.0) -> bytes:
    blank = io.BytesIO()
    Image.new("L", (WIDTH, HEIGHT), 255).save(blank, format="PNG")
    ocr = OcrResult(text="", words=words, width=WIDTH, height=HEIGHT, dpi=DPI, skew_degrees=skew)
    return pdfa.render_page(blank.getvalue(), mime="image/png", ocr=ocr, dpi=DPI)


def _text(pdf_bytes: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        return document[0].get_textpage().get_text_range()
    finally:
        document.close()


def _box_in_pixels(pdf_bytes: bytes, word: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in page pixels (y down) of the characters of ``word`` (not the space after it)."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    text_page = document[0].get_textpage()
    start, count = text_page.search(word, match_case=True, match_whole_word=True).get_next()
    boxes = [text_page.get_charbox(index) for index in range(start, start + count)]
    left, bottom = min(box[0] for box in boxes), min(box[1] for box in boxes)
    right, top = max(box[2] for box in boxes), max(box[3] for box in boxes)
    height_pt = HEIGHT * POINTS_PER_PIXEL
    return (
        left / POINTS_PER_PIXEL,
        (height_pt - top) / POINTS_PER_PIXEL,
        right / POINTS_PER_PIXEL,
        (height_pt - bottom) / POINTS_PER_PIXEL,
    )


LINES = [
    [
        ("Quyết", (100, 100, 150, 48)),
        ("định", (265, 104, 110, 44)),
        ("số", (390, 112, 50, 36)),
        ("12/QĐ-UBND", (455, 100, 330, 48)),
    ],
    [
        ("về", (100, 170, 55, 36)),
        ("việc", (170, 164, 100, 42)),
        ("lưu", (285, 164, 80, 42)),
        ("trữ", (380, 160, 75, 46)),
    ],
    [
        ("Đắk", (100, 300, 110, 50)),
        ("Lắk", (225, 300, 100, 50)),
        ("đề", (340, 306, 60, 44)),
        ("nghị", (415, 306, 110, 50)),
    ],
]


def _lines_of_words() -> list[Word]:
    words = []
    for number, line in enumerate(LINES, start=1):
        paragraph = 1 if number < 3 else 2
        words += [_word(text, box, number, paragraph) for text, box in line]
    return words


def test_words_come_back_in_reading_order_with_lines_kept():
    words = _lines_of_words()
    text = _text(_page(words))
    assert text.split() == [word.text for word in words]
    assert [collapse_spaces(line) for line in text.splitlines() if line.strip()] == [
        " ".join(text for text, _box in line) for line in LINES
    ]


def test_corpus_page_text_comes_back_word_for_word(page_one_ocr, page_one_bytes):
    pdf_bytes = pdfa.render_page(page_one_bytes, mime="image/jpeg", ocr=page_one_ocr, dpi=DPI)
    assert _text(pdf_bytes).split() == [word.text for word in page_one_ocr.words]


def test_vietnamese_is_extracted_as_nfc_by_two_readers(tmp_path: Path):
    words = _lines_of_words()
    pdf_bytes = _page(words)
    expected = " ".join(word.text for word in words)
    extracted = collapse_spaces(_text(pdf_bytes))
    assert extracted == expected and unicodedata.is_normalized("NFC", extracted)
    assert "Đắk Lắk đề nghị" in extracted
    # poppler (Debian's poppler-utils, installed by install.sh) reads the ToUnicode map on its own.
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf_bytes)
    poppler = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    assert collapse_spaces(poppler.stdout.decode("utf-8")) == expected


def test_each_word_lies_on_its_box():
    words = _lines_of_words()
    pdf_bytes = _page(words)
    for word in words:
        left, top, right, bottom = _box_in_pixels(pdf_bytes, word.text)
        assert left == pytest.approx(word.left, abs=2)
        assert right == pytest.approx(word.left + word.width, abs=2)
        # The line's height and middle, shared by its words: within a quarter of the line's height.
        assert (top + bottom) / 2 == pytest.approx(word.top + word.height / 2, abs=14)
        assert top <= word.top + word.height and bottom >= word.top


def test_a_space_follows_each_word_but_the_last_of_a_line():
    words = _lines_of_words()
    document = pypdfium2.PdfDocument(_page(words))
    text_page = document[0].get_textpage()
    start, count = text_page.search("Quyết", match_case=True).get_next()
    assert text_page.get_text_range(start + count, 1) == " "
    space = text_page.get_charbox(start + count)
    assert space[0] / POINTS_PER_PIXEL == pytest.approx(100 + 150, abs=1)  # right after the word's box
    start, count = text_page.search("12/QĐ-UBND", match_case=True).get_next()
    assert text_page.get_text_range(start + count, 1) in ("\r", "\n")  # end of line: no space glyph


def test_a_sloping_line_stays_one_line_and_each_word_stays_on_its_box():
    # 1.5° of residual skew: the line falls 13 px over 500 px.
    boxes = [(100, 400, 120, 44), (240, 404, 100, 44), (360, 407, 140, 44), (520, 411, 90, 44)]
    texts = ["Thực", "hiện", "Quyết", "định"]
    words = [_word(text, box, 1) for text, box in zip(texts, boxes, strict=True)]
    pdf_bytes = _page(words)
    assert [line.split() for line in _text(pdf_bytes).splitlines() if line.strip()] == [texts]
    for word in words:
        left, top, right, bottom = _box_in_pixels(pdf_bytes, word.text)
        assert left == pytest.approx(word.left, abs=3)
        assert right == pytest.approx(word.left + word.width, abs=3)
        assert (top + bottom) / 2 == pytest.approx(word.top + word.height / 2, abs=4)


def test_layer_is_drawn_unrotated_in_the_deskewed_frame():
    """The text layer is in the frame tesseract saw; only the scan is rotated by the deskew angle."""
    words = _lines_of_words()
    straight, skewed = _page(words), _page(words, skew=2.0)
    for word in ("Quyết", "nghị"):
        assert _box_in_pixels(skewed, word) == pytest.approx(_box_in_pixels(straight, word), abs=0.01)


def test_characters_outside_the_basic_plane_become_a_replacement_character():
    pdf_bytes = _page([_word("A\U0001d400b", (100, 100, 120, 40), 1)])
    assert collapse_spaces(_text(pdf_bytes)) == "A\ufffdb"


def test_font_is_embedded_with_widths_that_match_the_font_program(tmp_path: Path):
    pdf_bytes = _page(_lines_of_words())
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        form = pdf.pages[0].Resources.XObject["/OcrText0"]
        font = form.Resources.Font[textlayer.FONT_NAME]
        assert font.Subtype == pikepdf.Name.Type0 and font.Encoding == pikepdf.Name("/Identity-H")
        descendant = font.DescendantFonts[0]
        program = TTFont(io.BytesIO(descendant.FontDescriptor.FontFile2.read_bytes()))
        glyph_order = program.getGlyphOrder()
        cid_to_gid = descendant.CIDToGIDMap.read_bytes()
        # Every CID draws glyph 1, the empty half-em glyph; never .notdef (forbidden in PDF/A-2).
        assert set(cid_to_gid[1::2]) == {1} and set(cid_to_gid[0::2]) == {0} and len(cid_to_gid) == 2 * 65536
        advance, _lsb = program["hmtx"][glyph_order[1]]
        assert int(descendant.DW) == round(advance * 1000 / program["head"].unitsPerEm)
        to_unicode = font.ToUnicode.read_bytes().decode("ascii")
        assert "<1E00> <1EFF> <1E00>" in to_unicode  # ắ, ề, ị …
    out = tmp_path / "ho-so.pdf"
    pdfa.assemble_pdfa([pdf_bytes], out, title="Hồ sơ")
    assert pdfa.check_pdfa(out) == []


def test_page_without_words_has_an_empty_layer():
    pdf_bytes = _page([])
    assert _text(pdf_bytes).strip() == ""
