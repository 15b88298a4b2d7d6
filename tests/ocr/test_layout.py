"""Which pages tesseract reads as one block, and that the others keep its layout analysis.

The pages are drawn at 300 dpi the way an administrative file's pages look: a body of text, the
two-column heading of a decision (agency | national motto), a table with and without rules, a
photograph. A page read as one block that should not be is read across its columns, so the
two-column page is also recognised for real and its reading order checked.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from khoso.imaging.qc import check_page
from khoso.ocr.engine import ocr_page
from khoso.ocr.layout import reads_as_one_block

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
A4 = (2480, 3508)
BODY = [
    "Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024; căn cứ Nghị định số",
    "30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn",
    "thư; theo đề nghị của Giám đốc Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk.",
    "Điều 1. Phê duyệt danh mục hồ sơ, tài liệu đưa ra số hóa năm 2025.",
    "Điều 2. Trung tâm Lưu trữ lịch sử chịu trách nhiệm tổ chức thực hiện.",
]


def _font(size: int = 42) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, size)


def _page() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    page = Image.new("L", A4, 255)
    return page, ImageDraw.Draw(page)


def _body(draw: ImageDraw.ImageDraw, top: int) -> None:
    for row, line in enumerate(BODY):
        draw.text((236, top + row * 62), line, font=_font(), fill=20)


def _one_block(page: Image.Image) -> tuple[bool, str]:
    check = reads_as_one_block(page)
    return check.one_block, check.reason


def test_a_column_of_text_is_read_as_one_block():
    page, draw = _page()
    draw.text((980, 236), "QUYẾT ĐỊNH", font=_font(50), fill=20)  # a centred title is still one column
    _body(draw, 400)
    _body(draw, 800)
    draw.text((1220, 3300), "2", font=_font(), fill=20)  # the page number
    assert _one_block(page) == (True, "")


def test_a_blank_page_and_a_bilevel_page_are_answered():
    page, draw = _page()
    assert _one_block(page) == (True, "")
    _body(draw, 400)
    assert _one_block(page.convert("1", dither=Image.Dither.NONE)) == (True, "")  # the bilevel page
    draw.rectangle((236, 900, 2240, 903), fill=0)
    assert _one_block(page.convert("1", dither=Image.Dither.NONE)) == (False, "rule line")


def test_text_side_by_side_keeps_the_layout_analysis():
    page, draw = _page()
    draw.text((236, 236), "ỦY BAN NHÂN DÂN", font=_font(), fill=20)
    draw.text((1300, 236), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA", font=_font(), fill=20)
    _body(draw, 500)
    assert _one_block(page) == (False, "columns")


def test_a_table_without_rules_keeps_the_layout_analysis():
    page, draw = _page()
    _body(draw, 236)
    for row, cells in enumerate(
        [("STT", "Tên hồ sơ", "Số tờ"), ("1", "Hồ sơ đất đai", "45"), ("2", "Hồ sơ nhân sự", "12")]
    ):
        for column, text in zip((236, 700, 1900), cells, strict=True):
            draw.text((column, 800 + row * 62), text, font=_font(), fill=20)
    assert _one_block(page) == (False, "columns")


@pytest.mark.parametrize(
    "rule",
    [
        [(236, 900, 2240, 903)],  # a rule across, under the body
        [(236, 900, 2240, 903), (236, 1200, 2240, 1203), (236, 900, 239, 1203), (2237, 900, 2240, 1203)],
        [(1400, 900, 1402, 1300)],  # a line down, 400 pixels
    ],
)
def test_rule_lines_keep_the_layout_analysis(rule):
    page, draw = _page()
    _body(draw, 236)
    for box in rule:
        draw.rectangle(box, fill=0)
    assert _one_block(page) == (False, "rule line")


def test_a_photograph_keeps_the_layout_analysis():
    page, draw = _page()
    _body(draw, 236)
    texture = np.random.default_rng(3).integers(0, 200, size=(600, 800), dtype=np.uint8)
    page.paste(Image.fromarray(texture), (500, 900))
    assert _one_block(page) == (False, "picture area")


def test_short_rules_and_dotted_leaders_do_not_count_as_layout():
    page, draw = _page()
    _body(draw, 236)
    draw.rectangle((980, 620, 1500, 623), fill=0)  # the short rule under a decision's heading
    draw.text((236, 900), "Họ và tên: " + "." * 60, font=_font(), fill=20)
    assert _one_block(page) == (True, "")


def test_a_page_in_two_columns_is_read_column_by_column():
    """Single-block mode would join the two columns' lines; the full layout reads each column whole."""
    page, draw = _page()
    left = ["Tài liệu lưu trữ", "được số hóa theo", "kế hoạch của tỉnh", "và nộp lưu đủ", "hồ sơ hằng năm"] * 3
    right = ["Hồ sơ đất đai của", "huyện Cư Jút năm", "một chín chín lăm", "gồm các quyết định", "giao đất ở xã"] * 3
    for row, (a, b) in enumerate(zip(left, right, strict=True)):
        draw.text((236, 400 + row * 70), a, font=_font(46), fill=0)
        draw.text((1400, 400 + row * 70), b, font=_font(46), fill=0)
    result = ocr_page(page.convert("RGB"), dpi=300, skew_degrees=0.0)
    assert result.layout == "full"
    lines = result.text.splitlines()
    assert lines.index("Tài liệu lưu trữ") < lines.index("hồ sơ hằng năm") < lines.index("Hồ sơ đất đai của")
    assert not any("trữ Hồ" in line for line in lines)
    forced = ocr_page(page.convert("RGB"), dpi=300, skew_degrees=0.0, full_layout=True)
    assert forced.layout == "full" and forced.text == result.text


def test_a_levelled_page_of_text_is_read_as_one_block_with_its_paragraphs(page_one_bytes, page_one_ocr):
    """As the pipeline reads it: deskewed by QC's estimate. Tesseract's paragraph model still runs on
    the block; a page whose skew was not measured keeps the full layout, which levels it itself."""
    gray = Image.open(io.BytesIO(page_one_bytes)).convert("L")
    skew = check_page(gray, (300.0, 300.0)).skew_degrees
    assert skew is not None and abs(skew) > 1  # this page is slanted
    levelled = ocr_page(gray, dpi=300, skew_degrees=skew)
    assert levelled.layout == "one block"
    assert levelled.text.splitlines()[0].startswith("- Phối hợp với Sở Thông tin và Truyền thông")
    assert levelled.text.count("\n\n") >= 10
    assert page_one_ocr.layout == "full"  # the same page, its skew not given
