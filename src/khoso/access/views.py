"""Pages of access rights (/quyen-truy-cap/): proposals, the second person's decision, the restricted-use
list, roles and fonds grants of people, and locks.

Deny by default: a page needs the right for it (403 otherwise); material the user may not see is 404,
like material that does not exist. Every change of rights is a proposal here; it takes effect only
when another authorised person confirms it (NĐ 30/2020/NĐ-CP, Phụ lục VI).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from khoso.access import selectors, services
from khoso.access.forms import (
    DecisionForm,
    DocumentAccessForm,
    FileAccessForm,
    GrantForm,
    LockForm,
    ReasonForm,
    RestrictionAddForm,
    RestrictionDatesForm,
    RoleForm,
)
from khoso.access.models import AccessChange, FondsGrant, Restriction
from khoso.access.roles import role_names
from khoso.archive import selectors as archive_selectors
from khoso.archive.models import ArchiveFile, Box, Document, Fonds, Inventory, Vocabulary
from khoso.core.errors import NotFoundError
from khoso.web.actions import run_service

PROPOSE, CONFIRM, MANAGE, LOCK = services.PROPOSE, services.CONFIRM, services.MANAGE_GRANTS, services.LOCK
RECENT = 50


def _need_any(request: HttpRequest, *permissions: str) -> None:
    if not any(request.user.has_perm(permission) for permission in permissions):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


def _file_or_404(request: HttpRequest, file_code: str) -> ArchiveFile:
    try:
        return archive_selectors.file_get(user=request.user, file_code=file_code)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _visible_documents(request: HttpRequest) -> Any:
    live = Document.objects.filter(deleted_at__isnull=True, file__deleted_at__isnull=True)
    return selectors.restrict_documents(live, request.user).select_related("file", "file__fonds")


def _document_or_404(request: HttpRequest, document_id: int) -> Document:
    document = _visible_documents(request).filter(pk=document_id).first()
    if document is None:
        raise Http404(_("Không tìm thấy tài liệu này."))
    return document


def _change_or_404(request: HttpRequest, change_id: int) -> AccessChange:
    change = selectors.changes_visible(request.user).filter(pk=change_id).first()
    if change is None:
        raise Http404(_("Không tìm thấy đề nghị này."))
    return change


def _visible_fonds(request: HttpRequest) -> Any:
    return archive_selectors.fonds_list(user=request.user).order_by("code")


def _labels() -> dict[tuple[str, str], str]:
    return {(kind, code): label for kind, code, label in Vocabulary.objects.values_list("kind", "code", "label_vi")}


def _value(key: str, value: Any, labels: dict[tuple[str, str], str]) -> str:
    if value in (None, ""):
        return {"secret_class": _("không mật"), "end_date": _("không thời hạn")}.get(key, "—")
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if key == "mode":
        return f"{value} – {labels.get(('mode', value), '?')}"
    if key == "secret_class":
        return labels.get(("secretClass", value), value)
    if key.endswith("_date"):
        year, month, day = str(value).split("-")
        return f"{day}/{month}/{year}"
    return str(value)


FIELD_LABELS = {
    "mode": "Chế độ sử dụng",
    "secret_class": "Độ mật",
    "start_date": "Từ ngày",
    "end_date": "Đến hết ngày",
    "granted": "Có quyền trên phông",
    "can_edit": "Được sửa",
    "member": "Thuộc vai trò",
    "active": "Đang khóa",
    "ended": "Kết thúc sớm",
    "reason": "Lý do hạn chế",
}


def describe(change: AccessChange, labels: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """A change for the pages: its target in words and its before → after lines."""
    labels = labels if labels is not None else _labels()
    if change.document_id:
        target = _("Tài liệu %(code)s") % {"code": change.document.doc_code}  # type: ignore[union-attr]
    elif change.file_id:
        target = _("Hồ sơ %(code)s") % {"code": change.file.file_code}  # type: ignore[union-attr]
    elif change.lock_id:
        target = str(change.lock)
    elif change.subject_id:
        who = change.subject.get_username()  # type: ignore[union-attr]
        what = change.group.name if change.group_id else change.fonds.code  # type: ignore[union-attr]
        target = f"{who} – {what}"
    else:
        target = _("Phông %(code)s") % {"code": change.fonds.code} if change.fonds_id else "—"  # type: ignore[union-attr]
    lines = []
    for key in [k for k in change.after if k not in ("file_id", "document_id")]:
        before, after = change.before.get(key), change.after.get(key)
        if key in change.before and before == after:
            continue
        lines.append(
            {
                "label": FIELD_LABELS.get(key, key),
                "before": _value(key, before, labels) if key in change.before else "—",
                "after": _value(key, after, labels),
            }
        )
    return {"change": change, "target": target, "lines": lines}


def _may_decide(request: HttpRequest, change: AccessChange) -> bool:
    user = request.user
    if change.status != AccessChange.Status.PENDING or user.pk in (change.proposed_by_id, change.subject_id):
        return False
    needed = [CONFIRM, *([MANAGE] if change.kind in services.PEOPLE_KINDS else [])]
    return all(user.has_perm(permission) for permission in needed)


# -- changes and decisions ----------------------------------------------------------------------------


@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    _need_any(request, PROPOSE, CONFIRM, MANAGE)
    labels = _labels()
    visible = selectors.changes_visible(request.user)
    pending = [describe(change, labels) for change in visible.filter(status=AccessChange.Status.PENDING)]
    decided = [describe(change, labels) for change in visible.exclude(status=AccessChange.Status.PENDING)[:RECENT]]
    for row in pending:
        row["may_decide"] = _may_decide(request, row["change"])
    return render(request, "access/changes.html", {"pending": pending, "decided": decided})


@require_GET
def change_detail(request: HttpRequest, change_id: int) -> HttpResponse:
    _need_any(request, PROPOSE, CONFIRM, MANAGE)
    change = _change_or_404(request, change_id)
    context = describe(change)
    context.update({"may_decide": _may_decide(request, change), "form": DecisionForm()})
    return render(request, "access/change.html", context)


def _decide(request: HttpRequest, change_id: int, decision: str) -> HttpResponse:
    _need_any(request, CONFIRM)
    change = _change_or_404(request, change_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if decision == "confirm":
        run_service(
            request,
            lambda: services.confirm(change=change, by=request.user, note=note),
            _("Đã xác nhận đề nghị số %(id)s; thay đổi có hiệu lực.") % {"id": change.pk},
        )
    else:
        run_service(
            request,
            lambda: services.reject(change=change, by=request.user, note=note),
            _("Đã từ chối đề nghị số %(id)s.") % {"id": change.pk},
        )
    return redirect("access_change_detail", change_id=change.pk)


@require_POST
def change_confirm(request: HttpRequest, change_id: int) -> HttpResponse:
    return _decide(request, change_id, "confirm")


@require_POST
def change_reject(request: HttpRequest, change_id: int) -> HttpResponse:
    return _decide(request, change_id, "reject")


def _proposed(request: HttpRequest, change: AccessChange) -> HttpResponse:
    return redirect("access_change_detail", change_id=change.pk)


def _run_proposal(request: HttpRequest, action: Any) -> AccessChange | None:
    made: list[AccessChange] = []

    def run() -> AccessChange:
        made.append(action())
        return made[0]

    ok = run_service(
        request,
        run,
        lambda change: (
            _("Đã lập đề nghị số %(id)s; thay đổi chỉ có hiệu lực khi người thứ hai xác nhận.") % {"id": change.pk}
        ),
    )
    return made[0] if ok else None


# -- access mode and secret class of a file or a document --------------------------------------------


def _pending_for(request: HttpRequest, **filters: Any) -> list[dict[str, Any]]:
    labels = _labels()
    pending = selectors.pending_changes(request.user).filter(**filters)
    return [describe(change, labels) for change in pending]


@require_http_methods(["GET", "POST"])
def file_access(request: HttpRequest, file_code: str) -> HttpResponse:
    archive_file = _file_or_404(request, file_code)
    _need_any(request, PROPOSE)
    form = FileAccessForm(request.POST or None, initial={"mode": archive_file.mode})
    if request.method == "POST" and form.is_valid():
        change = _run_proposal(
            request,
            lambda: services.propose_file_access(
                archive_file=archive_file,
                mode=form.cleaned_data["mode"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            ),
        )
        if change is not None:
            return _proposed(request, change)
    context = {
        "file": archive_file,
        "form": form,
        "pending": _pending_for(request, file=archive_file),
        "lock": selectors.lock_covering(archive_file),
        "restrictions": Restriction.objects.filter(file=archive_file, document__isnull=True),
        "documents": _visible_documents(request).filter(file=archive_file).order_by("ordinal"),
        "mode_label": _value("mode", archive_file.mode, _labels()),
    }
    return render(request, "access/file.html", context, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
def document_access(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_or_404(request, document_id)
    _need_any(request, PROPOSE)
    form = DocumentAccessForm(
        request.POST or None, initial={"mode": document.mode, "secret_class": document.secret_class}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change = _run_proposal(
            request,
            lambda: services.propose_document_access(
                document=document,
                mode=data["mode"],
                secret_class=data["secret_class"],
                reason=data["reason"],
                by=request.user,
            ),
        )
        if change is not None:
            return _proposed(request, change)
    labels = _labels()
    context = {
        "document": document,
        "file": document.file,
        "form": form,
        "pending": _pending_for(request, document=document),
        "mode_label": _value("mode", document.mode, labels),
        "secret_label": _value("secret_class", document.secret_class, labels),
        "lock": selectors.lock_covering(document.file),
    }
    return render(request, "access/document.html", context, status=400 if form.is_bound else 200)


# -- the restricted-use list --------------------------------------------------------------------------


def _visible_restrictions(request: HttpRequest) -> Any:
    rows = Restriction.objects.select_related("fonds", "file", "document").order_by("fonds__code", "start_date")
    rows = selectors.restrict(rows, request.user, mode_field=None)
    if selectors.SECRET not in selectors.allowed_modes(request.user):
        rows = rows.exclude(file__mode=selectors.SECRET).exclude(
            document__in=selectors.withheld_documents(request.user)
        )
    return rows


def _restriction_or_404(request: HttpRequest, restriction_id: int) -> Restriction:
    restriction = _visible_restrictions(request).filter(pk=restriction_id).first()
    if restriction is None:
        raise Http404(_("Không tìm thấy mục hạn chế này."))
    return restriction


@require_GET
def restriction_list(request: HttpRequest) -> HttpResponse:
    _need_any(request, PROPOSE, CONFIRM)
    fonds_list = list(_visible_fonds(request))
    pending_keys = set(
        selectors.pending_changes(request.user)
        .filter(restriction__isnull=False)
        .values_list("restriction_id", flat=True)
    )
    context = {
        "restrictions": _visible_restrictions(request),
        "pending_ids": pending_keys,
        "add_form": RestrictionAddForm(fonds_list=fonds_list),
        "may_propose": request.user.has_perm(PROPOSE),
    }
    return render(request, "access/restrictions.html", context)


@require_POST
def restriction_add(request: HttpRequest) -> HttpResponse:
    _need_any(request, PROPOSE)
    form = RestrictionAddForm(request.POST, fonds_list=list(_visible_fonds(request)))
    if not form.is_valid():
        return render(
            request,
            "access/restrictions.html",
            {
                "restrictions": _visible_restrictions(request),
                "add_form": form,
                "may_propose": True,
                "pending_ids": set(),
            },
            status=400,
        )
    data = form.cleaned_data
    fonds = _visible_fonds(request).get(pk=data["fonds"])
    archive_file = document = None
    if data["target"]:
        document = _visible_documents(request).filter(doc_code=data["target"], file__fonds=fonds).first()
        if document is None:
            archive_file = (
                archive_selectors.file_list(user=request.user, fonds_id=fonds.pk)
                .filter(file_code=data["target"])
                .first()
            )
            if archive_file is None:
                raise Http404(_("Không tìm thấy hồ sơ hoặc tài liệu này trong phông."))
    change = _run_proposal(
        request,
        lambda: services.propose_restriction_add(
            fonds=fonds,
            archive_file=archive_file,
            document=document,
            reason=data["reason"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            by=request.user,
        ),
    )
    return _proposed(request, change) if change is not None else redirect("access_restriction_list")


@require_POST
def restriction_change(request: HttpRequest, restriction_id: int) -> HttpResponse:
    _need_any(request, PROPOSE)
    restriction = _restriction_or_404(request, restriction_id)
    form = RestrictionDatesForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("access_restriction_list")
    data = form.cleaned_data
    change = _run_proposal(
        request,
        lambda: services.propose_restriction_change(
            restriction=restriction,
            start_date=data["start_date"],
            end_date=data["end_date"],
            reason=data["reason"],
            by=request.user,
        ),
    )
    return _proposed(request, change) if change is not None else redirect("access_restriction_list")


@require_POST
def restriction_end(request: HttpRequest, restriction_id: int) -> HttpResponse:
    _need_any(request, PROPOSE)
    restriction = _restriction_or_404(request, restriction_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    change = _run_proposal(
        request, lambda: services.propose_restriction_end(restriction=restriction, reason=reason, by=request.user)
    )
    return _proposed(request, change) if change is not None else redirect("access_restriction_list")


# -- people: roles and fonds grants -------------------------------------------------------------------


def _person_or_404(user_id: int) -> Any:
    person = get_user_model().objects.filter(pk=user_id).first()
    if person is None:
        raise Http404(_("Không tìm thấy người dùng này."))
    return person


def _roles() -> Any:
    return Group.objects.filter(name__in=role_names()).order_by("name")


@require_GET
def people(request: HttpRequest) -> HttpResponse:
    _need_any(request, MANAGE)
    users = get_user_model().objects.order_by("username").prefetch_related("groups", "fonds_grants__fonds")
    return render(request, "access/people.html", {"people": users})


@require_GET
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    _need_any(request, MANAGE)
    return _person_page(request, _person_or_404(user_id))


def _person_page(request: HttpRequest, subject: Any, *, status: int = 200) -> HttpResponse:
    member_of = set(subject.groups.values_list("pk", flat=True))
    grants = {grant.fonds_id: grant for grant in FondsGrant.objects.filter(user=subject)}
    roles = [
        {"group": group, "member": group.pk in member_of, "form": RoleForm(initial={"group": group.pk})}
        for group in _roles()
    ]
    fonds_rows = []
    for fonds in _visible_fonds(request):
        grant = grants.get(fonds.pk)
        access = "none" if grant is None else ("edit" if grant.can_edit else "view")
        fonds_rows.append(
            {"fonds": fonds, "access": access, "form": GrantForm(initial={"fonds": fonds.pk, "access": access})}
        )
    pending = _pending_for(request, subject=subject)
    context = {"subject": subject, "roles": roles, "fonds_rows": fonds_rows, "pending": pending}
    return render(request, "access/person.html", context, status=status)


def _incomplete_proposal(request: HttpRequest, subject: Any) -> HttpResponse:
    """A proposal form sent without its choices or reason: 400, the person's page with the rule broken."""
    messages.error(request, _("Đề nghị thay đổi phải chọn đối tượng và ghi rõ lý do."))
    return _person_page(request, subject, status=400)


@require_POST
def role_propose(request: HttpRequest, user_id: int) -> HttpResponse:
    _need_any(request, MANAGE)
    subject = _person_or_404(user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _incomplete_proposal(request, subject)
    group = _roles().filter(pk=form.data.get("group")).first()
    if group is None:
        raise Http404(_("Không tìm thấy vai trò này."))
    change = _run_proposal(
        request,
        lambda: services.propose_role(
            user=subject,
            group=group,
            member=form.cleaned_data["member"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        ),
    )
    return _proposed(request, change) if change is not None else redirect("access_person", user_id=subject.pk)


@require_POST
def grant_propose(request: HttpRequest, user_id: int) -> HttpResponse:
    _need_any(request, MANAGE)
    subject = _person_or_404(user_id)
    form = GrantForm(request.POST)
    if not form.is_valid():
        return _incomplete_proposal(request, subject)
    fonds = _visible_fonds(request).filter(pk=form.data.get("fonds")).first()
    if fonds is None:
        raise Http404(_("Không tìm thấy phông này."))
    access = form.cleaned_data["access"]
    change = _run_proposal(
        request,
        lambda: services.propose_grant(
            user=subject,
            fonds=fonds,
            granted=access != "none",
            can_edit=access == "edit",
            reason=form.cleaned_data["reason"],
            by=request.user,
        ),
    )
    return _proposed(request, change) if change is not None else redirect("access_person", user_id=subject.pk)


# -- locks --------------------------------------------------------------------------------------------


def _lock_form(request: HttpRequest, data: Any = None) -> LockForm:
    fonds_list = list(_visible_fonds(request))
    boxes = Box.objects.filter(fonds__in=fonds_list).select_related("fonds")
    return LockForm(data, fonds_list=fonds_list, boxes=boxes)


@require_GET
def lock_list(request: HttpRequest) -> HttpResponse:
    _need_any(request, LOCK, PROPOSE, CONFIRM)
    locks = selectors.locks_visible(request.user).prefetch_related("files")
    pending = set(selectors.pending_changes(request.user).filter(lock__isnull=False).values_list("lock_id", flat=True))
    context = {
        "locks": locks,
        "pending_ids": pending,
        "form": _lock_form(request) if request.user.has_perm(LOCK) else None,
        "may_propose": request.user.has_perm(PROPOSE),
    }
    return render(request, "access/locks.html", context)


@require_POST
def lock_create(request: HttpRequest) -> HttpResponse:
    _need_any(request, LOCK)
    form = _lock_form(request, request.POST)
    if not form.is_valid():
        locks = selectors.locks_visible(request.user)
        return render(request, "access/locks.html", {"locks": locks, "form": form, "pending_ids": set()}, status=400)
    data = form.cleaned_data
    fonds = Fonds.objects.get(pk=data["fonds"])
    inventory = Inventory.objects.filter(fonds=fonds, number=data["inventory"]).first() if data["inventory"] else None
    box = Box.objects.filter(fonds=fonds, pk=data["box"]).first() if data["box"] else None
    codes = form.file_codes()
    files = list(archive_selectors.file_list(user=request.user, fonds_id=fonds.pk).filter(file_code__in=codes))
    missing = set(codes) - {f.file_code for f in files}
    if missing:
        messages.error(request, _("Không tìm thấy hồ sơ: %(codes)s.") % {"codes": ", ".join(sorted(missing))})
        return redirect("access_lock_list")
    run_service(
        request,
        lambda: services.lock_files(
            fonds=fonds,
            scope=data["scope"],
            inventory=inventory,
            box=box,
            files=files,
            reason=data["reason"],
            by=request.user,
        ),
        lambda lock: _("Đã khóa %(what)s (khóa số %(id)s).") % {"what": lock.describe(), "id": lock.pk},
    )
    return redirect("access_lock_list")


@require_POST
def unlock_propose(request: HttpRequest, lock_id: int) -> HttpResponse:
    _need_any(request, PROPOSE)
    lock = selectors.locks_visible(request.user).filter(pk=lock_id).first()
    if lock is None:
        raise Http404(_("Không tìm thấy khóa này."))
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    change = _run_proposal(request, lambda: services.propose_unlock(lock=lock, reason=reason, by=request.user))
    return _proposed(request, change) if change is not None else redirect("access_lock_list")
