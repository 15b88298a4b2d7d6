"""Keeping this machine's page index in step with the database.

Writers only append :class:`IndexChange` rows (in the same transaction as the page change).
Each machine's index records the last change id it applied and catches up in batches before it
answers a query (one cheap query when it is already up to date). A rebuild replays everything in chunks
while the old index keeps serving.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from khoso.archive.models import Page
from khoso.search.engine import IndexedPage, PageIndex
from khoso.search.models import IndexChange

logger = logging.getLogger(__name__)
SYNC_BATCH = 500
LAST_CHANGE = "last_change_id"


@cache
def _index_at(path: str) -> PageIndex:
    return PageIndex(Path(path))


def page_index() -> PageIndex:
    return _index_at(str(settings.KHOSO_SEARCH_DIR))


def index_changed(*, page_ids: Iterable[int]) -> None:
    """Record that these pages must be (re)indexed; call inside the writing transaction."""
    IndexChange.objects.bulk_create([IndexChange(page_id=page_id) for page_id in page_ids])


def file_changed(*, file_id: int) -> None:
    """A file's title or access mode changed: all its pages must be reindexed."""
    index_changed(page_ids=Page.objects.filter(file_id=file_id).values_list("pk", flat=True))


def _indexed(page: Page) -> IndexedPage:
    archive_file = page.file
    return IndexedPage(
        page_id=page.pk,
        file_id=archive_file.pk,
        fonds_id=archive_file.fonds_id,
        file_code=archive_file.file_code,
        page_no=page.number,
        access_mode=page.document.mode if page.document else archive_file.mode,
        title=archive_file.title,
        text=page.ocr_text,
    )


def index_sync(*, index: PageIndex | None = None) -> int:
    """Apply every change this index has not seen yet; returns how many pages were touched."""
    index = index or page_index()
    last = int(index.meta_get(LAST_CHANGE, 0) or 0)
    touched = 0
    while True:
        changes = list(IndexChange.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "page_id")[:SYNC_BATCH])
        if not changes:
            return touched
        page_ids = {page_id for _, page_id in changes}
        pages = Page.objects.filter(pk__in=page_ids, stage=Page.Stage.DONE).select_related("file", "document")
        present = [_indexed(page) for page in pages]
        gone = page_ids - {page.page_id for page in present}
        if gone:
            index.delete(gone)
        if present:
            index.upsert(present)
        last = changes[-1][0]
        index.meta_set(LAST_CHANGE, last)
        touched += len(page_ids)


def index_rebuild(*, index: PageIndex | None = None) -> int:
    """Re-index every page from the database, in chunks."""
    index = index or page_index()
    with transaction.atomic():
        last = IndexChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    index.clear()
    count = 0
    page_ids = list(Page.objects.filter(stage=Page.Stage.DONE).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(page_ids), SYNC_BATCH):
        chunk = page_ids[start : start + SYNC_BATCH]
        pages = Page.objects.filter(pk__in=chunk).select_related("file", "document")
        index.upsert([_indexed(page) for page in pages])
        count += len(chunk)
    index.meta_set(LAST_CHANGE, last)
    index_sync(index=index)
    return count
