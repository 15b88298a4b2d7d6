"""Storage media are declared and updated in the admin; reminders and report marks are records, read only."""

from django.contrib import admin

from khoso.core.admin import ReadOnlyAdmin
from khoso.deadlines.models import ReminderSent, ReportSubmission, StorageMedium


@admin.register(StorageMedium)
class StorageMediumAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "location",
        "in_service_since",
        "last_migrated_on",
        "migration_interval_years",
        "rated_life_years",
        "retired_on",
    ]
    list_filter = ["kind", "location"]
    search_fields = ["name", "note"]


@admin.register(ReportSubmission)
class ReportSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["year", "submitted_on", "reference", "recorded_by", "recorded_at"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["sent_on", "kind", "object_key", "due", "state", "recipient"]
    list_filter = ["kind", "state"]
