from typing import Any

from django import forms
from django.contrib import admin

from khoso.archive import models, services
from khoso.core.errors import ArchiveError


@admin.register(models.Vocabulary)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["kind", "code", "label_vi", "label_en", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "label_vi"]


@admin.register(models.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "valid_until"]
    search_fields = ["code", "name"]


class InstitutionForm(forms.ModelForm):
    """The archive services' rule for choosing a profile (a Party archive's fonds all in the Party list)."""

    class Meta:
        model = models.Institution
        fields = ["code", "name", "agency", "profile"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if "profile" in data:
            try:
                services.check_profile_change(self.instance, data["profile"])
            except ArchiveError as error:
                raise forms.ValidationError(error.message) from error
        return data


@admin.register(models.Institution)
class InstitutionAdmin(admin.ModelAdmin):
    form = InstitutionForm
    list_display = ["code", "name", "profile"]
    list_filter = ["profile"]
    search_fields = ["code", "name"]


class FondsForm(forms.ModelForm):
    """The archive services' rule for a fonds' group of the Party fonds list (QĐ 270-QĐ/TW)."""

    class Meta:
        model = models.Fonds
        fields = ["institution", "code", "name", *models.FONDS_DESCRIPTION_FIELDS]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        institution = data.get("institution")
        if institution is not None:
            try:
                services.check_party_group(institution, data.get("party_group", ""), fonds_code=data.get("code", ""))
            except ArchiveError as error:
                self.add_error("party_group", error.message)
        return data


@admin.register(models.Fonds)
class FondsAdmin(admin.ModelAdmin):
    form = FondsForm
    list_display = ["code", "name", "institution", "party_group"]
    list_filter = ["institution", "party_group"]
    search_fields = ["code", "name"]


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
    search_fields = ["doc_code", "subject", "signer", "topic"]
