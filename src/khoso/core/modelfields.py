"""A model's own field by name, typed as one.

``Model._meta.get_field`` also answers with reverse relations, which have no column, verbose name
or max length; code that reads those attributes wants a field of the model itself.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The field ``name`` of ``model``; ValueError when ``name`` is a reverse relation."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{model.__name__}.{name} is a reverse relation, not a field of the model")
    return field
