"""The fee receipt (biên lai thu phí khai thác tài liệu lưu trữ) a reader takes home or prints."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from khoso.core.printing import PdfDocument, Signature, vn_date
from khoso.readers.fees import vnd
from khoso.readers.models import ReaderRequest


def receipt_pdf(item: ReaderRequest) -> bytes:
    assert item.paid_at is not None and item.receipt_number
    paid_at = timezone.localtime(item.paid_at)
    doc = PdfDocument(
        institution=settings.KHOSO_ARCHIVE_NAME,
        title="BIÊN LAI THU PHÍ KHAI THÁC TÀI LIỆU LƯU TRỮ",
        subtitle=f"Số: {item.receipt_number}",
        place_date=vn_date(paid_at.date()).capitalize(),
    )
    what = f"{item.file.file_code} – {item.file.title}"
    if item.document:
        what += f"; tài liệu {item.document.doc_code}"
    doc.facts(
        [
            ("Người nộp", f"{item.reader.full_name} (CCCD {item.reader.citizen_id})"),
            ("Yêu cầu", f"{item.code} – {item.get_kind_display()}"),
            ("Hồ sơ", what),
            ("Đối tượng thu phí", item.fee_object_type),
            ("Cách tính", item.fee_basis),
            ("Số tiền", vnd(item.fee_vnd)),
            ("Hình thức nộp", "Nộp tại quầy" if item.payment_method == "quay" else item.payment_method),
            ("Chứng từ", item.payment_reference or "—"),
            ("Thời điểm", f"{paid_at:%H:%M %d/%m/%Y}"),
        ]
    )
    collector = item.paid_by.get_full_name() or item.paid_by.get_username() if item.paid_by else ""
    doc.signatures(
        [Signature(role="Người nộp tiền", name=item.reader.full_name), Signature(role="Người thu tiền", name=collector)]
    )
    return doc.render()
