"""Changes of access rights, four-eyes (NĐ 30/2020/NĐ-CP, Phụ lục VI), and locks on sets of files.

A change of an access regime never takes effect when it is proposed: ``propose_*`` records an
:class:`AccessChange` with the state the proposer saw (``before``) and the state asked for
(``after``). ``confirm`` by a second authorised person applies it in one transaction, with the
change and its target locked (``select_for_update``), and only while the target still is as the
proposer saw it; ``reject`` closes it with a note. The archive services refuse a direct change of a
file's or a document's access mode or secret class: they accept one only from :func:`confirm`
(checked through :func:`check_applying`).

Locks take effect at once (holding material still is the safe direction); unlocking is a change
like the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from khoso.access.errors import AccessChangeError, LockedError
from khoso.access.models import AccessChange, FileLock, FondsGrant, Restriction
from khoso.access.selectors import SECRET, _active, allowed_modes, is_secret, lock_covering, visible_fonds_ids
from khoso.archive.models import ArchiveFile, Box, Document, Fonds, Inventory, Vocabulary, VocabularyKind
from khoso.core.errors import PermissionDeniedError
from khoso.core.text import nfc

Kind = AccessChange.Kind
PROPOSE = "access.propose_access_change"
CONFIRM = "access.confirm_access_change"
MANAGE_GRANTS = "access.manage_grants"
LOCK = "access.add_filelock"
#: kinds about people rather than material: proposing and confirming them needs MANAGE_GRANTS too
PEOPLE_KINDS = {Kind.GRANT, Kind.ROLE}

_applying: ContextVar[AccessChange | None] = ContextVar("khoso_access_change_applying", default=None)


# -- checks shared by proposals and decisions -------------------------------------------------------


def _id(value: int | None) -> int:
    """A target id a change of this kind always has (the row was saved with it)."""
    if value is None:
        raise AccessChangeError("đề nghị thiếu đối tượng.", "the proposal has no target.")
    return value


def _require(user: Any, *permissions: str) -> None:
    if not _active(user) or not all(user.has_perm(permission) for permission in permissions):  # type: ignore[attr-defined]
        raise PermissionDeniedError()


def _require_fonds(user: Any, fonds_id: int | None) -> None:
    if fonds_id is None:
        return
    visible = visible_fonds_ids(user)
    if visible is not None and fonds_id not in visible:
        raise PermissionDeniedError()


def _require_sees(user: Any, *, mode: str, secret_class: str = "") -> None:
    """Secret material (mode 03 or a secret class) is decided only by people who may see it."""
    if is_secret(mode, secret_class) and SECRET not in allowed_modes(user):
        raise PermissionDeniedError()


def _text(value: str, label: str, *, required: bool = True) -> str:
    value = nfc(value or "").strip()
    if required and not value:
        raise AccessChangeError(f"{label}: bắt buộc.", f"{label}: required.")
    if len(value) > 1000:
        raise AccessChangeError(f"{label}: tối đa 1000 ký tự.", f"{label}: at most 1000 characters.")
    return value


def _vocabulary(kind: str, code: str, label: str) -> None:
    if not Vocabulary.objects.filter(kind=kind, code=code, active=True).exists():
        allowed = ", ".join(Vocabulary.objects.filter(kind=kind, active=True).values_list("code", flat=True))
        raise AccessChangeError(
            f"{label}: mã «{code}» không có trong danh mục {kind} (các mã hợp lệ: {allowed}).",
            f"{label}: code {code!r} is not in vocabulary {kind}.",
        )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _user_label(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _propose(
    *, kind: str, target_key: str, before: dict, after: dict, reason: str, by: Any, **targets: Any
) -> AccessChange:
    if before == after:
        raise AccessChangeError("đề nghị không thay đổi gì so với hiện trạng.", "the proposal changes nothing.")
    change = AccessChange(
        kind=kind,
        target_key=target_key,
        before=before,
        after=after,
        reason=_text(reason, "Lý do"),
        proposed_by=by,
        **targets,
    )
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError as error:  # access_change_one_pending
        raise AccessChangeError(
            "đối tượng này đã có một đề nghị đang chờ xác nhận; hãy xác nhận hoặc từ chối đề nghị đó trước "
            "(tránh hai thay đổi xung đột).",
            "this target already has a pending proposal; decide it first.",
        ) from error
    return change


# -- the state of a target, as proposals record it and confirmation compares it ---------------------


def _file_state(archive_file: ArchiveFile) -> dict[str, Any]:
    return {"mode": archive_file.mode}


def _document_state(document: Document) -> dict[str, Any]:
    return {"mode": document.mode, "secret_class": document.secret_class}


def _restriction_state(restriction: Restriction | None) -> dict[str, Any]:
    if restriction is None:
        return {"exists": False}
    return {"start_date": _iso(restriction.start_date), "end_date": _iso(restriction.end_date)}


def _grant_state(user_id: int, fonds_id: int) -> dict[str, Any]:
    grant = FondsGrant.objects.filter(user_id=user_id, fonds_id=fonds_id).first()
    return {"granted": grant is not None, "can_edit": bool(grant and grant.can_edit)}


def _role_state(user_id: int, group_id: int) -> dict[str, Any]:
    return {"member": get_user_model().objects.filter(pk=user_id, groups__pk=group_id).exists()}


def _lock_state(lock: FileLock) -> dict[str, Any]:
    return {"active": lock.released_at is None}


def _current_state(change: AccessChange) -> dict[str, Any]:
    """The target's state now, its row locked until the transaction ends."""
    kind = change.kind
    if kind == Kind.FILE_ACCESS:
        return _file_state(ArchiveFile.objects.select_for_update().get(pk=_id(change.file_id)))
    if kind == Kind.DOCUMENT_ACCESS:
        return _document_state(Document.objects.select_for_update().get(pk=_id(change.document_id)))
    if kind == Kind.RESTRICTION_ADD:
        return {}
    if kind in (Kind.RESTRICTION_CHANGE, Kind.RESTRICTION_END):
        restriction = Restriction.objects.select_for_update().filter(pk=_id(change.restriction_id)).first()
        return _restriction_state(restriction)
    if kind == Kind.GRANT:
        get_user_model().objects.select_for_update().get(pk=_id(change.subject_id))
        return _grant_state(_id(change.subject_id), _id(change.fonds_id))
    if kind == Kind.ROLE:
        get_user_model().objects.select_for_update().get(pk=_id(change.subject_id))
        return _role_state(_id(change.subject_id), _id(change.group_id))
    if kind == Kind.UNLOCK:
        return _lock_state(FileLock.objects.select_for_update().get(pk=_id(change.lock_id)))
    raise AccessChangeError(f"loại thay đổi «{kind}» không được hỗ trợ.", f"unsupported kind {kind}.")


# -- proposals --------------------------------------------------------------------------------------


def propose_file_access(*, archive_file: ArchiveFile, mode: str, reason: str, by: Any) -> AccessChange:
    """Propose a new access mode (01/02/03) for a file."""
    _require(by, PROPOSE)
    archive_file = ArchiveFile.objects.get(pk=archive_file.pk)  # the state as stored, not as once read
    _require_fonds(by, archive_file.fonds_id)
    _require_sees(by, mode=archive_file.mode)
    _vocabulary(VocabularyKind.MODE, mode, "Chế độ sử dụng")
    return _propose(
        kind=Kind.FILE_ACCESS,
        target_key=f"ho_so:{archive_file.pk}",
        before=_file_state(archive_file),
        after={"mode": mode},
        reason=reason,
        by=by,
        fonds_id=archive_file.fonds_id,
        file=archive_file,
    )


def propose_document_access(
    *, document: Document, reason: str, by: Any, mode: str | None = None, secret_class: str | None = None
) -> AccessChange:
    """Propose a new access mode and/or secret class ('' = none) for a document."""
    _require(by, PROPOSE)
    document = Document.objects.select_related("file").get(pk=document.pk)
    archive_file = document.file
    _require_fonds(by, archive_file.fonds_id)
    _require_sees(by, mode=effective_mode_of(document))
    after = _document_state(document)
    if mode is not None:
        _vocabulary(VocabularyKind.MODE, mode, "Chế độ sử dụng")
        after["mode"] = mode
    if secret_class is not None:
        if secret_class:
            _vocabulary(VocabularyKind.SECRET_CLASS, secret_class, "Độ mật")
        after["secret_class"] = secret_class
    return _propose(
        kind=Kind.DOCUMENT_ACCESS,
        target_key=f"tai_lieu:{document.pk}",
        before=_document_state(document),
        after=after,
        reason=reason,
        by=by,
        fonds_id=archive_file.fonds_id,
        file=archive_file,
        document=document,
    )


def effective_mode_of(document: Document) -> str:
    from khoso.access.selectors import effective_mode

    return effective_mode(document.file.mode, document.mode, document.secret_class)


def _check_dates(start: date, end: date | None) -> None:
    if end is not None and end < start:
        raise AccessChangeError(
            f"ngày kết thúc hạn chế ({end:%d/%m/%Y}) phải sau hoặc bằng ngày bắt đầu ({start:%d/%m/%Y}).",
            "the end date must not be before the start date.",
        )


def propose_restriction_add(
    *,
    fonds: Fonds,
    reason: str,
    start_date: date,
    by: Any,
    end_date: date | None = None,
    archive_file: ArchiveFile | None = None,
    document: Document | None = None,
) -> AccessChange:
    """Propose a new entry of the restricted-use list: the whole fonds, one file or one document.
    ``reason`` becomes the entry's reason."""
    _require(by, PROPOSE)
    _require_fonds(by, fonds.pk)
    if document is not None:
        archive_file = document.file
        _require_sees(by, mode=effective_mode_of(document))
    if archive_file is not None:
        if archive_file.fonds_id != fonds.pk:
            raise AccessChangeError("hồ sơ không thuộc phông đã chọn.", "the file is not in that fonds.")
        _require_sees(by, mode=archive_file.mode)
    _check_dates(start_date, end_date)
    reason = _text(reason, "Lý do hạn chế")
    if len(reason) > 500:
        raise AccessChangeError("Lý do hạn chế: tối đa 500 ký tự.", "reason: at most 500 characters.")
    target = f"d{document.pk}" if document else (f"f{archive_file.pk}" if archive_file else "")
    return _propose(
        kind=Kind.RESTRICTION_ADD,
        target_key=f"han_che_them:{fonds.pk}:{target}",
        before={},
        after={
            "file_id": archive_file.pk if archive_file else None,
            "document_id": document.pk if document else None,
            "reason": reason,
            "start_date": start_date.isoformat(),
            "end_date": _iso(end_date),
        },
        reason=reason,
        by=by,
        fonds=fonds,
        file=archive_file,
        document=document,
    )


def _restriction_targets(restriction: Restriction, by: Any) -> dict[str, Any]:
    _require(by, PROPOSE)
    restriction.refresh_from_db()
    _require_fonds(by, restriction.fonds_id)
    if restriction.document_id:
        _require_sees(by, mode=effective_mode_of(restriction.document))  # type: ignore[arg-type]
    elif restriction.file_id:
        _require_sees(by, mode=restriction.file.mode)  # type: ignore[union-attr]
    return {
        "fonds_id": restriction.fonds_id,
        "file_id": restriction.file_id,
        "document_id": restriction.document_id,
        "restriction": restriction,
    }


def propose_restriction_change(
    *, restriction: Restriction, start_date: date, end_date: date | None, reason: str, by: Any
) -> AccessChange:
    """Propose other dates for an entry of the restricted-use list."""
    targets = _restriction_targets(restriction, by)
    _check_dates(start_date, end_date)
    return _propose(
        kind=Kind.RESTRICTION_CHANGE,
        target_key=f"han_che:{restriction.pk}",
        before=_restriction_state(restriction),
        after={"start_date": start_date.isoformat(), "end_date": _iso(end_date)},
        reason=reason,
        by=by,
        **targets,
    )


def propose_restriction_end(*, restriction: Restriction, reason: str, by: Any) -> AccessChange:
    """Propose to end an entry early: once confirmed its material opens the same day."""
    targets = _restriction_targets(restriction, by)
    return _propose(
        kind=Kind.RESTRICTION_END,
        target_key=f"han_che:{restriction.pk}",
        before=_restriction_state(restriction),
        after={"ended": True},
        reason=reason,
        by=by,
        **targets,
    )


def propose_grant(*, user: Any, fonds: Fonds, granted: bool, can_edit: bool, reason: str, by: Any) -> AccessChange:
    """Propose to give (``granted``) or take away a user's grant on a fonds, or change its edit right."""
    _require(by, PROPOSE, MANAGE_GRANTS)
    _require_fonds(by, fonds.pk)
    return _propose(
        kind=Kind.GRANT,
        target_key=f"quyen_phong:{user.pk}:{fonds.pk}",
        before=_grant_state(user.pk, fonds.pk),
        after={"granted": granted, "can_edit": bool(granted and can_edit)},
        reason=reason,
        by=by,
        fonds=fonds,
        subject=user,
    )


def propose_role(*, user: Any, group: Group, member: bool, reason: str, by: Any) -> AccessChange:
    """Propose to add a user to a role (a group) or to take them out of it."""
    _require(by, PROPOSE, MANAGE_GRANTS)
    return _propose(
        kind=Kind.ROLE,
        target_key=f"vai_tro:{user.pk}:{group.pk}",
        before=_role_state(user.pk, group.pk),
        after={"member": member},
        reason=reason,
        by=by,
        subject=user,
        group=group,
    )


def propose_unlock(*, lock: FileLock, reason: str, by: Any) -> AccessChange:
    _require(by, PROPOSE)
    lock = FileLock.objects.get(pk=lock.pk)
    _require_fonds(by, lock.fonds_id)
    return _propose(
        kind=Kind.UNLOCK,
        target_key=f"khoa:{lock.pk}",
        before=_lock_state(lock),
        after={"active": False},
        reason=reason,
        by=by,
        fonds_id=lock.fonds_id,
        lock=lock,
    )


# -- decisions --------------------------------------------------------------------------------------


def _require_decider(change: AccessChange, by: Any) -> None:
    _require(by, CONFIRM, *([MANAGE_GRANTS] if change.kind in PEOPLE_KINDS else []))
    _require_fonds(by, change.fonds_id)
    if change.document_id:
        _require_sees(by, mode=effective_mode_of(change.document))  # type: ignore[arg-type]
    elif change.file_id:
        _require_sees(by, mode=change.file.mode)  # type: ignore[union-attr]
    if by.pk == change.proposed_by_id:
        raise AccessChangeError(
            f"người xác nhận phải là người thứ hai, khác người đề nghị ({_user_label(by)}) — nguyên tắc bốn mắt.",
            "the confirming person must not be the one who proposed the change (four-eyes).",
        )
    if change.subject_id is not None and by.pk == change.subject_id:
        raise AccessChangeError(
            "không được tự quyết định thay đổi quyền của chính mình.",
            "nobody decides a change of their own rights.",
        )


def _locked_pending(change: AccessChange) -> AccessChange:
    # of=self: PostgreSQL cannot lock the nullable side of the outer joins select_related makes
    pending = AccessChange.objects.select_for_update(of=("self",)).select_related("file", "document__file")
    change = pending.get(pk=change.pk)
    if change.status != AccessChange.Status.PENDING:
        raise AccessChangeError(
            f"đề nghị số {change.pk} đã được quyết định ({change.get_status_display().lower()}).",
            f"proposal {change.pk} was already decided.",
        )
    return change


@transaction.atomic
def confirm(*, change: AccessChange, by: Any, note: str = "") -> AccessChange:
    """The second person confirms: the change takes effect now, or not at all."""
    change = _locked_pending(change)
    _require_decider(change, by)
    current = _current_state(change)
    if current != change.before:
        raise AccessChangeError(
            f"đối tượng đã thay đổi sau khi đề nghị (lúc đề nghị: {_shown(change.before)}; nay: {_shown(current)}). "
            "Hãy từ chối đề nghị này và lập đề nghị mới.",
            "the target changed after the proposal; reject it and propose again.",
        )
    now = timezone.now()
    change.status = AccessChange.Status.CONFIRMED
    change.decided_by = by
    change.decided_at = now
    change.decision_note = _text(note, "Ghi chú", required=False)
    token = _applying.set(change)
    try:
        APPLY[change.kind](change)
    finally:
        _applying.reset(token)
    change.applied_at = now
    change.save()
    return change


@transaction.atomic
def reject(*, change: AccessChange, by: Any, note: str) -> AccessChange:
    """The second person refuses the change; a note says why. Nothing changes."""
    change = _locked_pending(change)
    _require_decider(change, by)
    change.status = AccessChange.Status.REJECTED
    change.decided_by = by
    change.decided_at = timezone.now()
    change.decision_note = _text(note, "Lý do từ chối")
    change.save()
    return change


def _shown(state: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(state.items())) or "—"


def check_applying(change: Any, *, target: ArchiveFile | Document, values: dict[str, Any]) -> bool:
    """Whether ``change`` is the confirmed change being applied right now to ``target`` with ``values``.

    The archive services call this before writing an access mode or secret class."""
    current = _applying.get()
    if change is None or current is None or change is not current:
        return False
    if change.status != AccessChange.Status.CONFIRMED or change.decided_by_id in (None, change.proposed_by_id):
        return False
    if isinstance(target, Document):
        if change.kind != Kind.DOCUMENT_ACCESS or change.document_id != target.pk:
            return False
    elif change.kind != Kind.FILE_ACCESS or change.file_id != target.pk:
        return False
    return all(change.after.get(key) == value for key, value in values.items())


# -- applying a confirmed change (inside ``confirm``'s transaction) ----------------------------------


def _apply_file(change: AccessChange) -> None:
    from khoso.archive.services import file_update

    archive_file = ArchiveFile.objects.get(pk=_id(change.file_id))
    file_update(archive_file=archive_file, mode=change.after["mode"], access_change=change)


def _apply_document(change: AccessChange) -> None:
    from khoso.archive.services import document_update

    document = Document.objects.get(pk=_id(change.document_id))
    values = {key: change.after[key] for key in ("mode", "secret_class") if change.after[key] != change.before[key]}
    document_update(document=document, access_change=change, **values)


def _apply_restriction_add(change: AccessChange) -> None:
    after = change.after
    restriction = Restriction.objects.create(
        fonds_id=_id(change.fonds_id),
        file_id=after["file_id"],
        document_id=after["document_id"],
        reason=after["reason"],
        start_date=date.fromisoformat(after["start_date"]),
        end_date=_date(after["end_date"]),
        created_by=change.proposed_by,
    )
    change.restriction = restriction


def _apply_restriction_change(change: AccessChange) -> None:
    Restriction.objects.filter(pk=_id(change.restriction_id)).update(
        start_date=_date(change.after["start_date"]), end_date=_date(change.after["end_date"])
    )


def _apply_restriction_end(change: AccessChange) -> None:
    """The entry ends yesterday (its material opens today); one that has not begun yet goes away."""
    restriction = Restriction.objects.get(pk=_id(change.restriction_id))
    yesterday = timezone.localdate() - timedelta(days=1)
    if restriction.start_date <= yesterday:
        restriction.end_date = yesterday
        restriction.save(update_fields=["end_date"])
    else:
        restriction.delete()  # the changes about it keep its dates in ``before``
        change.restriction = None


def _apply_grant(change: AccessChange) -> None:
    if change.after["granted"]:
        FondsGrant.objects.update_or_create(
            user_id=_id(change.subject_id),
            fonds_id=_id(change.fonds_id),
            defaults={"can_edit": change.after["can_edit"]},
        )
    else:
        FondsGrant.objects.filter(user_id=_id(change.subject_id), fonds_id=_id(change.fonds_id)).delete()


def _apply_role(change: AccessChange) -> None:
    user = get_user_model().objects.get(pk=_id(change.subject_id))
    if change.after["member"]:
        user.groups.add(_id(change.group_id))
    else:
        user.groups.remove(_id(change.group_id))


def _apply_unlock(change: AccessChange) -> None:
    FileLock.objects.filter(pk=_id(change.lock_id)).update(released_at=timezone.now())


APPLY: dict[str, Callable[[AccessChange], None]] = {
    Kind.FILE_ACCESS: _apply_file,
    Kind.DOCUMENT_ACCESS: _apply_document,
    Kind.RESTRICTION_ADD: _apply_restriction_add,
    Kind.RESTRICTION_CHANGE: _apply_restriction_change,
    Kind.RESTRICTION_END: _apply_restriction_end,
    Kind.GRANT: _apply_grant,
    Kind.ROLE: _apply_role,
    Kind.UNLOCK: _apply_unlock,
}


# -- locks --------------------------------------------------------------------------------------------


@transaction.atomic
def lock_files(
    *,
    fonds: Fonds,
    scope: str,
    reason: str,
    by: Any,
    inventory: Inventory | None = None,
    box: Box | None = None,
    files: Sequence[ArchiveFile] = (),
) -> FileLock:
    """Lock a whole fonds, one inventory, one box or chosen files against edit, move and delete."""
    _require(by, LOCK)
    _require_fonds(by, fonds.pk)
    scope = FileLock.Scope(scope)
    if scope == FileLock.Scope.INVENTORY and (inventory is None or inventory.fonds_id != fonds.pk):
        raise AccessChangeError("hãy chọn một mục lục của phông này.", "choose an inventory of this fonds.")
    if scope == FileLock.Scope.BOX and (box is None or box.fonds_id != fonds.pk):
        raise AccessChangeError("hãy chọn một hộp của phông này.", "choose a box of this fonds.")
    if scope == FileLock.Scope.FILES:
        if not files:
            raise AccessChangeError("hãy chọn ít nhất một hồ sơ để khóa.", "choose at least one file.")
        strangers = [f.file_code for f in files if f.fonds_id != fonds.pk]
        if strangers:
            raise AccessChangeError(
                f"hồ sơ {', '.join(strangers)} không thuộc phông {fonds.code}.", "files outside the fonds."
            )
    lock = FileLock.objects.create(
        scope=scope,
        fonds=fonds,
        inventory=inventory if scope == FileLock.Scope.INVENTORY else None,
        box=box if scope == FileLock.Scope.BOX else None,
        reason=_text(reason, "Lý do khóa"),
        locked_by=by,
    )
    if scope == FileLock.Scope.FILES:
        lock.files.set(files)
    return lock


def check_unlocked(archive_file: ArchiveFile, *, box_id: int | None = None, inventory_id: int | None = None) -> None:
    """Refuse (``LockedError``) an edit, move or delete of a file that an active lock holds."""
    lock = lock_covering(archive_file, box_id=box_id, inventory_id=inventory_id)
    if lock is not None:
        raise LockedError(file_code=archive_file.file_code, lock_id=lock.pk, scope=lock.describe(), reason=lock.reason)


def propose_from_entry(*, target: ArchiveFile | Document, mode: str, by: Any, reason: str) -> AccessChange | None:
    """The cataloguing entry pass verified an access mode that differs from the archive's: record it as a
    proposal in the checker's name (a proposal grants nothing; a second authorised person decides).
    A target with a pending proposal already keeps that one (None is returned)."""
    if isinstance(target, Document):
        kind, key, fields = Kind.DOCUMENT_ACCESS, f"tai_lieu:{target.pk}", {"document": target, "file": target.file}
        before = _document_state(target)
        fonds_id = target.file.fonds_id
    else:
        kind, key, fields = Kind.FILE_ACCESS, f"ho_so:{target.pk}", {"file": target}
        before = _file_state(target)
        fonds_id = target.fonds_id
    if AccessChange.objects.filter(target_key=key, status=AccessChange.Status.PENDING).exists():
        return None
    return _propose(
        kind=kind,
        target_key=key,
        before=before,
        after={**before, "mode": mode},
        reason=reason,
        by=by,
        fonds_id=fonds_id,
        **fields,
    )
