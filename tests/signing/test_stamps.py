"""The marks on copies a reader receives: «BẢN SAO» (TT05 Đ40) and the archive name on reading copies (Đ37)."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2
import pytest
from PIL import Image

from khoso.core.errors import CorruptFileError
from khoso.ocr.pdfa import assemble_pdfa, check_pdfa
from khoso.signing import image_band_height, stamp_copy, stamp_reading_copy, watermark_image
from khoso.signing.fonts import EDGE, MM

ARCHIVE = "Trung tâm Lưu trữ quốc gia I"


def _changed(before: Image.Image, after: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box (left, top, right, bottom) of the pixels that changed, or None."""
    difference = np.abs(np.asarray(before, dtype=int) - np.asarray(after, dtype=int)) > 40
    if not difference.any():
        return None
    rows, columns = np.nonzero(difference)
    return int(columns.min()), int(rows.min()), int(columns.max()), int(rows.max())


def _text_box(pdf: bytes, index: int, text: str) -> tuple[float, float, float, float, float, float]:
    """(left, bottom, right, top, page width, page height) of ``text`` on page ``index``, in points."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[index]
        textpage = page.get_textpage()
        content = textpage.get_text_range()
        start = content.index(text)
        boxes = [textpage.get_charbox(i) for i in range(start, start + len(text)) if not content[i].isspace()]
        width, height = page.get_size()
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
            width,
            height,
        )
    finally:
        document.close()


def test_stamp_copy_marks_page_one_only_top_right(make_pdf, render) -> None:
    original = make_pdf(pages=3)
    copy = stamp_copy(original)

    first = render(copy, 0)
    assert unicodedata.is_normalized("NFC", first.text)
    assert "BẢN SAO" in first.text.splitlines()
    for index in (1, 2):
        assert "BẢN SAO" not in render(copy, index).text
        assert _changed(render(original, index).image, render(copy, index).image) is None

    left, bottom, right, top, width, height = _text_box(copy, 0, "BẢN SAO")
    assert right == pytest.approx(width - EDGE, abs=1.5)
    assert height - EDGE - 10 < top <= height - EDGE + 1
    assert left > width * 0.7

    box = _changed(render(original, 0).image, first.image)
    assert box is not None
    assert box[0] > first.image.width * 0.7 and box[3] < first.image.height * 0.1, "only the top right changes"


def test_reading_copy_names_the_archive_bottom_centre_of_every_page(make_pdf, render) -> None:
    original = make_pdf(pages=3)
    copy = stamp_reading_copy(original, archive_name=ARCHIVE)

    for index in range(3):
        page = render(copy, index)
        assert ARCHIVE in page.text.splitlines()
        assert unicodedata.is_normalized("NFC", page.text)
        left, bottom, right, top, width, height = _text_box(copy, index, ARCHIVE)
        assert (left + right) / 2 == pytest.approx(width / 2, abs=1.5)
        assert bottom > 3 * MM and top < 15 * MM
        box = _changed(render(original, index).image, page.image)
        assert box is not None and box[1] > page.image.height * 0.95, "only the bottom band changes"


def test_long_archive_name_wraps_inside_the_page(make_pdf, render) -> None:
    name = "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk thuộc Sở Nội vụ, " * 3
    copy = stamp_reading_copy(make_pdf(pages=1, size=(300, 400)), archive_name=name)
    text = " ".join(render(copy, 0).text.split())
    assert " ".join(name.split()) in text
    box = _changed(render(make_pdf(pages=1, size=(300, 400)), 0).image, render(copy, 0).image)
    assert box is not None and box[0] > 0 and box[2] < 299


def test_scanned_images_are_untouched(scan_pdf) -> None:
    def images(pdf: bytes) -> list[bytes]:
        with pikepdf.open(io.BytesIO(pdf)) as document:
            return [image.read_raw_bytes() for page in document.pages for image in page.get_images().values()]

    assert images(stamp_copy(scan_pdf)) == images(scan_pdf)
    assert images(stamp_reading_copy(scan_pdf, archive_name=ARCHIVE)) == images(scan_pdf)


def test_stamped_pdfs_open_in_pikepdf_and_pdfium(scan_pdf, render) -> None:
    for stamped in (stamp_copy(scan_pdf), stamp_reading_copy(scan_pdf, archive_name=ARCHIVE)):
        with pikepdf.open(io.BytesIO(stamped)) as document:
            assert len(document.pages) == 2
            assert document.check_pdf_syntax() == []
        assert render(stamped, 1).image.size == render(scan_pdf, 1).image.size


def test_pdfa_input_stays_pdfa(make_pdf, tmp_path: Path) -> None:
    source = tmp_path / "hoso.pdf"
    assemble_pdfa([make_pdf(pages=1), make_pdf(pages=1)], source, title="Hồ sơ thử")
    for name, stamped in (
        ("ban-sao.pdf", stamp_copy(source.read_bytes())),
        ("ban-doc.pdf", stamp_reading_copy(source.read_bytes(), archive_name=ARCHIVE)),
    ):
        path = tmp_path / name
        path.write_bytes(stamped)
        assert check_pdfa(path) == []


def test_rotated_page_gets_the_mark_where_the_reader_sees_top_right(make_pdf, render) -> None:
    original = make_pdf(pages=1, rotate=90)
    copy = stamp_copy(original)

    shown = render(copy, 0)
    assert shown.width > shown.height, "pdfium shows the page rotated"
    assert "BẢN SAO" in shown.text
    box = _changed(render(original, 0).image, shown.image)
    assert box is not None
    assert box[0] > shown.image.width * 0.7 and box[3] < shown.image.height * 0.15


def test_unreadable_pdf_is_a_corrupt_file_error() -> None:
    with pytest.raises(CorruptFileError):
        stamp_copy(b"%PDF-1.7 truncated")


def test_watermark_image_changes_only_the_bottom_band() -> None:
    generator = np.random.default_rng(7)
    page = Image.fromarray(generator.integers(0, 256, (1754, 1240, 3), dtype=np.uint8), "RGB")
    before = page.copy()

    marked = watermark_image(page, archive_name=ARCHIVE)

    assert np.array_equal(np.asarray(page), np.asarray(before)), "the input image is not modified"
    assert marked.size == page.size and marked.mode == "RGB"
    band = image_band_height(page.height, page.width, ARCHIVE)
    assert 0 < band < page.height * 0.06
    top = page.height - band
    assert np.array_equal(np.asarray(marked)[:top], np.asarray(page)[:top])
    assert not np.array_equal(np.asarray(marked)[top:], np.asarray(page)[top:])
    box = _changed(page.convert("L"), marked.convert("L"))
    assert box is not None and abs((box[0] + box[2]) / 2 - page.width / 2) < page.width * 0.05


@pytest.mark.parametrize(("size", "mode"), [((160, 120), "L"), ((3000, 4200), "RGB"), ((400, 300), "RGBA")])
def test_watermark_is_legible_at_any_size(size: tuple[int, int], mode: str) -> None:
    page = Image.new(mode, size, "white")
    marked = watermark_image(page, archive_name=ARCHIVE)

    assert marked.size == size and marked.mode == mode
    band = image_band_height(size[1], size[0], ARCHIVE)
    ink = np.asarray(marked.convert("L")) < 100
    rows = np.nonzero(ink.any(axis=1))[0]
    assert rows.min() >= size[1] - band, "nothing drawn above the band"
    assert rows.max() - rows.min() >= 9, "letters at least ~10 px high even on a thumbnail"
    assert np.nonzero(ink.any(axis=0))[0].max() < size[0], "the name stays inside the image"
