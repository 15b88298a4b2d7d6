"""Staff pages of transfers (nộp lưu): batches, receiving packages, per-file decisions and the printouts.

Deny by default: every page needs ``packages.receive_transfer`` (superusers have it), else 403; a
batch whose fonds the user may not write into answers 404, exactly like one that does not exist.
Decisions are POSTs; a refused decision shows the rule broken and changes nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from khoso.core.errors import NotFoundError
from khoso.packages import documents, selectors, services
from khoso.packages.forms import BatchForm, RejectForm
from khoso.packages.models import TransferBatch, TransferItem
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
    batch = _batch(request, batch_id)
    return _download(documents.transfer_list_pdf(batch=batch), "application/pdf", f"muc-luc-nop-luu-{batch.pk}.pdf")


@require_GET
def packages_list_xlsx(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    return _download(documents.transfer_list_xlsx(batch=batch), XLSX, f"muc-luc-nop-luu-{batch.pk}.xlsx")


@require_GET
def packages_receipt_pdf(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    return _download(documents.receipt_pdf(batch=batch), "application/pdf", f"bien-ban-giao-nhan-{batch.pk}.pdf")
