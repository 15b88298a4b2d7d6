"""Reads of the API: the same narrowing as the web UI (``khoso.access`` rules), as querysets to paginate.

Staff resources (fonds down to pages) follow the staff web UI: fonds granted to the user, access modes
01/02 and 03 only with ``archive.view_secret``, deleted material never. Pages of a visible file are
withheld when their document is secret and the user may not see secret material. Reader requests: a
reader's own, plus, for staff who may decide requests, those on files of their fonds.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from khoso.access.selectors import Actor, restrict, restrict_documents, withheld_documents
from khoso.api.models import ApiToken
from khoso.archive.models import ArchiveFile, Box, Document, Inventory, Page
from khoso.readers.models import ReaderRequest


def tokens_of(username: str) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user__username=username).order_by("created_at", "pk")


def inventories_visible(user: Actor) -> QuerySet[Inventory]:
    return restrict(Inventory.objects.all(), user, mode_field=None).order_by("fonds_id", "number", "pk")


def boxes_visible(user: Actor) -> QuerySet[Box]:
    return restrict(Box.objects.all(), user, mode_field=None).order_by("fonds_id", "stack", "shelf", "number", "pk")


def files_visible(user: Actor) -> QuerySet[ArchiveFile]:
    return restrict(ArchiveFile.objects.filter(deleted_at__isnull=True), user).order_by("file_code")


def documents_visible(user: Actor) -> QuerySet[Document]:
    documents = Document.objects.filter(deleted_at__isnull=True, file__deleted_at__isnull=True)
    return restrict_documents(documents, user).select_related("file").order_by("file_id", "ordinal", "pk")


def pages_visible(user: Actor) -> QuerySet[Page]:
    return (
        Page.objects.filter(file__in=files_visible(user))
        .exclude(document__in=withheld_documents(user))
        .select_related("file")
        .order_by("file_id", "number")
    )


def may_decide_requests(user: Actor) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm("readers.change_readerrequest"))  # type: ignore[union-attr,attr-defined]


def reader_requests_visible(user: Actor) -> QuerySet[ReaderRequest]:
    if user is None or not user.is_authenticated:
        return ReaderRequest.objects.none()
    mine = Q(reader__user_id=user.pk)
    if may_decide_requests(user):
        mine |= Q(file__in=files_visible(user))
    return (
        ReaderRequest.objects.filter(mine).select_related("reader", "file", "document").order_by("-submitted_at", "-pk")
    )
