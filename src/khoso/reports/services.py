"""Writes of the reports app: entering a project's plan for one year (its fonds, metres, counted pages).

A year is written whole, in one transaction: the lines given replace the year's lines, so a plan
typed from a decision (seed 000's appendix, seed 002's schedule) is either all in or not at all.
Only the project's planners (or an administrator) may write it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from khoso.archive.models import Fonds
from khoso.core.errors import ValidationError
from khoso.core.text import nfc
from khoso.reports.models import PlanLine, PlanYear
from khoso.workflow.models import Project
from khoso.workflow.services import require_role
from khoso.workflow.states import Role


@dataclass(frozen=True)
class LineInput:
    """One line of a yearly plan as typed from the decision: metres always, counted pages when known."""

    metres: Decimal | str | float | int
    label: str = ""
    fonds: Fonds | None = None
    pages_counted: int | None = None


def _metres(value: Any, label: str) -> Decimal:
    try:
        metres = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(reason=f"số mét giá «{value}» của «{label}» không phải là số.") from None
    if not metres.is_finite() or metres < 0 or metres != metres.quantize(Decimal("0.01")):
        raise ValidationError(reason=f"số mét giá của «{label}» phải là số không âm, tối đa 2 chữ số thập phân.")
    return metres


@transaction.atomic
def plan_year_set(
    *,
    project: Project,
    year: int,
    lines: Sequence[LineInput],
    by: Any,
    budget_vnd: int | None = None,
    decision: str = "",
) -> PlanYear:
    """Write the plan of ``project`` for ``year``, replacing whatever that year held."""
    require_role(project, by, Role.PLANNER)
    if not project.year_from <= year <= project.year_to:
        raise ValidationError(
            reason=f"năm {year} nằm ngoài thời gian của đề án ({project.year_from}–{project.year_to})."
        )
    if not lines:
        raise ValidationError(reason=f"kế hoạch năm {year} phải có ít nhất một dòng (phông hoặc khối tài liệu).")
    if budget_vnd is not None and budget_vnd < 0:
        raise ValidationError(reason="kinh phí không được âm.")
    project_fonds = set(project.fonds.values_list("pk", flat=True))
    rows = []
    for position, line in enumerate(lines, start=1):
        label = nfc(line.label or (line.fonds.name if line.fonds else "")).strip()
        if not label:
            raise ValidationError(
                reason=f"dòng {position} của kế hoạch năm {year} chưa có tên phông hoặc khối tài liệu."
            )
        if line.fonds is not None and line.fonds.pk not in project_fonds:
            raise ValidationError(reason=f"phông «{line.fonds.code}» không thuộc đề án {project.code}.")
        if line.pages_counted is not None and line.pages_counted < 0:
            raise ValidationError(reason=f"số trang đã kiểm đếm của «{label}» không được âm.")
        rows.append(
            PlanLine(
                position=position,
                fonds=line.fonds,
                label=label,
                metres=_metres(line.metres, label),
                pages_counted=line.pages_counted,
            )
        )
    plan_year, _ = PlanYear.objects.select_for_update().get_or_create(project=project, year=year)
    plan_year.budget_vnd = budget_vnd
    plan_year.decision = nfc(decision).strip()
    plan_year.save()
    plan_year.lines.all().delete()
    for row in rows:
        row.plan_year = plan_year
    PlanLine.objects.bulk_create(rows)
    return plan_year
