"""Staff pages of backup: the backup log (and its printable PDF), insurance copies and the fonds counters.

Deny by default: the log needs ``backup.view_backuplog``, making an insurance copy
``backup.add_insurancecopy`` and a fonds the user may see (superusers have all).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from khoso.archive import selectors as archive_selectors
from khoso.backup import selectors, services
from khoso.backup.models import BackupLog
from khoso.core.errors import NotFoundError
from khoso.web.actions import run_service

LOG_PERMISSION = "backup.view_backuplog"
COPY_PERMISSION = "backup.add_insurancecopy"


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")


@require_GET
def backup_home(request: HttpRequest) -> HttpResponse:
    _require(request, LOG_PERMISSION)
    can_copy = request.user.has_perm(COPY_PERMISSION)
    return render(
        request,
        "backup/home.html",
        {
            "logs": selectors.backup_logs(),
            "backup_dirs": services.backup_roots(),
            "copies": selectors.insurance_copies(),
            "counters": selectors.insurance_counters().filter(
                pk__in=archive_selectors.fonds_list(user=request.user).values("pk")
            ),
            "can_copy": can_copy,
            "fonds_choices": archive_selectors.fonds_list(user=request.user) if can_copy else [],
            "copy_roots": services.copy_roots(),
        },
    )


@require_GET
def backup_log_pdf(request: HttpRequest) -> HttpResponse:
    from khoso.backup import documents

    _require(request, LOG_PERMISSION)
    response = HttpResponse(documents.log_pdf(BackupLog.objects.select_related("started_by")), "application/pdf")
    response["Content-Disposition"] = 'inline; filename="nhat-ky-sao-luu.pdf"'
    return response


@require_POST
def backup_insurance_copy(request: HttpRequest) -> HttpResponse:
    _require(request, COPY_PERMISSION)
    try:
        fonds = archive_selectors.fonds_get(user=request.user, fonds_id=int(request.POST.get("fonds", "0") or 0))
    except (NotFoundError, ValueError):
        messages.error(request, "Chưa chọn phông, hoặc phông không tồn tại / no such fonds.")
        return redirect("backup_home")
    run_service(
        request,
        lambda: services.insurance_copy_queue(fonds=fonds, target=request.POST.get("target", ""), by=request.user),
        lambda folder: f"Đã đưa vào hàng đợi bản sao bảo hiểm phông {fonds.code} → {folder}.",
    )
    return redirect("backup_home")
