"""Signal handlers: a saved file, document, restriction or fonds is re-checked once its transaction commits.

Saves are only noted during the transaction (per thread); one flush on commit syncs all of them,
so an import of ten thousand documents in one transaction costs one pass, not ten thousand. A
file's change also re-checks its documents (they inherit its mode, deletion and restrictions);
a fonds-wide change is queued as a task. What signals cannot see (``QuerySet.update``, a
restriction that starts by date) the periodic sweep catches.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

_local = threading.local()


def _pending() -> dict[str, set[int]]:
    state = getattr(_local, "pending", None)
    if state is None:
        state = _local.pending = {"files": set(), "files_with_documents": set(), "documents": set(), "fonds": set()}
    return state


def _queue(**ids: Any) -> None:
    state = _pending()
    for name, values in ids.items():
        state[name].update(value for value in values if value is not None)
    transaction.on_commit(flush, robust=True)


def flush() -> None:
    """Sync everything noted since the last flush (a no-op when another flush already did)."""
    from django.conf import settings

    from khoso.archive.models import Document
    from khoso.oai import services, tasks

    state = _pending()
    taken = {name: set(values) for name, values in state.items()}
    for values in state.values():
        values.clear()
    if settings.KHOSO_ENCLAVE:  # no public side, so nothing is published for harvesting
        return
    documents = taken["documents"]
    if taken["files_with_documents"]:
        documents |= set(
            Document.objects.filter(file_id__in=taken["files_with_documents"]).values_list("pk", flat=True)
        )
    files = taken["files"] | taken["files_with_documents"]
    if files or documents:
        services.sync(files=files, documents=documents)
    for fonds_id in sorted(taken["fonds"]):
        tasks.sync_fonds.delay(fonds_id)


def _file_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _queue(files_with_documents=[instance.pk])


def _document_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _queue(documents=[instance.pk], files=[instance.file_id])  # the file's count of documents


def _restriction_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if instance.document_id:
        _queue(documents=[instance.document_id])
    elif instance.file_id:
        _queue(files_with_documents=[instance.file_id])
    else:
        _queue(fonds=[instance.fonds_id])


def _fonds_saved(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if not raw and not created:  # a new fonds has nothing published yet
        _queue(fonds=[instance.pk])


def _institution_saved(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if not raw and not created:
        _queue(fonds=list(instance.fonds.values_list("pk", flat=True)))


def connect() -> None:
    from khoso.access.models import Restriction
    from khoso.archive.models import ArchiveFile, Document, Fonds, Institution

    uid = "khoso-oai-"
    post_save.connect(_file_saved, sender=ArchiveFile, dispatch_uid=uid + "file-save")
    post_delete.connect(_file_saved, sender=ArchiveFile, dispatch_uid=uid + "file-delete")
    post_save.connect(_document_saved, sender=Document, dispatch_uid=uid + "document-save")
    post_delete.connect(_document_saved, sender=Document, dispatch_uid=uid + "document-delete")
    post_save.connect(_restriction_saved, sender=Restriction, dispatch_uid=uid + "restriction-save")
    post_delete.connect(_restriction_saved, sender=Restriction, dispatch_uid=uid + "restriction-delete")
    post_save.connect(_fonds_saved, sender=Fonds, dispatch_uid=uid + "fonds-save")
    post_save.connect(_institution_saved, sender=Institution, dispatch_uid=uid + "institution-save")
