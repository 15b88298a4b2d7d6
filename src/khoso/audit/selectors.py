"""Reading the audit trail: who may see which entries, the staff list's filters, and the chain walk.

Deny by default: the list needs ``audit.view_auditentry``; an entry about a fonds is shown only to
holders of a grant on that fonds (superusers see everything). Entries about no fonds (logins,
reader accounts, backups) are shown to every holder of the permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from khoso.access.selectors import visible_fonds_ids
from khoso.audit import chain
from khoso.audit.models import AuditEntry

PERMISSION = "audit.view_auditentry"
# A PDF viewer reads a large file in byte ranges, one request each; within this time they are one reading.
RANGE_READING_WINDOW = timedelta(minutes=30)


def may_view_trail(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_perm(PERMISSION))


def entries_visible(user: Any) -> QuerySet[AuditEntry]:
    if not may_view_trail(user):
        return AuditEntry.objects.none()
    fonds_ids = visible_fonds_ids(user)
    entries = AuditEntry.objects.all()
    if fonds_ids is None:
        return entries
    return entries.filter(Q(fonds_id__isnull=True) | Q(fonds_id__in=fonds_ids))


@dataclass(frozen=True)
class EntryFilter:
    object_text: str = ""  # an object code (file code, fonds code…) or "type:id"
    actor: str = ""  # a user name
    action: str = ""
    kind: str = ""
    fonds_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def entries_filtered(user: Any, wanted: EntryFilter) -> QuerySet[AuditEntry]:
    entries = entries_visible(user)
    if wanted.object_text:
        text = wanted.object_text.strip()
        kind, _, ident = text.partition(":")
        if ident and "." in kind:
            entries = entries.filter(object_type=kind.lower(), object_id=ident)
        else:
            entries = entries.filter(Q(object_label__iexact=text) | Q(object_id=text))
    if wanted.actor:
        entries = entries.filter(actor_name__iexact=wanted.actor.strip())
    if wanted.action:
        entries = entries.filter(Q(action=wanted.action) | Q(route=wanted.action))
    if wanted.kind:
        entries = entries.filter(kind=wanted.kind)
    if wanted.fonds_id is not None:
        entries = entries.filter(fonds_id=wanted.fonds_id)
    if wanted.date_from:
        entries = entries.filter(time__gte=_day_start(wanted.date_from))
    if wanted.date_to:
        entries = entries.filter(time__lt=_day_start(wanted.date_to + timedelta(days=1)))
    return entries.order_by("-seq")


def entry_get(user: Any, seq: int) -> AuditEntry | None:
    return entries_visible(user).filter(seq=seq).first()


def verify_chain(*, batch: int = 2000) -> chain.Verdict:
    """Walk the whole chain in sequence order, a batch of rows at a time."""
    fields = [*chain.HASHED_FIELDS, "entry_hash"]
    rows = AuditEntry.objects.order_by("seq").values(*fields).iterator(chunk_size=batch)
    return chain.verify(rows)


def chain_problems() -> list[dict[str, str]]:
    """The chain's first broken link as a ``khoso fsck`` problem (empty when the chain is intact)."""
    verdict = verify_chain()
    if verdict.broken is None:
        return []
    return [
        {
            "code": f"nhat_ky_{verdict.broken.problem}",
            "message": f"{verdict.broken.message} / {verdict.broken.message_en}",
            "object": f"audit_auditentry#{verdict.broken.seq}",
        }
    ]


def reading_already_recorded(*, actor: Any, route: str, obj: Any, now: datetime | None = None) -> bool:
    """Whether ``actor`` has a read entry for ``obj`` through ``route`` within :data:`RANGE_READING_WINDOW`.

    Only a byte-range request asks: the first range of a reading is always recorded, so fetching a file
    in pieces cannot hide it from the trail, and the rest of that reading adds no entry per piece.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    from khoso.audit.services import object_type

    since = (now or timezone.now()) - RANGE_READING_WINDOW
    return AuditEntry.objects.filter(
        kind=AuditEntry.Kind.READ,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        actor_id=actor.pk,
        route=route,
        time__gte=since,
    ).exists()
