"""Web views of selection, copying, acceptance and handover: thin shells over selectors and services.

Deny by default: the project or file is loaded through ``khoso.workflow.selectors`` (404 to anyone
outside the project); a write needs the role of its step (403 otherwise): the planner selects and
notes conditions, the contractor manager copies. Any member may read and print the lists and minutes.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from khoso.core.errors import ArchiveError, PermissionDeniedError
from khoso.handover import selectors, services
from khoso.handover.forms import ConditionForm, CopyTargetForm
from khoso.handover.models import CopyTarget, FileCondition
from khoso.web.actions import run_service
from khoso.workflow import selectors as workflow_selectors
from khoso.workflow.models import Project, ProjectFile
from khoso.workflow.shortcuts import item_for, project_for
from khoso.workflow.states import Role, State

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _slug(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in text)


# -- selection -------------------------------------------------------------------------------------


@require_GET
def selection_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    is_planner = workflow_selectors.has_role(request.user, project, Role.PLANNER)
    may_select = is_planner and project.status == Project.Status.DRAFT
    return render(
        request,
        "handover/selection.html",
        {
            "project": project,
            "listing": selectors.selection_list(project=project),
            "is_planner": is_planner,
            "may_select": may_select,
            "candidates": selectors.candidates_for(project=project) if may_select else [],
        },
    )


@require_POST
def selection_add(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.PLANNER)
    ids = [int(value) for value in request.POST.getlist("file") if value.isdigit()]
    files = [selectors.file_in_project_fonds(project=project, file_id=file_id) for file_id in ids]
    chosen = [f for f in files if f is not None]
    if not chosen:
        messages.error(request, "Chưa chọn hồ sơ nào.")
    else:
        run_service(
            request,
            lambda: services.files_select_scored(project=project, files=chosen, by=request.user),
            f"Đã thêm {len(chosen)} hồ sơ vào danh mục và tính điểm ưu tiên.",
        )
    return redirect("selection_page", project_id=project.pk)


@require_POST
def selection_rescore(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.PLANNER)
    run_service(
        request,
        lambda: services.priorities_refresh(project=project, by=request.user),
        "Đã tính lại điểm ưu tiên của các hồ sơ.",
    )
    return redirect("selection_page", project_id=project.pk)


@require_GET
def selection_xlsx(request: HttpRequest, project_id: int) -> HttpResponse:
    from khoso.handover import documents

    project = project_for(request, project_id)
    data = documents.selection_xlsx(project=project)
    return _download(data, XLSX, f"danh-muc-ho-so-{_slug(project.code)}.xlsx")


@require_GET
def selection_pdf(request: HttpRequest, project_id: int) -> HttpResponse:
    from khoso.handover import documents

    project = project_for(request, project_id)
    data = documents.selection_pdf(project=project)
    return _download(data, "application/pdf", f"danh-muc-ho-so-{_slug(project.code)}.pdf")


def condition_edit(request: HttpRequest, project_id: int, file_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.PLANNER)
    archive_file = selectors.file_in_project_fonds(project=project, file_id=file_id)
    if archive_file is None:
        raise Http404("Hồ sơ không thuộc phông của đề án.")
    current = FileCondition.objects.filter(file=archive_file).first()
    initial = (
        {
            "damage_codes": current.damage_codes,
            "usage_count": current.usage_count,
            "special_carrier": current.special_carrier,
            "note": current.note,
        }
        if current
        else {}
    )
    form = ConditionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.condition_note(project=project, archive_file=archive_file, by=request.user, **form.cleaned_data)
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from error
        except ArchiveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Đã ghi nhận tình trạng hồ sơ {archive_file.file_code}.")
            return redirect("selection_page", project_id=project.pk)
    return render(
        request, "handover/condition_form.html", {"project": project, "archive_file": archive_file, "form": form}
    )


# -- copies ----------------------------------------------------------------------------------------


@require_GET
def copies_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    return render(
        request,
        "handover/copies.html",
        {
            "project": project,
            "targets": selectors.targets_of(project=project),
            "runs": selectors.runs_of(project=project)[:100],
            "waiting": ProjectFile.objects.filter(project=project, state=State.SAO_CHEP).count(),
            "is_copier": workflow_selectors.has_role(request.user, project, Role.CONTRACTOR_MANAGER),
            "target_form": CopyTargetForm(),
            "roots": services.copy_roots(),
        },
    )


@require_POST
def copy_target_add(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.CONTRACTOR_MANAGER)
    form = CopyTargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Thông tin nơi lưu chưa đầy đủ.")
    else:
        run_service(
            request,
            lambda: services.copy_target_create(project=project, by=request.user, **form.cleaned_data),
            f"Đã thêm nơi lưu «{form.cleaned_data['name']}».",
        )
    return redirect("copies_page", project_id=project.pk)


def _target(project: Project, request: HttpRequest) -> CopyTarget | None:
    value = request.POST.get("target", "")
    return CopyTarget.objects.filter(project=project, pk=int(value)).first() if value.isdigit() else None


@require_POST
def copy_project(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.CONTRACTOR_MANAGER)
    target = _target(project, request)
    if target is None:
        messages.error(request, "Chưa chọn nơi lưu bản sao.")
    else:
        items = ProjectFile.objects.filter(project=project, state=State.SAO_CHEP)
        run_service(
            request,
            lambda: services.copy_product(target=target, items=items, by=request.user),
            f"Đã sao chép và xác minh SHA-256 trên «{target.name}».",
        )
    return redirect("copies_page", project_id=project.pk)


@require_POST
def copy_run_verify(request: HttpRequest, project_id: int, run_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.CONTRACTOR_MANAGER)
    run = selectors.run_get(project=project, run_id=run_id)
    if run is None:
        raise Http404("Không tìm thấy lần sao chép.")
    run_service(request, lambda: services.copy_verify(run=run, by=request.user), "Bản sao khớp với bảng kê SHA-256.")
    return redirect("copies_page", project_id=project.pk)


@require_GET
def copy_run_manifest(request: HttpRequest, project_id: int, run_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    run = selectors.run_get(project=project, run_id=run_id)
    if run is None:
        raise Http404("Không tìm thấy lần sao chép.")
    return _download(run.manifest.encode(), "text/plain; charset=utf-8", f"manifest-sha256-{run.pk:05d}.txt")


@require_GET
def copy_item_page(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id)
    return _item_page(request, item, "copy")


@require_POST
def copy_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.CONTRACTOR_MANAGER)
    target = _target(item.project, request)
    if target is None:
        messages.error(request, "Chưa chọn nơi lưu bản sao.")
    else:
        run_service(
            request,
            lambda: services.copy_product(target=target, items=[item], by=request.user),
            f"Đã sao chép hồ sơ {item.file.file_code} và xác minh SHA-256 trên «{target.name}».",
        )
    return redirect("copy_item_page", item_id=item.pk)


@require_GET
def acceptance_item_page(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id)
    return _item_page(request, item, "acceptance")


def _item_page(request: HttpRequest, item: ProjectFile, mode: str) -> HttpResponse:
    copies = services.verified_copies(item)
    independent = services.independent_targets(dict.fromkeys(run.target for run in copies))
    return render(
        request,
        "handover/item_step.html",
        {
            "item": item,
            "mode": mode,
            "runs": item.copy_runs.select_related("target").order_by("-id"),
            "independent": len(independent),
            "needed": services.MIN_COPIES,
            "targets": CopyTarget.objects.filter(project=item.project),
            "is_copier": workflow_selectors.has_role(request.user, item.project, Role.CONTRACTOR_MANAGER),
        },
    )


# -- minutes and dossier ---------------------------------------------------------------------------


@require_GET
def minutes_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    items = ProjectFile.objects.filter(project=project).select_related("file").order_by("file__file_code")
    return render(
        request,
        "handover/minutes.html",
        {
            "project": project,
            "items": items,
            "ready": selectors.minutes_ready(project=project),
            "done_states": [State.NGHIEM_THU.value, State.BAN_GIAO.value],
        },
    )


def _minutes(request: HttpRequest, project_id: int, kind: str, filename: str) -> HttpResponse:
    from khoso.handover import documents

    project = project_for(request, project_id)
    ids = [int(value) for value in request.GET.getlist("ho_so") if value.isdigit()]
    try:
        data = documents.minutes_pdf(project=project, kind=kind, item_ids=ids or None)
    except ArchiveError as error:
        messages.error(request, error.message)
        return redirect("minutes_page", project_id=project.pk)
    return _download(data, "application/pdf", f"{filename}-{_slug(project.code)}.pdf")


@require_GET
def minutes_acceptance_pdf(request: HttpRequest, project_id: int) -> HttpResponse:
    return _minutes(request, project_id, selectors.ACCEPTANCE, "bien-ban-nghiem-thu")


@require_GET
def minutes_handover_pdf(request: HttpRequest, project_id: int) -> HttpResponse:
    return _minutes(request, project_id, selectors.HANDOVER, "bien-ban-ban-giao")


@require_GET
def dossier_zip(request: HttpRequest, project_id: int) -> HttpResponse:
    from khoso.handover import documents

    project = project_for(request, project_id)
    return _download(documents.dossier_zip(project=project), "application/zip", f"ho-so-csdl-{_slug(project.code)}.zip")
