"""Staff pages of catalogue import and export: thin over ``selectors``, ``services`` and ``documents``.

Deny by default: the home page needs a grant on some fonds (or superuser), else 403; a fonds the user
has no grant on answers 404, exactly like a fonds that does not exist, and so does an upload of another
user (administrators see all). Uploading and committing also need the right to edit the fonds (403).
Exports leave out secret material unless the user may see it (``khoso.access``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from khoso.access.selectors import can_edit_fonds, visible_fonds_ids
from khoso.archive import selectors as archive_selectors
from khoso.archive.models import Fonds, Inventory
from khoso.catalogue import selectors, services
from khoso.catalogue.columns import Level
from khoso.catalogue.forms import UploadForm
from khoso.catalogue.models import CatalogueImport
from khoso.catalogue.validation import VERB_LABELS
from khoso.core.errors import ArchiveError, NotFoundError, PermissionDeniedError

NOT_FOUND = "Không tìm thấy trang này."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fonds(request: HttpRequest, fonds_id: int) -> Fonds:
    try:
        return archive_selectors.fonds_get(user=request.user, fonds_id=fonds_id)
    except NotFoundError as error:
        raise Http404(NOT_FOUND) from error


def _require_edit(request: HttpRequest, fonds: Fonds) -> None:
    if not can_edit_fonds(request.user, fonds.pk):
        raise PermissionDenied("Bạn không có quyền sửa phông này.")


def _import(request: HttpRequest, fonds_id: int, import_id: int) -> CatalogueImport:
    fonds = _fonds(request, fonds_id)
    try:
        return selectors.import_get(fonds=fonds, user=request.user, import_id=import_id)
    except NotFoundError as error:
        raise Http404(NOT_FOUND) from error


def _inventory(request: HttpRequest, fonds: Fonds) -> Inventory | None:
    number = request.GET.get("muc_luc", "")
    try:
        return selectors.inventory_get(fonds=fonds, number=int(number) if number else None)
    except (ValueError, NotFoundError) as error:
        raise Http404(NOT_FOUND) from error


def _level(request: HttpRequest) -> Level:
    try:
        return Level(request.GET.get("loai", Level.FILE.value))
    except ValueError as error:
        raise Http404(NOT_FOUND) from error


@require_GET
def catalogue_home(request: HttpRequest) -> HttpResponse:
    visible = visible_fonds_ids(request.user)
    if visible is not None and not visible:
        raise PermissionDenied("Bạn chưa được giao phông nào.")
    fonds_list = archive_selectors.fonds_list(user=request.user)
    return render(request, "catalogue/home.html", {"fonds_list": fonds_list})


@require_GET
def catalogue_fonds(request: HttpRequest, fonds_id: int) -> HttpResponse:
    fonds = _fonds(request, fonds_id)
    may_edit = can_edit_fonds(request.user, fonds.pk)
    return render(
        request,
        "catalogue/fonds.html",
        {
            "fonds": fonds,
            "may_edit": may_edit,
            "form": UploadForm(fonds=fonds) if may_edit else None,
            "imports": selectors.imports_of(fonds=fonds, user=request.user)[:20],
            "inventories": Inventory.objects.filter(fonds=fonds),
            "levels": list(Level),
        },
    )


@require_http_methods(["POST"])
def catalogue_upload(request: HttpRequest, fonds_id: int) -> HttpResponse:
    fonds = _fonds(request, fonds_id)
    _require_edit(request, fonds)
    form = UploadForm(request.POST, request.FILES, fonds=fonds)
    if form.is_valid():
        upload = form.cleaned_data["sheet"]
        try:
            catalogue_import = services.import_upload(
                fonds=fonds,
                inventory=form.cleaned_data["inventory"],
                name=upload.name,
                data=upload.read(),
                by=request.user,
            )
        except ArchiveError as error:
            form.add_error("sheet", error.message)
        else:
            return redirect("catalogue_preview", fonds_id=fonds.pk, import_id=catalogue_import.pk)
    context = {
        "fonds": fonds,
        "may_edit": True,
        "form": form,
        "imports": selectors.imports_of(fonds=fonds, user=request.user)[:20],
        "inventories": Inventory.objects.filter(fonds=fonds),
        "levels": list(Level),
    }
    return render(request, "catalogue/fonds.html", context, status=400)


@require_GET
def catalogue_preview(request: HttpRequest, fonds_id: int, import_id: int) -> HttpResponse:
    catalogue_import = _import(request, fonds_id, import_id)
    result = None
    refusal = ""
    if catalogue_import.status == CatalogueImport.Status.PREVIEWED:
        try:
            result = services.import_preview(catalogue_import=catalogue_import, user=request.user)
        except ArchiveError as error:
            refusal = error.message
    return render(
        request,
        "catalogue/preview.html",
        {
            "fonds": catalogue_import.fonds,
            "catalogue_import": catalogue_import,
            "result": result,
            "counts": result.counts() if result else catalogue_import.summary,
            "refusal": refusal,
            "verbs": VERB_LABELS,
            "may_edit": can_edit_fonds(request.user, catalogue_import.fonds_id),
        },
    )


@require_POST
def catalogue_commit(request: HttpRequest, fonds_id: int, import_id: int) -> HttpResponse:
    catalogue_import = _import(request, fonds_id, import_id)
    _require_edit(request, catalogue_import.fonds)
    try:
        result = services.import_commit(
            catalogue_import=catalogue_import,
            sha256=request.POST.get("sha256", ""),
            plan=request.POST.get("plan", ""),
            by=request.user,
        )
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    except ArchiveError as error:
        messages.error(request, error.message)
    else:
        counts = result.counts()
        messages.success(
            request,
            f"Đã ghi mục lục: tạo mới {counts['create']}, cập nhật {counts['update']}, không đổi "
            f"{counts['unchanged']}, đề nghị đổi chế độ sử dụng {counts['proposals']}.",
        )
    return redirect("catalogue_preview", fonds_id=catalogue_import.fonds_id, import_id=catalogue_import.pk)


def _export(request: HttpRequest, fonds_id: int, extension: str) -> HttpResponse:
    from khoso.catalogue import documents

    fonds = _fonds(request, fonds_id)
    inventory = _inventory(request, fonds)
    level = _level(request)
    include_secret = services.may_see_secret(request.user)
    make = documents.catalogue_xlsx if extension == "xlsx" else documents.catalogue_csv
    data = make(fonds=fonds, inventory=inventory, level=level, include_secret=include_secret)
    content_type = XLSX if extension == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    name = documents.export_name(fonds, inventory, level, extension)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_GET
def catalogue_export_xlsx(request: HttpRequest, fonds_id: int) -> HttpResponse:
    return _export(request, fonds_id, "xlsx")


@require_GET
def catalogue_export_csv(request: HttpRequest, fonds_id: int) -> HttpResponse:
    return _export(request, fonds_id, "csv")
