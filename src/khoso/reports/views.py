"""The director's dashboard and the report downloads under /bao-cao/.

Deny by default: anonymous visitors go to the login page (site middleware); a signed-in user without
``reports.view_dashboard`` gets 403 like the other staff pages; a user with it sees the figures of the
fonds granted to them only (administrators: all). Every route is a GET without object ids.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from khoso.reports import charts, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request: HttpRequest) -> None:
    if not selectors.can_view(request.user):
        raise PermissionDenied("Bạn không có quyền xem báo cáo số hóa / you may not view the reports.")


def _year(request: HttpRequest) -> int | None:
    text = request.GET.get("nam", "").strip()
    if not text:
        return timezone.localdate().year
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2100 else None


def _download(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _bad_year() -> HttpResponse:
    return HttpResponseBadRequest(
        "Năm báo cáo phải là số có bốn chữ số từ 1900 đến 2100 / the report year must be 1900–2100.".encode()
    )


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request)
    board = selectors.director_dashboard(user=request.user)
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": board,
            "year": board.generated_on.year,
            "throughput_chart": charts.throughput_chart(board.throughput),
            "targets_chart": charts.targets_chart(
                board.fonds,
                digitized_target=selectors.TARGET_DIGITIZED,
                described_target=selectors.TARGET_DESCRIBED,
            ),
        },
    )


@require_GET
def annual_xlsx(request: HttpRequest) -> HttpResponse:
    from khoso.reports import documents

    _require(request)
    year = _year(request)
    if year is None:
        return _bad_year()
    report = selectors.annual_report(year=year, user=request.user)
    return _download(documents.annual_xlsx(report), XLSX, f"bao-cao-so-hoa-{year}.xlsx")


@require_GET
def annual_pdf(request: HttpRequest) -> HttpResponse:
    from khoso.reports import documents

    _require(request)
    year = _year(request)
    if year is None:
        return _bad_year()
    report = selectors.annual_report(year=year, user=request.user)
    return _download(documents.annual_pdf(report), "application/pdf", f"bao-cao-so-hoa-{year}.pdf")


@require_GET
def fonds_xlsx(request: HttpRequest) -> HttpResponse:
    from khoso.reports import documents

    _require(request)
    statistics = selectors.fonds_statistics(user=request.user)
    return _download(documents.fonds_xlsx(statistics), XLSX, "thong-ke-phong.xlsx")


@require_GET
def fonds_pdf(request: HttpRequest) -> HttpResponse:
    from khoso.reports import documents

    _require(request)
    statistics = selectors.fonds_statistics(user=request.user)
    return _download(documents.fonds_pdf(statistics), "application/pdf", "thong-ke-phong.pdf")
