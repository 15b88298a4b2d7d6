"""Reads of the readers app: what a reader may ask for and open, what staff must decide, usage counts.

Two sides, two rules. The reader's side goes through ``access.selectors.portal_*`` (public, or
conditional for approved readers; never secret, restricted or deleted) and through ownership of
the request; the staff side goes through ``access.selectors.restrict`` (the fonds granted to the
staff member). Anything outside is :class:`NotFoundError`, so a guessed id or token tells nothing.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from khoso.access.selectors import (
    Actor,
    portal_documents,
    portal_files,
    portal_scope,
    restrict,
    visible_fonds_ids,
    withheld_documents,
)
from khoso.archive.models import ArchiveFile, Document, Page
from khoso.core.errors import NotFoundError
from khoso.core.workdays import add_working_days, holidays_from_settings
from khoso.readers.fees import FeeQuote, quote, vnd
from khoso.readers.models import Delivery, FeeGroupRule, FeeRate, Reader, ReaderRequest, UsageEvent

ACCOUNT_WORKING_DAYS = 1  # TT05: accounts are issued within one working day


def reader_of(user: Actor) -> Reader | None:
    """The reader profile of ``user``, if any."""
    if user is None or not user.is_authenticated:
        return None
    return Reader.objects.filter(user_id=user.pk).first()


# -- accounts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    reader: Reader
    due: date
    overdue: bool


def account_list(*, pending: bool = True, limit: int = 200) -> list[AccountRow]:
    """Accounts waiting for a decision (oldest first, with their one-working-day deadline), or recent decisions."""
    holidays = holidays_from_settings()
    today = timezone.localdate()
    readers: QuerySet[Reader] = Reader.objects.select_related("user", "decided_by")
    if pending:
        readers = readers.filter(status=Reader.Status.PENDING).order_by("created_at")
    else:
        readers = readers.exclude(status=Reader.Status.PENDING).order_by("-decided_at")
    rows = []
    for reader in readers[:limit]:
        due = add_working_days(timezone.localdate(reader.created_at), ACCOUNT_WORKING_DAYS, holidays=holidays)
        rows.append(AccountRow(reader, due, pending and due < today))
    return rows


def account_get(*, reader_id: int) -> Reader:
    reader = Reader.objects.select_related("user").filter(pk=reader_id).first()
    if reader is None:
        raise NotFoundError(what="độc giả", key=reader_id)
    return reader


# -- what a reader may ask for ---------------------------------------------------------------------


def requestable(*, user: Actor, file_id: int, document_id: int | None = None) -> tuple[ArchiveFile, Document | None]:
    """The file (and document) ``user`` may ask for: in the catalogue the public side shows them."""
    scope = portal_scope(user)
    archive_file = portal_files(scope).select_related("fonds").filter(pk=file_id).first()
    if archive_file is None:
        raise NotFoundError(what="hồ sơ", key=file_id)
    document = None
    if document_id is not None:
        document = portal_documents(scope).filter(pk=document_id, file=archive_file).first()
        if document is None:
            raise NotFoundError(what="tài liệu", key=document_id)
    return archive_file, document


def _request_page_rows(*, archive_file: ArchiveFile, document: Document | None) -> QuerySet[Page]:
    """The digitized (done) pages a delivery of this file or document is made of. A document's pages
    are those linked to it, else its page range (``first_page`` and ``number_of_page``). Pages of a
    secret document (mode 03 or a secret class) never go to a reader, whatever the file's mode."""
    pages = Page.objects.filter(file=archive_file, stage=Page.Stage.DONE).exclude(document__in=withheld_documents(None))
    if document is not None:
        if pages.filter(document=document).exists():
            pages = pages.filter(document=document)
        elif document.first_page:
            last = document.first_page + max(document.number_of_page, 1) - 1
            pages = pages.filter(number__gte=document.first_page, number__lte=last)
        else:
            pages = pages.none()
    return pages


def request_pages(
    *, archive_file: ArchiveFile, document: Document | None = None, number: int | None = None
) -> list[Page]:
    """:func:`_request_page_rows` in page order (only page ``number`` of them, when given)."""
    pages = _request_page_rows(archive_file=archive_file, document=document)
    if number is not None:
        pages = pages.filter(number=number)
    return list(pages.select_related("original", "rendition").order_by("number"))


def is_digitized(*, archive_file: ArchiveFile, document: Document | None = None) -> bool:
    return _request_page_rows(archive_file=archive_file, document=document).exists()


def awaiting_digitization_now_complete() -> list[int]:
    """Approved requests with no delivery whose file has finished digitization since the approval.

    "Finished" means the request's pages are done and no page of the file is still received or in
    processing, so a reader never gets a copy of a file that is half scanned.
    """
    still_working = Page.objects.filter(
        file_id=OuterRef("file_id"), stage__in=[Page.Stage.RECEIVED, Page.Stage.PROCESSING]
    )
    candidates = (
        ReaderRequest.objects.filter(status=ReaderRequest.Status.APPROVED, deliveries__isnull=True)
        .filter(Q(fee_vnd=0) | Q(paid_at__isnull=False))  # a copy waits for its fee
        .filter(Exists(Page.objects.filter(file_id=OuterRef("file_id"), stage=Page.Stage.DONE)))
        .exclude(Exists(still_working))
        .select_related("file", "document")
        .order_by("pk")
    )
    return [item.pk for item in candidates if is_digitized(archive_file=item.file, document=item.document)]


def my_requests(*, reader: Reader) -> QuerySet[ReaderRequest]:
    """A reader's own requests, newest first, with their deliveries."""
    return (
        ReaderRequest.objects.filter(reader=reader)
        .select_related("file", "document")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("-created_at")))
        .order_by("-submitted_at")
    )


# -- what a reader may open ------------------------------------------------------------------------


def delivery_get(*, user: Actor, token: str, kinds: set[str]) -> Delivery:
    """A delivery its reader (or a superuser) may open; expiry is the caller's question (410, not 404).

    The material must still be in the reader's catalogue: a file deleted, put on the restricted
    list or made secret after the decision is no longer delivered.
    """
    if user is None or not user.is_authenticated or len(token) > 64:
        raise NotFoundError(what="bản giao", key="")
    delivery = (
        Delivery.objects.select_related("request__reader__user", "request__file", "request__document", "content")
        .filter(token=token, kind__in=kinds)
        .first()
    )
    if delivery is None:
        raise NotFoundError(what="bản giao", key="")
    owner = delivery.request.reader.user
    if not (user.pk == owner.pk or getattr(user, "is_superuser", False)):
        raise NotFoundError(what="bản giao", key="")
    item = delivery.request
    scope = portal_scope(owner)
    if not portal_files(scope).filter(pk=item.file_id).exists():
        raise NotFoundError(what="bản giao", key="")
    if item.document_id and not portal_documents(scope).filter(pk=item.document_id).exists():
        raise NotFoundError(what="bản giao", key="")
    return delivery


def delivery_open(delivery: Delivery, *, now: Any = None) -> bool:
    """Whether the delivery may still be read or downloaded."""
    now = now or timezone.now()
    return delivery.purged_at is None and now < delivery.expires_at


# -- staff side ------------------------------------------------------------------------------------


def _staff_files(user: Actor) -> QuerySet[ArchiveFile]:
    return restrict(ArchiveFile.objects.filter(deleted_at__isnull=True), user)


@dataclass(frozen=True)
class QueueRow:
    item: ReaderRequest
    overdue: bool
    due_soon: bool


def request_queue(*, user: Actor, everything: bool = False) -> list[QueueRow]:
    """Requests on files of the fonds ``user`` sees, soonest deadline first (open ones only by default)."""
    items = ReaderRequest.objects.filter(file__in=_staff_files(user)).select_related("reader", "file", "document")
    if not everything:
        items = items.filter(status=ReaderRequest.Status.SUBMITTED)
    today = timezone.localdate()
    soon = add_working_days(today, 1, holidays=holidays_from_settings())
    rows = []
    for item in items.order_by("due_date", "submitted_at")[:500]:
        open_ = item.status == ReaderRequest.Status.SUBMITTED
        rows.append(QueueRow(item, open_ and item.due_date < today, open_ and today <= item.due_date <= soon))
    return rows


def request_for_staff(*, user: Actor, request_id: int) -> ReaderRequest:
    item = (
        ReaderRequest.objects.filter(pk=request_id, file__in=_staff_files(user))
        .select_related("reader__user", "file__fonds", "document", "decided_by")
        .prefetch_related("deliveries")
        .first()
    )
    if item is None:
        raise NotFoundError(what="yêu cầu", key=request_id)
    return item


def requests_due(*, today: date, holidays: Container[date]) -> QuerySet[ReaderRequest]:
    """Open requests due within one working day or overdue, not yet reminded today."""
    limit = add_working_days(today, 1, holidays=holidays)
    start_of_today = timezone.make_aware(datetime.combine(today, time.min))
    return (
        ReaderRequest.objects.filter(status=ReaderRequest.Status.SUBMITTED, due_date__lte=limit)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=start_of_today))
        .select_related("file", "reader")
        .order_by("due_date")
    )


# -- usage -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageRow:
    """Counts of one file or one document."""

    file: ArchiveFile
    document: Document | None
    views: int
    page_views: int
    downloads: int
    read_pages: int


_A = UsageEvent.Action
_COUNTS = {
    "page_views": Count("pk", filter=Q(action=_A.VIEW_PAGE)),
    "downloads": Count("pk", filter=Q(action=_A.DOWNLOAD)),
    "read_pages": Count("pk", filter=Q(action=_A.READ_COPY)),
}


def _usage_files(user: Actor, fonds_id: int | None) -> QuerySet[ArchiveFile]:
    files = _staff_files(user)
    if fonds_id is not None:
        files = files.filter(fonds_id=fonds_id)
    return files


def usage_stats(*, user: Actor, fonds_id: int | None = None) -> list[UsageRow]:
    """Per file of the fonds ``user`` sees: file views, page views, downloads, reading-copy pages (most used first)."""
    files = _usage_files(user, fonds_id)
    counts = (
        UsageEvent.objects.filter(file__in=files)
        .values("file_id")
        .annotate(views=Count("pk", filter=Q(action=_A.VIEW_FILE)), **_COUNTS)
    )
    # Mapping: the row type the plugin infers does not know the keys that **_COUNTS adds.
    by_id: dict[int, Mapping[str, Any]] = {row["file_id"]: row for row in counts}
    objects = ArchiveFile.objects.in_bulk(list(by_id))
    rows = [
        UsageRow(objects[i], None, r["views"], r["page_views"], r["downloads"], r["read_pages"])
        for i, r in by_id.items()
    ]
    return sorted(rows, key=lambda r: (-(r.views + r.page_views + r.downloads + r.read_pages), r.file.file_code))


def _doc_code(row: UsageRow) -> str:
    return row.document.doc_code if row.document else ""


def usage_stats_documents(*, user: Actor, fonds_id: int | None = None) -> list[UsageRow]:
    """Per document of the fonds ``user`` sees, the same counts (document views instead of file views)."""
    files = _usage_files(user, fonds_id)
    counts = (
        UsageEvent.objects.filter(document__isnull=False, document__file__in=files)
        .values("document_id")
        .annotate(views=Count("pk", filter=Q(action=_A.VIEW_DOCUMENT)), **_COUNTS)
    )
    by_id: dict[int, Mapping[str, Any]] = {row["document_id"]: row for row in counts}
    objects = Document.objects.select_related("file").in_bulk(list(by_id))
    rows = [
        UsageRow(objects[i].file, objects[i], r["views"], r["page_views"], r["downloads"], r["read_pages"])
        for i, r in by_id.items()
    ]
    return sorted(rows, key=lambda r: (-(r.views + r.page_views + r.downloads + r.read_pages), _doc_code(r)))


def usage_fonds(*, user: Actor) -> QuerySet:
    """Fonds whose statistics ``user`` may see (for the filter)."""
    from khoso.archive.models import Fonds

    ids = visible_fonds_ids(user)
    fonds = Fonds.objects.all()
    return fonds if ids is None else fonds.filter(pk__in=ids)


def may_see_usage(user: Actor) -> bool:
    ids = visible_fonds_ids(user)
    return ids is None or bool(ids)


# -- fees ------------------------------------------------------------------------------------------


def request_page_count(*, archive_file: ArchiveFile, document: Document | None = None) -> int:
    """Pages a request covers: the digitized pages, or for paper holdings the count in the metadata."""
    digitized = _request_page_rows(archive_file=archive_file, document=document).count()
    if digitized:
        return digitized
    return (document.number_of_page if document else archive_file.number_of_page) or 0


def fee_quote(
    *, kind: str, fee_object_type: str, archive_file: ArchiveFile, document: Document | None = None, copies: int = 1
) -> FeeQuote:
    """The fee of a request as it would be made now (no rate configured for the service: free)."""
    rate = FeeRate.objects.filter(kind=kind).first()
    rule = FeeGroupRule.objects.filter(fee_object_type=fee_object_type).first()
    return quote(
        per_request_vnd=rate.per_request_vnd if rate else 0,
        per_page_vnd=rate.per_page_vnd if rate else 0,
        pages=request_page_count(archive_file=archive_file, document=document),
        copies=copies if kind != ReaderRequest.Kind.READ else 1,
        discount_percent=rule.discount_percent if rule else 0,
    )


def fee_table(*, archive_file: ArchiveFile, document: Document | None = None) -> list[dict[str, Any]]:
    """Each service's fee for this file before any reduction, for the request form."""
    rates = {rate.kind: rate for rate in FeeRate.objects.all()}
    pages = request_page_count(archive_file=archive_file, document=document)
    rows = []
    for kind, label in ReaderRequest.Kind.choices:
        rate = rates.get(kind)
        full = quote(
            per_request_vnd=rate.per_request_vnd if rate else 0,
            per_page_vnd=rate.per_page_vnd if rate else 0,
            pages=pages,
            copies=1,
            discount_percent=0,
        )
        rows.append({"kind": kind, "label": label, "amount": vnd(full.amount_vnd), "basis": full.basis})
    return rows


def fee_reductions() -> list[FeeGroupRule]:
    return list(FeeGroupRule.objects.filter(discount_percent__gt=0).order_by("fee_object_type"))


def receipt_request(*, user: Actor, request_id: int) -> ReaderRequest:
    """A paid request whose receipt ``user`` may print: the reader's own (while the material is in their
    catalogue, so a file made secret later does not show its title), or staff of the file's fonds."""
    paid = ReaderRequest.objects.filter(pk=request_id, receipt_number__isnull=False).select_related(
        "reader", "file", "document", "paid_by"
    )
    reader = reader_of(user)
    item = paid.filter(reader=reader).first() if reader else None
    if item is not None:  # like the delivery: only while the material is still in the reader's catalogue
        scope = portal_scope(item.reader.user)
        visible = portal_files(scope).filter(pk=item.file_id).exists() and (
            not item.document_id or portal_documents(scope).filter(pk=item.document_id).exists()
        )
        item = item if visible else None
    staff = user is not None and user.has_perm("readers.change_readerrequest")  # type: ignore[union-attr]
    if item is None and staff:
        item = paid.filter(file__in=_staff_files(user)).first()
    if item is None:
        raise NotFoundError(what="biên lai", key=request_id)
    return item
