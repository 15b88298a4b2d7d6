"""Who may see what. Every read in the web, CLI and search goes through these functions.

Deny by default: an anonymous user sees nothing, a staff member sees only the fonds granted to
them, and files or documents in access mode 03 (Mật) only with the ``archive.view_secret`` right.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from khoso.access.models import FondsGrant

PUBLIC = "01"
CONDITIONAL = "02"
SECRET = "03"

type Actor = AbstractBaseUser | AnonymousUser | None


def _active(user: Actor) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def visible_fonds_ids(user: Actor) -> set[int] | None:
    """Fonds ids the user may see; ``None`` means all (superuser), an empty set means none."""
    if not _active(user):
        return set()
    if getattr(user, "is_superuser", False):
        return None
    return set(FondsGrant.objects.filter(user=user).values_list("fonds_id", flat=True))


def editable_fonds_ids(user: Actor) -> set[int] | None:
    if not _active(user):
        return set()
    if getattr(user, "is_superuser", False):
        return None
    return set(FondsGrant.objects.filter(user=user, can_edit=True).values_list("fonds_id", flat=True))


def allowed_modes(user: Actor) -> set[str]:
    """Access modes (TT05 ``mode``) whose material the user may see."""
    if not _active(user):
        return set()
    modes = {PUBLIC, CONDITIONAL}
    if user.has_perm("archive.view_secret"):  # type: ignore[union-attr]
        modes.add(SECRET)
    return modes


def restrict(
    queryset: QuerySet, user: Actor, *, fonds_field: str = "fonds_id", mode_field: str | None = "mode"
) -> QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may see."""
    fonds_ids = visible_fonds_ids(user)
    if fonds_ids is not None:
        queryset = queryset.filter(**{f"{fonds_field}__in": fonds_ids})
    if mode_field:
        queryset = queryset.filter(**{f"{mode_field}__in": allowed_modes(user)})
    return queryset


def can_edit_fonds(user: Actor, fonds_id: int) -> bool:
    editable = editable_fonds_ids(user)
    return editable is None or fonds_id in editable
