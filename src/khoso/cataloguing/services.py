"""Writes of cataloguing (biên mục phiếu tin) and data entry (nhập phiếu tin), TT 04/2014 steps (2)–(3).

The loop the regulation asks for is check → error report → fix → re-check until no blocking error
is left; these services keep its records, and the guards in :mod:`khoso.cataloguing.guards` refuse
the workflow moves until the records say the loop is closed. Two rules run through all of it:

- the second person: whoever checks a sheet did not write it (or key it);
- the archive of record is written once, at the end, with the values the entry check verified,
  through ``khoso.archive.services`` so every TT 05 rule is applied there too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from khoso.archive.models import ArchiveFile, Document
from khoso.archive.services import document_create, document_update, file_update
from khoso.cataloguing import selectors
from khoso.cataloguing.fields import (
    DOCUMENT,
    FILE,
    STATE,
    clean_value,
    display,
    fields_of,
    label,
    profile_of,
    required_of,
    typed,
    validate,
)
from khoso.cataloguing.models import (
    CheckedSheet,
    CheckError,
    CheckReport,
    Difference,
    Guideline,
    Keying,
    Worksheet,
)
from khoso.core.errors import ValidationError, WorkflowError
from khoso.core.text import nfc
from khoso.workflow.models import Project, ProjectFile, WorkflowEvent
from khoso.workflow.services import require_role
from khoso.workflow.states import Role, State

CATALOGUE_STATES = {State.BIEN_MUC, State.SUA_LOI_BIEN_MUC}
ENTRY_STATES = {State.NHAP_LIEU, State.SUA_LOI_NHAP}
CHECK_STATES = {State.KIEM_TRA_BIEN_MUC: CheckReport.Stage.CATALOGUE, State.KIEM_TRA_NHAP: CheckReport.Stage.ENTRY}


class WorksheetInvalid(ValidationError):
    """A sheet breaks TT 05 rules; ``problems`` names each wrong field so a form can show it beside the field."""

    def __init__(self, *, sheet: str, kind: str, problems: dict[str, str], profile: str = STATE) -> None:
        self.problems = problems
        listed = "; ".join(f"{label(kind, name, profile)}: {reason}" for name, reason in problems.items())
        super().__init__(reason=f"{sheet}: {listed}")


def _refuse(reason: str, reason_en: str) -> WorkflowError:
    return WorkflowError(reason=reason, reason_en=reason_en)


def _locked(item: ProjectFile) -> ProjectFile:
    return ProjectFile.objects.select_for_update().select_related("file", "project").get(pk=item.pk)


def _state_label(item: ProjectFile) -> str:
    return State(item.state).label


def _mark_changed_fixed(errors: QuerySet[CheckError], data: dict[str, Any], by: Any) -> int:
    """Open errors whose field now holds another value than the checker saw are fixed by this save."""
    now = timezone.now()
    fixed = 0
    for error in errors:
        if data.get(error.field) != error.value:
            error.fixed, error.fixed_by, error.fixed_at = True, by, now
            error.fixed_value = data.get(error.field)
            error.save(update_fields=["fixed", "fixed_by", "fixed_at", "fixed_value"])
            fixed += 1
    return fixed


# -- guidelines ------------------------------------------------------------------------------------


@transaction.atomic
def guideline_publish(
    *, project: Project, by: Any, title: str, text: str, effective_date: date, double_keying: bool = False
) -> Guideline:
    """Publish a new version of the project's cataloguing guideline; it replaces the current one."""
    require_role(project, by, Role.PLANNER)
    title, text = nfc(title).strip(), nfc(text).strip()
    if not title or not text:
        raise _refuse("hướng dẫn biên mục phải có tên và nội dung.", "a guideline needs a title and a text.")
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one publisher at a time per project
    last = Guideline.objects.filter(project=project).aggregate(v=Max("version"))["v"] or 0
    Guideline.objects.filter(project=project, is_current=True).update(is_current=False)
    guideline = Guideline.objects.create(
        project=project,
        version=last + 1,
        title=title,
        text=text,
        effective_date=effective_date,
        double_keying=double_keying,
        created_by=by,
    )
    WorkflowEvent.objects.create(
        project=project,
        action="huong_dan_bien_muc",
        actor=by,
        counts={"version": guideline.version, "double_keying": double_keying},
        note=title,
    )
    return guideline


# -- worksheets ------------------------------------------------------------------------------------


@transaction.atomic
def worksheet_save(
    *, item: ProjectFile, by: Any, values: dict[str, Any], kind: str = FILE, ordinal: int = 0
) -> Worksheet:
    """Write a file sheet (``kind=FILE``) or document sheet ``ordinal`` after checking every TT 05 rule.

    Nothing reaches the archive of record here. In the correction step, saving a sheet marks the
    open errors on the fields it changed as fixed.
    """
    item = _locked(item)
    require_role(item.project, by, Role.CATALOGUER)
    if item.state not in CATALOGUE_STATES:
        raise _refuse(
            f"phiếu tin chỉ được biên mục ở bước «Biên mục phiếu tin» hoặc «Sửa lỗi biên mục»; "
            f"hồ sơ {item.file.file_code} đang ở bước «{_state_label(item)}».",
            "worksheets are written only while cataloguing or correcting.",
        )
    if item.assignee_id not in (None, by.pk) and not by.is_superuser:
        raise _refuse(
            f"hồ sơ {item.file.file_code} đang được giao cho người khác.", "the file is assigned to someone else."
        )
    guideline = selectors.current_guideline(project=item.project)
    if guideline is None:
        raise _refuse(
            "đề án chưa ban hành hướng dẫn biên mục; phải có hướng dẫn trước khi biên mục phiếu tin.",
            "the project has no cataloguing guideline yet.",
        )
    if kind == FILE:
        ordinal = 0
    else:
        parent = selectors.file_sheet(item=item)
        if parent is None:
            raise _refuse("phải lập phiếu tin hồ sơ trước phiếu tin tài liệu.", "write the file sheet first.")
        total = parent.data.get("total_doc") or 0
        if not 1 <= ordinal <= total:
            raise _refuse(
                f"số thứ tự tài liệu phải từ 1 đến {total} (tổng số tài liệu ghi trên phiếu tin hồ sơ).",
                f"the document number must be between 1 and {total}.",
            )
    sheet = item.worksheets.filter(kind=kind, ordinal=ordinal).first()
    name = sheet.name if sheet else Worksheet(kind=kind, ordinal=ordinal).name
    if sheet is not None and sheet.author_id != by.pk and not by.is_superuser:
        raise _refuse(
            f"{name} do {sheet.author} biên mục; chỉ người biên mục sửa phiếu tin của mình.",
            "only the sheet's author corrects it.",
        )
    profile = profile_of(item)
    data, problems = validate(kind, values, profile)
    if kind == FILE and "total_doc" not in problems:
        highest = item.worksheets.filter(kind=DOCUMENT).aggregate(n=Max("ordinal"))["n"] or 0
        if data["total_doc"] < highest:
            problems["total_doc"] = f"đã có phiếu tin tài liệu số {highest}; xóa các phiếu thừa trước khi giảm"
    if problems:
        raise WorksheetInvalid(sheet=name, kind=kind, problems=problems, profile=profile)
    if sheet is None:
        sheet = Worksheet.objects.create(
            item=item,
            kind=kind,
            ordinal=ordinal,
            data=data,
            guideline=guideline,
            author=by,
            edited_by=by,
            round=item.round,
        )
    else:
        sheet.data, sheet.guideline, sheet.edited_by, sheet.round = data, guideline, by, item.round
        sheet.save(update_fields=["data", "guideline", "edited_by", "round", "updated_at"])
    if item.state == State.SUA_LOI_BIEN_MUC:
        _mark_changed_fixed(sheet.errors.filter(report__stage=CheckReport.Stage.CATALOGUE, fixed=False), data, by)
    return sheet


@transaction.atomic
def worksheet_delete(*, worksheet: Worksheet, by: Any) -> None:
    """Remove a document sheet written by mistake, as long as no check has covered it."""
    item = _locked(worksheet.item)
    require_role(item.project, by, Role.CATALOGUER)
    if item.state not in CATALOGUE_STATES or worksheet.kind != DOCUMENT:
        raise _refuse("chỉ xóa phiếu tin tài liệu khi đang biên mục.", "only document sheets, while cataloguing.")
    if worksheet.author_id != by.pk and not by.is_superuser:
        raise _refuse("chỉ người biên mục xóa phiếu tin của mình.", "only the author deletes a sheet.")
    if CheckedSheet.objects.filter(worksheet=worksheet).exists():
        raise _refuse(
            f"{worksheet.name} đã được kiểm tra, không xóa được; hãy sửa nội dung phiếu.",
            "a checked sheet cannot be deleted.",
        )
    worksheet.delete()


# -- checks (second person) ------------------------------------------------------------------------


def _second_person(item: ProjectFile, by: Any, stage: str) -> None:
    require_role(item.project, by, Role.CHECKER)
    if stage == CheckReport.Stage.CATALOGUE:
        writers = set(item.worksheets.values_list("author_id", flat=True))
        writers |= set(item.worksheets.values_list("edited_by_id", flat=True))
        if by.pk in writers:
            raise _refuse(
                "người kiểm tra phải là người thứ hai: không kiểm tra phiếu tin do chính mình biên mục.",
                "the checker may not check sheets they wrote.",
            )
    elif by.pk in selectors.keyers_of(item=item):
        raise _refuse(
            "người kiểm tra phải là người thứ hai: không kiểm tra phiếu tin do chính mình nhập.",
            "the checker may not check keying they did.",
        )


def _differs(values: list[Any]) -> bool:
    return any(value != values[0] for value in values[1:])


@transaction.atomic
def check_start(*, item: ProjectFile, by: Any) -> CheckReport:
    """Open the check report of the file's current round (idempotent).

    It records which sheets the check covers and whose work they are. At the entry stage it also
    compares each sheet's keyings with each other and with the worksheet, field by field.
    """
    item = _locked(item)
    stage = CHECK_STATES.get(State(item.state))
    if stage is None:
        raise _refuse(
            f"chỉ kiểm tra khi hồ sơ ở bước «Kiểm tra biên mục» hoặc «Kiểm tra nhập phiếu tin»; "
            f"hồ sơ {item.file.file_code} đang ở bước «{_state_label(item)}».",
            "checks happen only in a check step.",
        )
    _second_person(item, by, stage)
    report = selectors.report_of(item=item, stage=stage)
    if report is not None:
        return report
    report = CheckReport.objects.create(item=item, stage=stage, round=item.round, checker=by)
    sheets = selectors.sheets_of(item=item)
    profile = profile_of(item)
    if stage == CheckReport.Stage.CATALOGUE:
        CheckedSheet.objects.bulk_create(
            CheckedSheet(
                report=report,
                worksheet=s,
                kind=s.kind,
                worker_id=s.author_id,
                field_count=len(fields_of(s.kind, profile)),
            )
            for s in sheets
        )
        return report
    keyings: dict[int, dict[int, Keying]] = {}
    for keying in Keying.objects.filter(worksheet__in=sheets):
        keyings.setdefault(keying.worksheet_id, {})[keying.pass_no] = keying
    checked, differences = [], []
    for sheet in sheets:
        passes = keyings.get(sheet.pk, {})
        for keying in passes.values():
            checked.append(
                CheckedSheet(
                    report=report,
                    worksheet=sheet,
                    kind=sheet.kind,
                    worker_id=keying.keyer_id,
                    field_count=len(fields_of(sheet.kind, profile)),
                )
            )
        for name in fields_of(sheet.kind, profile):
            values = [sheet.data.get(name)] + [passes[p].data.get(name) for p in sorted(passes)]
            if _differs(values):
                differences.append(
                    Difference(
                        report=report,
                        worksheet=sheet,
                        field=name,
                        worksheet_value=sheet.data.get(name),
                        pass1_value=passes[1].data.get(name) if 1 in passes else None,
                        pass2_value=passes[2].data.get(name) if 2 in passes else None,
                    )
                )
    CheckedSheet.objects.bulk_create(checked)
    Difference.objects.bulk_create(differences)
    return report


@transaction.atomic
def check_error_add(
    *,
    item: ProjectFile,
    by: Any,
    worksheet: Worksheet,
    field: str,
    severity: str,
    message: str,
    pass_no: int = 1,
) -> CheckError:
    """Record one error in the current round's report, against the person whose work is wrong.

    At the cataloguing check that is the sheet's author; at the entry check, the operator of
    keying ``pass_no``.
    """
    report = check_start(item=item, by=by)
    if worksheet.item_id != report.item_id:
        raise _refuse("phiếu tin không thuộc hồ sơ này.", "the sheet belongs to another file.")
    if field not in fields_of(worksheet.kind, profile_of(item)):
        raise _refuse(f"trường «{field}» không có trong {worksheet.name}.", f"no field {field} on this sheet.")
    if severity not in CheckError.Severity.values:
        raise _refuse("mức độ lỗi không hợp lệ.", "invalid severity.")
    message = nfc(message).strip()
    if not message:
        raise _refuse("phải mô tả lỗi để người làm biết cần sửa gì.", "describe the error.")
    keying = None
    if report.stage == CheckReport.Stage.CATALOGUE:
        worker_id, value = worksheet.author_id, worksheet.data.get(field)
    else:
        keying = worksheet.keyings.filter(pass_no=pass_no).first()
        if keying is None:
            raise _refuse(f"{worksheet.name} không có lượt nhập {pass_no}.", f"no keying pass {pass_no}.")
        worker_id, value = keying.keyer_id, keying.data.get(field)
    return CheckError.objects.create(
        report=report,
        worksheet=worksheet,
        keying=keying,
        field=field,
        severity=severity,
        message=message,
        value=value,
        worker_id=worker_id,
    )


@transaction.atomic
def error_fix(*, error: CheckError, by: Any, note: str) -> CheckError:
    """The worker marks an error corrected with a note (when the fix did not change the field itself)."""
    error = CheckError.objects.select_related("report", "worksheet", "keying").get(pk=error.pk)
    item = _locked(error.report.item)
    catalogue = error.report.stage == CheckReport.Stage.CATALOGUE
    require_role(item.project, by, Role.CATALOGUER if catalogue else Role.DATA_ENTRY)
    step = State.SUA_LOI_BIEN_MUC if catalogue else State.SUA_LOI_NHAP
    if item.state != step:
        raise _refuse(f"lỗi chỉ được sửa ở bước «{step.label}».", f"errors are fixed in step {step.value}.")
    if error.fixed:
        raise _refuse("lỗi này đã được sửa.", "this error is already fixed.")
    owner_id = error.worksheet.author_id if catalogue else error.keying.keyer_id  # type: ignore[union-attr]
    if owner_id != by.pk and not by.is_superuser:
        raise _refuse("chỉ người làm sai sửa lỗi của mình.", "only the worker corrects their own error.")
    note = nfc(note).strip()
    if not note:
        raise _refuse("phải ghi rõ đã sửa lỗi thế nào.", "say how the error was fixed.")
    data = error.worksheet.data if catalogue else error.keying.data  # type: ignore[union-attr]
    error.fixed, error.fixed_by, error.fixed_at = True, by, timezone.now()
    error.fixed_value, error.fix_note = data.get(error.field), note
    error.save(update_fields=["fixed", "fixed_by", "fixed_at", "fixed_value", "fix_note"])
    return error


# -- data entry ------------------------------------------------------------------------------------


@transaction.atomic
def keying_save(*, worksheet: Worksheet, by: Any, values: dict[str, Any]) -> Keying:
    """Key one sheet. The operator gets pass 1, or pass 2 if someone else has pass 1 and the guideline
    asks for double keying; an operator keeps their own pass and never reads the other one."""
    item = _locked(worksheet.item)
    require_role(item.project, by, Role.DATA_ENTRY)
    if item.state not in ENTRY_STATES:
        raise _refuse(
            f"phiếu tin chỉ được nhập ở bước «Nhập phiếu tin» hoặc «Sửa lỗi nhập phiếu tin»; "
            f"hồ sơ {item.file.file_code} đang ở bước «{_state_label(item)}».",
            "keying happens only in the data-entry steps.",
        )
    worksheet = Worksheet.objects.select_related("guideline").get(pk=worksheet.pk)
    keying = worksheet.keyings.filter(keyer=by).first()
    pass_no = keying.pass_no if keying else 0
    if keying is None:
        taken = dict(worksheet.keyings.values_list("pass_no", "keyer__username"))
        free = [n for n in range(1, selectors.passes_required(worksheet) + 1) if n not in taken]
        if not free:
            if len(taken) == 1:
                raise _refuse(
                    f"{worksheet.name} đã được {taken[1]} nhập; hướng dẫn hiện hành chỉ yêu cầu nhập một lần.",
                    "this sheet has been keyed already.",
                )
            raise _refuse(f"{worksheet.name} đã đủ hai lượt nhập độc lập.", "both keying passes are done.")
        pass_no = free[0]
    profile = profile_of(item)
    data, problems = validate(worksheet.kind, values, profile)
    if problems:
        raise WorksheetInvalid(sheet=worksheet.name, kind=worksheet.kind, problems=problems, profile=profile)
    if keying is None:
        keying = Keying.objects.create(worksheet=worksheet, keyer=by, pass_no=pass_no, data=data, round=item.round)
    else:
        keying.data, keying.round = data, item.round
        keying.save(update_fields=["data", "round", "updated_at"])
    if item.state == State.SUA_LOI_NHAP:
        _mark_changed_fixed(keying.errors.filter(fixed=False), data, by)
    return keying


@transaction.atomic
def difference_resolve(*, difference: Difference, by: Any, value: Any) -> Difference:
    """The checker states the right value of a disputed field; each keying that said otherwise gets
    an error against its operator (already corrected, since the checker's value is the one kept)."""
    difference = Difference.objects.select_related("report", "worksheet").get(pk=difference.pk)
    item = _locked(difference.report.item)
    if item.state != State.KIEM_TRA_NHAP or difference.report.round != item.round:
        raise _refuse("chênh lệch này thuộc một lượt kiểm tra đã qua.", "this difference belongs to a past round.")
    _second_person(item, by, CheckReport.Stage.ENTRY)
    sheet = difference.worksheet
    try:
        clean = clean_value(sheet.kind, difference.field, value)
    except ValueError as error:
        raise WorksheetInvalid(sheet=sheet.name, kind=sheet.kind, problems={difference.field: str(error)}) from error
    if difference.field in required_of(sheet.kind, profile_of(item)) and clean in (None, ""):
        raise WorksheetInvalid(sheet=sheet.name, kind=sheet.kind, problems={difference.field: "bắt buộc (TT 05/2025)"})
    now = timezone.now()
    difference.errors.all().delete()
    difference.resolved, difference.resolved_value = True, clean
    difference.resolved_by, difference.resolved_at = by, now
    difference.save(update_fields=["resolved", "resolved_value", "resolved_by", "resolved_at"])
    for keying in sheet.keyings.all():
        keyed = keying.data.get(difference.field)
        if keyed == clean:
            continue
        shown = display(sheet.kind, difference.field, keyed), display(sheet.kind, difference.field, clean)
        CheckError.objects.create(
            report=difference.report,
            worksheet=sheet,
            keying=keying,
            difference=difference,
            field=difference.field,
            severity=CheckError.Severity.MINOR,
            message=f"Nhập «{shown[0]}», đúng là «{shown[1]}».",
            value=keyed,
            worker_id=keying.keyer_id,
            fixed=True,
            fixed_by=by,
            fixed_at=now,
            fixed_value=clean,
            fix_note="Người kiểm tra chọn giá trị đúng khi đối chiếu.",
        )
    return difference


_ENTRY_REASON = "Chế độ sử dụng theo phiếu tin đã kiểm tra khác chế độ đang lưu (lượt nhập phiếu tin)."


@transaction.atomic
def entry_apply(*, item: ProjectFile, by: Any) -> CheckReport:
    """Write the verified values into the archive of record, all or nothing.

    Runs when the entry check passes (the guard of KIEM_TRA_NHAP → SO_HOA). The file goes
    through ``file_update`` and each document through ``document_create`` (or ``document_update``
    when the archive already holds a document of that number, which keeps its codes and page range),
    so a TT 05 rule broken there refuses the pass and nothing is half written.

    An access mode that differs from the one the archive holds is a change of access rights
    (NĐ 30/2020/NĐ-CP, Phụ lục VI): it is not written but proposed, in ``by``'s name, and takes effect
    when a second authorised person confirms it. A new document gets its keyed mode at creation. A Party
    archive's document sheet also carries its độ mật: a new document gets it at creation, while a
    different one for an existing document is refused (it changes only through the access pages).
    """
    from khoso.access.services import propose_from_entry

    report = selectors.report_of(item=item, stage=CheckReport.Stage.ENTRY)
    if report is None:
        raise _refuse("chưa đối chiếu dữ liệu nhập của lượt này.", "the keying of this round was not compared.")
    values = selectors.verified_data(report=report)
    sheets = selectors.sheets_of(item=item)
    archive_file = ArchiveFile.objects.select_for_update().get(pk=item.file_id)
    existing = {document.ordinal: document for document in Document.objects.filter(file=archive_file)}
    profile = profile_of(item)
    try:
        for sheet in sheets:
            if sheet.kind == FILE:
                fields = typed(FILE, values.get(sheet.pk, {}))
                mode = fields.pop("mode", archive_file.mode)
                file_update(archive_file=archive_file, **fields)
                if mode != archive_file.mode:
                    propose_from_entry(target=archive_file, mode=mode, by=by, reason=_ENTRY_REASON)
        for sheet in sheets:
            if sheet.kind != DOCUMENT:
                continue
            fields = typed(DOCUMENT, values[sheet.pk], profile)
            if sheet.ordinal in existing:
                document = existing[sheet.ordinal]
                if fields.get("secret_class", document.secret_class) != document.secret_class:
                    raise _refuse(
                        f"độ mật của tài liệu số {sheet.ordinal} trên phiếu tin khác độ mật đang lưu; độ mật chỉ "
                        "thay đổi qua đề nghị được người thứ hai xác nhận tại trang Quyền truy cập "
                        "(NĐ 30/2020/NĐ-CP, Phụ lục VI).",
                        f"the secret class of document {sheet.ordinal} differs from the archive's; it changes only "
                        "through a confirmed access proposal.",
                    )
                mode = fields.pop("mode", document.mode)
                document_update(document=document, **fields)
                if mode != document.mode:
                    propose_from_entry(target=document, mode=mode, by=by, reason=_ENTRY_REASON)
            else:
                document_create(archive_file=archive_file, ordinal=sheet.ordinal, **fields)
    except ValidationError as error:
        raise _refuse(
            f"dữ liệu phiếu tin vi phạm quy tắc TT 05/2025 khi ghi vào hồ sơ lưu trữ — {error.message}",
            f"the verified values break a TT 05 rule: {error.message_english}",
        ) from error
    report.applied_at = timezone.now()
    report.save(update_fields=["applied_at"])
    return report
