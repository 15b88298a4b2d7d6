"""JSON shapes of the API. Field names are TT 05's camelCase element names where TT 05 has one
(``fileCode``, ``fileCatalog``, ``docCode``, ``typeName``…): the models keep them in snake_case, so
:class:`Tt05Serializer` renames every model field back; other fields follow the same convention.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from khoso.archive.models import (
    DOCUMENT_DESCRIPTION_FIELDS,
    FILE_DESCRIPTION_FIELDS,
    FONDS_DESCRIPTION_FIELDS,
    ArchiveFile,
    Box,
    Document,
    Fonds,
    Inventory,
    Page,
)
from khoso.readers.models import ReaderRequest
from khoso.workflow.models import ProjectFile


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class CamelCaseFields:
    """Field names camelCase (TT 05 EAD) in JSON, read from snake_case attributes."""

    def get_fields(self) -> dict[str, serializers.Field]:
        renamed: dict[str, serializers.Field] = {}
        for name, field in super().get_fields().items():  # type: ignore[misc]
            json_name = camel(name)
            if json_name != name and field.source is None:
                field.source = name
            renamed[json_name] = field
        return renamed


class Tt05Serializer(CamelCaseFields, serializers.ModelSerializer):
    pass


class CamelSerializer(CamelCaseFields, serializers.Serializer):
    pass


class FondsSerializer(Tt05Serializer):
    institution_code = serializers.CharField(source="institution.code", read_only=True)

    class Meta:
        model = Fonds
        fields = [
            "id",
            "institution_code",
            "code",
            "name",
            *FONDS_DESCRIPTION_FIELDS,
        ]
        read_only_fields = fields


class InventorySerializer(Tt05Serializer):
    class Meta:
        model = Inventory
        fields = ["id", "fonds", "number", "title"]
        read_only_fields = fields


class BoxSerializer(Tt05Serializer):
    class Meta:
        model = Box
        fields = ["id", "fonds", "stack", "shelf", "tier", "number"]
        read_only_fields = fields


class ArchiveFileSerializer(Tt05Serializer):
    source = serializers.ChoiceField(choices=ArchiveFile.Source.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ArchiveFile
        fields = [
            "id",
            "fonds",
            "inventory",
            "box",
            "kind",
            "file_code",
            "organ_id",
            "file_catalog",
            "file_notation",
            *FILE_DESCRIPTION_FIELDS,
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DocumentSerializer(Tt05Serializer):
    file_code = serializers.CharField(source="file.file_code", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "file",
            "file_code",
            "ordinal",
            "doc_id",
            "doc_code",
            *DOCUMENT_DESCRIPTION_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PageSerializer(Tt05Serializer):
    """A page's metadata; its image, PDF and thumbnail are served by the web routes, which check the same
    rights again (``contentUrl`` and friends)."""

    file_code = serializers.CharField(source="file.file_code", read_only=True)
    content_url = serializers.SerializerMethodField(method_name="get_content_url")
    pdf_url = serializers.SerializerMethodField(method_name="get_pdf_url")
    thumbnail_url = serializers.SerializerMethodField(method_name="get_thumbnail_url")

    class Meta:
        model = Page
        fields = [
            "id",
            "file",
            "file_code",
            "document",
            "number",
            "original_name",
            "width",
            "height",
            "dpi",
            "stage",
            "qc_passed",
            "needs_rescan",
            "processed_at",
            "content_url",
            "pdf_url",
            "thumbnail_url",
        ]
        read_only_fields = fields

    def _web(self, route: str, page: Page) -> str:
        return reverse(route, kwargs={"file_code": page.file.file_code, "number": page.number})

    @extend_schema_field(OpenApiTypes.STR)
    def get_content_url(self, page: Page) -> str:
        return self._web("page_image", page)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_pdf_url(self, page: Page) -> str | None:
        return self._web("page_pdf", page) if page.rendition_id else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_thumbnail_url(self, page: Page) -> str | None:
        return self._web("page_thumbnail", page) if page.thumbnail_id else None


# -- search ------------------------------------------------------------------------------------------


class PageHitSerializer(CamelSerializer):
    page_id = serializers.IntegerField(source="hit.page_id")
    file_id = serializers.IntegerField(source="hit.file_id")
    fonds_id = serializers.IntegerField(source="hit.fonds_id")
    file_code = serializers.CharField(source="file.file_code")
    title = serializers.CharField(source="file.title")
    page_no = serializers.IntegerField(source="hit.page_no")
    score = serializers.FloatField(source="hit.score")
    snippet_html = serializers.CharField(source="hit.snippet_html")


class PageSearchSerializer(CamelSerializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = PageHitSerializer(many=True)


class CatalogueHitSerializer(CamelSerializer):
    kind = serializers.CharField()
    file_id = serializers.IntegerField()
    document_id = serializers.IntegerField(allow_null=True)
    page_id = serializers.IntegerField(allow_null=True)
    page_no = serializers.IntegerField(allow_null=True)
    fonds_id = serializers.IntegerField()
    file_code = serializers.CharField()
    doc_code = serializers.CharField()
    title = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    type_name = serializers.CharField()
    language = serializers.CharField()
    mode = serializers.CharField()
    snippet_html = serializers.CharField()
    score = serializers.FloatField()


class FacetValueSerializer(CamelSerializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class CatalogueSearchSerializer(CamelSerializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = CatalogueHitSerializer(many=True, source="hits")
    facets = serializers.DictField(child=FacetValueSerializer(many=True))


# -- workflow -----------------------------------------------------------------------------------------


class TaskSerializer(Tt05Serializer):
    file_code = serializers.CharField(source="file.file_code", read_only=True)
    title = serializers.CharField(source="file.title", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    assignee = serializers.CharField(source="assignee.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ProjectFile
        fields = [
            "id",
            "project",
            "project_name",
            "file",
            "file_code",
            "title",
            "state",
            "state_label",
            "assignee",
            "state_changed_at",
        ]
        read_only_fields = fields


class TransitionSerializer(serializers.Serializer):
    target = serializers.CharField(max_length=24, help_text="Bước đích / target state (workflow.states.State)")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# -- readers --------------------------------------------------------------------------------------------


class ReaderRequestSerializer(Tt05Serializer):
    request_id = serializers.CharField(source="code", read_only=True)  # TT 05 DIP requestID
    file_code = serializers.CharField(source="file.file_code", read_only=True)
    doc_code = serializers.CharField(source="document.doc_code", read_only=True, allow_null=True, default=None)
    reader_name = serializers.CharField(source="reader.full_name", read_only=True)

    class Meta:
        model = ReaderRequest
        fields = [
            "id",
            "request_id",
            "reader_name",
            "kind",
            "file",
            "file_code",
            "document",
            "doc_code",
            "purpose",
            "purpose_content",
            "fee_object_type",
            "research_topic",
            "copies",
            "description",
            "status",
            "submitted_at",
            "due_date",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class ReaderRequestCreateSerializer(CamelSerializer):
    file = serializers.IntegerField(min_value=1, help_text="id của hồ sơ / file id")
    document = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=ReaderRequest.Kind.choices)
    purpose = serializers.CharField(max_length=2)
    purpose_content = serializers.CharField(max_length=500)
    fee_object_type = serializers.CharField(max_length=2)
    research_topic = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")
    copies = serializers.IntegerField(min_value=1, max_value=99, required=False, default=1)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(required=False)
    message = serializers.CharField(required=False)
    message_en = serializers.CharField(required=False)
    detail = serializers.JSONField(required=False)


def data_of(serializer_class: type[serializers.Serializer], instance: Any, **kwargs: Any) -> Any:
    return serializer_class(instance, **kwargs).data


# -- reports (the dataclasses of khoso.reports.selectors, properties included) ---------------------------------


def _metres() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class FondsFiguresSerializer(CamelSerializer):
    fonds_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    metres = _metres()
    pages_estimated = serializers.IntegerField()
    pages_counted = serializers.IntegerField()
    pages_withheld = serializers.IntegerField()
    pages_digitized = serializers.IntegerField()
    pages_digitized_open = serializers.IntegerField()
    pages_base = serializers.IntegerField()
    pages_open = serializers.IntegerField()
    pages_described_open = serializers.IntegerField()
    files = serializers.IntegerField()
    files_withheld = serializers.IntegerField()
    files_permanent = serializers.IntegerField()
    files_limited = serializers.IntegerField()
    documents = serializers.IntegerField()
    pages_digitized_in_year = serializers.IntegerField()
    metres_open = _metres()
    metres_digitized_open = _metres()
    metres_described_open = _metres()
    digitized_share_pages = serializers.FloatField()
    digitized_share_metres = serializers.FloatField()
    described_share_pages = serializers.FloatField()
    described_share_metres = serializers.FloatField()


class HoldingTotalsSerializer(CamelSerializer):
    fonds = serializers.IntegerField()
    metres = _metres()
    pages_estimated = serializers.IntegerField()
    pages_counted = serializers.IntegerField()
    pages_withheld = serializers.IntegerField()
    pages_open = serializers.IntegerField()
    pages_digitized = serializers.IntegerField()
    pages_digitized_open = serializers.IntegerField()
    pages_described_open = serializers.IntegerField()
    metres_open = _metres()
    metres_digitized_open = _metres()
    metres_described_open = _metres()
    files = serializers.IntegerField()
    files_permanent = serializers.IntegerField()
    documents = serializers.IntegerField()
    pages_digitized_in_year = serializers.IntegerField()
    target_digitized = serializers.IntegerField()
    target_described = serializers.IntegerField()
    digitized_share_pages = serializers.FloatField()
    digitized_share_metres = serializers.FloatField()
    described_share_pages = serializers.FloatField()
    described_share_metres = serializers.FloatField()
    digitized_target_met = serializers.BooleanField()
    described_target_met = serializers.BooleanField()


class PlanYearFiguresSerializer(CamelSerializer):
    project_id = serializers.IntegerField()
    project_code = serializers.CharField()
    year = serializers.IntegerField()
    lines = serializers.IntegerField()
    fonds = serializers.IntegerField()
    metres = _metres()
    pages_estimated = serializers.IntegerField()
    pages_counted = serializers.IntegerField(allow_null=True)
    pages_planned = serializers.IntegerField()
    price_per_page = serializers.IntegerField()
    budget_vnd = serializers.IntegerField(allow_null=True)
    cost_planned = serializers.IntegerField()
    budget = serializers.IntegerField()
    pages_per_metre = serializers.IntegerField()
    vnd_per_page = serializers.IntegerField()


class ProjectFiguresSerializer(CamelSerializer):
    project_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    year_from = serializers.IntegerField()
    year_to = serializers.IntegerField()
    target_metres = _metres()
    pages_per_metre = serializers.IntegerField()
    price_per_page = serializers.IntegerField()
    pages_estimated = serializers.IntegerField()
    pages_planned = serializers.IntegerField()
    cost_estimated = serializers.IntegerField()
    budget_vnd = serializers.IntegerField(allow_null=True)
    files = serializers.IntegerField()
    files_done = serializers.IntegerField()
    pages_counted_files = serializers.IntegerField()
    pages_scanned = serializers.IntegerField()
    pages_qc_failed = serializers.IntegerField()
    pages_rescan = serializers.IntegerField()
    plan = PlanYearFiguresSerializer(many=True)
    plan_fonds = serializers.IntegerField()
    cost_to_date = serializers.IntegerField()
    budget = serializers.IntegerField()
    progress_share = serializers.FloatField()
    spent_share = serializers.FloatField()
    qc_failure_rate = serializers.FloatField()
    rescan_rate = serializers.FloatField()


class DayThroughputSerializer(CamelSerializer):
    day = serializers.DateField()
    pages = serializers.IntegerField()
    planned = serializers.IntegerField()
    working_day = serializers.BooleanField()


class PreservationFiguresSerializer(CamelSerializer):
    last_full_backup = serializers.DateTimeField(allow_null=True)
    last_incremental_backup = serializers.DateTimeField(allow_null=True)
    daily_backup_ok = serializers.BooleanField()
    monthly_full_ok = serializers.BooleanField()
    last_audit_at = serializers.DateTimeField(allow_null=True)
    last_audit_healthy = serializers.BooleanField(allow_null=True)
    objects = serializers.IntegerField()
    objects_checked_recently = serializers.IntegerField()
    checked_share = serializers.FloatField()
    fixity_window_days = serializers.IntegerField()
    min_copies = serializers.IntegerField()
    locations = serializers.IntegerField()
    under_replicated = serializers.IntegerField()


class FondsStatisticsSerializer(CamelSerializer):
    generated_on = serializers.DateField()
    fonds = FondsFiguresSerializer(many=True)
    totals = HoldingTotalsSerializer()


class DashboardSerializer(CamelSerializer):
    generated_on = serializers.DateField()
    totals = HoldingTotalsSerializer()
    fonds = FondsFiguresSerializer(many=True)
    projects = ProjectFiguresSerializer(many=True)
    throughput = DayThroughputSerializer(many=True)
    preservation = PreservationFiguresSerializer()
    pages_last_week = serializers.IntegerField()
    planned_last_week = serializers.IntegerField()


class AnnualReportSerializer(CamelSerializer):
    year = serializers.IntegerField()
    generated_on = serializers.DateField()
    due = serializers.DateField()
    totals = HoldingTotalsSerializer()
    fonds = FondsFiguresSerializer(many=True)
    projects = ProjectFiguresSerializer(many=True)
    plan = PlanYearFiguresSerializer(many=True)
    preservation = PreservationFiguresSerializer()
    plan_metres = _metres()
    plan_pages_planned = serializers.IntegerField()
    plan_pages_estimated = serializers.IntegerField()
    plan_budget = serializers.IntegerField()
    plan_fonds = serializers.IntegerField()
