"""The preservation staff page: copies per location, shortfalls, last audits, open problems, "Kiểm tra ngay".

Staff only: login (site middleware) and the ``preservation.manage_preservation`` permission
(superusers have it); anyone else gets 403. The audit button only queues work, after commit.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from khoso.core.errors import ArchiveError
from khoso.core.text import nfc
from khoso.preservation import selectors, tasks

PERMISSION = "preservation.manage_preservation"


def _require_staff(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied("Bạn không có quyền quản lý bảo quản / You may not manage preservation.")


@require_GET
def preservation_dashboard(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    context = {
        "locations": selectors.location_summaries(),
        "min_copies": settings.KHOSO_MIN_COPIES,
        "under_replicated": selectors.under_replicated_count(),
        "audits": selectors.recent_audits(),
        "problems": selectors.open_problems(),
    }
    return render(request, "preservation/dashboard.html", context)


@require_POST
def preservation_audit_request(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    fonds_code = nfc(request.POST.get("fonds", "")).strip()
    file_code = nfc(request.POST.get("file", "")).strip()
    try:
        if file_code:
            scope = selectors.scope_file(file_code)
        elif fonds_code:
            scope = selectors.scope_fonds(fonds_code)
        else:
            messages.error(request, "Hãy nhập mã phông hoặc mã hồ sơ / Enter a fonds or file code.")
            return redirect("preservation_dashboard")
    except ArchiveError as error:
        messages.error(request, error.message)
        return redirect("preservation_dashboard")
    transaction.on_commit(
        lambda: tasks.audit_on_demand.delay(fonds_code=fonds_code, file_code=file_code, user_id=request.user.pk)
    )
    messages.success(request, f"Đã xếp lịch kiểm tra: {scope.label} / Audit queued.")
    return redirect("preservation_dashboard")
