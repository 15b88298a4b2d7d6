"""Printed papers of the backup app: the backup log (nhật ký sao lưu, TT 05 Phụ lục VII) and the
statistics list of an insurance copy (danh mục thống kê), handed to the Ministry with the copy."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from khoso.archive.models import Fonds
from khoso.backup.models import BackupLog, InsuranceCopy
from khoso.core.printing import Column, PdfDocument, Signature, vn_date, xlsx_table

if TYPE_CHECKING:
    from khoso.backup.selectors import InsuredFile

STATISTICS_XLSX = "danh-muc-thong-ke.xlsx"
STATISTICS_PDF = "danh-muc-thong-ke.pdf"
STATISTICS_NAMES = (STATISTICS_XLSX, STATISTICS_PDF)
STATISTICS_TITLE = "DANH MỤC THỐNG KÊ TÀI LIỆU LẬP BẢN SAO BẢO HIỂM"
STATISTICS_COLUMNS = [
    Column("STT", 6, numeric=True),
    Column("Mã hồ sơ", 28),
    Column("Tiêu đề hồ sơ", 48),
    Column("Số trang", 10, numeric=True),
    Column("Số tệp", 8, numeric=True),
    Column("Dung lượng (byte)", 16, numeric=True),
]
LOG_TITLE = "NHẬT KÝ SAO LƯU"
LOG_COLUMNS = [
    Column("STT", 5, numeric=True),
    Column("Bản sao lưu", 22),
    Column("Loại", 9),
    Column("Hình thức", 9),
    Column("Người thực hiện", 12),
    Column("Bắt đầu", 13),
    Column("Kết thúc", 13),
    Column("Số đối tượng (đã chép / tổng)", 14),
    Column("Dung lượng đã chép (byte)", 13, numeric=True),
    Column("Thư mục đích", 22),
    Column("Kết quả", 16),
]


def when(moment: datetime | None) -> str:
    """dd/mm/yyyy hh:mm in local time."""
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}" if moment else ""


def count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def log_pdf(logs: Iterable[BackupLog]) -> bytes:
    doc = PdfDocument(
        institution=settings.KHOSO_ARCHIVE_NAME,
        title=LOG_TITLE,
        subtitle="Sao lưu cơ sở dữ liệu và tài liệu lưu trữ số (TT 05/2025/TT-BNV Đ27, Phụ lục VII)",
        place_date=vn_date(timezone.localdate()).capitalize(),
        wide=True,
    )
    rows = []
    for index, log in enumerate(logs, start=1):
        outcome = log.get_outcome_display()
        if log.error:
            outcome = f"{outcome}: {log.error[:200]}"
        name = log.name
        if log.kind == BackupLog.Kind.PRUNE:
            removed = ", ".join(log.removed_backups) or "—"
            name = f"{name}: đã xóa {removed}; {count(log.objects_removed)} đối tượng ({count(log.bytes_removed)} byte)"
        rows.append(
            [
                index,
                name,
                log.get_kind_display(),
                log.get_trigger_display(),
                log.started_by.get_username() if log.started_by else "Hệ thống",
                when(log.started_at),
                when(log.finished_at),
                f"{count(log.objects_copied)} / {count(log.objects_total)}",
                log.bytes_copied,
                log.target,
                outcome,
            ]
        )
    doc.table(LOG_COLUMNS, rows, size=8.5)
    doc.paragraph(
        "Sao lưu gia tăng hằng ngày, sao lưu toàn bộ vào ngày đầu tiên của tháng; CSDL và tài liệu được "
        "sao lưu cùng nhau, mỗi đối tượng được kiểm tra mã băm SHA-256; mỗi thư mục đích nhận một bộ hoàn chỉnh. "
        "Dọn bản cũ: giữ bản sao lưu toàn bộ của các tháng gần nhất và mọi bản gia tăng kể từ đó.",
        italic=True,
    )
    doc.signatures([Signature("Người lập"), Signature("Lãnh đạo đơn vị")])
    return doc.render()


def _statistics_rows(contents: Sequence[InsuredFile]) -> list[list[Any]]:
    return [
        [index, insured.file.file_code, insured.file.title, insured.pages, len(insured.items), insured.bytes]
        for index, insured in enumerate(contents, start=1)
    ]


def _statistics_totals(contents: Sequence[InsuredFile]) -> list[list[Any]]:
    return [
        [
            "",
            "Tổng cộng",
            f"{len(contents)} hồ sơ",
            sum(i.pages for i in contents),
            sum(len(i.items) for i in contents),
            sum(i.bytes for i in contents),
        ]
    ]


def insurance_statistics(*, fonds: Fonds, contents: Sequence[InsuredFile], made: InsuranceCopy) -> dict[str, bytes]:
    """The statistics list as XLSX and PDF: per file its code, title, pages, files and bytes, then the totals."""
    heading = [
        settings.KHOSO_ARCHIVE_NAME,
        f"Phông: {fonds.code} – {fonds.name}",
        f"Lập ngày {when(made.started_at)}; nơi lưu: {made.target}",
    ]
    rows, totals = _statistics_rows(contents), _statistics_totals(contents)
    xlsx = xlsx_table(STATISTICS_TITLE, heading, STATISTICS_COLUMNS, rows, footer_rows=totals, sheet_name="Thống kê")
    doc = PdfDocument(
        institution=settings.KHOSO_ARCHIVE_NAME,
        title=STATISTICS_TITLE,
        subtitle=f"Phông {fonds.code} – {fonds.name}",
        place_date=vn_date(timezone.localdate(made.started_at)).capitalize(),
        wide=True,
    )
    doc.paragraph(heading[2])
    doc.table(STATISTICS_COLUMNS, rows, footer_rows=totals, size=9.5)
    doc.facts(
        [
            ("Tổng số hồ sơ", count(len(contents))),
            ("Tổng số trang", count(sum(i.pages for i in contents))),
            ("Tổng số tệp", count(sum(len(i.items) for i in contents))),
            ("Tổng dung lượng (byte)", count(sum(i.bytes for i in contents))),
        ]
    )
    doc.paragraph("Mã băm SHA-256 của từng tệp ghi trong tệp manifest-sha256.txt cùng thư mục.", italic=True)
    doc.signatures([Signature("Bên giao"), Signature("Bên nhận")])
    return {STATISTICS_XLSX: xlsx, STATISTICS_PDF: doc.render()}
