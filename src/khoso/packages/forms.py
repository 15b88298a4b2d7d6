"""Forms of the transfer pages: a new batch with one or several package ZIPs, and a rejection reason."""

from __future__ import annotations

from typing import Any

from django import forms

from khoso.archive.models import Fonds
from khoso.core.forms import form_field


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files under one name (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".zip,application/zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class BatchForm(forms.Form):
    fonds = forms.ModelChoiceField(label="Phông nhận hồ sơ", queryset=Fonds.objects.none())
    source_agency = forms.CharField(label="Cơ quan, đơn vị nộp lưu", max_length=300)
    note = forms.CharField(
        label="Tình trạng tài liệu, ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    packages = MultipleFileField(label="Gói tin SIP (tệp ZIP, chọn được nhiều tệp)")

    def __init__(self, *args: Any, fonds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "fonds", forms.ModelChoiceField).queryset = fonds


class RejectForm(forms.Form):
    reason = forms.CharField(label="Lý do từ chối", max_length=2000)


class ExportForm(forms.Form):
    """Export one hồ sơ or gói tài liệu as a TT 05 package; a reason is needed when it holds secret material."""

    package_type = forms.ChoiceField(
        label="Loại gói tin",
        choices=[
            ("SIP", "SIP – nộp lưu sang hệ thống khác (SIP_hoso / SIP_tailieu)"),
            ("AIP", "AIP – lưu trữ trong hệ thống (AIP_hoso / AIP_tailieu)"),
            ("DIP", "DIP – cung cấp cho độc giả"),
        ],
    )
    reason = forms.CharField(
        label="Lý do xuất (bắt buộc với tài liệu Mật)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
