"""The ingest log in the admin, read-only: it is evidence of what was received, never edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from khoso.core.admin import ReadOnlyAdmin
from khoso.qlvb.models import IngestRecord
from khoso.qlvb.selectors import ingest_records_visible


@admin.register(IngestRecord)
class IngestRecordAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "organ_id", "external_id", "file_code", "result", "sent_by")
    list_filter = ("result",)
    search_fields = ("external_id", "file_code", "organ_id")

    def get_queryset(self, request: Any) -> Any:
        return ingest_records_visible(request.user)
