from django.contrib import admin

from khoso.access.models import FondsGrant, Restriction


@admin.register(FondsGrant)
class FondsGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "fonds", "can_edit"]
    list_filter = ["fonds", "can_edit"]


@admin.register(Restriction)
class RestrictionAdmin(admin.ModelAdmin):
    list_display = ["fonds", "file", "document", "start_date", "end_date", "reason"]
    list_filter = ["fonds"]
    raw_id_fields = ["file", "document"]
