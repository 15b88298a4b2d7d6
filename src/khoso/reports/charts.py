"""Charts of the dashboard as inline SVG, drawn on the server.

The site's CSP forbids inline scripts, and a chart library would be a dependency for two pictures;
an SVG of bars and lines is a few dozen elements, prints, and reads without JavaScript. Every text
is escaped here, so the result can be marked safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from khoso.reports.selectors import DayThroughput, FondsFigures

BAR = "#2f6f9f"
PLAN = "#c0392b"
SECOND = "#7fb069"
GRID = "#cccccc"


def vn_number(value: int | float) -> str:
    """1.323.258 and 96,33 (Vietnamese grouping and decimal comma; at most two decimals)."""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
        return text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 11) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}">{escape(content)}</text>'


def throughput_chart(days: Sequence[DayThroughput], *, width: int = 720, height: int = 220) -> SafeString:
    """Pages digitized per day (bars) against the plan's daily pace (a line)."""
    left, right, top, bottom = 56, 10, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1, *(d.pages for d in days), *(d.planned for d in days)])
    step = plot_w / max(len(days), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape("Số trang số hóa theo ngày so với kế hoạch")}" class="chart">'
    ]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 4, y + 4, vn_number(round(peak * fraction)), anchor="end", size=10))
    for index, day in enumerate(days):
        x = left + index * step
        bar = plot_h * day.pages / peak
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - bar:.1f}" width="{step * 0.7:.1f}" '
            f'height="{bar:.1f}" fill="{BAR}"><title>{escape(day.day.strftime("%d/%m/%Y"))}: '
            f"{vn_number(day.pages)} trang / kế hoạch {vn_number(day.planned)}</title></rect>"
        )
        if index % max(len(days) // 8, 1) == 0:
            parts.append(_text(x + step / 2, height - bottom + 14, day.day.strftime("%d/%m"), anchor="middle", size=10))
    points = " ".join(
        f"{left + (i + 0.5) * step:.1f},{top + plot_h * (1 - d.planned / peak):.1f}" for i, d in enumerate(days)
    )
    if points:
        parts.append(f'<polyline points="{points}" fill="none" stroke="{PLAN}" stroke-width="2"/>')
    parts.append(f'<rect x="{left}" y="{height - 12}" width="10" height="8" fill="{BAR}"/>')
    parts.append(_text(left + 14, height - 4, "Trang đã số hóa", size=10))
    parts.append(
        f'<line x1="{left + 130}" y1="{height - 8}" x2="{left + 145}" y2="{height - 8}" '
        f'stroke="{PLAN}" stroke-width="2"/>'
    )
    parts.append(_text(left + 150, height - 4, "Kế hoạch (trang/ngày làm việc)", size=10))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def targets_chart(
    fonds: Sequence[FondsFigures], *, digitized_target: int, described_target: int, width: int = 720
) -> SafeString:
    """Per fonds: share digitized and share described (of non-withheld pages) against 30 % and 80 %."""
    label_w, right, row_h, top = 200, 40, 26, 22
    plot_w = width - label_w - right
    height = top + row_h * max(len(fonds), 1) + 26
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape("Tiến độ so với chỉ tiêu 30 % và 80 % theo phông")}" class="chart">'
    ]
    for percent in (0, 50, 100):
        x = label_w + plot_w * percent / 100
        parts.append(_text(x, 14, f"{percent} %", anchor="middle", size=10))
    for index, item in enumerate(fonds):
        y = top + index * row_h
        parts.append(_text(label_w - 6, y + 15, _shorten(f"{item.code} – {item.name}", 34), anchor="end", size=10))
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{plot_w}" height="{row_h - 6}" fill="#f2f2f2"/>')
        described = plot_w * min(item.described_share_pages, 100) / 100
        digitized = plot_w * min(item.digitized_share_pages, 100) / 100
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{described:.1f}" height="{row_h - 6}" fill="{SECOND}">'
            f"<title>{escape(item.code)}: mô tả {vn_number(item.described_share_pages)} %</title></rect>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 7}" width="{digitized:.1f}" height="{row_h - 16}" fill="{BAR}">'
            f"<title>{escape(item.code)}: số hóa {vn_number(item.digitized_share_pages)} %</title></rect>"
        )
    bottom = top + row_h * max(len(fonds), 1)
    for percent in (digitized_target, described_target):
        x = label_w + plot_w * percent / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{bottom}" stroke="{PLAN}" stroke-dasharray="4 3"/>'
        )
        parts.append(_text(x + 3, bottom + 12, f"{percent} %", size=10))
    parts.append(f'<rect x="{label_w}" y="{height - 10}" width="10" height="8" fill="{BAR}"/>')
    parts.append(_text(label_w + 14, height - 2, f"Đã số hóa (chỉ tiêu ≥ {digitized_target} %)", size=10))
    parts.append(f'<rect x="{label_w + 220}" y="{height - 10}" width="10" height="8" fill="{SECOND}"/>')
    parts.append(
        _text(label_w + 234, height - 2, f"Có dữ liệu đặc tả, khai thác trực tuyến (≥ {described_target} %)", size=10)
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
