"""Web pages of product inspection: thin shells over ``selectors`` and ``services``.

Deny by default: every page loads its project, file, inspection or correction task through a selector
that hides it (404) from anyone outside the project; actions need the role of the step (403): the
planner sets the sampling plan, the QC inspector inspects, the contractor manager reports fixes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from khoso.core.errors import ArchiveError, PermissionDeniedError
from khoso.inspection import selectors, services
from khoso.inspection.forms import CloseForm, FindingForm, FixForm, PlanForm, StartForm
from khoso.inspection.models import CorrectionTask, Inspection, InspectionFinding, InspectionItem
from khoso.web.actions import run_service
from khoso.workflow import selectors as workflow_selectors
from khoso.workflow.models import Project
from khoso.workflow.shortcuts import found, item_for, project_for
from khoso.workflow.states import Role


def _require(request: HttpRequest, project: Project, role: Role) -> None:
    if not workflow_selectors.has_role(request.user, project, role):
        raise PermissionDenied(f"Cần vai trò «{role.label}» trong đề án {project.code}.")


def _inspection(request: HttpRequest, inspection_id: int) -> Inspection:
    return found(lambda: selectors.inspection_get(user=request.user, inspection_id=inspection_id))


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# -- the project's inspections ----------------------------------------------------------------------


@require_GET
def inspection_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    roles = workflow_selectors.roles_of(request.user, project)
    return render(
        request,
        "inspection/list.html",
        {
            "project": project,
            "plans": project.sampling_plans.select_related("contractor"),
            "plan": selectors.plan_for(project=project),
            "inspections": Inspection.objects.filter(project=project).select_related("inspector"),
            "waiting": selectors.waiting_items(project=project, inspector=request.user).count(),
            "start_form": StartForm(initial={"pass_number": selectors.next_pass_number(project)}),
            "is_planner": Role.PLANNER in roles,
            "is_inspector": Role.QC_INSPECTOR in roles,
            "open_corrections": selectors.corrections_of(project=project, status=CorrectionTask.Status.OPEN).count(),
        },
    )


def inspection_plan(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    _require(request, project, Role.PLANNER)
    form = PlanForm(request.POST or None, plan=selectors.plan_for(project=project))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_save(
                project=project,
                by=request.user,
                passes=data["passes"],
                max_error_rate=data["max_error_rate"],
                class_thresholds=form.thresholds(),
                contractor=data["contractor"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from error
        except ArchiveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Đã lưu kế hoạch lấy mẫu kiểm tra sản phẩm.")
            return redirect("inspection_list", project_id=project.pk)
    return render(
        request,
        "inspection/plan_form.html",
        {"project": project, "form": form, "plans": project.sampling_plans.select_related("contractor")},
    )


@require_POST
def inspection_start(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    _require(request, project, Role.QC_INSPECTOR)
    form = StartForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("inspection_list", project_id=project.pk)
    started: list[Inspection] = []
    done = run_service(
        request,
        lambda: started.append(
            services.inspection_start(
                project=project, inspector=request.user, pass_number=form.cleaned_data["pass_number"]
            )
        ),
        "Đã bắt đầu đợt kiểm tra và lấy mẫu.",
    )
    if done:
        return redirect("inspection_detail", inspection_id=started[0].pk)
    return redirect("inspection_list", project_id=project.pk)


@require_GET
def inspection_stats(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    return render(
        request,
        "inspection/stats.html",
        {
            "project": project,
            "passes": selectors.pass_statistics(project=project),
            "workers": selectors.worker_statistics(project=project),
            "contractors": selectors.contractor_statistics(user=request.user, contractor=project.contractor)
            if project.contractor
            else selectors.contractor_statistics(user=request.user),
        },
    )


# -- one inspection ---------------------------------------------------------------------------------


@require_GET
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id)
    report = selectors.inspection_report(inspection=inspection)
    may_record = inspection.is_open and (
        inspection.inspector_id == request.user.pk or request.user.is_superuser  # type: ignore[union-attr]
    )
    rows = [
        {**row, "form": FindingForm(item=row["entry"].item, prefix=f"i{row['entry'].item_id}") if may_record else None}
        for row in report.rows
        if row["entry"].sampled
    ]
    return render(
        request,
        "inspection/detail.html",
        {
            "inspection": inspection,
            "report": report,
            "rows": rows,
            "unsampled": [row["entry"] for row in report.rows if not row["entry"].sampled],
            "may_record": may_record,
            "close_form": CloseForm(),
        },
    )


@require_POST
def inspection_finding_add(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id)
    _require(request, inspection.project, Role.QC_INSPECTOR)
    entry = (
        InspectionItem.objects.filter(inspection=inspection, item_id=int(request.POST.get("item") or 0))
        .select_related("item__file")
        .first()
    )
    if entry is None:
        messages.error(request, "Không tìm thấy hồ sơ trong đợt kiểm tra này.")
        return redirect("inspection_detail", inspection_id=inspection.pk)
    form = FindingForm(request.POST, item=entry.item, prefix=f"i{entry.item_id}")
    if not form.is_valid():
        _form_errors(request, form)
    else:
        data = form.cleaned_data
        run_service(
            request,
            lambda: services.finding_record(
                inspection=inspection,
                item=entry.item,
                error_class=data["error_class"],
                by=request.user,
                page_number=data["page_number"],
                document=data["document"],
                note=data["note"],
            ),
            f"Đã ghi lỗi «{data['error_class'].label}» cho hồ sơ {entry.item.file.file_code}.",
        )
    return redirect(reverse("inspection_detail", kwargs={"inspection_id": inspection.pk}) + f"#ho-so-{entry.item_id}")


@require_POST
def inspection_finding_delete(request: HttpRequest, inspection_id: int, finding_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id)
    _require(request, inspection.project, Role.QC_INSPECTOR)
    finding = InspectionFinding.objects.filter(inspection=inspection, pk=finding_id).first()
    if finding is None:
        raise Http404("Không tìm thấy lỗi đã ghi.")
    run_service(request, lambda: services.finding_delete(finding=finding, by=request.user), "Đã xóa lỗi đã ghi.")
    return redirect("inspection_detail", inspection_id=inspection.pk)


@require_POST
def inspection_close(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id)
    _require(request, inspection.project, Role.QC_INSPECTOR)
    form = CloseForm(request.POST)
    conclusion = form.cleaned_data["conclusion"] if form.is_valid() else ""
    done = run_service(
        request,
        lambda: services.inspection_close(inspection=inspection, by=request.user, conclusion=conclusion),
        "Đã kết thúc đợt kiểm tra và lập biên bản.",
    )
    return redirect("inspection_report" if done else "inspection_detail", inspection_id=inspection.pk)


@require_GET
def inspection_report(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id)
    return render(
        request,
        "inspection/report.html",
        {"inspection": inspection, "report": selectors.inspection_report(inspection=inspection)},
    )


# -- corrections and the file's page ----------------------------------------------------------------


@require_GET
def correction_list(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    status = request.GET.get("trang-thai")
    status = status if status in CorrectionTask.Status.values else None
    return render(
        request,
        "inspection/corrections.html",
        {
            "project": project,
            "tasks": selectors.corrections_of(project=project, status=status),
            "status": status,
            "statuses": CorrectionTask.Status.choices,
            "may_fix": workflow_selectors.has_role(request.user, project, Role.CONTRACTOR_MANAGER),
            "fix_form": FixForm(),
        },
    )


@require_POST
def correction_fixed(request: HttpRequest, task_id: int) -> HttpResponse:
    task = found(lambda: selectors.correction_get(user=request.user, task_id=task_id))
    _require(request, task.item.project, Role.CONTRACTOR_MANAGER)
    form = FixForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    run_service(
        request,
        lambda: services.correction_mark_fixed(task=task, by=request.user, note=note),
        f"Đã đánh dấu đã sửa lỗi hồ sơ {task.item.file.file_code}.",
    )
    if request.POST.get("tu") == "ho-so":
        return redirect("inspection_item", item_id=task.item_id)
    return redirect("inspection_corrections", project_id=task.item.project_id)


@require_GET
def inspection_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """The step page of KIEM_TRA_SAN_PHAM and SUA_LOI: the file's inspections, findings and corrections."""
    item = item_for(request, item_id)
    roles = workflow_selectors.roles_of(request.user, item.project)
    return render(
        request,
        "inspection/item.html",
        {
            "item": item,
            "entries": InspectionItem.objects.filter(item=item)
            .select_related("inspection__inspector")
            .order_by("-inspection__started_at"),
            "findings": InspectionFinding.objects.filter(item=item)
            .select_related("error_class", "inspection", "worker", "document", "correction")
            .order_by("-inspection__started_at", "page_number", "id"),
            "tasks": CorrectionTask.objects.filter(item=item).prefetch_related("findings__error_class"),
            "may_fix": Role.CONTRACTOR_MANAGER in roles,
            "is_inspector": Role.QC_INSPECTOR in roles,
            "fix_form": FixForm(),
        },
    )
