"""Forms of the digitization workflow (Vietnamese labels; the services do the rule checks)."""

from __future__ import annotations

from typing import Any

from django import forms

from khoso.archive.models import Fonds
from khoso.core.forms import form_field
from khoso.workflow.models import Contractor
from khoso.workflow.states import Role


class ProjectForm(forms.Form):
    code = forms.CharField(label="Mã đề án", max_length=40)
    name = forms.CharField(label="Tên đề án / kế hoạch", max_length=500)
    fonds = forms.ModelMultipleChoiceField(label="Phông", queryset=Fonds.objects.none())
    year_from = forms.IntegerField(label="Từ năm", min_value=1800, max_value=2100)
    year_to = forms.IntegerField(label="Đến năm", min_value=1800, max_value=2100)
    target_metres = forms.DecimalField(label="Khối lượng (mét giá)", max_digits=10, decimal_places=2, min_value=0)
    target_pages = forms.IntegerField(
        label="Số trang mục tiêu", required=False, min_value=1, help_text="Để trống: ước tính từ mét giá."
    )
    pages_per_metre = forms.IntegerField(label="Số trang A4 / mét giá", initial=5000, min_value=1)
    price_per_page = forms.IntegerField(label="Đơn giá (đồng / trang A4)", initial=4384, min_value=0)
    budget_vnd = forms.IntegerField(label="Kinh phí được duyệt (đồng)", required=False, min_value=0)
    contractor = forms.ModelChoiceField(label="Nhà thầu", queryset=Contractor.objects.all(), required=False)

    def __init__(self, *args: Any, fonds_queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fonds_queryset is not None:
            form_field(self, "fonds", forms.ModelChoiceField).queryset = fonds_queryset


class SelectFilesForm(forms.Form):
    file_codes = forms.CharField(
        label="Mã hồ sơ",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Mỗi dòng một mã hồ sơ; chỉ chọn cả hồ sơ, không chọn lẻ văn bản.",
    )


class MemberForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập", max_length=150)
    role = forms.ChoiceField(label="Vai trò", choices=Role.choices)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Lý do", widget=forms.Textarea(attrs={"rows": 3}))


class TransitionForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}))
