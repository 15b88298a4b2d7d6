from django.contrib import admin

from khoso.archive import models


@admin.register(models.Vocabulary)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["kind", "code", "label_vi", "label_en", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "label_vi"]


@admin.register(models.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "valid_until"]
    search_fields = ["code", "name"]


admin.site.register(models.Institution)
admin.site.register(models.Fonds)
admin.site.register(models.Inventory)
admin.site.register(models.Box)


@admin.register(models.ArchiveFile)
class ArchiveFileAdmin(admin.ModelAdmin):
    list_display = ["file_code", "title", "fonds", "mode"]
    search_fields = ["file_code", "title"]
    raw_id_fields = ["pdf", "created_by"]


@admin.register(models.Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["doc_code", "subject", "type_name", "issued_date"]
    search_fields = ["doc_code", "subject"]
