"""The admin base for records nobody edits by hand (grants, audits, events, reminders, ingest logs): they change
only through their services, which check rights, four-eyes rules and write the audit trail, so the admin may
list and show them but never add, change or delete one."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """The three refusals, for admins built on another base (``GroupAdmin``)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass
