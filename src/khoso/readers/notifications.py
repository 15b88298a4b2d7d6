"""E-mail to readers and archive staff: the only channel a citizen has between visits (TT05 Ch. VI).

Messages are plain text, Vietnamese, dates dd/mm/yyyy, and always carry the full address of the
page concerned (setting PUBLIC_URL), because the reader opens them outside the site. Services
send them with ``transaction.on_commit`` so a rolled-back decision never announces itself.
A mail server that is down must not undo a decision already taken: failures are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from khoso.readers.fees import vnd
from khoso.readers.models import Delivery, Reader, ReaderRequest
from khoso.readers.payments import payment_provider

log = logging.getLogger(__name__)


def absolute(path: str) -> str:
    """The address a reader can open from an e-mail."""
    return f"{settings.KHOSO_PUBLIC_URL}{path}"


def _d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _send(subject: str, body: str, recipients: Sequence[str]) -> int:
    recipients = [address for address in recipients if address]
    if not recipients:
        return 0
    signature = f"\n\n--\n{settings.KHOSO_ARCHIVE_NAME}\nThư này được gửi tự động, xin đừng trả lời."
    try:
        return send_mail(f"[{settings.KHOSO_ARCHIVE_NAME}] {subject}", body + signature, None, list(recipients))
    except OSError:
        log.exception("could not send e-mail «%s» to %s", subject, recipients)
        return 0


def staff_with_permission(codename: str, *, fonds_id: int | None = None) -> list:
    """Active users holding ``readers.<codename>`` (superusers always); with ``fonds_id``, only those who see it."""
    from khoso.access.models import FondsGrant

    user_model = get_user_model()
    permission = Permission.objects.filter(content_type__app_label="readers", codename=codename).first()
    holders = Q(is_superuser=True)
    if permission is not None:
        holders |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    users = user_model.objects.filter(holders, is_active=True).exclude(email="").distinct()
    if fonds_id is not None:
        granted = FondsGrant.objects.filter(fonds_id=fonds_id).values("user_id")
        users = users.filter(Q(is_superuser=True) | Q(pk__in=granted))
    return list(users.order_by("pk"))


# -- accounts --------------------------------------------------------------------------------------


def registration_received(reader: Reader) -> None:
    _send(
        "Đã nhận đăng ký tài khoản độc giả",
        f"Kính gửi {reader.full_name},\n\n"
        f"{settings.KHOSO_ARCHIVE_NAME} đã nhận đăng ký tài khoản độc giả «{reader.user.get_username()}» "
        f"lúc {timezone.localtime(reader.created_at):%H:%M %d/%m/%Y}. Tài khoản sẽ được xem xét trong 01 ngày "
        "làm việc; kết quả được gửi qua thư điện tử.\n\n"
        f"Theo dõi tài khoản: {absolute(reverse('reader_home'))}",
        [reader.email],
    )
    staff = staff_with_permission("change_reader")
    _send(
        "Tài khoản độc giả mới chờ duyệt",
        f"Độc giả {reader.full_name} (CCCD/giấy tờ {reader.citizen_id}) đã đăng ký tài khoản và đang chờ duyệt "
        f"(hạn: 01 ngày làm việc).\n\nDuyệt tài khoản: {absolute(reverse('reader_accounts'))}",
        [user.email for user in staff],
    )


def account_decided(reader: Reader) -> None:
    if reader.status == Reader.Status.APPROVED:
        subject = "Tài khoản độc giả đã được duyệt"
        text = (
            "Tài khoản độc giả của bạn đã được duyệt. Bạn có thể tra cứu và gửi yêu cầu đọc, sao tài liệu "
            f"lưu trữ.\n\nTrang độc giả: {absolute(reverse('reader_home'))}"
        )
    else:
        subject = "Tài khoản độc giả không được duyệt"
        text = f"Tài khoản độc giả của bạn không được duyệt.\nLý do: {reader.decision_reason}"
    _send(subject, f"Kính gửi {reader.full_name},\n\n{text}", [reader.email])


# -- requests --------------------------------------------------------------------------------------


def request_received(item: ReaderRequest) -> None:
    _send(
        f"Đã nhận yêu cầu {item.code}",
        f"Kính gửi {item.reader.full_name},\n\n"
        f"{settings.KHOSO_ARCHIVE_NAME} đã nhận yêu cầu khai thác {item.code} ({item.get_kind_display()}) "
        f"đối với hồ sơ {item.file.file_code} – {item.file.title}.\n"
        f"Hạn trả lời: {_d(item.due_date)} (06 ngày làm việc).\n\n"
        f"Theo dõi yêu cầu: {absolute(reverse('reader_home'))}",
        [item.reader.email],
    )


def request_decided(item: ReaderRequest, *, awaiting_digitization: bool = False) -> None:
    if item.status == ReaderRequest.Status.REJECTED:
        subject = f"Yêu cầu {item.code} không được chấp thuận"
        text = f"Yêu cầu {item.code} không được chấp thuận.\nLý do: {item.decision_reason}"
    else:
        subject = f"Yêu cầu {item.code} đã được chấp thuận"
        text = f"Yêu cầu {item.code} ({item.get_kind_display()}) đã được chấp thuận."
        if item.decision_reason:
            text += f"\nGhi chú: {item.decision_reason}"
        if awaiting_digitization:
            text += "\nHồ sơ chưa được số hóa: bản đọc hoặc bản sao sẽ được gửi cho bạn ngay sau khi số hóa xong."
        if item.fee_due:
            how = payment_provider().instructions(request_code=item.code, amount_vnd=item.fee_vnd)
            text += f"\nPhí: {vnd(item.fee_vnd)} ({item.fee_basis}). {how.text_vi}"
            if how.link:
                text += f"\n{how.link}"
    _send(
        subject,
        f"Kính gửi {item.reader.full_name},\n\n{text}\n\nTrang độc giả: {absolute(reverse('reader_home'))}",
        [item.reader.email],
    )


def delivery_ready(delivery: Delivery) -> None:
    item = delivery.request
    if delivery.kind == ReaderRequest.Kind.READ:
        link = absolute(reverse("reader_read", args=[delivery.token]))
        what = "Bản đọc đã sẵn sàng để đọc trực tuyến (không tải về được)"
    else:
        link = absolute(reverse("reader_download", args=[delivery.token]))
        what = f"{delivery.get_kind_display()} đã sẵn sàng để tải về"
    until = timezone.localtime(delivery.expires_at)
    _send(
        f"Yêu cầu {item.code}: {delivery.get_kind_display()} đã sẵn sàng",
        f"Kính gửi {item.reader.full_name},\n\n{what} đến hết {until:%H:%M %d/%m/%Y}.\n\n{link}\n\n"
        "Đường dẫn chỉ mở được khi bạn đăng nhập bằng tài khoản độc giả của mình.",
        [item.reader.email],
    )


def requests_due(user, items: Iterable[ReaderRequest], *, today: date) -> int:  # type: ignore[no-untyped-def]
    lines = []
    for item in items:
        late = " – QUÁ HẠN" if item.due_date < today else ""
        review = absolute(reverse("reader_request_review", args=[item.pk]))
        lines.append(f"- {item.code}, hạn {_d(item.due_date)}{late}: {item.file.file_code}\n  {review}")
    if not lines:
        return 0
    return _send(
        f"{len(lines)} yêu cầu khai thác sắp đến hạn hoặc quá hạn",
        "Các yêu cầu sau cần được trả lời (TT 05/2025: 06 ngày làm việc):\n\n" + "\n".join(lines),
        [user.email],
    )
