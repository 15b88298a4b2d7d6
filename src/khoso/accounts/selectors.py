"""Who must pass a second factor, and whether this session has.

"Staff" is any account that can see or change more than a citizen's own reader pages: the
``is_staff``/``is_superuser`` flags, a fonds grant (``access.FondsGrant``), a role in a
digitization project (``workflow.ProjectMember``), a permission given directly, or membership of
any group other than the readers' group ("Độc giả"). One query answers it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q

from khoso.accounts.models import TOTPDevice

READER_GROUP = "Độc giả"
SESSION_KEY = "khoso_2fa_user"


def is_staff_account(user: Any) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    staff = (
        Q(fonds_grants__isnull=False)
        | Q(project_roles__isnull=False)
        | Q(user_permissions__isnull=False)
        | Q(groups__in=Group.objects.exclude(name=READER_GROUP))
    )
    return get_user_model().objects.filter(pk=user.pk).filter(staff).exists()


def confirmed_device(user: Any) -> TOTPDevice | None:
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def two_factor_required(user: Any) -> bool:
    """With ``KHOSO_STAFF_TOTP`` on: staff accounts, and anyone who enrolled a device of their own."""
    if not settings.KHOSO_STAFF_TOTP or user is None or not user.is_authenticated:
        return False
    return is_staff_account(user) or TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def session_verified(request: Any) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and request.session.get(SESSION_KEY) == user.pk)
