"""The annual report and the fonds statistics as XLSX and PDF (for the Ministry and the province).

The annual report is due before 15 December (seed 001): totals by fonds and by project, the two
targets, cost against budget and the preservation KPIs. The spreadsheet keeps numbers as numbers
(one sheet per table) so the province can add them up; the PDF is the signed paper copy.

The fonds statistics of a Party archive add three tables: its fonds by group of the Party fonds list
(QĐ 270-QĐ/TW), and its documents by độ mật and by loại bản, each with a line per group.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from khoso.core.printing import Column, PdfDocument, Signature, vn_date
from khoso.core.text import nfc
from khoso.reports.charts import vn_number
from khoso.reports.selectors import (
    AnnualReport,
    FondsFigures,
    FondsStatistics,
    HoldingTotals,
    PartyFondsGroup,
    PartyStatistics,
    PlanYearFigures,
    PreservationFigures,
    ProjectFigures,
)

FONDS_COLUMNS = (
    Column("Mã phông", 12),
    Column("Tên phông", 34),
    Column("Mét giá", 9, numeric=True),
    Column("Trang ước tính", 12, numeric=True),
    Column("Trang kiểm đếm", 12, numeric=True),
    Column("Trang hạn chế / mật", 11, numeric=True),
    Column("Trang đã số hóa", 12, numeric=True),
    Column("Số hóa (%)", 9, numeric=True),
    Column("Số hóa theo mét (%)", 9, numeric=True),
    Column("Có dữ liệu đặc tả (%)", 9, numeric=True),
    Column("Theo mét (%)", 9, numeric=True),
)
PLAN_COLUMNS = (
    Column("Đề án", 14),
    Column("Năm", 7, numeric=True),
    Column("Số phông", 8, numeric=True),
    Column("Mét giá", 9, numeric=True),
    Column("Trang ước tính", 12, numeric=True),
    Column("Trang kiểm đếm", 12, numeric=True),
    Column("Trang kế hoạch", 12, numeric=True),
    Column("Kinh phí (đồng)", 16, numeric=True),
    Column("Trang / mét", 9, numeric=True),
    Column("Đồng / trang", 9, numeric=True),
)
PROJECT_COLUMNS = (
    Column("Mã đề án", 14),
    Column("Tên đề án", 34),
    Column("Thời gian", 10),
    Column("Mét giá", 9, numeric=True),
    Column("Trang kế hoạch", 12, numeric=True),
    Column("Trang đã quét", 12, numeric=True),
    Column("Tiến độ (%)", 8, numeric=True),
    Column("Lỗi chất lượng (%)", 8, numeric=True),
    Column("Quét lại (%)", 8, numeric=True),
    Column("Chi phí đến nay (đồng)", 15, numeric=True),
    Column("Kinh phí (đồng)", 15, numeric=True),
)


PARTY_FONDS_COLUMNS = (
    Column("Nhóm phông (QĐ 270-QĐ/TW)", 30),
    Column("Mã phông", 12),
    Column("Tên phông", 34),
    Column("Mét giá", 9, numeric=True),
    Column("Số hồ sơ", 9, numeric=True),
    Column("Số tài liệu", 9, numeric=True),
    Column("Trang đã số hóa", 12, numeric=True),
)


def _metres(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))


def fonds_row(item: FondsFigures) -> list[Any]:
    return [
        item.code,
        item.name,
        _metres(item.metres),
        item.pages_estimated,
        item.pages_counted,
        item.pages_withheld,
        item.pages_digitized,
        item.digitized_share_pages,
        item.digitized_share_metres,
        item.described_share_pages,
        item.described_share_metres,
    ]


def totals_row(totals: HoldingTotals) -> list[Any]:
    return [
        "Tổng cộng",
        f"{totals.fonds} phông",
        _metres(totals.metres),
        totals.pages_estimated,
        totals.pages_counted,
        totals.pages_withheld,
        totals.pages_digitized,
        totals.digitized_share_pages,
        totals.digitized_share_metres,
        totals.described_share_pages,
        totals.described_share_metres,
    ]


def plan_row(plan: PlanYearFigures) -> list[Any]:
    return [
        plan.project_code,
        plan.year,
        plan.fonds,
        _metres(plan.metres),
        plan.pages_estimated,
        plan.pages_counted if plan.pages_counted is not None else "",
        plan.pages_planned,
        plan.budget,
        plan.pages_per_metre,
        plan.vnd_per_page,
    ]


def plan_totals_row(report: AnnualReport) -> list[Any]:
    return [
        "Tổng cộng",
        report.year,
        report.plan_fonds,
        _metres(report.plan_metres),
        report.plan_pages_estimated,
        "",
        report.plan_pages_planned,
        report.plan_budget,
        "",
        "",
    ]


def project_row(project: ProjectFigures) -> list[Any]:
    return [
        project.code,
        project.name,
        f"{project.year_from}–{project.year_to}",
        _metres(project.plan_metres if project.plan else project.target_metres),
        project.plan_pages_planned or project.pages_planned,
        project.pages_scanned,
        project.progress_share,
        project.qc_failure_rate,
        project.rescan_rate,
        project.cost_to_date,
        project.budget,
    ]


def _group_name(group: PartyFondsGroup) -> str:
    return f"{group.code} – {group.label}" if group.code else group.label


def party_fonds_rows(party: PartyStatistics) -> list[list[Any]]:
    """The fonds of each group, then the group's line."""
    rows: list[list[Any]] = []
    for group in party.groups:
        name = _group_name(group)
        for item in group.fonds:
            metres = _metres(item.metres)
            rows.append([name, item.code, item.name, metres, item.files, item.documents, item.pages_digitized])
        totals = group.totals
        rows.append(
            [
                f"Cộng nhóm: {name}",
                "",
                f"{totals.fonds} phông",
                _metres(totals.metres),
                totals.files,
                totals.documents,
                totals.pages_digitized,
            ]
        )
    return rows


def count_columns(first: str, codes: Sequence[tuple[str, str]]) -> list[Column]:
    return [Column(first, 34), *(Column(label, 9, numeric=True) for _, label in codes), Column("Tổng", 9, numeric=True)]


def party_count_rows(party: PartyStatistics, *, secret: bool) -> list[list[Any]]:
    """Documents per code of độ mật (``secret``) or of loại bản: a line per fonds, then the group's line."""
    codes = party.secret_classes if secret else party.copy_types
    by_fonds = party.secret_by_fonds if secret else party.copy_by_fonds
    rows: list[list[Any]] = []
    for group in party.groups:
        for item in group.fonds:
            counts = by_fonds.get(item.fonds_id, {})
            values = [counts.get(code, 0) for code, _ in codes]
            rows.append([f"{item.code} – {item.name}", *values, sum(values)])
        counts = group.by_secret_class if secret else group.by_copy_type
        values = [counts.get(code, 0) for code, _ in codes]
        rows.append([f"Cộng nhóm: {_group_name(group)}", *values, sum(values)])
    return rows


def _party_tables(party: PartyStatistics) -> list[tuple[str, str, str, Sequence[Column], list[list[Any]]]]:
    """(sheet name, sheet title, PDF heading, columns, rows) of the Party tables."""
    label = "Phông / nhóm phông"
    return [
        (
            "Theo nhóm phông",
            "PHÔNG LƯU TRỮ ĐẢNG THEO NHÓM PHÔNG (QĐ 270-QĐ/TW)",
            "Phông Lưu trữ Đảng theo nhóm phông (QĐ 270-QĐ/TW)",
            PARTY_FONDS_COLUMNS,
            party_fonds_rows(party),
        ),
        (
            "Theo độ mật",
            "TÀI LIỆU LƯU TRỮ ĐẢNG THEO ĐỘ MẬT",
            "Tài liệu Lưu trữ Đảng theo độ mật",
            count_columns(label, party.secret_classes),
            party_count_rows(party, secret=True),
        ),
        (
            "Theo loại bản",
            "TÀI LIỆU LƯU TRỮ ĐẢNG THEO LOẠI BẢN",
            "Tài liệu Lưu trữ Đảng theo loại bản",
            count_columns(label, party.copy_types),
            party_count_rows(party, secret=False),
        ),
    ]


def _moment(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "chưa có"


def preservation_rows(figures: PreservationFigures) -> list[tuple[str, str]]:
    return [
        ("Sao lưu toàn bộ gần nhất", _moment(figures.last_full_backup)),
        ("Sao lưu gia tăng gần nhất", _moment(figures.last_incremental_backup)),
        ("Sao lưu hằng ngày", "đạt" if figures.daily_backup_ok else "chưa đạt"),
        ("Sao lưu toàn bộ hằng tháng", "đạt" if figures.monthly_full_ok else "chưa đạt"),
        ("Kiểm tra toàn vẹn gần nhất", _moment(figures.last_audit_at)),
        (
            "Kết quả kiểm tra gần nhất",
            "chưa có" if figures.last_audit_healthy is None else ("tốt" if figures.last_audit_healthy else "có lỗi"),
        ),
        (
            f"Đối tượng đã kiểm tra trong {figures.fixity_window_days} ngày",
            f"{vn_number(figures.objects_checked_recently)} / {vn_number(figures.objects)} "
            f"({vn_number(figures.checked_share)} %)",
        ),
        ("Số bản sao tối thiểu / nơi lưu trữ đang dùng", f"{figures.min_copies} / {figures.locations}"),
        ("Đối tượng chưa đủ bản sao", vn_number(figures.under_replicated)),
    ]


# -- XLSX -------------------------------------------------------------------------------------------


def _sheet(
    book: Workbook,
    name: str,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    footer: Sequence[Sequence[Any]] = (),
) -> None:
    sheet = book.create_sheet(nfc(name)[:31])
    sheet.cell(row=1, column=1, value=nfc(title)).font = Font(bold=True, size=13)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=3, column=index, value=nfc(column.label))
        cell.font = Font(bold=True)
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    line = 3
    for values in rows:
        line += 1
        for index, value in enumerate(values, start=1):
            sheet.cell(row=line, column=index, value=nfc(value) if isinstance(value, str) else value).border = border
    for values in footer:
        line += 1
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=line, column=index, value=nfc(value) if isinstance(value, str) else value)
            cell.font = Font(bold=True)
            cell.border = border
    sheet.freeze_panes = "A4"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4


def _facts_sheet(book: Workbook, name: str, title: str, pairs: Sequence[tuple[str, Any]]) -> None:
    sheet = book.create_sheet(nfc(name)[:31])
    sheet.cell(row=1, column=1, value=nfc(title)).font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 30
    for line, (label, value) in enumerate(pairs, start=3):
        sheet.cell(row=line, column=1, value=nfc(label))
        sheet.cell(row=line, column=2, value=nfc(value) if isinstance(value, str) else value)


def _summary_pairs(totals: HoldingTotals) -> list[tuple[str, Any]]:
    return [
        ("Số phông", totals.fonds),
        ("Tổng số mét giá", _metres(totals.metres)),
        ("Số trang ước tính (5.000 trang/mét)", totals.pages_estimated),
        ("Số trang kiểm đếm (hồ sơ đã biên mục)", totals.pages_counted),
        ("Số trang hạn chế sử dụng / mật (không tính vào chỉ tiêu)", totals.pages_withheld),
        ("Số trang đã số hóa", totals.pages_digitized),
        (f"Tỷ lệ số hóa theo trang (%) – chỉ tiêu ≥ {totals.target_digitized} %", totals.digitized_share_pages),
        ("Tỷ lệ số hóa theo mét giá (%)", totals.digitized_share_metres),
        (
            f"Tỷ lệ có dữ liệu đặc tả, khai thác trực tuyến theo trang (%) – chỉ tiêu ≥ {totals.target_described} %",
            totals.described_share_pages,
        ),
        ("Tỷ lệ có dữ liệu đặc tả theo mét giá (%)", totals.described_share_metres),
        ("Số hồ sơ / bảo quản vĩnh viễn", f"{totals.files} / {totals.files_permanent}"),
        ("Số tài liệu", totals.documents),
    ]


def _book_bytes(book: Workbook) -> bytes:
    book.remove(book.worksheets[0])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def annual_xlsx(report: AnnualReport) -> bytes:
    book = Workbook()
    title = f"BÁO CÁO KẾT QUẢ SỐ HÓA TÀI LIỆU LƯU TRỮ NĂM {report.year}"
    _facts_sheet(
        book,
        "Tổng hợp",
        title,
        [
            ("Năm báo cáo", report.year),
            ("Hạn gửi Bộ Nội vụ", report.due.strftime("%d/%m/%Y")),
            ("Ngày lập", report.generated_on.strftime("%d/%m/%Y")),
            ("Số trang số hóa trong năm", report.totals.pages_digitized_in_year),
            *_summary_pairs(report.totals),
        ],
    )
    _sheet(
        book,
        "Theo phông",
        f"{title} – THEO PHÔNG",
        FONDS_COLUMNS,
        [fonds_row(f) for f in report.fonds],
        [totals_row(report.totals)],
    )
    _sheet(book, "Theo đề án", f"{title} – THEO ĐỀ ÁN", PROJECT_COLUMNS, [project_row(p) for p in report.projects])
    _sheet(
        book,
        "Kế hoạch năm",
        f"KẾ HOẠCH NĂM {report.year}",
        PLAN_COLUMNS,
        [plan_row(p) for p in report.plan],
        [plan_totals_row(report)],
    )
    _facts_sheet(book, "Bảo quản", "CHỈ SỐ BẢO QUẢN", preservation_rows(report.preservation))
    return _book_bytes(book)


def fonds_xlsx(statistics: FondsStatistics) -> bytes:
    book = Workbook()
    title = f"THỐNG KÊ PHÔNG LƯU TRỮ ĐẾN NGÀY {statistics.generated_on:%d/%m/%Y}"
    _sheet(
        book,
        "Thống kê phông",
        title,
        FONDS_COLUMNS,
        [fonds_row(f) for f in statistics.fonds],
        [totals_row(statistics.totals)],
    )
    _facts_sheet(book, "Tổng hợp", title, _summary_pairs(statistics.totals))
    if statistics.party is not None:
        for name, title, _, columns, rows in _party_tables(statistics.party):
            _sheet(book, name, title, columns, rows)
    return _book_bytes(book)


# -- PDF --------------------------------------------------------------------------------------------


def _institution() -> str:
    return str(settings.KHOSO_ARCHIVE_NAME or "CƠ QUAN LƯU TRỮ")


def annual_pdf(report: AnnualReport) -> bytes:
    document = PdfDocument(
        institution=_institution(),
        title=f"BÁO CÁO KẾT QUẢ SỐ HÓA TÀI LIỆU LƯU TRỮ NĂM {report.year}",
        subtitle=f"Gửi Bộ Nội vụ và Ủy ban nhân dân tỉnh (trước ngày 15/12/{report.year})",
        place_date=vn_date(report.generated_on).capitalize(),
        wide=True,
    )
    document.heading("I. Tổng hợp")
    document.facts(
        [
            (label, vn_number(value) if isinstance(value, int | float) else value)
            for label, value in (
                ("Số trang số hóa trong năm", report.totals.pages_digitized_in_year),
                *_summary_pairs(report.totals),
            )
        ]
    )
    document.heading("II. Theo phông")
    document.table(
        FONDS_COLUMNS,
        [_pdf_values(fonds_row(f)) for f in report.fonds],
        footer_rows=[_pdf_values(totals_row(report.totals))],
        size=9,
    )
    document.heading("III. Theo đề án")
    document.table(PROJECT_COLUMNS, [_pdf_values(project_row(p)) for p in report.projects], size=9)
    document.heading(f"IV. Kế hoạch năm {report.year}")
    document.table(
        PLAN_COLUMNS,
        [_pdf_values(plan_row(p)) for p in report.plan],
        footer_rows=[_pdf_values(plan_totals_row(report))],
        size=9,
    )
    document.heading("V. Bảo quản, sao lưu")
    document.facts(preservation_rows(report.preservation))
    document.signatures([Signature("Người lập biểu"), Signature("Thủ trưởng cơ quan")])
    return document.render()


def fonds_pdf(statistics: FondsStatistics) -> bytes:
    document = PdfDocument(
        institution=_institution(),
        title="THỐNG KÊ PHÔNG LƯU TRỮ",
        subtitle=f"Đến ngày {statistics.generated_on:%d/%m/%Y}",
        place_date=vn_date(statistics.generated_on).capitalize(),
        wide=True,
    )
    document.table(
        FONDS_COLUMNS,
        [_pdf_values(fonds_row(f)) for f in statistics.fonds],
        footer_rows=[_pdf_values(totals_row(statistics.totals))],
        size=9,
    )
    document.facts(
        [
            (label, vn_number(value) if isinstance(value, int | float) else value)
            for label, value in _summary_pairs(statistics.totals)
        ]
    )
    if statistics.party is not None:
        for _, _, heading, columns, rows in _party_tables(statistics.party):
            document.heading(heading)
            document.table(columns, [_pdf_values(row) for row in rows], size=8)
    document.signatures([Signature("Người lập biểu"), Signature("Thủ trưởng cơ quan")])
    return document.render()


def _pdf_values(values: Sequence[Any]) -> list[Any]:
    """Numbers printed the Vietnamese way: 1.323.258 and 96,33 (PdfDocument groups integers itself)."""
    return [vn_number(value) if isinstance(value, float) else value for value in values]
