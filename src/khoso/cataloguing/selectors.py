"""Reads of cataloguing and data entry: sheets of a file, reports, differences, error statistics.

The error statistics are the supervisors' measure of quality (standards.md §7.2, "error counts per
field and worker"): a rate needs its denominator, so every report records which sheets it covered
and whose work they were (:class:`CheckedSheet`), and a rate is errors over what was checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum

from khoso.archive import profiles
from khoso.cataloguing.fields import DOCUMENT, FILE, fields_of, label
from khoso.cataloguing.models import CheckedSheet, CheckError, CheckReport, Guideline, Keying, Worksheet
from khoso.workflow.models import Project, ProjectFile
from khoso.workflow.states import State

STAGE_OF_STATE = {
    State.KIEM_TRA_BIEN_MUC: CheckReport.Stage.CATALOGUE,
    State.SUA_LOI_BIEN_MUC: CheckReport.Stage.CATALOGUE,
    State.KIEM_TRA_NHAP: CheckReport.Stage.ENTRY,
    State.SUA_LOI_NHAP: CheckReport.Stage.ENTRY,
}


def current_guideline(*, project: Project) -> Guideline | None:
    return Guideline.objects.filter(project=project, is_current=True).first()


def guideline_list(*, project: Project) -> QuerySet[Guideline]:
    return Guideline.objects.filter(project=project).select_related("created_by").order_by("-version")


def sheets_of(*, item: ProjectFile) -> list[Worksheet]:
    """The file sheet first, then the document sheets by ordinal."""
    return list(item.worksheets.select_related("author", "guideline").order_by("ordinal"))


def file_sheet(*, item: ProjectFile) -> Worksheet | None:
    return item.worksheets.filter(kind=FILE).first()


def passes_required(worksheet: Worksheet) -> int:
    """Two independent keyings when the sheet's guideline version asks for double keying, else one."""
    return 2 if worksheet.guideline.double_keying else 1


def report_of(*, item: ProjectFile, stage: str, round: int | None = None) -> CheckReport | None:
    return CheckReport.objects.filter(item=item, stage=stage, round=item.round if round is None else round).first()


def open_errors(*, item: ProjectFile, stage: str, blocking_only: bool = False) -> QuerySet[CheckError]:
    errors = CheckError.objects.filter(report__item=item, report__stage=stage, fixed=False)
    if blocking_only:
        errors = errors.filter(severity=CheckError.Severity.BLOCKING)
    return errors.select_related("worksheet", "keying", "worker", "report")


def item_errors(*, item: ProjectFile, stage: str) -> QuerySet[CheckError]:
    return (
        CheckError.objects.filter(report__item=item, report__stage=stage)
        .select_related("worksheet", "worker", "report", "keying", "fixed_by")
        .order_by("-report__round", "worksheet__ordinal", "id")
    )


@dataclass
class KeyingTask:
    worksheet: Worksheet
    mine: Keying | None
    done: int
    needed: int


def keying_tasks(*, item: ProjectFile, user: Any) -> list[KeyingTask]:
    """For one operator: each sheet, their own keying if any, and how many passes exist (never their values)."""
    sheets = sheets_of(item=item)
    keyings = Keying.objects.filter(worksheet__in=sheets)
    counts: dict[int, int] = {}
    mine: dict[int, Keying] = {}
    for keying in keyings:
        counts[keying.worksheet_id] = counts.get(keying.worksheet_id, 0) + 1
        if keying.keyer_id == user.pk:
            mine[keying.worksheet_id] = keying
    return [KeyingTask(s, mine.get(s.pk), counts.get(s.pk, 0), passes_required(s)) for s in sheets]


def keyers_of(*, item: ProjectFile) -> set[int]:
    return set(Keying.objects.filter(worksheet__item=item).values_list("keyer_id", flat=True))


def verified_data(*, report: CheckReport) -> dict[int, dict[str, Any]]:
    """worksheet id → the values that passed the entry check: what the keyings agree on, or the checker chose."""
    result: dict[int, dict[str, Any]] = {}
    for keying in Keying.objects.filter(worksheet__item=report.item, pass_no=1):
        result[keying.worksheet_id] = dict(keying.data)
    for difference in report.differences.filter(resolved=True):
        result.setdefault(difference.worksheet_id, {})[difference.field] = difference.resolved_value
    return result


# -- error statistics ------------------------------------------------------------------------------


@dataclass
class FieldRow:
    kind: str
    field: str
    label: str
    checked: int
    errors: int
    blocking: int

    @property
    def rate(self) -> float:
        """Errors per 100 checked sheets carrying this field."""
        return round(100 * self.errors / self.checked, 2) if self.checked else 0.0


@dataclass
class WorkerRow:
    user_id: int
    name: str
    sheets: int
    fields: int
    errors: int
    blocking: int

    @property
    def rate(self) -> float:
        """Wrong fields per 100 checked fields of this person's work."""
        return round(100 * self.errors / self.fields, 2) if self.fields else 0.0

    @property
    def per_sheet(self) -> float:
        return round(self.errors / self.sheets, 2) if self.sheets else 0.0


@dataclass
class ErrorStats:
    stage: str
    reports: int
    sheets: int
    errors: int
    blocking: int
    by_field: list[FieldRow]
    by_worker: list[WorkerRow]


def error_stats(*, project: Project, stage: str) -> ErrorStats:
    """Errors per field and per worker for one stage of one project, with the rates."""
    reports = CheckReport.objects.filter(item__project=project, stage=stage)
    checked = CheckedSheet.objects.filter(report__in=reports)
    errors = CheckError.objects.filter(report__in=reports)
    blocking = Q(severity=CheckError.Severity.BLOCKING)

    sheets_per_kind = dict(checked.order_by().values_list("kind").annotate(n=Count("id")))
    error_rows = {
        (row["worksheet__kind"], row["field"]): row
        for row in errors.order_by()
        .values("worksheet__kind", "field")
        .annotate(n=Count("id"), blocking=Count("id", filter=blocking))
    }
    by_field = []
    party = project.fonds.filter(institution__profile=profiles.PARTY).exists()
    profile = profiles.PARTY if party else profiles.STATE
    for kind in (FILE, DOCUMENT):
        for name in fields_of(kind, profile):
            row = error_rows.get((kind, name))
            if row is None and not sheets_per_kind.get(kind):
                continue
            by_field.append(
                FieldRow(
                    kind=kind,
                    field=name,
                    label=label(kind, name, profile),
                    checked=sheets_per_kind.get(kind, 0),
                    errors=row["n"] if row else 0,
                    blocking=row["blocking"] if row else 0,
                )
            )
    by_field.sort(key=lambda r: (-r.errors, r.kind, r.label))

    # Mapping, not the plugin's row TypedDict: ``.get(user_id, {})`` below falls back to an empty dict.
    work: dict[int, Mapping[str, Any]] = {
        row["worker"]: row
        for row in checked.order_by().values("worker").annotate(sheets=Count("id"), fields=Sum("field_count"))
    }
    wrong: dict[int, Mapping[str, Any]] = {
        row["worker"]: row
        for row in errors.order_by().values("worker").annotate(n=Count("id"), blocking=Count("id", filter=blocking))
    }
    names = {
        user.pk: user.get_full_name() or user.get_username()
        for user in get_user_model().objects.filter(pk__in=set(work) | set(wrong))
    }
    by_worker = [
        WorkerRow(
            user_id=user_id,
            name=names.get(user_id, str(user_id)),
            sheets=work.get(user_id, {}).get("sheets", 0),
            fields=work.get(user_id, {}).get("fields", 0) or 0,
            errors=wrong.get(user_id, {}).get("n", 0),
            blocking=wrong.get(user_id, {}).get("blocking", 0),
        )
        for user_id in set(work) | set(wrong)
    ]
    by_worker.sort(key=lambda r: (-r.rate, r.name))
    return ErrorStats(
        stage=stage,
        reports=reports.count(),
        sheets=checked.count(),
        errors=errors.count(),
        blocking=errors.filter(blocking).count(),
        by_field=by_field,
        by_worker=by_worker,
    )
