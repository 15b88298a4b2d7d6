"""The papers of a transfer: the transfer list (mục lục hồ sơ nộp lưu) and the receipt (biên bản giao nhận).

NĐ 30/2020 Đ30 (standards.md §6.1 item 7) asks for both in two copies: the list with the columns
STT, số ký hiệu hồ sơ, tiêu đề, thời gian tài liệu, thời hạn bảo quản, số tờ / số trang, ghi chú (plus,
for an electronic transfer, the electronic files), and the receipt with the parties, the date and
the totals: boxes, files, shelf metres, electronic files and their count. The list prints every
received package, its decision in the notes, so the paper shows what was offered and what was taken.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from khoso.archive.models import Vocabulary
from khoso.core.printing import Column, PdfDocument, Signature, vn_date, xlsx_table
from khoso.packages import selectors
from khoso.packages.models import TransferBatch, TransferItem

LIST_TITLE = "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU"
RECEIPT_TITLE = "BIÊN BẢN GIAO NHẬN TÀI LIỆU"
LIST_COLUMNS = [
    Column("STT", 5, numeric=True),
    Column("Số, ký hiệu hồ sơ (mã hồ sơ)", 24),
    Column("Tiêu đề hồ sơ", 36),
    Column("Thời gian tài liệu", 13),
    Column("Thời hạn bảo quản", 10),
    Column("Số tờ / số trang", 9),
    Column("Số tệp tin điện tử", 8, numeric=True),
    Column("Ghi chú", 20),
]


def _count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _decimal(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",") if value else "0"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + " MB"


def _retention_labels() -> dict[str, str]:
    return dict(Vocabulary.objects.filter(kind="maintenance").values_list("code", "label_vi"))


def _period(item: TransferItem) -> str:
    return " – ".join(part for part in (item.start_date, item.end_date) if part)


def _sheets_pages(item: TransferItem) -> str:
    sheets = "" if item.number_of_paper is None else str(item.number_of_paper)
    pages = "" if item.number_of_page is None else str(item.number_of_page)
    return f"{sheets} / {pages}" if sheets or pages else ""


def _note(item: TransferItem) -> str:
    if item.state == TransferItem.State.ACCEPTED:
        return "Đã nhận" + (f"; hồ sơ giấy {item.paper_file_code}" if item.paper_file_code else "")
    if item.state == TransferItem.State.REJECTED:
        return f"Không nhận: {item.reason}"
    return f"Chờ duyệt ({len(item.findings)} lỗi)" if item.findings else "Chờ duyệt"


def _rows(items: list[TransferItem]) -> list[list[Any]]:
    labels = _retention_labels()
    return [
        [
            item.sequence,
            item.file_code or item.package_name,
            item.title,
            _period(item),
            f"{item.maintenance} – {labels[item.maintenance]}" if item.maintenance in labels else item.maintenance,
            _sheets_pages(item),
            item.data_files,
            _note(item),
        ]
        for item in items
    ]


def _header_lines(batch: TransferBatch) -> list[str]:
    return [
        batch.fonds.institution.name,
        f"Phông: {batch.fonds.code} – {batch.fonds.name}",
        f"Cơ quan, đơn vị nộp lưu: {batch.source_agency}",
        f"Lần nộp lưu số {batch.pk}, tiếp nhận ngày {timezone.localtime(batch.received_at):%d/%m/%Y}",
    ]


def _footer(totals: selectors.Totals) -> list[list[Any]]:
    return [
        [
            "",
            "Tổng cộng đã nhận",
            f"{totals.files} hồ sơ",
            "",
            "",
            f"{_count(totals.sheets)} / {_count(totals.pages)}",
            totals.data_files,
            f"Không nhận: {totals.rejected}; chờ duyệt: {totals.waiting}",
        ]
    ]


def transfer_list_xlsx(*, batch: TransferBatch) -> bytes:
    items = selectors.batch_items(batch=batch)
    return xlsx_table(
        LIST_TITLE,
        _header_lines(batch),
        LIST_COLUMNS,
        _rows(items),
        footer_rows=_footer(selectors.batch_totals(items=items)),
        sheet_name="Mục lục nộp lưu",
    )


def transfer_list_pdf(*, batch: TransferBatch) -> bytes:
    items = selectors.batch_items(batch=batch)
    doc = PdfDocument(
        institution=batch.fonds.institution.name,
        title=LIST_TITLE,
        subtitle=f"Phông {batch.fonds.code} – {batch.fonds.name}",
        place_date=vn_date(timezone.localdate()).capitalize(),
        wide=True,
    )
    for line in _header_lines(batch)[2:]:
        doc.paragraph(line)
    doc.table(LIST_COLUMNS, _rows(items), footer_rows=_footer(selectors.batch_totals(items=items)), size=9.5)
    doc.signatures([Signature("Người lập mục lục"), Signature("Đại diện bên nhận")])
    return doc.render()


def receipt_pdf(*, batch: TransferBatch) -> bytes:
    """The receipt: parties, date (dd/mm/yyyy), the totals of the accepted files and the decision counts."""
    items = selectors.batch_items(batch=batch)
    totals = selectors.batch_totals(items=items)
    today = timezone.localdate()
    receiver = batch.fonds.institution.name
    doc = PdfDocument(
        institution=receiver,
        title=RECEIPT_TITLE,
        subtitle=f"Lần nộp lưu số {batch.pk} – phông {batch.fonds.code}",
        place_date=vn_date(today).capitalize(),
    )
    doc.paragraph("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư;")
    doc.paragraph("Căn cứ Thông tư số 05/2025/TT-BNV của Bộ trưởng Bộ Nội vụ về tài liệu lưu trữ điện tử;")
    doc.paragraph(f"Hôm nay, ngày {today:%d/%m/%Y}, chúng tôi gồm:")
    doc.paragraph(f"Bên giao: {batch.source_agency}.")
    doc.paragraph(f"Bên nhận: {receiver}.")
    doc.paragraph(
        f"Thống nhất giao nhận tài liệu của phông {batch.fonds.code} – {batch.fonds.name}, tiếp nhận ngày "
        f"{timezone.localtime(batch.received_at):%d/%m/%Y}, với các nội dung sau:"
    )
    doc.heading("1. Khối lượng tài liệu giao nhận")
    doc.facts(
        [
            ("Tổng số hộp", _count(totals.boxes)),
            ("Tổng số hồ sơ", _count(totals.files)),
            (
                "Quy ra mét giá",
                f"{_decimal(totals.metres)} mét (1 mét giá = {_count(selectors.PAGES_PER_METRE)} trang)",
            ),
            ("Tổng số hồ sơ điện tử", _count(totals.electronic_files)),
            ("Tổng số tệp tin", f"{_count(totals.data_files)} tệp ({_megabytes(totals.data_bytes)})"),
            ("Số tờ / số trang", f"{_count(totals.sheets)} / {_count(totals.pages)}"),
        ]
    )
    doc.heading("2. Kết quả kiểm tra gói tin")
    doc.facts(
        [
            ("Số gói tin nhận được", _count(len(items))),
            ("Số hồ sơ được chấp nhận", _count(totals.accepted)),
            ("Số hồ sơ bị từ chối", _count(totals.rejected)),
            ("Số hồ sơ chưa duyệt", _count(totals.waiting)),
        ]
    )
    if batch.note:
        doc.paragraph(f"Tình trạng tài liệu, ghi chú: {batch.note}")
    doc.paragraph(
        "Kèm theo biên bản này là Mục lục hồ sơ, tài liệu nộp lưu. Biên bản được lập thành 02 bản, mỗi bên giữ 01 bản."
    )
    doc.signatures(
        [Signature("Đại diện bên giao", title=batch.source_agency), Signature("Đại diện bên nhận", title=receiver)]
    )
    return doc.render()
