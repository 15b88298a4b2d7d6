"""Forms of custody (Vietnamese labels; the services check the physical order and the counts)."""

from __future__ import annotations

from typing import Any

from django import forms

from khoso.archive.models import Box
from khoso.core.forms import form_field
from khoso.custody.models import Kind
from khoso.workflow.models import ProjectFile


def _kind_choices(kinds: list[Kind] | None) -> list[tuple[str, str]]:
    return [(kind.value, kind.label) for kind in (kinds if kinds is not None else list(Kind))]


class _PartiesForm(forms.Form):
    from_party = forms.CharField(
        label="Bên giao", max_length=200, required=False, help_text="Để trống: người đang ghi nhận."
    )
    to_party = forms.CharField(label="Bên nhận", max_length=200, required=False)
    location = forms.CharField(label="Địa điểm", max_length=200, required=False)


class MovementForm(_PartiesForm):
    kind = forms.ChoiceField(label="Thao tác")
    sheets_counted = forms.IntegerField(
        label="Số tờ kiểm đếm", min_value=0, required=False, help_text="Bắt buộc khi giao nhận tay đôi."
    )
    note = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["kind", "sheets_counted", "from_party", "to_party", "location", "note"]

    def __init__(self, *args: Any, kinds: list[Kind] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "kind", forms.ChoiceField).choices = _kind_choices(kinds)


class BoxChoiceForm(forms.Form):
    box = forms.ModelChoiceField(label="Hộp", queryset=Box.objects.none())

    def __init__(self, *args: Any, boxes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if boxes is not None:
            form_field(self, "box", forms.ModelChoiceField).queryset = boxes


class BoxMovementForm(_PartiesForm):
    """One movement of a whole box: the files counted in it and the sheets of each file."""

    kind = forms.ChoiceField(label="Thao tác")
    files_counted = forms.IntegerField(label="Số hồ sơ kiểm đếm trong hộp", min_value=0)
    note = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["kind", "files_counted", "from_party", "to_party", "location", "note"]

    def __init__(self, *args: Any, items: list[ProjectFile], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "kind", forms.ChoiceField).choices = _kind_choices(None)
        self.items = items
        for item in items:
            self.fields[f"sheets_{item.pk}"] = forms.IntegerField(
                label=f"Số tờ – {item.file.file_code}", min_value=0, required=False
            )

    def sheets(self) -> dict[int, int | None]:
        return {item.pk: self.cleaned_data.get(f"sheets_{item.pk}") for item in self.items}


class ResolveForm(forms.Form):
    note = forms.CharField(label="Cách giải quyết", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirmed = forms.IntegerField(
        label="Số xác nhận sau kiểm đếm lại",
        min_value=0,
        required=False,
        help_text="Để trống: lần giao nhận sau đối chiếu với số đã kiểm đếm.",
    )
