from django.contrib import admin

from khoso.access.models import FondsGrant


@admin.register(FondsGrant)
class FondsGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "fonds", "can_edit"]
    list_filter = ["fonds", "can_edit"]
