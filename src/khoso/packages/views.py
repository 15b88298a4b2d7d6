"""Staff pages of transfers (nộp lưu): batches, receiving packages, per-file decisions and the printouts.

Deny by default: every transfer page needs ``packages.receive_transfer`` (superusers have it), else 403;
a batch whose fonds the user may not write into answers 404, exactly like one that does not exist.
Decisions are POSTs; a refused decision shows the rule broken and changes nothing.

Exporting a package is a staff action on one hồ sơ: a file the user may not see is 404 (as on the file
pages), a file of a fonds they may not edit is 403; secret material also needs ``archive.export_secret``
and a reason, and the refusal names that rule (services.secret_export).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from khoso.access.selectors import can_edit_fonds
from khoso.archive import selectors as archive_selectors
from khoso.core.errors import ArchiveError, NotFoundError
from khoso.packages import selectors, services
from khoso.packages.forms import BatchForm, ExportForm, RejectForm
from khoso.packages.models import TransferBatch, TransferItem
from khoso.packages.tt05 import zip_name
from khoso.web.actions import run_service

PERMISSION = "packages.receive_transfer"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_FOUND = "Không tìm thấy lần nộp lưu này."


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied("Bạn không có quyền tiếp nhận hồ sơ nộp lưu.")


def _batch(request: HttpRequest, batch_id: int) -> TransferBatch:
    _require(request)
    try:
        return selectors.batch_get(user=request.user, batch_id=batch_id)
    except NotFoundError as error:
        raise Http404(NOT_FOUND) from error


def _item(request: HttpRequest, batch_id: int, item_id: int) -> TransferItem:
    batch = _batch(request, batch_id)
    try:
        return selectors.item_get(batch=batch, item_id=item_id)
    except NotFoundError as error:
        raise Http404(NOT_FOUND) from error


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def packages_batch_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(request, "packages/batch_list.html", {"batches": selectors.batch_list(user=request.user)})


@require_http_methods(["GET", "POST"])
def packages_batch_create(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = BatchForm(request.POST or None, request.FILES or None, fonds=selectors.receiving_fonds(user=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: list[TransferBatch] = []

        def receive() -> TransferBatch:
            batch = services.batch_receive(
                fonds=data["fonds"],
                source_agency=data["source_agency"],
                note=data["note"],
                packages=[(upload.name, upload) for upload in data["packages"]],
                by=request.user,
            )
            created.append(batch)
            return batch

        if run_service(request, receive, lambda batch: f"Đã nhận {batch.items.count()} gói tin và kiểm tra xong."):
            return redirect("packages_batch_detail", batch_id=created[0].pk)
    return render(request, "packages/batch_form.html", {"form": form})


@require_GET
def packages_batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    items = selectors.batch_items(batch=batch)
    return render(
        request,
        "packages/batch_detail.html",
        {
            "batch": batch,
            "items": items,
            "totals": selectors.batch_totals(items=items),
            "State": TransferItem.State,
            "reject_form": RejectForm(),
        },
    )


@require_POST
def packages_item_accept(request: HttpRequest, batch_id: int, item_id: int) -> HttpResponse:
    item = _item(request, batch_id, item_id)
    run_service(
        request,
        lambda: services.item_accept(item=item, by=request.user),
        f"Đã chấp nhận và nhập hồ sơ {item.file_code} vào kho.",
    )
    return redirect("packages_batch_detail", batch_id=batch_id)


@require_POST
def packages_item_reject(request: HttpRequest, batch_id: int, item_id: int) -> HttpResponse:
    item = _item(request, batch_id, item_id)
    run_service(
        request,
        lambda: services.item_reject(item=item, by=request.user, reason=request.POST.get("reason", "")),
        f"Đã từ chối hồ sơ số {item.sequence} ({item.file_code or item.package_name}).",
    )
    return redirect("packages_batch_detail", batch_id=batch_id)


@require_GET
def packages_list_pdf(request: HttpRequest, batch_id: int) -> HttpResponse:
    from khoso.packages import documents

    batch = _batch(request, batch_id)
    return _download(documents.transfer_list_pdf(batch=batch), "application/pdf", f"muc-luc-nop-luu-{batch.pk}.pdf")


@require_GET
def packages_list_xlsx(request: HttpRequest, batch_id: int) -> HttpResponse:
    from khoso.packages import documents

    batch = _batch(request, batch_id)
    return _download(documents.transfer_list_xlsx(batch=batch), XLSX, f"muc-luc-nop-luu-{batch.pk}.xlsx")


@require_GET
def packages_receipt_pdf(request: HttpRequest, batch_id: int) -> HttpResponse:
    from khoso.packages import documents

    batch = _batch(request, batch_id)
    return _download(documents.receipt_pdf(batch=batch), "application/pdf", f"bien-ban-giao-nhan-{batch.pk}.pdf")


@require_http_methods(["GET", "POST"])
def packages_file_export(request: HttpRequest, file_code: str) -> HttpResponseBase:
    try:
        archive_file = archive_selectors.file_get(user=request.user, file_code=file_code)
    except NotFoundError as error:
        raise Http404(error.message) from error
    if not can_edit_fonds(request.user, archive_file.fonds_id):
        raise PermissionDenied("Bạn không có quyền xuất gói tin của phông này.")
    form = ExportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        folder = Path(settings.DATA_DIR) / "staging" / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=folder, suffix=".zip", delete=False)  # noqa: SIM115 (streamed below)
        handle.close()
        out = Path(handle.name)
        try:
            objid = services.package_export(
                file_code=archive_file.file_code,
                package_type=services.package_type_of(form.cleaned_data["package_type"]),
                out=out,
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
            stream = open(out, "rb")  # noqa: SIM115 (FileResponse closes it)
        except ArchiveError as error:
            form.add_error(None, error.message)
            status = error.http_status if error.http_status in (400, 403) else 400
        else:
            return FileResponse(stream, as_attachment=True, filename=zip_name(objid))
        finally:
            out.unlink(missing_ok=True)  # an open stream still reads the unlinked file
    context = {"file": archive_file, "form": form, "secret": services.secret_material(archive_file)}
    return render(request, "packages/export_form.html", context, status=status)
