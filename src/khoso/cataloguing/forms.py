"""Forms of cataloguing and data entry. The sheet form is built from the TT 05 fields themselves
(labels, lengths and vocabularies from the archive models), so it cannot drift from them; the
services do the rule checks and their per-field reasons are shown beside the fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db import models

from khoso.archive.selectors import vocabulary_choices
from khoso.cataloguing.fields import STATE, VOCABULARIES, fields_of, label, model_field, required_of
from khoso.cataloguing.models import CheckError
from khoso.core.forms import DATE_INPUT, form_field

BLANK = [("", "—")]
LONG_TEXT = 300


def _form_field(kind: str, name: str, profile: str = STATE) -> forms.Field:
    field = model_field(kind, name)
    required = name in required_of(kind, profile)
    text = label(kind, name, profile)
    if name in VOCABULARIES[kind]:
        return forms.ChoiceField(
            label=text, required=required, choices=BLANK + vocabulary_choices(VOCABULARIES[kind][name])
        )
    if name == "language":
        return forms.CharField(
            label=text,
            max_length=field.max_length,
            help_text="Một hoặc nhiều mã 01–11, cách nhau bằng dấu phẩy (01 = tiếng Việt).",
        )
    if isinstance(field, models.BooleanField):
        if field.null:
            return forms.NullBooleanField(label=text, required=False)
        return forms.BooleanField(label=text, required=False)
    if isinstance(field, models.DateField):
        return forms.DateField(
            label=text,
            required=required,
            input_formats=DATE_INPUT,
            widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
            error_messages={"invalid": "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 25/12/2001."},
        )
    if isinstance(field, models.IntegerField):
        return forms.IntegerField(label=text, required=required, min_value=0)
    widget = forms.Textarea(attrs={"rows": 2}) if (field.max_length or 0) >= LONG_TEXT else None
    return forms.CharField(label=text, required=required, max_length=field.max_length, widget=widget)


def _initial(name: str, value: Any) -> Any:
    """Stored ISO dates back to ``date`` so the widget shows them as dd/mm/yyyy."""
    if name.endswith("_date") and isinstance(value, str) and value:
        return date.fromisoformat(value)
    return value


class SheetForm(forms.Form):
    """Every TT 05 field of a file sheet or a document sheet, Vietnamese labels from the models."""

    def __init__(
        self, *args: Any, kind: str, values: dict[str, Any] | None = None, profile: str = STATE, **kwargs: Any
    ) -> None:
        if values is not None:
            kwargs["initial"] = {name: _initial(name, value) for name, value in values.items()}
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in fields_of(kind, profile):
            self.fields[name] = _form_field(kind, name, profile)

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def show_problems(self, problems: dict[str, str]) -> None:
        for name, reason in problems.items():
            self.add_error(name if name in self.fields else None, reason)


class GuidelineForm(forms.Form):
    title = forms.CharField(label="Tên hướng dẫn", max_length=300)
    effective_date = forms.DateField(
        label="Ngày áp dụng",
        input_formats=DATE_INPUT,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
    double_keying = forms.BooleanField(
        label="Nhập hai lần độc lập",
        required=False,
        help_text="Hai người nhập cùng một phiếu tin; người kiểm tra đối chiếu.",
    )
    text = forms.CharField(label="Nội dung hướng dẫn", widget=forms.Textarea(attrs={"rows": 12}))


class CheckErrorForm(forms.Form):
    worksheet = forms.TypedChoiceField(label="Phiếu tin", coerce=int)
    field = forms.ChoiceField(label="Trường")
    severity = forms.ChoiceField(label="Mức độ", choices=CheckError.Severity.choices)
    pass_no = forms.TypedChoiceField(
        label="Lượt nhập", coerce=int, choices=[(1, "Lần 1"), (2, "Lần 2")], initial=1, required=False
    )
    message = forms.CharField(label="Mô tả lỗi", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, sheets: list[Any], entry: bool = False, profile: str = STATE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "worksheet", forms.ChoiceField).choices = [(s.pk, s.name) for s in sheets]
        kinds = []
        for sheet in sheets:
            if sheet.kind not in kinds:
                kinds.append(sheet.kind)
        seen: dict[str, str] = {}
        for kind in kinds:
            for name in fields_of(kind, profile):
                seen.setdefault(name, label(kind, name, profile))
        form_field(self, "field", forms.ChoiceField).choices = list(seen.items())
        if not entry:
            del self.fields["pass_no"]


class FixForm(forms.Form):
    note = forms.CharField(label="Đã sửa thế nào", widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    choice = forms.ChoiceField(
        label="Giá trị đúng",
        choices=[("phieu", "Theo phiếu tin"), ("1", "Nhập lần 1"), ("2", "Nhập lần 2"), ("khac", "Giá trị khác")],
    )
    value = forms.CharField(label="Giá trị khác", required=False)
