"""Writing the audit trail: ``record`` for services, commands and tasks; ``append`` links one entry.

``record`` inside a web request adds to that request's one entry (the middleware writes it, in the
request's transaction, when the request succeeds). Outside a request it appends an entry at once,
inside the caller's transaction if there is one, so the entry commits or rolls back with the change
it records. Appends are serialised: SQLite's ``BEGIN IMMEDIATE`` already holds the one write lock; on
PostgreSQL a transaction-level advisory lock is taken before the chain's head is read.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Mapping
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from khoso.audit import chain
from khoso.audit.context import AuditContext, current, last
from khoso.audit.models import AuditEntry
from khoso.core.text import nfc

#: the advisory lock key of the chain's head on PostgreSQL ("khoso" in ASCII)
CHAIN_LOCK = 0x6B686F736F
SYSTEM = "hệ thống"
#: foreign keys followed, in this order, to find the fonds an object belongs to
FONDS_PATH = ("fonds", "file", "archive_file", "document", "page", "item", "request", "batch", "inspection", "project")
LABEL_ATTRIBUTES = ("file_code", "doc_code", "code", "package_name", "username", "name")


# -- describing objects --------------------------------------------------------------------------


def object_type(instance: models.Model) -> str:
    return instance._meta.label_lower


def object_state(instance: models.Model) -> dict[str, Any]:
    """The object's stored fields (field column name → value), as read from the database."""
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def digest_of(instance: models.Model | None) -> str:
    """SHA-256 of the object's canonical state as stored now ('' when it does not exist)."""
    if instance is None or instance.pk is None:
        return ""
    fresh = instance._meta.model._base_manager.filter(pk=instance.pk).first()
    return chain.state_digest(object_state(fresh)) if fresh is not None else ""


def label_of(instance: models.Model) -> str:
    """A short name of the object: its archival code where it has one (never a title, which may be secret)."""
    for name in LABEL_ATTRIBUTES:
        value = getattr(instance, name, None)
        if isinstance(value, str) and value:
            return nfc(value)[:255]
    return f"{instance._meta.verbose_name} số {instance.pk}"[:255]


def fonds_of(instance: models.Model | None, depth: int = 3) -> int | None:
    """The fonds an object belongs to, found through its foreign keys (files, documents, items…)."""
    if instance is None:
        return None
    label = instance._meta.label
    if label == "archive.Fonds":
        return int(instance.pk)
    if depth == 0:
        return None
    for name in FONDS_PATH:
        try:
            field = instance._meta.get_field(name)
        except Exception:  # noqa: BLE001  (FieldDoesNotExist: try the next name)
            continue
        if field.many_to_many:  # a project's fonds: the first one
            first = getattr(instance, name).order_by("pk").values_list("pk", flat=True).first()
            if first is not None and field.related_model._meta.label == "archive.Fonds":  # type: ignore[union-attr]
                return int(first)
            continue
        if not getattr(field, "is_relation", False) or not getattr(field, "concrete", False):
            continue
        if field.related_model._meta.label == "archive.Fonds":  # type: ignore[union-attr]
            value = getattr(instance, f"{name}_id")
            return int(value) if value is not None else None
        related = getattr(instance, name, None)
        found = fonds_of(related, depth - 1)
        if found is not None:
            return found
    return None


# -- appending -----------------------------------------------------------------------------------


def _lock_head() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def append(fields: Mapping[str, Any]) -> AuditEntry:
    """Append one entry after the chain's head, in the current transaction (or a new one)."""
    with transaction.atomic():
        _lock_head()
        head = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
        seq, previous = (head[0] + 1, head[1]) if head else (1, chain.GENESIS)
        entry = AuditEntry(
            seq=seq,
            time=fields.get("time") or timezone.now(),
            actor_id=fields.get("actor_id"),
            actor_name=nfc(str(fields.get("actor_name") or SYSTEM))[:150],
            action=str(fields["action"])[:100],
            route=str(fields.get("route") or "")[:100],
            kind=fields.get("kind") or AuditEntry.Kind.CHANGE,
            object_type=str(fields.get("object_type") or "")[:100],
            object_id=str(fields.get("object_id") or "")[:64],
            object_label=nfc(str(fields.get("object_label") or ""))[:255],
            fonds_id=fields.get("fonds_id"),
            digest_before=fields.get("digest_before") or "",
            digest_after=fields.get("digest_after") or "",
            ip=AuditEntry._meta.get_field("ip").get_prep_value(fields.get("ip") or None),  # stored as hashed
            request_id=str(fields.get("request_id") or "")[:64],
            detail=chain.json_ready(dict(fields.get("detail") or {})),
            prev_hash=previous,
        )
        entry.entry_hash = chain.entry_hash(entry.hashed_fields())
        entry.save(force_insert=True)
    return entry


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return {"actor_id": actor.pk, "actor_name": actor.get_username()}
    return {"actor_id": None, "actor_name": SYSTEM}


def _origin() -> str:
    """Where a record made outside a web request comes from: the command line or a worker task."""
    try:
        from celery import current_task

        if current_task and current_task.request and current_task.request.id:
            return f"tác vụ {current_task.name}"
    except ImportError:  # pragma: no cover - celery is a dependency
        pass
    argv = [part for part in sys.argv[:2] if part]
    command = " ".join(part.rsplit("/", 1)[-1] for part in argv)
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = "?"
    return f"{command} ({user})" if command else user


def object_fields(obj: models.Model | None, *, before: str = "", after: str | None = None) -> dict[str, Any]:
    if obj is None:
        return {}
    return {
        "object_type": object_type(obj),
        "object_id": obj.pk,
        "object_label": label_of(obj),
        "fonds_id": fonds_of(obj),
        "digest_before": before,
        "digest_after": digest_of(obj) if after is None else after,
    }


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    before: str | None = None,
    detail: dict[str, Any] | None = None,
    actor: Any = None,
    kind: str = AuditEntry.Kind.CHANGE,
) -> AuditEntry | None:
    """Record ``action`` on ``obj`` (``before``: its digest before the change, from :func:`digest_of`).

    Inside a web request this fills in the request's one entry and returns ``None``; elsewhere it
    appends an entry now, in the caller's transaction, by ``actor`` (default: the system, with the
    command or task that ran it in the detail).
    """
    context = current()
    if context is not None and context.unsafe and kind == AuditEntry.Kind.CHANGE:
        context.annotate(action=action, obj=obj, before=before, detail=detail)
        return None
    done = last()
    fields: dict[str, Any] = {"action": action, "kind": kind, **_actor_fields(actor)}
    details = dict(detail or {})
    if done is not None:  # in a read request, or after a request's entry (work done on commit)
        if actor is None:
            fields.update(_actor_fields(done.user))
        fields["ip"] = done.ip
        fields["request_id"] = done.request_id
    else:
        details.setdefault("nguon", _origin())
    fields.update(object_fields(obj, before=before or ""))
    fields["detail"] = details
    return append(fields)


def record_request(context: AuditContext, *, actor: Any, action: str, obj: Any, kind: str) -> AuditEntry:
    """The one entry of a web request (called by the middleware)."""
    fields: dict[str, Any] = {
        "action": action,
        "route": context.route,
        "kind": kind,
        "ip": context.ip,
        "request_id": context.request_id,
        **_actor_fields(actor),
    }
    detail = dict(context.detail)
    if context.changes:
        detail["thay_doi"] = context.changes
        if context.change_count > len(context.changes):
            detail["so_dong_thay_doi"] = context.change_count
    if context.tables and kind == AuditEntry.Kind.CHANGE:
        detail["bang"] = sorted(context.tables)
    if obj is not None:
        fields.update(object_fields(obj, before=context.digest_before or ""))
        if not fields["digest_after"]:
            detail["da_xoa"] = True  # the action deleted its object
    fields["detail"] = detail
    return append(fields)
