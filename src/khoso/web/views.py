"""Web views: thin wrappers over selectors (reads, always with ``user=request.user``) and services.

Deny by default: every view requires login (``LoginRequiredMiddleware``); objects the user may
not see are 404 (not 403, so their existence does not leak); edits need ``can_edit_fonds``.
"""

from __future__ import annotations

import html
import io
import math
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from khoso.access.models import FondsGrant
from khoso.access.selectors import (
    SECRET,
    allowed_modes,
    can_edit_fonds,
    is_reader_only,
    lock_covering,
    restrict_documents,
    withheld_documents,
)
from khoso.archive import profiles
from khoso.archive import selectors as archive_selectors
from khoso.archive import services as archive_services
from khoso.archive.models import FILE_DESCRIPTION_FIELDS, ArchiveFile, Fonds, Page, Vocabulary, VocabularyKind
from khoso.capture.models import Delivery
from khoso.core.errors import ArchiveError, NotFoundError
from khoso.core.modelfields import concrete_field
from khoso.core.text import fold, nfc
from khoso.web.forms import DocumentForm, FileForm, FondsForm, SearchForm

SEARCH_PER_PAGE = 20
STRIP_SIZE = 40  # thumbnails rendered around the current page in the viewer
BROWSER_IMAGE_TYPES = {"image/jpeg", "image/png"}
VIEW_MAX_PX = 2000  # other image types are converted to a JPEG of at most this size


# -- helpers -------------------------------------------------------------------------------------


def _fonds_or_404(request: HttpRequest, fonds_id: int) -> Fonds:
    try:
        return archive_selectors.fonds_get(user=request.user, fonds_id=fonds_id)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _file_or_404(request: HttpRequest, file_code: str) -> ArchiveFile:
    try:
        return archive_selectors.file_get(user=request.user, file_code=file_code)
    except NotFoundError as error:
        raise Http404(error.message) from error


def _pages(request: HttpRequest, archive_file: ArchiveFile) -> Any:
    """The file's pages the user may see: not those of a document in mode 03 or with a secret class,
    unless the user may see secret material (the file itself may be public)."""
    return archive_selectors.page_list(archive_file=archive_file).exclude(document__in=withheld_documents(request.user))


def _page_or_404(request: HttpRequest, archive_file: ArchiveFile, number: int) -> Page:
    page = _pages(request, archive_file).select_related("original").filter(number=number).first()
    if page is None:
        raise Http404(_("Không tìm thấy trang này."))
    return page


def _require_edit(request: HttpRequest, fonds_id: int) -> None:
    if not can_edit_fonds(request.user, fonds_id):
        raise PermissionDenied(_("Bạn không có quyền sửa phông này."))


def _may_create_fonds(user: Any) -> bool:
    return bool(user.is_active and (user.is_superuser or user.has_perm("archive.add_fonds")))


def _object_response(
    request: HttpRequest, sha256: str, mime: str, *, filename: str | None = None, attachment: bool = False
) -> HttpResponseBase:
    """The stored object as the body; one byte range (``Range: bytes=a-b``) is answered with 206 and
    only those bytes, so a PDF reader can show the first page of a 1,000-page file without fetching
    all of it. The digest is the entity tag (``If-Range``): an object never changes under its name."""
    from khoso.storage.services import object_store

    try:
        handle = object_store().open(sha256)
    except FileNotFoundError as error:
        raise Http404(_("Không tìm thấy tệp trong kho.")) from error
    size = os.fstat(handle.fileno()).st_size
    etag = f'"{sha256}"'
    wanted = _requested_range(request, size, etag)
    response: HttpResponseBase
    if wanted is None:
        response = FileResponse(handle, content_type=mime, as_attachment=attachment, filename=filename or "")
    elif wanted.start >= size:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        response = StreamingHttpResponse(
            _object_slice(handle, wanted.start, wanted.stop - wanted.start), status=206, content_type=mime
        )
        response["Content-Range"] = f"bytes {wanted.start}-{wanted.stop - 1}/{size}"
        response["Content-Length"] = str(wanted.stop - wanted.start)
        if disposition := content_disposition_header(attachment, filename or ""):
            response["Content-Disposition"] = disposition
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


_BYTE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
RANGE_CHUNK = 64 * 1024


def _requested_range(request: HttpRequest, size: int, etag: str) -> slice | None:
    """The one byte range asked for; None for the whole object (no ``Range``, several ranges, a
    malformed one, or an ``If-Range`` naming other content); a slice starting at ``size`` when the
    range lies beyond the end (416)."""
    match = _BYTE_RANGE.fullmatch(request.headers.get("Range", "").replace(" ", ""))
    if match is None or request.headers.get("If-Range", etag) != etag:
        return None
    first, last = match.groups()
    if not first:  # "bytes=-N": the last N bytes
        if not last:
            return None
        return slice(max(0, size - int(last)), size) if int(last) else slice(size, size)
    if last and int(last) < int(first):
        return None
    return slice(int(first), min(size, int(last) + 1) if last else size)


def _object_slice(handle: Any, start: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        while length > 0 and (chunk := handle.read(min(RANGE_CHUNK, length))):
            length -= len(chunk)
            yield chunk


# -- fonds ---------------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if is_reader_only(request.user) and not settings.KHOSO_ENCLAVE:  # a citizen's account: their own page
        return redirect("reader_home")
    fonds = archive_selectors.fonds_list(user=request.user)
    return render(
        request,
        "web/fonds_list.html",
        {"fonds_list": fonds, "may_create": _may_create_fonds(request.user)},
    )


def fonds_create(request: HttpRequest) -> HttpResponse:
    if not _may_create_fonds(request.user):
        raise PermissionDenied(_("Bạn không có quyền tạo phông."))
    form = FondsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from khoso.archive.services_cli import institution_default

        data = dict(form.cleaned_data)
        institution = data.pop("institution") or institution_default()
        try:
            with transaction.atomic():
                fonds = archive_services.fonds_create(institution=institution, **data)
                if request.user.is_authenticated and not request.user.is_superuser:
                    # Whoever creates a fonds may see and edit it; others still need a grant.
                    FondsGrant.objects.create(user=request.user, fonds=fonds, can_edit=True)
        except ArchiveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã tạo phông %(code)s.") % {"code": fonds.code})
            return redirect("fonds_detail", fonds_id=fonds.pk)
    return render(request, "web/fonds_form.html", {"form": form})


@require_GET
def fonds_detail(request: HttpRequest, fonds_id: int) -> HttpResponse:
    fonds = _fonds_or_404(request, fonds_id)
    files = archive_selectors.file_list(user=request.user, fonds_id=fonds.pk).order_by("file_catalog", "file_code")
    return render(
        request,
        "web/fonds_detail.html",
        {"fonds": fonds, "files": files, "may_edit": can_edit_fonds(request.user, fonds.pk)},
    )


# -- files ---------------------------------------------------------------------------------------


def file_create(request: HttpRequest, fonds_id: int) -> HttpResponse:
    fonds = _fonds_or_404(request, fonds_id)
    _require_edit(request, fonds.pk)
    form = FileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            archive_file = archive_services.file_create(fonds=fonds, created_by=request.user, **form.service_fields())
        except ArchiveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã tạo hồ sơ %(code)s.") % {"code": archive_file.file_code})
            return redirect("file_detail", file_code=archive_file.file_code)
    return render(request, "web/file_form.html", {"form": form, "fonds": fonds})


def file_edit(request: HttpRequest, file_code: str) -> HttpResponse:
    """Edit a file's TT05 metadata; the year and notation that make up the file code stay fixed."""
    archive_file = _file_or_404(request, file_code)
    _require_edit(request, archive_file.fonds_id)
    initial = {name: getattr(archive_file, name) for name in FileForm.base_fields}
    form = FileForm(request.POST or None, initial=initial, fixed_code=True, fixed_mode=True)
    if request.method == "POST" and form.is_valid():
        try:
            archive_services.file_update(archive_file=archive_file, **form.service_fields())
        except ArchiveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã lưu hồ sơ %(code)s.") % {"code": archive_file.file_code})
            return redirect("file_detail", file_code=archive_file.file_code)
    return render(
        request,
        "web/file_form.html",
        {"form": form, "fonds": archive_file.fonds, "file": archive_file},
        status=400 if form.is_bound else 200,
    )


def _document_form(request: HttpRequest, archive_file: ArchiveFile, data: Any = None) -> DocumentForm:
    """The form a document is added with, with its archive's profile's fields."""
    secret = SECRET in allowed_modes(request.user)
    return DocumentForm(data, profile=profiles.of_file(archive_file), secret=secret)


def _file_detail_context(request: HttpRequest, archive_file: ArchiveFile, **extra: Any) -> dict[str, Any]:
    may_edit = can_edit_fonds(request.user, archive_file.fonds_id)
    first_page = _pages(request, archive_file).values_list("number", flat=True).first()
    documents = list(
        restrict_documents(archive_file.documents.filter(deleted_at__isnull=True), request.user).order_by("ordinal")
    )
    party = profiles.is_party(profiles.of_file(archive_file))
    if party:  # the Party list shows a document's loại bản by its name
        copy_types = dict(
            Vocabulary.objects.filter(kind=VocabularyKind.ORIGINAL_STATUS).values_list("code", "label_vi")
        )
        for document in documents:
            document.copy_type_label = copy_types.get(document.original_status, document.original_status)
    context = {
        "file": archive_file,
        "documents": documents,
        "party": party,
        "lock": lock_covering(archive_file),
        "may_propose_access": request.user.has_perm("access.propose_access_change"),
        "may_edit": may_edit,
        "first_page": first_page,
        "document_form": _document_form(request, archive_file) if may_edit else None,
        "topic_suggestions": (
            archive_selectors.topic_suggestions(user=request.user, institution_id=archive_file.fonds.institution_id)
            if may_edit and party
            else []
        ),
        "metadata": _file_metadata(archive_file),
        "texts": _progress_texts(),
    }
    context.update(extra)
    return context


def _progress_texts() -> dict[str, Any]:
    """Labels the progress script shows, translated on the server."""
    return {
        "stages": {value: str(label) for value, label in Page.Stage.choices},
        "status": {
            "empty": _("Chưa có bản quét nào."),
            "processing": _("Đang xử lý"),
            "assembling": _("Đang lập bản PDF/A"),
            "done": _("Hoàn thành"),
            "needs_rescan": _("Hoàn thành, có trang cần quét lại"),
            "failed": _("Có trang bị lỗi"),
        },
        "pages_done": _("%(done)s/%(total)s trang đã xử lý"),
        "failed": _("%(n)s trang lỗi"),
        "rescan": _("%(n)s trang cần quét lại"),
        "page": _("Trang"),
        "rescan_flag": _("cần quét lại"),
        "error": _("Lỗi"),
        "offline": _("Không lấy được tiến độ; đang thử lại…"),
    }


_CODED = {
    "maintenance": "maintenance",
    "mode": "mode",
    "format": "format",
    "confidence_level": "confidenceLevel",
    "risk_recovery_status": "riskRecoveryStatus",
}
_SHOWN = (
    "file_code",
    "organ_id",
    "file_catalog",
    "file_notation",
    *FILE_DESCRIPTION_FIELDS,
    "archived_on",
    "construction_settled_on",
)


def _file_metadata(archive_file: ArchiveFile) -> list[tuple[str, Any]]:
    """The TT05 fields as (label, shown value) rows; coded values get their Vietnamese label."""
    from khoso.archive.models import Vocabulary

    labels = {(k, c): label for k, c, label in Vocabulary.objects.values_list("kind", "code", "label_vi")}
    rows: list[tuple[str, Any]] = []
    for name in _SHOWN:
        field = concrete_field(ArchiveFile, name)
        value = getattr(archive_file, name)
        if name in _CODED and value:
            value = f"{value} – {labels.get((_CODED[name], value), '?')}"
        elif name == "language":
            value = ", ".join(f"{c} – {labels.get(('language', c), '?')}" for c in str(value).split(",") if c)
        elif isinstance(value, bool):
            value = _("Có") if value else _("Không")
        elif hasattr(value, "strftime"):
            value = value.strftime("%d/%m/%Y")
        if value in (None, ""):
            value = "—"
        rows.append((str(field.verbose_name), value))
    return rows


@require_GET
def file_detail(request: HttpRequest, file_code: str) -> HttpResponse:
    archive_file = _file_or_404(request, file_code)
    return render(request, "web/file_detail.html", _file_detail_context(request, archive_file))


@require_POST
def document_create(request: HttpRequest, file_code: str) -> HttpResponse:
    archive_file = _file_or_404(request, file_code)
    _require_edit(request, archive_file.fonds_id)
    form = _document_form(request, archive_file, request.POST)
    if form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
        try:
            document = archive_services.document_create(archive_file=archive_file, **data)
        except ArchiveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Đã thêm tài liệu %(code)s.") % {"code": document.doc_code})
            return redirect("file_detail", file_code=archive_file.file_code)
    context = _file_detail_context(request, archive_file, document_form=form)
    return render(request, "web/file_detail.html", context, status=400)


@require_POST
def file_upload(request: HttpRequest, file_code: str) -> HttpResponse:
    """Save the uploads to a temporary folder, then hand them to ``deliver`` (preflight first)."""
    archive_file = _file_or_404(request, file_code)
    _require_edit(request, archive_file.fonds_id)
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, _("Hãy chọn ít nhất một tệp ảnh (JPEG, PNG, TIFF) hoặc PDF để tải lên."))
        return redirect("file_detail", file_code=archive_file.file_code)
    from khoso.capture.models import Delivery as DeliveryModel
    from khoso.capture.services import deliver, save_uploads

    with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR, prefix="upload-") as workdir:
        arrivals = save_uploads(uploads, Path(workdir))
        try:
            delivery = deliver(
                archive_file=archive_file,
                arrivals=arrivals,
                source=DeliveryModel.Source.UPLOAD,
                user=request.user,
            )
        except ArchiveError as error:  # refused by preflight: 4xx with the rule, nothing stored (T7)
            messages.error(request, error.message)
            context = _file_detail_context(request, archive_file)
            return render(request, "web/file_detail.html", context, status=error.http_status)
    messages.success(
        request,
        _("Đã nhận %(files)d tệp, %(pages)d trang; đang xử lý.")
        % {"files": len(arrivals), "pages": delivery.page_count},
    )
    return redirect("file_detail", file_code=archive_file.file_code)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """HTTP 400 with the rule broken, in Vietnamese first (upload limits above all)."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exception, TooManyFilesSent):
        message = _(
            "Quá nhiều tệp trong một lần tải lên: tối đa %(limit)d tệp. Hãy chia thành nhiều lần "
            "hoặc chép vào thư mục theo dõi."
        ) % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    elif isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        message = _("Dữ liệu gửi lên vượt giới hạn cho phép; không có gì được lưu.")
    else:
        message = _("Yêu cầu không hợp lệ; không có gì được lưu.")
    return render(request, "web/error.html", {"message": message}, status=400)


@require_GET
def file_progress(request: HttpRequest, file_code: str) -> JsonResponse:
    from khoso.capture.selectors import file_progress as progress_of

    archive_file = _file_or_404(request, file_code)
    progress = progress_of(archive_file)
    thumbs = dict(_pages(request, archive_file).values_list("number", "thumbnail_id"))
    progress["pages"] = [page for page in progress["pages"] if page["number"] in thumbs]
    for page in progress["pages"]:
        number = page["number"]
        page["url"] = reverse("page_viewer", args=[archive_file.file_code, number])
        page["thumbnail_url"] = (
            reverse("page_thumbnail", args=[archive_file.file_code, number]) if thumbs.get(number) else None
        )
        qc = page.pop("qc", None) or {}
        page["problems"] = [
            {
                "code": p.get("code"),
                "message": p.get("message_vi"),
                "severity": p.get("severity", "error"),
            }
            for p in qc.get("problems", []) or []
            if isinstance(p, dict)
        ]
    archive_file.refresh_from_db(fields=["pdf"])
    progress["pdf_url"] = reverse("file_pdf", args=[archive_file.file_code]) if archive_file.pdf_id else None
    response = JsonResponse(progress)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def file_pdf(request: HttpRequest, file_code: str) -> HttpResponseBase:
    archive_file = _file_or_404(request, file_code)
    if not archive_file.pdf_id:
        raise Http404(_("Hồ sơ chưa có bản PDF/A."))
    if archive_file.pages.filter(document__in=withheld_documents(request.user)).exists():
        raise PermissionDenied(
            _("Bản PDF/A của hồ sơ chứa trang của tài liệu mật: chỉ người được xem tài liệu mật được tải.")
        )
    return _object_response(request, archive_file.pdf_id, "application/pdf", filename=f"{archive_file.file_code}.pdf")


# -- pages ---------------------------------------------------------------------------------------


_WORD_PART = re.compile(r"\w+")


def highlight_boxes(page: Page, query: str) -> list[dict[str, float | str]]:
    """Boxes (in % of the image) of the OCR words whose folded text matches the query terms."""
    if not query or not page.width or not page.height or not page.words:
        return []
    from khoso.search.engine import folded_word_matches
    from khoso.search.selectors import highlight_terms

    terms = highlight_terms(query)
    if not terms:
        return []
    boxes: list[dict[str, float | str]] = []
    for word in page.words:
        try:
            text, left, top, width, height = word[:5]
        except (TypeError, ValueError):
            continue
        parts = _WORD_PART.findall(fold(str(text)))
        if any(folded_word_matches(terms, part) for part in parts):
            boxes.append(
                {
                    "left": round(100 * float(left) / page.width, 3),
                    "top": round(100 * float(top) / page.height, 3),
                    "width": round(100 * float(width) / page.width, 3),
                    "height": round(100 * float(height) / page.height, 3),
                    "text": str(text),
                }
            )
    return boxes


def highlighted_text(text: str, query: str) -> str:
    """``text`` HTML-escaped, words matching the query terms wrapped in ``<mark>``."""
    text = nfc(text)
    terms = []
    if query:
        from khoso.search.selectors import highlight_terms

        terms = highlight_terms(query)
    if not terms:
        return html.escape(text)
    from khoso.search.engine import folded_word_matches

    pieces, cursor = [], 0
    for match in _WORD_PART.finditer(text):
        if folded_word_matches(terms, fold(match.group())):
            pieces.append(html.escape(text[cursor : match.start()]))
            pieces.append(f"<mark>{html.escape(match.group())}</mark>")
            cursor = match.end()
    pieces.append(html.escape(text[cursor:]))
    return "".join(pieces)


@require_GET
def page_viewer(request: HttpRequest, file_code: str, number: int) -> HttpResponse:
    archive_file = _file_or_404(request, file_code)
    query = request.GET.get("q", "").strip()[:500]
    jump = request.GET.get("trang", "")
    if jump.isdigit() and int(jump) != number:
        url = reverse("page_viewer", args=[archive_file.file_code, int(jump)])
        return redirect(url + ("?" + urlencode({"q": query}) if query else ""))
    page = _page_or_404(request, archive_file, number)
    pages = _pages(request, archive_file)
    total = pages.count()
    numbers = list(pages.values_list("number", flat=True))
    position = numbers.index(page.number)
    start = max(0, min(position - STRIP_SIZE // 2, len(numbers) - STRIP_SIZE))
    window = numbers[start : start + STRIP_SIZE]
    strip = list(pages.filter(number__in=window).values("number", "thumbnail_id", "stage", "needs_rescan"))
    previous_number = numbers[position - 1] if position > 0 else None
    next_number = numbers[position + 1] if position + 1 < len(numbers) else None
    strip_before = numbers[max(0, start - STRIP_SIZE // 2)] if start > 0 else None
    strip_after = (
        numbers[min(len(numbers) - 1, start + STRIP_SIZE + STRIP_SIZE // 2 - 1)]
        if start + STRIP_SIZE < len(numbers)
        else None
    )
    suffix = ("?" + urlencode({"q": query})) if query else ""
    context = {
        "file": archive_file,
        "page": page,
        "query": query,
        "suffix": suffix,
        "boxes": highlight_boxes(page, query),
        "ocr_html": mark_safe(highlighted_text(page.ocr_text, query)),  # escaped above
        "strip": strip,
        "total": total,
        "previous_number": previous_number,
        "next_number": next_number,
        "strip_before": strip_before,
        "strip_after": strip_after,
        "first_number": numbers[0],
        "last_number": numbers[-1],
    }
    return render(request, "web/page_viewer.html", context)


@require_GET
def page_thumbnail(request: HttpRequest, file_code: str, number: int) -> HttpResponseBase:
    archive_file = _file_or_404(request, file_code)
    page = _page_or_404(request, archive_file, number)
    if not page.thumbnail_id:
        raise Http404(_("Trang chưa có ảnh thu nhỏ."))
    return _object_response(request, page.thumbnail_id, "image/jpeg")


@require_GET
def page_image(request: HttpRequest, file_code: str, number: int) -> HttpResponseBase:
    """The page's original when a browser shows it (JPEG, PNG), else a JPEG made from it."""
    archive_file = _file_or_404(request, file_code)
    page = _page_or_404(request, archive_file, number)
    mime = page.original.mime
    if mime in BROWSER_IMAGE_TYPES:
        return _object_response(request, page.original_id, mime)
    from PIL import Image

    from khoso.storage.services import object_store

    try:
        with object_store().open(page.original_id) as handle, Image.open(handle) as image:
            image.thumbnail((VIEW_MAX_PX, VIEW_MAX_PX))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "JPEG", quality=85)
    except (OSError, ValueError) as error:
        raise Http404(_("Không hiển thị được ảnh trang này.")) from error
    buffer.seek(0)
    response = FileResponse(buffer, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def page_pdf(request: HttpRequest, file_code: str, number: int) -> HttpResponseBase:
    archive_file = _file_or_404(request, file_code)
    page = _page_or_404(request, archive_file, number)
    if not page.rendition_id:
        raise Http404(_("Trang chưa có bản PDF."))
    filename = f"{archive_file.file_code}-trang-{page.number}.pdf"
    boxes = highlight_boxes(page, request.GET.get("q", "").strip()[:500])
    if not boxes:
        return _object_response(request, page.rendition_id, "application/pdf", filename=filename)
    import pikepdf

    from khoso.search.pdf_highlight import highlighted_pdf
    from khoso.storage.services import object_store

    try:
        original = object_store().read_bytes(page.rendition_id)
    except FileNotFoundError as error:
        raise Http404(_("Không tìm thấy tệp trong kho.")) from error
    try:
        marked = highlighted_pdf(original, boxes)
    except pikepdf.PdfError:  # an unreadable rendition is served as it is, without marks
        return _object_response(request, page.rendition_id, "application/pdf", filename=filename)
    response = HttpResponse(marked, content_type="application/pdf")
    disposition = content_disposition_header(False, filename)  # None only without a file name
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # a viewing copy made for this query
    return response


# -- search --------------------------------------------------------------------------------------


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    try:
        page_no = max(1, int(request.GET.get("trang", "1")))
    except ValueError:
        page_no = 1
    results: list[dict[str, Any]] = []
    total = 0
    error = ""
    if query:
        from khoso.search.selectors import search_pages

        try:
            found = search_pages(
                user=request.user,
                query=query,
                limit=SEARCH_PER_PAGE,
                offset=(page_no - 1) * SEARCH_PER_PAGE,
            )
        except ArchiveError as problem:
            error = problem.message
        else:
            total = found.total
            files = {
                f.pk: f
                for f in archive_selectors.file_list(user=request.user).filter(
                    pk__in={hit.file_id for hit in found.hits}
                )
            }
            suffix = "?" + urlencode({"q": query})
            for hit in found.hits:
                archive_file = files.get(hit.file_id)
                if archive_file is None:  # stale index entry: never show what the user may not see
                    continue
                results.append(
                    {
                        "hit": hit,
                        "file": archive_file,
                        "url": reverse("page_viewer", args=[archive_file.file_code, hit.page_no]) + suffix,
                    }
                )
    page_count = max(1, math.ceil(total / SEARCH_PER_PAGE))
    context = {
        "form": form,
        "query": query,
        "results": results,
        "total": total,
        "error": error,
        "page_no": page_no,
        "page_count": page_count,
        "previous_url": _search_url(query, page_no - 1) if page_no > 1 else None,
        "next_url": _search_url(query, page_no + 1) if page_no < page_count else None,
        "offset": (page_no - 1) * SEARCH_PER_PAGE,
    }
    return render(request, "web/search.html", context)


def _search_url(query: str, page_no: int) -> str:
    return reverse("search") + "?" + urlencode({"q": query, "trang": page_no})


# -- pipeline ------------------------------------------------------------------------------------


@require_GET
def pipeline_status(request: HttpRequest) -> HttpResponse:
    visible_files = archive_selectors.file_list(user=request.user).values("pk")
    deliveries = (
        Delivery.objects.filter(file__in=visible_files)
        .select_related("file")
        .annotate(
            received=Count("pages", filter=Q(pages__stage=Page.Stage.RECEIVED)),
            processing=Count("pages", filter=Q(pages__stage=Page.Stage.PROCESSING)),
            done=Count("pages", filter=Q(pages__stage=Page.Stage.DONE)),
            failed=Count("pages", filter=Q(pages__stage=Page.Stage.FAILED)),
            rescan=Count("pages", filter=Q(pages__needs_rescan=True)),
        )
        .order_by("-created_at")[:50]
    )
    stage_counts = dict(
        Page.objects.filter(file__in=visible_files)
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    stages = [(label, stage_counts.get(value, 0), value) for value, label in Page.Stage.choices]
    return render(request, "web/pipeline.html", {"deliveries": deliveries, "stages": stages})
