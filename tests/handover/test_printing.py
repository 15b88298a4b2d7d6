"""The shared printing helpers: Vietnamese text survives into the PDF and the spreadsheet intact."""

from __future__ import annotations

import io
import unicodedata

import pypdfium2
from openpyxl import load_workbook

from khoso.core.printing import Column, PdfDocument, Signature, font_family, vn_date, xlsx_table

DAMAGE = "Tài liệu bị mủn, giòn, rách, ố, mờ chữ"


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_the_pdf_carries_the_national_heading_and_vietnamese_text_in_nfc() -> None:
    doc = PdfDocument(
        institution="Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk",
        title="BIÊN BẢN NGHIỆM THU",
        place_date="Đắk Lắk, ngày 05 tháng 8 năm 2026",
    )
    # Decomposed input (as typed on some keyboards) is printed composed.
    doc.paragraph(unicodedata.normalize("NFD", DAMAGE))
    doc.table([Column("STT", 1, numeric=True), Column("Tiêu đề hồ sơ", 6)], [[1, "Hồ sơ về quy hoạch Đắk Lắk"]])
    doc.signatures([Signature("Đại diện bên giao", "Nguyễn Văn Ánh"), Signature("Đại diện bên nhận")])
    text = pdf_text(doc.render())
    assert unicodedata.is_normalized("NFC", text)
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TRUNG TÂM LƯU TRỮ LỊCH SỬ TỈNH ĐẮK LẮK",
        "BIÊN BẢN NGHIỆM THU",
        DAMAGE,
        "Hồ sơ về quy hoạch Đắk Lắk",
        "ĐẠI DIỆN BÊN GIAO",
        "Nguyễn Văn Ánh",
        "(Ký, ghi rõ họ tên)",
    ]:
        assert expected in text.replace("\r", "").replace("\n", " ")


def test_a_long_table_repeats_its_heading_on_every_page() -> None:
    doc = PdfDocument(institution="Trung tâm Lưu trữ", title="DANH MỤC")
    doc.table([Column("STT", 1, numeric=True), Column("Mã hồ sơ", 6)], [[n, f"HS-{n}"] for n in range(1, 150)])
    document = pypdfium2.PdfDocument(doc.render())
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    document.close()
    assert len(pages) > 2
    assert all("Mã hồ sơ" in page for page in pages)


def test_the_font_has_every_vietnamese_letter() -> None:
    assert font_family() in {"Liberation Serif", "DejaVu Serif"}


def test_the_xlsx_round_trips_with_bold_heading_numbers_and_widths() -> None:
    data = xlsx_table(
        "DANH MỤC HỒ SƠ",
        ["Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"],
        [Column("STT", 6, numeric=True), Column("Tiêu đề", 40), Column("Số trang", 9, numeric=True)],
        [[1, unicodedata.normalize("NFD", DAMAGE), 12], [2, "Hồ sơ Ủy ban Hành chính", 30]],
        footer_rows=[["", "Tổng cộng", 42]],
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk"
    assert sheet["A2"].value == "DANH MỤC HỒ SƠ" and sheet["A2"].font.bold
    assert [c.value for c in sheet[4]] == ["STT", "Tiêu đề", "Số trang"]
    assert all(c.font.bold for c in sheet[4])
    assert [c.value for c in sheet[5]] == [1, DAMAGE, 12]
    assert unicodedata.is_normalized("NFC", sheet["B5"].value)
    assert sheet["C7"].value == 42 and sheet["C7"].font.bold
    assert sheet.column_dimensions["B"].width == 40


def test_vn_date() -> None:
    from datetime import date

    assert vn_date(date(2026, 8, 5)) == "ngày 05 tháng 8 năm 2026"
