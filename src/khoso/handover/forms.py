"""Forms of selection and copying (Vietnamese labels; the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from khoso.core.forms import form_field
from khoso.handover.models import CopyTarget
from khoso.workflow.selection import damage_labels


class ConditionForm(forms.Form):
    damage_codes = forms.MultipleChoiceField(
        label="Tình trạng hư hỏng", required=False, widget=forms.CheckboxSelectMultiple
    )
    usage_count = forms.IntegerField(label="Số lượt khai thác", min_value=0, initial=0)
    special_carrier = forms.BooleanField(label="Vật mang tin đặc biệt (lá, gỗ, vải, da, giấy dó…)", required=False)
    note = forms.CharField(label="Ghi chú", required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "damage_codes", forms.ChoiceField).choices = list(damage_labels().items())


class CopyTargetForm(forms.Form):
    name = forms.CharField(label="Tên nơi lưu", max_length=200)
    kind = forms.ChoiceField(label="Loại", choices=CopyTarget.Kind.choices)
    path = forms.CharField(
        label="Đường dẫn thư mục", max_length=500, help_text="Thư mục trên máy chủ hoặc nơi gắn thiết bị lưu trữ rời."
    )
    medium_id = forms.CharField(label="Mã hiệu thiết bị / nhãn", max_length=100)
