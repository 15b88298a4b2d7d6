"""Writes of the digitization workflow: projects, membership, selection, approval, transitions.

Every change goes through :func:`transition` or a project-level service here, and each writes a
:class:`WorkflowEvent` in the same database transaction, so the log and the state never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from khoso.archive.models import ArchiveFile, Fonds, Institution
from khoso.core.errors import IllegalTransitionError, PermissionDeniedError, WorkflowError
from khoso.core.text import nfc
from khoso.workflow.models import (
    Contractor,
    DailyThroughput,
    Project,
    ProjectFile,
    ProjectMember,
    WorkflowEvent,
)
from khoso.workflow.selectors import has_role, last_entry_actor_id
from khoso.workflow.states import BY_PAIR, CORRECTIONS, GUARDS, OWNER, Role, State, Transition


def require_role(project: Project, user: Any, role: Role) -> None:
    if not has_role(user, project, role):
        raise PermissionDeniedError(f"Cần vai trò «{role.label}» trong đề án {project.code}.")


def _event(
    project: Project,
    actor: Any,
    action: str,
    *,
    item: ProjectFile | None = None,
    source: str = "",
    target: str = "",
    counts: dict[str, Any] | None = None,
    note: str = "",
) -> WorkflowEvent:
    return WorkflowEvent.objects.create(
        project=project,
        item=item,
        action=action,
        source=source,
        target=target,
        actor=actor,
        counts=counts or {},
        note=nfc(note),
    )


# -- projects --------------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    planner: Any,
    code: str,
    name: str,
    institution: Institution,
    fonds: Iterable[Fonds],
    year_from: int,
    year_to: int,
    target_metres: Decimal | str | float,
    target_pages: int | None = None,
    pages_per_metre: int | None = None,
    price_per_page: int | None = None,
    budget_vnd: int | None = None,
    contractor: Contractor | None = None,
) -> Project:
    """Create a draft project; its creator becomes its planner."""
    fonds = list(fonds)
    if not fonds:
        raise WorkflowError(reason="đề án phải có ít nhất một phông.", reason_en="a project needs a fonds.")
    if year_from > year_to:
        raise WorkflowError(
            reason=f"năm bắt đầu {year_from} sau năm kết thúc {year_to}.",
            reason_en=f"start year {year_from} is after end year {year_to}.",
        )
    metres = Decimal(str(target_metres))
    if metres <= 0:
        raise WorkflowError(reason="khối lượng (mét giá) phải lớn hơn 0.", reason_en="metres must be positive.")
    extra: dict[str, Any] = {}
    if pages_per_metre is not None:
        extra["pages_per_metre"] = pages_per_metre
    if price_per_page is not None:
        extra["price_per_page"] = price_per_page
    project = Project.objects.create(
        code=nfc(code).strip(),
        name=nfc(name).strip(),
        institution=institution,
        year_from=year_from,
        year_to=year_to,
        target_metres=metres,
        target_pages=target_pages,
        budget_vnd=budget_vnd,
        contractor=contractor,
        created_by=planner,
        **extra,
    )
    project.fonds.set(fonds)
    ProjectMember.objects.create(project=project, user=planner, role=Role.PLANNER)
    _event(project, planner, "tao_de_an", counts={"metres": str(metres), "pages_est": project.estimated_pages})
    return project


def member_add(*, project: Project, user: Any, role: Role | str, by: Any, contractor: Contractor | None = None) -> None:
    """Give ``user`` a role in ``project``; only its planners (or an administrator) may."""
    require_role(project, by, Role.PLANNER)
    ProjectMember.objects.get_or_create(
        project=project, user=user, role=Role(role), defaults={"contractor": contractor}
    )
    _event(project, by, "them_thanh_vien", note=f"{user.get_username()}: {Role(role).label}")


@transaction.atomic
def files_select(*, project: Project, files: Iterable[ArchiveFile], by: Any) -> list[ProjectFile]:
    """Add whole files to a draft project (seed 001: whole files, never single documents).

    A file must belong to one of the project's fonds and fall inside its years, and may be in
    only one unfinished project at a time.
    """
    require_role(project, by, Role.PLANNER)
    if project.status != Project.Status.DRAFT:
        raise WorkflowError(
            reason="chỉ thêm hồ sơ khi đề án còn là dự thảo.", reason_en="files are added only to a draft project."
        )
    fonds_ids = set(project.fonds.values_list("id", flat=True))
    files = list(files)
    busy = set(
        ProjectFile.objects.filter(file__in=files)
        .exclude(state=State.BAN_GIAO)
        .exclude(project=project)
        .values_list("file__file_code", flat=True)
    )
    created = []
    for archive_file in files:
        if archive_file.fonds_id not in fonds_ids:
            raise WorkflowError(
                reason=f"hồ sơ {archive_file.file_code} không thuộc phông của đề án.",
                reason_en=f"file {archive_file.file_code} is not in the project's fonds.",
            )
        if not project.year_from <= archive_file.file_catalog <= project.year_to:
            raise WorkflowError(
                reason=f"hồ sơ {archive_file.file_code} năm {archive_file.file_catalog} nằm ngoài "
                f"{project.year_from}–{project.year_to}.",
                reason_en=f"file {archive_file.file_code} is outside the project's years.",
            )
        if archive_file.file_code in busy:
            raise WorkflowError(
                reason=f"hồ sơ {archive_file.file_code} đang thuộc một đề án khác chưa bàn giao.",
                reason_en=f"file {archive_file.file_code} is in another unfinished project.",
            )
        item, made = ProjectFile.objects.get_or_create(project=project, file=archive_file)
        if made:
            created.append(item)
    if created:
        _event(project, by, "chon_ho_so", counts={"files": len(created)})
    return created


def files_unselect(*, project: Project, items: QuerySet[ProjectFile] | Iterable[ProjectFile], by: Any) -> int:
    require_role(project, by, Role.PLANNER)
    if project.status != Project.Status.DRAFT:
        raise WorkflowError(reason="đề án đã gửi duyệt, không bớt hồ sơ.", reason_en="the project is submitted.")
    ids = [item.pk for item in items]
    deleted, _ = ProjectFile.objects.filter(project=project, pk__in=ids, events__isnull=True).delete()
    _event(project, by, "bo_chon_ho_so", counts={"files": deleted})
    return deleted


@transaction.atomic
def project_submit(*, project: Project, by: Any) -> Project:
    require_role(project, by, Role.PLANNER)
    if project.status != Project.Status.DRAFT:
        raise WorkflowError(reason="đề án không ở trạng thái dự thảo.", reason_en="the project is not a draft.")
    if not project.items.exists():
        raise WorkflowError(reason="danh mục hồ sơ lựa chọn đang trống.", reason_en="no file is selected.")
    project.status = Project.Status.SUBMITTED
    project.submitted_by = by
    project.rejection_reason = ""
    project.save(update_fields=["status", "submitted_by", "rejection_reason"])
    _event(project, by, "gui_duyet", counts={"files": project.items.count()})
    return project


@transaction.atomic
def project_approve(*, project: Project, by: Any, decision: str = "") -> Project:
    """Approval gate: the whole selection moves to DA_DUYET; no file moves before it.

    The approver must hold the approving-archivist role and not be the planner who submitted.
    """
    require_role(project, by, Role.APPROVER)
    if project.status != Project.Status.SUBMITTED:
        raise WorkflowError(reason="đề án chưa được gửi phê duyệt.", reason_en="the project was not submitted.")
    if project.submitted_by_id == by.pk:
        raise WorkflowError(
            reason="người lập kế hoạch không tự phê duyệt kế hoạch của mình.",
            reason_en="the planner may not approve their own plan.",
        )
    now = timezone.now()
    project.status = Project.Status.APPROVED
    project.approved_by = by
    project.approved_at = now
    project.decision = nfc(decision).strip()
    project.save(update_fields=["status", "approved_by", "approved_at", "decision"])
    items = list(project.items.filter(state=State.KE_HOACH))
    ProjectFile.objects.filter(pk__in=[i.pk for i in items]).update(state=State.DA_DUYET, state_changed_at=now)
    WorkflowEvent.objects.bulk_create(
        [
            WorkflowEvent(
                project=project, item=item, action="phe_duyet", source=State.KE_HOACH, target=State.DA_DUYET, actor=by
            )
            for item in items
        ]
    )
    _event(project, by, "phe_duyet_de_an", counts={"files": len(items)}, note=project.decision)
    return project


@transaction.atomic
def project_reject(*, project: Project, by: Any, reason: str) -> Project:
    require_role(project, by, Role.APPROVER)
    if project.status != Project.Status.SUBMITTED:
        raise WorkflowError(reason="đề án chưa được gửi phê duyệt.", reason_en="the project was not submitted.")
    if not reason.strip():
        raise WorkflowError(reason="phải ghi lý do không phê duyệt.", reason_en="a reason is required.")
    project.status = Project.Status.DRAFT
    project.rejection_reason = nfc(reason).strip()
    project.save(update_fields=["status", "rejection_reason"])
    _event(project, by, "khong_duyet", note=project.rejection_reason)
    return project


@transaction.atomic
def project_close(*, project: Project, by: Any) -> Project:
    """Close an approved project once every file has been accepted and handed over."""
    require_role(project, by, Role.APPROVER)
    if project.status != Project.Status.APPROVED:
        raise WorkflowError(reason="chỉ kết thúc đề án đã phê duyệt.", reason_en="only an approved project closes.")
    waiting = project.items.exclude(state=State.BAN_GIAO).count()
    if waiting:
        raise WorkflowError(
            reason=f"còn {waiting} hồ sơ chưa nghiệm thu, bàn giao.",
            reason_en=f"{waiting} file(s) are not yet accepted and handed over.",
        )
    project.status = Project.Status.CLOSED
    project.save(update_fields=["status"])
    _event(project, by, "ket_thuc_de_an", counts={"files": project.items.count()})
    return project


# -- the six steps ---------------------------------------------------------------------------------


def _illegal(item: ProjectFile, target: State) -> IllegalTransitionError:
    source = State(item.state)
    return IllegalTransitionError(
        file_code=item.file.file_code,
        source=source.label,
        target=target.label,
        source_en=source.value,
        target_en=target.value,
    )


@transaction.atomic
def transition(
    *,
    item: ProjectFile,
    target: State | str,
    actor: Any,
    counts: dict[str, Any] | None = None,
    note: str = "",
) -> ProjectFile:
    """Move one file to its next step, enforcing the state machine, roles, four-eyes and guards.

    The row is locked for the check, so two people pressing the button at once cannot both
    succeed. Raises :class:`IllegalTransitionError` for a move not in the table.
    """
    target = State(target)
    item = ProjectFile.objects.select_for_update().select_related("file", "project").get(pk=item.pk)
    spec: Transition | None = BY_PAIR.get((State(item.state), target))
    if spec is None or spec.by_project:
        raise _illegal(item, target)
    owner = OWNER[State(item.state)]
    if owner is not None:
        require_role(item.project, actor, owner)
    if item.assignee_id is not None and item.assignee_id != actor.pk and not actor.is_superuser:
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} đang được giao cho người khác.",
            reason_en=f"file {item.file.file_code} is assigned to someone else.",
        )
    if spec.second_person and last_entry_actor_id(item) == actor.pk:
        raise WorkflowError(
            reason="người kiểm tra phải là người thứ hai, không phải người đã thực hiện bước trước.",
            reason_en="the check must be done by a second person.",
        )
    if spec.needs_note and not note.strip():
        raise WorkflowError(
            reason=f"«{spec.label_vi}» phải ghi rõ lý do vào ô ghi chú.",
            reason_en=f"«{spec.label_en}» needs the reason written in the note.",
        )
    for check in GUARDS.get((spec.source, spec.target), []):
        check(item, actor)
    source = item.state
    item.state = target
    item.assignee = None
    item.state_changed_at = timezone.now()
    if target in CORRECTIONS:
        item.round += 1
    item.save(update_fields=["state", "assignee", "state_changed_at", "round"])
    _event(item.project, actor, "chuyen_buoc", item=item, source=source, target=target, counts=counts, note=note)
    _count_step(item.project, actor, source)
    return item


def _count_step(project: Project, actor: Any, step: str) -> None:
    counter, _ = DailyThroughput.objects.get_or_create(
        project=project, day=timezone.localdate(), actor=actor, step=step
    )
    DailyThroughput.objects.filter(pk=counter.pk).update(steps=F("steps") + 1)


@transaction.atomic
def task_claim(*, item: ProjectFile, user: Any) -> ProjectFile:
    """Take a file from the role's shared queue into one's own."""
    item = ProjectFile.objects.select_for_update().select_related("project", "file").get(pk=item.pk)
    owner = OWNER[State(item.state)]
    if owner is None:
        raise WorkflowError(reason="hồ sơ đã hoàn thành.", reason_en="the file is finished.")
    require_role(item.project, user, owner)
    if item.assignee_id not in (None, user.pk):
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} đã có người nhận.", reason_en="someone else has taken it."
        )
    item.assignee = user
    item.save(update_fields=["assignee"])
    _event(item.project, user, "nhan_viec", item=item, source=item.state, target=item.state)
    return item


@transaction.atomic
def task_release(*, item: ProjectFile, user: Any) -> ProjectFile:
    item = ProjectFile.objects.select_for_update().select_related("project").get(pk=item.pk)
    if item.assignee_id != user.pk and not has_role(user, item.project, Role.PLANNER):
        raise PermissionDeniedError()
    item.assignee = None
    item.save(update_fields=["assignee"])
    _event(item.project, user, "tra_viec", item=item, source=item.state, target=item.state)
    return item
