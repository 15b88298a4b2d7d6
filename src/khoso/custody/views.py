"""Web views of custody: thin shells over ``selectors`` and ``services``.

Deny by default: every page loads its project, file, event or discrepancy through a selector that
answers 404 to non-members; recording a movement needs the stack keeper (planner) or the role
owning the file's current step, moving a box the planner, resolving a discrepancy the planner or
the approving archivist (403 otherwise). A refused movement shows the service's Vietnamese message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from khoso.archive.models import Box
from khoso.custody import selectors, services
from khoso.custody.forms import BoxChoiceForm, BoxMovementForm, MovementForm, ResolveForm
from khoso.custody.machine import HANDOVERS, next_kinds
from khoso.custody.models import Discrepancy
from khoso.web.actions import run_service
from khoso.workflow import selectors as workflow_selectors
from khoso.workflow.models import ProjectFile
from khoso.workflow.shortcuts import found, item_for, project_for
from khoso.workflow.states import Role


@require_GET
def custody_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id)
    place = selectors.current_place(item)
    may_move = selectors.may_move(request.user, item)
    kinds = next_kinds(place)
    return render(
        request,
        "custody/item.html",
        {
            "item": item,
            "place": place,
            "events": selectors.history(item)[:200],
            "expected": selectors.expected_sheets(item),
            "pending": selectors.open_discrepancies(item),
            "may_move": may_move and bool(kinds),
            "form": MovementForm(kinds=kinds),
            "handovers": [kind.label for kind in kinds if kind in HANDOVERS],
        },
    )


@require_POST
def custody_record(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id)
    if not selectors.may_move(request.user, item):
        raise PermissionDenied("Cần vai trò lập kế hoạch (thủ kho) hoặc vai trò phụ trách bước hiện tại của hồ sơ.")
    form = MovementForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label}: {' '.join(map(str, errors))}" for name, errors in form.errors.items()
        )
        messages.error(request, f"Thông tin giao nhận chưa hợp lệ – {problems}")
        return redirect("custody_item", item_id=item.pk)
    data = form.cleaned_data
    run_service(
        request,
        lambda: services.movement_record(
            item=item,
            kind=data["kind"],
            actor=request.user,
            sheets_counted=data["sheets_counted"],
            from_party=data["from_party"],
            to_party=data["to_party"],
            location=data["location"],
            note=data["note"],
        ),
        f"Đã ghi nhận giao nhận hồ sơ {item.file.file_code}.",
    )
    return redirect("custody_item", item_id=item.pk)


@require_GET
def custody_project(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    roles = workflow_selectors.roles_of(request.user, project)
    return render(
        request,
        "custody/project.html",
        {
            "project": project,
            "places": selectors.place_counts(project),
            "movements": selectors.project_movements(project),
            "open_count": Discrepancy.objects.filter(project=project, status=Discrepancy.Status.OPEN).count(),
            "is_planner": Role.PLANNER in roles,
        },
    )


@require_http_methods(["GET", "POST"])
def custody_box(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    if not workflow_selectors.has_role(request.user, project, Role.PLANNER):
        raise PermissionDenied(f"Chuyển cả hộp cần vai trò «{Role.PLANNER.label}» trong đề án {project.code}.")
    boxes = Box.objects.filter(files__in=ProjectFile.objects.filter(project=project).values("file_id")).distinct()
    choice = BoxChoiceForm(request.GET or None, boxes=boxes)
    box = choice.cleaned_data["box"] if choice.is_valid() else None
    form = None
    if box is not None:
        in_box = ProjectFile.objects.filter(project=project, file__box=box)
        items = list(in_box.select_related("file").order_by("file__file_code"))
        form = BoxMovementForm(request.POST or None, items=items, initial={"files_counted": len(items)})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            events: list[Any] = []
            done = run_service(
                request,
                lambda: events.extend(
                    services.box_movement_record(
                        project=project,
                        box=box,
                        kind=data["kind"],
                        actor=request.user,
                        files_counted=data["files_counted"],
                        sheets=form.sheets(),
                        from_party=data["from_party"],
                        to_party=data["to_party"],
                        location=data["location"],
                        note=data["note"],
                    )
                ),
                f"Đã ghi nhận giao nhận {box} ({len(items)} hồ sơ).",
            )
            if done:
                return redirect("custody_receipt", event_id=events[0].pk)
    elif request.method == "POST":
        messages.error(request, "Hãy chọn hộp trước khi ghi nhận.")
        return redirect("custody_box", project_id=project.pk)
    return render(request, "custody/box.html", {"project": project, "choice": choice, "box": box, "form": form})


@require_GET
def custody_discrepancies(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for(request, project_id)
    status = request.GET.get("trang_thai", Discrepancy.Status.OPEN)
    rows = selectors.project_discrepancies(user=request.user, project_id=project.pk, status=status or None)
    return render(
        request,
        "custody/discrepancies.html",
        {
            "project": project,
            "rows": rows[:500],
            "status": status,
            "statuses": Discrepancy.Status.choices,
            "may_resolve": selectors.may_resolve(request.user, project),
            "resolve_form": ResolveForm(),
        },
    )


@require_POST
def custody_resolve(request: HttpRequest, discrepancy_id: int) -> HttpResponse:
    discrepancy = found(lambda: selectors.discrepancy_get(user=request.user, discrepancy_id=discrepancy_id))
    if not selectors.may_resolve(request.user, discrepancy.project):
        raise PermissionDenied("Giải quyết chênh lệch cần vai trò lập kế hoạch hoặc phê duyệt.")
    form = ResolveForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.discrepancy_resolve(
                discrepancy=discrepancy,
                by=request.user,
                note=form.cleaned_data["note"],
                confirmed=form.cleaned_data["confirmed"],
            ),
            f"Đã giải quyết chênh lệch CL-{discrepancy.pk}.",
        )
    else:
        messages.error(request, "Số xác nhận không hợp lệ.")
    return redirect("custody_discrepancies", project_id=discrepancy.project_id)


@require_GET
def custody_receipt(request: HttpRequest, event_id: int) -> HttpResponse:
    event = found(lambda: selectors.event_get(user=request.user, event_id=event_id))
    events = list(selectors.batch_events(event.batch))
    sheets = selectors.batch_events(event.batch).aggregate(n=Sum("sheets_counted"))["n"] or 0
    return render(
        request,
        "custody/receipt.html",
        {
            "event": event,
            "events": events,
            "totals": {"boxes": event.boxes_counted, "files": event.files_counted, "sheets": sheets},
            "files_recorded": len(events),
            "discrepancies": Discrepancy.objects.filter(event__batch=event.batch).select_related("item__file"),
        },
    )
