"""Forms of the scanning step (Vietnamese labels; the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from khoso.archive.models import Document
from khoso.core.forms import form_field
from khoso.scanning.models import PageReview, RejectReason


class ReconcileForm(forms.Form):
    sheets_counted = forms.IntegerField(
        label="Số tờ đếm được",
        required=False,
        min_value=0,
        help_text="Số tờ giấy thực tế của hồ sơ khi bóc tách, làm phẳng; để trống nếu chưa đếm.",
    )
    note = forms.CharField(
        label="Giải trình chênh lệch",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Bắt buộc khi số trang hoặc số tờ khác phiếu tin (vd. trang trắng không quét, tờ gấp).",
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="Kết luận", choices=PageReview.Decision.choices)
    reason = forms.ChoiceField(label="Lý do", required=False, choices=[("", "—"), *RejectReason.choices])
    note = forms.CharField(label="Ghi chú", required=False, max_length=1000)


class _DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.ordinal}. {obj.doc_code} – {obj.subject[:80]}"


class LinkForm(forms.Form):
    document = _DocumentChoiceField(label="Tài liệu", queryset=Document.objects.none())
    first_page = forms.IntegerField(label="Từ trang", min_value=1)
    number_of_page = forms.IntegerField(label="Số trang", min_value=1, max_value=9999)

    def __init__(self, *args: Any, file_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = Document.objects.filter(file_id=file_id).order_by("ordinal")
        form_field(self, "document", _DocumentChoiceField).queryset = documents
