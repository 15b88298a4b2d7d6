"""Typed access to the fields of a form instance, and the one date field every form uses.

``Form.fields`` maps each name to a plain ``forms.Field``, so setting ``choices`` or ``queryset`` on a
field at run time needs its concrete class. Checking it, rather than casting, makes a field that was
renamed or given another type fail where it is used instead of silently taking the assignment.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

#: Dates are typed as Vietnamese readers write them (dd/mm/yyyy), whatever the interface language.
DATE_INPUT = ["%d/%m/%Y"]


def form_field[FieldT: forms.Field](form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """The field ``name`` of ``form``, which must be a ``kind`` (TypeError otherwise)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    """A date typed as dd/mm/yyyy, with a Vietnamese example in its error message."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        error_messages={"invalid": _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 25/12/2001.")},
    )
