"""Writes of selection, copying and acceptance: survey notes, scored selection, verified copies.

A copy is worth something only if it can be shown to equal the product, so ``copy_product`` hashes
every byte while it writes, writes a BagIt-style ``manifest-sha256.txt``, then reads every copied
file back from the target and compares it with the manifest. Any difference marks the whole run
failed and names the file; only verified runs count towards the two independent copies that the
move to acceptance (SAO_CHEP → NGHIEM_THU) requires (standards.md §4 step 6, §5).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from khoso.archive.models import ArchiveFile
from khoso.core.errors import ArchiveError, IntegrityError, ValidationError, WorkflowError
from khoso.core.text import nfc
from khoso.handover.models import CopyRun, CopyTarget, FileCondition
from khoso.handover.selectors import ProductEntry, current_copies, product_entries, safe_name
from khoso.storage.services import object_store
from khoso.workflow import services as workflow_services
from khoso.workflow.models import Project, ProjectFile, WorkflowEvent
from khoso.workflow.selection import damage_labels, score_with
from khoso.workflow.services import require_role
from khoso.workflow.states import Role, State

CHUNK = 1024 * 1024
MANIFEST = "manifest-sha256.txt"
MIN_COPIES = 2


class CopyVerificationError(IntegrityError):
    """A copied file does not equal the product: the run is marked failed."""

    code = "ban_sao_sai_sha256"
    message_vi = "Bản sao trên «{target}» không đạt: tệp {path} {problem}. Lần sao chép đã được đánh dấu lỗi."
    message_en = "The copy on «{target}» failed: file {path} {problem_en}. The run is marked failed."


class CopyWriteError(ArchiveError):
    code = "khong_ghi_duoc_ban_sao"
    message_vi = "Không ghi được bản sao vào «{target}»: {reason}"
    message_en = "Could not write the copy to «{target}»: {reason}"
    http_status = 500


def _log(item: ProjectFile, actor: Any, action: str, *, counts: dict[str, Any], note: str = "") -> None:
    """An audit row on the file's history; the file stays at its step."""
    WorkflowEvent.objects.create(
        project_id=item.project_id,
        item=item,
        action=action,
        source=item.state,
        target=item.state,
        actor=actor,
        counts=counts,
        note=nfc(note),
    )


# -- survey and selection --------------------------------------------------------------------------


@transaction.atomic
def condition_note(
    *,
    project: Project,
    archive_file: ArchiveFile,
    by: Any,
    damage_codes: Iterable[str] = (),
    usage_count: int = 0,
    special_carrier: bool = False,
    note: str = "",
) -> FileCondition:
    """Record what the survey found about a file of the project's fonds; rescore it if selected."""
    require_role(project, by, Role.PLANNER)
    if not project.fonds.filter(pk=archive_file.fonds_id).exists():
        raise WorkflowError(
            reason=f"hồ sơ {archive_file.file_code} không thuộc phông của đề án.",
            reason_en=f"file {archive_file.file_code} is not in the project's fonds.",
        )
    codes = list(dict.fromkeys(damage_codes))
    unknown = sorted(set(codes) - set(damage_labels()))
    if unknown:
        raise ValidationError(reason=f"mã tình trạng hư hỏng không có trong danh mục: {', '.join(unknown)}.")
    if usage_count < 0:
        raise ValidationError(reason="số lượt khai thác không được âm.")
    condition, _ = FileCondition.objects.update_or_create(
        file=archive_file,
        defaults={
            "damage_codes": codes,
            "usage_count": usage_count,
            "special_carrier": special_carrier,
            "note": nfc(note).strip(),
            "noted_by": by,
        },
    )
    _rescore(ProjectFile.objects.filter(project=project, file=archive_file))
    return condition


def _rescore(items: Iterable[ProjectFile]) -> int:
    items = list(items)
    conditions = {c.file_id: c for c in FileCondition.objects.filter(file_id__in=[i.file_id for i in items])}
    labels = damage_labels()
    for item in items:
        item.priority, item.priority_reasons = score_with(item.file, conditions.get(item.file_id), labels)
    ProjectFile.objects.bulk_update(items, ["priority", "priority_reasons"])
    return len(items)


@transaction.atomic
def files_select_scored(*, project: Project, files: Iterable[ArchiveFile], by: Any) -> list[ProjectFile]:
    """Select whole files (``workflow.services.files_select``) and store each one's priority score."""
    files = list(files)
    created = workflow_services.files_select(project=project, files=files, by=by)
    _rescore(ProjectFile.objects.filter(project=project, file__in=files).select_related("file"))
    return created


@transaction.atomic
def priorities_refresh(*, project: Project, by: Any) -> int:
    """Recompute the score of every file of the project from the survey notes as they stand."""
    require_role(project, by, Role.PLANNER)
    return _rescore(ProjectFile.objects.filter(project=project).select_related("file"))


# -- copy targets ----------------------------------------------------------------------------------


def copy_roots() -> list[Path]:
    """Folders under which copy targets may lie (``KHOSO_COPY_ROOTS``; default: data dir, /media, /mnt)."""
    configured = getattr(settings, "KHOSO_COPY_ROOTS", None)
    if configured:
        return [Path(root).resolve() for root in configured]
    return [Path(settings.DATA_DIR).resolve() / "sao-chep", Path("/media"), Path("/mnt")]


def _nested(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


@transaction.atomic
def copy_target_create(*, project: Project, by: Any, name: str, kind: str, path: str, medium_id: str) -> CopyTarget:
    """Declare a folder or removable medium to copy the product to.

    The path must lie under one of ``copy_roots()`` and outside the object store; a target may not
    share its medium label with another target of the project nor lie inside another's folder, or the
    two copies would not be independent.
    """
    require_role(project, by, Role.CONTRACTOR_MANAGER)
    name, medium_id, raw = nfc(name).strip(), nfc(medium_id).strip(), nfc(path).strip()
    if kind not in CopyTarget.Kind.values:
        raise ValidationError(reason=f"loại nơi lưu «{kind}» không hợp lệ.")
    if not name or not medium_id:
        raise ValidationError(reason="phải ghi tên nơi lưu và mã hiệu thiết bị / nhãn.")
    folder = Path(raw)
    if not folder.is_absolute():
        raise ValidationError(reason=f"đường dẫn «{raw}» phải là đường dẫn tuyệt đối.")
    folder = folder.resolve()
    roots = copy_roots()
    if not any(folder.is_relative_to(root) for root in roots):
        raise ValidationError(
            reason=f"thư mục {folder} nằm ngoài các thư mục được phép sao chép: {', '.join(map(str, roots))}."
        )
    if _nested(folder, Path(settings.KHOSO_OBJECTS_DIR).resolve()):
        raise ValidationError(reason="không sao chép vào kho lưu trữ đối tượng số: bản sao phải độc lập.")
    for other in CopyTarget.objects.filter(project=project):
        if other.medium_id == medium_id:
            raise ValidationError(reason=f"mã hiệu «{medium_id}» đã dùng cho nơi lưu «{other.name}».")
        if _nested(folder, Path(other.path)):
            raise ValidationError(
                reason=f"thư mục {folder} lồng với nơi lưu «{other.name}» ({other.path}): hai bản sao không độc lập."
            )
    return CopyTarget.objects.create(
        project=project, name=name, kind=kind, path=str(folder), medium_id=medium_id, created_by=by
    )


def independent_targets(targets: Iterable[CopyTarget]) -> list[CopyTarget]:
    """A largest-first pick of targets that share neither medium label nor folder."""
    chosen: list[CopyTarget] = []
    for target in targets:
        if all(
            target.medium_id != other.medium_id and not _nested(Path(target.path), Path(other.path)) for other in chosen
        ):
            chosen.append(target)
    return chosen


# -- copying ---------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _copy_object(entry: ProductEntry, destination: Path, target: CopyTarget) -> None:
    """Stream one object from the store to ``destination``, hashing as it goes."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with object_store().open(entry.sha256) as source, open(destination, "wb") as sink:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            sink.write(chunk)
        sink.flush()
        os.fsync(sink.fileno())
    if digest.hexdigest() != entry.sha256:
        raise CopyVerificationError(
            target=target.name,
            path=entry.relative,
            problem=f"đọc từ kho có SHA-256 {digest.hexdigest()[:16]}…, khác giá trị đã ghi nhận {entry.sha256[:16]}…",
            problem_en="read from the store does not match its recorded SHA-256",
        )


def _manifest_lines(manifest: str) -> list[tuple[str, str]]:
    rows = []
    for line in manifest.splitlines():
        if line.strip():
            digest, relative = line.split(maxsplit=1)
            rows.append((digest, relative.strip()))
    return rows


def _verify_folder(folder: Path, manifest: str, manifest_sha256: str, target: CopyTarget) -> None:
    """Re-read every file of the bag and its manifest; raise naming the first file that differs."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file() or _sha256(manifest_path) != manifest_sha256:
        raise CopyVerificationError(
            target=target.name,
            path=MANIFEST,
            problem="bị thiếu hoặc bị sửa đổi so với bảng kê đã lưu",
            problem_en="is missing or differs from the recorded manifest",
        )
    for expected, relative in _manifest_lines(manifest):
        path = folder / relative
        if not path.is_file():
            raise CopyVerificationError(target=target.name, path=relative, problem="bị thiếu", problem_en="is missing")
        found = _sha256(path)
        if found != expected:
            raise CopyVerificationError(
                target=target.name,
                path=relative,
                problem=f"có SHA-256 {found[:16]}…, khác bảng kê ({expected[:16]}…)",
                problem_en="does not match the manifest",
            )


def _fail(run: CopyRun, error: ArchiveError) -> None:
    run.status = CopyRun.Status.FAILED
    run.error = error.message
    run.finished_at = run.finished_at or timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    if run.folder and Path(run.folder).is_dir():
        with contextlib.suppress(OSError):  # a medium pulled out mid-copy: the row already says it failed
            _write(Path(run.folder) / "LOI-BAN-SAO.txt", (error.message + "\n").encode())


def copy_product(*, target: CopyTarget, items: Iterable[ProjectFile], by: Any) -> CopyRun:
    """Copy the product of ``items`` (files at step SAO_CHEP) onto ``target`` and verify it.

    The bag ``<target>/<project>_<run>/`` holds ``bagit.txt``, ``bag-info.txt``,
    ``manifest-sha256.txt`` and ``data/<fonds>/<file_code>/`` (the PDF/A and ``trang/`` with the page
    originals). Not one database transaction: the run row records a failure even when the copy stops
    half-way, and the error is raised after it is recorded.
    """
    project = target.project
    require_role(project, by, Role.CONTRACTOR_MANAGER)
    ids = [item.pk for item in items]
    chosen = list(
        ProjectFile.objects.filter(project=project, pk__in=ids)
        .select_related("file__fonds", "file__pdf", "project")
        .order_by("file__file_code")
    )
    if not chosen:
        raise WorkflowError(reason="chưa có hồ sơ nào để sao chép.", reason_en="no file to copy.")
    for item in chosen:
        if item.state != State.SAO_CHEP:
            raise WorkflowError(
                reason=f"hồ sơ {item.file.file_code} đang ở bước «{item.get_state_display()}», "
                "chỉ sao chép hồ sơ ở bước sao chép sản phẩm.",
                reason_en=f"file {item.file.file_code} is not at the copy step.",
            )
        if item.file.pdf is None:
            raise WorkflowError(
                reason=f"hồ sơ {item.file.file_code} chưa có bản PDF/A để sao chép.",
                reason_en=f"file {item.file.file_code} has no PDF/A yet.",
            )
    entries = product_entries(chosen)
    run = CopyRun.objects.create(target=target, by=by)
    run.items.set(chosen)
    folder = Path(target.path) / f"{safe_name(project.code)}_{run.pk:05d}"
    run.folder = str(folder)
    run.save(update_fields=["folder"])
    try:
        folder.mkdir(parents=True, exist_ok=False)
        for entry in entries:
            _copy_object(entry, folder / entry.relative, target)
        manifest = "".join(f"{entry.manifest_line}\n" for entry in entries)
        total = sum(entry.size for entry in entries)
        _write(folder / "bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        info = (
            f"Source-Organization: {project.institution.name}\n"
            f"External-Identifier: {project.code}\n"
            f"External-Description: {project.name}\n"
            f"Bagging-Date: {timezone.localdate():%Y-%m-%d}\n"
            f"Payload-Oxum: {total}.{len(entries)}\n"
            f"Medium-Identifier: {target.medium_id}\n"
        )
        _write(folder / "bag-info.txt", nfc(info).encode())
        _write(folder / MANIFEST, manifest.encode())
        run.manifest = manifest
        run.manifest_sha256 = hashlib.sha256(manifest.encode()).hexdigest()
        run.file_count, run.byte_count = len(entries), total
        run.save(update_fields=["manifest", "manifest_sha256", "file_count", "byte_count"])
        _verify_folder(folder, manifest, run.manifest_sha256, target)
    except ArchiveError as error:
        _fail(run, error)
        raise
    except OSError as error:
        failure = CopyWriteError(target=target.name, reason=str(error))
        _fail(run, failure)
        raise failure from error
    now = timezone.now()
    run.status = CopyRun.Status.VERIFIED
    run.finished_at = run.verified_at = now
    run.save(update_fields=["status", "finished_at", "verified_at"])
    for item in chosen:
        _log(
            item,
            by,
            "sao_chep",
            counts={"files": sum(1 for entry in entries if entry.item_id == item.pk)},
            note=f"{target.name} ({target.medium_id}), bảng kê SHA-256 {run.manifest_sha256}",
        )
    return run


def copy_verify(*, run: CopyRun, by: Any) -> CopyRun:
    """Read a copy back again (an audit of the medium); a difference marks the run failed."""
    target = run.target
    require_role(target.project, by, Role.CONTRACTOR_MANAGER)
    if not run.manifest:
        raise WorkflowError(reason="lần sao chép này chưa có bảng kê để kiểm tra.", reason_en="no manifest.")
    try:
        _verify_folder(Path(run.folder), run.manifest, run.manifest_sha256, target)
    except ArchiveError as error:
        _fail(run, error)
        for item in run.items.all():
            _log(item, by, "kiem_tra_ban_sao", counts={"ok": False}, note=error.message)
        raise
    run.verified_at = timezone.now()
    run.save(update_fields=["verified_at"])
    for item in run.items.all():
        _log(item, by, "kiem_tra_ban_sao", counts={"ok": True}, note=f"{target.name} ({target.medium_id})")
    return run


# -- the guard of SAO_CHEP → NGHIEM_THU ------------------------------------------------------------


def verified_copies(item: ProjectFile) -> list[CopyRun]:
    """Verified copies holding the file's product as it is now.

    A correction after copying (a page rescanned, hence a new PDF/A) leaves the older copies holding
    the old product: they are kept in the log but no longer count.
    """
    return current_copies([item])


def two_independent_copies(item: ProjectFile, actor: Any) -> None:
    """Guard: at least two verified copies of the file's current product on independent targets (standards.md §5)."""
    targets = independent_targets(dict.fromkeys(run.target for run in verified_copies(item)))
    if len(targets) < MIN_COPIES:
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} mới có {len(targets)} bản sao đã xác minh SHA-256 trên nơi lưu "
            f"độc lập; cần ít nhất {MIN_COPIES} bản sao trên {MIN_COPIES} thiết bị hoặc thư mục khác nhau.",
            reason_en=f"file {item.file.file_code} has {len(targets)} verified independent copies; "
            f"at least {MIN_COPIES} are required.",
        )
