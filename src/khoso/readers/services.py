"""Writes of the readers app: accounts, requests, decisions, deliveries, usage, reminders, purges.

TT 05/2025 Ch. VI sets the clock: an account is issued within 1 working day, a request decided
within 6 (``due_date``, counted with :mod:`khoso.core.workdays`), a reading copy may be read for
at most 15 days and is deleted 5 days after it expires. Every decision is taken in one
transaction with a row lock, so two archivists cannot decide the same request twice; e-mail and
the heavy work (merging, stamping, signing the copy) run after commit, the latter in a task.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError as DbIntegrityError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest
from django.utils import timezone

from khoso.access.selectors import restrict
from khoso.archive.models import ArchiveFile, Document, Page, VocabularyKind
from khoso.archive.selectors import vocabulary_choices
from khoso.core.address import client_address
from khoso.core.errors import ArchiveError, PermissionDeniedError, ValidationError, WorkflowError
from khoso.core.text import nfc
from khoso.core.workdays import add_working_days, holidays_from_settings
from khoso.readers import copies, notifications, selectors
from khoso.readers.fees import vnd
from khoso.readers.models import Delivery, Reader, ReaderRequest, UsageEvent
from khoso.readers.payments import payment_provider
from khoso.storage.models import StoredObject
from khoso.storage.services import object_put_bytes, object_store

CITIZEN_ID = re.compile(r"\d{9}|\d{12}")  # CCCD: 12 digits; the older CMND: 9
CODE_PREFIX = "YC"
TOKEN_BYTES = 32  # secrets.token_urlsafe(32) is 43 characters: the width of Delivery.token


class ReaderNotApprovedError(PermissionDeniedError):
    code = "doc_gia_chua_duoc_duyet"
    message_vi = "Tài khoản độc giả chưa được duyệt: chỉ độc giả đã được duyệt mới gửi được yêu cầu khai thác."
    message_en = "Your reader account is not approved yet: only approved readers may send requests."


class NotDigitizedError(ArchiveError):
    code = "chua_so_hoa"
    message_vi = "Hồ sơ {file_code} chưa có trang nào được số hóa: chưa tạo được bản giao."
    message_en = "File {file_code} has no digitized page yet: no delivery can be made."
    http_status = 409


class FeeNotPaidError(ArchiveError):
    code = "chua_nop_phi"
    message_vi = "Yêu cầu {code} chưa nộp phí ({amount}): bản giao chỉ được tạo khi đã thu phí hoặc được miễn."
    message_en = "Request {code} has an unpaid fee ({amount}): the copy goes out only once paid or exempt."
    http_status = 409


# -- accounts --------------------------------------------------------------------------------------


def _clean_citizen_id(value: str) -> str:
    value = re.sub(r"\s", "", value or "")
    if not CITIZEN_ID.fullmatch(value):
        raise ValidationError(reason="số CCCD gồm 12 chữ số (số CMND cũ: 9 chữ số)")
    return value


@transaction.atomic
def reader_register(
    *,
    username: str,
    password: str,
    full_name: str,
    citizen_id: str,
    email: str,
    phone: str = "",
    address: str = "",
    organisation: str = "",
    birth_date: date | None = None,
) -> Reader:
    """A citizen's account, waiting for the archive's approval; the reader and the staff are told by e-mail."""
    user_model = get_user_model()
    username = nfc(username).strip()
    if not username or user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError(reason=f"tên đăng nhập «{username}» đã có người dùng")
    full_name = nfc(full_name).strip()
    if not full_name:
        raise ValidationError(reason="cần ghi họ và tên")
    citizen_id = _clean_citizen_id(citizen_id)
    user = user_model(username=username, email=email.strip())
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationError(reason=" ".join(error.messages)) from error
    user.set_password(password)
    user.save()
    reader = Reader.objects.create(
        user=user,
        full_name=full_name,
        citizen_id=citizen_id,
        birth_date=birth_date,
        email=email.strip(),
        phone=nfc(phone).strip(),
        address=nfc(address).strip(),
        organisation=nfc(organisation).strip(),
    )
    transaction.on_commit(lambda: notifications.registration_received(reader))
    return reader


def _require(by: Any, permission: str) -> None:
    if by is None or not by.is_active or not by.has_perm(permission):
        raise PermissionDeniedError()


def _record_decision(row: Reader | ReaderRequest, *, status: str, by: Any, reason: str) -> None:
    """Who decided an account or a request, when, and why (both carry the same decision fields)."""
    row.status = status
    row.decided_by = by
    row.decided_at = timezone.now()
    row.decision_reason = reason[:500]
    row.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])


@transaction.atomic
def reader_decide(*, reader: Reader, by: Any, approve: bool, reason: str = "") -> Reader:
    """Approve or reject a pending account (a rejection states its reason); the reader is told."""
    _require(by, "readers.change_reader")
    reason = nfc(reason).strip()
    if not approve and not reason:
        raise ValidationError(reason="từ chối tài khoản phải ghi rõ lý do")
    locked = Reader.objects.select_for_update().get(pk=reader.pk)
    if locked.status != Reader.Status.PENDING:
        raise WorkflowError(reason=f"tài khoản đã được xử lý ({locked.get_status_display()})")
    _record_decision(locked, status=Reader.Status.APPROVED if approve else Reader.Status.REJECTED, by=by, reason=reason)
    transaction.on_commit(lambda: notifications.account_decided(locked))
    return locked


# -- requests --------------------------------------------------------------------------------------


def _next_code(year: int) -> str:
    prefix = f"{CODE_PREFIX}-{year}-"
    last = (
        ReaderRequest.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last and last.removeprefix(prefix).isdigit() else 1
    return f"{prefix}{number:06d}"


def review_due_date(submitted: datetime) -> date:
    """The decision deadline: REVIEW_WORKING_DAYS working days after the local day of submission."""
    return add_working_days(
        timezone.localdate(submitted), settings.KHOSO_REVIEW_WORKING_DAYS, holidays=holidays_from_settings()
    )


def _check_code(kind: VocabularyKind, value: str, what: str) -> str:
    if value not in {code for code, _ in vocabulary_choices(kind)}:
        raise ValidationError(reason=f"{what} «{value}» không có trong danh mục")
    return value


def request_submit(
    *,
    reader: Reader,
    archive_file: ArchiveFile,
    document: Document | None = None,
    kind: str,
    purpose: str,
    purpose_content: str,
    fee_object_type: str,
    research_topic: str = "",
    copies: int = 1,
    description: str = "",
) -> ReaderRequest:
    """A reading or copy request by an approved reader for material in their catalogue, also not yet digitized."""
    if reader.status != Reader.Status.APPROVED or not reader.user.is_active:
        raise ReaderNotApprovedError()
    selectors.requestable(
        user=reader.user, file_id=archive_file.pk, document_id=document.pk if document else None
    )  # NotFoundError for anything the reader may not ask for
    if kind not in ReaderRequest.Kind.values:
        raise ValidationError(reason=f"hình thức khai thác «{kind}» không hợp lệ")
    purpose_content = nfc(purpose_content).strip()
    if not purpose_content or len(purpose_content) > 500:
        raise ValidationError(reason="nội dung mục đích khai thác: bắt buộc, tối đa 500 ký tự")
    research_topic = nfc(research_topic).strip()
    if len(research_topic) > 250:
        raise ValidationError(reason="đề tài nghiên cứu tối đa 250 ký tự")
    if not 1 <= copies <= 99:
        raise ValidationError(reason="số bản từ 1 đến 99")
    fee_object_type = _check_code(VocabularyKind.FEE_OBJECT_TYPE, fee_object_type, "đối tượng thu phí")
    fee = selectors.fee_quote(
        kind=kind, fee_object_type=fee_object_type, archive_file=archive_file, document=document, copies=copies
    )
    fields = dict(
        reader=reader,
        kind=kind,
        file=archive_file,
        document=document,
        purpose=_check_code(VocabularyKind.PURPOSE, purpose, "mục đích"),
        purpose_content=purpose_content,
        fee_object_type=fee_object_type,
        research_topic=research_topic,
        copies=copies,
        description=nfc(description).strip()[:500],
        fee_vnd=fee.amount_vnd,
        fee_basis=fee.basis[:300],
    )
    now = timezone.now()
    for attempt in range(5):
        try:
            with transaction.atomic():
                item = ReaderRequest.objects.create(
                    code=_next_code(timezone.localdate(now).year), due_date=review_due_date(now), **fields
                )
                transaction.on_commit(functools.partial(notifications.request_received, item))
            return item
        except DbIntegrityError:  # two readers took the same number at once: take the next one
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _require_staff_of(by: Any, item: ReaderRequest) -> None:
    _require(by, "readers.change_readerrequest")
    if not restrict(ArchiveFile.objects.filter(pk=item.file_id, deleted_at__isnull=True), by).exists():
        raise PermissionDeniedError()


def request_decide(*, item: ReaderRequest, by: Any, approve: bool, reason: str = "") -> ReaderRequest:
    """Approve (the delivery follows, now or after digitization) or reject with a reason; the reader is told."""
    _require_staff_of(by, item)
    reason = nfc(reason).strip()
    if not approve and not reason:
        raise ValidationError(reason="từ chối yêu cầu phải ghi rõ lý do")
    with transaction.atomic():
        locked = ReaderRequest.objects.select_for_update().select_related("reader", "file").get(pk=item.pk)
        if locked.status != ReaderRequest.Status.SUBMITTED:
            raise WorkflowError(reason=f"yêu cầu {locked.code} đã được xử lý ({locked.get_status_display()})")
        status = ReaderRequest.Status.APPROVED if approve else ReaderRequest.Status.REJECTED
        _record_decision(locked, status=status, by=by, reason=reason)
        digitized = approve and selectors.is_digitized(archive_file=locked.file, document=locked.document)
        transaction.on_commit(
            lambda: notifications.request_decided(locked, awaiting_digitization=approve and not digitized)
        )
        if digitized and not locked.fee_due:
            _queue_delivery(locked.pk)
    return locked


def _next_receipt_number(year: int) -> str:
    prefix = f"BL{year}-"
    last = (
        ReaderRequest.objects.filter(receipt_number__startswith=prefix)
        .order_by("-receipt_number")
        .values_list("receipt_number", flat=True)
        .first()
    )
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:06d}"


def payment_confirm(*, item: ReaderRequest, by: Any, reference: str = "") -> ReaderRequest:
    """Staff record that the fee was paid at the counter: a receipt number, then the copy goes out if ready."""
    _require_staff_of(by, item)
    provider = payment_provider()
    if not provider.staff_confirms():
        raise WorkflowError(reason=f"phí được xác nhận qua {provider.label}, không do cán bộ ghi nhận")
    reference = nfc(reference).strip()[:100]
    for attempt in range(5):
        try:
            with transaction.atomic():
                locked = (  # lock the request row only: PostgreSQL refuses FOR UPDATE across the outer join
                    ReaderRequest.objects.select_for_update(of=("self",))
                    .select_related("file", "document")
                    .get(pk=item.pk)
                )
                if locked.status not in (ReaderRequest.Status.APPROVED, ReaderRequest.Status.DELIVERED):
                    raise WorkflowError(reason=f"yêu cầu {locked.code} chưa được chấp thuận, chưa thu phí")
                if not locked.fee_due:
                    raise WorkflowError(reason=f"yêu cầu {locked.code} không có phí phải nộp hoặc đã nộp")
                now = timezone.now()
                locked.paid_at, locked.paid_by = now, by
                locked.payment_method, locked.payment_reference = provider.code, reference
                locked.receipt_number = _next_receipt_number(timezone.localdate(now).year)
                locked.save(
                    update_fields=["paid_at", "paid_by", "payment_method", "payment_reference", "receipt_number"]
                )
                if selectors.is_digitized(archive_file=locked.file, document=locked.document):
                    _queue_delivery(locked.pk)
            return locked
        except DbIntegrityError:  # two receipts took the same number at once: take the next one
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def request_deliver(*, item: ReaderRequest, by: Any) -> None:
    """Make the delivery of an approved request whose pages are now digitized (or whose delivery failed)."""
    _require_staff_of(by, item)
    if item.status != ReaderRequest.Status.APPROVED:
        raise WorkflowError(reason=f"yêu cầu {item.code} không ở trạng thái «Đã duyệt»")
    if not selectors.is_digitized(archive_file=item.file, document=item.document):
        raise NotDigitizedError(file_code=item.file.file_code)
    if item.fee_due:
        raise FeeNotPaidError(code=item.code, amount=vnd(item.fee_vnd))
    with transaction.atomic():
        _queue_delivery(item.pk)


def deliveries_for_digitized_requests() -> int:
    """Queue the delivery of every approved paper request whose file has now been digitized.

    Run from the beat schedule, so a reader who asked for paper holdings gets their copy without
    staff having to come back to the request; ``delivery_make`` is idempotent, so an overlap with
    a staff member's "Tạo bản giao" click delivers once.
    """
    request_ids = selectors.awaiting_digitization_now_complete()
    with transaction.atomic():
        for request_id in request_ids:
            _queue_delivery(request_id)
    return len(request_ids)


def _queue_delivery(request_id: int) -> None:
    from khoso.readers import tasks

    transaction.on_commit(lambda: tasks.deliver_request.delay(request_id))


# -- deliveries ------------------------------------------------------------------------------------


def delivery_make(*, request_id: int) -> Delivery | None:
    """The reading copy, copy or certified copy of an approved request; the request becomes DELIVERED.

    Idempotent: a request already delivered returns its delivery. None while nothing is digitized.
    """
    item = ReaderRequest.objects.select_related("reader", "file", "document").get(pk=request_id)
    if item.status == ReaderRequest.Status.DELIVERED:
        return item.deliveries.order_by("-created_at").first()
    if item.status != ReaderRequest.Status.APPROVED or item.fee_due:
        return None
    pages = selectors.request_pages(archive_file=item.file, document=item.document)
    if not pages:
        return None
    data = None
    if item.kind != ReaderRequest.Kind.READ:  # the slow part, outside any transaction
        data = copies.copy_pdf(
            archive_file=item.file,
            document=item.document,
            pages=pages,
            certified=item.kind == ReaderRequest.Kind.CERTIFIED,
        )
    with transaction.atomic():
        locked = ReaderRequest.objects.select_for_update().get(pk=request_id)
        if locked.status != ReaderRequest.Status.APPROVED:
            return locked.deliveries.order_by("-created_at").first()
        now = timezone.now()
        expires = now + timedelta(days=min(settings.KHOSO_READING_DAYS, 15))
        delivery = Delivery.objects.create(
            request=locked,
            kind=locked.kind,
            token=secrets.token_urlsafe(TOKEN_BYTES),
            content=object_put_bytes(data=data, mime="application/pdf") if data is not None else None,
            page_count=len(pages),
            expires_at=expires,
            purge_after=expires + timedelta(days=settings.KHOSO_PURGE_DAYS),
        )
        locked.status = ReaderRequest.Status.DELIVERED
        locked.save(update_fields=["status"])
        delivery.request = item
        transaction.on_commit(lambda: notifications.delivery_ready(delivery))
    return delivery


def _still_referenced(sha256: str) -> bool:
    """References the foreign keys do not show (a JSON field of pages); foreign keys refuse the delete."""
    return Page.objects.filter(qc__delivered_sha256=sha256).exists()


def _delete_stored_bytes(sha256: str) -> None:
    object_store().delete(sha256)


def deliveries_purge(*, now: datetime | None = None) -> int:
    """Delete the content of deliveries PURGE_DAYS after they expired (TT05 Đ37); returns how many."""
    now = now or timezone.now()
    due = Delivery.objects.filter(purged_at__isnull=True, purge_after__lte=now).values_list("pk", flat=True)
    count = 0
    for delivery_id in list(due):
        with transaction.atomic():
            delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
            if delivery.purged_at is not None:
                continue
            sha256 = delivery.content_id
            delivery.content = None
            delivery.purged_at = now
            delivery.save(update_fields=["content", "purged_at"])
            if sha256 and not _still_referenced(sha256):
                try:
                    with transaction.atomic():
                        StoredObject.objects.filter(pk=sha256).delete()
                except (ProtectedError, RestrictedError):
                    pass  # another delivery or a page holds the same bytes
                else:
                    transaction.on_commit(functools.partial(_delete_stored_bytes, sha256))
        count += 1
    return count


# -- reminders -------------------------------------------------------------------------------------


def requests_remind(*, now: datetime | None = None) -> int:
    """E-mail the staff of each fonds about open requests due within one working day or overdue.

    Once a day per request (``reminded_at``); returns how many requests were reminded.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = list(selectors.requests_due(today=today, holidays=holidays_from_settings()))
    staff_of: dict[int, list] = {}
    per_user: dict[Any, list[ReaderRequest]] = defaultdict(list)
    for item in due:
        fonds_id = item.file.fonds_id
        if fonds_id not in staff_of:
            staff_of[fonds_id] = notifications.staff_with_permission("change_readerrequest", fonds_id=fonds_id)
        for user in staff_of[fonds_id]:
            per_user[user].append(item)
    for user, items in per_user.items():
        notifications.requests_due(user, items, today=today)
    ReaderRequest.objects.filter(pk__in=[item.pk for item in due]).update(reminded_at=now)
    return len(due)


# -- usage -----------------------------------------------------------------------------------------


def _client_address(request: HttpRequest | None) -> str | None:
    return None if request is None else client_address(request)


def usage_record(
    *,
    request: HttpRequest | None,
    action: str,
    file: ArchiveFile | None = None,
    document: Document | None = None,
    page_number: int | None = None,
    delivery: Delivery | None = None,
    surface: str = "portal",
) -> UsageEvent:
    """One view or download (NĐ30 PL VI); the user and the client address come from ``request``."""
    if action not in UsageEvent.Action.values:
        raise ValidationError(reason=f"hành động «{action}» không hợp lệ")
    user = getattr(request, "user", None)
    if file is None and document is not None:
        file = document.file
    return UsageEvent.objects.create(
        action=action,
        user=user if user is not None and user.is_authenticated else None,
        file=file,
        document=document,
        page_number=page_number,
        delivery=delivery,
        address=_client_address(request),
        surface=surface,
    )
