"""Typed access to the fields of a form instance.

``Form.fields`` maps each name to a plain ``forms.Field``, so setting ``choices`` or ``queryset`` on a
field at run time needs its concrete class. Checking it, rather than casting, makes a field that was
renamed or given another type fail where it is used instead of silently taking the assignment.
"""

from __future__ import annotations

from django import forms


def form_field[FieldT: forms.Field](form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """The field ``name`` of ``form``, which must be a ``kind`` (TypeError otherwise)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field
