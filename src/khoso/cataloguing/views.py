"""Web pages of cataloguing and data entry: thin shells over ``selectors`` and ``services``.

Deny by default: a file or project is loaded through the workflow selectors (404 for anyone not
in the project), then the page checks the role the step needs (403 otherwise). A refused rule
shows the service's Vietnamese message, beside the field when it names one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from khoso.archive.models import Document
from khoso.cataloguing import selectors, services
from khoso.cataloguing.fields import DOCUMENT, FILE, display, fields_of, initial_from_record, label, profile_of
from khoso.cataloguing.forms import CheckErrorForm, FixForm, GuidelineForm, ResolveForm, SheetForm
from khoso.cataloguing.models import CheckError, CheckReport, Difference, Worksheet
from khoso.core.errors import ArchiveError, PermissionDeniedError
from khoso.web.actions import run_service
from khoso.workflow import selectors as workflow_selectors
from khoso.workflow.models import ProjectFile
from khoso.workflow.shortcuts import item_for, project_for, require_roles
from khoso.workflow.states import Role, State

SUPERVISORS = (Role.PLANNER, Role.CHECKER, Role.APPROVER, Role.CONTRACTOR_MANAGER)
INHERITED = ("maintenance", "mode", "language", "risk_recovery", "risk_recovery_status")


def _save_sheet(request: HttpRequest, form: SheetForm, save: Callable[[dict[str, Any]], Any], success: str) -> bool:
    """Validate the form, run the service, put its per-field reasons beside the fields."""
    if not form.is_valid():
        return False
    try:
        save(form.values())
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    except services.WorksheetInvalid as error:
        form.show_problems(error.problems)
        return False
    except ArchiveError as error:
        form.add_error(None, error.message)
        return False
    messages.success(request, success)
    return True


def _labelled(errors: Any) -> list[CheckError]:
    """Errors with the Vietnamese label of their field, for display."""
    result = list(errors)
    for error in result:
        profile = profile_of(error.worksheet)
        error.field_label = label(error.worksheet.kind, error.field, profile)  # type: ignore[attr-defined]
    return result


def _rows(sheet: Worksheet, data: dict[str, Any], errors: list[CheckError]) -> list[dict[str, Any]]:
    profile = profile_of(sheet)
    by_field: dict[str, list[CheckError]] = {}
    for error in errors:
        if error.worksheet_id == sheet.pk:
            by_field.setdefault(error.field, []).append(error)
    return [
        {
            "field": name,
            "label": label(sheet.kind, name, profile),
            "value": display(sheet.kind, name, data.get(name)),
            "errors": by_field.get(name, []),
        }
        for name in fields_of(sheet.kind, profile)
    ]


# -- guidelines ------------------------------------------------------------------------------------


@require_GET
def guideline_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    return render(
        request,
        "cataloguing/guideline_list.html",
        {
            "project": project,
            "guidelines": selectors.guideline_list(project=project),
            "may_publish": workflow_selectors.has_role(request.user, project, Role.PLANNER),
        },
    )


@require_http_methods(["GET", "POST"])
def guideline_publish(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.PLANNER)
    current = selectors.current_guideline(project=project)
    initial = {"title": current.title, "text": current.text, "double_keying": current.double_keying} if current else {}
    form = GuidelineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            request,
            lambda: services.guideline_publish(project=project, by=request.user, **form.cleaned_data),
            "Đã ban hành phiên bản mới của hướng dẫn biên mục.",
        )
        if done:
            return redirect("guideline_list", project_id=project.pk)
    return render(request, "cataloguing/guideline_form.html", {"project": project, "form": form})


# -- worksheets ------------------------------------------------------------------------------------


def _sheet_context(request: HttpRequest, item: ProjectFile) -> dict[str, Any]:
    editable = item.state in services.CATALOGUE_STATES and workflow_selectors.has_role(
        request.user, item.project, Role.CATALOGUER
    )
    return {
        "item": item,
        "editable": editable,
        "guideline": selectors.current_guideline(project=item.project),
        "open_errors": _labelled(selectors.open_errors(item=item, stage=CheckReport.Stage.CATALOGUE)),
        "fix_form": FixForm(),
        "correcting": item.state == State.SUA_LOI_BIEN_MUC,
    }


@require_http_methods(["GET", "POST"])
def worksheet_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    """The file sheet, and the list of its document sheets."""
    item = item_for(request, item_id, Role.CATALOGUER, Role.CHECKER)
    sheet = selectors.file_sheet(item=item)
    values = sheet.data if sheet else initial_from_record(FILE, item.file)
    form = SheetForm(request.POST or None, kind=FILE, values=values)
    if request.method == "POST":
        require_roles(request, item.project, Role.CATALOGUER)
        saved = _save_sheet(
            request,
            form,
            lambda data: services.worksheet_save(item=item, by=request.user, values=data, kind=FILE),
            "Đã lưu phiếu tin hồ sơ.",
        )
        if saved:
            return redirect("worksheet_edit", item_id=item.pk)
    sheets = selectors.sheets_of(item=item)
    total = (sheet.data.get("total_doc") or 0) if sheet else 0
    written = {s.ordinal: s for s in sheets if s.kind == DOCUMENT}
    documents = [(n, written.get(n)) for n in range(1, total + 1)]
    documents += [(n, s) for n, s in sorted(written.items()) if n > total]
    context = _sheet_context(request, item) | {"form": form, "sheet": sheet, "documents": documents}
    return render(request, "cataloguing/worksheet.html", context)


@require_http_methods(["GET", "POST"])
def worksheet_document(request: HttpRequest, item_id: int, ordinal: int) -> HttpResponse:
    item = item_for(request, item_id, Role.CATALOGUER, Role.CHECKER)
    sheet = item.worksheets.filter(kind=DOCUMENT, ordinal=ordinal).first()
    if request.method == "POST" and "xoa" in request.POST:
        require_roles(request, item.project, Role.CATALOGUER)
        if sheet is None:
            raise Http404("Không có phiếu tin tài liệu này.")
        run_service(
            request, lambda: services.worksheet_delete(worksheet=sheet, by=request.user), "Đã xóa phiếu tin tài liệu."
        )
        return redirect("worksheet_edit", item_id=item.pk)
    if sheet is not None:
        values = sheet.data
    else:
        record = Document.objects.filter(file=item.file, ordinal=ordinal).first()
        parent = selectors.file_sheet(item=item)
        values = initial_from_record(DOCUMENT, record, profile_of(item)) if record else {}
        for name in INHERITED:
            if parent is not None and not values.get(name):
                values[name] = parent.data.get(name)
    form = SheetForm(request.POST or None, kind=DOCUMENT, values=values, profile=profile_of(item))
    if request.method == "POST":
        require_roles(request, item.project, Role.CATALOGUER)
        saved = _save_sheet(
            request,
            form,
            lambda data: services.worksheet_save(
                item=item, by=request.user, values=data, kind=DOCUMENT, ordinal=ordinal
            ),
            f"Đã lưu phiếu tin tài liệu số {ordinal}.",
        )
        if saved:
            return redirect("worksheet_edit", item_id=item.pk)
    context = _sheet_context(request, item) | {"form": form, "sheet": sheet, "ordinal": ordinal}
    context["open_errors"] = [e for e in context["open_errors"] if sheet is not None and e.worksheet_id == sheet.pk]
    return render(request, "cataloguing/worksheet_document.html", context)


# -- checks ----------------------------------------------------------------------------------------


@require_GET
def catalogue_check(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.CHECKER)
    sheets = selectors.sheets_of(item=item)
    report = selectors.report_of(item=item, stage=CheckReport.Stage.CATALOGUE)
    errors = _labelled(report.errors.select_related("worker", "worksheet")) if report else []
    return render(
        request,
        "cataloguing/catalogue_check.html",
        {
            "item": item,
            "report": report,
            "checking": item.state == State.KIEM_TRA_BIEN_MUC,
            "sheets": [(s, _rows(s, s.data, errors)) for s in sheets],
            "errors": errors,
            "history": _labelled(selectors.item_errors(item=item, stage=CheckReport.Stage.CATALOGUE)),
            "form": CheckErrorForm(sheets=sheets, profile=profile_of(item)),
        },
    )


def _check_page(item: ProjectFile) -> HttpResponse:
    target = "entry_check" if item.state in (State.KIEM_TRA_NHAP, State.SUA_LOI_NHAP) else "catalogue_check"
    return redirect(target, item_id=item.pk)


@require_POST
def check_start(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.CHECKER)
    run_service(
        request, lambda: services.check_start(item=item, by=request.user), "Đã lập biên bản kiểm tra của lượt này."
    )
    return _check_page(item)


@require_POST
def check_error_add(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.CHECKER)
    sheets = selectors.sheets_of(item=item)
    form = CheckErrorForm(
        request.POST, sheets=sheets, entry=item.state == State.KIEM_TRA_NHAP, profile=profile_of(item)
    )
    if not form.is_valid():
        messages.error(request, "Chưa ghi được lỗi: chọn phiếu tin, trường, mức độ và mô tả lỗi.")
        return _check_page(item)
    data = form.cleaned_data
    sheet = next(s for s in sheets if s.pk == data["worksheet"])
    run_service(
        request,
        lambda: services.check_error_add(
            item=item,
            by=request.user,
            worksheet=sheet,
            field=data["field"],
            severity=data["severity"],
            message=data["message"],
            pass_no=data.get("pass_no") or 1,
        ),
        "Đã ghi lỗi vào biên bản kiểm tra.",
    )
    return _check_page(item)


@require_POST
def error_fix(request: HttpRequest, item_id: int, error_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.CATALOGUER, Role.DATA_ENTRY)
    error = CheckError.objects.filter(pk=error_id, report__item=item).select_related("report").first()
    if error is None:
        raise Http404("Không có lỗi này trong hồ sơ.")
    catalogue = error.report.stage == CheckReport.Stage.CATALOGUE
    require_roles(request, item.project, Role.CATALOGUER if catalogue else Role.DATA_ENTRY)
    form = FixForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    run_service(request, lambda: services.error_fix(error=error, by=request.user, note=note), "Đã đánh dấu lỗi đã sửa.")
    if catalogue:
        return redirect("worksheet_edit", item_id=item.pk)
    return redirect("keying_sheet", item_id=item.pk, worksheet_id=error.worksheet_id)


@require_GET
def error_report(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, *SUPERVISORS)
    stats = [selectors.error_stats(project=project, stage=stage) for stage in CheckReport.Stage.values]
    return render(
        request,
        "cataloguing/error_report.html",
        {"project": project, "stats": [(CheckReport.Stage(s.stage).label, s) for s in stats]},
    )


# -- data entry ------------------------------------------------------------------------------------


@require_GET
def keying_list(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.DATA_ENTRY)
    return render(
        request,
        "cataloguing/keying_list.html",
        {
            "item": item,
            "tasks": selectors.keying_tasks(item=item, user=request.user),
            "keying_open": item.state in services.ENTRY_STATES,
        },
    )


@require_http_methods(["GET", "POST"])
def keying_sheet(request: HttpRequest, item_id: int, worksheet_id: int) -> HttpResponse:
    """One operator keys one sheet; the page shows only their own values, never the other pass or the sheet."""
    item = item_for(request, item_id, Role.DATA_ENTRY)
    sheet = item.worksheets.filter(pk=worksheet_id).select_related("guideline").first()
    if sheet is None:
        raise Http404("Không có phiếu tin này trong hồ sơ.")
    mine = sheet.keyings.filter(keyer_id=request.user.pk).first()
    form = SheetForm(
        request.POST or None, kind=sheet.kind, values=mine.data if mine else None, profile=profile_of(item)
    )
    if request.method == "POST":
        saved = _save_sheet(
            request,
            form,
            lambda data: services.keying_save(worksheet=sheet, by=request.user, values=data),
            f"Đã nhập {sheet.name.lower()}.",
        )
        if saved:
            return redirect("keying_list", item_id=item.pk)
    errors = _labelled(mine.errors.filter(fixed=False).select_related("worksheet")) if mine else []
    return render(
        request,
        "cataloguing/keying_sheet.html",
        {
            "item": item,
            "sheet": sheet,
            "mine": mine,
            "form": form,
            "open_errors": errors,
            "fix_form": FixForm(),
            "keying_open": item.state in services.ENTRY_STATES,
        },
    )


@require_GET
def entry_check(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.CHECKER)
    report = selectors.report_of(item=item, stage=CheckReport.Stage.ENTRY)
    sheets = selectors.sheets_of(item=item)
    names = {s.pk: s for s in sheets}
    differences: list[dict[str, Any]] = []
    if report is not None:
        for difference in report.differences.select_related("worksheet", "resolved_by"):
            sheet = names[difference.worksheet_id]

            def shown(value: Any, sheet: Worksheet = sheet, field: str = difference.field) -> str:
                return display(sheet.kind, field, value)

            differences.append(
                {
                    "object": difference,
                    "sheet": sheet,
                    "label": label(sheet.kind, difference.field, profile_of(item)),
                    "worksheet": shown(difference.worksheet_value),
                    "pass1": shown(difference.pass1_value),
                    "pass2": shown(difference.pass2_value),
                    "resolved": shown(difference.resolved_value) if difference.resolved else "",
                }
            )
    return render(
        request,
        "cataloguing/entry_check.html",
        {
            "item": item,
            "report": report,
            "checking": item.state == State.KIEM_TRA_NHAP,
            "sheet_keyings": [(s, list(s.keyings.select_related("keyer"))) for s in sheets],
            "differences": differences,
            "unresolved": sum(1 for d in differences if not d["object"].resolved),
            "errors": _labelled(report.errors.select_related("worksheet", "worker")) if report else [],
            "form": CheckErrorForm(sheets=sheets, entry=True, profile=profile_of(item)),
            "resolve_form": ResolveForm(),
        },
    )


@require_POST
def difference_resolve(request: HttpRequest, item_id: int, difference_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.CHECKER)
    difference = Difference.objects.filter(pk=difference_id, report__item=item).first()
    if difference is None:
        raise Http404("Không có chênh lệch này trong hồ sơ.")
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Chọn giá trị đúng cho trường đang chênh lệch.")
        return redirect("entry_check", item_id=item.pk)
    choice = form.cleaned_data["choice"]
    value = {
        "phieu": difference.worksheet_value,
        "1": difference.pass1_value,
        "2": difference.pass2_value,
    }.get(choice, form.cleaned_data["value"])
    run_service(
        request,
        lambda: services.difference_resolve(difference=difference, by=request.user, value=value),
        "Đã xác định giá trị đúng.",
    )
    return redirect("entry_check", item_id=item.pk)
