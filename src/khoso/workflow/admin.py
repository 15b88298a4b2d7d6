from django.contrib import admin

from khoso.workflow.models import Contractor, Project, ProjectMember


class MemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 1


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "status", "target_metres", "pages_per_metre", "price_per_page"]
    inlines = [MemberInline]
    readonly_fields = ["status", "approved_by", "approved_at", "submitted_by"]


admin.site.register(Contractor)
