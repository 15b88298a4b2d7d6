"""Reads of the ingest log, narrowed to what the reader may see.

Staff of a fonds see the records that landed in (or were aimed at) its files; a sending account also
sees its own refusals that named no file it may see. Records of material the reader may not see
(access mode 03, a secret class) stay hidden, as the documents themselves do.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from khoso.access.selectors import SECRET, Actor, allowed_modes, visible_fonds_ids, withheld_documents
from khoso.qlvb.models import IngestRecord


def ingest_records_visible(user: Actor) -> QuerySet[IngestRecord]:
    records = IngestRecord.objects.select_related("document", "file", "fonds", "sent_by")
    modes = allowed_modes(user)
    if not modes or user is None:  # no modes at all: not an active, signed-in account
        return records.none()
    fonds_ids = visible_fonds_ids(user)
    if fonds_ids is not None:
        records = records.filter(Q(fonds_id__in=fonds_ids) | Q(fonds__isnull=True, sent_by_id=user.pk))
    if SECRET not in modes:
        records = records.exclude(file__mode=SECRET).exclude(document__in=withheld_documents(user))
    return records.order_by("-sent_at", "-pk")
