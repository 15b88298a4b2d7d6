"""Writes of product inspection: the sampling plan, an inspection from its sample to its verdict, findings,
and the corrections the contractor reports done.

The sample is drawn with ``random.Random(inspection.id)`` over the batch ordered by id, so it is the
same every time it is redrawn and no one chooses which files are looked at. Files returning from a
correction are always in the sample (their fixes must be verified); the plan's rate applies to the
others, never fewer than one. Closing an inspection moves its files with the workflow's own
``transition`` — the guards in :mod:`khoso.inspection.guards` hold those moves to the same rules when
someone tries them by hand.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from khoso.archive.models import Document, Page
from khoso.core.errors import PermissionDeniedError, WorkflowError
from khoso.core.text import nfc
from khoso.inspection import selectors
from khoso.inspection.models import (
    CorrectionTask,
    ErrorClass,
    Inspection,
    InspectionFinding,
    InspectionItem,
    SamplingPlan,
)
from khoso.workflow.models import Contractor, Project, ProjectFile, WorkflowEvent
from khoso.workflow.services import require_role, transition
from khoso.workflow.states import Role, State


def _log(project: Project, actor: Any, action: str, *, counts: dict[str, Any] | None = None, note: str = "") -> None:
    WorkflowEvent.objects.create(project=project, actor=actor, action=action, counts=counts or {}, note=nfc(note))


def _percent(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        number = Decimal(-1)
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise WorkflowError(
            reason=f"{what} phải là một tỷ lệ phần trăm từ 0 đến 100 (nhận «{value}»).",
            reason_en=f"{what} must be a percentage between 0 and 100.",
        )
    return number


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# -- the sampling plan ------------------------------------------------------------------------------


@transaction.atomic
def plan_save(
    *,
    project: Project,
    by: Any,
    passes: Iterable[Any],
    max_error_rate: Any,
    class_thresholds: Mapping[str, Any] | None = None,
    contractor: Contractor | None = None,
) -> SamplingPlan:
    """Create or replace the project's sampling plan for ``contractor`` (``None``: every contractor)."""
    require_role(project, by, Role.PLANNER)
    rates = [_percent(rate, f"Tỷ lệ lấy mẫu lượt {n}") for n, rate in enumerate(passes, start=1)]
    if not rates:
        raise WorkflowError(
            reason="kế hoạch lấy mẫu phải có ít nhất một lượt kiểm tra.", reason_en="a plan needs one pass."
        )
    if any(rate == 0 for rate in rates):
        raise WorkflowError(
            reason="tỷ lệ lấy mẫu của mỗi lượt phải lớn hơn 0 %.", reason_en="every pass must sample more than 0 %."
        )
    known = dict(ErrorClass.objects.values_list("code", "label"))
    thresholds: dict[str, int | float] = {}
    for code, value in (class_thresholds or {}).items():
        if value in (None, ""):
            continue
        if code not in known:
            raise WorkflowError(reason=f"không có loại lỗi «{code}».", reason_en=f"no error class «{code}».")
        thresholds[code] = _json_number(_percent(value, f"Ngưỡng lỗi «{known[code]}»"))
    plan, _ = SamplingPlan.objects.update_or_create(
        project=project,
        contractor=contractor,
        defaults={
            "passes": [_json_number(rate) for rate in rates],
            "max_error_rate": _percent(max_error_rate, "Tỷ lệ hồ sơ lỗi tối đa"),
            "class_thresholds": thresholds,
            "updated_by": by,
        },
    )
    _log(project, by, "ke_hoach_lay_mau", note=str(plan))
    return plan


# -- an inspection ----------------------------------------------------------------------------------


def sample_size(batch: int, rate: Decimal) -> int:
    """Files to draw from ``batch`` at ``rate`` percent: rounded up, at least one of a non-empty batch."""
    if batch <= 0:
        return 0
    return min(batch, max(1, math.ceil(Decimal(batch) * rate / Decimal(100))))


def draw_sample(candidates: list[int], *, size: int, seed: int) -> list[int]:
    """A reproducible sample of ``size`` ids: the same seed and candidates always give the same ids."""
    ordered = sorted(candidates)
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))


def _check_four_eyes(project: Project, inspector: Any) -> None:
    if inspector.pk in selectors.contractor_members(project):
        raise WorkflowError(
            reason="người kiểm tra sản phẩm không được là người làm việc cho nhà thầu (nguyên tắc hai người).",
            reason_en="the product inspector may not work for the contractor (four-eyes rule).",
        )


@transaction.atomic
def inspection_start(*, project: Project, inspector: Any, pass_number: int) -> Inspection:
    """Open an inspection over the files waiting in KIEM_TRA_SAN_PHAM and draw its sample."""
    require_role(project, inspector, Role.QC_INSPECTOR)
    _check_four_eyes(project, inspector)
    if pass_number < 1:
        raise WorkflowError(reason="lượt kiểm tra phải từ 1 trở lên.", reason_en="the pass number starts at 1.")
    plan = selectors.plan_for(project=project)
    if plan is None or not plan.passes:
        raise WorkflowError(
            reason="đề án chưa có kế hoạch lấy mẫu kiểm tra sản phẩm.",
            reason_en="the project has no sampling plan for product inspection.",
        )
    items = list(selectors.waiting_items(project=project, inspector=inspector))
    if not items:
        raise WorkflowError(
            reason="không có hồ sơ nào đang chờ kiểm tra sản phẩm.", reason_en="no file waits for product inspection."
        )
    inspection = Inspection.objects.create(
        project=project,
        plan=plan,
        contractor=plan.contractor or project.contractor,
        pass_number=pass_number,
        sample_rate=plan.rate_of_pass(pass_number),
        max_error_rate=plan.max_error_rate,
        class_thresholds=dict(plan.class_thresholds),
        inspector=inspector,
    )
    ids = [item.pk for item in items]
    to_verify = set(
        CorrectionTask.objects.filter(item_id__in=ids, status=CorrectionTask.Status.FIXED).values_list(
            "item_id", flat=True
        )
    )
    to_verify |= selectors.back_from_correction(ids)
    others = [pk for pk in ids if pk not in to_verify]
    drawn = set(draw_sample(others, size=sample_size(len(others), inspection.sample_rate), seed=inspection.pk))
    scanned = dict(
        Page.objects.filter(file_id__in=[item.file_id for item in items])
        .order_by()
        .values_list("file_id")
        .annotate(n=Count("id"))
    )
    InspectionItem.objects.bulk_create(
        [
            InspectionItem(
                inspection=inspection,
                item=item,
                sampled=item.pk in drawn or item.pk in to_verify,
                verification=item.pk in to_verify,
                pages=scanned.get(item.file_id) or item.file.number_of_page or 0,
            )
            for item in items
        ]
    )
    _log(
        project,
        inspector,
        "bat_dau_kiem_tra_san_pham",
        counts={"pass": pass_number, "files": len(items), "sample": len(drawn) + len(to_verify)},
        note=f"Đợt kiểm tra #{inspection.pk}, tỷ lệ lấy mẫu {inspection.sample_rate} %",
    )
    return inspection


def _require_own_open(inspection: Inspection, by: Any) -> None:
    if inspection.inspector_id != by.pk and not by.is_superuser:
        raise PermissionDeniedError("Chỉ người kiểm tra của đợt này được ghi kết quả.")
    if not inspection.is_open:
        raise WorkflowError(reason="đợt kiểm tra đã kết thúc.", reason_en="the inspection is closed.")


@transaction.atomic
def finding_record(
    *,
    inspection: Inspection,
    item: ProjectFile,
    error_class: ErrorClass,
    by: Any,
    page_number: int | None = None,
    document: Document | None = None,
    note: str = "",
) -> InspectionFinding:
    """Record one error found in a sampled file, attributed to whoever completed the step it comes from."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _require_own_open(inspection, by)
    entry = InspectionItem.objects.filter(inspection=inspection, item=item, sampled=True).first()
    if entry is None:
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} không nằm trong mẫu của đợt kiểm tra này.",
            reason_en=f"file {item.file.file_code} is not in this inspection's sample.",
        )
    if not error_class.active:
        raise WorkflowError(reason=f"loại lỗi «{error_class.label}» đã ngừng dùng.", reason_en="retired error class.")
    if page_number is not None and (page_number < 1 or (entry.pages and page_number > entry.pages)):
        raise WorkflowError(
            reason=f"trang {page_number} không có trong hồ sơ {item.file.file_code} ({entry.pages} trang).",
            reason_en=f"page {page_number} is not in file {item.file.file_code}.",
        )
    if document is not None and document.file_id != item.file_id:
        raise WorkflowError(
            reason=f"tài liệu {document.doc_code} không thuộc hồ sơ {item.file.file_code}.",
            reason_en=f"document {document.doc_code} is not in file {item.file.file_code}.",
        )
    return InspectionFinding.objects.create(
        inspection=inspection,
        item=item,
        error_class=error_class,
        page_number=page_number,
        document=document,
        note=nfc(note).strip(),
        worker_id=selectors.responsible_worker_id(item, error_class),
        recorded_by=by,
    )


@transaction.atomic
def finding_delete(*, finding: InspectionFinding, by: Any) -> None:
    """Withdraw a finding entered by mistake, while its inspection is still open."""
    _require_own_open(Inspection.objects.select_for_update().get(pk=finding.inspection_id), by)
    finding.delete()


@transaction.atomic
def inspection_close(*, inspection: Inspection, by: Any, conclusion: str = "") -> selectors.Report:
    """Compute the report, give the verdict and move every file of the batch on.

    A file with findings goes to SUA_LOI with one correction task (and a verified file's earlier tasks
    reopen); a clean sampled file, or any file of a batch that passed, goes to SAO_CHEP and its fixed
    tasks become verified; when the batch failed, unsampled files wait for the next pass.
    """
    inspection = Inspection.objects.select_for_update().select_related("project").get(pk=inspection.pk)
    _require_own_open(inspection, by)
    _check_four_eyes(inspection.project, by)
    report = selectors.inspection_report(inspection=inspection)
    now = timezone.now()
    inspection.status = Inspection.Status.CLOSED
    inspection.result = Inspection.Result.PASSED if report.passed else Inspection.Result.FAILED
    inspection.finished_at = now
    inspection.conclusion = nfc(conclusion).strip()
    inspection.save(update_fields=["status", "result", "finished_at", "conclusion"])
    moved = {"dat": 0, "sua_loi": 0, "kiem_tra_lai": 0}
    for entry in InspectionItem.objects.filter(inspection=inspection).select_related("item__file"):
        item = entry.item
        if item.state != State.KIEM_TRA_SAN_PHAM:
            continue
        found = list(InspectionFinding.objects.filter(inspection=inspection, item=item))
        earlier = CorrectionTask.objects.filter(item=item, status=CorrectionTask.Status.FIXED)
        if found:
            earlier.update(status=CorrectionTask.Status.OPEN)
            task = CorrectionTask.objects.create(item=item, inspection=inspection, contractor=inspection.contractor)
            InspectionFinding.objects.filter(pk__in=[f.pk for f in found]).update(correction=task)
            entry.outcome = InspectionItem.Outcome.CORRECTION
            entry.save(update_fields=["outcome"])
            transition(
                item=item,
                target=State.SUA_LOI,
                actor=by,
                counts={"loi": len(found)},
                note=f"Biên bản kiểm tra sản phẩm #{inspection.pk}, lượt {inspection.pass_number}",
            )
        elif entry.sampled or report.passed:
            fixed_ids = list(earlier.values_list("id", flat=True))
            earlier.update(status=CorrectionTask.Status.VERIFIED, verified_by=by, verified_at=now)
            InspectionFinding.objects.filter(correction_id__in=fixed_ids, resolved_at__isnull=True).update(
                resolved_at=now
            )
            entry.outcome = InspectionItem.Outcome.ACCEPTED
            entry.save(update_fields=["outcome"])
            transition(
                item=item,
                target=State.SAO_CHEP,
                actor=by,
                note=f"Đạt kiểm tra sản phẩm #{inspection.pk}, lượt {inspection.pass_number}",
            )
        else:
            entry.outcome = InspectionItem.Outcome.REINSPECT
            entry.save(update_fields=["outcome"])
        moved[entry.outcome] += 1
    _log(
        inspection.project,
        by,
        "ket_thuc_kiem_tra_san_pham",
        counts={"pass": inspection.pass_number, "sample": report.sample_size, "loi": report.findings, **moved},
        note=f"Đợt kiểm tra #{inspection.pk}: {inspection.get_result_display()} (tỷ lệ hồ sơ lỗi {report.rate:.2f} %)",
    )
    return selectors.inspection_report(inspection=inspection)


# -- corrections ------------------------------------------------------------------------------------


@transaction.atomic
def correction_mark_fixed(*, task: CorrectionTask, by: Any, note: str = "") -> CorrectionTask:
    """The contractor manager reports a correction done; with the file's last one it returns to inspection."""
    task = CorrectionTask.objects.select_for_update().select_related("item__project", "item__file").get(pk=task.pk)
    item = task.item
    require_role(item.project, by, Role.CONTRACTOR_MANAGER)
    if task.status != CorrectionTask.Status.OPEN:
        raise WorkflowError(
            reason=f"yêu cầu sửa lỗi của hồ sơ {item.file.file_code} không còn ở trạng thái cần sửa.",
            reason_en="this correction task is not open.",
        )
    if item.state != State.SUA_LOI:
        raise WorkflowError(
            reason=f"hồ sơ {item.file.file_code} không ở bước «{State.SUA_LOI.label}».",
            reason_en=f"file {item.file.file_code} is not waiting for corrections.",
        )
    task.status = CorrectionTask.Status.FIXED
    task.fixed_by = by
    task.fixed_at = timezone.now()
    task.fix_note = nfc(note).strip()
    task.save(update_fields=["status", "fixed_by", "fixed_at", "fix_note"])
    if not CorrectionTask.objects.filter(item=item, status=CorrectionTask.Status.OPEN).exists():
        transition(
            item=item,
            target=State.KIEM_TRA_SAN_PHAM,
            actor=by,
            counts={"da_sua": task.findings.count()},
            note=task.fix_note or "Đã sửa lỗi theo biên bản kiểm tra sản phẩm",
        )
    return task
