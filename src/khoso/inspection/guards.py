"""Conditions product inspection puts on the moves out of and back into KIEM_TRA_SAN_PHAM.

Closing an inspection moves files itself, but the generic task page offers the same buttons; these
guards make both paths obey one rule: a file is copied only after an inspection has accepted it, sent
for correction only with an error on record, and returned for re-inspection only when the contractor
has reported every correction done.
"""

from __future__ import annotations

from typing import Any

from khoso.core.errors import WorkflowError
from khoso.inspection.models import CorrectionTask, Inspection, InspectionFinding, InspectionItem
from khoso.workflow.models import ProjectFile, WorkflowEvent
from khoso.workflow.states import State


def _arrived_at(item: ProjectFile) -> Any:
    """When the file last entered KIEM_TRA_SAN_PHAM; inspections before that do not count."""
    return (
        WorkflowEvent.objects.filter(item=item, target=State.KIEM_TRA_SAN_PHAM, action="chuyen_buoc")
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )


def inspected_and_accepted(item: ProjectFile, actor: Any) -> None:
    """KIEM_TRA_SAN_PHAM → SAO_CHEP: accepted by a closed inspection, no finding left open."""
    code = item.file.file_code
    entries = InspectionItem.objects.filter(item=item, inspection__status=Inspection.Status.CLOSED)
    arrived = _arrived_at(item)
    if arrived is not None:
        entries = entries.filter(inspection__started_at__gte=arrived)
    if not entries.exists():
        raise WorkflowError(
            reason=f"hồ sơ {code} chưa được kiểm tra trong một đợt kiểm tra sản phẩm đã kết thúc.",
            reason_en=f"file {code} has not been inspected in a closed product inspection.",
        )
    if (
        not entries.filter(sampled=True).exists()
        and not entries.filter(inspection__result=Inspection.Result.PASSED).exists()
    ):
        raise WorkflowError(
            reason=f"hồ sơ {code} thuộc đợt kiểm tra không đạt và chưa được lấy mẫu: chờ lượt kiểm tra sau.",
            reason_en=f"file {code} was not sampled by an inspection that failed; it waits for the next pass.",
        )
    still_open = InspectionFinding.objects.filter(item=item, resolved_at__isnull=True).count()
    if still_open:
        raise WorkflowError(
            reason=f"hồ sơ {code} còn {still_open} lỗi chưa khắc phục trong biên bản kiểm tra sản phẩm.",
            reason_en=f"file {code} has {still_open} unresolved inspection findings.",
        )


def has_a_finding(item: ProjectFile, actor: Any) -> None:
    """KIEM_TRA_SAN_PHAM → SUA_LOI: at least one recorded error with a correction task to work on."""
    if not InspectionFinding.objects.filter(
        item=item, resolved_at__isnull=True, correction__status=CorrectionTask.Status.OPEN
    ).exists():
        code = item.file.file_code
        raise WorkflowError(
            reason=f"hồ sơ {code} chưa có lỗi nào được ghi trong biên bản kiểm tra sản phẩm.",
            reason_en=f"file {code} has no error recorded in a product inspection report.",
        )


def corrections_done(item: ProjectFile, actor: Any) -> None:
    """SUA_LOI → KIEM_TRA_SAN_PHAM: every correction task of the file reported fixed."""
    still_open = CorrectionTask.objects.filter(item=item, status=CorrectionTask.Status.OPEN).count()
    if still_open:
        code = item.file.file_code
        raise WorkflowError(
            reason=f"hồ sơ {code} còn {still_open} yêu cầu sửa lỗi chưa được đánh dấu «đã sửa».",
            reason_en=f"file {code} has {still_open} correction tasks not marked fixed.",
        )
