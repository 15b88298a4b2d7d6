"""``khoso settings``: every KHOSO_* setting with its current value and help text."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from khoso.config.options import SETTINGS, value

SECRET = {"SECRET_KEY", "DATABASE_URL", "BROKER_URL"}


class Command(BaseCommand):
    help = "Liệt kê các biến cấu hình KHOSO_* / List the KHOSO_* settings."

    def handle(self, *args: Any, **options: Any) -> None:
        for setting in SETTINGS:
            current = value(setting.name)
            shown = "***" if setting.name in SECRET and current else current
            self.stdout.write(f"{setting.env} = {shown!r}\n    {setting.help_vi}\n    {setting.help_en}")
