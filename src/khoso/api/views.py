"""The REST API's views: thin wrappers over selectors (always with ``request.user``) and services.

Deny by default as in the web UI: ``IsAuthenticated`` (anonymous → 401 with ``WWW-Authenticate``),
querysets narrowed by :mod:`khoso.api.selectors`, so an object the user may not see is the same 404
as one that does not exist. Actions go through the services the web uses (``workflow.services.
transition``, ``readers.services.request_submit`` / ``request_decide``), which check roles again.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from khoso.access.selectors import portal_scope
from khoso.api import selectors
from khoso.api import serializers as s
from khoso.api.base import ApiViewMixin, NotFound
from khoso.api.pagination import MAX_PAGE_SIZE, Pagination
from khoso.archive import selectors as archive_selectors
from khoso.core.text import nfc
from khoso.readers import selectors as reader_selectors
from khoso.readers import services as reader_services
from khoso.workflow import selectors as workflow_selectors
from khoso.workflow import services as workflow_services

ERRORS = {
    400: s.ErrorSerializer,
    401: s.ErrorSerializer,
    403: s.ErrorSerializer,
    404: s.ErrorSerializer,
    429: s.ErrorSerializer,
}
READ_ERRORS = {code: ERRORS[code] for code in (401, 404, 429)}
LIST_ERRORS = {code: ERRORS[code] for code in (400, 401, 404, 429)}  # 400: a filter or page number out of range


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError as error:
        raise ValidationError({name: f"«{name}» phải là số nguyên. / {name} must be an integer."}) from error
    if not 0 <= value <= 2**31 - 1:
        raise ValidationError({name: f"«{name}» ngoài khoảng cho phép. / {name} out of range."})
    return value


def _text_param(request: Request, name: str, max_length: int = 200) -> str:
    value = nfc(request.query_params.get(name, "")).strip()
    if len(value) > max_length or "\x00" in value:
        raise ValidationError({name: f"«{name}» tối đa {max_length} ký tự. / {name}: at most {max_length} characters."})
    return value


FONDS_PARAM = OpenApiParameter("fonds", OpenApiTypes.INT, description="Lọc theo phông (id) / filter by fonds id")
FILE_PARAM = OpenApiParameter("fileCode", OpenApiTypes.STR, description="Lọc theo mã hồ sơ / filter by fileCode")


class ReadOnlyViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = Pagination
    filter_params: tuple[str, ...] = ()

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except Exception as error:  # Http404 or a malformed key: both are "not found"
            raise NotFound() from error

    def narrow(self, queryset: QuerySet) -> QuerySet:
        """Filters named in the query string (each also checked in the schema)."""
        if "fonds" in self.filter_params:
            fonds_id = _int_param(self.request, "fonds")
            if fonds_id is not None:
                queryset = queryset.filter(**{self.fonds_lookup: fonds_id})
        if "fileCode" in self.filter_params:
            file_code = _text_param(self.request, "fileCode", 100)
            if file_code:
                queryset = queryset.filter(file__file_code=file_code)
        return queryset

    fonds_lookup = "fonds_id"


@extend_schema_view(
    list=extend_schema(summary="Phông / fonds the user may see", responses={200: s.FondsSerializer, **LIST_ERRORS}),
    retrieve=extend_schema(summary="Một phông / one fonds", responses={200: s.FondsSerializer, **READ_ERRORS}),
)
class FondsViewSet(ReadOnlyViewSet):
    serializer_class = s.FondsSerializer

    def get_queryset(self) -> QuerySet:
        return archive_selectors.fonds_list(user=self.request.user).select_related("institution").order_by("code", "pk")


@extend_schema_view(
    list=extend_schema(parameters=[FONDS_PARAM], responses={200: s.InventorySerializer, **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: s.InventorySerializer, **READ_ERRORS}),
)
class InventoryViewSet(ReadOnlyViewSet):
    serializer_class = s.InventorySerializer
    filter_params = ("fonds",)

    def get_queryset(self) -> QuerySet:
        return self.narrow(selectors.inventories_visible(self.request.user))


@extend_schema_view(
    list=extend_schema(parameters=[FONDS_PARAM], responses={200: s.BoxSerializer, **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: s.BoxSerializer, **READ_ERRORS}),
)
class BoxViewSet(ReadOnlyViewSet):
    serializer_class = s.BoxSerializer
    filter_params = ("fonds",)

    def get_queryset(self) -> QuerySet:
        return self.narrow(selectors.boxes_visible(self.request.user))


FILE_FILTERS = [
    FONDS_PARAM,
    OpenApiParameter("inventory", OpenApiTypes.INT, description="Lọc theo mục lục (id) / by inventory id"),
    OpenApiParameter("box", OpenApiTypes.INT, description="Lọc theo hộp (id) / by box id"),
]


@extend_schema_view(
    list=extend_schema(parameters=FILE_FILTERS, responses={200: s.ArchiveFileSerializer, **LIST_ERRORS}),
    retrieve=extend_schema(
        summary="Một hồ sơ theo mã hồ sơ / one file by fileCode",
        responses={200: s.ArchiveFileSerializer, **READ_ERRORS},
    ),
)
class ArchiveFileViewSet(ReadOnlyViewSet):
    serializer_class = s.ArchiveFileSerializer
    lookup_field = "file_code"
    lookup_url_kwarg = "file_code"
    lookup_value_regex = "[^/]+"
    filter_params = ("fonds",)

    def get_queryset(self) -> QuerySet:
        files = self.narrow(selectors.files_visible(self.request.user))
        for name in ("inventory", "box"):
            value = _int_param(self.request, name)
            if value is not None:
                files = files.filter(**{f"{name}_id": value})
        return files


@extend_schema_view(
    list=extend_schema(parameters=[FILE_PARAM], responses={200: s.DocumentSerializer, **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: s.DocumentSerializer, **READ_ERRORS}),
)
class DocumentViewSet(ReadOnlyViewSet):
    serializer_class = s.DocumentSerializer
    filter_params = ("fileCode",)

    def get_queryset(self) -> QuerySet:
        return self.narrow(selectors.documents_visible(self.request.user))


@extend_schema_view(
    list=extend_schema(parameters=[FILE_PARAM], responses={200: s.PageSerializer, **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: s.PageSerializer, **READ_ERRORS}),
)
class PageViewSet(ReadOnlyViewSet):
    serializer_class = s.PageSerializer
    filter_params = ("fileCode",)

    def get_queryset(self) -> QuerySet:
        return self.narrow(selectors.pages_visible(self.request.user))


# -- search ---------------------------------------------------------------------------------------------


def _paging(request: Request) -> tuple[int, int]:
    page = _int_param(request, "page") or 1
    size = min(_int_param(request, "pageSize") or 20, MAX_PAGE_SIZE)
    return max(page, 1), max(size, 1)


SEARCH_PARAMS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Từ khóa, có dấu hoặc không dấu / query", required=True),
    OpenApiParameter("page", OpenApiTypes.INT),
    OpenApiParameter("pageSize", OpenApiTypes.INT),
]
MAX_SEARCH_OFFSET = 10_000


class PageSearchView(ApiViewMixin, APIView):
    """Staff full-text search of pages (the web's ``/tim-kiem/``): granted fonds and allowed modes only."""

    @extend_schema(
        operation_id="search_pages",
        parameters=SEARCH_PARAMS,
        responses={200: s.PageSearchSerializer, **{c: ERRORS[c] for c in (400, 401, 429)}},
    )
    def get(self, request: Request) -> Response:
        from khoso.search.selectors import search_pages

        query = _text_param(request, "q")
        if not query:
            raise ValidationError({"q": "Cần từ khóa tìm kiếm. / A query is required."})
        page, size = _paging(request)
        offset = (page - 1) * size
        if offset > MAX_SEARCH_OFFSET:
            raise ValidationError({"page": "Trang quá xa: hãy thu hẹp từ khóa. / Page too far: narrow the query."})
        found = search_pages(user=request.user, query=query, limit=size, offset=offset)
        files = {
            f.pk: f for f in selectors.files_visible(request.user).filter(pk__in={hit.file_id for hit in found.hits})
        }
        rows = [{"hit": hit, "file": files[hit.file_id]} for hit in found.hits if hit.file_id in files]
        payload = {"total": found.total, "page": page, "page_size": size, "results": rows}
        return Response(s.PageSearchSerializer(payload).data)


class CatalogueSearchView(ApiViewMixin, APIView):
    """The public catalogue (the portal's ``/tra-cuu/``) with the user's portal scope: 01 entries, 02 entries
    for approved readers, never 03, restricted or deleted material."""

    @extend_schema(
        operation_id="search_catalogue",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Từ khóa / query"),
            OpenApiParameter("fonds", OpenApiTypes.INT),
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter(
                "sort", OpenApiTypes.STR, enum=["relevance", "title", "year_asc", "year_desc"], required=False
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("pageSize", OpenApiTypes.INT),
        ],
        responses={200: s.CatalogueSearchSerializer, **{c: ERRORS[c] for c in (400, 401, 429)}},
    )
    def get(self, request: Request) -> Response:
        from khoso.search.engine import SORTS
        from khoso.search.selectors import CatalogueQuery, catalogue_search

        sort = _text_param(request, "sort", 20) or "relevance"
        if sort not in SORTS:
            raise ValidationError({"sort": f"sort phải là một trong / must be one of: {', '.join(SORTS)}"})
        fonds_id, year = _int_param(request, "fonds"), _int_param(request, "year")
        query = CatalogueQuery(
            text=_text_param(request, "q"),
            fonds_ids=frozenset({fonds_id} if fonds_id is not None else set()),
            years=frozenset({year} if year is not None else set()),
            sort=sort,
        )
        page, size = _paging(request)
        offset = (page - 1) * size
        if offset > MAX_SEARCH_OFFSET:
            raise ValidationError({"page": "Trang quá xa: hãy thu hẹp từ khóa. / Page too far: narrow the query."})
        result = catalogue_search(scope=portal_scope(request.user), query=query, limit=size, offset=offset)
        payload = {"total": result.total, "page": page, "page_size": size, "hits": result.hits, "facets": result.facets}
        return Response(s.CatalogueSearchSerializer(payload).data)


# -- workflow tasks ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Hàng đợi việc của tôi / my task queue", responses={200: s.TaskSerializer, **LIST_ERRORS}
    ),
    retrieve=extend_schema(responses={200: s.TaskSerializer, **READ_ERRORS}),
)
class TaskViewSet(ReadOnlyViewSet):
    serializer_class = s.TaskSerializer

    def get_queryset(self) -> QuerySet:
        return workflow_selectors.queue(user=self.request.user)

    @extend_schema(
        summary="Chuyển bước (workflow.services.transition) / move the file to its next step",
        request=s.TransitionSerializer,
        responses={200: s.TaskSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        form = s.TransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        target = form.validated_data["target"]
        from khoso.workflow.states import State

        if target not in State.values:
            raise ValidationError({"target": f"Bước «{target}» không có trong quy trình. / Unknown state."})
        moved = workflow_services.transition(
            item=item, target=target, actor=request.user, note=nfc(form.validated_data["note"])
        )
        return Response(s.TaskSerializer(moved).data)


# -- reader requests --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Yêu cầu khai thác: của tôi, và (cán bộ) của các phông tôi quản lý / reader requests",
        responses={200: s.ReaderRequestSerializer, **LIST_ERRORS},
    ),
    retrieve=extend_schema(responses={200: s.ReaderRequestSerializer, **READ_ERRORS}),
)
class ReaderRequestViewSet(ApiViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ReaderRequestSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet:
        return selectors.reader_requests_visible(self.request.user)

    def get_object(self) -> Any:
        try:
            return super().get_object()
        except Exception as error:
            raise NotFound() from error

    @extend_schema(
        summary="Độc giả đã được duyệt gửi yêu cầu / an approved reader asks for material",
        request=s.ReaderRequestCreateSerializer,
        responses={201: s.ReaderRequestSerializer, **ERRORS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = s.ReaderRequestCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        archive_file, document = reader_selectors.requestable(  # 404 first: what the catalogue hides
            user=request.user, file_id=data["file"], document_id=data["document"]
        )
        reader = reader_selectors.reader_of(request.user)
        if reader is None:
            raise PermissionDenied(
                "Chỉ độc giả đã đăng ký mới gửi được yêu cầu khai thác. / Only registered readers may ask."
            )
        item = reader_services.request_submit(
            reader=reader,
            archive_file=archive_file,
            document=document,
            kind=data["kind"],
            purpose=data["purpose"],
            purpose_content=data["purpose_content"],
            fee_object_type=data["fee_object_type"],
            research_topic=data["research_topic"],
            copies=data["copies"],
            description=data["description"],
        )
        return Response(s.ReaderRequestSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Duyệt hoặc từ chối (cán bộ có quyền) / approve or reject (staff with the right)",
        request=s.DecisionSerializer,
        responses={200: s.ReaderRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        if (
            not selectors.may_decide_requests(request.user)
            or not selectors.files_visible(request.user).filter(pk=item.file_id).exists()
        ):
            raise PermissionDenied("Bạn không có quyền duyệt yêu cầu này. / You may not decide this request.")
        form = s.DecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        decided = reader_services.request_decide(
            item=item, by=request.user, approve=form.validated_data["approve"], reason=form.validated_data["reason"]
        )
        return Response(s.ReaderRequestSerializer(decided).data)


# -- the schema ---------------------------------------------------------------------------------------------


class SchemaView(ApiViewMixin, SpectacularAPIView):
    """The OpenAPI 3 schema, for signed-in users and tokens only (like every other route of the API)."""

    permission_classes = [permissions.IsAuthenticated]


# -- reports (khoso.reports.selectors: aggregates over the fonds granted to the user) --------------------------


class ReportView(ApiViewMixin, APIView):
    """Base of the report endpoints: ``reports.view_dashboard`` or 403, as on the web's report pages."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        from khoso.reports.selectors import can_view

        if not can_view(request.user):
            raise PermissionDenied("Bạn không có quyền xem báo cáo số hóa. / You may not view the reports.")


REPORT_ERRORS = {c: ERRORS[c] for c in (401, 403, 429)}


class FondsStatisticsView(ReportView):
    @extend_schema(
        operation_id="report_fonds_statistics",
        summary="Thống kê phông / fonds statistics",
        responses={200: s.FondsStatisticsSerializer, **REPORT_ERRORS},
    )
    def get(self, request: Request) -> Response:
        from khoso.reports.selectors import fonds_statistics

        return Response(s.FondsStatisticsSerializer(fonds_statistics(user=request.user)).data)


class DashboardView(ReportView):
    @extend_schema(
        operation_id="report_dashboard",
        summary="Bảng điều khiển của giám đốc / the director's dashboard",
        parameters=[OpenApiParameter("days", OpenApiTypes.INT, description="Số ngày sản lượng (1–90) / days")],
        responses={200: s.DashboardSerializer, **{c: ERRORS[c] for c in (400, 401, 403, 429)}},
    )
    def get(self, request: Request) -> Response:
        from khoso.reports.selectors import director_dashboard

        days = _int_param(request, "days") or 30
        if not 1 <= days <= 90:
            raise ValidationError({"days": "«days» từ 1 đến 90. / days must be 1–90."})
        return Response(s.DashboardSerializer(director_dashboard(user=request.user, days=days)).data)


class AnnualReportView(ReportView):
    @extend_schema(
        operation_id="report_annual",
        summary="Báo cáo năm gửi Bộ và tỉnh / the annual report",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=True, description="Năm báo cáo / year")],
        responses={200: s.AnnualReportSerializer, **{c: ERRORS[c] for c in (400, 401, 403, 429)}},
    )
    def get(self, request: Request) -> Response:
        from khoso.reports.selectors import annual_report

        year = _int_param(request, "year")
        if year is None or not 1900 <= year <= 2200:
            raise ValidationError({"year": "Cần năm báo cáo (1900–2200). / A report year (1900–2200) is required."})
        return Response(s.AnnualReportSerializer(annual_report(year=year, user=request.user)).data)
