"""Writes of catalogue import: keep an uploaded sheet, and commit a previewed one in one transaction.

Every file and document is written through ``khoso.archive.services`` (so each TT 05 rule, lock and
four-eyes guard of the archive applies as it does to a form), and an access mode that differs from
the archive's becomes a proposal a second person confirms, as in the cataloguing entry pass. The
commit re-reads the sheet by its digest and runs the dry run again inside the transaction: it goes on
only when that finds no error and plans exactly what the archivist was shown (the plan digest);
a service refusing a row then rolls back every row before it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from khoso.access.selectors import SECRET, allowed_modes
from khoso.access.services import propose_from_entry
from khoso.archive import services as archive_services
from khoso.archive.models import ArchiveFile, Fonds, Inventory
from khoso.catalogue.columns import Level
from khoso.catalogue.models import CatalogueImport
from khoso.catalogue.validation import CREATE, UNCHANGED, Action, Preview, preview
from khoso.core.errors import ArchiveError, ExitCode
from khoso.storage.services import object_put_bytes, object_store

#: the largest sheet accepted (a 100,000-row catalogue is a few megabytes)
MAX_UPLOAD_BYTES = 30 * 1024 * 1024
PROPOSAL_REASON = "Chế độ sử dụng trong mục lục nhập vào khác chế độ đang lưu (nhập mục lục {name})."


class CatalogueError(ArchiveError):
    """A catalogue import refused as a whole: nothing of it was written."""

    code = "nhap_muc_luc"
    message_vi = "Không ghi được mục lục: {reason}"
    message_en = "The catalogue was not imported: {reason_en}"
    http_status = 409
    exit_code = ExitCode.invalid_metadata

    def __init__(self, reason: str, reason_en: str = "") -> None:
        super().__init__(reason=reason, reason_en=reason_en or reason)


def may_see_secret(user: Any) -> bool:
    return user is not None and SECRET in allowed_modes(user)


def import_upload(*, fonds: Fonds, inventory: Inventory | None, name: str, data: bytes, by: Any) -> CatalogueImport:
    """Keep an uploaded sheet by its digest (the object store) for the preview and the commit."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise CatalogueError(
            f"tệp {name} có {len(data)} byte, vượt giới hạn {MAX_UPLOAD_BYTES} byte.",
            f"{name} is over the {MAX_UPLOAD_BYTES}-byte limit.",
        )
    # an unreadable sheet is refused before anything is kept (the upload view runs outside one transaction)
    summary = preview_import_data(data, name=name, fonds=fonds, inventory=inventory, user=by).counts()
    with transaction.atomic():
        stored = object_put_bytes(data=data, mime="application/octet-stream")
        return CatalogueImport.objects.create(
            fonds=fonds, inventory=inventory, filename=name[:255], sheet=stored, summary=summary, created_by=by
        )


def preview_import_data(data: bytes, *, name: str, fonds: Fonds, inventory: Inventory | None, user: Any) -> Preview:
    return preview(data, name=name, fonds=fonds, inventory=inventory, user=user, include_secret=may_see_secret(user))


def sheet_bytes(catalogue_import: CatalogueImport) -> bytes:
    """The kept sheet, checked against its digest (a changed or damaged object is refused)."""
    with object_store().open(catalogue_import.sha256) as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != catalogue_import.sha256:
        raise CatalogueError(
            "tệp đã tải lên không còn khớp mã SHA-256 lúc xem trước; hãy tải lên lại.",
            "the uploaded sheet no longer matches its SHA-256; upload it again.",
        )
    return data


def import_preview(*, catalogue_import: CatalogueImport, user: Any) -> Preview:
    """The dry run of a kept upload, against the archive as it is now."""
    return preview_import_data(
        sheet_bytes(catalogue_import),
        name=catalogue_import.filename,
        fonds=catalogue_import.fonds,
        inventory=catalogue_import.inventory,
        user=user,
    )


@transaction.atomic
def import_commit(*, catalogue_import: CatalogueImport, sha256: str, plan: str, by: Any) -> Preview:
    """Write a previewed upload: all rows or none."""
    locked = CatalogueImport.objects.select_for_update().get(pk=catalogue_import.pk)
    if locked.status == CatalogueImport.Status.COMMITTED:
        raise CatalogueError("mục lục này đã được ghi vào kho.", "this catalogue was already imported.")
    if sha256 != locked.sha256:
        raise CatalogueError(
            "tệp gửi lên khác tệp đã xem trước (mã SHA-256 không khớp); hãy xem trước lại.",
            "the sheet differs from the previewed one (SHA-256); preview again.",
        )
    result = commit_data(
        sheet_bytes(locked),
        name=locked.filename,
        fonds=locked.fonds,
        inventory=locked.inventory,
        user=by,
        plan=plan,
    )
    locked.status = CatalogueImport.Status.COMMITTED
    locked.committed_at = timezone.now()
    locked.summary = result.counts()
    locked.save(update_fields=["status", "committed_at", "summary"])
    return result


@transaction.atomic
def commit_data(
    data: bytes,
    *,
    name: str,
    fonds: Fonds,
    inventory: Inventory | None,
    user: Any,
    plan: str | None = None,
    include_secret: bool | None = None,
) -> Preview:
    """Check ``data`` again and write it in this transaction. ``plan``: the plan digest the user saw (the
    CLI, which checks and writes in one run, passes None)."""
    secret = may_see_secret(user) if include_secret is None else include_secret
    checked = preview(data, name=name, fonds=fonds, inventory=inventory, user=user, include_secret=secret)
    if checked.problems:
        raise CatalogueError(
            f"tệp có {len(checked.problems)} lỗi; sửa hết rồi xem trước lại. Lỗi đầu tiên — {checked.problems[0]}",
            f"the sheet has {len(checked.problems)} errors; fix them and preview again.",
        )
    if not checked.actions:
        raise CatalogueError("tệp không có dòng dữ liệu nào để ghi.", "the sheet has no data rows.")
    if plan is not None and plan != checked.plan_digest():
        raise CatalogueError(
            "dữ liệu trong kho hoặc tệp đã thay đổi từ lúc xem trước; hãy xem trước lại rồi mới ghi.",
            "the archive or the sheet changed since the preview; preview again.",
        )
    created: dict[str, ArchiveFile] = {}  # file code → file written or read in this commit
    for action in checked.actions:
        if action.verb == UNCHANGED:
            continue
        try:
            _apply(action, fonds=fonds, user=user, created=created, name=name)
        except ArchiveError as error:
            raise CatalogueError(
                f"{action.sheet}, dòng {action.row} ({action.key}): {error.message} — không dòng nào được ghi.",
                f"{action.sheet}, row {action.row} ({action.key}): {error.message_english}; nothing was written.",
            ) from error
    return checked


def _apply(action: Action, *, fonds: Fonds, user: Any, created: dict[str, ArchiveFile], name: str) -> None:
    reason = PROPOSAL_REASON.format(name=name)
    if action.level is Level.FILE:
        if action.verb == CREATE:
            created[action.key] = archive_services.file_create(
                fonds=fonds, file_code=action.key, created_by=user, **action.values
            )
            return
        assert isinstance(action.target, ArchiveFile)
        target_file = action.target
        if action.values:
            target_file = archive_services.file_update(archive_file=target_file, **action.values)
        if action.proposal:
            propose_from_entry(target=target_file, mode=action.proposal, by=user, reason=reason)
        return
    if action.verb == CREATE:
        archive_file = created.get(action.file_code)
        if archive_file is None:  # a file already in the archive: read once for all its documents
            archive_file = created[action.file_code] = ArchiveFile.objects.get(file_code=action.file_code)
        archive_services.document_create(archive_file=archive_file, ordinal=action.ordinal, **action.values)
        return
    document = action.target
    if action.values:
        document = archive_services.document_update(document=document, **action.values)  # type: ignore[arg-type]
    if action.proposal:
        propose_from_entry(target=document, mode=action.proposal, by=user, reason=reason)  # type: ignore[arg-type]
