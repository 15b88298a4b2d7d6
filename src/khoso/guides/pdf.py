"""A guide as an A4 PDF for printing and for training sessions (seed 003): title page, table of contents with
links, PDF bookmarks, the screens' screenshots, page numbers.

Built from the same parsed blocks as the web page, with the project's PDF fonts (``khoso.core.printing``:
an embedded serif that carries every Vietnamese letter) and a monospaced face for commands chosen by the
same rule (a face missing a Vietnamese letter is never used). No Django here.
"""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Preformatted,
    Spacer,
    Table,
    TableStyle,
)

from khoso.core import printing
from khoso.core.text import nfc
from khoso.guides.library import Guide, screenshot_path
from khoso.guides.markup import Code, Figure, Heading, Inline, ItemList, Links, Note
from khoso.guides.markup import Paragraph as TextBlock

MONO = "KhoSoMono"
MONO_CANDIDATES = (
    Path("/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
)
MARGIN = 20 * mm
FIGURE_MAX_HEIGHT = 140 * mm


@cache
def mono_font() -> str:
    """A monospaced face with every Vietnamese letter, or the serif of ``printing`` when none is installed."""
    printing.font_family()
    for path in MONO_CANDIDATES:
        if path.is_file():
            glyphs = TTFontFile(str(path)).charToGlyph
            if all(ord(letter) in glyphs for letter in printing.VIETNAMESE_LETTERS):
                pdfmetrics.registerFont(TTFont(MONO, str(path)))
                return MONO
    return printing.FONT


def _styles() -> dict[str, ParagraphStyle]:
    printing.font_family()
    serif, bold = printing.FONT, f"{printing.FONT}-Bold"

    def style(name: str, size: float, font: str = serif, **extra: Any) -> ParagraphStyle:
        extra.setdefault("leading", size * 1.3)
        return ParagraphStyle(name, fontName=font, fontSize=size, **extra)

    return {
        "archive": style("archive", 13, bold, alignment=TA_CENTER, spaceAfter=40 * mm),
        "kind": style("kind", 16, bold, alignment=TA_CENTER, spaceAfter=6 * mm),
        "title": style("title", 22, bold, alignment=TA_CENTER, spaceAfter=8 * mm),
        "summary": style("summary", 12, f"{printing.FONT}-Italic", alignment=TA_CENTER, spaceAfter=30 * mm),
        "printed": style("printed", 11, alignment=TA_CENTER),
        "contents": style("contents", 16, bold, spaceAfter=4 * mm),
        "toc2": style("toc2", 12, spaceAfter=1.5 * mm),
        "toc3": style("toc3", 11, leftIndent=8 * mm, spaceAfter=1 * mm),
        "h2": style("h2", 16, bold, spaceBefore=6 * mm, spaceAfter=3 * mm, keepWithNext=1),
        "h3": style("h3", 13, bold, spaceBefore=4 * mm, spaceAfter=2 * mm, keepWithNext=1),
        "text": style("text", 11.5, spaceAfter=2.5 * mm),
        "item": style("item", 11.5, leftIndent=7 * mm, bulletIndent=2 * mm, spaceAfter=1.5 * mm),
        "note": style("note", 11, leftIndent=3 * mm, rightIndent=3 * mm),
        "code": style("code", 8.5, mono_font(), leading=11),
        "caption": style("caption", 10, f"{printing.FONT}-Italic", alignment=TA_CENTER, spaceAfter=4 * mm),
    }


class _Heading(Paragraph):
    """A heading that becomes a PDF bookmark where it lands."""

    def __init__(self, text: str, style: ParagraphStyle, *, key: str, title: str, level: int) -> None:
        super().__init__(text, style)
        self.outline = (key, title, level)


class _GuideTemplate(BaseDocTemplate):
    def __init__(self, output: io.BytesIO, *, title: str) -> None:
        super().__init__(
            output,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            author="Kho Số",
            subject="Hướng dẫn sử dụng",
        )
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._footer)])
        self.guide_title = title
        self._outline_level = -1

    def _footer(self, canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(printing.FONT, 9)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"Kho Số · {self.guide_title} · {document.page}")
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802  (reportlab's hook name)
        outline = getattr(flowable, "outline", None)
        if outline is None:
            return
        key, title, level = outline
        level = min(level, self._outline_level + 1)  # a ### before any ## still nests legally
        self._outline_level = level
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)


def _inline(inlines: tuple[Inline, ...], links: Links) -> str:
    out: list[str] = []
    for inline in inlines:
        text = escape(nfc(inline.text))
        if inline.kind == "code":
            out.append(f'<font face="{mono_font()}" size="10">{text}</font>')
        elif inline.kind == "strong":
            out.append(f"<b>{text}</b>")
        elif inline.kind == "screen":
            address = links.screen_url(inline.target)
            out.append(
                f"<b>{text}</b>" + (f' (<font face="{mono_font()}">{escape(address)}</font>)' if address else "")
            )
        elif inline.kind == "guide":
            out.append(f"<i>«{escape(links.guide_title(inline.target) or inline.text)}»</i>")
        else:
            out.append(text)
    return "".join(out)


def _figure(figure: Figure, links: Links, styles: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    caption = f"Màn hình «{escape(figure.label)}»"
    address = links.screen_url(figure.screen)
    if address:
        caption += f' — <font face="{mono_font()}">{escape(address)}</font>'
    path = screenshot_path(figure.screen)
    if not path.is_file():
        return [Paragraph(caption, styles["caption"])]
    with PILImage.open(path) as picture:
        pixels_wide, pixels_high = picture.size
    scale = min(width / pixels_wide, FIGURE_MAX_HEIGHT / pixels_high)
    image = Image(str(path), width=pixels_wide * scale, height=pixels_high * scale)
    frame = Table([[image]], colWidths=[pixels_wide * scale + 2])
    frame.setStyle(
        TableStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")), ("PADDING", (0, 0), (-1, -1), 1)])
    )
    return [KeepTogether([frame, Spacer(1, 1.5 * mm), Paragraph(caption, styles["caption"])])]


def _boxed(content: Flowable, width: float, background: str) -> Table:
    box = Table([[content]], colWidths=[width])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(background)),
                ("PADDING", (0, 0), (-1, -1), 5),
                ("BOX", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
            ]
        )
    )
    return box


def guide_pdf(guide: Guide, *, links: Links, institution: str, printed: date | None = None) -> bytes:
    """The guide as PDF bytes; ``institution`` heads the title page."""
    styles = _styles()
    output = io.BytesIO()
    template = _GuideTemplate(output, title=nfc(guide.title))
    width = template.width
    story: list[Flowable] = [
        Spacer(1, 25 * mm),
        Paragraph(escape(nfc(institution).upper()), styles["archive"]),
        Paragraph("HƯỚNG DẪN SỬ DỤNG KHO SỐ", styles["kind"]),
        Paragraph(escape(nfc(guide.title)), styles["title"]),
        Paragraph(escape(guide.summary_en), styles["summary"]),
        Paragraph(f"Bản in ngày {(printed or date.today()).strftime('%d/%m/%Y')}", styles["printed"]),
        PageBreak(),
        Paragraph("Mục lục", styles["contents"]),
    ]
    for heading in guide.toc:
        story.append(
            Paragraph(f'<a href="#{heading.anchor}">{escape(heading.text)}</a>', styles[f"toc{heading.level}"])
        )
    story.append(PageBreak())
    for block in guide.document.blocks:
        if isinstance(block, Heading):
            story.append(
                _Heading(
                    f'<a name="{block.anchor}"/>{_inline(block.inlines, links)}',
                    styles[f"h{block.level}"],
                    key=block.anchor,
                    title=block.text,
                    level=block.level - 2,
                )
            )
        elif isinstance(block, TextBlock):
            story.append(Paragraph(_inline(block.inlines, links), styles["text"]))
        elif isinstance(block, Note):
            story.append(_boxed(Paragraph(_inline(block.inlines, links), styles["note"]), width, "#fff6dd"))
            story.append(Spacer(1, 3 * mm))
        elif isinstance(block, ItemList):
            for number, item in enumerate(block.items, start=1):
                bullet = f"{number}." if block.ordered else "•"
                story.append(Paragraph(_inline(item, links), styles["item"], bulletText=bullet))
            story.append(Spacer(1, 1.5 * mm))
        elif isinstance(block, Code):
            code = Preformatted(nfc(block.text), styles["code"], maxLineLength=92, splitChars=" ", newLineChars="    ")
            story.append(_boxed(code, width, "#f3f3f3"))
            story.append(Spacer(1, 3 * mm))
        elif isinstance(block, Figure):
            story += _figure(block, links, styles, width - 4)
    template.build(story)
    return output.getvalue()
