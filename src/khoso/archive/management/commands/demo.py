"""``khoso demo``: the demo account and institution of a fresh installation (idempotent)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from khoso.archive.services_cli import institution_default

DEMO_PASSWORD = "khoso-demo-2025"


class Command(BaseCommand):
    help = "Tạo tài khoản và cơ quan lưu trữ mẫu / Create the demo account and institution."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default=DEMO_PASSWORD)

    def handle(self, *args: Any, **options: Any) -> None:
        institution_default()
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=options["username"],
            defaults={"is_staff": True, "is_superuser": True, "first_name": "Lưu trữ viên"},
        )
        if created:
            user.set_password(options["password"])
            user.save()
            self.stdout.write(f"Tài khoản mẫu / demo account: {user.username} / {options['password']}")
        else:
            self.stdout.write(f"Tài khoản mẫu đã có / demo account exists: {user.username}")
