"""An administrator edits the error classes of the inspection guideline and may review plans."""

from django.contrib import admin

from khoso.inspection.models import ErrorClass, SamplingPlan


@admin.register(ErrorClass)
class ErrorClassAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "label_en", "severity", "responsible_step", "order", "active"]
    list_editable = ["severity", "order", "active"]
    list_filter = ["severity", "active"]


@admin.register(SamplingPlan)
class SamplingPlanAdmin(admin.ModelAdmin):
    list_display = ["project", "contractor", "passes", "max_error_rate", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]
