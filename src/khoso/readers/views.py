"""Web views of the readers app: thin shells over selectors and services.

Deny by default. Registration is the only public page. A reader opens only their own deliveries
(anyone else: 404, the same answer as a token that does not exist); an expired delivery answers
410 with the date it expired. Staff pages need the model permission (403 otherwise), and a
request on a fonds the staff member does not see is 404. A reading copy is served page by page
as a watermarked image, inline, never cached, with no route that would return the PDF.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from khoso.core.errors import ArchiveError, NotFoundError
from khoso.readers import copies, selectors, services
from khoso.readers.fees import vnd
from khoso.readers.forms import DecisionForm, RegistrationForm, RequestForm
from khoso.readers.models import Delivery, Reader, ReaderRequest, UsageEvent
from khoso.readers.payments import payment_provider
from khoso.storage.services import object_store
from khoso.web.actions import run_service

NOT_FOUND = "Không tìm thấy trang này."
READ_KINDS = {ReaderRequest.Kind.READ.value}
COPY_KINDS = {ReaderRequest.Kind.COPY.value, ReaderRequest.Kind.CERTIFIED.value}


def _int_or_404(value: str | None) -> int:
    if value is None or not value.isdigit() or len(value) > 12:
        raise Http404(NOT_FOUND)
    return int(value)


def _require_perm(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này.")


def _delivery_or_404(request: HttpRequest, token: str, kinds: set[str]) -> Delivery:
    try:
        return selectors.delivery_get(user=request.user, token=token, kinds=kinds)
    except NotFoundError as error:
        raise Http404(NOT_FOUND) from error


def _gone(request: HttpRequest, delivery: Delivery) -> HttpResponse:
    return render(request, "readers/gone.html", {"delivery": delivery}, status=410)


def _private[R: HttpResponseBase](response: R) -> R:
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- reader side -----------------------------------------------------------------------------------


@require_GET
def reader_home(request: HttpRequest) -> HttpResponse:
    reader = selectors.reader_of(request.user)
    requests = list(selectors.my_requests(reader=reader)) if reader else []
    return render(
        request,
        "readers/home.html",
        {"reader": reader, "requests": requests, "now": timezone.now(), "Status": ReaderRequest.Status},
    )


@login_not_required
def reader_register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("reader_home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reader = services.reader_register(
                username=data["username"],
                password=data["password1"],
                full_name=data["full_name"],
                citizen_id=data["citizen_id"],
                email=data["email"],
                phone=data["phone"],
                address=data["address"],
                organisation=data["organisation"],
                birth_date=data["birth_date"],
            )
        except ArchiveError as error:
            form.add_error(None, error.message)
        else:
            login(request, reader.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, "Đã nhận đăng ký. Tài khoản sẽ được xem xét trong 01 ngày làm việc; kết quả gửi qua thư."
            )
            return redirect("reader_home")
    return render(request, "readers/register.html", {"form": form})


def reader_request_create(request: HttpRequest) -> HttpResponse:
    file_id = _int_or_404(request.GET.get("ho_so"))
    raw_document = request.GET.get("tai_lieu")
    document_id = _int_or_404(raw_document) if raw_document else None
    try:
        archive_file, document = selectors.requestable(user=request.user, file_id=file_id, document_id=document_id)
    except NotFoundError as error:
        raise Http404(NOT_FOUND) from error
    reader = selectors.reader_of(request.user)
    if reader is None or reader.status != Reader.Status.APPROVED:
        return render(request, "readers/not_approved.html", {"reader": reader}, status=403)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.request_submit(
                reader=reader, archive_file=archive_file, document=document, **form.cleaned_data
            )
        except ArchiveError as error:
            form.add_error(None, error.message)
        else:
            fee = f" Phí: {vnd(item.fee_vnd)} ({item.fee_basis})." if item.fee_vnd else " Không thu phí."
            messages.success(
                request,
                f"Đã gửi yêu cầu {item.code}. Hạn trả lời: {item.due_date:%d/%m/%Y} (06 ngày làm việc).{fee}",
            )
            return redirect("reader_home")
    digitized = selectors.is_digitized(archive_file=archive_file, document=document)
    return render(
        request,
        "readers/request_form.html",
        {
            "form": form,
            "archive_file": archive_file,
            "document": document,
            "digitized": digitized,
            "fees": selectors.fee_table(archive_file=archive_file, document=document),
            "reductions": selectors.fee_reductions(),
        },
    )


@require_GET
def reader_read(request: HttpRequest, token: str) -> HttpResponse:
    delivery = _delivery_or_404(request, token, READ_KINDS)
    if not selectors.delivery_open(delivery):
        return _gone(request, delivery)
    item = delivery.request
    numbers = [page.number for page in selectors.request_pages(archive_file=item.file, document=item.document)]
    if not numbers:
        raise Http404(NOT_FOUND)
    raw = request.GET.get("trang")
    number = int(raw) if raw and raw.isdigit() and int(raw) in numbers else numbers[0]
    index = numbers.index(number)
    response = render(
        request,
        "readers/read.html",
        {
            "delivery": delivery,
            "item": item,
            "number": number,
            "position": index + 1,
            "total": len(numbers),
            "previous": numbers[index - 1] if index > 0 else None,
            "next": numbers[index + 1] if index + 1 < len(numbers) else None,
        },
    )
    return _private(response)


@require_GET
def reader_read_page(request: HttpRequest, token: str, number: int) -> HttpResponse:
    delivery = _delivery_or_404(request, token, READ_KINDS)
    if not selectors.delivery_open(delivery):
        return _gone(request, delivery)
    item = delivery.request
    pages = selectors.request_pages(archive_file=item.file, document=item.document, number=number)
    if not pages:
        raise Http404(NOT_FOUND)
    try:
        data = copies.reading_page_jpeg(pages[0])
    except (OSError, ValueError) as error:
        raise Http404("Không hiển thị được ảnh trang này.") from error
    services.usage_record(
        request=request,
        action=UsageEvent.Action.READ_COPY,
        file=item.file,
        document=item.document,
        page_number=number,
        delivery=delivery,
        surface="reader",
    )
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="trang-{number}.jpg"'
    return _private(response)


@require_GET
def reader_download(request: HttpRequest, token: str) -> HttpResponseBase:
    delivery = _delivery_or_404(request, token, COPY_KINDS)
    if not selectors.delivery_open(delivery) or not delivery.content_id:
        return _gone(request, delivery)
    item = delivery.request
    try:
        handle = object_store().open(delivery.content_id)
    except FileNotFoundError:
        return _gone(request, delivery)
    services.usage_record(
        request=request,
        action=UsageEvent.Action.DOWNLOAD,
        file=item.file,
        document=item.document,
        delivery=delivery,
        surface="reader",
    )
    suffix = "ban-sao-xac-thuc" if delivery.kind == ReaderRequest.Kind.CERTIFIED else "ban-sao"
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=f"{item.code}-{suffix}.pdf"
    )
    return _private(response)


# -- staff side ------------------------------------------------------------------------------------


@require_GET
def reader_accounts(request: HttpRequest) -> HttpResponse:
    _require_perm(request, "readers.change_reader")
    return render(
        request,
        "readers/accounts.html",
        {"pending": selectors.account_list(pending=True), "decided": selectors.account_list(pending=False, limit=50)},
    )


@require_POST
def reader_account_decide(request: HttpRequest, reader_id: int) -> HttpResponse:
    _require_perm(request, "readers.change_reader")
    try:
        reader = selectors.account_get(reader_id=reader_id)
    except NotFoundError as error:
        raise Http404(NOT_FOUND) from error
    decision = request.POST.get("decision")
    if decision not in {"approve", "reject"}:
        messages.error(request, "Chưa chọn duyệt hay từ chối.")
    else:
        approve = decision == "approve"
        run_service(
            request,
            lambda: services.reader_decide(
                reader=reader, by=request.user, approve=approve, reason=request.POST.get("reason", "")
            ),
            f"Đã {'duyệt' if approve else 'từ chối'} tài khoản của {reader.full_name}.",
        )
    return redirect("reader_accounts")


@require_GET
def reader_requests(request: HttpRequest) -> HttpResponse:
    _require_perm(request, "readers.change_readerrequest")
    everything = request.GET.get("tat_ca") == "1"
    return render(
        request,
        "readers/queue.html",
        {"rows": selectors.request_queue(user=request.user, everything=everything), "everything": everything},
    )


def reader_request_review(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        item = selectors.request_for_staff(user=request.user, request_id=request_id)
    except NotFoundError as error:
        raise Http404(NOT_FOUND) from error
    _require_perm(request, "readers.change_readerrequest")
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision == "paid":
            run_service(
                request,
                lambda: services.payment_confirm(
                    item=item, by=request.user, reference=request.POST.get("reference", "")
                ),
                lambda paid: f"Đã ghi nhận thu phí, biên lai số {paid.receipt_number}.",
            )
            return redirect("reader_request_review", request_id=item.pk)
        if decision == "deliver":
            run_service(
                request,
                lambda: services.request_deliver(item=item, by=request.user),
                "Đang tạo bản giao; độc giả sẽ nhận thư khi bản giao sẵn sàng.",
            )
            return redirect("reader_request_review", request_id=item.pk)
        if decision in {"approve", "reject"} and form.is_valid():
            approve = decision == "approve"
            done = run_service(
                request,
                lambda: services.request_decide(
                    item=item, by=request.user, approve=approve, reason=form.cleaned_data["reason"]
                ),
                f"Đã {'chấp thuận' if approve else 'từ chối'} yêu cầu {item.code}.",
            )
            if done:
                return redirect("reader_request_review", request_id=item.pk)
        elif decision not in {"approve", "reject"}:
            messages.error(request, "Chưa chọn chấp thuận hay từ chối.")
    today = timezone.localdate()
    return render(
        request,
        "readers/review.html",
        {
            "item": item,
            "form": form,
            "pages": len(selectors.request_pages(archive_file=item.file, document=item.document)),
            "overdue": item.status == ReaderRequest.Status.SUBMITTED and item.due_date < today,
            "deliveries": list(item.deliveries.all()),
            "Status": ReaderRequest.Status,
            "fee": vnd(item.fee_vnd),
            "staff_confirms_payment": payment_provider().staff_confirms(),
        },
    )


@require_GET
def reader_receipt(request: HttpRequest, request_id: int) -> HttpResponse:
    """The fee receipt as PDF: the reader's own request, or staff of the file's fonds; anyone else 404."""
    from khoso.readers import documents

    try:
        item = selectors.receipt_request(user=request.user, request_id=request_id)
    except NotFoundError as error:
        raise Http404(NOT_FOUND) from error
    response = HttpResponse(documents.receipt_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="bien-lai-{item.receipt_number}.pdf"'
    return _private(response)


@require_GET
def reader_usage(request: HttpRequest) -> HttpResponse:
    if not selectors.may_see_usage(request.user):
        raise PermissionDenied("Bạn không được giao phông nào.")
    fonds_list = list(selectors.usage_fonds(user=request.user))
    raw = request.GET.get("phong")
    fonds_id = int(raw) if raw and raw.isdigit() and any(f.pk == int(raw) for f in fonds_list) else None
    return render(
        request,
        "readers/usage.html",
        {
            "fonds_list": fonds_list,
            "fonds_id": fonds_id,
            "files": selectors.usage_stats(user=request.user, fonds_id=fonds_id),
            "documents": selectors.usage_stats_documents(user=request.user, fonds_id=fonds_id),
        },
    )
