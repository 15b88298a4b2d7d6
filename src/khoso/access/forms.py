"""Forms of the access pages: they parse input (dates dd/mm/yyyy, NFC text); the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from khoso.access.models import FileLock
from khoso.archive.models import VocabularyKind
from khoso.archive.selectors import vocabulary_choices
from khoso.core.forms import date_field, form_field
from khoso.core.text import nfc


class ReasonField(forms.CharField):
    def __init__(self, label: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(label=label or _("Lý do"), **kwargs)

    def clean(self, value: Any) -> Any:
        return super().clean(nfc(value or "").strip())


class FileAccessForm(forms.Form):
    mode = forms.ChoiceField(label=_("Chế độ sử dụng mới"))
    reason = ReasonField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "mode", forms.ChoiceField).choices = vocabulary_choices(VocabularyKind.MODE)


class DocumentAccessForm(forms.Form):
    mode = forms.ChoiceField(label=_("Chế độ sử dụng mới"))
    secret_class = forms.ChoiceField(label=_("Độ mật mới"), required=False)
    reason = ReasonField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "mode", forms.ChoiceField).choices = vocabulary_choices(VocabularyKind.MODE)
        none: list[tuple[str, Any]] = [("", _("Không mật"))]
        form_field(self, "secret_class", forms.ChoiceField).choices = none + vocabulary_choices(
            VocabularyKind.SECRET_CLASS
        )


class RestrictionAddForm(forms.Form):
    fonds = forms.TypedChoiceField(label=_("Phông"), coerce=int)
    target = forms.CharField(
        label=_("Mã hồ sơ hoặc mã lưu trữ tài liệu"),
        max_length=100,
        required=False,
        help_text=_("Để trống: hạn chế toàn bộ phông."),
    )
    start_date = date_field(_("Hạn chế từ ngày"))
    end_date = date_field(_("Hạn chế đến hết ngày"), required=False)
    reason = ReasonField(_("Lý do hạn chế"), max_length=500)

    def __init__(self, *args: Any, fonds_list: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "fonds", forms.TypedChoiceField).choices = [(f.pk, f"{f.code} – {f.name}") for f in fonds_list]

    def clean_target(self) -> str:
        return nfc(self.cleaned_data.get("target") or "").strip()


class RestrictionDatesForm(forms.Form):
    start_date = date_field(_("Hạn chế từ ngày"))
    end_date = date_field(_("Hạn chế đến hết ngày"), required=False)
    reason = ReasonField()


class ReasonForm(forms.Form):
    reason = ReasonField()


class DecisionForm(forms.Form):
    note = ReasonField(_("Ghi chú"), required=False)


class RoleForm(forms.Form):
    group = forms.IntegerField(widget=forms.HiddenInput)
    member = forms.TypedChoiceField(
        label=_("Thay đổi"),
        choices=[("1", _("Thêm vào vai trò")), ("0", _("Bỏ khỏi vai trò"))],
        coerce=lambda value: value == "1",
    )
    reason = ReasonField()


class GrantForm(forms.Form):
    fonds = forms.IntegerField(widget=forms.HiddenInput)
    access = forms.ChoiceField(
        label=_("Quyền trên phông"),
        choices=[
            ("none", _("Không có quyền")),
            ("view", _("Được xem")),
            ("edit", _("Được xem, sửa và nộp bản quét")),
        ],
    )
    reason = ReasonField()


class LockForm(forms.Form):
    fonds = forms.TypedChoiceField(label=_("Phông"), coerce=int)
    scope = forms.ChoiceField(label=_("Phạm vi khóa"), choices=FileLock.Scope.choices)
    inventory = forms.IntegerField(label=_("Mục lục số"), required=False, min_value=1)
    box = forms.TypedChoiceField(label=_("Hộp"), required=False, coerce=int, empty_value=None)
    codes = forms.CharField(
        label=_("Mã các hồ sơ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Khi khóa các hồ sơ được chọn: mỗi dòng một mã hồ sơ."),
    )
    reason = ReasonField(_("Lý do khóa"))

    def __init__(self, *args: Any, fonds_list: Any = (), boxes: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "fonds", forms.TypedChoiceField).choices = [(f.pk, f"{f.code} – {f.name}") for f in fonds_list]
        form_field(self, "box", forms.TypedChoiceField).choices = [("", "—")] + [
            (box.pk, f"{box.fonds.code}: {box}") for box in boxes
        ]

    def file_codes(self) -> list[str]:
        text = nfc(self.cleaned_data.get("codes") or "")
        return [code.strip() for code in text.replace(",", "\n").splitlines() if code.strip()]
