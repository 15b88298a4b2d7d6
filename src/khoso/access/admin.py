"""Access in the Django admin: to read only. Grants, the restricted-use list, role membership and
locks change through the four-eyes pages under /quyen-truy-cap/ (NĐ 30/2020/NĐ-CP, Phụ lục VI),
never by one person saving a form here."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest

from khoso.access.models import AccessChange, FileLock, FondsGrant, Restriction
from khoso.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin


@admin.register(FondsGrant)
class FondsGrantAdmin(ReadOnlyAdmin):
    list_display = ["user", "fonds", "can_edit"]
    list_filter = ["fonds", "can_edit"]


@admin.register(Restriction)
class RestrictionAdmin(ReadOnlyAdmin):
    list_display = ["fonds", "file", "document", "start_date", "end_date", "reason"]
    list_filter = ["fonds"]
    raw_id_fields = ["file", "document"]


@admin.register(AccessChange)
class AccessChangeAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "target_key", "status", "proposed_by", "proposed_at", "decided_by", "decided_at"]
    list_filter = ["kind", "status"]


@admin.register(FileLock)
class FileLockAdmin(ReadOnlyAdmin):
    list_display = ["pk", "scope", "fonds", "reason", "locked_by", "locked_at", "released_at"]
    list_filter = ["scope", "fonds"]


class RoleAdmin(ReadOnlyAdminMixin, GroupAdmin):
    """Roles are defined in khoso.access.roles; their permissions are shown, not edited here."""


class AccountAdmin(UserAdmin):
    """Accounts are edited here, but not their rights: roles (groups), single permissions and the
    superuser flag change through four-eyes proposals."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*super().get_readonly_fields(request, obj), "is_superuser", "groups", "user_permissions")


for _model, _admin in ((Group, RoleAdmin), (User, AccountAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
