"""Keeping :class:`~khoso.oai.models.OaiRecord` in step with what is public.

One comparison, three callers:

- :func:`sync` for the files and documents a save touched (signals, on commit) and for a record
  the endpoint finds withdrawn while it answers;
- :func:`sync_fonds` when a fonds, its institution or a fonds-wide restriction changes (a task);
- :func:`sweep` over everything, every 15 minutes from the beat schedule, because restrictions
  start and end by date with no row being saved, and bulk ``QuerySet.update`` calls send no signals
  (measured: about 15 s for 108,000 public records with nothing changed, SQLite on 2 busy cores).

A record's datestamp is the moment a change was *noticed*: new, changed (the digest of its public
fields differs), withdrawn (no longer public: a tombstone, ``deleted=True``) or back again. The
stamp is taken right before the short transaction that writes it, so a harvester whose next
``from`` is its last ``responseDate`` misses nothing but changes committed in that instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from khoso.access.selectors import PortalScope
from khoso.archive.models import ArchiveFile, Document
from khoso.oai import selectors
from khoso.oai.metadata import DOCUMENT, FILE, digest
from khoso.oai.models import OaiRecord, OaiSweep

BATCH = 2000


class _Row(NamedTuple):
    pk: int
    identifier: str
    kind: str
    object_id: int
    set_spec: str
    deleted: bool
    digest: str


@dataclass
class SyncResult:
    created: int = 0
    changed: int = 0
    withdrawn: int = 0
    public: int = 0

    def __iadd__(self, other: SyncResult) -> SyncResult:
        self.created += other.created
        self.changed += other.changed
        self.withdrawn += other.withdrawn
        self.public += other.public
        return self


def _reconcile(
    kind: str,
    scope: PortalScope,
    ctx: selectors.Context,
    *,
    ids: Sequence[int] | None = None,
    span: tuple[int, int] | None = None,
) -> SyncResult:
    """Compare the public records of ``kind`` among ``ids`` (or pks in ``span``) with their rows."""
    object_filter: dict[str, object]
    row_filter: dict[str, object]
    if ids is not None:
        object_filter, row_filter = {"pk__in": ids}, {"object_id__in": ids}
    else:
        assert span is not None
        object_filter = {"pk__gte": span[0], "pk__lt": span[1]}
        row_filter = {"object_id__gte": span[0], "object_id__lt": span[1]}
    records = {
        row["pk"]: selectors.build(kind, row, ctx)
        for row in selectors.public_rows(kind, scope).filter(**object_filter).iterator(chunk_size=BATCH)
    }
    columns = ("pk", "identifier", "kind", "object_id", "set_spec", "deleted", "digest")
    existing = [_Row(*values) for values in OaiRecord.objects.filter(kind=kind, **row_filter).values_list(*columns)]
    by_identifier = {row.identifier: row for row in existing}
    current = {record.identifier for record in records.values()}
    if missing := current - by_identifier.keys():  # an identifier held by another object's row
        others = OaiRecord.objects.filter(identifier__in=missing).values_list(*columns)
        by_identifier.update((values[1], _Row(*values)) for values in others)

    result = SyncResult(public=len(records))
    now = timezone.now()
    creates: list[OaiRecord] = []
    updates: list[OaiRecord] = []
    for object_id, record in records.items():
        fingerprint = digest(record)
        row = by_identifier.get(record.identifier)
        if row is None:
            creates.append(
                OaiRecord(
                    identifier=record.identifier,
                    kind=kind,
                    object_id=object_id,
                    set_spec=record.set_spec,
                    datestamp=now,
                    digest=fingerprint,
                )
            )
            result.created += 1
        elif row.deleted or (row.digest, row.set_spec, row.kind, row.object_id) != (
            fingerprint,
            record.set_spec,
            kind,
            object_id,
        ):
            updates.append(
                OaiRecord(
                    pk=row.pk,
                    identifier=row.identifier,
                    kind=kind,
                    object_id=object_id,
                    set_spec=record.set_spec,
                    deleted=False,
                    digest=fingerprint,
                    datestamp=now,
                )
            )
            result.changed += 1
    for row in existing:
        if not row.deleted and row.identifier not in current:
            updates.append(
                OaiRecord(
                    pk=row.pk,
                    identifier=row.identifier,
                    kind=row.kind,
                    object_id=row.object_id,
                    set_spec=row.set_spec,
                    deleted=True,
                    digest=row.digest,
                    datestamp=now,
                )
            )
            result.withdrawn += 1
    if creates or updates:
        with transaction.atomic():
            OaiRecord.objects.bulk_create(creates, ignore_conflicts=True)
            OaiRecord.objects.bulk_update(updates, ["kind", "object_id", "set_spec", "deleted", "digest", "datestamp"])
    return result


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def sync(*, files: Iterable[int] = (), documents: Iterable[int] = ()) -> SyncResult:
    """Bring the rows of these files and documents up to date (ids of any state, even gone)."""
    scope = selectors.anonymous_scope()
    ctx = selectors.context()
    result = SyncResult()
    for kind, ids in ((FILE, files), (DOCUMENT, documents)):
        for chunk in _chunks(ids):
            result += _reconcile(kind, scope, ctx, ids=chunk)
    return result


def sync_fonds(fonds_id: int) -> SyncResult:
    """Every file and document of one fonds (a fonds-wide restriction, a new fonds name)."""
    file_ids = list(ArchiveFile.objects.filter(fonds_id=fonds_id).values_list("pk", flat=True))
    document_ids = list(Document.objects.filter(file__fonds_id=fonds_id).values_list("pk", flat=True))
    return sync(files=file_ids, documents=document_ids)


def sweep() -> SyncResult:
    """Compare the whole public catalogue with the published rows, in slices of ``BATCH`` ids."""
    log = OaiSweep.objects.create(started_at=timezone.now())
    scope = selectors.anonymous_scope()
    ctx = selectors.context()
    result = SyncResult()
    for kind, model in ((FILE, ArchiveFile), (DOCUMENT, Document)):
        top_object = model.objects.aggregate(top=Max("pk"))["top"] or 0
        top_row = OaiRecord.objects.filter(kind=kind).aggregate(top=Max("object_id"))["top"] or 0
        for start in range(0, max(top_object, top_row) + 1, BATCH):
            result += _reconcile(kind, scope, ctx, span=(start, start + BATCH))
    OaiSweep.objects.filter(pk=log.pk).update(
        finished_at=timezone.now(),
        created=result.created,
        changed=result.changed,
        withdrawn=result.withdrawn,
        public=result.public,
    )
    return result


def last_sweep() -> datetime | None:
    return OaiSweep.objects.filter(finished_at__isnull=False).values_list("finished_at", flat=True).first()
