"""Tests of page rendering and PDF/A assembly: text, alignment, image encoding, atomicity."""

from __future__ import annotations

import io
import math
import zlib
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2
import pytest
from PIL import Image, ImageDraw

from khoso.ocr import pdfa
from khoso.ocr.engine import OcrResult, ocr_page
from khoso.ocr.errors import RenderError

DPI = 300
POINTS_PER_PIXEL = 72 / DPI


@pytest.fixture(scope="module")
def page_one_pdf(page_one_bytes: bytes, page_one_ocr: OcrResult) -> bytes:
    return pdfa.render_page(page_one_bytes, mime="image/jpeg", ocr=page_one_ocr, dpi=DPI)


def _image_stream(pdf_bytes: bytes) -> tuple[bytes, pikepdf.Dictionary]:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        image = pdf.pages[0].Resources.XObject["/Im0"]
        return image.read_raw_bytes(), pikepdf.Dictionary(
            {key: image.stream_dict[key] for key in ("/Filter", "/BitsPerComponent", "/ColorSpace")}
        )


def _word_box_in_points(pdf_bytes: bytes, word: str) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in PDF points of the first occurrence of ``word``."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    text_page = document[0].get_textpage()
    searcher = text_page.search(word, match_case=True, match_whole_word=True)
    found = searcher.get_next()
    assert found, f"{word!r} not in the text layer"
    start, count = found
    boxes = [text_page.get_charbox(index) for index in range(start, start + count)]
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def test_page_size_follows_pixels_and_dpi(page_one_pdf, page_one_ocr):
    with pikepdf.open(io.BytesIO(page_one_pdf)) as pdf:
        box = [float(value) for value in pdf.pages[0].MediaBox]
    assert box == pytest.approx([0, 0, page_one_ocr.width * POINTS_PER_PIXEL, page_one_ocr.height * POINTS_PER_PIXEL])


def test_rendered_page_text_has_vietnamese_words(page_one_pdf, tmp_path):
    path = tmp_path / "page.pdf"
    path.write_bytes(page_one_pdf)
    (text,) = pdfa.extract_text(path)
    for word in ("Phối", "Truyền", "điện", "Nghị", "Đầy" if "Đầy" in text else "đầy"):
        assert word in text


def test_text_layer_lies_on_the_word_boxes(page_one_pdf, page_one_ocr):
    page_height = page_one_ocr.height * POINTS_PER_PIXEL
    for text in ("Truyền", "Nghị", "phương"):
        word = next(word for word in page_one_ocr.words if word.text == text)
        left, bottom, right, top = _word_box_in_points(page_one_pdf, text)
        expected_left = word.left * POINTS_PER_PIXEL
        expected_right = (word.left + word.width) * POINTS_PER_PIXEL
        expected_middle = page_height - (word.top + word.height / 2) * POINTS_PER_PIXEL
        assert left == pytest.approx(expected_left, abs=2.0)
        assert right == pytest.approx(expected_right, abs=2.0)
        assert (bottom + top) / 2 == pytest.approx(expected_middle, abs=4.0)


def test_deskew_rotates_image_and_text_layer_together(top_crop_jpeg):
    skew = 2.0
    image = Image.open(io.BytesIO(top_crop_jpeg))
    result = ocr_page(image, dpi=DPI, skew_degrees=skew)
    pdf_bytes = pdfa.render_page(top_crop_jpeg, mime="image/jpeg", ocr=result, dpi=DPI)
    assert _image_stream(pdf_bytes)[0] == top_crop_jpeg  # rotated by `cm`, not resampled

    word = next(word for word in result.words if word.text == "Truyền")
    # Where the centre of the word (original frame) lands after rotating the image
    # counter-clockwise by `skew` about its centre (pixels, y down).
    centre_x, centre_y = image.width / 2, image.height / 2
    dx = word.left + word.width / 2 - centre_x
    dy = word.top + word.height / 2 - centre_y
    angle = math.radians(skew)
    rotated_x = centre_x + dx * math.cos(angle) + dy * math.sin(angle)
    rotated_y = centre_y - dx * math.sin(angle) + dy * math.cos(angle)
    left, bottom, right, top = _word_box_in_points(pdf_bytes, "Truyền")
    page_height = image.height * POINTS_PER_PIXEL
    assert (left + right) / 2 == pytest.approx(rotated_x * POINTS_PER_PIXEL, abs=2.0)
    assert (bottom + top) / 2 == pytest.approx(page_height - rotated_y * POINTS_PER_PIXEL, abs=4.0)

    # And the rendered page shows ink under the text layer's box (image and text agree):
    # a word box holds ~20-30 % dark pixels, the gap between lines almost none.
    scale = DPI / 72
    rendered = pypdfium2.PdfDocument(pdf_bytes)[0].render(scale=scale).to_pil().convert("L")
    word_box = [left, page_height - top, right, page_height - bottom]
    under_word = rendered.crop(tuple(round(value * scale) for value in word_box))
    assert (np.asarray(under_word) < 128).mean() > 0.08


def test_jpeg_passes_through_when_reencoding_saves_little(top_crop_jpeg, top_crop_ocr):
    pdf_bytes = pdfa.render_page(top_crop_jpeg, mime="image/jpeg", ocr=top_crop_ocr, dpi=DPI)
    raw, info = _image_stream(pdf_bytes)
    assert raw == top_crop_jpeg
    assert info.Filter == pikepdf.Name.DCTDecode


def test_jpeg_is_reencoded_when_that_saves_ten_percent(top_crop_jpeg, top_crop_ocr):
    image = Image.open(io.BytesIO(top_crop_jpeg))
    heavy = io.BytesIO()
    image.save(heavy, format="JPEG", quality=98)
    pdf_bytes = pdfa.render_page(heavy.getvalue(), mime="image/jpeg", ocr=top_crop_ocr, dpi=DPI)
    raw, info = _image_stream(pdf_bytes)
    assert info.Filter == pikepdf.Name.DCTDecode
    assert len(raw) <= 0.9 * len(heavy.getvalue())


def test_bilevel_png_stays_lossless(top_crop_jpeg, top_crop_ocr):
    bilevel = Image.open(io.BytesIO(top_crop_jpeg)).convert("L").point(lambda v: 255 * (v > 128))
    bilevel = bilevel.convert("1")
    png = io.BytesIO()
    bilevel.save(png, format="PNG")
    pdf_bytes = pdfa.render_page(png.getvalue(), mime="image/png", ocr=top_crop_ocr, dpi=DPI)
    raw, info = _image_stream(pdf_bytes)
    assert info.Filter == pikepdf.Name.FlateDecode and info.BitsPerComponent == 1
    assert zlib.decompress(raw) == bilevel.tobytes()


def test_mismatched_ocr_frame_is_refused(top_crop_ocr):
    other = io.BytesIO()
    Image.new("RGB", (100, 100), "white").save(other, format="PNG")
    with pytest.raises(RenderError):
        pdfa.render_page(other.getvalue(), mime="image/png", ocr=top_crop_ocr, dpi=DPI)


def test_assembled_document_is_pdfa(page_one_pdf, top_crop_jpeg, top_crop_ocr, tmp_path):
    crop_pdf = pdfa.render_page(top_crop_jpeg, mime="image/jpeg", ocr=top_crop_ocr, dpi=DPI)
    crop_path = tmp_path / "crop.pdf"
    crop_path.write_bytes(crop_pdf)
    out = tmp_path / "hoso.pdf"
    pdfa.assemble_pdfa(
        [page_one_pdf, crop_path, page_one_pdf],
        out,
        title="Hồ sơ số hóa tài liệu",
        author="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk",
        subject="Kế hoạch số hóa",
        keywords="số hóa, lưu trữ",
    )
    assert pdfa.check_pdfa(out) == []
    assert pdfa.page_count(out) == 3
    assert "Truyền thông" in pdfa.extract_text(out)[2]
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "2B"
        assert str(pdf.docinfo.Title) == meta["dc:title"] == "Hồ sơ số hóa tài liệu"
        assert str(pdf.docinfo.Author) == "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"
        assert str(pdf.Root.Lang) == "vi-VN"
        assert len(pdf.trailer.ID) == 2
        profile = pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()
        assert profile[36:40] == b"acsp"  # ICC signature
    assert sorted(path.name for path in tmp_path.iterdir()) == ["crop.pdf", "hoso.pdf"]


def test_check_pdfa_lists_problems_of_a_plain_pdf(tmp_path):
    plain = tmp_path / "plain.pdf"
    with pikepdf.new() as pdf:
        page = pdf.add_blank_page()
        page.obj.Resources = pikepdf.Dictionary(
            Font=pikepdf.Dictionary(
                F1=pikepdf.Dictionary(
                    Type=pikepdf.Name.Font,
                    Subtype=pikepdf.Name.Type1,
                    BaseFont=pikepdf.Name.Helvetica,
                )
            )
        )
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
        pdf.save(plain, encryption=pikepdf.Encryption(owner="o", user=""))
    problems = " | ".join(pdfa.check_pdfa(plain))
    for expected in (
        "encrypted",
        "pdfaid",
        "OutputIntent",
        "Helvetica",
        "JavaScript",
        "no text layer",
    ):
        assert expected in problems


def test_failed_write_leaves_no_file(page_one_pdf, tmp_path, monkeypatch):
    def fail_half_way(pdf: pikepdf.Pdf, path: Path) -> None:
        path.write_bytes(b"%PDF-1.7\n% half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pdfa, "_save", fail_half_way)
    out = tmp_path / "hoso.pdf"
    with pytest.raises(OSError, match="disk full"):
        pdfa.assemble_pdfa([page_one_pdf, page_one_pdf], out, title="Hồ sơ")
    assert list(tmp_path.iterdir()) == []


def test_unreadable_page_fails_before_anything_is_written(page_one_pdf, tmp_path):
    out = tmp_path / "hoso.pdf"
    with pytest.raises(RenderError, match="page 2"):
        pdfa.assemble_pdfa([page_one_pdf, b"garbage", page_one_pdf], out, title="Hồ sơ")
    assert list(tmp_path.iterdir()) == []


def test_colour_png_becomes_jpeg(top_crop_ocr):
    image = Image.new("RGBA", (top_crop_ocr.width, top_crop_ocr.height), (255, 255, 255, 0))
    ImageDraw.Draw(image).rectangle((10, 10, 200, 200), fill=(200, 0, 0, 255))
    png = io.BytesIO()
    image.save(png, format="PNG")
    pdf_bytes = pdfa.render_page(png.getvalue(), mime="image/png", ocr=top_crop_ocr, dpi=(DPI, DPI))
    raw, info = _image_stream(pdf_bytes)
    assert info.Filter == pikepdf.Name.DCTDecode and info.ColorSpace == pikepdf.Name.DeviceRGB
    assert Image.open(io.BytesIO(raw)).getpixel((100, 100))[0] > 150
