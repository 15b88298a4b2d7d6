"""Admin of the readers app: lookup and correction only (decisions go through the readers pages); the fee
schedule and the fee groups' reductions are edited here."""

from django.contrib import admin

from khoso.core.admin import ReadOnlyAdmin
from khoso.readers.models import Delivery, FeeGroupRule, FeeRate, Reader, ReaderRequest, UsageEvent


@admin.register(Reader)
class ReaderAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "citizen_id", "email", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["full_name", "citizen_id", "email", "user__username"]
    readonly_fields = ["user", "decided_by", "decided_at", "created_at"]


@admin.register(ReaderRequest)
class ReaderRequestAdmin(admin.ModelAdmin):
    list_display = ["code", "reader", "kind", "file", "status", "submitted_at", "due_date"]
    list_filter = ["status", "kind"]
    search_fields = ["code", "reader__full_name", "file__file_code"]
    raw_id_fields = ["reader", "file", "document"]
    readonly_fields = [
        "code",
        "submitted_at",
        "decided_by",
        "decided_at",
        "reminded_at",
        "fee_vnd",
        "fee_basis",
        "paid_at",
        "paid_by",
        "payment_method",
        "payment_reference",
        "receipt_number",
    ]


@admin.register(FeeRate)
class FeeRateAdmin(admin.ModelAdmin):
    list_display = ["kind", "per_request_vnd", "per_page_vnd", "legal_basis"]


@admin.register(FeeGroupRule)
class FeeGroupRuleAdmin(admin.ModelAdmin):
    list_display = ["fee_object_type", "discount_percent", "legal_basis"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["request", "kind", "page_count", "created_at", "expires_at", "purged_at"]
    list_filter = ["kind"]
    exclude = ["token"]  # the token is the reader's key: never shown to staff
    readonly_fields = ["request", "kind", "content", "page_count", "created_at", "purged_at"]


@admin.register(UsageEvent)
class UsageEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "user", "file", "document", "page_number", "surface", "address"]
    list_filter = ["action", "surface"]
    date_hierarchy = "at"
