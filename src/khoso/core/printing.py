"""Printed lists and minutes: XLSX tables and A4 PDF documents in the Vietnamese administrative form.

Archivists sign and file these on paper, so they follow the layout of NĐ 30/2020 (the institution
name and the national heading side by side, then the place and date, the title, the body and the
signature blocks) and use a serif face metric-compatible with Times New Roman (Liberation Serif 2)
where installed, embedded so every Vietnamese diacritic prints and can be copied back out of the
PDF; a family missing a Vietnamese letter is never used (see ``FONT_CANDIDATES``). All text is NFC.

Any app may use these helpers; they know nothing about projects or files.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from khoso.core.errors import DependencyError
from khoso.core.text import nfc

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
FONT_DIR = Path("/usr/share/fonts/truetype/liberation")
FONT = "KhoSoSerif"


@dataclass(frozen=True)
class Column:
    """A table column: its heading and its width (characters in XLSX, relative share in PDF)."""

    label: str
    width: float = 12
    numeric: bool = False


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value))


def _cell(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return _text(value)
    if isinstance(value, int | float):
        return value
    return _text(value)


# -- XLSX ------------------------------------------------------------------------------------------


def xlsx_table(
    title: str,
    header_rows: Sequence[str],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    footer_rows: Sequence[Sequence[Any]] = (),
    sheet_name: str = "Danh mục",
) -> bytes:
    """One worksheet: ``header_rows`` (institution, project…) above a bold ``title``, then the table.

    The table heading is bold, bordered and repeated on every printed page; numbers stay numbers so
    the archivist can sum them in the spreadsheet; ``footer_rows`` (totals) follow the table in bold.
    """
    # openpyxl (≈ 0.2 CPU-s to import) only here: the PDF side (and the signing marks' font) needs none of it
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = nfc(sheet_name)[:31]
    width = len(columns)
    line = 1
    for text in header_rows:
        sheet.cell(row=line, column=1, value=_text(text))
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
        line += 1
    title_cell = sheet.cell(row=line, column=1, value=_text(title))
    title_cell.font = Font(bold=True, size=14)
    title_cell.alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    line += 2
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    heading_line = line
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=line, column=index, value=_text(column.label))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for values in rows:
        line += 1
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=line, column=index, value=_cell(value))
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=not columns[index - 1].numeric)
    for values in footer_rows:
        line += 1
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=line, column=index, value=_cell(value))
            cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=heading_line + 1, column=1)
    sheet.print_title_rows = f"{heading_line}:{heading_line}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# -- PDF -------------------------------------------------------------------------------------------


#: Families tried in order; the first whose four faces all carry the Vietnamese alphabet is used.
#: Liberation Serif 2.x (Debian fonts-liberation2) has the Vietnamese glyphs and Times metrics;
#: Liberation Serif 1.07 (fonts-liberation) has neither ư nor ữ, so DejaVu Serif backs it up.
FONT_CANDIDATES: tuple[tuple[Path, str, tuple[str, str, str, str]], ...] = (
    (
        Path("/usr/share/fonts/truetype/liberation2"),
        "Liberation Serif",
        (
            "LiberationSerif-Regular.ttf",
            "LiberationSerif-Bold.ttf",
            "LiberationSerif-Italic.ttf",
            "LiberationSerif-BoldItalic.ttf",
        ),
    ),
    (
        FONT_DIR,
        "Liberation Serif",
        (
            "LiberationSerif-Regular.ttf",
            "LiberationSerif-Bold.ttf",
            "LiberationSerif-Italic.ttf",
            "LiberationSerif-BoldItalic.ttf",
        ),
    ),
    (
        Path("/usr/share/fonts/truetype/dejavu"),
        "DejaVu Serif",
        ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf"),
    ),
)
VIETNAMESE_LETTERS = nfc("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ")
VIETNAMESE_LETTERS += VIETNAMESE_LETTERS.lower()
FACES = ("", "-Bold", "-Italic", "-BoldItalic")


def _covers_vietnamese(path: Path) -> bool:
    if not path.is_file():
        return False
    chars = TTFontFile(str(path)).charToGlyph
    return all(ord(letter) in chars for letter in VIETNAMESE_LETTERS)


@cache
def font_family() -> str:
    """The name of the serif family registered for Vietnamese text (see ``FONT_CANDIDATES``)."""
    for directory, family, files in FONT_CANDIDATES:
        paths = [directory / name for name in files]
        if all(_covers_vietnamese(path) for path in paths):
            for suffix, path in zip(FACES, paths, strict=True):
                pdfmetrics.registerFont(TTFont(FONT + suffix, str(path)))
            pdfmetrics.registerFontFamily(
                FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic", boldItalic=f"{FONT}-BoldItalic"
            )
            return family
    raise DependencyError(
        program="phông chữ có dấu tiếng Việt (fonts-liberation2 hoặc fonts-dejavu)",
        need="TrueType",
        reason="không phông chữ nào trong danh sách có đủ chữ tiếng Việt.",
    )


def _style(
    name: str, *, size: float = 13, bold: bool = False, italic: bool = False, align: int = TA_LEFT, **extra: Any
) -> ParagraphStyle:
    face = (
        FONT
        + {(False, False): "", (True, False): "-Bold", (False, True): "-Italic", (True, True): "-BoldItalic"}[
            (bold, italic)
        ]
    )
    return ParagraphStyle(name, fontName=face, fontSize=size, leading=size * 1.25, alignment=align, **extra)


@dataclass(frozen=True)
class Signature:
    """A signature block: who signs (``role``, upper case by custom), their title and name."""

    role: str
    name: str = ""
    title: str = ""


def vn_date(day: date) -> str:
    """«ngày 05 tháng 8 năm 2026», the way administrative documents date themselves."""
    return f"ngày {day.day:02d} tháng {day.month} năm {day.year}"


class PdfDocument:
    """An A4 administrative document built block by block, rendered to PDF bytes.

    >>> doc = PdfDocument(institution="TRUNG TÂM LƯU TRỮ LỊCH SỬ", title="BIÊN BẢN NGHIỆM THU")
    >>> doc.paragraph("Hôm nay …"); doc.table([Column("STT")], [[1]]); pdf = doc.render()
    """

    def __init__(
        self,
        *,
        institution: str,
        title: str,
        subtitle: str = "",
        parent: str = "",
        place_date: str = "",
        wide: bool = False,
    ) -> None:
        font_family()
        self.pagesize = landscape(A4) if wide else A4
        # NĐ 30/2020 margins: left 30 mm (binding), right 15 mm; a landscape list keeps 20 mm each side.
        self.margins = (20 * mm, 20 * mm) if wide else (30 * mm, 15 * mm)
        self.title = nfc(title)
        self.body: list[Flowable] = []
        self.styles = {
            "head": _style("head", size=11, align=TA_CENTER),
            "head_bold": _style("head_bold", size=11, bold=True, align=TA_CENTER),
            "place": _style("place", size=13, italic=True, align=TA_RIGHT),
            "title": _style("title", size=14, bold=True, align=TA_CENTER, spaceBefore=6),
            "subtitle": _style("subtitle", size=13, bold=True, align=TA_CENTER, spaceAfter=6),
            "heading": _style("heading", size=13, bold=True, spaceBefore=6, spaceAfter=3),
            "text": _style("text", size=13, firstLineIndent=0, spaceAfter=3),
            "sign_role": _style("sign_role", size=13, bold=True, align=TA_CENTER),
            "sign_title": _style("sign_title", size=12, align=TA_CENTER),
            "sign_note": _style("sign_note", size=12, italic=True, align=TA_CENTER),
            "sign_name": _style("sign_name", size=13, bold=True, align=TA_CENTER),
        }
        self._heading(institution=institution, parent=parent, place_date=place_date)
        self.body.append(Paragraph(self._escape(title), self.styles["title"]))
        if subtitle:
            self.body.append(Paragraph(self._escape(subtitle), self.styles["subtitle"]))
        self.body.append(Spacer(1, 4 * mm))

    @staticmethod
    def _escape(text: Any) -> str:
        return escape(_text(text)).replace("\n", "<br/>")

    @property
    def _frame_width(self) -> float:
        return self.pagesize[0] - sum(self.margins)

    def _heading(self, *, institution: str, parent: str, place_date: str) -> None:
        left = []
        if parent:
            left.append(Paragraph(self._escape(parent.upper()), self.styles["head"]))
        left.append(Paragraph(self._escape(institution.upper()), self.styles["head_bold"]))
        right = [
            Paragraph(self._escape(NATIONAL_NAME), self.styles["head_bold"]),
            Paragraph(f"<u>{self._escape(NATIONAL_MOTTO)}</u>", self.styles["head_bold"]),
        ]
        width = self._frame_width
        heading = Table([[left, right]], colWidths=[width * 0.38, width * 0.62])
        heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        self.body.append(heading)
        if place_date:
            self.body.append(Spacer(1, 3 * mm))
            self.body.append(Paragraph(self._escape(place_date), self.styles["place"]))
        self.body.append(Spacer(1, 4 * mm))

    def heading(self, text: str) -> None:
        self.body.append(Paragraph(self._escape(text), self.styles["heading"]))

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False) -> None:
        markup = self._escape(text)
        if bold:
            markup = f"<b>{markup}</b>"
        if italic:
            markup = f"<i>{markup}</i>"
        self.body.append(Paragraph(markup, self.styles["text"]))

    def facts(self, pairs: Sequence[tuple[str, Any]]) -> None:
        """Label: value lines (the figures of a plan or minutes)."""
        for label, value in pairs:
            self.body.append(Paragraph(f"{self._escape(label)}: <b>{self._escape(value)}</b>", self.styles["text"]))

    def table(
        self,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Any]],
        *,
        footer_rows: Sequence[Sequence[Any]] = (),
        size: float = 10.5,
    ) -> None:
        """A bordered table whose heading row repeats on every page; ``footer_rows`` print in bold."""
        cell, number = _style("cell", size=size), _style("cell_num", size=size, align=TA_RIGHT)
        head = _style("cell_head", size=size, bold=True, align=TA_CENTER)
        share = sum(column.width for column in columns)
        widths = [self._frame_width * column.width / share for column in columns]
        data: list[list[Any]] = [[Paragraph(self._escape(c.label), head) for c in columns]]
        for values in rows:
            data.append(
                [
                    Paragraph(self._escape(self._number(v)), number if c.numeric else cell)
                    for c, v in zip(columns, values, strict=False)
                ]
            )
        for values in footer_rows:
            data.append(
                [
                    Paragraph(f"<b>{self._escape(self._number(v))}</b>", number if c.numeric else cell)
                    for c, v in zip(columns, values, strict=False)
                ]
            )
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ]
            )
        )
        self.body.append(table)
        self.body.append(Spacer(1, 3 * mm))

    @staticmethod
    def _number(value: Any) -> Any:
        """Integers with the Vietnamese thousands separator (1.323.258)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}".replace(",", ".")
        return value

    def signatures(self, blocks: Sequence[Signature]) -> None:
        """Signature blocks side by side, with room to sign and the printed name below."""
        cells = []
        for block in blocks:
            cell = [Paragraph(self._escape(block.role.upper()), self.styles["sign_role"])]
            if block.title:
                cell.append(Paragraph(self._escape(block.title), self.styles["sign_title"]))
            cell.append(Paragraph("(Ký, ghi rõ họ tên)", self.styles["sign_note"]))
            cell.append(Spacer(1, 22 * mm))
            cell.append(Paragraph(self._escape(block.name), self.styles["sign_name"]))
            cells.append(cell)
        width = self._frame_width / max(len(cells), 1)
        table = Table([cells], colWidths=[width] * len(cells))
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        self.body.append(Spacer(1, 6 * mm))
        self.body.append(KeepTogether([table]))

    def render(self) -> bytes:
        output = io.BytesIO()
        template = SimpleDocTemplate(
            output,
            pagesize=self.pagesize,
            leftMargin=self.margins[0],
            rightMargin=self.margins[1],
            topMargin=20 * mm,
            bottomMargin=20 * mm,
            title=self.title,
            author="Kho Số",
        )
        template.build(self.body, onLaterPages=self._page_number)
        return output.getvalue()

    def _page_number(self, canvas: Any, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 11)
        canvas.drawCentredString(self.pagesize[0] / 2, self.pagesize[1] - 12 * mm, str(template.page))
        canvas.restoreState()


def pdf_plain_text(data: bytes) -> str:
    """The words a PDF shows, page after page, whitespace collapsed: what a reader of a printout reads.

    Printouts (minutes, lists, receipts) are checked by their text, not their bytes.
    """
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
    return " ".join(text.replace("\r", "").split())
