"""Signal handlers: what a request changed, logins and logouts, and actions outside the web.

- During a state-changing request every saved or deleted row is noted in the request's context
  (its entry lists them), and the rows it creates are candidates for the entry's object.
- Logging in and out fill in the request's entry (``dang_nhap`` / ``dang_xuat``).
- Outside web requests (``khoso`` commands, worker tasks, the watched folder) a save or delete of
  one of ``registry.ACTION_MODELS`` is an action of its own: one entry, written by the system in the
  same transaction as the save. Nothing is recorded from signals during a read (GET) request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from khoso.audit import context as audit_context
from khoso.audit import registry, services

_BEFORE = "_audit_digest_before"
#: fields naming the person on whose behalf the system acted (a queued audit, a backup started by hand)
ON_BEHALF = ("requested_by", "started_by", "made_by", "created_by", "received_by", "decided_by", "locked_by")


def _on_behalf_of(instance: Any) -> Any:
    for name in ON_BEHALF:
        if getattr(instance, f"{name}_id", None):
            return getattr(instance, name)
    return None


def _outside_web() -> bool:
    """No request context, or one whose entry is already written (work done on commit)."""
    context = audit_context.last()
    return context is None or (context.closed and context.unsafe)


def _action_of(sender: Any, instance: Any) -> str | None:
    label = sender._meta.label
    action = registry.ACTION_MODELS.get(label)
    if action is None:
        return None
    routine = getattr(instance, "outcome", "") != "failure" and getattr(instance, "event_type", "") != "recovery"
    if label == "preservation.PremisEvent" and routine:  # every check is a PREMIS event: keep failures, repairs
        return None
    return action


def on_pre_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None or instance._state.adding or not _outside_web():
        return
    if _action_of(sender, instance) is not None:
        setattr(instance, _BEFORE, services.digest_of(instance))


def on_post_save(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if raw or sender._meta.label == "audit.AuditEntry":
        return
    context = audit_context.current()
    if context is not None:
        if context.unsafe:
            context.note_row(sender._meta.label_lower, instance.pk, "tao" if created else "sua", instance)
        return
    if not _outside_web():
        return
    action = _action_of(sender, instance)
    if action is not None:
        before = "" if created else getattr(instance, _BEFORE, "")
        services.record(
            f"{action}.{'tao' if created else 'sua'}", obj=instance, before=before, actor=_on_behalf_of(instance)
        )


def on_post_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if sender._meta.label == "audit.AuditEntry":
        return
    context = audit_context.current()
    if context is not None:
        if context.unsafe:
            context.note_row(sender._meta.label_lower, instance.pk, "xoa")
        return
    if not _outside_web():
        return
    action = _action_of(sender, instance)
    if action is not None:
        services.record(
            f"{action}.xoa",
            obj=None,
            detail={
                "doi_tuong": services.object_type(instance),
                "ma": str(instance.pk),
                "ten": services.label_of(instance),
            },
        )


def on_m2m_changed(sender: Any, instance: Any, action: str, model: Any, pk_set: Any, **kwargs: Any) -> None:
    context = audit_context.current()
    if context is None or not context.unsafe or not action.startswith("post_"):
        return
    context.note_row(instance._meta.label_lower, instance.pk, f"lien_ket_{model._meta.model_name}")


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    context = audit_context.current()
    if context is None or not context.unsafe:  # a login form sent; not a test's force_login
        return
    target = registry.CHANGES.get(context.route)
    if target is not None and target.model:  # a login inside another action (registration): that action's entry
        context.detail["dang_nhap"] = user.get_username()
        return
    context.annotate(action="dang_nhap", obj=user)


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    context = audit_context.current()
    if context is not None and context.unsafe and user is not None:
        context.annotate(action="dang_xuat", obj=user)


def connect() -> None:
    pre_save.connect(on_pre_save, dispatch_uid="khoso.audit.pre_save")
    post_save.connect(on_post_save, dispatch_uid="khoso.audit.post_save")
    post_delete.connect(on_post_delete, dispatch_uid="khoso.audit.post_delete")
    m2m_changed.connect(on_m2m_changed, dispatch_uid="khoso.audit.m2m_changed")
    user_logged_in.connect(on_logged_in, dispatch_uid="khoso.audit.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="khoso.audit.logged_out")
