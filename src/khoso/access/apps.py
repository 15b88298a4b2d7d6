"""Access: grants, access regimes, four-eyes changes, locks, roles and the offline enclave's checks."""

from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    """After the last app's permissions exist, give every role the permissions it lacks."""
    with_models = [config.label for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1]:  # post_migrate goes to each app with models, in order
        return
    from django.contrib.auth.models import Group, Permission

    from khoso.access.roles import sync_roles

    sync_roles(Group, Permission)


class AccessConfig(AppConfig):
    name = "khoso.access"
    verbose_name = "Phân quyền"

    def ready(self) -> None:
        from khoso.access import checks  # noqa: F401  (registers the enclave checks)

        post_migrate.connect(_sync_roles, dispatch_uid="khoso_access_sync_roles")
