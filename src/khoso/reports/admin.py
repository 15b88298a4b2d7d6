"""Plan years in the admin: the lines of a year are edited with it (one save, one transaction)."""

from django.contrib import admin

from khoso.reports.models import PlanLine, PlanYear


class PlanLineInline(admin.TabularInline):
    model = PlanLine
    extra = 0
    fields = ("position", "fonds", "label", "metres", "pages_counted")
    raw_id_fields = ("fonds",)


@admin.register(PlanYear)
class PlanYearAdmin(admin.ModelAdmin):
    list_display = ("project", "year", "budget_vnd", "decision")
    list_filter = ("year",)
    inlines = [PlanLineInline]
