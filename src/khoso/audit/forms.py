"""The staff list's filter form (dates as dd/mm/yyyy); it only parses input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from khoso.audit.models import AuditEntry
from khoso.audit.selectors import EntryFilter
from khoso.core.forms import date_field
from khoso.core.text import nfc


class EntryFilterForm(forms.Form):
    doi_tuong = forms.CharField(
        label=_("Đối tượng"),
        required=False,
        max_length=200,
        help_text=_("Mã hồ sơ, mã phông, mã tài liệu… hoặc loại:mã (vd. archive.archivefile:12)."),
    )
    nguoi = forms.CharField(label=_("Người thực hiện"), required=False, max_length=150)
    thao_tac = forms.CharField(label=_("Thao tác"), required=False, max_length=100)
    loai = forms.ChoiceField(label=_("Loại"), required=False, choices=[("", "—"), *AuditEntry.Kind.choices])
    tu_ngay = date_field(_("Từ ngày"), required=False)
    den_ngay = date_field(_("Đến ngày"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if start and end and end < start:
            self.add_error("den_ngay", _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
        return data

    def entry_filter(self) -> EntryFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return EntryFilter(
            object_text=nfc(data.get("doi_tuong") or ""),
            actor=nfc(data.get("nguoi") or ""),
            action=(data.get("thao_tac") or "").strip(),
            kind=data.get("loai") or "",
            date_from=data.get("tu_ngay"),
            date_to=data.get("den_ngay"),
        )
