"""The transfer list (PDF, XLSX) and the receipt: columns, Vietnamese text and the totals of NĐ 30 Đ30."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from khoso.core.printing import pdf_plain_text as pdf_text
from khoso.packages import documents, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(delivery, fonds, receiver):  # type: ignore[no-untyped-def]
    batch = services.batch_receive(
        fonds=fonds,
        source_agency="Văn phòng UBND tỉnh Đắk Lắk",
        packages=[(f"{name}.zip", delivery["paths"][name]) for name in ("permanent", "thirty_years", "altered")],
        by=receiver,
    )
    permanent, thirty, altered = batch.items.order_by("sequence")
    services.item_accept(item=permanent, by=receiver)
    services.item_reject(item=thirty, by=receiver, reason="Thời hạn bảo quản 30 năm")
    return batch


def test_transfer_list_pdf_and_xlsx(decided, delivery) -> None:  # type: ignore[no-untyped-def]
    text = pdf_text(documents.transfer_list_pdf(batch=decided))
    assert "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU" in text
    assert delivery["codes"]["permanent"] in text and "Hồ sơ về quy hoạch tỉnh Đắk Lắk năm 1995" in text
    assert "03/01/1995 – 28/12/1995" in text and "01 – Vĩnh viễn" in text and "2 / 3" in text
    assert "Không nhận: Thời hạn bảo quản 30 năm" in text and "Chờ duyệt" in text
    sheet = load_workbook(io.BytesIO(documents.transfer_list_xlsx(batch=decided))).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    heading = next(row for row in rows if row[0] == "STT")
    assert heading[1].startswith("Số, ký hiệu hồ sơ") and heading[6] == "Số tệp tin điện tử"
    first = rows[rows.index(heading) + 1]
    assert first[:3] == [1, delivery["codes"]["permanent"], "Hồ sơ về quy hoạch tỉnh Đắk Lắk năm 1995"]
    assert first[6] == 7  # a number the archivist can sum
    assert rows[-1][1] == "Tổng cộng đã nhận" and rows[-1][2] == "1 hồ sơ"


def test_receipt_has_parties_date_and_totals(decided) -> None:  # type: ignore[no-untyped-def]
    text = pdf_text(documents.receipt_pdf(batch=decided))
    today = timezone.localdate()
    assert "BIÊN BẢN GIAO NHẬN TÀI LIỆU" in text and f"ngày {today:%d/%m/%Y}" in text
    assert "Bên giao: Văn phòng UBND tỉnh Đắk Lắk." in text
    assert "Bên nhận: Trung tâm Lưu trữ lịch sử tỉnh Đắk Lắk." in text
    for fact in (
        "Tổng số hộp: 1",
        "Tổng số hồ sơ: 1",
        "Quy ra mét giá: 0 mét",
        "Tổng số hồ sơ điện tử: 1",
        "Tổng số tệp tin: 7 tệp",
        "Số hồ sơ được chấp nhận: 1",
        "Số hồ sơ bị từ chối: 1",
        "Số hồ sơ chưa duyệt: 1",
    ):
        assert fact in text, fact


def test_totals_count_boxes_and_metres_of_accepted_paper_files() -> None:
    from decimal import Decimal

    from khoso.packages.models import TransferItem
    from khoso.packages.selectors import batch_totals

    accepted = TransferItem.State.ACCEPTED
    items = [
        TransferItem(state=accepted, paper_file_code="H15.2/14/105.27", number_of_page=6000, data_files=3),
        TransferItem(state=accepted, paper_file_code="H15.2/14/105.28", number_of_page=1500, data_files=2),
        TransferItem(state=accepted, paper_file_code="H15.2/14/106.1", number_of_page=2500, data_files=0),
        TransferItem(state=accepted, number_of_page=900, data_files=5, data_bytes=10),  # born digital
        TransferItem(state=TransferItem.State.REJECTED, paper_file_code="H15.9/9/9.1", number_of_page=5000),
    ]
    totals = batch_totals(items=items)
    assert (totals.boxes, totals.files, totals.metres) == (2, 4, Decimal("2.00"))
    assert (totals.electronic_files, totals.data_files, totals.rejected) == (3, 10, 1)
