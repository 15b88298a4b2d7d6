"""Search hits marked inside a page's PDF, for the browser's own PDF viewer.

The page viewer marks matching OCR words over the page image; a reader who opens the page as PDF
should see the same words marked. The archival rendition is never changed: a viewing copy gets
standard highlight annotations (/Subtype /Highlight, with an appearance stream so every viewer draws
them alike) placed from the OCR word boxes, which are in image pixels, onto the PDF page's media box.
No Django here: the web view passes the bytes and the boxes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

import pikepdf

HIGHLIGHT_RGB = (1.0, 0.92, 0.23)


def highlighted_pdf(pdf_bytes: bytes, boxes: Iterable[Mapping[str, float | str]]) -> bytes:
    """``pdf_bytes`` (one page) with a highlight over each box; boxes are in % of the page like
    ``{"left", "top", "width", "height"}`` (what the page viewer uses). No boxes: the bytes unchanged."""
    boxes = list(boxes)
    if not boxes:
        return pdf_bytes
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        page = pdf.pages[0]
        x0, y0, x1, y1 = (float(value) for value in page.mediabox)
        page_width, page_height = x1 - x0, y1 - y0
        annotations = page.obj.get("/Annots") or pdf.make_indirect(pikepdf.Array())
        for box in boxes:
            left = x0 + page_width * float(box["left"]) / 100
            right = left + page_width * float(box["width"]) / 100
            top = y1 - page_height * float(box["top"]) / 100
            bottom = top - page_height * float(box["height"]) / 100
            annotations.append(pdf.make_indirect(_highlight(pdf, left, bottom, right, top, str(box.get("text", "")))))
        page.obj["/Annots"] = annotations
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _highlight(pdf: pikepdf.Pdf, left: float, bottom: float, right: float, top: float, text: str) -> pikepdf.Dictionary:
    width, height = right - left, top - bottom
    red, green, blue = HIGHLIGHT_RGB
    appearance = pikepdf.Stream(pdf, f"/GS0 gs {red} {green} {blue} rg 0 0 {width:.2f} {height:.2f} re f".encode())
    appearance["/Type"] = pikepdf.Name.XObject
    appearance["/Subtype"] = pikepdf.Name.Form
    appearance["/BBox"] = pikepdf.Array([0, 0, width, height])
    appearance["/Resources"] = pikepdf.Dictionary(
        ExtGState=pikepdf.Dictionary(GS0=pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, BM=pikepdf.Name.Multiply))
    )
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Highlight,
        Rect=pikepdf.Array([left, bottom, right, top]),
        QuadPoints=pikepdf.Array([left, top, right, top, left, bottom, right, bottom]),
        C=pikepdf.Array(list(HIGHLIGHT_RGB)),
        F=4,  # print
        Contents=pikepdf.String(text),
        T=pikepdf.String("Kho Số"),
        AP=pikepdf.Dictionary(N=pdf.make_indirect(appearance)),
    )
