"""The upload form of a catalogue (the fonds is in the URL; the inventory is one of its own)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from khoso.archive.models import Fonds, Inventory
from khoso.core.forms import form_field


class UploadForm(forms.Form):
    sheet = forms.FileField(
        label=_("Tệp mục lục (XLSX hoặc CSV UTF-8)"),
        help_text=_(
            "Mục lục hồ sơ hoặc mục lục văn bản; tiêu đề cột theo TT 05/2025, tên trường TT 05 hoặc TT 02/2019."
        ),
    )
    inventory = forms.ModelChoiceField(
        label=_("Mục lục cho hồ sơ mới"),
        queryset=Inventory.objects.none(),
        required=False,
        help_text=_("Dùng khi tệp không có cột «Mục lục số»."),
    )

    def __init__(self, *args: Any, fonds: Fonds, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "inventory", forms.ModelChoiceField).queryset = Inventory.objects.filter(fonds=fonds)
