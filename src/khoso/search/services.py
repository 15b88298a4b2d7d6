"""Keeping this machine's search index in step with the database.

Writers only append :class:`IndexChange` rows (in the same transaction as the change): a page, or
a file's or document's catalogue record, optionally with everything below it. Each machine's index
records the last change id it applied and catches up in batches before it answers a query (one
cheap query when it is already up to date), holding the index home's lock so two processes never
apply the same changes at once. The entries are always rebuilt from the database's current state,
so replaying a change twice, or out of order, is harmless; a deleted file or document (and so its
pages) leaves the index.

A rebuild fills a new index generation in chunks while the live one keeps serving, then, under the
lock, applies the changes made meanwhile and switches the ``current`` pointer to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from khoso.access.selectors import effective_mode
from khoso.archive.models import ArchiveFile, Document, Page, Vocabulary, VocabularyKind
from khoso.search.engine import (
    KIND_DOCUMENT,
    KIND_FILE,
    SEARCH_THREADS,
    IndexedPage,
    IndexedRecord,
    IndexHome,
    PageIndex,
)
from khoso.search.models import IndexChange

logger = logging.getLogger(__name__)
SYNC_BATCH = 500
REBUILD_CHUNK = 2000
LAST_CHANGE = "last_change_id"


@cache
def _home_at(path: str, search_threads: int) -> IndexHome:
    return IndexHome(Path(path), search_threads=search_threads or SEARCH_THREADS)


def search_home() -> IndexHome:
    return _home_at(str(settings.KHOSO_SEARCH_DIR), settings.KHOSO_SEARCH_THREADS)


def page_index() -> PageIndex:
    """The live index generation of this machine."""
    return search_home().current()


# -- recording changes (call inside the writing transaction) ---------------------------------------


def index_changed(*, page_ids: Iterable[int]) -> None:
    """Record that these pages must be (re)indexed."""
    IndexChange.objects.bulk_create([IndexChange(page_id=page_id) for page_id in page_ids])


def file_changed(*, file_id: int, cascade: bool = True) -> None:
    """A file was created, changed or deleted; ``cascade``: its documents and pages change with it
    (title, access mode, language or deletion)."""
    IndexChange.objects.create(file_id=file_id, cascade=cascade)


def document_changed(*, document_id: int, cascade: bool = True) -> None:
    """A document was created, changed or deleted; ``cascade``: its pages change with it."""
    IndexChange.objects.create(document_id=document_id, cascade=cascade)


# -- what the index holds, built from the database ------------------------------------------------


def _labels(kind: str) -> dict[str, str]:
    return dict(Vocabulary.objects.filter(kind=kind).values_list("code", "label_vi"))


def document_code_text(document: Document) -> str:
    """The document's number and notation as written on it: "12/QĐ-UBND"."""
    return "/".join(part for part in (document.code_number, document.code_notation) if part)


def file_record_text(archive_file: ArchiveFile) -> str:
    """Every searchable field of a file's catalogue entry but its title."""
    parts = [
        archive_file.file_code,
        archive_file.file_notation,
        str(archive_file.file_catalog),
        archive_file.organ_id,
        archive_file.fonds.name,
        archive_file.keyword,
        archive_file.description,
        archive_file.infor_sign,
        archive_file.paper_file_code,
    ]
    return " \n".join(part for part in parts if part)


def document_record_text(document: Document, type_labels: dict[str, str] | None = None) -> str:
    """Every searchable field of a document's catalogue entry but its subject (trích yếu); the signer and
    the topic (chuyên đề) a Party archive records (``khoso.archive.profiles``) are searched like the rest."""
    labels = type_labels if type_labels is not None else _labels(VocabularyKind.TYPE_NAME)
    parts = [
        document_code_text(document),
        labels.get(document.type_name, ""),
        document.organ_name,
        document.issued_date.strftime("%d/%m/%Y"),
        str(document.issued_date.year),
        document.doc_code,
        document.keyword,
        document.description,
        document.autograph,
        document.signer,
        document.topic,
    ]
    return " \n".join(part for part in parts if part)


def _file_record(archive_file: ArchiveFile) -> IndexedRecord:
    return IndexedRecord(
        kind=KIND_FILE,
        file_id=archive_file.pk,
        fonds_id=archive_file.fonds_id,
        file_code=archive_file.file_code,
        access_mode=effective_mode(archive_file.mode),
        title=archive_file.title,
        text=file_record_text(archive_file),
        year=archive_file.file_catalog,
        language=archive_file.language,
    )


def _document_record(document: Document, type_labels: dict[str, str]) -> IndexedRecord:
    archive_file = document.file
    return IndexedRecord(
        kind=KIND_DOCUMENT,
        file_id=archive_file.pk,
        document_id=document.pk,
        fonds_id=archive_file.fonds_id,
        file_code=archive_file.file_code,
        access_mode=effective_mode(archive_file.mode, document.mode, document.secret_class),  # secret class: 03
        title=document.subject,
        text=document_record_text(document, type_labels),
        year=document.issued_date.year,
        type_name=document.type_name,
        language=document.language,
    )


def _indexed(page: Page) -> IndexedPage:
    archive_file, document = page.file, page.document
    return IndexedPage(
        page_id=page.pk,
        file_id=archive_file.pk,
        fonds_id=archive_file.fonds_id,
        file_code=archive_file.file_code,
        page_no=page.number,
        access_mode=effective_mode(
            archive_file.mode, document.mode if document else None, document.secret_class if document else None
        ),
        title=archive_file.title,
        text=page.ocr_text,
        document_id=document.pk if document else 0,
        year=document.issued_date.year if document else archive_file.file_catalog,
        type_name=document.type_name if document else "",
        language=(document or archive_file).language,
    )


def _live_files() -> Q:
    return Q(deleted_at__isnull=True)


def _live_documents() -> Q:
    return Q(deleted_at__isnull=True, file__deleted_at__isnull=True)


def _live_pages() -> Q:
    return Q(stage=Page.Stage.DONE, file__deleted_at__isnull=True) & (
        Q(document__isnull=True) | Q(document__deleted_at__isnull=True)
    )


def _pages(ids: Iterable[int]) -> list[Page]:
    return list(
        Page.objects.filter(pk__in=list(ids))
        .filter(_live_pages())
        .select_related("file", "document")
        .defer("words", "qc", "file__description", "document__autograph")
    )


def page_texts(page_ids: Iterable[int]) -> dict[int, str]:
    """The text of pages, for snippets (the index keeps none)."""
    return dict(Page.objects.filter(pk__in=list(page_ids)).values_list("pk", "ocr_text"))


# -- applying changes -----------------------------------------------------------------------------


def _chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _apply(
    index: PageIndex,
    *,
    file_ids: set[int],
    cascade_files: set[int],
    document_ids: set[int],
    cascade_documents: set[int],
    page_ids: set[int],
) -> None:
    """Make the index agree with the database for these entries (and those below cascading ones)."""
    files = {f.pk: f for f in ArchiveFile.objects.filter(pk__in=file_ids).filter(_live_files()).select_related("fonds")}
    gone_files = file_ids - set(files)
    index.delete_files(gone_files)  # the file's record, its documents' and its pages
    live_cascading = cascade_files & set(files)
    if live_cascading:
        document_ids |= set(Document.objects.filter(file_id__in=live_cascading).values_list("pk", flat=True))
        page_ids |= set(Page.objects.filter(file_id__in=live_cascading).values_list("pk", flat=True))
    index.upsert(_file_record(f) for f in files.values())

    type_labels = _labels(VocabularyKind.TYPE_NAME)
    for chunk in _chunks(document_ids, SYNC_BATCH):
        documents = {
            d.pk: d for d in Document.objects.filter(pk__in=chunk).filter(_live_documents()).select_related("file")
        }
        index.delete_documents(set(chunk) - set(documents))  # the record and its pages
        index.upsert(_document_record(d, type_labels) for d in documents.values())
        cascading = cascade_documents & set(documents)
        if cascading:
            page_ids |= set(Page.objects.filter(document_id__in=cascading).values_list("pk", flat=True))

    for chunk in _chunks(page_ids, SYNC_BATCH):
        present = [_indexed(page) for page in _pages(chunk)]
        index.delete_entries(pages=set(chunk) - {page.page_id for page in present})
        index.upsert(present)


def _sync(index: PageIndex) -> int:
    last = int(index.meta_get(LAST_CHANGE, 0) or 0)
    touched = 0
    while True:
        changes = list(
            IndexChange.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "page_id", "file_id", "document_id", "cascade")[:SYNC_BATCH]
        )
        if not changes:
            return touched
        file_ids = {file_id for _, _, file_id, _, _ in changes if file_id}
        document_ids = {document_id for _, _, _, document_id, _ in changes if document_id}
        page_ids = {page_id for _, page_id, _, _, _ in changes if page_id}
        _apply(
            index,
            file_ids=file_ids,
            cascade_files={file_id for _, _, file_id, _, cascade in changes if file_id and cascade},
            document_ids=document_ids,
            cascade_documents={document_id for _, _, _, document_id, cascade in changes if document_id and cascade},
            page_ids=page_ids,
        )
        last = changes[-1][0]
        index.meta_set(LAST_CHANGE, last)
        touched += len(changes)


def index_sync(*, index: PageIndex | None = None) -> int:
    """Apply every change the live index (or ``index``) has not seen yet; returns how many changes."""
    if index is not None:
        return _sync(index)
    home = search_home()
    current = home.current()
    last = int(current.meta_get(LAST_CHANGE, 0) or 0)
    if not IndexChange.objects.filter(pk__gt=last).exists():
        return 0
    with home.lock():  # one process applies the changes; the others wait, then find nothing left
        return _sync(home.current())


def index_rebuild(*, chunk: int = REBUILD_CHUNK, on_chunk: Callable[[int], None] | None = None) -> int:
    """Re-index everything into a new generation while the live one keeps serving, then switch.

    ``on_chunk(entries_so_far)`` is called after each chunk (progress, tests). Returns the number of
    entries (records and pages) written.
    """
    home = search_home()
    last = IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    new = home.new_generation()
    count = 0
    type_labels = _labels(VocabularyKind.TYPE_NAME)
    with new.bulk_loader() as add:

        def batches(queryset, build):  # type: ignore[no-untyped-def]
            nonlocal count
            after = 0
            while True:
                rows = list(queryset.filter(pk__gt=after).order_by("pk")[:chunk])
                if not rows:
                    return
                count += add(build(row) for row in rows)
                after = rows[-1].pk
                if on_chunk:
                    on_chunk(count)

        batches(ArchiveFile.objects.filter(_live_files()).select_related("fonds"), _file_record)
        batches(
            Document.objects.filter(_live_documents()).select_related("file"),
            lambda document: _document_record(document, type_labels),
        )
        batches(
            Page.objects.filter(_live_pages())
            .select_related("file", "document")
            .defer("words", "qc", "file__description", "document__autograph"),
            _indexed,
        )
    new.meta_set(LAST_CHANGE, last)
    _sync(new)  # most of what changed meanwhile, without blocking the live index's syncs
    with home.lock():
        _sync(new)
        home.switch(new)
    logger.info("search index rebuilt: %d entries in %s", count, new.path)
    return count
