"""Working pages of the scanning step: deliver and reconcile, inspect, rescan, link.

Deny by default: the file is loaded through ``workflow.selectors.item_get`` (404 to anyone outside
the project) and each page needs the role that works on it (403 otherwise); a refused action shows
the service's Vietnamese message and changes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from khoso.archive.models import Page
from khoso.capture.services import save_uploads
from khoso.core.errors import ArchiveError, PermissionDeniedError
from khoso.core.text import nfc
from khoso.scanning import selectors, services
from khoso.scanning.forms import LinkForm, ReconcileForm, ReviewForm
from khoso.scanning.models import RejectReason, ScanHistory
from khoso.storage.services import object_store
from khoso.web.actions import run_service
from khoso.workflow.models import ProjectFile
from khoso.workflow.selectors import roles_of
from khoso.workflow.shortcuts import item_for
from khoso.workflow.states import Role, State

PAGE_VIEWERS = (Role.SCANNER, Role.QC_INSPECTOR, Role.DATA_ENTRY, Role.CHECKER)


def _upload_dir() -> str | None:
    folder = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    return str(folder) if folder else None


def _context(item: ProjectFile, **extra: Any) -> dict[str, Any]:
    return {"item": item, "state_label": State(item.state).label, **extra}


# -- delivery and reconciliation -------------------------------------------------------------------


def _delivery_page(request: HttpRequest, item: ProjectFile, *, http_status: int = 200) -> HttpResponse:
    status = selectors.count_status(item)
    initial = {"sheets_counted": status.sheets_counted, "note": status.latest.note if status.latest else ""}
    return render(
        request,
        "scanning/delivery.html",
        _context(
            item,
            status=status,
            deliveries=selectors.deliveries_of(item),
            rejections=selectors.watch_rejections(request.user),
            watch_folder=services.operator_folder(request.user) / item.file.file_code,
            reconcile_form=ReconcileForm(initial=initial),
            rows=selectors.page_rows(item),
            may_deliver=item.state == State.SO_HOA,
        ),
        status=http_status,
    )


def _refused(request: HttpRequest, error: ArchiveError, page: Callable[[int], HttpResponse]) -> HttpResponse:
    """A refused upload answers 4xx with the rule on the same page (T7), not a redirect that looks like success."""
    if isinstance(error, PermissionDeniedError):
        raise PermissionDenied(error.message) from error
    messages.error(request, error.message)
    return page(error.http_status)


@require_GET
def scan_delivery(request: HttpRequest, item_id: int) -> HttpResponse:
    return _delivery_page(request, item_for(request, item_id, Role.SCANNER))


@require_POST
def scan_upload(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.SCANNER)
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, "Hãy chọn ít nhất một tệp ảnh (JPEG, PNG, TIFF) hoặc PDF để nộp.")
        return redirect("scan_delivery", item_id=item.pk)
    with tempfile.TemporaryDirectory(dir=_upload_dir(), prefix="scan-upload-") as workdir:
        arrivals = save_uploads(uploads, Path(workdir))
        try:
            record = services.delivery_upload(item=item, operator=request.user, arrivals=arrivals)
        except ArchiveError as error:
            return _refused(request, error, lambda status: _delivery_page(request, item, http_status=status))
    messages.success(
        request, f"Đã nhận {record.delivery.page_count} trang của hồ sơ {item.file.file_code}; đang xử lý."
    )
    return redirect("scan_delivery", item_id=item.pk)


@require_POST
def scan_reconcile(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.SCANNER)
    form = ReconcileForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Số tờ đếm được phải là số nguyên không âm.")
        return redirect("scan_delivery", item_id=item.pk)
    run_service(
        request,
        lambda: services.count_reconcile(
            item=item,
            actor=request.user,
            sheets_counted=form.cleaned_data["sheets_counted"],
            note=form.cleaned_data["note"],
        ),
        "Đã ghi kết quả đối chiếu số trang, số tờ.",
    )
    return redirect("scan_delivery", item_id=item.pk)


def _cover_fields(item: ProjectFile) -> dict[str, str]:
    return {"file_code": item.file.file_code, "title": item.file.title, "project": item.project.code}


@require_GET
def scan_cover_png(request: HttpRequest, item_id: int) -> HttpResponse:
    from khoso.scanning import coversheet

    item = item_for(request, item_id, Role.SCANNER)
    response = HttpResponse(coversheet.cover_sheet_png(**_cover_fields(item)), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="phieu-bia-{item.file.file_code}.png"'
    return response


@require_GET
def scan_cover_pdf(request: HttpRequest, item_id: int) -> HttpResponse:
    from khoso.scanning import coversheet

    item = item_for(request, item_id, Role.SCANNER)
    response = HttpResponse(coversheet.cover_sheet_pdf(**_cover_fields(item)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="phieu-bia-{item.file.file_code}.pdf"'
    return response


# -- QC inspection ---------------------------------------------------------------------------------


@require_GET
def scan_qc(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.QC_INSPECTOR)
    rows = selectors.page_rows(item)
    return render(
        request,
        "scanning/qc.html",
        _context(
            item,
            rows=rows,
            summary=[
                (code, label, selectors.qc_summary(rows)[code]) for code, label in selectors.VERDICT_LABELS.items()
            ],
            reasons=RejectReason.choices,
            may_review=item.state == State.KIEM_TRA_CHAT_LUONG,
        ),
    )


@require_POST
def scan_review(request: HttpRequest, item_id: int, number: int) -> HttpResponse:
    item = item_for(request, item_id, Role.QC_INSPECTOR)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Kết luận hoặc lý do không hợp lệ.")
        return redirect("scan_qc", item_id=item.pk)
    data = form.cleaned_data
    run_service(
        request,
        lambda: services.page_review(
            item=item,
            number=number,
            inspector=request.user,
            decision=data["decision"],
            reason=data["reason"],
            note=data["note"],
        ),
        lambda review: f"Trang {number}: {review.get_decision_display()}.",
    )
    return redirect(f"{reverse('scan_qc', kwargs={'item_id': item.pk})}#trang-{number}")


@require_POST
def scan_accept_passing(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.QC_INSPECTOR)
    run_service(
        request,
        lambda: services.pages_accept_passing(item=item, inspector=request.user),
        lambda count: f"Đã đánh giá «Đạt» {count} trang đạt kiểm tra tự động.",
    )
    return redirect("scan_qc", item_id=item.pk)


# -- rescans ---------------------------------------------------------------------------------------


@require_GET
def scan_rescan(request: HttpRequest, item_id: int) -> HttpResponse:
    return _rescan_page(request, item_for(request, item_id, Role.SCANNER))


def _rescan_page(request: HttpRequest, item: ProjectFile, *, http_status: int = 200) -> HttpResponse:
    rows = selectors.page_rows(item)
    return render(
        request,
        "scanning/rescan.html",
        _context(
            item,
            # At product correction the inspection report names the pages: any page may be replaced.
            tasks=rows if item.state == State.SUA_LOI else [r for r in rows if r.verdict == selectors.Verdict.REJECTED],
            replaced=[row for row in rows if row.history],
            may_rescan=item.state in (State.SO_HOA_LAI, State.SO_HOA, State.SUA_LOI),
            correction=item.state == State.SUA_LOI,
        ),
        status=http_status,
    )


@require_POST
def scan_rescan_upload(request: HttpRequest, item_id: int, number: int) -> HttpResponse:
    item = item_for(request, item_id, Role.SCANNER)
    upload = request.FILES.get("file")
    back = "scan_rescan" if item.state in (State.SO_HOA_LAI, State.SUA_LOI) else "scan_delivery"
    reason = nfc(request.POST.get("reason", ""))
    if upload is None:
        messages.error(request, f"Hãy chọn tệp ảnh quét lại cho trang {number}.")
        return redirect(back, item_id=item.pk)
    with tempfile.TemporaryDirectory(dir=_upload_dir(), prefix="scan-rescan-") as workdir:
        (arrival,) = save_uploads([upload], Path(workdir))
        try:
            services.page_rescan(
                item=item, number=number, operator=request.user, path=arrival.path, name=arrival.name, reason=reason
            )
        except ArchiveError as error:
            page = _rescan_page if back == "scan_rescan" else _delivery_page
            return _refused(request, error, lambda status: page(request, item, http_status=status))
    messages.success(request, f"Đã thay trang {number} bằng bản quét lại; bản quét cũ được giữ trong lịch sử.")
    return redirect(back, item_id=item.pk)


# -- linking ---------------------------------------------------------------------------------------


def _link_page(request: HttpRequest, item: ProjectFile, form: LinkForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "scanning/link.html",
        _context(
            item,
            rows=selectors.link_rows(item.file),
            problems=selectors.link_problems(item.file),
            page_total=Page.objects.filter(file_id=item.file_id).count(),
            form=form,
            may_link=item.state == State.LIEN_KET and Role.DATA_ENTRY in roles_of(request.user, item.project),
        ),
        status=status,
    )


@require_GET
def scan_link(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.DATA_ENTRY, Role.CHECKER)
    return _link_page(request, item, LinkForm(file_id=item.file_id))


@require_POST
def scan_link_save(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.DATA_ENTRY)
    form = LinkForm(request.POST, file_id=item.file_id)
    if not form.is_valid():
        return _link_page(request, item, form, status=400)
    data = form.cleaned_data
    run_service(
        request,
        lambda: services.document_link(
            item=item,
            actor=request.user,
            document_id=data["document"].pk,
            first_page=data["first_page"],
            number_of_page=data["number_of_page"],
        ),
        lambda document: (
            f"Tài liệu {document.doc_code}: trang {document.first_page}–"
            f"{document.first_page + document.number_of_page - 1}."
        ),
    )
    return redirect("scan_link", item_id=item.pk)


@require_POST
def scan_link_auto(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_for(request, item_id, Role.DATA_ENTRY)
    run_service(
        request,
        lambda: services.links_from_metadata(item=item, actor=request.user),
        lambda count: f"Đã gắn trang cho {count} tài liệu theo số trang trên phiếu tin.",
    )
    return redirect("scan_link", item_id=item.pk)


# -- page thumbnails (project members of the scanning roles, no fonds grant needed) ----------------


@require_GET
def scan_thumbnail(request: HttpRequest, item_id: int, number: int) -> FileResponse:
    item = item_for(request, item_id, *PAGE_VIEWERS)
    page = Page.objects.filter(file_id=item.file_id, number=number).first()
    if page is None:
        raise Http404("Không tìm thấy trang này.")
    thumbnail_id = page.thumbnail_id
    version = request.GET.get("lan", "")
    if version.isdigit():
        entry = ScanHistory.objects.filter(page=page, version=int(version)).first()
        thumbnail_id = entry.old_thumbnail_id if entry else None
    if not thumbnail_id:
        raise Http404("Trang chưa có ảnh thu nhỏ.")
    try:
        handle = object_store().open(thumbnail_id)
    except FileNotFoundError as error:
        raise Http404("Không tìm thấy tệp trong kho.") from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response
