"""Storage locations are declared in the admin; replicas, audits and events are read-only records."""

from django.contrib import admin

from khoso.core.admin import ReadOnlyAdmin
from khoso.preservation.models import AuditRun, PremisEvent, Replica, StagingSweep, StorageLocation


@admin.register(StorageLocation)
class StorageLocationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_primary", "active", "path", "endpoint_url", "bucket"]
    list_filter = ["kind", "active"]


@admin.register(Replica)
class ReplicaAdmin(ReadOnlyAdmin):
    list_display = ["stored_object", "location", "state", "last_checked_at", "last_verified_at"]
    list_filter = ["location", "state"]


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "kind", "scope", "copies_checked", "corrupt", "missing", "repaired", "unrecoverable"]
    list_filter = ["kind"]


@admin.register(PremisEvent)
class PremisEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "event_type", "outcome", "object_sha256", "location_name", "agent"]
    list_filter = ["event_type", "outcome"]


@admin.register(StagingSweep)
class StagingSweepAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "removed_count", "removed_bytes", "kept", "older_than_seconds"]
