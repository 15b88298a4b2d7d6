"""Accounts: login lockout (django-axes), staff two-factor (TOTP), rate limits, deploy checks."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(sender: AppConfig, using: str = "default", verbosity: int = 1, **kwargs: Any) -> None:
    """``migrate`` (so ``khoso migrate``, ``khoso up``, install.sh, restore and test databases) also
    makes the database cache table that the lockout and rate limits count in (idempotent)."""
    from django.conf import settings
    from django.core.management import call_command

    if any(cache["BACKEND"].endswith("DatabaseCache") for cache in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)


class AccountsConfig(AppConfig):
    name = "khoso.accounts"
    verbose_name = "Tài khoản và đăng nhập"

    def ready(self) -> None:
        from khoso.config import checks  # noqa: F401  (registers the deploy checks)

        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="khoso-createcachetable")
