"""Reads of the public portal, always through a visitor's :class:`~khoso.access.selectors.PortalScope`.

Every lookup answers ``None`` for an object that does not exist and for one the visitor may not
see alike, so the views can give both the same 404 and sequential ids tell nothing. Pages (their
thumbnails and OCR text) need more than a visible catalogue entry: the effective access mode of
the file and the page's document must be one whose content the scope shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from khoso.access.selectors import PortalScope, portal_documents, portal_files, portal_shows_content
from khoso.archive.models import ArchiveFile, Document, Fonds, Page, Vocabulary


def visible_fonds(scope: PortalScope) -> QuerySet[Fonds]:
    """Fonds with at least one file the scope may see and not restricted as a whole."""
    return (
        Fonds.objects.filter(pk__in=portal_files(scope).values("fonds_id"))
        .exclude(pk__in=scope.restricted.fonds_ids)
        .select_related("institution")
    )


def fonds_with_counts(scope: PortalScope) -> list[Fonds]:
    """Visible fonds, each with ``visible_files``: how many of its files the scope may see."""
    counts = dict(
        portal_files(scope).order_by().values_list("fonds_id").annotate(n=Count("pk")).values_list("fonds_id", "n")
    )
    fonds = list(visible_fonds(scope))
    for item in fonds:
        item.visible_files = counts.get(item.pk, 0)  # type: ignore[attr-defined]
    return fonds


def fonds_get(scope: PortalScope, fonds_id: int) -> Fonds | None:
    return visible_fonds(scope).filter(pk=fonds_id).first()


def fonds_files(scope: PortalScope, fonds: Fonds, *, order: str = "title") -> QuerySet[ArchiveFile]:
    """The fonds' visible files, by Vietnamese collation of the title (the stored ICU key) or by year."""
    files = portal_files(scope).filter(fonds=fonds)
    if order == "year":
        return files.order_by("file_catalog", "file_code")
    return files.order_by("title_sort", "file_code")


def file_get(scope: PortalScope, file_id: int) -> ArchiveFile | None:
    return portal_files(scope).select_related("fonds", "fonds__institution").filter(pk=file_id).first()


def document_get(scope: PortalScope, document_id: int) -> Document | None:
    return portal_documents(scope).select_related("file", "file__fonds").filter(pk=document_id).first()


def file_documents(scope: PortalScope, archive_file: ArchiveFile) -> QuerySet[Document]:
    return portal_documents(scope).filter(file=archive_file).order_by("ordinal")


def content_pages(scope: PortalScope, archive_file: ArchiveFile) -> QuerySet[Page]:
    """Processed pages of a visible file whose images and text the scope may see.

    A page inherits the stricter mode of its file and its document; a page of a document that is
    hidden (deleted, restricted or in a mode outside the scope) is hidden too.
    """
    if not portal_shows_content(scope, archive_file.mode):
        return Page.objects.none()
    shown_documents = portal_documents(scope).filter(file=archive_file, mode__in=scope.content_modes)
    return (
        Page.objects.filter(file=archive_file, stage=Page.Stage.DONE)
        .filter(Q(document__isnull=True) | Q(document__in=shown_documents.values("pk")))
        .order_by("number")
    )


def content_page(scope: PortalScope, file_id: int, number: int) -> Page | None:
    archive_file = file_get(scope, file_id)
    if archive_file is None:
        return None
    return content_pages(scope, archive_file).filter(number=number, thumbnail__isnull=False).first()


def vocabulary_labels() -> dict[tuple[str, str], str]:
    """(kind, code) → Vietnamese label of every TT05 coded value."""
    return {(kind, code): label for kind, code, label in Vocabulary.objects.values_list("kind", "code", "label_vi")}


# -- sitemap -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SitemapEntry:
    route: str
    pk: int | None
    lastmod: datetime | None


def sitemap_count(scope: PortalScope) -> int:
    """Number of URLs in the sitemap: the portal's home, then fonds, files and documents."""
    return 1 + visible_fonds(scope).count() + portal_files(scope).count() + portal_documents(scope).count()


def sitemap_entries(scope: PortalScope, *, offset: int, limit: int) -> Iterator[SitemapEntry]:
    """``limit`` entries from ``offset`` of the sequence home, fonds, files, documents (by id)."""
    sources = [
        ("portal_fonds", visible_fonds(scope).order_by("pk")),
        ("portal_file", portal_files(scope).order_by("pk")),
        ("portal_document", portal_documents(scope).order_by("pk")),
    ]
    if offset == 0 and limit > 0:
        yield SitemapEntry("portal_home", None, None)
        limit -= 1
    else:
        offset -= 1
    for route, queryset in sources:
        if limit <= 0:
            return
        size = queryset.count()
        if offset >= size:
            offset -= size
            continue
        rows = queryset.values_list("pk", "updated_at")[offset : offset + limit]
        for pk, updated_at in rows.iterator(chunk_size=2000):
            yield SitemapEntry(route, pk, updated_at)
            limit -= 1
        offset = 0
