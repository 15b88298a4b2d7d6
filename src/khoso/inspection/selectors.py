"""Reads of product inspection: the plan that applies, the report of an inspection, error statistics.

A rate is the share of sampled files with at least one error (of a class, or of any class), in percent;
the verdict compares each rate with the plan's threshold copied into the inspection when it started, so
a report reprinted later says what was decided then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from khoso.core.errors import NotFoundError
from khoso.inspection.models import (
    RESPONSIBLE_STEPS,
    CorrectionTask,
    ErrorClass,
    Inspection,
    InspectionFinding,
    InspectionItem,
    SamplingPlan,
)
from khoso.workflow.models import Contractor, Project, ProjectFile, ProjectMember, WorkflowEvent
from khoso.workflow.selectors import projects_for, roles_of
from khoso.workflow.states import State


def percent(part: int, whole: int) -> Decimal:
    return Decimal(part * 100) / Decimal(whole) if whole else Decimal(0)


def plan_for(*, project: Project, contractor: Contractor | None = None) -> SamplingPlan | None:
    """The contractor's own plan in the project, else the project's plan for every contractor."""
    contractor = contractor if contractor is not None else project.contractor
    plans = SamplingPlan.objects.filter(project=project)
    if contractor is not None:
        own = plans.filter(contractor=contractor).first()
        if own is not None:
            return own
    return plans.filter(contractor__isnull=True).first()


def inspection_get(*, user: Any, inspection_id: int) -> Inspection:
    """An inspection, visible to the members of its project only."""
    inspection = (
        Inspection.objects.select_related("project", "inspector", "contractor", "plan").filter(pk=inspection_id).first()
    )
    if inspection is None or not roles_of(user, inspection.project):
        raise NotFoundError(what="Đợt kiểm tra sản phẩm", key=inspection_id)
    return inspection


def correction_get(*, user: Any, task_id: int) -> CorrectionTask:
    task = CorrectionTask.objects.select_related("item__project", "item__file").filter(pk=task_id).first()
    if task is None or not roles_of(user, task.item.project):
        raise NotFoundError(what="Yêu cầu sửa lỗi", key=task_id)
    return task


def contractor_members(project: Project) -> set[int]:
    """Users who work for a contractor in ``project`` (they may not inspect its product)."""
    return set(
        ProjectMember.objects.filter(project=project, contractor__isnull=False).values_list("user_id", flat=True)
    )


def next_pass_number(project: Project) -> int:
    last = (
        Inspection.objects.filter(project=project, status=Inspection.Status.CLOSED)
        .order_by("-pass_number")
        .values_list("pass_number", flat=True)
        .first()
    )
    return (last or 0) + 1


def waiting_items(*, project: Project, inspector: Any) -> QuerySet[ProjectFile]:
    """Files in KIEM_TRA_SAN_PHAM that the inspector may take into a new batch."""
    return (
        ProjectFile.objects.filter(project=project, state=State.KIEM_TRA_SAN_PHAM)
        .filter(Q(assignee__isnull=True) | Q(assignee=inspector))
        .exclude(inspection_entries__inspection__status=Inspection.Status.OPEN)
        .select_related("file")
        .order_by("id")
    )


def back_from_correction(item_ids: list[int]) -> set[int]:
    """Files whose last arrival at KIEM_TRA_SAN_PHAM came from SUA_LOI, whoever sent them there (an
    inspection, or an approving archivist refusing acceptance): their fixes must be looked at."""
    arrivals = (
        WorkflowEvent.objects.filter(item_id__in=item_ids, action="chuyen_buoc", target=State.KIEM_TRA_SAN_PHAM)
        .order_by("at", "id")
        .values_list("item_id", "source")
    )
    last_source = dict(arrivals)
    return {item_id for item_id, source in last_source.items() if source == State.SUA_LOI}


def responsible_worker_id(item: ProjectFile, error_class: ErrorClass) -> int | None:
    """Who completed the step the error class is blamed on (the last time it was done on this file)."""
    states = RESPONSIBLE_STEPS.get(error_class.responsible_step)
    if not states:
        return None
    return (
        WorkflowEvent.objects.filter(item=item, action="chuyen_buoc", source__in=[s.value for s in states])
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


def open_findings(item: ProjectFile) -> QuerySet[InspectionFinding]:
    return InspectionFinding.objects.filter(item=item, resolved_at__isnull=True)


# -- the inspection report --------------------------------------------------------------------------


@dataclass
class ClassRow:
    error_class: ErrorClass
    files: int  # sampled files with at least one error of the class
    findings: int
    rate: Decimal
    threshold: Decimal | None

    @property
    def exceeded(self) -> bool:
        return self.threshold is not None and self.rate > self.threshold


@dataclass
class Report:
    inspection: Inspection
    batch_size: int
    sample_size: int
    pages_sampled: int
    verifications: int
    files_with_errors: int
    findings: int
    rate: Decimal
    threshold: Decimal
    classes: list[ClassRow]
    workers: list[dict[str, Any]]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def overall_exceeded(self) -> bool:
        return self.rate > self.threshold

    @property
    def passed(self) -> bool:
        return not self.overall_exceeded and not any(row.exceeded for row in self.classes)

    @property
    def exceeded_classes(self) -> list[ClassRow]:
        return [row for row in self.classes if row.exceeded]


def _threshold(inspection: Inspection, code: str) -> Decimal | None:
    value = inspection.class_thresholds.get(code)
    return None if value in (None, "") else Decimal(str(value))


def inspection_report(*, inspection: Inspection) -> Report:
    """Counts and rates per error class and per worker, the sample and the verdict against the plan."""
    entries = list(InspectionItem.objects.filter(inspection=inspection).select_related("item__file"))
    sampled = [entry for entry in entries if entry.sampled]
    findings = list(
        InspectionFinding.objects.filter(inspection=inspection)
        .select_related("error_class", "worker", "document", "item__file")
        .order_by("item_id", "page_number", "id")
    )
    by_item: dict[int, list[InspectionFinding]] = {}
    for finding in findings:
        by_item.setdefault(finding.item_id, []).append(finding)
    sample_size = len(sampled)
    classes_used = {finding.error_class_id for finding in findings}
    classes = ErrorClass.objects.filter(Q(active=True) | Q(pk__in=classes_used))
    class_rows = []
    for error_class in classes:
        of_class = [finding for finding in findings if finding.error_class_id == error_class.pk]
        files = len({finding.item_id for finding in of_class})
        class_rows.append(
            ClassRow(
                error_class=error_class,
                files=files,
                findings=len(of_class),
                rate=percent(files, sample_size),
                threshold=_threshold(inspection, error_class.code),
            )
        )
    workers: dict[tuple[str, str], int] = {}
    for finding in findings:
        name = finding.worker.get_username() if finding.worker else ""
        key = (name, finding.error_class.label)
        workers[key] = workers.get(key, 0) + 1
    files_with_errors = len(by_item)
    return Report(
        inspection=inspection,
        batch_size=len(entries),
        sample_size=sample_size,
        pages_sampled=sum(entry.pages for entry in sampled),
        verifications=sum(1 for entry in sampled if entry.verification),
        files_with_errors=files_with_errors,
        findings=len(findings),
        rate=percent(files_with_errors, sample_size),
        threshold=inspection.max_error_rate,
        classes=class_rows,
        workers=[
            {"worker": name or "—", "error_class": label, "findings": count}
            for (name, label), count in sorted(workers.items())
        ],
        rows=[
            {"entry": entry, "findings": by_item.get(entry.item_id, [])}
            for entry in sorted(entries, key=lambda e: (not e.sampled, e.item.file.file_code))
        ],
    )


# -- statistics -------------------------------------------------------------------------------------


def pass_statistics(*, project: Project) -> list[dict[str, Any]]:
    """Per pass: inspections closed, files sampled, files with errors and the error rate."""
    rows = []
    closed = Inspection.objects.filter(project=project, status=Inspection.Status.CLOSED)
    for pass_number in sorted(set(closed.values_list("pass_number", flat=True))):
        of_pass = closed.filter(pass_number=pass_number)
        sampled = InspectionItem.objects.filter(inspection__in=of_pass, sampled=True).count()
        with_errors = (
            InspectionFinding.objects.filter(inspection__in=of_pass).values("inspection_id", "item_id").distinct()
        ).count()
        rows.append(
            {
                "pass_number": pass_number,
                "inspections": of_pass.count(),
                "failed": of_pass.filter(result=Inspection.Result.FAILED).count(),
                "sampled": sampled,
                "files_with_errors": with_errors,
                "rate": percent(with_errors, sampled),
            }
        )
    return rows


def worker_statistics(*, project: Project) -> list[Mapping[str, Any]]:
    """Errors per worker and error class across the project's inspections (where attributable)."""
    return list(
        InspectionFinding.objects.filter(inspection__project=project, worker__isnull=False)
        .values("worker__username", "error_class__label")
        .annotate(findings=Count("id"))
        .order_by("worker__username", "error_class__label")
    )


def contractor_statistics(*, user: Any, contractor: Contractor | None = None) -> list[dict[str, Any]]:
    """Per contractor (over the projects ``user`` may see): files sampled, with errors, rate, per class."""
    projects = projects_for(user)
    inspections = Inspection.objects.filter(project__in=projects, status=Inspection.Status.CLOSED)
    if contractor is not None:
        inspections = inspections.filter(contractor=contractor)
    result = []
    contractor_ids = inspections.order_by().values_list("contractor_id", flat=True).distinct()
    names = dict(Contractor.objects.filter(pk__in=contractor_ids).values_list("id", "name"))
    for contractor_id in sorted(set(contractor_ids), key=lambda pk: names.get(pk, "")):
        own = inspections.filter(contractor_id=contractor_id)
        sampled = InspectionItem.objects.filter(inspection__in=own, sampled=True).count()
        findings = InspectionFinding.objects.filter(inspection__in=own)
        with_errors = findings.values("inspection_id", "item_id").distinct().count()
        per_class = list(
            findings.values("error_class__label", "error_class__severity")
            .annotate(findings=Count("id"), files=Count("item", distinct=True))
            .order_by("error_class__label")
        )
        result.append(
            {
                "contractor": names.get(contractor_id, "Chưa xác định nhà thầu"),
                "inspections": own.count(),
                "sampled": sampled,
                "files_with_errors": with_errors,
                "findings": findings.count(),
                "rate": percent(with_errors, sampled),
                "classes": per_class,
            }
        )
    return result


def corrections_of(*, project: Project, status: str | None = None) -> QuerySet[CorrectionTask]:
    tasks = CorrectionTask.objects.filter(item__project=project).select_related("item__file", "inspection", "fixed_by")
    if status:
        tasks = tasks.filter(status=status)
    return tasks.prefetch_related("findings__error_class")
