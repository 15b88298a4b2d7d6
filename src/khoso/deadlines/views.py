"""The deadlines board (/thoi-han/) and the annual report's "sent" mark: thin shells over selectors and services.

Deny by default: anonymous visitors go to the login page (site middleware); a signed-in user responsible for
no kind of deadline (a reader, staff without the rights) gets 403; everyone else sees only the items of the
kinds and fonds they are responsible for (``selectors.due_items``). Recording the report as sent needs
``deadlines.add_reportsubmission``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from khoso.deadlines import rules, selectors, services
from khoso.deadlines.forms import ReportSubmissionForm
from khoso.deadlines.rules import Kind, State
from khoso.web.actions import run_service

ROW_LIMIT = 500
EVERYTHING = "tat_ca"
ACTIONABLE = (State.SOON, State.OVERDUE)


@require_GET
def deadlines_board(request: HttpRequest) -> HttpResponse:
    kinds = selectors.visible_kinds(request.user)
    if not kinds:
        raise PermissionDenied("Bạn không phụ trách thời hạn nào / you follow no deadlines.")
    chosen_kind = request.GET.get("loai", "")
    wanted_kinds = {Kind(chosen_kind)} if chosen_kind in {kind.value for kind in kinds} else None
    chosen_state = request.GET.get("trang_thai", "")
    if chosen_state in {state.value for state in State}:
        wanted_states: set[State] | None = {State(chosen_state)}
    elif chosen_state == EVERYTHING:
        wanted_states = None
    else:  # by default what needs acting on: "sắp đến hạn" and "quá hạn"
        chosen_state, wanted_states = "", set(ACTIONABLE)
    today = timezone.localdate()
    items = selectors.due_items(request.user, today, kinds=wanted_kinds, states=wanted_states)
    may_record = Kind.ANNUAL_REPORT in kinds and selectors.may_record_report(request.user)
    context = {
        "items": items[:ROW_LIMIT],
        "truncated": len(items) > ROW_LIMIT,
        "total": len(items),
        "overdue": sum(1 for item in items if item.state == State.OVERDUE),
        "soon": sum(1 for item in items if item.state == State.SOON),
        "today": today,
        "kind_choices": [(kind.value, rules.KINDS[kind].label) for kind in Kind if kind in kinds],
        "state_choices": [(state.value, label) for state, label in rules.STATE_LABELS.items()],
        "chosen_kind": chosen_kind if wanted_kinds else "",
        "chosen_state": chosen_state,
        "everything": EVERYTHING,
        "report_form": ReportSubmissionForm(initial={"year": today.year}) if may_record else None,
        "submissions": selectors.report_submissions() if Kind.ANNUAL_REPORT in kinds else [],
    }
    return render(request, "deadlines/board.html", context)


@require_POST
def deadlines_report_submit(request: HttpRequest) -> HttpResponse:
    if not selectors.may_record_report(request.user):
        raise PermissionDenied("Bạn không có quyền ghi nhận báo cáo năm / you may not record the annual report.")
    board = reverse("deadlines_board") + f"?loai={Kind.ANNUAL_REPORT.value}"
    form = ReportSubmissionForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect(board)
    data = form.cleaned_data
    run_service(
        request,
        lambda: services.report_submission_record(
            year=data["year"],
            submitted_on=data["submitted_on"],
            reference=data["reference"],
            note=data["note"],
            by=request.user,
        ),
        lambda submission: f"Đã ghi nhận báo cáo năm {submission.year} gửi ngày {submission.submitted_on:%d/%m/%Y}.",
    )
    return redirect(board)
