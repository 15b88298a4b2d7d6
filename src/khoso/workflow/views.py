"""Web views of the digitization workflow: thin shells over ``selectors`` and ``services``.

Deny by default: a project and its files are visible only to the project's members (404 to anyone
else); each action needs the role the state machine names (403 otherwise); a refused step shows
the service's Vietnamese message and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from khoso.archive import selectors as archive_selectors
from khoso.core.errors import ArchiveError
from khoso.core.text import nfc
from khoso.web.actions import run_service
from khoso.workflow import selectors, services
from khoso.workflow.forms import MemberForm, ProjectForm, ReasonForm, SelectFilesForm, TransitionForm
from khoso.workflow.models import ProjectFile, WorkflowEvent
from khoso.workflow.shortcuts import item_for, project_for
from khoso.workflow.states import STEP_PAGES, Role, State

QUEUE_PAGE_SIZE = 50


def _may_create_project(user: object) -> bool:
    return bool(getattr(user, "is_superuser", False) or user.has_perm("workflow.add_project"))  # type: ignore[attr-defined]


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    projects = selectors.projects_for(request.user).select_related("contractor")
    return render(
        request,
        "workflow/project_list.html",
        {"projects": projects, "may_create": _may_create_project(request.user)},
    )


def project_create(request: HttpRequest) -> HttpResponse:
    if not _may_create_project(request.user):
        raise PermissionDenied("Bạn không có quyền lập đề án số hóa.")
    fonds = archive_selectors.fonds_list(user=request.user)
    form = ProjectForm(request.POST or None, fonds_queryset=fonds)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = list(data.pop("fonds"))
        try:
            project = services.project_create(
                planner=request.user, institution=chosen[0].institution, fonds=chosen, **data
            )
        except ArchiveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Đã lập đề án {project.code}.")
            return redirect("project_detail", project_id=project.pk)
    return render(request, "workflow/project_form.html", {"form": form})


@require_GET
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    roles = selectors.roles_of(request.user, project)
    items = ProjectFile.objects.filter(project=project).select_related("file", "assignee")
    state = request.GET.get("buoc")
    if state in State.values:
        items = items.filter(state=state)
    page = Paginator(items, QUEUE_PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "workflow/project_detail.html",
        {
            "project": project,
            "board": selectors.dashboard(project=project),
            "page": page,
            "state": state,
            "roles": roles,
            "is_planner": Role.PLANNER in roles,
            "is_approver": Role.APPROVER in roles,
            "select_form": SelectFilesForm(),
            "member_form": MemberForm(),
            "members": project.members.select_related("user", "contractor").order_by("role", "user__username"),
            "reason_form": ReasonForm(),
            "recent": WorkflowEvent.objects.filter(project=project, item__isnull=True)
            .select_related("actor")
            .order_by("-at")[:10],
        },
    )


@require_POST
def project_select(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.PLANNER)
    form = SelectFilesForm(request.POST)
    if form.is_valid():
        codes = [nfc(line).strip() for line in form.cleaned_data["file_codes"].splitlines() if line.strip()]
        files = list(archive_selectors.file_list(user=request.user).filter(file_code__in=codes))
        missing = sorted(set(codes) - {f.file_code for f in files})
        if missing:
            messages.error(request, "Không tìm thấy hồ sơ: " + ", ".join(missing))
        else:
            run_service(
                request,
                lambda: services.files_select(project=project, files=files, by=request.user),
                f"Đã chọn {len(files)} hồ sơ.",
            )
    return redirect("project_detail", project_id=project.pk)


@require_POST
def project_member_add(request: HttpRequest, project_id: int) -> HttpResponse:
    """The planner gives a user a role in the project (who sees which queue)."""
    from django.contrib.auth import get_user_model

    project = project_for(request, project_id, Role.PLANNER)
    form = MemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Chọn tên đăng nhập và vai trò.")
        return redirect("project_detail", project_id=project.pk)
    username = nfc(form.cleaned_data["username"]).strip()
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        messages.error(request, f"Không tìm thấy người dùng «{username}».")
        return redirect("project_detail", project_id=project.pk)
    role = Role(form.cleaned_data["role"])
    run_service(
        request,
        lambda: services.member_add(project=project, user=user, role=role, by=request.user),
        f"Đã giao vai trò «{role.label}» cho {username}.",
    )
    return redirect("project_detail", project_id=project.pk)


@require_POST
def project_submit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.PLANNER)
    run_service(request, lambda: services.project_submit(project=project, by=request.user), "Đã gửi phê duyệt.")
    return redirect("project_detail", project_id=project.pk)


@require_POST
def project_approve(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.APPROVER)
    decision = nfc(request.POST.get("decision", ""))
    run_service(
        request,
        lambda: services.project_approve(project=project, by=request.user, decision=decision),
        "Đã phê duyệt kế hoạch; các hồ sơ chuyển sang bước xuất kho.",
    )
    return redirect("project_detail", project_id=project.pk)


@require_POST
def project_reject(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.APPROVER)
    reason = request.POST.get("reason", "")
    run_service(
        request,
        lambda: services.project_reject(project=project, by=request.user, reason=reason),
        "Đã trả lại kế hoạch để bổ sung.",
    )
    return redirect("project_detail", project_id=project.pk)


@require_POST
def project_close(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id, Role.APPROVER)
    run_service(request, lambda: services.project_close(project=project, by=request.user), "Đã kết thúc đề án.")
    return redirect("project_detail", project_id=project.pk)


@require_GET
def my_queue(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("buoc")
    items = selectors.queue(user=request.user, state=state if state in State.values else None)
    counts = selectors.queue_counts(user=request.user)
    tabs = [(s.value, s.label, counts[s.value]) for s in State if counts.get(s.value)]
    page = Paginator(items, QUEUE_PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "workflow/queue.html", {"page": page, "tabs": tabs, "state": state})


@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id)
    steps = selectors.allowed_steps(user=request.user, item=item)
    pages = [
        (page.label_vi, reverse(page.url_name, kwargs={"item_id": item.pk}))
        for page in STEP_PAGES.get(State(item.state), [])
    ]
    file_visible = archive_selectors.file_list(user=request.user).filter(pk=item.file_id).exists()
    return render(
        request,
        "workflow/item_detail.html",
        {
            "item": item,
            "steps": steps,
            "step_pages": pages,
            "file_visible": file_visible,
            "may_claim": item.assignee_id is None and bool(steps),
            "events": item.events.select_related("actor").order_by("-at", "-id")[:50],
        },
    )


@require_POST
def item_transition(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id)
    form = TransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["target"] not in State.values:
        messages.error(request, "Bước chuyển không hợp lệ.")
        return redirect("item_detail", item_id=item.pk)
    target = State(form.cleaned_data["target"])
    done = run_service(
        request,
        lambda: services.transition(item=item, target=target, actor=request.user, note=form.cleaned_data["note"]),
        f"Hồ sơ {item.file.file_code} đã chuyển sang bước «{target.label}».",
    )
    if done:
        return redirect("my_queue")
    return redirect("item_detail", item_id=item.pk)


@require_POST
def item_claim(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id)
    run_service(request, lambda: services.task_claim(item=item, user=request.user), "Đã nhận việc.")
    return redirect("item_detail", item_id=item.pk)


@require_POST
def item_release(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id)
    run_service(request, lambda: services.task_release(item=item, user=request.user), "Đã trả việc về hàng đợi chung.")
    return redirect("item_detail", item_id=item.pk)
