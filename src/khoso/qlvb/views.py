"""The QLVB endpoint: thin DRF views over :mod:`khoso.qlvb.services` and :mod:`khoso.qlvb.selectors`.

``POST documents/`` takes one record or a batch, as JSON (files in base64) or as multipart (a
``metadata`` part with the JSON, the files as parts named by each file's ``Part``). The answer has one
result per record; the HTTP status sums them up: 201 when every record was created, 400 when every
record was refused, 200 otherwise (a mix, or records already archived).
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, permissions
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from khoso.api.base import ApiViewMixin
from khoso.api.pagination import Pagination
from khoso.api.serializers import ErrorSerializer
from khoso.api.views import LIST_ERRORS
from khoso.audit import context as audit_context
from khoso.core.text import nfc
from khoso.qlvb import selectors, services
from khoso.qlvb import serializers as s
from khoso.qlvb.models import IngestRecord
from khoso.qlvb.services import BatchError

PERMISSION = "qlvb.ingest"


class MayIngest(permissions.BasePermission):
    message = (
        "Tài khoản không có quyền gửi văn bản từ hệ thống QLVB (qlvb.ingest). / "
        "The account lacks the right to push QLVB records (qlvb.ingest)."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.has_perm(PERMISSION))


EXAMPLE = {
    "DocId": "000.00.00.H15-2024-VB-000123",
    "FileCode": "000.00.00.H15.2024.01.TH",
    "TypeName": "02",
    "CodeNumber": "15",
    "CodeNotation": "QĐ-UBND",
    "IssuedDate": "05/03/2024",
    "OrganName": "Ủy ban nhân dân tỉnh Đắk Lắk",
    "Subject": "Quyết định phê duyệt kế hoạch số hóa tài liệu lưu trữ năm 2024",
    "Language": "01",
    "Process": 1,
    "SignerInfo": {"Position": "Chủ tịch", "FullName": "Nguyễn Văn A"},
    "Files": [{"Name": "15-QD-UBND.pdf", "Sha256": "<sha256 hex>", "Content": "<base64>"}],
}


class IngestView(ApiViewMixin, APIView):
    permission_classes = [permissions.IsAuthenticated, MayIngest]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="qlvb_ingest",
        summary="Nhận văn bản điện tử từ hệ thống QLVB / push QLVB records (NĐ 30/2020 PL VI)",
        description=(
            'Một bản ghi, một danh sách hoặc {"records": [...]} (tối đa 100). Lũy đẳng theo mã định danh văn '
            "bản (DocId) và mã cơ quan: gửi lại đúng nội dung → «unchanged»; cùng mã, nội dung khác → từ chối "
            "(409 trong kết quả của bản ghi), vì tài liệu đã lưu không được sửa đổi. Mỗi bản ghi có kết quả "
            "riêng (created / unchanged / rejected) kèm mọi lỗi. Trạng thái HTTP: 201 khi mọi bản ghi được tạo, "
            "400 khi mọi bản ghi bị từ chối (hoặc lô không đọc được), 200 trong các trường hợp còn lại.\n\n"
            'One record, a list or {"records": [...]} (at most 100), idempotent by DocId + agency code. HTTP '
            "status: 201 if all created, 400 if all rejected (or the batch is unreadable), 200 otherwise."
        ),
        request={
            "application/json": s.BatchInSerializer,
            "multipart/form-data": s.MultipartInSerializer,
        },
        responses={
            201: OpenApiResponse(s.BatchResultSerializer, description="Mọi bản ghi đã được tạo / all created"),
            200: OpenApiResponse(
                s.BatchResultSerializer, description="Có bản ghi đã nhận trước đó hoặc bị từ chối / mixed or unchanged"
            ),
            400: OpenApiResponse(
                # anyOf, not oneOf: an error object and a batch result may both match a permissive reader's schema
                {"anyOf": [{"$ref": "#/components/schemas/BatchResult"}, {"$ref": "#/components/schemas/Error"}]},
                description="Mọi bản ghi bị từ chối (kết quả từng bản ghi), hoặc lô không đọc được (một lỗi) / "
                "all rejected (per-record results), or the batch is unreadable (one error)",
            ),
            401: ErrorSerializer,
            403: ErrorSerializer,
            415: ErrorSerializer,
            429: ErrorSerializer,
        },
        examples=[OpenApiExample("Một văn bản / one record", value={"records": [EXAMPLE]}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        try:
            payload, parts = _payload(request)
            records = services.records_of(payload)
        except BatchError as error:
            return Response(error.as_dict(), status=error.http_status)
        context = audit_context.current()
        batch = services.ingest_batch(
            user=request.user, records=records, parts=parts, request_id=context.request_id if context else ""
        )
        return Response(batch.as_dict(), status=batch.http_status)


def _payload(request: Request) -> tuple[Any, dict[str, Any]]:
    try:
        data = request.data
    except ParseError as error:
        raise BatchError(
            f"nội dung không phải JSON hợp lệ ({error.detail}).", f"the body is not valid JSON ({error.detail})."
        ) from error
    if request.content_type.startswith("multipart/"):
        text = data.get("metadata")
        if not text:
            raise BatchError(
                "yêu cầu multipart phải có phần «metadata» chứa JSON của bản ghi.",
                "a multipart request needs a 'metadata' part holding the records' JSON.",
            )
        try:
            payload = json.loads(nfc(str(text)))
        except ValueError as error:
            raise BatchError(
                f"phần «metadata» không phải JSON hợp lệ ({error}).",
                f"the 'metadata' part is not valid JSON ({error}).",
            ) from error
        return payload, dict(request.FILES.items())
    return data, {}


class IngestLogView(ApiViewMixin, generics.ListAPIView):
    """The ingest log: what the QLVB sent and what came of it, for staff of the fonds."""

    serializer_class = s.IngestRecordSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="qlvb_ingest_log",
        summary="Nhật ký nhận văn bản từ QLVB / the QLVB ingest log",
        parameters=[
            OpenApiParameter("DocId", OpenApiTypes.STR, description="Lọc theo mã định danh văn bản / by DocId"),
            OpenApiParameter(
                "result", OpenApiTypes.STR, enum=["created", "unchanged", "rejected"], description="Lọc theo kết quả"
            ),
        ],
        responses={200: s.IngestRecordSerializer(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        records = selectors.ingest_records_visible(self.request.user)
        doc_id = nfc(self.request.query_params.get("DocId", "")).strip()[:100]
        if doc_id:
            records = records.filter(external_id=doc_id)
        result = self.request.query_params.get("result", "")
        if result in IngestRecord.Result.values:
            records = records.filter(result=result)
        return records
